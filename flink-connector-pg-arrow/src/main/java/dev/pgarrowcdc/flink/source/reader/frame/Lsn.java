package dev.pgarrowcdc.flink.source.reader.frame;

import java.util.Locale;

/** PostgreSQL's text form of an LSN ({@code 16/B374D848}), for messages and tests. */
public final class Lsn {

    private Lsn() {}

    public static String format(long lsn) {
        return Long.toHexString(lsn >>> 32).toUpperCase(Locale.ROOT) + '/'
                + Long.toHexString(lsn & 0xFFFFFFFFL).toUpperCase(Locale.ROOT);
    }

    /** Parses {@code X/Y} as PostgreSQL's {@code pg_lsn} prints it. */
    public static long parse(String text) {
        int slash = text.indexOf('/');
        if (slash <= 0 || slash == text.length() - 1) {
            throw new IllegalArgumentException("Not an LSN (expected X/Y in hex): " + text);
        }
        long high = Long.parseLong(text.substring(0, slash), 16);
        long low = Long.parseLong(text.substring(slash + 1), 16);
        return (high << 32) | low;
    }
}
