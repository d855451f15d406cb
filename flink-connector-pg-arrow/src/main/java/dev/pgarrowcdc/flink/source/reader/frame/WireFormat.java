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

/**
 * The wal2arrow frame layout (wal2arrow/PROTOCOL.md sections 1 and 2), named once.
 *
 * <p>The names are PROTOCOL.md's; the plugin's C writers use the same names with the prefix {@code
 * W2A_} (wal2arrow/frame.h). Offsets count from the frame's first byte; all integers are
 * little-endian.
 */
public final class WireFormat {

    private WireFormat() {}

    /**
     * The only protocol version this reader knows; sent to the plugin as {@code format_version}.
     */
    public static final int PROTOCOL_VERSION = 1;

    /** Name of the plugin option that asks for a protocol version. */
    public static final String FORMAT_VERSION_OPTION = "format_version";

    // Common header (section 1.1)
    /** Two bytes {@code 'W' 'A'}. */
    public static final int FRAME_MAGIC = 0;

    /** u8 protocol version. */
    public static final int FRAME_VERSION = 2;

    /** u8 kind ({@link FrameKind#code()}). */
    public static final int FRAME_KIND = 3;

    /** u32 H: header length, counting the common header and the kind's fixed fields. */
    public static final int FRAME_HEADER_LENGTH = 4;

    /** Bytes of the common header. */
    public static final int COMMON_H = 8;

    /** Size of the u64 body length B, stored at {@code H - BODY_LENGTH_SIZE}. */
    public static final int BODY_LENGTH_SIZE = 8;

    // B begin
    public static final int BEGIN_XID = 8;
    public static final int BEGIN_FLAGS = 12;
    public static final int BEGIN_FINAL_LSN = 16;
    public static final int BEGIN_COMMIT_TIME = 24;
    public static final int BEGIN_H = 40;

    // C commit
    public static final int COMMIT_XID = 8;
    public static final int COMMIT_FLAGS = 12;
    public static final int COMMIT_LSN = 16;
    public static final int COMMIT_END_LSN = 24;
    public static final int COMMIT_TIME = 32;
    public static final int COMMIT_ROWS = 40;
    public static final int COMMIT_H = 56;

    // S schema
    public static final int SCHEMA_RELID = 8;
    public static final int SCHEMA_VERSION = 12;
    public static final int SCHEMA_H = 24;

    // R rows: H = ROWS_H + MARK_SIZE * N
    public static final int ROWS_RELID = 8;
    public static final int ROWS_SCHEMA_VERSION = 12;
    public static final int ROWS_ROW_COUNT = 16;
    public static final int ROWS_MARK_COUNT = 20;
    public static final int ROWS_FIRST_ROW = 24;
    public static final int ROWS_MARKS = 32;

    /** Header length of an {@code R} frame without marks. */
    public static final int ROWS_H = 40;

    public static final int MARK_SIZE = 8;

    /** Offsets within one value mark: u32 row, u16 column, u16 kind. */
    public static final int MARK_ROW = 0;

    public static final int MARK_COLUMN = 4;
    public static final int MARK_KIND = 6;

    // T truncate
    public static final int TRUNCATE_FLAGS = 8;
    public static final int TRUNCATE_COUNT = 12;
    public static final int TRUNCATE_H = 24;
    public static final int TRUNCATE_CASCADE = 0x1;
    public static final int TRUNCATE_RESTART_IDENTITY = 0x2;

    // M logical message
    public static final int MESSAGE_FLAGS = 8;
    public static final int MESSAGE_XID = 12;
    public static final int MESSAGE_LSN = 16;
    public static final int MESSAGE_PREFIX_LENGTH = 24;
    public static final int MESSAGE_PAYLOAD_LENGTH = 28;
    public static final int MESSAGE_H = 40;
    public static final int MESSAGE_TRANSACTIONAL = 0x1;

    // K chunk keys (only the snapshot function wal2arrow_snapshot writes them, after an R frame)
    /** u32 row count: equals the preceding {@code R} frame's. */
    public static final int KEYS_ROW_COUNT = 8;

    /** u32 key column count. */
    public static final int KEYS_COLUMN_COUNT = 12;

    public static final int KEYS_H = 24;

    /** A key value's u32 length that stands for NULL. */
    public static final long KEYS_NULL_LENGTH = 0xFFFF_FFFFL;

    /** The fixed header length of a kind ({@code R}: without its marks). */
    static int fixedHeaderLength(FrameKind kind) {
        switch (kind) {
            case BEGIN:
                return BEGIN_H;
            case COMMIT:
                return COMMIT_H;
            case SCHEMA:
                return SCHEMA_H;
            case ROWS:
                return ROWS_H;
            case TRUNCATE:
                return TRUNCATE_H;
            case MESSAGE:
                return MESSAGE_H;
            case KEYS:
                return KEYS_H;
            default:
                throw new AssertionError(kind);
        }
    }
}
