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
package dev.pgarrowcdc.flink.source.enumerator;

import dev.pgarrowcdc.flink.source.split.TableId;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.regex.Pattern;

/**
 * Replication slot names for tables: {@code <prefix>_<schema>_<table>}, stable across runs (the
 * same prefix and table always give the same name), at most 63 bytes and only {@code [a-z0-9_]}.
 *
 * <p>The readable form is used as is only when it decodes unambiguously: schema and table already
 * consist of {@code [a-z0-9_]}, the schema has no underscore (so the first {@code _} after the
 * prefix separates schema and table), the result has no {@code __} and fits. Any other table gets
 * the readable form sanitized, cut to fit and suffixed with {@code __} and 10 hex digits of a
 * SHA-256 over the exact prefix, schema and table. Unhashed names never contain {@code __} and
 * hashed names always do, so the two kinds never collide; two hashed names collide only when 40
 * bits of SHA-256 do. Slots are cluster-wide: the prefix must be unique per job.
 */
public final class SlotNames {

    public static final int MAX_SLOT_NAME_BYTES = 63;
    public static final int MAX_PREFIX_LENGTH = 32;
    private static final int HASH_HEX_DIGITS = 10;
    private static final Pattern PREFIX = Pattern.compile("[a-z](?:_?[a-z0-9])*");
    private static final Pattern PLAIN = Pattern.compile("[a-z0-9_]+");

    private SlotNames() {}

    /** Null when the prefix is valid, else what is wrong and how to fix it. */
    public static String checkPrefix(String prefix) {
        if (prefix == null || prefix.isEmpty()) {
            return "'slot.name' is not set: choose a prefix for this job's replication slots,"
                    + " unique in the PostgreSQL cluster, e.g. flink_orders";
        }
        if (prefix.length() > MAX_PREFIX_LENGTH || !PREFIX.matcher(prefix).matches()) {
            return "'slot.name' = '"
                    + prefix
                    + "' must start with a lower-case letter and use only"
                    + " lower-case letters, digits and single underscores (not at the end), at most "
                    + MAX_PREFIX_LENGTH
                    + " characters, because it starts slot names"
                    + " <slot.name>_<schema>_<table> of at most 63 bytes; e.g. flink_orders";
        }
        return null;
    }

    public static String slotName(String prefix, TableId table) {
        String readable = prefix + "_" + table.schema() + "_" + table.table();
        boolean plain =
                PLAIN.matcher(table.schema()).matches()
                        && PLAIN.matcher(table.table()).matches()
                        && table.schema().indexOf('_') < 0
                        && !readable.contains("__")
                        && readable.length() <= MAX_SLOT_NAME_BYTES;
        if (plain) {
            return readable;
        }
        String sanitized =
                readable.toLowerCase(java.util.Locale.ROOT).replaceAll("[^a-z0-9_]", "_");
        int keep = MAX_SLOT_NAME_BYTES - 2 - HASH_HEX_DIGITS;
        if (sanitized.length() > keep) {
            sanitized = sanitized.substring(0, keep);
        }
        return sanitized + "__" + hash(prefix, table);
    }

    private static String hash(String prefix, TableId table) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            byte[] digest =
                    sha.digest(
                            (prefix + '\0' + table.schema() + '\0' + table.table())
                                    .getBytes(StandardCharsets.UTF_8));
            StringBuilder hex = new StringBuilder();
            for (int i = 0; hex.length() < HASH_HEX_DIGITS; i++) {
                hex.append(String.format("%02x", digest[i]));
            }
            return hex.substring(0, HASH_HEX_DIGITS);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every JVM", e);
        }
    }
}
