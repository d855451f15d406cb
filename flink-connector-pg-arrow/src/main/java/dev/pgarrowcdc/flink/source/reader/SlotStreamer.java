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

import dev.pgarrowcdc.flink.source.PgArrowSourceConfig;
import dev.pgarrowcdc.flink.source.split.PgArrowSplit;

import org.apache.arrow.memory.BufferAllocator;

import java.io.IOException;
import java.sql.SQLException;
import java.util.List;

/**
 * One stream split, driven by the fetcher thread: {@link StreamConnection} holds the replication
 * stream (with {@link FrameTranslator} turning frames into records, and a {@link Reconciler} while
 * the table's chunked snapshot may already show streamed changes), {@link SlotManager} finds or
 * makes the slot. Chunks of a snapshot are read by {@link ChunkReader}. Not thread safe; every
 * method runs on the fetcher thread.
 *
 * <p>Delivery is exactly-once: see {@link PgArrowSplit}.
 */
final class SlotStreamer implements AutoCloseable {

    private final PgArrowSplit split;
    private final StreamConnection stream;

    SlotStreamer(PgArrowSplit split, PgArrowSourceConfig config, BufferAllocator allocator) {
        this(split, config, allocator, ReaderMetrics.unregistered(config));
    }

    SlotStreamer(
            PgArrowSplit split,
            PgArrowSourceConfig config,
            BufferAllocator allocator,
            ReaderMetrics metrics) {
        if (split.phase() != PgArrowSplit.Phase.STREAM) {
            throw new IllegalArgumentException("Not a stream split: " + split);
        }
        this.split = split;
        SlotManager slot = new SlotManager(config, split.slotName(), split.tables());
        this.stream =
                new StreamConnection(
                        config,
                        slot,
                        split.tables(),
                        allocator,
                        metrics,
                        "slot '" + split.slotName() + "' (tables " + split.tables() + ")",
                        split.startLsn(),
                        split.rowsEmittedInNextTxn(),
                        split.reconciliation());
    }

    String splitId() {
        return split.splitId();
    }

    /**
     * The LSN this split has read up to (end of the last transaction handed over, or the last
     * keepalive position), 0 while unknown. Any thread.
     */
    long readPosition() {
        return stream.readPosition();
    }

    /**
     * Adds records to {@code out} until about {@code limit} records or {@code byteLimit} bytes of
     * messages were read.
     *
     * @return whether anything was read (false: idle)
     */
    boolean poll(List<PgArrowRecord> out, int limit, long byteLimit) throws IOException {
        if (!stream.due()) {
            return false;
        }
        try {
            if (!stream.isOpen()) {
                stream.open();
            }
            return stream.poll(out, limit, byteLimit);
        } catch (SQLException e) {
            if (!Reconnects.isTransient(e)) {
                throw new IOException(
                        "pg-arrow-cdc: reading slot '"
                                + split.slotName()
                                + "' (tables "
                                + split.tables()
                                + ") failed: "
                                + e.getMessage(),
                        e);
            }
            stream.connectionLost(e);
            return !out.isEmpty();
        }
    }

    /** Confirms to the slot that everything up to {@code lsn} is durable downstream. */
    void confirm(long lsn) throws SQLException {
        stream.confirm(lsn);
    }

    @Override
    public void close() {
        stream.close();
    }
}
