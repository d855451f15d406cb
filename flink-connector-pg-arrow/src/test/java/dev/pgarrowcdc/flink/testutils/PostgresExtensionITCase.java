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

import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

import static org.assertj.core.api.Assertions.assertThat;

/** The fixture as tests see it: a server set up for logical decoding, a fresh database per test. */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PostgresExtensionITCase {

    @RegisterExtension static final PostgresExtension PG = new PostgresExtension();

    @Test
    @Order(1)
    void serverIsConfiguredForLogicalDecoding() throws SQLException {
        assertThat(show("wal_level")).isEqualTo("logical");
        assertThat(Integer.parseInt(show("max_replication_slots"))).isGreaterThanOrEqualTo(16);
        assertThat(Integer.parseInt(show("max_wal_senders"))).isGreaterThanOrEqualTo(16);
        if (PG.cluster().inContainer()) {
            // The image's own: every address, the plugin installed in $libdir.
            assertThat(show("listen_addresses")).isEqualTo("*");
            assertThat(show("dynamic_library_path")).isEqualTo("$libdir");
            assertThat(PG.cluster().backend()).isEqualTo("container:" + PG.cluster().serverMajor());
        } else {
            assertThat(show("listen_addresses")).isEqualTo("127.0.0.1");
            assertThat(show("dynamic_library_path")).contains(PG.cluster().baseDir().toString());
        }
        if (PG.cluster().setting("output_plugin_libraries") != null) {
            assertThat(show("output_plugin_libraries")).contains("wal2arrow");
        }
    }

    @Test
    @Order(2)
    void connectsToItsOwnDatabaseAndLeavesATable() throws SQLException {
        try (Connection c = PG.connect();
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT current_database()")) {
            rs.next();
            assertThat(rs.getString(1)).isEqualTo(PG.database());
        }
        PG.execute(
                "CREATE TABLE leftover (id int)",
                "SELECT pg_create_logical_replication_slot(" + "'leftover_slot', 'test_decoding')");
    }

    @Test
    @Order(3)
    void nextTestStartsFromAFreshDatabaseWithoutTheSlotsOfThePrevious() throws SQLException {
        try (Connection c = PG.connect();
                Statement st = c.createStatement()) {
            try (ResultSet rs =
                    st.executeQuery(
                            "SELECT count(*) FROM pg_tables WHERE tablename = 'leftover'")) {
                rs.next();
                assertThat(rs.getInt(1)).isZero();
            }
            try (ResultSet rs =
                    st.executeQuery(
                            "SELECT count(*) FROM pg_replication_slots "
                                    + "WHERE slot_name = 'leftover_slot'")) {
                rs.next();
                assertThat(rs.getInt(1)).as("slots of the previous test's database").isZero();
            }
        }
    }

    @Test
    void databaseNamesAreSafeIdentifiersOfAtMost63Bytes() {
        String name = PostgresExtension.databaseName(12, "weird-Name with spaces" + "x".repeat(80));
        assertThat(name).matches("[a-z0-9_]+").hasSizeLessThanOrEqualTo(63).startsWith("t12_");
    }

    private static String show(String setting) throws SQLException {
        try (Connection c = PG.connect();
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SHOW " + setting)) {
            rs.next();
            return rs.getString(1);
        }
    }
}
