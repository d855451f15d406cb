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

import dev.pgarrowcdc.flink.testutils.Await;
import dev.pgarrowcdc.flink.testutils.PostgresExtension;
import dev.pgarrowcdc.flink.testutils.SnapshotFunctionCalls;

import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.CloseableIterator;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The snapshot function as users install it: {@code CREATE EXTENSION wal2arrow}, here into a schema
 * with an awkward name that is not on the role's search_path, used by a least-privilege role in
 * {@code arrow} mode. Needs the extension's files in the server's share directory, which {@code
 * make install} puts there (the container images have them; the local fixture loads the library
 * from the build directory and has none, so the test is skipped there).
 */
class SnapshotExtensionITCase {

    @RegisterExtension static final PostgresExtension PG = new PostgresExtension();

    private static final String SIGNATURE =
            "wal2arrow_snapshot(regclass, text[], text, text[], integer, integer, text, integer)";

    @Test
    void aRoleReadsChunksThroughTheExtensionInItsOwnSchema() throws Exception {
        assumeTrue(
                extensionAvailable(),
                "the wal2arrow extension's files are not installed in this server's share"
                        + " directory (make -C wal2arrow install)");
        PG.execute(
                "CREATE TABLE t (id int PRIMARY KEY, v text)",
                "INSERT INTO t VALUES (1, 'a'), (2, 'b')",
                // the fixture's copy in public goes: only the extension's can be found
                "DROP FUNCTION public." + SIGNATURE,
                "CREATE SCHEMA \"w2a \"\"ext\"\"\"",
                "CREATE EXTENSION wal2arrow SCHEMA \"w2a \"\"ext\"\"\"",
                "CREATE ROLE cdc_ext LOGIN REPLICATION",
                "GRANT SELECT ON t TO cdc_ext",
                "GRANT USAGE ON SCHEMA \"w2a \"\"ext\"\"\" TO cdc_ext");
        SnapshotFunctionCalls.track(PG);
        try {
            List<String> rows = new ArrayList<>();
            try (CloseableIterator<String> it = run()) {
                rows.add(it.next());
                rows.add(it.next());
                PG.execute("INSERT INTO t VALUES (3, 'c')");
                rows.add(it.next());
            }
            assertThat(rows)
                    .containsExactly("public.t +I(1, a)", "public.t +I(2, b)", "public.t +I(3, c)");
            long calls =
                    Await.value(
                            "the extension's function is counted as called",
                            () -> SnapshotFunctionCalls.calls(PG, "w2a \"ext\""),
                            n -> n >= 1);
            assertThat(calls).isPositive();
        } finally {
            PG.execute("DROP OWNED BY cdc_ext", "DROP ROLE cdc_ext");
        }
    }

    private static CloseableIterator<String> run() throws Exception {
        Configuration conf = new Configuration();
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(1);
        PgArrowSource<String> source =
                TestSources.<String>builder(PG, "public.t")
                        .username("cdc_ext")
                        .startupMode(StartupMode.INITIAL)
                        .snapshotReadMode(SnapshotReadMode.ARROW)
                        .deserializer(new TestSources.RowsAsText())
                        .build();
        return env.fromSource(source, WatermarkStrategy.noWatermarks(), "pg").executeAndCollect();
    }

    private static boolean extensionAvailable() throws Exception {
        try (Connection c = PG.connect();
                Statement st = c.createStatement();
                ResultSet rs =
                        st.executeQuery(
                                "SELECT 1 FROM pg_catalog.pg_available_extensions"
                                        + " WHERE name = 'wal2arrow'")) {
            return rs.next();
        }
    }
}
