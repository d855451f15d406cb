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

import dev.pgarrowcdc.flink.source.Lsn;

import java.nio.charset.StandardCharsets;

/** {@code M}: a logical message ({@code pg_logical_emit_message}), when option messages is on. */
public final class MessageFrame extends Frame {

    private final boolean transactional;
    private final long xid;
    private final long lsn;
    private final byte[] prefix;
    private final byte[] content;

    public MessageFrame(boolean transactional, long xid, long lsn, byte[] prefix, byte[] content) {
        this.transactional = transactional;
        this.xid = xid;
        this.lsn = lsn;
        this.prefix = prefix.clone();
        this.content = content.clone();
    }

    @Override
    public FrameKind kind() {
        return FrameKind.MESSAGE;
    }

    /** True for a message emitted with {@code transactional = true} (inside B..C). */
    public boolean transactional() {
        return transactional;
    }

    /** The emitting transaction's id (unsigned 32-bit), 0 when the plugin did not know it. */
    public long xid() {
        return xid;
    }

    /** LSN of the message's WAL record. */
    public long lsn() {
        return lsn;
    }

    /** The prefix as UTF-8 text (PostgreSQL prefixes are C strings of the database encoding). */
    public String prefix() {
        return new String(prefix, StandardCharsets.UTF_8);
    }

    public byte[] prefixBytes() {
        return prefix.clone();
    }

    /** The payload, exactly as given to {@code pg_logical_emit_message}. */
    public byte[] content() {
        return content.clone();
    }

    @Override
    public String toString() {
        return "MessageFrame{transactional="
                + transactional
                + ", xid="
                + xid
                + ", lsn="
                + Lsn.format(lsn)
                + ", prefix="
                + prefix()
                + ", contentBytes="
                + content.length
                + '}';
    }
}
