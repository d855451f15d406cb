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

import dev.pgarrowcdc.flink.source.Lsn;
import dev.pgarrowcdc.flink.source.PgArrowSourceConfig;
import dev.pgarrowcdc.flink.source.SnapshotReadMode;
import dev.pgarrowcdc.flink.source.enumerator.SnapshotFunction;
import dev.pgarrowcdc.flink.source.split.PgArrowSplit;

import org.apache.flink.connector.base.source.reader.RecordsWithSplitIds;
import org.apache.flink.connector.base.source.reader.splitreader.SplitReader;
import org.apache.flink.connector.base.source.reader.splitreader.SplitsAddition;
import org.apache.flink.connector.base.source.reader.splitreader.SplitsChange;

import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.sql.SQLException;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;

/**
 * The one fetcher thread of a reader, serving all its splits: each split's slot streams over its
 * own replication connection, and {@link #fetch()} polls them all without blocking ({@code
 * readPending}), waiting briefly only when every one is idle. A split in its snapshot phase is read
 * a fetch-size chunk per call, so the other splits keep streaming meanwhile.
 */
public final class PgArrowSplitReader implements SplitReader<PgArrowRecord, PgArrowSplit> {

    private static final Logger LOG = LoggerFactory.getLogger(PgArrowSplitReader.class);

    /**
     * Records and message bytes per split per fetch (whichever is reached first): bound the memory
     * queued between the fetcher and the task thread, whatever the width of the rows.
     */
    private static final int MAX_RECORDS_PER_SPLIT = 10_000;

    private static final long MAX_BYTES_PER_SPLIT = 4L << 20;

    /**
     * How long a fetch waits when every stream was idle: from the minimum, doubling while they stay
     * idle, up to the maximum. A fixed 5 ms wait let a busy walsender fill the socket and stall
     * between two reads of single-row transactions; an idle reader still wakes every 5 ms.
     */
    private static final long MIN_IDLE_WAIT_NANOS = 50_000L;

    private static final long MAX_IDLE_WAIT_NANOS = 5_000_000L;

    /** Longest a fetch waits on idle streams, so enqueued tasks (LSN commits) run promptly. */
    private static final long MAX_IDLE_FETCH_NANOS = 100_000_000L;

    private final PgArrowSourceConfig config;
    private final BufferAllocator allocator;
    private final Map<String, SlotStreamer> streamers = new LinkedHashMap<>();
    private final Map<String, ChunkReader> chunks = new LinkedHashMap<>();
    private SnapshotFunction snapshotFunction;
    private volatile boolean wakeUp;
    private long idleWaitNanos = MIN_IDLE_WAIT_NANOS;

    private final ReaderMetrics metrics;

    /** Handed to each fetch's records for the task thread; never touched on this one. */
    private final SplitPositions positions;

    /**
     * @param metrics the source reader's metrics, shared by every split reader its fetcher makes (a
     *     fetcher left without splits closes, and the next split gets a new split reader)
     */
    PgArrowSplitReader(
            PgArrowSourceConfig config, ReaderMetrics metrics, SplitPositions positions) {
        this.config = config;
        this.allocator = new RootAllocator();
        this.metrics = metrics;
        this.positions = positions;
    }

