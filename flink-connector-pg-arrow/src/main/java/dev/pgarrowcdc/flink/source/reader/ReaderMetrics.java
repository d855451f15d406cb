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

import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.groups.SourceReaderMetricGroup;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * The reader's metrics that the fetcher side feeds, next to the ones Flink keeps itself ({@code
 * numRecordsIn}, {@code currentEmitEventTimeLag} from the records' commit-time timestamps):
 *
 * <ul>
 *   <li>{@code numBytesIn}: bytes of wal2arrow messages received.
 *   <li>{@code truncatesSkipped}: TRUNCATEs logged and not emitted.
 *   <li>{@code snapshotRowsRead}, {@code snapshotChunksFinished}: rows read from the server by
 *       snapshot chunk reads (a chunk cut off by a failure and read again counts only what is read
 *       again), and chunks finished by this reader.
 *   <li>{@code currentFetchEventTimeLag} (FLIP-33): when the last transaction's rows were fetched
 *       minus its commit time, in milliseconds; -1 before the first stream row.
 *   <li>{@code split.<id>.pgArrowLagBytes}, per split: WAL bytes between the server's current WAL
 *       end and the position the split has read up to (the end of its last transaction, or the last
 *       keepalive position); -1 while either is unknown.
 *   <li>{@code pendingBytes} (FLIP-33): the sum of the known split lags.
 * </ul>
 *
 * <p>The server's WAL end is not in the replication stream, so a daemon thread samples {@code
 * pg_current_wal_lsn()} (on a standby the last replayed LSN) every {@code heartbeat.interval.ms}
 * over one plain connection it keeps; it starts with the first split and never runs on the task or
 * fetcher thread. A failed sample is logged at DEBUG and retried on a new connection next time.
 */
final class ReaderMetrics implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ReaderMetrics.class);
    static final long UNKNOWN = -1;
    static final String SPLIT_LAG_BYTES = "pgArrowLagBytes";

    final Counter bytesIn;
    final Counter truncatesSkipped;

    /** Snapshot rows read from the server by chunk reads (a chunk read again counts again). */
    final Counter snapshotRowsRead;

    /** Snapshot chunks this reader finished. */
    final Counter snapshotChunksFinished;

    private final MetricGroup group;
    private final PgArrowSourceConfig config;
    private final Map<String, LongSupplier> splitPositions = new ConcurrentHashMap<>();
    private volatile long fetchEventTimeLag = UNKNOWN;
    private volatile long walEnd = UNKNOWN;
    private ScheduledExecutorService sampler;
    private Connection connection;

    ReaderMetrics(PgArrowSourceConfig config, SourceReaderMetricGroup group) {
        this.config = config;
        this.group = group;
        this.bytesIn = group.getIOMetricGroup().getNumBytesInCounter();
        this.truncatesSkipped = group.counter("truncatesSkipped");
        this.snapshotRowsRead = group.counter("snapshotRowsRead");
        this.snapshotChunksFinished = group.counter("snapshotChunksFinished");
        group.gauge("currentFetchEventTimeLag", () -> fetchEventTimeLag);
        group.setPendingBytesGauge(this::pendingBytes);
    }

    /** Metrics that go nowhere, for a streamer used on its own. */
    static ReaderMetrics unregistered(PgArrowSourceConfig config) {
        return new ReaderMetrics(config, UnregisteredMetricsGroup.createSourceReaderMetricGroup());
    }

    /** Rows of a transaction committed at this time were just fetched. */
    void rowsFetched(long commitTimeMicros) {
        fetchEventTimeLag = System.currentTimeMillis() - Math.floorDiv(commitTimeMicros, 1000L);
    }

    /**
     * Registers a split's lag gauge.
     *
     * @param position the LSN the split has read up to, 0 while unknown; called from any thread
     */
    synchronized void addSplit(String splitId, LongSupplier position) {
        splitPositions.put(splitId, position);
        group.addGroup("split", splitId).gauge(SPLIT_LAG_BYTES, () -> lag(position));
        if (sampler == null && !splitPositions.isEmpty()) {
            sampler =
                    Executors.newSingleThreadScheduledExecutor(
                            r -> {
                                Thread t = new Thread(r, "pg-arrow-cdc WAL end sampler");
                                t.setDaemon(true);
                                return t;
                            });
            long period = Math.max(1, config.heartbeatInterval().toMillis());
            sampler.scheduleWithFixedDelay(this::sampleWalEnd, 0, period, TimeUnit.MILLISECONDS);
        }
    }

    synchronized void removeSplit(String splitId) {
        splitPositions.remove(splitId);
    }

    private long lag(LongSupplier position) {
        long end = walEnd;
        long at = position.getAsLong();
        if (end == UNKNOWN || at == 0) {
            return UNKNOWN;
        }
        // A position just received can be ahead of the last sample.
        return Math.max(0, end - at);
    }

    private long pendingBytes() {
        long sum = 0;
        for (LongSupplier p : splitPositions.values()) {
            sum += Math.max(0, lag(p));
        }
        return sum;
    }

    private void sampleWalEnd() {
        try {
            if (connection == null) {
                connection = config.connect();
            }
            try (Statement st = connection.createStatement();
                    ResultSet rs =
                            st.executeQuery(
                                    "SELECT CASE WHEN pg_catalog.pg_is_in_recovery()"
                                            + " THEN pg_catalog.pg_last_wal_replay_lsn()"
                                            + " ELSE pg_catalog.pg_current_wal_lsn() END::text")) {
                if (rs.next() && rs.getString(1) != null) {
                    walEnd = Lsn.parse(rs.getString(1));
                }
            }
        } catch (SQLException | RuntimeException e) {
            LOG.debug(
                    "Could not sample the server's WAL end; retrying in {}",
                    config.heartbeatInterval(),
                    e);
            closeConnection();
        }
    }

    private void closeConnection() {
        if (connection != null) {
            try {
                connection.close();
            } catch (SQLException e) {
                LOG.debug("Closing the WAL end sampler's connection", e);
            }
            connection = null;
        }
    }

    @Override
    public synchronized void close() {
        // Shared by the split readers of one source reader: a fetcher that closes while a newer
        // one already streams a split must leave the sampler to that split.
        if (!splitPositions.isEmpty()) {
            return;
        }
        if (sampler != null) {
            sampler.shutdownNow();
            try {
                sampler.awaitTermination(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            sampler = null;
        }
        closeConnection();
    }
}
