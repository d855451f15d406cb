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
import org.apache.flink.metrics.Metric;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.operators.collect.ClientAndIterator;
import org.apache.flink.streaming.api.datastream.DataStreamUtils;
import org.apache.flink.test.junit5.MiniClusterExtension;
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
        ClientAndIterator<String> job = DataStreamUtils.collectWithClient(
                env.fromSource(TestSources.<String>builder(PG, "public.t")
                                .startupMode(StartupMode.INITIAL)
                                .heartbeatInterval(Duration.ofMillis(200))
                                .deserializer(new TestSources.RowsAsText())
                                .build(),
                        WatermarkStrategy.noWatermarks(), "pg"),
                "metrics");
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
        } finally {
            job.client.cancel().get(30, TimeUnit.SECONDS);
        }
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
