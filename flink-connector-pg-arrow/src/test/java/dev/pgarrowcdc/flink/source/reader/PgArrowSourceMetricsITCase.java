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

import dev.pgarrowcdc.flink.source.StartupMode;
import dev.pgarrowcdc.flink.source.TestSources;
import dev.pgarrowcdc.flink.testutils.Await;
import dev.pgarrowcdc.flink.testutils.PostgresExtension;

import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.Metric;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.operators.collect.ClientAndIterator;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.CloseableIterator;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static dev.pgarrowcdc.flink.testutils.ServerState.queryLong;
import static org.assertj.core.api.Assertions.assertThat;

/** What a TRUNCATE does to the stream, and the reader's metrics, read from a metric reporter. */
@Timeout(120)
class PgArrowSourceMetricsITCase {

    private static final InMemoryReporter METRICS = InMemoryReporter.createWithRetainedMetrics();

    /** Commit timestamps on, so a test can read a row's commit time, which the lags start from. */
    @RegisterExtension
    static final PostgresExtension PG =
            new PostgresExtension(b -> b.setting("track_commit_timestamp", "on"));

    @RegisterExtension
    static final MiniClusterExtension FLINK =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(1)
                            .setConfiguration(METRICS.addToConfiguration(new Configuration()))
                            .build());

    @Test
    void aTruncateIsSkippedAndCountedWhileChangesAroundItAreEmittedAndBytesAreCounted()
            throws Exception {
        PG.execute("CREATE TABLE t (id int PRIMARY KEY)", "INSERT INTO t VALUES (1)");
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(1);
        CloseableIterator<String> rowsOut =
                env.fromSource(
                                TestSources.<String>builder(PG, "public.t")
                                        .startupMode(StartupMode.INITIAL)
                                        .heartbeatInterval(Duration.ofMillis(200))
                                        .deserializer(new TestSources.RowsAsText())
                                        .build(),
                                WatermarkStrategy.noWatermarks(),
                                "pg")
                        .collectAsync();
        ClientAndIterator<String> job =
                new ClientAndIterator<>(env.executeAsync("metrics"), rowsOut);
        try {
            List<String> rows = new ArrayList<>();
            rows.add(job.iterator.next());
            PG.execute("INSERT INTO t VALUES (2)", "TRUNCATE t", "INSERT INTO t VALUES (3)");
            rows.add(job.iterator.next());
            rows.add(job.iterator.next());

            assertThat(rows).containsExactly("public.t +I(1)", "public.t +I(2)", "public.t +I(3)");
            JobID id = job.client.getJobID();
            assertThat(counter(id, "truncatesSkipped")).isEqualTo(1);
            assertThat(counter(id, "numBytesIn")).as("bytes of wal2arrow frames").isGreaterThan(0);
            // Position markers (the snapshot's end, each transaction's end, keepalive positions)
            // reach the reader before the last row; none of them is a record.
            assertThat(counter(id, "numRecordsIn"))
                    .as("numRecordsIn counts rows only")
                    .isEqualTo(3);
        } finally {
            job.client.cancel().get(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void eventTimeLagsFollowTheCommitTimeAndEachSplitReportsItsWalLag() throws Exception {
        // Given
        PG.execute(
                "CREATE TABLE t (id int PRIMARY KEY)", "CREATE TABLE other (id int PRIMARY KEY)");
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(1);
        CloseableIterator<String> rowsOut =
                env.fromSource(
                                TestSources.<String>builder(PG, "public.t")
                                        .startupMode(StartupMode.INITIAL)
                                        .heartbeatInterval(Duration.ofMillis(200))
                                        .deserializer(new TestSources.RowsAsText())
                                        .build(),
                                WatermarkStrategy.noWatermarks(),
                                "pg")
                        .collectAsync();
        ClientAndIterator<String> job = new ClientAndIterator<>(env.executeAsync("lags"), rowsOut);
        try {
            JobID id = job.client.getJobID();
            Await.until(
                    "the split's WAL lag is known (the slot exists, the WAL end was sampled)",
                    () -> gaugeOnceRegistered(id, "split.it_public_t.pgArrowLagBytes") >= 0);

            // When: a fresh commit
            PG.execute("INSERT INTO t VALUES (1)");
            assertThat(job.iterator.next()).isEqualTo("public.t +I(1)");
            long commitMillis =
                    Math.floorDiv(
                            queryLong(
                                    PG,
                                    "SELECT (extract(epoch FROM"
                                            + " pg_xact_commit_timestamp(xmin)) * 1000000)::bigint FROM t WHERE id = 1"),
                            1000L);
            long fetchLag = gauge(id, "currentFetchEventTimeLag");
            long emitLag = gauge(id, "currentEmitEventTimeLag");
            long sinceCommit = System.currentTimeMillis() - commitMillis;

            // Then: both lags start from the row's commit time: the row was fetched and emitted
            // after its commit and before the gauges were read (no bound on how fast)
            assertThat(fetchLag).as("fetch time minus commit time").isBetween(0L, sinceCommit);
            assertThat(emitLag).as("emit time minus commit time").isBetween(0L, sinceCommit);
            // Untracked WAL (about 1 MB for another table) is lag until a keepalive position.
            PG.execute("INSERT INTO other SELECT generate_series(1, 20000)");
            Await.until(
                    "an idle split catches up with the server's WAL end (within a page)",
                    () -> {
                        long lag = gauge(id, "split.it_public_t.pgArrowLagBytes");
                        return lag >= 0 && lag <= 8192;
                    });
            assertThat(gauge(id, "pendingBytes")).isGreaterThanOrEqualTo(0);
        } finally {
            job.client.cancel().get(30, TimeUnit.SECONDS);
        }
    }

    /** As {@link #gauge}, {@code Long.MIN_VALUE} while the job has not registered it yet. */
    private static long gaugeOnceRegistered(JobID job, String name) {
        try {
            return gauge(job, name);
        } catch (AssertionError notYet) {
            return Long.MIN_VALUE;
        }
    }

    /** The source reader's gauge whose identifier ends with that name (of the one subtask). */
    private static long gauge(JobID job, String name) {
        for (Map.Entry<String, Metric> e : METRICS.getMetricsByIdentifiers(job).entrySet()) {
            if (e.getKey().endsWith("." + name)
                    && e.getKey().contains(".Source: pg.")
                    && e.getValue() instanceof Gauge) {
                return ((Number) ((Gauge<?>) e.getValue()).getValue()).longValue();
            }
        }
        throw new AssertionError(
                "no source gauge " + name + " in " + METRICS.getMetricsByIdentifiers(job).keySet());
    }

    /** The source reader's counter of that name (the sum, should there be several subtasks). */
    private static long counter(JobID job, String name) {
        long sum = 0;
        boolean found = false;
        for (Map.Entry<String, Metric> e : METRICS.getMetricsByIdentifiers(job).entrySet()) {
            if (e.getKey().endsWith("." + name)
                    && e.getKey().contains(".Source: pg.")
                    && e.getValue() instanceof Counter) {
                sum += ((Counter) e.getValue()).getCount();
                found = true;
            }
        }
        assertThat(found)
                .as(
                        "a source metric "
                                + name
                                + " in "
                                + METRICS.getMetricsByIdentifiers(job).keySet())
                .isTrue();
        return sum;
    }
}
