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
package dev.pgarrowcdc.flink.testutils;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Logical decoding through the fixture's server, with PostgreSQL's own plugin and with ours. */
class LogicalDecodingITCase {

    @RegisterExtension static final PostgresExtension PG = new PostgresExtension();

    @Test
    void anInsertIsReadBackThroughATestDecodingSlot() throws SQLException {
        PG.execute(
                "CREATE TABLE accounts (id int PRIMARY KEY, owner text)",
                "SELECT pg_create_logical_replication_slot('decoding_check', 'test_decoding')",
                "INSERT INTO accounts VALUES (42, 'ada')");

        List<String> changes =
                changes(
                        "SELECT data FROM pg_logical_slot_get_changes("
                                + "'decoding_check', NULL, NULL)");

        assertThat(changes).hasSize(3);
        assertThat(changes.get(0)).startsWith("BEGIN");
        assertThat(changes.get(1))
                .isEqualTo("table public.accounts: INSERT: id[integer]:42 owner[text]:'ada'");
        assertThat(changes.get(2)).startsWith("COMMIT");
    }

    @Test
    void wal2arrowLoadsAndCreatesASlot() throws SQLException {
        PostgresCluster.requireWal2ArrowBuilt();
        PG.execute(
                "CREATE TABLE accounts (id int PRIMARY KEY, owner text)",
                "SELECT pg_create_logical_replication_slot('w2a', 'wal2arrow')",
                "INSERT INTO accounts VALUES (1, 'grace')");

        try (Connection c = PG.connect();
                Statement st = c.createStatement()) {
            try (ResultSet rs =
                    st.executeQuery(
                            "SELECT plugin, slot_type, database FROM pg_replication_slots "
                                    + "WHERE slot_name = 'w2a'")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getString("plugin")).isEqualTo("wal2arrow");
                assertThat(rs.getString("slot_type")).isEqualTo("logical");
                assertThat(rs.getString("database")).isEqualTo(PG.database());
            }
            // Decoding through the plugin runs its callbacks in this backend: it must not fail.
            try (ResultSet rs =
                    st.executeQuery(
                            "SELECT count(*) FROM pg_logical_slot_get_binary_changes("
                                    + "'w2a', NULL, NULL)")) {
                assertThat(rs.next()).isTrue();
            }
        }
    }

    @Test
    void withoutWalLevelLogicalDecodingFailsNamingTheSetting() throws SQLException {
        try (PostgresCluster replicaOnly =
                PostgresCluster.builder().setting("wal_level", "replica").start()) {
            assertThatThrownBy(
                            () ->
                                    replicaOnly.execute(
                                            "postgres",
                                            "SELECT pg_create_logical_replication_slot('s', 'test_decoding')"))
                    .isInstanceOf(SQLException.class)
                    .hasMessageContaining("wal_level");
        }
    }

    @Test
    void aPluginMissingFromOutputPluginLibrariesIsRefusedNamingTheSetting() throws SQLException {
        try (PostgresCluster restricted =
                PostgresCluster.builder()
                        .setting("output_plugin_libraries", "'pgoutput, test_decoding'")
                        .start()) {
            assumeTrue(
                    restricted.setting("output_plugin_libraries") != null,
                    "this PostgreSQL build has no output_plugin_libraries setting");
            assertThatThrownBy(
                            () ->
                                    restricted.execute(
                                            "postgres",
                                            "SELECT pg_create_logical_replication_slot('s', 'wal2arrow')"))
                    .isInstanceOf(SQLException.class)
                    .hasMessageContaining("wal2arrow")
                    .hasMessageContaining("may not be used as an output plugin");
        }
    }

    private static List<String> changes(String sql) throws SQLException {
        List<String> out = new ArrayList<>();
        try (Connection c = PG.connect();
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery(sql)) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
        }
        return out;
    }
}
