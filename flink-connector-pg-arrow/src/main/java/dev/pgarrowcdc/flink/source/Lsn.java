/*
 * Copyright 2026 the pg-arrow-cdc authors
 *
 * Licensed under the Apache License, Version 2.0 (the "License");
 * you may not use this file except in compliance with the License.
 * You may obtain a copy of the License at
 *
 *     http://www.apache.org/licenses/LICENSE-2.0
 *
 * Unless required by applicable law or agreed to in writing, software
 * distributed under the License is distributed on an "AS IS" BASIS,
 * WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
 * See the License for the specific language governing permissions and
 * limitations under the License.
 */
package dev.pgarrowcdc.flink.source;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** PostgreSQL LSNs as unsigned 64-bit values, in {@code pg_lsn}'s {@code XXX/XXX} notation. */
public final class Lsn {

    private static final Pattern NOTATION =
            Pattern.compile("([0-9A-Fa-f]{1,8})/([0-9A-Fa-f]{1,8})");

    private Lsn() {}

    /** Parses {@code 16/B374D848}; returns -1 when the text is not an LSN. */
    public static long parse(String text) {
        if (text == null) {
            return -1;
        }
        Matcher m = NOTATION.matcher(text.trim());
        if (!m.matches()) {
            return -1;
        }
        return (Long.parseLong(m.group(1), 16) << 32) | Long.parseLong(m.group(2), 16);
    }

    public static String format(long lsn) {
        return Long.toHexString(lsn >>> 32).toUpperCase(Locale.ROOT)
                + '/'
                + Long.toHexString(lsn & 0xFFFFFFFFL).toUpperCase(Locale.ROOT);
    }
}
