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
package dev.pgarrowcdc.flink.source.reader.frame;

/** The kind byte at offset 3 of every wal2arrow frame (PROTOCOL.md section 1.1). */
public enum FrameKind {
    BEGIN('B'),
    SCHEMA('S'),
    ROWS('R'),
    COMMIT('C'),
    TRUNCATE('T'),
    MESSAGE('M'),
    /** Chunk keys: written only by the snapshot function {@code wal2arrow_snapshot}. */
    KEYS('K');

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
            case 'K':
                return KEYS;
            default:
                return null;
        }
    }
}
