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

import dev.pgarrowcdc.flink.source.Lsn;
import dev.pgarrowcdc.flink.source.PgArrowSourceConfig;
import dev.pgarrowcdc.flink.source.split.TableId;

import org.apache.flink.util.FlinkRuntimeException;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.annotation.Nullable;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/**
 * What a source may do with an existing replication slot, checked before a slot is created or taken
 * up again. Plain static methods on a catalog connection (any role that can read
 * pg_replication_slots and pg_stat_activity), so the reader and the enumerator can both call them.
 *
 * <p><b>Never touch what is not yours.</b> A slot held by a walsender whose {@code
 * application_name} is not this job's ({@link PgArrowSourceConfig#applicationName()}, which carries
 * a token generated once when the job's source was built) belongs to someone else, most likely
 * another job configured with the same {@code slot.name}: the source fails, naming the slot, the
 * holder's PID and application_name, and never terminates it. A holder with this job's own
 * application_name is a stale stream of an earlier attempt of this job (a walsender lingers until
 * it notices its client is gone): it is waited for and, if it stays, terminated.
 *
 * <p><b>No silent loss.</b> A split that resumes streaming from LSN X and finds its slot dropped,
 * or invalidated by PostgreSQL ({@code wal_status = 'lost'}, past {@code max_slot_wal_keep_size}),
 * cannot get the changes after X back. By default that fails the job, naming the slot, the LSN
 * range and the choices; {@code slot.accept-gap} = true creates a new slot, logs the range lost and
 * continues.
 */
public final class SlotChecks {

    private static final Logger LOG = LoggerFactory.getLogger(SlotChecks.class);

    private SlotChecks() {}

    /** One row of pg_replication_slots, and its holder from pg_stat_activity. */
    public static final class SlotInfo {
        public final String plugin;
        @Nullable public final Integer activePid;
        @Nullable public final String holderApplicationName;

        /** {@code reserved}, {@code extended}, {@code unreserved}, {@code lost}, or null. */
        @Nullable public final String walStatus;

        public final long confirmedFlushLsn;

        SlotInfo(
                String plugin,
                @Nullable Integer activePid,
                @Nullable String holderApplicationName,
                @Nullable String walStatus,
                long confirmedFlushLsn) {
            this.plugin = plugin;
            this.activePid = activePid;
            this.holderApplicationName = holderApplicationName;
            this.walStatus = walStatus;
            this.confirmedFlushLsn = confirmedFlushLsn;
        }

        public boolean lost() {
            return "lost".equals(walStatus);
        }
    }

