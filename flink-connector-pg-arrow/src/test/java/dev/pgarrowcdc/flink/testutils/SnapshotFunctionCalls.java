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

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * Calls of wal2arrow's snapshot function in the test database, counted by the server ({@code
 * pg_stat_user_functions}, with {@code track_functions = 'all'} for the database's new sessions):
 * proof that snapshot chunks were (or were not) read as Arrow frames, whatever the connector says
 * about itself.
 */
public final class SnapshotFunctionCalls {

    private SnapshotFunctionCalls() {}

    /** Counts the function's calls in sessions that start from now on. */
    public static void track(PostgresExtension pg) throws SQLException {
        pg.cluster()
                .execute(
                        "postgres",
                        "ALTER DATABASE " + pg.database() + " SET track_functions = 'all'");
    }

    /** Calls counted so far (those of sessions that ended, or reported at their idle time). */
    public static long calls(PostgresExtension pg) throws SQLException {
        return calls(pg, null);
    }

    /** Calls counted so far of the function in {@code schema} (null: in any schema). */
    public static long calls(PostgresExtension pg, String schema) throws SQLException {
        try (Connection c = pg.connect();
                PreparedStatement ps =
                        c.prepareStatement(
                                "SELECT coalesce(sum(calls), 0) FROM pg_catalog.pg_stat_user_functions"
                                        + " WHERE funcname = 'wal2arrow_snapshot'"
                                        + " AND (?::text IS NULL OR schemaname = ?::text)")) {
            ps.setString(1, schema);
            ps.setString(2, schema);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    /**
     * Calls the function once from a session of its own (a marker): once the server counts it,
     * {@link #calls} is 1 only if nothing else called the function before.
     */
    public static long callsBeforeMarker(PostgresExtension pg) throws Exception {
        try (Connection c = pg.connect();
                Statement st = c.createStatement()) {
            st.execute("CREATE TABLE IF NOT EXISTS snapshot_function_marker (id int)");
            st.execute(
                    "SELECT count(*) FROM wal2arrow_snapshot('snapshot_function_marker'::regclass,"
                            + " NULL, 'SELECT id FROM snapshot_function_marker', NULL, 1, 1024,"
                            + " 'none', 1)");
        }
        long total = Await.value("the marker call is counted", () -> calls(pg), n -> n >= 1);
        return total - 1;
    }
}
