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
import dev.pgarrowcdc.flink.source.PgArrowSourceBuilder;
import dev.pgarrowcdc.flink.source.StartupMode;
import dev.pgarrowcdc.flink.source.TestSources;
import dev.pgarrowcdc.flink.testutils.Await;
import dev.pgarrowcdc.flink.testutils.PostgresExtension;

import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.CloseableIterator;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static dev.pgarrowcdc.flink.testutils.JobOutput.take;
import static dev.pgarrowcdc.flink.testutils.ServerState.confirmedFlushLsn;
import static dev.pgarrowcdc.flink.testutils.ServerState.currentWalLsn;
import static dev.pgarrowcdc.flink.testutils.ServerState.queryLong;
import static dev.pgarrowcdc.flink.testutils.ServerState.restartLsn;
import static dev.pgarrowcdc.flink.testutils.ServerState.slotActive;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Where a job starts and resumes, and what it confirms to its slots: idle slots advance, a
 * savepoint restores exactly, and every startup mode reads what it promises. Each test compares the
 * rows Flink emitted, one by one, with what PostgreSQL committed.
 */
@Timeout(180)
class PgArrowSourceOffsetsITCase {

    @RegisterExtension static final PostgresExtension PG = new PostgresExtension();

    @RegisterExtension
    static final MiniClusterExtension FLINK =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(2)
                            .build());

    /** Rows the sink got, in arrival order; one job at a time. */
    private static final Queue<String> SINK = new ConcurrentLinkedQueue<>();

    private static StreamExecutionEnvironment env(Configuration conf) {
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 2);
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofMillis(100));
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(1);
        env.enableCheckpointing(200);
        return env;
    }

    private static PgArrowSourceBuilder<String> source(StartupMode mode, String... tables) {
        return TestSources.<String>builder(PG, tables)
                .startupMode(mode)
                .heartbeatInterval(Duration.ofMillis(200))
                .deserializer(new TestSources.RowsAsText());
    }

    private static JobClient start(
            StreamExecutionEnvironment env,
            PgArrowSource<String> source,
            MapFunction<String, String> map)
            throws Exception {
        SINK.clear();
        env.fromSource(source, WatermarkStrategy.noWatermarks(), "pg")
                .uid("pg")
                .map(map)
                .uid("map")
                .map(new ToQueue())
                .uid("sink")
                .sinkTo(new DiscardingSink<>())
                .uid("discard");
        return env.executeAsync();
    }

    /** The sink's side effect, as a map: SinkFunction is gone in Flink 2. */
    private static final class ToQueue implements MapFunction<String, String> {
        private static final long serialVersionUID = 1L;

        @Override
        public String map(String value) {
            SINK.add(value);
            return value;
        }
    }

    private static final class PassThrough implements MapFunction<String, String> {
        private static final long serialVersionUID = 1L;

        @Override
        public String map(String value) {
            return value;
        }
    }

    /** Fails the task the first time it sees this row (before the row goes on). */
    private static final AtomicBoolean FAILED = new AtomicBoolean();

    private static final class FailOnceAt implements MapFunction<String, String> {
        private static final long serialVersionUID = 1L;
        private final String row;

        FailOnceAt(String row) {
            this.row = row;
        }

        @Override
        public String map(String value) {
            if (value.equals(row) && FAILED.compareAndSet(false, true)) {
                throw new IllegalStateException("Injected failure at " + row);
            }
            return value;
        }
    }

    private static List<String> awaitRows(int n) throws Exception {
        Await.until("the sink received " + n + " rows, got " + SINK, () -> SINK.size() >= n);
        return new ArrayList<>(SINK);
    }

    /** Every row the sink received up to and including the marker, once the marker arrived. */
    private static List<String> awaitRowsThrough(String marker) throws Exception {
        Await.until(
                "the sink received the marker " + marker + ", got " + SINK,
                () -> SINK.contains(marker));
        List<String> rows = new ArrayList<>(SINK);
        return rows.subList(0, rows.indexOf(marker) + 1);
    }

    private static void stop(JobClient job) throws Exception {
        job.cancel().get(30, TimeUnit.SECONDS);
    }

    // ---------------------------------------------------------------------------------------

    @Test
    void anIdleTablesSlotAdvancesWhileAnotherTableIsBusyAndStillDeliversItsLaterRows()
            throws Exception {
        PG.execute(
                "CREATE TABLE busy (id int PRIMARY KEY)", "CREATE TABLE idle (id int PRIMARY KEY)");
        FAILED.set(false);
        // The collect sink is exactly-once across the restore the injected failure causes.
        try (CloseableIterator<String> it =
                env(new Configuration())
                        .fromSource(
                                source(StartupMode.INITIAL, "public.busy", "public.idle").build(),
                                WatermarkStrategy.noWatermarks(),
                                "pg")
                        .map(new FailOnceAt("public.idle +I(1)"))
                        .executeAndCollect()) {
            Await.until(
                    "both slots stream",
                    () -> slotActive(PG, "it_public_busy") && slotActive(PG, "it_public_idle"));
            long idleRestartBefore = restartLsn(PG, "it_public_idle");
            for (int i = 1; i <= 20; i++) {
                PG.execute("INSERT INTO busy VALUES (" + i + ")");
            }
            // A checkpoint writes a running-xacts record: a new candidate restart point.
            PG.execute("CHECKPOINT");
            for (int i = 21; i <= 40; i++) {
                PG.execute("INSERT INTO busy VALUES (" + i + ")");
            }
            long afterBusyWrites = currentWalLsn(PG);

            Await.until(
                    "the idle slot's confirmed_flush_lsn passed the busy table's writes",
                    () ->
                            Long.compareUnsigned(
                                            confirmedFlushLsn(PG, "it_public_idle"),
                                            afterBusyWrites)
                                    >= 0);
            Await.until(
                    "the idle slot's restart_lsn advanced",
                    () ->
                            Long.compareUnsigned(
                                            restartLsn(PG, "it_public_idle"), idleRestartBefore)
                                    > 0);

            // The idle table's next row still arrives, exactly once, across a failure right at it
            // (the job restores from a checkpoint whose idle-split position is a keepalive's).
            PG.execute("INSERT INTO idle VALUES (1)", "INSERT INTO busy VALUES (41)");
            List<String> rows = take(it, 42);
            assertThat(FAILED).as("the failure was injected").isTrue();
            List<String> busy = new ArrayList<>();
            for (int i = 1; i <= 41; i++) {
                busy.add("public.busy +I(" + i + ")");
            }
            assertThat(rows)
                    .filteredOn(r -> r.startsWith("public.busy"))
                    .containsExactlyElementsOf(busy);
            assertThat(rows)
                    .filteredOn(r -> r.startsWith("public.idle"))
                    .containsExactly("public.idle +I(1)");
        }
    }

    @Test
    void stopWithSavepointThenMoreWritesThenRestoreEmitsEveryChangeOnce(@TempDir Path savepoints)
            throws Exception {
        PG.execute(
                "CREATE TABLE t (id int PRIMARY KEY, v text)",
                "ALTER TABLE t REPLICA IDENTITY FULL",
                "INSERT INTO t VALUES (1, 'a'), (2, 'b')");
        JobClient job =
                start(
                        env(new Configuration()),
                        source(StartupMode.INITIAL, "public.t").build(),
                        new PassThrough());
        List<String> before;
        String savepoint;
        try {
            awaitRows(2);
            PG.execute("INSERT INTO t VALUES (3, 'c')", "UPDATE t SET v = 'bb' WHERE id = 2");
            before = awaitRows(5);
        } finally {
            savepoint =
                    job.stopWithSavepoint(
                                    false,
                                    savepoints.toUri().toString(),
                                    SavepointFormatType.CANONICAL)
                            .get(60, TimeUnit.SECONDS);
        }
        assertThat(before)
                .containsExactlyInAnyOrder(
                        "public.t +I(1, a)",
                        "public.t +I(2, b)",
                        "public.t +I(3, c)",
                        "public.t -U(2, b)",
                        "public.t +U(2, bb)");

        // Written while no job runs.
        PG.execute("DELETE FROM t WHERE id = 1", "INSERT INTO t VALUES (4, 'd')");

        Configuration restore = new Configuration();
        restore.set(StateRecoveryOptions.SAVEPOINT_PATH, savepoint);
        JobClient restored =
                start(
                        env(restore),
                        source(StartupMode.INITIAL, "public.t").build(),
                        new PassThrough());
        try {
            // The marker, committed last: a row from before the savepoint emitted again would
            // arrive before it.
            PG.execute("UPDATE t SET v = 'cc' WHERE id = 3", "INSERT INTO t VALUES (5, 'marker')");
            assertThat(awaitRowsThrough("public.t +I(5, marker)"))
                    .as("what changed after the savepoint, once, and nothing from before it")
                    .containsExactly(
                            "public.t -D(1, a)",
                            "public.t +I(4, d)",
                            "public.t -U(3, c)",
                            "public.t +U(3, cc)",
                            "public.t +I(5, marker)");
        } finally {
            stop(restored);
        }
    }

    @Test
    void latestOffsetReadsOnlyWhatIsCommittedAfterTheJobStarted() throws Exception {
        PG.execute("CREATE TABLE t (id int PRIMARY KEY)", "INSERT INTO t VALUES (1)");
        JobClient job =
                start(
                        env(new Configuration()),
                        source(StartupMode.LATEST_OFFSET, "public.t").build(),
                        new PassThrough());
        try {
            Await.until("the slot streams", () -> slotActive(PG, "it_public_t"));
            PG.execute("INSERT INTO t VALUES (2)", "UPDATE t SET id = 10 WHERE id = 1");
            assertThat(awaitRows(3))
                    .containsExactly("public.t +I(2)", "public.t -U(1)", "public.t +U(10)");
        } finally {
            stop(job);
        }
    }

    @Test
    void committedOffsetResumesFromTheSlotsConfirmedPosition() throws Exception {
        PG.execute(
                "CREATE TABLE t (id int PRIMARY KEY)",
                "SELECT pg_create_logical_replication_slot('it_public_t', 'wal2arrow')",
                "INSERT INTO t VALUES (1)");
        long confirmed = currentWalLsn(PG);
        PG.execute(
                "INSERT INTO t VALUES (2)",
                "SELECT pg_replication_slot_advance('it_public_t', '"
                        + Lsn.format(confirmed)
                        + "')");

        JobClient job =
                start(
                        env(new Configuration()),
                        source(StartupMode.COMMITTED_OFFSET, "public.t").build(),
                        new PassThrough());
        try {
            assertThat(awaitRows(1)).containsExactly("public.t +I(2)");
            PG.execute("INSERT INTO t VALUES (3)");
            assertThat(awaitRows(2)).containsExactly("public.t +I(2)", "public.t +I(3)");
        } finally {
            stop(job);
        }
    }

    @Test
    void specificOffsetStartsAtTheGivenLsn() throws Exception {
        PG.execute(
                "CREATE TABLE t (id int PRIMARY KEY)",
                "SELECT pg_create_logical_replication_slot('it_public_t', 'wal2arrow')",
                "INSERT INTO t VALUES (1)");
        long from = currentWalLsn(PG);
        PG.execute("INSERT INTO t VALUES (2)");

        JobClient job =
                start(
                        env(new Configuration()),
                        source(StartupMode.SPECIFIC_OFFSET, "public.t")
                                .startupSpecificOffset(Lsn.format(from))
                                .build(),
                        new PassThrough());
        try {
            assertThat(awaitRows(1)).containsExactly("public.t +I(2)");
            PG.execute("INSERT INTO t VALUES (3)");
            assertThat(awaitRows(2)).containsExactly("public.t +I(2)", "public.t +I(3)");
        } finally {
            stop(job);
        }
    }

    @Test
    void snapshotModeReadsEveryRowOnceFinishesAndLeavesNoSlot() throws Exception {
        PG.execute(
                "CREATE TABLE a (id int PRIMARY KEY)",
                "CREATE TABLE b (id int PRIMARY KEY)",
                "INSERT INTO a SELECT generate_series(1, 30)",
                "INSERT INTO b VALUES (7)");
        JobClient job =
                start(
                        env(new Configuration()),
                        source(StartupMode.SNAPSHOT, "public.*").build(),
                        new PassThrough());
        job.getJobExecutionResult().get(60, TimeUnit.SECONDS);

        List<String> expected = new ArrayList<>();
        for (int i = 1; i <= 30; i++) {
            expected.add("public.a +I(" + i + ")");
        }
        expected.add("public.b +I(7)");
        assertThat(new ArrayList<>(SINK)).containsExactlyInAnyOrderElementsOf(expected);
        assertThat(
                        queryLong(
                                PG,
                                "SELECT count(*) FROM pg_replication_slots WHERE database = current_database()"))
                .isZero();
    }
}
