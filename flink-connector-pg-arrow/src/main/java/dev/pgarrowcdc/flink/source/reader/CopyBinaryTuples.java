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
package dev.pgarrowcdc.flink.source.reader;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.sql.SQLException;
import java.util.function.Consumer;

/**
 * Splits the CopyData messages of {@code COPY ... TO STDOUT (FORMAT binary)} of a one-column result
 * into that column's values: the 19-byte header (signature, flags, extension), then per tuple a
 * 16-bit field count (1) and a 32-bit length with that many bytes, then the trailer (field count
 * -1). PostgreSQL sends one tuple per message (the header with the first), but a tuple split over
 * messages is put together, so only a tuple's own bytes are ever copied. NULL values and anything
 * else unexpected are refused.
 */
final class CopyBinaryTuples {

    /** PostgreSQL's "PGCOPY\n\377\r\n\0". */
    private static final byte[] SIGNATURE = {
        'P', 'G', 'C', 'O', 'P', 'Y', '\n', (byte) 0xFF, '\r', '\n', 0
    };

    private static final int HEADER = SIGNATURE.length + 8;

    private final String description;

    /** Bytes of the stream not parsed yet (a header or tuple split over messages), or null. */
    private ByteBuffer pending;

    private boolean headerRead;
    private boolean trailerRead;

    /**
     * @param description what is copied, for error messages
     */
    CopyBinaryTuples(String description) {
        this.description = description;
    }

    /** Hands each whole value of the message (with what was pending before it) to {@code out}. */
    void feed(byte[] message, Consumer<ByteBuffer> out) throws SQLException {
        ByteBuffer buf;
        if (pending != null) {
            buf = ByteBuffer.allocate(pending.remaining() + message.length);
            buf.put(pending).put(message).flip();
            pending = null;
        } else {
            buf = ByteBuffer.wrap(message);
        }
        buf.order(ByteOrder.BIG_ENDIAN);
        if (!headerRead) {
            if (buf.remaining() < HEADER) {
                pending = buf;
                return;
            }
            for (byte b : SIGNATURE) {
                if (buf.get() != b) {
                    throw error("expected the COPY binary signature at its start");
                }
            }
            buf.getInt(); // flags: no bit defined that changes the tuples
            int extension = buf.getInt();
            if (extension != 0) {
                throw error("expected no header extension but found " + extension + " bytes");
            }
            headerRead = true;
        }
        while (buf.hasRemaining()) {
            if (trailerRead) {
                throw error(buf.remaining() + " bytes after the trailer");
            }
            int at = buf.position();
            if (buf.remaining() < 2) {
                break;
            }
            short fields = buf.getShort(at);
            if (fields == -1) {
                buf.position(at + 2);
                trailerRead = true;
                continue;
            }
            if (fields != 1) {
                throw error("expected tuples of 1 field but found " + fields);
            }
            if (buf.remaining() < 6) {
                break;
            }
            int length = buf.getInt(at + 2);
            if (length < 0) {
                throw error("expected a value but found NULL");
            }
            if (buf.remaining() - 6 < length) {
                break;
            }
            ByteBuffer value = buf.duplicate();
            value.limit(at + 6 + length).position(at + 6);
            buf.position(at + 6 + length);
            out.accept(value.slice());
        }
        if (buf.hasRemaining()) {
            pending = ByteBuffer.allocate(buf.remaining()).put(buf);
            pending.flip();
        }
    }

    /** Checks that the stream ended whole: header, whole tuples, trailer. */
    void finish() throws SQLException {
        if (pending != null || !headerRead || !trailerRead) {
            throw error(
                    "the COPY ended "
                            + (!headerRead
                                    ? "without its header"
                                    : pending != null
                                            ? "inside a tuple (" + pending.remaining() + " bytes)"
                                            : "without its trailer"));
        }
    }

    private SQLException error(String what) {
        return new SQLException(
                "pg-arrow-cdc: the COPY of the " + description + " is not as expected: " + what);
    }
}
