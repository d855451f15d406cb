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

import dev.pgarrowcdc.flink.source.PgArrowSource;
import dev.pgarrowcdc.flink.source.PgArrowSourceBuilder;
import dev.pgarrowcdc.flink.source.PgArrowSourceOptions;
import dev.pgarrowcdc.flink.source.StartupMode;
import dev.pgarrowcdc.flink.source.TestSources;
import dev.pgarrowcdc.flink.testutils.Await;
import dev.pgarrowcdc.flink.testutils.PostgresCluster;
import dev.pgarrowcdc.flink.testutils.PostgresExtension;
import dev.pgarrowcdc.flink.testutils.ServerState;

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
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.postgresql.PGConnection;
import org.postgresql.PGProperty;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * No silent loss and no stolen slots: a restore whose slot was dropped or invalidated fails the job
 * by default (or, with {@code slot.accept-gap}, continues without the lost changes); a second job
 * with the same {@code slot.name} fails and leaves the first one streaming.
 */
class SlotSafetyITCase {

    private static final String SLOT = "it_public_t";

    /** A small max_slot_wal_keep_size, so a test can make PostgreSQL invalidate a slot. */
    @RegisterExtension
    static final PostgresExtension PG =
            new PostgresExtension(b -> b.setting("max_slot_wal_keep_size", "'1MB'"));

