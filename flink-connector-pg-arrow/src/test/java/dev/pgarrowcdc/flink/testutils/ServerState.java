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

import dev.pgarrowcdc.flink.source.Lsn;

import javax.annotation.Nullable;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * What the fixture's server says about its WAL and a test database's replication slots: the
 * readings tests wait on and assert against.
 */
public final class ServerState {

    private ServerState() {}

    /** The first column of the query's first row as text; null when it has no row. */
    @Nullable
    public static String query(PostgresExtension pg, String sql, Object... parameters)
            throws SQLException {
        try (Connection c = pg.connect();
                PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < parameters.length; i++) {
                ps.setObject(i + 1, parameters[i]);
            }
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        }
    }

    /** The first column of the query's first row as a number. */
    public static long queryLong(PostgresExtension pg, String sql, Object... parameters)
            throws SQLException {
        String value = query(pg, sql, parameters);
        if (value == null) {
            throw new AssertionError("no row from " + sql);
        }
        return Long.parseLong(value);
    }

    /** {@code pg_current_wal_lsn()}: where the next WAL record will be written. */
    public static long currentWalLsn(PostgresExtension pg) throws SQLException {
        return Lsn.parse(query(pg, "SELECT pg_current_wal_lsn()::text"));
    }

    /** The slot's {@code confirmed_flush_lsn}: what its consumer confirmed. */
    public static long confirmedFlushLsn(PostgresExtension pg, String slot) throws SQLException {
        return slotLsn(pg, "confirmed_flush_lsn", slot);
    }

    /** The slot's {@code restart_lsn}: the oldest WAL it keeps. */
    public static long restartLsn(PostgresExtension pg, String slot) throws SQLException {
        return slotLsn(pg, "restart_lsn", slot);
    }

    /** Whether a walsender streams the slot now. */
    public static boolean slotActive(PostgresExtension pg, String slot) throws SQLException {
        return walsenderPid(pg, slot) != null;
    }

    /** The PID of the walsender streaming the slot; null while none does. */
    @Nullable
    public static Integer walsenderPid(PostgresExtension pg, String slot) throws SQLException {
        String pid =
                query(pg, "SELECT active_pid FROM pg_replication_slots WHERE slot_name = ?", slot);
        return pid == null ? null : Integer.valueOf(pid);
    }

    /**
     * The {@code write_lsn} and {@code reply_time} (microseconds since 1970) of the last status
     * update the slot's consumer sent to its walsender, from {@code pg_stat_replication}; null
     * while no walsender streams the slot or none was received yet. The walsender applies an
     * update, flush position included, before it reads the next one: once a later update has
     * arrived, every position the earlier one carried has reached the slot.
     */
    @Nullable
    public static StatusUpdate lastStatusUpdate(PostgresExtension pg, String slot)
            throws SQLException {
        try (Connection c = pg.connect();
                PreparedStatement ps =
                        c.prepareStatement(
                                "SELECT r.write_lsn::text,"
                                        + " (extract(epoch FROM r.reply_time) * 1000000)::bigint"
                                        + " FROM pg_replication_slots s"
                                        + " JOIN pg_stat_replication r ON r.pid = s.active_pid"
                                        + " WHERE s.slot_name = ? AND r.reply_time IS NOT NULL")) {
            ps.setString(1, slot);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next()
                        ? new StatusUpdate(Lsn.parse(rs.getString(1)), rs.getLong(2))
                        : null;
            }
        }
    }

    /** A consumer's status update as its walsender recorded it. */
    public static final class StatusUpdate {
        /** The position the consumer reported as received. */
        public final long writeLsn;

        /** When the consumer sent it, microseconds since 1970. */
        public final long replyTimeMicros;

        StatusUpdate(long writeLsn, long replyTimeMicros) {
            this.writeLsn = writeLsn;
            this.replyTimeMicros = replyTimeMicros;
        }

        @Override
        public String toString() {
            return "write_lsn " + Lsn.format(writeLsn) + " at " + replyTimeMicros;
        }
    }

    private static long slotLsn(PostgresExtension pg, String column, String slot)
            throws SQLException {
        String lsn =
                query(
                        pg,
                        "SELECT " + column + "::text FROM pg_replication_slots WHERE slot_name = ?",
                        slot);
        if (lsn == null) {
            throw new AssertionError("no slot " + slot + " (or no " + column + ")");
        }
        return Lsn.parse(lsn);
    }
}