    @Override
    public RecordsWithSplitIds<PgArrowRecord> fetch() throws IOException {
        PgArrowRecords records = new PgArrowRecords(positions);
        long deadline = System.nanoTime() + MAX_IDLE_FETCH_NANOS;
        while (true) {
            boolean any = false;
            for (SlotStreamer s : streamers.values()) {
                any |=
                        s.poll(
                                records.listFor(s.splitId()),
                                MAX_RECORDS_PER_SPLIT,
                                MAX_BYTES_PER_SPLIT);
            }
            for (Iterator<ChunkReader> it = chunks.values().iterator(); it.hasNext(); ) {
                ChunkReader c = it.next();
                long before = c.rowsRead();
                try {
                    any |= c.poll(records.listFor(c.splitId()));
                } catch (java.sql.SQLException e) {
                    throw new IOException(
                            "pg-arrow-cdc: reading snapshot "
                                    + c.splitId()
                                    + " failed: "
                                    + e.getMessage(),
                            e);
                }
                metrics.snapshotRowsRead.inc(c.rowsRead() - before);
                if (c.finished()) {
                    records.finish(c.splitId());
                    metrics.snapshotChunksFinished.inc();
                    c.close();
                    it.remove();
                }
            }
            if (records.size() > 0) {
                idleWaitNanos = MIN_IDLE_WAIT_NANOS;
            }
            if (records.size() > 0
                    || records.hasFinished()
                    || wakeUp
                    || (streamers.isEmpty() && chunks.isEmpty())
                    || System.nanoTime() > deadline) {
                wakeUp = false;
                return records;
            }
            if (any) {
                idleWaitNanos = MIN_IDLE_WAIT_NANOS;
            } else {
                LockSupport.parkNanos(this, idleWaitNanos);
                if (Thread.currentThread().isInterrupted()) {
                    throw new IOException("Interrupted while polling replication streams");
                }
                idleWaitNanos = Math.min(idleWaitNanos * 2, MAX_IDLE_WAIT_NANOS);
            }
        }
    }

    @Override
    public void handleSplitsChanges(SplitsChange<PgArrowSplit> splitsChanges) {
        if (!(splitsChanges instanceof SplitsAddition)) {
            throw new UnsupportedOperationException(
                    "Unsupported split change " + splitsChanges.getClass().getSimpleName());
        }
        for (PgArrowSplit split : splitsChanges.splits()) {
            LOG.info("Reading {}", split);
            if (split.phase() == PgArrowSplit.Phase.CHUNK) {
                chunks.put(
                        split.splitId(),
                        new ChunkReader(config, split, allocator, this::snapshotFunction));
                continue;
            }
            SlotStreamer streamer = new SlotStreamer(split, config, allocator, metrics);
            streamers.put(split.splitId(), streamer);
            metrics.addSplit(split.splitId(), streamer::readPosition);
        }
    }

    /**
     * The snapshot function of the database, looked up on the first chunk this split reader reads
     * (every chunk of the job is in the one database), then reused.
     */
    private SnapshotFunction snapshotFunction(java.sql.Connection c) throws SQLException {
        if (snapshotFunction == null) {
            snapshotFunction = SnapshotFunction.find(c);
            if (snapshotFunction.usable()) {
                LOG.info("Snapshot chunks are read through {}", snapshotFunction.qualifiedName());
            } else if (config.snapshotReadMode() == SnapshotReadMode.AUTO) {
                // The enumerator WARNed at start (once per job) when it found the same.
                LOG.info("Snapshot chunks are read as text: {}", snapshotFunction.problem());
            }
        }
        return snapshotFunction;
    }

    /**
     * Confirms checkpointed LSNs to their slots; runs on the fetcher thread (a task enqueued by the
     * reader on checkpoint completion). A failure is logged and does not fail the job: the next
     * completed checkpoint confirms a later LSN anyway.
     *
     * @return how many confirmations failed
     */
    int confirm(Map<String, Long> lsnBySplit) {
        int failed = 0;
        for (Map.Entry<String, Long> e : lsnBySplit.entrySet()) {
            SlotStreamer s = streamers.get(e.getKey());
            if (s == null) {
                continue;
            }
            try {
                s.confirm(e.getValue());
            } catch (SQLException ex) {
                failed++;
                LOG.warn(
                        "Could not confirm LSN {} to slot {}; a later checkpoint will",
                        Lsn.format(e.getValue()),
                        e.getKey(),
                        ex);
            }
        }
        return failed;
    }

    @Override
    public void wakeUp() {
        wakeUp = true;
    }

    @Override
    public void close() {
        for (Map.Entry<String, SlotStreamer> e : streamers.entrySet()) {
            e.getValue().close();
            metrics.removeSplit(e.getKey());
        }
        streamers.clear();
        for (ChunkReader c : chunks.values()) {
            c.close();
        }
        chunks.clear();
        metrics.close();
        allocator.close();
    }
}
