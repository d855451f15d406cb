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
package dev.pgarrowcdc.flink.source.security;

import dev.pgarrowcdc.flink.source.PgArrowSource;
import dev.pgarrowcdc.flink.source.SnapshotReadMode;
import dev.pgarrowcdc.flink.source.StartupMode;
import dev.pgarrowcdc.flink.source.TestSources;
import dev.pgarrowcdc.flink.testutils.PostgresExtension;

import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.CloseableIterator;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The source as a role with nothing but {@code LOGIN REPLICATION} and SELECT on its tables (the
 * README's statements; the snapshot function needs no grant: EXECUTE is PUBLIC's), and what the
 * up-front checks say for each privilege it lacks.
 */
class LeastPrivilegeITCase {

    @RegisterExtension static final PostgresExtension PG = new PostgresExtension();

    private static PgArrowSource<String> source(String role, String... tables) {
        return source(role, SnapshotReadMode.AUTO, tables);
    }

    private static PgArrowSource<String> source(
            String role, SnapshotReadMode mode, String... tables) {
        return TestSources.<String>builder(PG, tables)
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

    @Test
    void theWholePipelineRunsAsALoginReplicationRoleWithSelectOnly() throws Exception {
        PG.execute(
                "CREATE SCHEMA shop",
                "CREATE TABLE shop.t (id int PRIMARY KEY, v text)",
                "INSERT INTO shop.t VALUES (1, 'a')",
                // exactly the README's statements
                "CREATE ROLE cdc_min LOGIN REPLICATION",
                "GRANT USAGE ON SCHEMA shop TO cdc_min",
                "GRANT SELECT ON shop.t TO cdc_min");
        try {
            // The snapshot reads the function's Arrow frames ('arrow' fails if the role could not)
            try (CloseableIterator<String> it =
                    run(source("cdc_min", SnapshotReadMode.ARROW, "shop.t"))) {
                assertThat(it.next()).isEqualTo("shop.t +I(1, a)");
                PG.execute("INSERT INTO shop.t VALUES (2, 'b')");
                assertThat(it.next()).isEqualTo("shop.t +I(2, b)");
            }
        } finally {
            dropRole("cdc_min");
        }
    }

    @Test
    void aMissingSelectOrSchemaUsageIsNamedWithTheGrant() throws Exception {
        PG.execute(
                "CREATE SCHEMA shop",
                "CREATE TABLE shop.t (id int)",
                "CREATE TABLE shop.\"Odd\" (id int)",
                "CREATE TABLE public.u (id int)",
                "CREATE ROLE cdc_nosel LOGIN REPLICATION",
                "GRANT USAGE ON SCHEMA shop TO cdc_nosel",
                "GRANT SELECT ON shop.t TO cdc_nosel");
        try {
            assertThatThrownBy(() -> run(source("cdc_nosel", "shop.*")).hasNext())
                    .rootCause()
                    .hasMessage(
                            "Role 'cdc_nosel' lacks SELECT on table \"shop\".\"Odd\", needed to"
                                    + " snapshot the captured tables: as the tables' owner (or a superuser)"
                                    + " run GRANT SELECT ON TABLE \"shop\".\"Odd\" TO \"cdc_nosel\"; or narrow"
                                    + " 'table-name'");
            PG.execute("REVOKE USAGE ON SCHEMA shop FROM cdc_nosel");
            assertThatThrownBy(() -> run(source("cdc_nosel", "shop.t")).hasNext())
                    .rootCause()
                    .hasMessage(
                            "Role 'cdc_nosel' lacks USAGE on schema \"shop\", needed to snapshot"
                                    + " the captured tables: as the tables' owner (or a superuser) run GRANT"
                                    + " USAGE ON SCHEMA \"shop\" TO \"cdc_nosel\"; or narrow 'table-name'");
        } finally {
            dropRole("cdc_nosel");
        }
    }

    @Test
    void aRoleWithoutReplicationIsNamedWithTheAlterRole() throws Exception {
        PG.execute(
                "CREATE TABLE t (id int)",
                "CREATE ROLE cdc_norepl LOGIN",
                "GRANT SELECT ON t TO cdc_norepl");
        try {
            assertThatThrownBy(() -> run(source("cdc_norepl", "public.t")).hasNext())
                    .rootCause()
                    .hasMessageContaining("Role 'cdc_norepl' lacks the REPLICATION attribute")
                    .hasMessageContaining("ALTER ROLE \"cdc_norepl\" REPLICATION");
        } finally {
            dropRole("cdc_norepl");
        }
    }

    private static void dropRole(String role) throws Exception {
        PG.execute("DROP OWNED BY " + role, "DROP ROLE " + role);
    }
}
