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

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

/** Lifecycle and failure reporting of the throwaway cluster itself. */
class PostgresClusterITCase {

    @Test
    void closeStopsTheServerAndDeletesItsFiles() throws SQLException {
        Path baseDir;
        String host;
        int port;
        try (PostgresCluster cluster = PostgresCluster.builder().start()) {
            baseDir = cluster.baseDir();
            host = cluster.host();
            port = cluster.port();
            try (Connection c = cluster.connect("postgres")) {
                assertThat(c.isValid(5)).isTrue();
            }
            assertThat(baseDir).isDirectory();
        }
        assertThat(Files.exists(baseDir)).as("data directory after close").isFalse();
        assertThatThrownBy(
                        () ->
                                java.sql.DriverManager.getConnection(
                                                "jdbc:postgresql://"
                                                        + host
                                                        + ":"
                                                        + port
                                                        + "/postgres",
                                                "postgres",
                                                "")
                                        .close())
                .as("connecting after close")
                .isInstanceOf(SQLException.class);
    }

    @Test
    void aMissingPgConfigIsNamedWithTheFix() {
        assumeFalse(
                PostgresContainer.selectedMajor() > 0,
                "pg_config chooses local binaries; a container backend takes its server from the image");
        assertThatThrownBy(
                        () -> PostgresCluster.builder().pgConfig("/nonexistent/pg_config").build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("/nonexistent/pg_config")
                .hasMessageContaining("PG_CONFIG")
                .hasMessageContaining("postgresql-server-dev-15");
    }

    @Test
    void aServerThatCannotStartReportsItsLogAndLeavesNoFiles() throws Exception {
        PostgresCluster cluster =
                PostgresCluster.builder().setting("wal_level", "no_such_level").build();
        Path baseDir = cluster.baseDir();
        assertThatThrownBy(cluster::start)
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("PostgreSQL did not start")
                .hasMessageContaining("wal_level");
        assertThat(Files.exists(baseDir)).isFalse();
    }
}