    @RegisterExtension
    static final MiniClusterExtension FLINK =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(3)
                            .build());

    private static final Queue<String> SINK = new ConcurrentLinkedQueue<>();

    private static StreamExecutionEnvironment env(Configuration conf) {
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(1);
        env.enableCheckpointing(200);
        return env;
    }

    private static PgArrowSourceBuilder<String> source(StartupMode mode) {
        return TestSources.<String>builder(PG, "public.t")
                .startupMode(mode)
                .heartbeatInterval(Duration.ofMillis(200))
                .deserializer(new TestSources.RowsAsText());
    }

    private static JobClient start(Configuration conf, PgArrowSource<String> source)
            throws Exception {
        SINK.clear();
        StreamExecutionEnvironment env = env(conf);
        env.fromSource(source, WatermarkStrategy.noWatermarks(), "pg")
                .uid("pg")
                .map(new ToQueue())
                .uid("sink")
                .sinkTo(new DiscardingSink<>());
        return env.executeAsync();
    }

    /** The rows into {@code SINK}: a map, as Flink 2 has no {@code SinkFunction}. */
    private static final class ToQueue implements MapFunction<String, String> {
        private static final long serialVersionUID = 1L;

        @Override
        public String map(String value) {
            SINK.add(value);
            return value;
        }
    }

    /**
     * Runs a job on public.t (rows 1, 2 in the snapshot, 3 streamed), stops it with a savepoint,
     * then inserts row 4 while no job runs.
     */
    private static String runThenStopWithSavepoint(Path savepoints) throws Exception {
        PG.execute(
                "CREATE TABLE t (id int PRIMARY KEY, v text)",
                "INSERT INTO t VALUES (1, 'a'), (2, 'b')");
        JobClient job = start(new Configuration(), source(StartupMode.INITIAL).build());
        String savepoint;
        try {
            awaitRows(2);
            PG.execute("INSERT INTO t VALUES (3, 'c')");
            assertThat(awaitRows(3))
                    .containsExactly("public.t +I(1, a)", "public.t +I(2, b)", "public.t +I(3, c)");
        } finally {
            savepoint =
                    job.stopWithSavepoint(
                                    false,
                                    savepoints.toUri().toString(),
                                    SavepointFormatType.CANONICAL)
                            .get(60, TimeUnit.SECONDS);
        }
        PG.execute("INSERT INTO t VALUES (4, 'lost')");
        return savepoint;
    }

    private static Configuration restoreFrom(String savepoint) {
        Configuration conf = new Configuration();
        conf.set(StateRecoveryOptions.SAVEPOINT_PATH, savepoint);
        return conf;
    }

    @Test
    void aRestoreWhoseSlotWasDroppedFailsNamingTheSlotTheRangeAndTheChoices(
            @TempDir Path savepoints) throws Exception {
        String savepoint = runThenStopWithSavepoint(savepoints);
        PG.execute("SELECT pg_drop_replication_slot('" + SLOT + "')");

        JobClient restored = start(restoreFrom(savepoint), source(StartupMode.INITIAL).build());

        assertThatThrownBy(() -> restored.getJobExecutionResult().get(120, TimeUnit.SECONDS))
                .hasStackTraceContaining("replication slot '" + SLOT + "' of [public.t] is gone")
                .hasStackTraceContaining("so the changes after LSN ")
                .hasStackTraceContaining("up to the current WAL position ")
                .hasStackTraceContaining(
                        "under a new 'slot.name' with 'scan.startup.mode' = 'initial'")
                .hasStackTraceContaining("set 'slot.accept-gap' = 'true'");
        assertThat(SINK).isEmpty();
    }

    @Test
    void theExplicitOptionAcceptsTheGapAndContinues(@TempDir Path savepoints) throws Exception {
        String savepoint = runThenStopWithSavepoint(savepoints);
        PG.execute("SELECT pg_drop_replication_slot('" + SLOT + "')");

        JobClient restored =
                start(
                        restoreFrom(savepoint),
                        source(StartupMode.INITIAL)
                                .option(PgArrowSourceOptions.SLOT_ACCEPT_GAP, true)
                                .build());
        try {
            awaitSlotActive();
            PG.execute("INSERT INTO t VALUES (5, 'after')");
            // Row 4, written while the slot was gone, is not there: the marker after it is first.
            assertThat(awaitRows(1)).containsExactly("public.t +I(5, after)");
        } finally {
            restored.cancel().get(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void aRestoreWhoseSlotPostgresInvalidatedFailsNamingTheSetting(@TempDir Path savepoints)
            throws Exception {
        String savepoint = runThenStopWithSavepoint(savepoints);
        invalidateSlot();

        JobClient restored = start(restoreFrom(savepoint), source(StartupMode.INITIAL).build());

        assertThatThrownBy(() -> restored.getJobExecutionResult().get(120, TimeUnit.SECONDS))
                .hasStackTraceContaining(
                        "PostgreSQL invalidated replication slot '"
                                + SLOT
                                + "' of [public.t] (wal_status = lost)")
                .hasStackTraceContaining("max_slot_wal_keep_size = 1MB")
                .hasStackTraceContaining("set 'slot.accept-gap' = 'true'");

        // Accepting the gap: the invalid slot is replaced and streaming goes on.
        JobClient accepted =
                start(
                        restoreFrom(savepoint),
                        source(StartupMode.INITIAL)
                                .option(PgArrowSourceOptions.SLOT_ACCEPT_GAP, true)
                                .build());
        try {
            awaitSlotActive();
            PG.execute("INSERT INTO t VALUES (5, 'after')");
            assertThat(awaitRows(1)).containsExactly("public.t +I(5, after)");
            assertThat(
                            query(
                                    "SELECT wal_status FROM pg_replication_slots WHERE slot_name = '"
                                            + SLOT
                                            + "'"))
                    .isNotEqualTo("lost");
        } finally {
            accepted.cancel().get(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void aSecondJobWithTheSameSlotNameFailsAndTheFirstKeepsStreaming() throws Exception {
        PG.execute("CREATE TABLE t (id int PRIMARY KEY, v text)", "INSERT INTO t VALUES (1, 'a')");
        PgArrowSource<String> first = source(StartupMode.INITIAL).build();
        try (CloseableIterator<String> it = collect(first)) {
            assertThat(it.next()).isEqualTo("public.t +I(1, a)");
            awaitSlotActive();
            String holder =
                    query(
                            "SELECT active_pid FROM pg_replication_slots WHERE slot_name = '"
                                    + SLOT
                                    + "'");

            // A second job, configured the same: it would snapshot (and so replace the slot) ...
            assertThatThrownBy(() -> collect(source(StartupMode.INITIAL).build()).hasNext())
                    .hasStackTraceContaining(
                            "replication slot '"
                                    + SLOT
                                    + "' (for [public.t]) is in use"
                                    + " by another process: PID "
                                    + holder
                                    + ", application_name '"
                                    + first.config().applicationName()
                                    + "'")
                    .hasStackTraceContaining(
                            "another pg-arrow-cdc job with the same 'slot.name' = 'it'");
            // ... or take the slot up where it stands.
            assertThatThrownBy(
                            () -> collect(source(StartupMode.COMMITTED_OFFSET).build()).hasNext())
                    .hasStackTraceContaining("is in use by another process: PID " + holder);

            // The first job was not touched: same walsender, and it goes on streaming.
            PG.execute("INSERT INTO t VALUES (2, 'b')");
            assertThat(it.next()).isEqualTo("public.t +I(2, b)");
            assertThat(
                            query(
                                    "SELECT active_pid FROM pg_replication_slots WHERE slot_name = '"
                                            + SLOT
                                            + "'"))
                    .isEqualTo(holder);
        }
    }

    @Test
    void aStaleStreamOfThisSameJobIsEndedAndTheSlotTakenUp() throws Exception {
        PG.execute(
                "CREATE TABLE t (id int PRIMARY KEY, v text)",
                "SELECT pg_create_logical_replication_slot('" + SLOT + "', 'wal2arrow')");
        PgArrowSource<String> source =
                source(StartupMode.COMMITTED_OFFSET)
                        .option(PgArrowSourceOptions.CONNECT_TIMEOUT, Duration.ofSeconds(1))
                        .build();
        // A walsender an earlier attempt of this job left behind: this job's application_name.
        Properties props = new Properties();
        PGProperty.USER.set(props, PostgresCluster.SUPERUSER);
        PGProperty.REPLICATION.set(props, "database");
        PGProperty.ASSUME_MIN_SERVER_VERSION.set(props, "10");
        PGProperty.PREFER_QUERY_MODE.set(props, "simple");
        PGProperty.APPLICATION_NAME.set(props, source.config().applicationName());
        try (Connection stale = DriverManager.getConnection(PG.jdbcUrl(), props)) {
            stale.unwrap(PGConnection.class)
                    .getReplicationAPI()
                    .replicationStream()
                    .logical()
                    .withSlotName(SLOT)
                    .withSlotOption("tables", "\"public\".\"t\"")
                    .start();
            String stalePid =
                    query(
                            "SELECT active_pid FROM pg_replication_slots WHERE slot_name = '"
                                    + SLOT
                                    + "'");
            assertThat(stalePid).isNotNull();

            try (CloseableIterator<String> it = collect(source)) {
                PG.execute("INSERT INTO t VALUES (1, 'a')");
                assertThat(it.next()).isEqualTo("public.t +I(1, a)");
                assertThat(
                                query(
                                        "SELECT active_pid FROM pg_replication_slots WHERE slot_name = '"
                                                + SLOT
                                                + "'"))
                        .isNotEqualTo(stalePid);
                assertThat(query("SELECT count(*) FROM pg_stat_activity WHERE pid = " + stalePid))
                        .isEqualTo("0");
            }
        }
    }

    private static CloseableIterator<String> collect(PgArrowSource<String> source)
            throws Exception {
        Configuration conf = new Configuration();
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(1);
        return env.fromSource(source, WatermarkStrategy.noWatermarks(), "pg").executeAndCollect();
    }

    /**
     * Writes WAL past max_slot_wal_keep_size and checkpoints until PostgreSQL marks the slot lost.
     */
    private static void invalidateSlot() throws Exception {
        PG.execute("CREATE TABLE filler (pad text)");
        for (int round = 0; round < 20; round++) {
            PG.execute(
                    "INSERT INTO filler SELECT repeat('x', 1000) FROM generate_series(1, 5000)",
                    "SELECT pg_switch_wal()",
                    "CHECKPOINT");
            if ("lost"
                    .equals(
                            query(
                                    "SELECT wal_status FROM pg_replication_slots WHERE slot_name = '"
                                            + SLOT
                                            + "'"))) {
                return;
            }
        }
        throw new AssertionError(
                "PostgreSQL did not invalidate "
                        + SLOT
                        + ": "
                        + query(
                                "SELECT wal_status FROM pg_replication_slots WHERE slot_name = '"
                                        + SLOT
                                        + "'"));
    }

    private static void awaitSlotActive() throws Exception {
        Await.until("a walsender streams " + SLOT, () -> ServerState.slotActive(PG, SLOT));
    }

    private static List<String> awaitRows(int n) throws Exception {
        Await.value("the sink received " + n + " rows", SINK::size, size -> size >= n);
        return new ArrayList<>(SINK);
    }

    private static String query(String sql) {
        try (Connection c = PG.connect();
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery(sql)) {
            return rs.next() ? rs.getString(1) : null;
        } catch (Exception e) {
            throw new IllegalStateException(sql, e);
        }
    }
}
