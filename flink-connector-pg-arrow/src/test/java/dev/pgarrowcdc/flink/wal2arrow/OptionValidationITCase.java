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
package dev.pgarrowcdc.flink.wal2arrow;

import dev.pgarrowcdc.flink.testutils.PostgresCluster;
import dev.pgarrowcdc.flink.testutils.PostgresExtension;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Issue 3, test 10: a bad option value is an ERROR naming the option. */
class OptionValidationITCase {

    @RegisterExtension static final PostgresExtension PG = new PostgresExtension();

    @BeforeAll
    static void pluginBuilt() {
        PostgresCluster.requireWal2ArrowBuilt();
    }

    private static void read(String... options) throws SQLException {
        PG.execute("CREATE TABLE IF NOT EXISTS t (id int PRIMARY KEY)");
        PG.execute(
                "SELECT pg_create_logical_replication_slot('opts', 'wal2arrow')"
                        + " WHERE NOT EXISTS (SELECT FROM pg_replication_slots"
                        + " WHERE slot_name = 'opts')",
                "INSERT INTO t VALUES (1) ON CONFLICT DO NOTHING");
        try (Connection c = PG.connect()) {
            SlotChanges.peek(c, "opts", options);
        }
    }

    @ParameterizedTest(name = "{0} = {1}")
    @CsvSource({
        "format_version, 2",
        "format_version, 0",
        "format_version, one",
        "batch_rows, 0",
        "batch_rows, 10000001",
        "batch_rows, many",
        "batch_bytes, 1023",
        "batch_bytes, 268435457",
        "compression, gzip",
        "messages, maybe",
        "coalesce_frames, perhaps",
        "tables, 'public.\"unterminated'",
    })
    void aBadValueIsRefusedNamingTheOption(String option, String value) {
        assertThatThrownBy(() -> read(option, value))
                .isInstanceOf(SQLException.class)
                .hasMessageContaining(option)
                .hasMessageContaining("ERROR");
    }

    @Test
    void aCompressionLevelOutsideTheCodecsRangeIsRefused() {
        assertThatThrownBy(() -> read("compression", "lz4", "compression_level", "13"))
                .isInstanceOf(SQLException.class)
                .hasMessageContaining("compression_level");
        assertThatThrownBy(() -> read("compression", "zstd", "compression_level", "23"))
                .isInstanceOf(SQLException.class)
                .hasMessageContaining("compression_level");
    }

    @Test
    void anUnknownOptionIsRefusedByName() {
        assertThatThrownBy(() -> read("no_such_option", "1"))
                .isInstanceOf(SQLException.class)
                .hasMessageContaining("no_such_option");
    }

    @Test
    void aRepeatedOptionIsRefused() {
        assertThatThrownBy(() -> read("batch_rows", "10", "batch_rows", "20"))
                .isInstanceOf(SQLException.class)
                .hasMessageContaining("conflicting or redundant options")
                .hasMessageContaining("batch_rows");
    }

    @Test
    void aMissingValueIsRefusedNamingTheOption() throws SQLException {
        // The SQL functions refuse NULL option values themselves; only START_REPLICATION can
        // send an option without a value. The plugin's startup fails before COPY starts.
        read();
        try (Connection c = PG.connectForReplication();
                Statement st = c.createStatement()) {
            assertThatThrownBy(
                            () ->
                                    st.execute(
                                            "START_REPLICATION SLOT opts LOGICAL 0/0 (\"batch_rows\")"))
                    .isInstanceOf(SQLException.class)
                    .hasMessageContaining("batch_rows");
        }
    }
}
