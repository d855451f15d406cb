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
import dev.pgarrowcdc.flink.testutils.PostgresExtension;
import dev.pgarrowcdc.flink.testutils.TcpProxy;

import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.testutils.logging.LoggerAuditingExtension;
import org.apache.flink.util.CloseableIterator;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static dev.pgarrowcdc.flink.testutils.JobOutput.take;
import static dev.pgarrowcdc.flink.testutils.ServerState.walsenderPid;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The replication connection fails while a job streams: a terminated walsender, a dropped
 * connection, a restarted server. The job must not fail (its restart strategy is "none", so a
 * failure would surface here): the split reconnects and resumes exactly where emission stopped.
 * What Flink emitted is compared, row by row and in commit order, with what PostgreSQL committed.
 */
@Timeout(240)
class PgArrowSourceResilienceITCase {

    @RegisterExtension
    static final PostgresExtension PG =
            new PostgresExtension(b -> b.setting("wal_sender_timeout", "10s"));

    @RegisterExtension
    static final MiniClusterExtension FLINK =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(1)
                            .build());

    @RegisterExtension
    final LoggerAuditingExtension reconnectLog =
            new LoggerAuditingExtension(Reconnects.class, org.slf4j.event.Level.WARN);

    private static final String SLOT = "it_public_t";
    private static final int PAD = 1000;

    private static StreamExecutionEnvironment env() {
        Configuration conf = new Configuration();
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(1);
        return env;
    }

    private static PgArrowSourceBuilder<String> source(String host, int port) {
        return TestSources.<String>builder(PG, "public.t")
                .hostname(host)
                .port(port)
                .startupMode(StartupMode.INITIAL)
                .batchRows(500)
                .heartbeatInterval(Duration.ofMillis(500))
                .deserializer(new TestSources.RowsAsText());
    }

    private static CloseableIterator<String> run(PgArrowSource<String> source) throws Exception {
        return env().fromSource(source, WatermarkStrategy.noWatermarks(), "pg")
                .map(new Gate())
                .executeAndCollect();
    }

    /** A row as RowsAsText prints it, a last value of PAD equal characters as "<PAD>x<char>". */
    static String abbreviated(String row) {
        int at = row.length() - 1 - PAD;
        if (at > 2
                && row.endsWith(")")
                && row.startsWith(", ", at - 2)
                && row.substring(at, at + PAD).chars().allMatch(ch -> ch == row.charAt(at))) {
            return row.substring(0, at) + PAD + "x" + row.charAt(at) + ")";
        }
        return row;
    }

    private boolean resumedMidTransaction() {
        return reconnectLog.getMessages().stream()
                .anyMatch(m -> m.contains("rows already emitted"));
    }

    /** Whether a reconnect had to skip rows of a transaction already partly emitted. */
    private void assertResumedMidTransaction() {
        assertThat(reconnectLog.getMessages())
                .as("the connection failed in the middle of the large transaction")
                .anyMatch(m -> m.contains("rows already emitted"));
    }

    /** What PostgreSQL committed: the large transaction's rows 1..n, in insert order. */
    private static List<String> largeTransaction(int n) {
        return largeTransaction(1, n);
    }

    private static List<String> largeTransaction(int from, int to) {
        List<String> expected = new ArrayList<>(to - from + 1);
        for (int g = from; g <= to; g++) {
            expected.add("public.t +I(" + g + ", " + PAD + "x" + (char) ('A' + g % 26) + ")");
        }
        return expected;
    }

    private static final String LARGE_INSERT_RANGE =
            "INSERT INTO t SELECT g, repeat(chr(65 + mod(g, 26)), "
                    + PAD
                    + ") FROM generate_series(%d, %d) g";

    private static final String LARGE_INSERT =
            "INSERT INTO t SELECT g, repeat(chr(65 + mod(g, 26)), "
                    + PAD
                    + ") FROM generate_series(1, %d) g";

    @Test
    void aTerminatedWalsenderMidTransactionResumesWhereEmissionStopped() throws Exception {
        int large = 50_000;
        PG.execute(
                "CREATE TABLE t (id int PRIMARY KEY, pad text)",
                "INSERT INTO t VALUES (0, 'seed')");
        Gate.blockAt(-1);

        try (CloseableIterator<String> it = run(source(PG.host(), PG.port()).build())) {
            assertThat(take(it, 1)).containsExactly("public.t +I(0, seed)");
            int walsender = awaitWalsender(-1);
            // Whether the walsender dies in the middle of the transaction's rows depends on socket
            // buffers and timing: repeat (each round checked row by row) until it did.
            for (int round = 0; round < 3 && !resumedMidTransaction(); round++) {
                int first = round * large + 1;
                Gate.armAt(1 + round * (large + 1) + 2_000);
                PG.execute(String.format(LARGE_INSERT_RANGE, first, first + large - 1));
                Gate.awaitBlocked();
                // The reader has handed over part of the transaction; the rest is on its way.
                terminate(walsender);
                Gate.release();
                PG.execute("INSERT INTO t VALUES (-" + first + ", 'after')");

                List<String> expected = largeTransaction(first, first + large - 1);
                expected.add("public.t +I(-" + first + ", after)");
                assertThat(take(it, large + 1)).containsExactlyElementsOf(expected);
                int next = awaitWalsender(walsender);
                assertThat(next).as("a new walsender streams the slot").isNotEqualTo(walsender);
                walsender = next;
            }
            assertResumedMidTransaction();
        }
    }

    @Test
    void aDroppedConnectionIsReopenedAndStreamingResumes() throws Exception {
        int large = 5_000;
        PG.execute(
                "CREATE TABLE t (id int PRIMARY KEY, pad text)",
                "INSERT INTO t VALUES (0, 'seed')");
        Gate.blockAt(1 + 1_000);

        try (TcpProxy proxy = new TcpProxy(PG.host(), PG.port());
                CloseableIterator<String> it = run(source(proxy.host(), proxy.port()).build())) {
            assertThat(take(it, 1)).containsExactly("public.t +I(0, seed)");
            int walsender = awaitWalsender(-1);

            PG.execute(String.format(LARGE_INSERT, large));
            Gate.awaitBlocked();
            proxy.dropConnections();
            Gate.release();
            PG.execute("DELETE FROM t WHERE id = 2", "INSERT INTO t VALUES (5001, 'after')");

            List<String> expected = largeTransaction(large);
            expected.add("public.t -D(2, null)");
            expected.add("public.t +I(5001, after)");
            assertThat(take(it, large + 2)).containsExactlyElementsOf(expected);
            assertThat(awaitWalsender(walsender)).isNotEqualTo(walsender);
        }
    }

    @Test
    void aServerRestartWhileStreamingLosesNothingAndRepeatsNothing() throws Exception {
        PG.execute(
                "CREATE TABLE t (id int PRIMARY KEY, pad text)",
                "INSERT INTO t VALUES (0, 'seed')");
        Gate.blockAt(-1);

        try (CloseableIterator<String> it = run(source(PG.host(), PG.port()).build())) {
            assertThat(take(it, 1)).containsExactly("public.t +I(0, seed)");
            int walsender = awaitWalsender(-1);
            for (int i = 1; i <= 3; i++) {
                PG.execute("INSERT INTO t VALUES (" + i + ", 'before')");
            }
            assertThat(take(it, 3))
                    .containsExactly(
                            "public.t +I(1, before)",
                            "public.t +I(2, before)",
                            "public.t +I(3, before)");

            PG.cluster().restart();
            // Written while the source is still reconnecting, and after.
            PG.execute(
                    "INSERT INTO t VALUES (4, 'after')", "UPDATE t SET pad = 'again' WHERE id = 1");
            awaitWalsender(walsender);
            PG.execute("DELETE FROM t WHERE id = 3");

            assertThat(take(it, 3))
                    .containsExactly(
                            "public.t +I(4, after)",
                            "public.t +U(1, again)",
                            "public.t -D(3, null)");
        }
    }

    @Test
    void reconnectsAreBoundedAndThenFailTheJobNamingTheOption() throws Exception {
        PG.execute(
                "CREATE TABLE t (id int PRIMARY KEY, pad text)",
                "INSERT INTO t VALUES (0, 'seed')");
        Gate.blockAt(-1);

        TcpProxy proxy = new TcpProxy(PG.host(), PG.port());
        try (CloseableIterator<String> it =
                run(
                        source(proxy.host(), proxy.port())
                                .option(PgArrowSourceOptions.CONNECT_MAX_RETRIES, 2)
                                .build())) {
            assertThat(take(it, 1)).containsExactly("public.t +I(0, seed)");
            // The server becomes unreachable: every reconnect is refused.
            proxy.close();

            assertThatThrownBy(it::hasNext)
                    .hasStackTraceContaining("could not reconnect: 2 attempts")
                    .hasStackTraceContaining("slot '" + SLOT + "'")
                    .hasStackTraceContaining("'connect.max-retries'");
        } finally {
            proxy.close();
        }
    }

    // ---------------------------------------------------------------------------------------

    /**
     * Passes records through, blocking at the n-th until released: the reader stalls mid-stream.
     */
    static final class Gate implements MapFunction<String, String> {
        private static final long serialVersionUID = 1L;
        private static final AtomicInteger SEEN = new AtomicInteger();
        private static volatile int blockAt;
        private static volatile CountDownLatch blocked;
        private static volatile CountDownLatch released;

        static void blockAt(int n) {
            SEEN.set(0);
            blockAt = n;
            blocked = new CountDownLatch(1);
            released = new CountDownLatch(1);
        }

        /** Blocks at the n-th record counted since {@link #blockAt}. */
        static void armAt(int n) {
            blocked = new CountDownLatch(1);
            released = new CountDownLatch(1);
            blockAt = n;
        }

        static void awaitBlocked() throws InterruptedException {
            assertThat(blocked.await(60, TimeUnit.SECONDS)).as("the gate was reached").isTrue();
        }

        static void release() {
            released.countDown();
        }

        @Override
        public String map(String value) throws Exception {
            if (SEEN.incrementAndGet() == blockAt) {
                blocked.countDown();
                released.await(120, TimeUnit.SECONDS);
            }
            return abbreviated(value);
        }
    }

    /** Waits until a walsender other than {@code previous} holds the slot; returns its PID. */
    private static int awaitWalsender(int previous) throws Exception {
        return Await.value(
                "a walsender other than " + previous + " took slot " + SLOT,
                () -> {
                    try {
                        return walsenderPid(PG, SLOT);
                    } catch (SQLException e) {
                        return null; // the server is restarting
                    }
                },
                pid -> pid != null && pid != previous);
    }

    private static void terminate(int pid) throws SQLException {
        PG.execute("SELECT pg_terminate_backend(" + pid + ")");
    }
}
