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
import dev.pgarrowcdc.flink.source.StartupMode;
import dev.pgarrowcdc.flink.source.split.TableId;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.annotation.Nullable;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Every SQL statement on one split's replication slot: create it ({@link #create}, the only place a
 * slot is created), find it again to resume streaming ({@link #resume}, the only place an existing
 * slot is taken up), and drop one left by an unfinished snapshot ({@link #dropStale}).
 */
public final class SlotManager {

    private static final Logger LOG = LoggerFactory.getLogger(SlotManager.class);
    static final String PLUGIN = "wal2arrow";

    private final PgArrowSourceConfig config;
    private final String slotName;
    private final List<TableId> tables;

    public SlotManager(PgArrowSourceConfig config, String slotName, List<TableId> tables) {
        this.config = config;
        this.slotName = slotName;
        this.tables = tables;
    }

    String slotName() {
        return slotName;
    }

    /** A slot just created: where its stream starts, and its exported snapshot if asked for. */
    public static final class CreatedSlot {
        public final long consistentPoint;
        @Nullable public final String snapshotName;

        CreatedSlot(long consistentPoint, @Nullable String snapshotName) {
            this.consistentPoint = consistentPoint;
            this.snapshotName = snapshotName;
        }
    }

    /**
     * CREATE_REPLICATION_SLOT, exporting a snapshot or not. PostgreSQL 15 introduced the option
     * list; 13 and 14 know only the older keywords (which 15 to 18 still accept).
     */
    private String createSlotCommand(Connection replication, boolean exportSnapshot)
            throws SQLException {
        String snapshot;
        if (replication.getMetaData().getDatabaseMajorVersion() >= 15) {
            snapshot = exportSnapshot ? "(SNAPSHOT 'export')" : "(SNAPSHOT 'nothing')";
        } else {
            snapshot = exportSnapshot ? "EXPORT_SNAPSHOT" : "NOEXPORT_SNAPSHOT";
        }
        return "CREATE_REPLICATION_SLOT " + slotName + " LOGICAL " + PLUGIN + " " + snapshot;
    }

    /**
     * Creates the slot on {@code replication} (a replication connection).
     *
     * @param exportSnapshot whether to export the snapshot at the slot's consistent point; it lives
     *     as long as {@code replication} runs no other command
     */
    public CreatedSlot create(Connection replication, boolean exportSnapshot) throws SQLException {
        try (Statement st = replication.createStatement();
                ResultSet rs = st.executeQuery(createSlotCommand(replication, exportSnapshot))) {
            rs.next();
            CreatedSlot created =
                    new CreatedSlot(
                            Lsn.parse(rs.getString("consistent_point")),
                            exportSnapshot ? rs.getString("snapshot_name") : null);
            LOG.info(
                    "Created slot {} at {}{}",
                    slotName,
                    Lsn.format(created.consistentPoint),
                    exportSnapshot ? ", exporting snapshot " + created.snapshotName : "");
            return created;
        } catch (SQLException e) {
            throw creationFailed(e);
        }
    }

    /**
     * The LSN to stream from for a split that already streams: its own {@code resumeLsn} when the
     * slot exists (with our plugin) and no other process holds it ({@link SlotChecks}); when it is
     * gone or invalidated, the job fails unless {@code slot.accept-gap} accepts the lost range (or
     * nothing was streamed yet), and the slot is created again without a snapshot; {@code
     * resumeLsn} is still returned (the server starts at the slot's own position when that is
     * later).
     */
    long resume(Connection replication, long resumeLsn) throws SQLException {
        boolean usable;
        try (Connection c = config.connect()) {
            SlotChecks.SlotInfo existing = SlotChecks.inspect(c, slotName);
            if (existing != null && !PLUGIN.equals(existing.plugin)) {
                throw new SQLException(
                        "Replication slot '"
                                + slotName
                                + "' exists but"
                                + " uses output plugin '"
                                + existing.plugin
                                + "', not "
                                + PLUGIN
                                + ": drop it (SELECT pg_drop_replication_slot('"
                                + slotName
                                + "')) or choose another 'slot.name'");
            }
            if (existing == null && config.startupMode() == StartupMode.LATEST_OFFSET) {
                // latest-offset: a split cannot tell a fresh start (whose LSN is the moment the job
                // started) from a resume, so a missing slot is made anew, as before.
                usable = false;
            } else {
                usable = SlotChecks.checkResumable(c, config, slotName, tables, resumeLsn);
            }
        }
        if (usable) {
            return resumeLsn;
        }
        long created = create(replication, false).consistentPoint;
        if (resumeLsn != 0
                && Long.compareUnsigned(created, resumeLsn) > 0
                && config.startupMode() == StartupMode.LATEST_OFFSET) {
            LOG.warn(
                    "Slot {} did not exist and was created at {}: changes between {} and {} to {}"
                            + " (if any) are not captured",
                    slotName,
                    Lsn.format(created),
                    Lsn.format(resumeLsn),
                    Lsn.format(created),
                    tables);
        }
        return resumeLsn;
    }

    /**
     * A slot left by a snapshot that did not finish is useless: its snapshot is gone. It is
     * dropped, unless another process holds it ({@link SlotChecks#requireNotHeldByOthers}: the job
     * then fails naming the holder; a stale stream of this same job is waited for or ended).
     */
    public void dropStale() throws SQLException {
        try (Connection c = config.connect()) {
            if (SlotChecks.inspect(c, slotName) == null) {
                return;
            }
            SlotChecks.requireNotHeldByOthers(c, config, slotName, tables);
            LOG.info("Dropping slot {} left by an unfinished snapshot", slotName);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (true) {
                try (PreparedStatement ps =
                        c.prepareStatement("SELECT pg_catalog.pg_drop_replication_slot(?)")) {
                    ps.setString(1, slotName);
                    ps.execute();
                    return;
                } catch (SQLException e) {
                    // 55006: taken again meanwhile; look at the holder again
                    if (!"55006".equals(e.getSQLState()) || System.nanoTime() > deadline) {
                        throw e;
                    }
                    SlotChecks.requireNotHeldByOthers(c, config, slotName, tables);
                    sleep(50);
                }
            }
        }
    }

    private SQLException creationFailed(SQLException e) {
        String msg = e.getMessage() == null ? "" : e.getMessage();
        String hint;
        if (msg.contains("may not be used as an output plugin")) {
            hint =
                    "add wal2arrow to the server's output_plugin_libraries: ALTER SYSTEM SET"
                            + " output_plugin_libraries = pgoutput, test_decoding, wal2arrow; SELECT pg_reload_conf();";
        } else if (msg.contains("could not access file") || msg.contains("No such file")) {
            hint = "install the wal2arrow plugin on the server (make -C wal2arrow install)";
        } else if (msg.contains("all replication slots are in use")) {
            hint =
                    "raise max_replication_slots (restart) or capture fewer tables: this source uses"
                            + " one slot per table";
        } else {
            hint = "check the server log";
        }
        return new SQLException(
                "Creating replication slot '"
                        + slotName
                        + "' for "
                        + tables
                        + " failed: "
                        + msg
                        + " ("
                        + hint
                        + ")",
                e.getSQLState(),
                e);
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
