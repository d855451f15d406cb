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
package dev.pgarrowcdc.flink.source.enumerator;

import dev.pgarrowcdc.flink.testutils.PostgresCluster;

import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The up-front checks against servers set up wrongly on purpose. */
class ServerChecksITCase {

    @Test
    void walLevelReplicaIsRefusedNamingTheSettingAndTheFix() throws Exception {
        try (PostgresCluster pg =
                        PostgresCluster.builder().setting("wal_level", "replica").start();
                Connection c = pg.connect("postgres")) {
            assertThatThrownBy(() -> ServerChecks.check(c))
                    .hasMessage(
                            "PostgreSQL setting wal_level is 'replica' but change data capture"
                                    + " needs 'logical': set wal_level = logical in postgresql.conf (or"
                                    + " ALTER SYSTEM SET wal_level = logical) and restart the server");
        }
    }

    @Test
    void outputPluginLibrariesWithoutWal2ArrowIsRefusedWithTheStatementToRun() throws Exception {
        try (PostgresCluster pg =
                        PostgresCluster.builder()
                                .setting("output_plugin_libraries", "'pgoutput, test_decoding'")
                                .start();
                Connection c = pg.connect("postgres")) {
            assumeTrue(
                    pg.setting("output_plugin_libraries") != null,
                    "this PostgreSQL build has no output_plugin_libraries setting");
            assertThatThrownBy(() -> ServerChecks.check(c))
                    .hasMessageContaining(
                            "output_plugin_libraries = 'pgoutput, test_decoding' does"
                                    + " not list wal2arrow")
                    .hasMessageContaining(
                            "ALTER SYSTEM SET output_plugin_libraries = pgoutput,"
                                    + " test_decoding, wal2arrow; (the list unquoted) and SELECT pg_reload_conf();");
        }
    }

    @Test
    void tooFewFreeSlotsOrWalSendersAreRefusedNamingTheSettingAndTheFix() throws Exception {
        try (PostgresCluster pg =
                        PostgresCluster.builder()
                                .setting("max_replication_slots", "3")
                                .setting("max_wal_senders", "1")
                                .start();
                Connection c = pg.connect("postgres")) {
            pg.execute(
                    "postgres",
                    "SELECT pg_create_logical_replication_slot('someone_else', 'test_decoding')");

            assertThatThrownBy(() -> ServerChecks.checkCapacity(c, List.of("s_a", "s_b", "s_c")))
                    .hasMessage(
                            "pg-arrow-cdc needs 3 more replication slots (one per captured table,"
                                    + " 3 captured) but PostgreSQL setting max_replication_slots = 3 and 1 are"
                                    + " in use: raise max_replication_slots to at least 4 (ALTER SYSTEM SET"
                                    + " max_replication_slots = 4; then restart the server), or capture fewer tables");
            assertThatThrownBy(() -> ServerChecks.checkCapacity(c, List.of("s_a", "s_b")))
                    .hasMessage(
                            "pg-arrow-cdc needs 2 more walsenders (replication connections) (one"
                                    + " per captured table, 2 captured) but PostgreSQL setting max_wal_senders"
                                    + " = 1 and 0 are in use: raise max_wal_senders to at least 2 (ALTER SYSTEM"
                                    + " SET max_wal_senders = 2; then restart the server), or capture fewer tables");
            // Slots that exist already need no new slot.
            ServerChecks.checkCapacity(c, List.of("someone_else"));
        }
    }
}
