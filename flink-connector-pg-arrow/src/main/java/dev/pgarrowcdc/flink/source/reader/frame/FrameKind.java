package dev.pgarrowcdc.flink.source.reader.frame;

/** The kind byte at offset 3 of every wal2arrow frame (PROTOCOL.md section 1.1). */
public enum FrameKind {
    BEGIN('B'),
    SCHEMA('S'),
    ROWS('R'),
    COMMIT('C'),
    TRUNCATE('T'),
    MESSAGE('M');

    private final byte code;

    FrameKind(char code) {
        this.code = (byte) code;
    }

    /** The byte written on the wire, e.g. {@code 'R'}. */
    public byte code() {
        return code;
    }

    /** The kind for a wire byte, or {@code null} when protocol version 1 defines none. */
    public static FrameKind fromCode(byte code) {
        switch (code) {
            case 'B':
                return BEGIN;
            case 'S':
                return SCHEMA;
            case 'R':
                return ROWS;
            case 'C':
                return COMMIT;
            case 'T':
                return TRUNCATE;
            case 'M':
                return MESSAGE;
            default:
                return null;
        }
    }
}
