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

import dev.pgarrowcdc.flink.source.StartupMode;
import dev.pgarrowcdc.flink.source.TestSources;
import dev.pgarrowcdc.flink.source.reader.frame.WireFormat;
import dev.pgarrowcdc.flink.testutils.PostgresExtension;

import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.CloseableIterator;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The format_version handshake (PROTOCOL.md section 5): the connector asks the plugin for the
 * version its decoder reads when it starts the replication stream, and the plugin refuses, on that
 * same START_REPLICATION, a version it does not write.
 */
@Timeout(120)
class FormatVersionHandshakeITCase {

    @RegisterExtension
    static final PostgresExtension PG =
            new PostgresExtension(b -> b.setting("log_replication_commands", "on"));

    @RegisterExtension
    static final MiniClusterExtension FLINK =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(1)
                            .build());

    @Test
    void theConnectorAsksForTheVersionItsDecoderReads() throws Exception {
        PG.execute("CREATE TABLE t (id int PRIMARY KEY)", "INSERT INTO t VALUES (1)");
        Configuration conf = new Configuration();
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(1);

        try (CloseableIterator<String> it =
                env.fromSource(
                                TestSources.<String>builder(PG, "public.t")
                                        .startupMode(StartupMode.INITIAL)
                                        .deserializer(new TestSources.RowsAsText())
                                        .build(),
                                WatermarkStrategy.noWatermarks(),
                                "pg")
                        .executeAndCollect()) {
            assertThat(it.next()).isEqualTo("public.t +I(1)");
            // a row committed after the snapshot arrives through the replication stream
            PG.execute("INSERT INTO t VALUES (2)");
            assertThat(it.next()).isEqualTo("public.t +I(2)");
        }

        // The server logged the START_REPLICATION the reader sent (log_replication_commands);
        // pgjdbc sends the options in no particular order.
        assertThat(PG.cluster().serverLog())
                .containsPattern(
                        "START_REPLICATION SLOT \"?it_public_t\"? LOGICAL [0-9A-F/]+ \\(.*\""
                                + WireFormat.FORMAT_VERSION_OPTION
                                + "\" '"
                                + WireFormat.PROTOCOL_VERSION
                                + "'");
    }

    @Test
    void thePluginRefusesAVersionItDoesNotWriteWhenStreamingStarts() throws SQLException {
        PG.execute(
                "CREATE TABLE t (id int PRIMARY KEY)",
                "SELECT pg_create_logical_replication_slot('handshake', 'wal2arrow')");
        try (Connection c = PG.connectForReplication();
                Statement st = c.createStatement()) {
            assertThatThrownBy(
                            () ->
                                    st.execute(
                                            "START_REPLICATION SLOT handshake LOGICAL 0/0"
                                                    + " (\"format_version\" '"
                                                    + (WireFormat.PROTOCOL_VERSION + 1)
                                                    + "')"))
                    .isInstanceOf(SQLException.class)
                    .hasMessageContaining(
                            "format_version "
                                    + (WireFormat.PROTOCOL_VERSION + 1)
                                    + " is not supported by this wal2arrow");
        }
    }
}
