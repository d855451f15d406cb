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
import dev.pgarrowcdc.flink.source.PgArrowSource;
import dev.pgarrowcdc.flink.source.StartupMode;
import dev.pgarrowcdc.flink.source.TestSources;
import dev.pgarrowcdc.flink.testutils.Await;
import dev.pgarrowcdc.flink.testutils.PostgresExtension;
import dev.pgarrowcdc.flink.testutils.ServerState.StatusUpdate;

import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.CloseableIterator;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static dev.pgarrowcdc.flink.testutils.JobOutput.take;
import static dev.pgarrowcdc.flink.testutils.ServerState.confirmedFlushLsn;
import static dev.pgarrowcdc.flink.testutils.ServerState.currentWalLsn;
import static dev.pgarrowcdc.flink.testutils.ServerState.lastStatusUpdate;
import static dev.pgarrowcdc.flink.testutils.ServerState.slotActive;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The source end to end on a MiniCluster against the fixture's PostgreSQL and the real wal2arrow
 * plugin, comparing what Flink emitted, row by row, with what PostgreSQL committed.
 */
@org.junit.jupiter.api.Timeout(180)
class PgArrowSourceITCase {

    @RegisterExtension static final PostgresExtension PG = new PostgresExtension();

    @RegisterExtension
    static final MiniClusterExtension FLINK =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(2)
                            .build());

    private static StreamExecutionEnvironment env(int parallelism) {
        Configuration conf = new Configuration();
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 3);
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofMillis(200));
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(parallelism);
        return env;
    }

    private static PgArrowSource<String> source(StartupMode mode, String... tables) {
        return TestSources.<String>builder(PG, tables)
                .startupMode(mode)
                .tableDiscoveryInterval(Duration.ofMillis(500))
                .snapshotFetchSize(7)
                .deserializer(new TestSources.RowsAsText())
                .build();
    }

    @Test
    void aBoundedSnapshotEmitsEveryCommittedRowOnce() throws Exception {
        PG.execute(
                "CREATE TABLE t (id int PRIMARY KEY, name text)",
                "INSERT INTO t SELECT g, 'n' || g FROM generate_series(1, 20) g");

        List<String> rows = new ArrayList<>();
        try (CloseableIterator<String> it =
                env(1).fromSource(
                                source(StartupMode.SNAPSHOT, "public.t"),
                                WatermarkStrategy.noWatermarks(),
                                "pg")
                        .executeAndCollect()) {
            it.forEachRemaining(rows::add);
        }

        List<String> expected = new ArrayList<>();
        for (int i = 1; i <= 20; i++) {
            expected.add("public.t +I(" + i + ", n" + i + ")");
        }
        assertThat(rows).containsExactlyInAnyOrderElementsOf(expected);
    }

    @Test
    void snapshotThenStreamDeliversInsertsUpdatesAndDeletesInOrder() throws Exception {
        PG.execute(
                "CREATE TABLE t (id int PRIMARY KEY, name text)",
                "ALTER TABLE t REPLICA IDENTITY FULL",
                "INSERT INTO t VALUES (1, 'a'), (2, 'b')");

        try (CloseableIterator<String> it =
                env(1).fromSource(
                                source(StartupMode.INITIAL, "public.t"),
                                WatermarkStrategy.noWatermarks(),
                                "pg")
                        .executeAndCollect()) {
            assertThat(take(it, 2))
                    .containsExactlyInAnyOrder("public.t +I(1, a)", "public.t +I(2, b)");

            PG.execute(
                    "INSERT INTO t VALUES (3, 'c')",
                    "UPDATE t SET name = 'bb' WHERE id = 2",
                    "DELETE FROM t WHERE id = 1");

            assertThat(take(it, 4))
                    .containsExactly(
                            "public.t +I(3, c)",
                            "public.t -U(2, b)",
                            "public.t +U(2, bb)",
                            "public.t -D(1, a)");
        }
    }

    @Test
    void aValueReadsTheSameFromTheSnapshotAndFromTheStream() throws Exception {
        String columns =
                "b bool, i2 int2, i4 int4, i8 int8, f4 float4, f8 float8, d numeric(10,2),"
                        + " dn numeric, t text, vc varchar(5), c char(3), by bytea, dt date, tm time,"
                        + " ts timestamp, tz timestamptz, j jsonb, u uuid, iv interval, ia int[], ta text[]";
        String values =
                "true, 12, -34, 5000000000, 1.5, 'NaN', 12.34, 1.000000000000000000000000000000000000000001,"
                        + " 'héllo', 'ab', 'x', '\\x00ff', '2024-02-29', '13:14:15.123456',"
                        + " '2024-01-02 03:04:05.678901', '2024-01-02 03:04:05.5+02', '{\"k\": [1, 2]}',"
                        + " 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '1 day 02:03:04', '{1,NULL,3}',"
                        + " '{\"a,b\",NULL,\"q\\\"x\"}'";
        PG.execute(
                "CREATE TABLE v (id int PRIMARY KEY, " + columns + ")",
                "INSERT INTO v VALUES (1, " + values + ")",
                "INSERT INTO v (id) VALUES (3)");

        try (CloseableIterator<String> it =
                env(1).fromSource(
                                source(StartupMode.INITIAL, "public.v"),
                                WatermarkStrategy.noWatermarks(),
                                "pg")
                        .executeAndCollect()) {
            List<String> snapshot = take(it, 2);
            PG.execute("INSERT INTO v VALUES (2, " + values + ")", "INSERT INTO v (id) VALUES (4)");
            List<String> stream = take(it, 2);

            assertThat(stream.get(0).replaceFirst("\\+I\\(2,", "+I(1,"))
                    .isEqualTo(
                            snapshot.stream().filter(r -> r.contains("+I(1,")).findFirst().get());
            assertThat(stream.get(1).replaceFirst("\\+I\\(4,", "+I(3,"))
                    .isEqualTo(
                            snapshot.stream().filter(r -> r.contains("+I(3,")).findFirst().get());
        }
    }

    @Test
    void aTableCreatedWhileTheJobRunsIsPickedUpFromItsBeginning() throws Exception {
        PG.execute("CREATE TABLE a (id int PRIMARY KEY)", "INSERT INTO a VALUES (1)");

        try (CloseableIterator<String> it =
                env(2).fromSource(
                                source(StartupMode.INITIAL, "public.*"),
                                WatermarkStrategy.noWatermarks(),
                                "pg")
                        .executeAndCollect()) {
            assertThat(take(it, 1)).containsExactly("public.a +I(1)");

            PG.execute("CREATE TABLE b (id int PRIMARY KEY)", "INSERT INTO b VALUES (10)");
            assertThat(take(it, 1)).containsExactly("public.b +I(10)");

            PG.execute("INSERT INTO b VALUES (11)", "INSERT INTO a VALUES (2)");
            assertThat(take(it, 2)).containsExactlyInAnyOrder("public.b +I(11)", "public.a +I(2)");
        }
    }

    /** Fails the task once, after this many records passed through. */
    private static final AtomicInteger SEEN = new AtomicInteger();

    private static final class FailOnce implements MapFunction<String, String> {
        private static final long serialVersionUID = 1L;
        private final int failAfter;

        FailOnce(int failAfter) {
            this.failAfter = failAfter;
        }

        @Override
        public String map(String value) {
            if (SEEN.incrementAndGet() == failAfter) {
                throw new IllegalStateException("Injected failure after " + failAfter + " records");
            }
            return value;
        }
    }

    @Test
    void aTaskFailureMidStreamLosesNothingAndDuplicatesNothing() throws Exception {
        PG.execute(
                "CREATE TABLE t (id int PRIMARY KEY, v int)",
                "INSERT INTO t SELECT g, 0 FROM generate_series(1, 50) g");
        SEEN.set(0);
        StreamExecutionEnvironment env = env(1);
        env.enableCheckpointing(200);

        List<String> rows = new ArrayList<>();
        try (CloseableIterator<String> it =
                env.fromSource(
                                source(StartupMode.INITIAL, "public.t"),
                                WatermarkStrategy.noWatermarks(),
                                "pg")
                        .map(new FailOnce(120))
                        .executeAndCollect()) {
            rows.addAll(take(it, 50));
            // Transactions of several rows each, some large enough to be cut by a checkpoint.
            for (int txn = 0; txn < 20; txn++) {
                PG.execute("UPDATE t SET v = v + 1 WHERE id % 5 = " + (txn % 5));
            }
            rows.addAll(take(it, 20 * 10));
        }

        assertThat(SEEN.get()).as("the failure was injected").isGreaterThan(120);
        List<String> expected = new ArrayList<>();
        for (int i = 1; i <= 50; i++) {
            expected.add("public.t +I(" + i + ", 0)");
        }
        int[] v = new int[51];
        for (int txn = 0; txn < 20; txn++) {
            for (int id = 1; id <= 50; id++) {
                if (id % 5 == txn % 5) {
                    v[id]++;
                    expected.add("public.t +U(" + id + ", " + v[id] + ")");
                }
            }
        }
        assertThat(rows).containsExactlyInAnyOrderElementsOf(expected);
    }

    @Test
    void aBurstOfSingleRowTransactionsSurvivesATaskFailureExactlyOnce() throws Exception {
        // Given: a stream that fails once in the middle of a burst of 3,000 single-row
        // transactions, committed faster than they are emitted, so each fetch carries many
        PG.execute(
                "CREATE TABLE t (id int PRIMARY KEY, v text)",
                "INSERT INTO t VALUES (0, 'snapshot')");
        SEEN.set(0);
        StreamExecutionEnvironment env = env(1);
        env.enableCheckpointing(100);
        int burst = 3_000;

        // When
        List<String> rows = new ArrayList<>();
        try (CloseableIterator<String> it =
                env.fromSource(
                                source(StartupMode.INITIAL, "public.t"),
                                WatermarkStrategy.noWatermarks(),
                                "pg")
                        .map(new FailOnce(1 + burst / 2))
                        .executeAndCollect()) {
            rows.addAll(take(it, 1));
            try (java.sql.Connection c = PG.connect();
                    java.sql.PreparedStatement insert =
                            c.prepareStatement("INSERT INTO t VALUES (?, ?)")) {
                c.setAutoCommit(true);
                for (int id = 1; id <= burst; id++) {
                    insert.setInt(1, id);
                    insert.setString(2, "txn " + id);
                    insert.executeUpdate();
                }
            }
            rows.addAll(take(it, burst));
        }

        // Then: every committed row once, in commit order
        assertThat(SEEN.get()).as("the failure was injected").isGreaterThan(1 + burst / 2);
        List<String> expected = new ArrayList<>();
        expected.add("public.t +I(0, snapshot)");
        for (int id = 1; id <= burst; id++) {
            expected.add("public.t +I(" + id + ", txn " + id + ")");
        }
        assertThat(rows).containsExactlyElementsOf(expected);
    }

    @Test
    void theSlotIsConfirmedOnlyWhenACheckpointCompletes() throws Exception {
        PG.execute("CREATE TABLE t (id int PRIMARY KEY)", "INSERT INTO t VALUES (0)");
        String slot = "it_public_t";

        // Without checkpoints: rows stream, but the slot never moves.
        PgArrowSource<String> reportingOften =
                TestSources.<String>builder(PG, "public.t")
                        .startupMode(StartupMode.INITIAL)
                        .heartbeatInterval(Duration.ofMillis(200))
                        .deserializer(new TestSources.RowsAsText())
                        .build();
        try (CloseableIterator<String> it =
                env(1).fromSource(reportingOften, WatermarkStrategy.noWatermarks(), "pg")
                        .executeAndCollect()) {
            assertThat(take(it, 1))
                    .as("the snapshot, so the slot exists")
                    .containsExactly("public.t +I(0)");
            long created = confirmedFlushLsn(PG, slot);
            PG.execute("INSERT INTO t VALUES (1)", "INSERT INTO t VALUES (2)");
            long afterInserts = currentWalLsn(PG);
            assertThat(take(it, 2)).containsExactly("public.t +I(1)", "public.t +I(2)");

            // A confirmation would travel in a status update, and the reader sends one every
            // heartbeat. The marker: an update sent after both rows were emitted (it reports
            // them received), and a later one, so the walsender has finished applying the first.
            StatusUpdate afterRows =
                    Await.value(
                            "the reader reported both rows received",
                            () -> lastStatusUpdate(PG, slot),
                            u -> u != null && Long.compareUnsigned(u.writeLsn, afterInserts) >= 0);
            Await.value(
                    "the walsender received the status update after " + afterRows,
                    () -> lastStatusUpdate(PG, slot),
                    u -> u != null && u.replyTimeMicros > afterRows.replyTimeMicros);
            assertThat(Lsn.format(confirmedFlushLsn(PG, slot)))
                    .as("confirmed_flush_lsn without a checkpoint")
                    .isEqualTo(Lsn.format(created));
        }

        // With checkpoints (the slot now exists: committed-offset resumes from it), once the first
        // job's walsender has let go of the slot.
        Await.until("the first job's walsender let go of " + slot, () -> !slotActive(PG, slot));
        StreamExecutionEnvironment env = env(1);
        env.enableCheckpointing(200);
        try (CloseableIterator<String> it =
                env.fromSource(
                                source(StartupMode.COMMITTED_OFFSET, "public.t"),
                                WatermarkStrategy.noWatermarks(),
                                "pg")
                        .executeAndCollect()) {
            assertThat(take(it, 2))
                    .as("committed-offset replays what was never confirmed")
                    .containsExactly("public.t +I(1)", "public.t +I(2)");
            PG.execute("INSERT INTO t VALUES (3)");
            long afterInsert = currentWalLsn(PG);
            assertThat(take(it, 1)).containsExactly("public.t +I(3)");
            Await.until(
                    "a completed checkpoint confirmed the insert's commit to " + slot,
                    () -> Long.compareUnsigned(confirmedFlushLsn(PG, slot), afterInsert) >= 0);
        }
    }
}
