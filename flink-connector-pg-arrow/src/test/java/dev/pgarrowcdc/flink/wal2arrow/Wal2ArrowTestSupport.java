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

import dev.pgarrowcdc.flink.testutils.PostgresExtension;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;

/** Small helpers shared by the wal2arrow acceptance tests. */
final class Wal2ArrowTestSupport {

    private Wal2ArrowTestSupport() {}

    /** Runs the statements in one transaction and returns its xid (32-bit). */
    static long inTransaction(PostgresExtension pg, String... statements) throws SQLException {
        try (Connection c = pg.connect()) {
            c.setAutoCommit(false);
            long xid;
            try (Statement st = c.createStatement()) {
                for (String sql : statements) {
                    st.execute(sql);
                }
                try (ResultSet rs = st.executeQuery("SELECT pg_current_xact_id()::text::bigint")) {
                    rs.next();
                    xid = rs.getLong(1) & 0xFFFFFFFFL;
                }
            }
            c.commit();
            return xid;
        }
    }

    /** One value of a one-row query. */
    static String queryString(PostgresExtension pg, String sql) throws SQLException {
        try (Connection c = pg.connect();
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }

    static long queryLong(PostgresExtension pg, String sql) throws SQLException {
        try (Connection c = pg.connect();
                PreparedStatement ps = c.prepareStatement(sql);
                ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        }
    }

    static void createSlot(PostgresExtension pg, String slot) throws SQLException {
        try (Connection c = pg.connect()) {
            SlotChanges.createSlot(c, slot);
        }
    }

    static SlotChanges get(PostgresExtension pg, String slot, String... options)
            throws SQLException {
        try (Connection c = pg.connect()) {
            return SlotChanges.get(c, slot, options);
        }
    }

    static SlotChanges peek(PostgresExtension pg, String slot, String... options)
            throws SQLException {
        try (Connection c = pg.connect()) {
            return SlotChanges.peek(c, slot, options);
        }
    }

    /** Microseconds since 1970-01-01 of a zone-less timestamp. */
    static long micros(LocalDateTime t) {
        return t.toEpochSecond(ZoneOffset.UTC) * 1_000_000L + t.getNano() / 1000;
    }

    static long micros(OffsetDateTime t) {
        return t.toEpochSecond() * 1_000_000L + t.getNano() / 1000;
    }

    static int days(LocalDate d) {
        return Math.toIntExact(d.toEpochDay());
    }
}
