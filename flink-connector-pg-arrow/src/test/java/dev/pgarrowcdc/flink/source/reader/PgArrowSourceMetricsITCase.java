package dev.pgarrowcdc.flink.source.reader;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
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

import dev.pgarrowcdc.flink.source.StartupMode;
import dev.pgarrowcdc.flink.source.TestSources;
import dev.pgarrowcdc.flink.testutils.PostgresExtension;

/** What a TRUNCATE does to the stream, and the reader's metrics, read from a metric reporter. */
@Timeout(120)
class PgArrowSourceMetricsITCase {

    private static final InMemoryReporter METRICS = InMemoryReporter.createWithRetainedMetrics();

    @RegisterExtension static final PostgresExtension PG = new PostgresExtension();

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(
            new MiniClusterResourceConfiguration.Builder()
                    .setNumberTaskManagers(1)
                    .setNumberSlotsPerTaskManager(1)
                    .setConfiguration(METRICS.addToConfiguration(new Configuration()))
                    .build());

    @Test
    void aTruncateIsSkippedAndCountedWhileChangesAroundItAreEmittedAndBytesAreCounted() throws Exception {
        PG.execute("CREATE TABLE t (id int PRIMARY KEY)", "INSERT INTO t VALUES (1)");
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(1);
        CloseableIterator<String> rowsOut = env.fromSource(TestSources.<String>builder(PG, "public.t")
                                .startupMode(StartupMode.INITIAL)
                                .heartbeatInterval(Duration.ofMillis(200))
                                .deserializer(new TestSources.RowsAsText())
                                .build(),
                        WatermarkStrategy.noWatermarks(), "pg")
                .collectAsync();
        ClientAndIterator<String> job = new ClientAndIterator<>(env.executeAsync("metrics"), rowsOut);
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
            // Position markers (snapshot done, transaction ends, keepalives) pass through the
            // reader too; a marker is counted and taken back within one emit, so poll briefly.
            assertThat(eventually(() -> counter(id, "numRecordsIn"), n -> n == 3))
                    .as("numRecordsIn counts rows only").isEqualTo(3);
        } finally {
            job.client.cancel().get(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void eventTimeLagsFollowTheCommitTimeAndEachSplitReportsItsWalLag() throws Exception {
        // Given
        PG.execute("CREATE TABLE t (id int PRIMARY KEY)", "CREATE TABLE other (id int PRIMARY KEY)");
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(1);
        CloseableIterator<String> rowsOut = env.fromSource(TestSources.<String>builder(PG, "public.t")
                                .startupMode(StartupMode.INITIAL)
                                .heartbeatInterval(Duration.ofMillis(200))
                                .deserializer(new TestSources.RowsAsText())
                                .build(),
                        WatermarkStrategy.noWatermarks(), "pg")
                .collectAsync();
        ClientAndIterator<String> job = new ClientAndIterator<>(env.executeAsync("lags"), rowsOut);
        try {
            JobID id = job.client.getJobID();
            long lagAtStart = eventually(() -> gaugeOnceRegistered(id, "split.it_public_t.pgArrowLagBytes"), n -> n >= 0);
            assertThat(lagAtStart).as("known once the slot exists and the WAL end was sampled")
                    .isGreaterThanOrEqualTo(0);

            // When: a fresh commit
            long before = System.currentTimeMillis();
            PG.execute("INSERT INTO t VALUES (1)");
            assertThat(job.iterator.next()).isEqualTo("public.t +I(1)");
            long bound = System.currentTimeMillis() - before + 1000;

            // Then
            assertThat(gauge(id, "currentFetchEventTimeLag")).isBetween(0L, bound);
            assertThat(gauge(id, "currentEmitEventTimeLag")).isBetween(0L, 60_000L);
            // Untracked WAL (about 1 MB for another table) is lag until a keepalive position.
            PG.execute("INSERT INTO other SELECT generate_series(1, 20000)");
            long lag = eventually(() -> gauge(id, "split.it_public_t.pgArrowLagBytes"), n -> n <= 8192);
            assertThat(lag).as("an idle split catches up with the server's WAL end").isBetween(0L, 8192L);
            assertThat(gauge(id, "pendingBytes")).isGreaterThanOrEqualTo(0);
        } finally {
            job.client.cancel().get(30, TimeUnit.SECONDS);
        }
    }

    /** Polls for up to 10 s until the value passes; returns the last one read. */
    private static long eventually(java.util.function.LongSupplier read, java.util.function.LongPredicate done)
            throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        long value = read.getAsLong();
        while (!done.test(value) && System.nanoTime() < deadline) {
            Thread.sleep(50);
            value = read.getAsLong();
        }
        return value;
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
            if (e.getKey().endsWith("." + name) && e.getKey().contains(".Source: pg.")
                    && e.getValue() instanceof Gauge) {
                return ((Number) ((Gauge<?>) e.getValue()).getValue()).longValue();
            }
        }
        throw new AssertionError("no source gauge " + name + " in " + METRICS.getMetricsByIdentifiers(job).keySet());
    }

    /** The source reader's counter of that name (the sum, should there be several subtasks). */
    private static long counter(JobID job, String name) {
        long sum = 0;
        boolean found = false;
        for (Map.Entry<String, Metric> e : METRICS.getMetricsByIdentifiers(job).entrySet()) {
            if (e.getKey().endsWith("." + name) && e.getKey().contains(".Source: pg.")
                    && e.getValue() instanceof Counter) {
                sum += ((Counter) e.getValue()).getCount();
                found = true;
            }
        }
        assertThat(found).as("a source metric " + name + " in " + METRICS.getMetricsByIdentifiers(job).keySet()).isTrue();
        return sum;
    }
}
