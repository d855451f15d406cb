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
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.CloseableIterator;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.sql.Connection;
import java.sql.SQLWarning;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * While a snapshot is half done (the sink holds it up after some of its rows), VACUUM removes the
 * dead rows of another table of the same database: no transaction of the snapshot pins the xmin
 * horizon between chunk reads. A snapshot in one long transaction leaves them "dead but not yet
 * removable".
 */
@Timeout(180)
class SnapshotVacuumITCase {

    @RegisterExtension static final PostgresExtension PG = new PostgresExtension();

    @RegisterExtension
    static final MiniClusterExtension FLINK =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(1)
                            .build());

    private static final int ROWS = 3_000;
    private static final int HOLD_AT = 300;
    private static final AtomicInteger SEEN = new AtomicInteger();
    private static volatile CountDownLatch held;
    private static volatile CountDownLatch release;

    /** Holds the pipeline after {@link #HOLD_AT} rows until the test releases it. */
    private static final class Hold implements MapFunction<String, String> {
        private static final long serialVersionUID = 1L;

        @Override
        public String map(String value) throws InterruptedException {
            if (SEEN.incrementAndGet() == HOLD_AT) {
                held.countDown();
                release.await();
            }
            return value;
        }
    }

    @Test
    void vacuumRemovesDeadRowsOfAnotherTableWhileASnapshotIsHalfDone() throws Exception {
        PG.execute(
                "CREATE TABLE big (id int PRIMARY KEY, v text)",
                "INSERT INTO big SELECT g, 'row ' || g FROM generate_series(1, " + ROWS + ") g",
                "CREATE TABLE other (id int)",
                "INSERT INTO other SELECT generate_series(1, 1000)");
        SEEN.set(0);
        held = new CountDownLatch(1);
        release = new CountDownLatch(1);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(1);

        Set<String> rows = new HashSet<>();
        try (CloseableIterator<String> it =
                env.fromSource(
                                TestSources.<String>builder(PG, "public.big")
                                        .startupMode(StartupMode.INITIAL)
                                        // Small chunks, each read within its first FETCH: its
                                        // transaction ends before its rows are handed on
                                        .chunkSize(10)
                                        .snapshotFetchSize(500)
                                        .heartbeatInterval(Duration.ofMillis(500))
                                        .deserializer(new TestSources.RowsAsText())
                                        .build(),
                                WatermarkStrategy.noWatermarks(),
                                "pg")
                        .map(new Hold())
                        .executeAndCollect()) {
            assertThat(held.await(120, TimeUnit.SECONDS))
                    .as("the snapshot reached the hold")
                    .isTrue();

            // When rows of another table die and VACUUM runs while the snapshot is held
            List<String> report = new ArrayList<>();
            try (Connection c = PG.connect();
                    Statement st = c.createStatement()) {
                st.execute("DELETE FROM other");
                st.execute("VACUUM (VERBOSE) other");
                for (SQLWarning w = st.getWarnings(); w != null; w = w.getNextWarning()) {
                    report.add(w.getMessage());
                }
            }
            int seenWhileHeld = SEEN.get();
            release.countDown();
            while (rows.size() < ROWS && it.hasNext()) {
                rows.add(it.next());
            }

            // Then VACUUM removed every dead row, and the snapshot was still under way meanwhile
            assertThat(String.join("\n", report))
                    .contains("tuples: 1000 removed")
                    .contains("0 are dead but not yet removable");
            assertThat(seenWhileHeld).isEqualTo(HOLD_AT).isLessThan(ROWS);
            assertThat(rows).hasSize(ROWS);
        } finally {
            release.countDown();
        }
    }
}