    /** The slot, or null when there is none of that name. */
    @Nullable
    public static SlotInfo inspect(Connection c, String slotName) throws SQLException {
        try (PreparedStatement ps =
                c.prepareStatement(
                        "SELECT s.plugin, s.active_pid, a.application_name, s.wal_status,"
                                + " s.confirmed_flush_lsn::text"
                                + " FROM pg_catalog.pg_replication_slots s"
                                + " LEFT JOIN pg_catalog.pg_stat_activity a ON a.pid = s.active_pid"
                                + " WHERE s.slot_name = ?")) {
            ps.setString(1, slotName);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return null;
                }
                return new SlotInfo(
                        rs.getString(1),
                        (Integer) rs.getObject(2),
                        rs.getString(3),
                        rs.getString(4),
                        rs.getString(5) == null ? 0 : Lsn.parse(rs.getString(5)));
            }
        }
    }

    /**
     * Makes sure no other process holds the slot: returns when it is free, after waiting for (and
     * if need be terminating) a stale walsender of this same job.
     *
     * @throws FlinkRuntimeException when another process holds it, naming the slot, its PID and
     *     application_name
     */
    public static void requireNotHeldByOthers(
            Connection c, PgArrowSourceConfig config, String slotName, List<TableId> tables)
            throws SQLException {
        long deadline = System.nanoTime() + config.connectTimeout().toNanos();
        boolean terminated = false;
        while (true) {
            SlotInfo slot = inspect(c, slotName);
            if (slot == null || slot.activePid == null) {
                return;
            }
            if (!config.applicationName().equals(slot.holderApplicationName)) {
                throw heldByOther(config, slotName, tables, slot);
            }
            if (System.nanoTime() - deadline > 0 && !terminated) {
                LOG.info(
                        "Slot {} is still held by PID {}, a stream of an earlier attempt of this job"
                                + " ({}): terminating it",
                        slotName,
                        slot.activePid,
                        slot.holderApplicationName);
                try (PreparedStatement ps =
                        c.prepareStatement("SELECT pg_catalog.pg_terminate_backend(?)")) {
                    ps.setInt(1, slot.activePid);
                    ps.execute();
                }
                terminated = true;
                deadline = System.nanoTime() + config.connectTimeout().toNanos();
            } else if (System.nanoTime() - deadline > 0) {
                throw new FlinkRuntimeException(
                        "pg-arrow-cdc: replication slot '"
                                + slotName
                                + "' is still held by PID "
                                + slot.activePid
                                + " (this job's own earlier"
                                + " stream) after it was terminated; check the server log");
            }
            sleep(100);
        }
    }

    /**
     * Before a split that streamed up to {@code resumeLsn} takes its slot up again: whether the
     * slot can give every change after it.
     *
     * @return true when the slot is there and usable; false when it must be created again (gone or
     *     invalidated, and {@code slot.accept-gap} accepts it; an invalidated one has been dropped)
     * @throws FlinkRuntimeException when changes would be lost and {@code slot.accept-gap} is
     *     false, or another process holds the slot
     */
    public static boolean checkResumable(
            Connection c,
            PgArrowSourceConfig config,
            String slotName,
            List<TableId> tables,
            long resumeLsn)
            throws SQLException {
        SlotInfo slot = inspect(c, slotName);
        if (slot != null && !slot.lost()) {
            requireNotHeldByOthers(c, config, slotName, tables);
            return true;
        }
        String lostRange =
                "after LSN "
                        + (resumeLsn == 0 ? "(none emitted yet)" : Lsn.format(resumeLsn))
                        + " up to the current WAL position "
                        + Lsn.format(currentWalLsn(c));
        if (slot == null) {
            if (resumeLsn == 0) {
                return false; // nothing streamed yet: a new slot loses nothing of ours
            }
            if (!config.acceptSlotGap()) {
                throw new FlinkRuntimeException(
                        "pg-arrow-cdc: replication slot '"
                                + slotName
                                + "' of "
                                + tables
                                + " is gone (dropped while the job was stopped, or by"
                                + " someone else; or, for 'scan.startup.mode' = 'specific-offset', never"
                                + " created), so the changes "
                                + lostRange
                                + " can no longer be read:"
                                + " resuming would lose them silently. Choices: start the job without its"
                                + " state under a new 'slot.name' with 'scan.startup.mode' = 'initial' to"
                                + " read the tables again; or set 'slot.accept-gap' = 'true' to continue"
                                + " from a new slot and accept the gap.");
            }
            LOG.warn(
                    "Replication slot {} of {} is gone: 'slot.accept-gap' = true, so a new slot is"
                            + " created and the changes {} are NOT captured",
                    slotName,
                    tables,
                    lostRange);
            return false;
        }
        String setting = setting(c, "max_slot_wal_keep_size");
        if (!config.acceptSlotGap()) {
            throw new FlinkRuntimeException(
                    "pg-arrow-cdc: PostgreSQL invalidated replication slot '"
                            + slotName
                            + "' of "
                            + tables
                            + " (wal_status = lost): it held more WAL than"
                            + " max_slot_wal_keep_size = "
                            + setting
                            + " allows while the job was stopped or"
                            + " behind, and the server removed that WAL, so the changes "
                            + lostRange
                            + " can no longer be read. Choices: start the job without its state under a new"
                            + " 'slot.name' with 'scan.startup.mode' = 'initial' to read the tables again"
                            + " (and raise max_slot_wal_keep_size, or keep the job from falling so far"
                            + " behind); or set 'slot.accept-gap' = 'true' to continue from a new slot and"
                            + " accept the gap.");
        }
        requireNotHeldByOthers(c, config, slotName, tables);
        LOG.warn(
                "PostgreSQL invalidated replication slot {} of {} (wal_status = lost,"
                        + " max_slot_wal_keep_size = {}): 'slot.accept-gap' = true, so it is dropped, a new"
                        + " slot is created and the changes {} are NOT captured",
                slotName,
                tables,
                setting,
                lostRange);
        try (PreparedStatement ps =
                c.prepareStatement("SELECT pg_catalog.pg_drop_replication_slot(?)")) {
            ps.setString(1, slotName);
            ps.execute();
        }
        return false;
    }

    private static FlinkRuntimeException heldByOther(
            PgArrowSourceConfig config, String slotName, List<TableId> tables, SlotInfo slot) {
        boolean otherJob =
                slot.holderApplicationName != null
                        && slot.holderApplicationName.startsWith(
                                PgArrowSourceConfig.APPLICATION_NAME_PREFIX);
        return new FlinkRuntimeException(
                "pg-arrow-cdc: replication slot '"
                        + slotName
                        + "' (for "
                        + tables
                        + ") is in use by another process: PID "
                        + slot.activePid
                        + ", application_name '"
                        + slot.holderApplicationName
                        + "' (this job is '"
                        + config.applicationName()
                        + "')"
                        + (otherJob
                                ? ", another pg-arrow-cdc job with the same 'slot.name' = '"
                                        + config.slotPrefix()
                                        + "'"
                                : "")
                        + ". A slot can feed one reader only and this job does not take over a slot that is"
                        + " not provably its own: give each job its own 'slot.name', or stop the other"
                        + " process (SELECT pg_terminate_backend("
                        + slot.activePid
                        + ") if it is yours to"
                        + " stop).");
    }

    private static long currentWalLsn(Connection c) throws SQLException {
        try (Statement st = c.createStatement();
                ResultSet rs =
                        st.executeQuery(
                                "SELECT CASE WHEN pg_catalog.pg_is_in_recovery()"
                                        + " THEN pg_catalog.pg_last_wal_replay_lsn()"
                                        + " ELSE pg_catalog.pg_current_wal_lsn() END::text")) {
            rs.next();
            return rs.getString(1) == null ? 0 : Lsn.parse(rs.getString(1));
        }
    }

    private static String setting(Connection c, String name) throws SQLException {
        try (PreparedStatement ps =
                c.prepareStatement("SELECT pg_catalog.current_setting(?, true)")) {
            ps.setString(1, name);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new FlinkRuntimeException("Interrupted while waiting for a replication slot", e);
        }
    }
}
