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
import dev.pgarrowcdc.flink.testutils.PostgresExtension;

import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.configuration.Configuration;
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

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Bounded {@code snapshot} mode reads a table's chunks on both readers, emits every row once, and
 * the enumerator's per-table progress gauges report the chunks and rows.
 */
@Timeout(180)
class ChunkedSnapshotProgressITCase {

    private static final InMemoryReporter METRICS = InMemoryReporter.createWithRetainedMetrics();

    @RegisterExtension static final PostgresExtension PG = new PostgresExtension();

    @RegisterExtension
    static final MiniClusterExtension FLINK =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(2)
                            .setConfiguration(METRICS.addToConfiguration(new Configuration()))
                            .build());

    @Test
    void aBoundedSnapshotSpreadsItsChunksOverBothReadersAndReportsProgress() throws Exception {
        PG.execute(
                "CREATE TABLE t (id int PRIMARY KEY, v text)",
                "INSERT INTO t SELECT g, 'v' || g FROM generate_series(1, 10000) g",
                "ANALYZE t");
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(2);
        // collectAsync + executeAsync: Flink 2 has no DataStreamUtils.collectWithClient
        CloseableIterator<String> rowsOut =
                env.fromSource(
                                TestSources.<String>builder(PG, "public.t")
                                        .startupMode(StartupMode.SNAPSHOT)
                                        .chunkSize(1000)
                                        .snapshotFetchSize(300)
                                        .deserializer(new TestSources.RowsAsText())
                                        .build(),
                                WatermarkStrategy.noWatermarks(),
                                "pg")
                        .collectAsync();
        ClientAndIterator<String> job =
                new ClientAndIterator<>(env.executeAsync("bounded"), rowsOut);
        List<String> rows = new ArrayList<>();
        job.iterator.forEachRemaining(rows::add);

        Set<String> distinct = new HashSet<>(rows);
        assertThat(rows).hasSize(10_000);
        assertThat(distinct).hasSize(10_000);
        // 10 chunks of 1000 rows, and the empty one after the last boundary
        long planned = gauge("snapshot.public.t.chunksPlanned");
        assertThat(planned).isEqualTo(11);
        assertThat(gauge("snapshot.public.t.chunksFinished")).isEqualTo(planned);
        assertThat(counterSum("snapshotChunksFinished", -1)).isEqualTo(planned);
        assertThat(counterSum("snapshotChunksFinished", 0))
                .as("the first reader read chunks")
                .isPositive();
        assertThat(counterSum("snapshotChunksFinished", 1))
                .as("the second reader read chunks too")
                .isPositive();
        assertThat(counterSum("snapshotRowsRead", -1)).isEqualTo(10_000);
        assertThat(gauge("snapshot.public.t.rowsRead")).isEqualTo(10_000);
        assertThat(gauge("snapshot.public.t.rowsEstimated")).isEqualTo(10_000);
    }

    /** Every metric by its full identifier. */
    private static Map<String, Metric> metrics() {
        Map<String, Metric> out = new java.util.HashMap<>();
        for (Map.Entry<org.apache.flink.metrics.MetricGroup, Map<String, Metric>> g :
                METRICS.getMetricsByGroup().entrySet()) {
            for (Map.Entry<String, Metric> m : g.getValue().entrySet()) {
                out.put(g.getKey().getMetricIdentifier(m.getKey()), m.getValue());
            }
        }
        return out;
    }

    /** The source readers' counter: of subtask {@code subtask}, or summed over all with -1. */
    private static long counterSum(String name, int subtask) {
        long sum = 0;
        for (Map.Entry<String, Metric> e : metrics().entrySet()) {
            if (e.getKey().endsWith("." + name)
                    && e.getKey().contains(".Source: pg.")
                    && e.getValue() instanceof org.apache.flink.metrics.Counter
                    && (subtask < 0 || e.getKey().contains(".Source: pg." + subtask + "."))) {
                sum += ((org.apache.flink.metrics.Counter) e.getValue()).getCount();
            }
        }
        return sum;
    }

    private static long gauge(String name) {
        for (Map.Entry<String, Metric> e : metrics().entrySet()) {
            if (e.getKey().endsWith("." + name) && e.getValue() instanceof Gauge) {
                return ((Number) ((Gauge<?>) e.getValue()).getValue()).longValue();
            }
        }
        throw new AssertionError("no gauge " + name + " in " + metrics().keySet());
    }
}
