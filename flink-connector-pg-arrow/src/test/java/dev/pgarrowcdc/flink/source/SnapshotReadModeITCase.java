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
package dev.pgarrowcdc.flink.source;

import dev.pgarrowcdc.flink.source.enumerator.PgArrowSourceEnumerator;
import dev.pgarrowcdc.flink.testutils.PostgresCluster;
import dev.pgarrowcdc.flink.testutils.PostgresExtension;
import dev.pgarrowcdc.flink.testutils.SnapshotFunctionCalls;

import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.testutils.logging.LoggerAuditingExtension;
import org.apache.flink.util.CloseableIterator;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@code scan.snapshot.read-mode} where the database has no usable snapshot function: 'auto' reads
 * the snapshot as text after one WARN naming the database and {@code CREATE EXTENSION wal2arrow},
 * 'arrow' fails at start saying the same, for a missing function and for a role without EXECUTE.
 */
class SnapshotReadModeITCase {

    @RegisterExtension static final PostgresExtension PG = new PostgresExtension();

    @RegisterExtension
    final LoggerAuditingExtension enumeratorLog =
            new LoggerAuditingExtension(PgArrowSourceEnumerator.class, org.slf4j.event.Level.WARN);

    private static final String SIGNATURE =
            "wal2arrow_snapshot(regclass, text[], text, text[], integer, integer, text, integer)";

    private static PgArrowSource<String> source(String role, SnapshotReadMode mode) {
        return TestSources.<String>builder(PG, "public.t")
                .username(role)
                .startupMode(StartupMode.INITIAL)
                .snapshotReadMode(mode)
                .deserializer(new TestSources.RowsAsText())
                .build();
    }

    private static CloseableIterator<String> run(PgArrowSource<String> source) throws Exception {
        Configuration conf = new Configuration();
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(1);
        return env.fromSource(source, WatermarkStrategy.noWatermarks(), "pg").executeAndCollect();
    }

    /** The snapshot's rows (ids 1 and 2), then a streamed row, read through a job in auto mode. */
    private static List<String> readInAutoMode(String role) throws Exception {
        List<String> rows = new ArrayList<>();
        try (CloseableIterator<String> it = run(source(role, SnapshotReadMode.AUTO))) {
            rows.add(it.next());
            rows.add(it.next());
            PG.execute("INSERT INTO t VALUES (3, 'c')");
            rows.add(it.next());
        }
        return rows;
    }

    private List<String> functionWarnings() {
        return enumeratorLog.getMessages().stream()
                .filter(m -> m.contains("CREATE EXTENSION wal2arrow"))
                .collect(Collectors.toList());
    }

    @Test
    void withoutTheFunctionAutoReadsTextAfterOneWarnAndArrowFailsAtStart() throws Exception {
        PG.execute(
                "CREATE TABLE t (id int PRIMARY KEY, v text)",
                "INSERT INTO t VALUES (1, 'a'), (2, 'b')",
                "DROP FUNCTION " + SIGNATURE);

        // auto: the rows, read as text, and one WARN that says what to install where
        assertThat(readInAutoMode(PostgresCluster.SUPERUSER))
                .containsExactly("public.t +I(1, a)", "public.t +I(2, b)", "public.t +I(3, c)");
        assertThat(functionWarnings())
                .singleElement()
                .asString()
                .contains(
                        "database '"
                                + PG.database()
                                + "' has no function wal2arrow_snapshot of the wal2arrow"
                                + " library: install it there with CREATE EXTENSION wal2arrow")
                .contains("'scan.snapshot.read-mode' = 'text'");

        // arrow: the job fails before reading, with the same explanation
        assertThatThrownBy(
                        () ->
                                run(source(PostgresCluster.SUPERUSER, SnapshotReadMode.ARROW))
                                        .hasNext())
                .rootCause()
                .hasMessageContaining(
                        "'scan.snapshot.read-mode' = 'arrow' but database '"
                                + PG.database()
                                + "' has no function wal2arrow_snapshot")
                .hasMessageContaining("CREATE EXTENSION wal2arrow");
    }

    @Test
    void aRoleWithoutExecuteReadsTextInAutoModeAndFailsInArrowMode() throws Exception {
        PG.execute(
                "CREATE TABLE t (id int PRIMARY KEY, v text)",
                "INSERT INTO t VALUES (1, 'a'), (2, 'b')",
                "CREATE ROLE cdc_noexec LOGIN REPLICATION",
                "GRANT SELECT ON t TO cdc_noexec",
                "REVOKE EXECUTE ON FUNCTION " + SIGNATURE + " FROM PUBLIC");
        SnapshotFunctionCalls.track(PG);
        try {
            assertThat(readInAutoMode("cdc_noexec"))
                    .containsExactly("public.t +I(1, a)", "public.t +I(2, b)", "public.t +I(3, c)");
            assertThat(functionWarnings())
                    .singleElement()
                    .asString()
                    .contains(
                            "role 'cdc_noexec' may not EXECUTE the function"
                                    + " public.wal2arrow_snapshot in database '"
                                    + PG.database()
                                    + "': GRANT EXECUTE ON FUNCTION public.wal2arrow_snapshot TO"
                                    + " \"cdc_noexec\"");
            assertThat(SnapshotFunctionCalls.callsBeforeMarker(PG))
                    .as("calls of wal2arrow_snapshot")
                    .isZero();

            assertThatThrownBy(() -> run(source("cdc_noexec", SnapshotReadMode.ARROW)).hasNext())
                    .rootCause()
                    .hasMessageContaining(
                            "'scan.snapshot.read-mode' = 'arrow' but role 'cdc_noexec' may not"
                                    + " EXECUTE the function public.wal2arrow_snapshot in database '"
                                    + PG.database()
                                    + "'")
                    .hasMessageContaining("CREATE EXTENSION wal2arrow");
        } finally {
            PG.execute("DROP OWNED BY cdc_noexec", "DROP ROLE cdc_noexec");
        }
    }
}
