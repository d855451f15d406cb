package dev.pgarrowcdc.flink.source.reader;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.TimeUnit;

import javax.annotation.Nullable;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.pgarrowcdc.flink.source.Lsn;
import dev.pgarrowcdc.flink.source.PgArrowSourceConfig;
import dev.pgarrowcdc.flink.source.StartupMode;
import dev.pgarrowcdc.flink.source.split.TableId;

/**
 * Every SQL statement on one split's replication slot: create it ({@link #create}, the only place
 * a slot is created), find it again to resume streaming ({@link #resume}, the only place an
 * existing slot is taken up), and drop one left by an unfinished snapshot ({@link #dropStale}).
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
     * Creates the slot on {@code replication} (a replication connection).
     *
     * @param exportSnapshot whether to export the snapshot at the slot's consistent point; it
     *     lives as long as {@code replication} runs no other command
     */
    public CreatedSlot create(Connection replication, boolean exportSnapshot) throws SQLException {
        try (Statement st = replication.createStatement();
                ResultSet rs = st.executeQuery("CREATE_REPLICATION_SLOT " + slotName
                        + " LOGICAL " + PLUGIN
                        + (exportSnapshot ? " (SNAPSHOT 'export')" : " (SNAPSHOT 'nothing')"))) {
            rs.next();
            CreatedSlot created = new CreatedSlot(Lsn.parse(rs.getString("consistent_point")),
                    exportSnapshot ? rs.getString("snapshot_name") : null);
            LOG.info("Created slot {} at {}{}", slotName, Lsn.format(created.consistentPoint),
                    exportSnapshot ? ", exporting snapshot " + created.snapshotName : "");
            return created;
        } catch (SQLException e) {
            throw creationFailed(e);
        }
    }

    /**
     * The LSN to stream from for a split that already streams: its own {@code resumeLsn} when the
     * slot exists (with our plugin); when it does not, the slot is created without a snapshot, a
     * gap (if any) logged, and {@code resumeLsn} still returned (the server starts at the slot's
     * own position when that is later).
     */
    long resume(Connection replication, long resumeLsn) throws SQLException {
        try (Connection c = config.connect();
                PreparedStatement ps = c.prepareStatement(
                        "SELECT confirmed_flush_lsn, plugin FROM pg_catalog.pg_replication_slots"
                                + " WHERE slot_name = ?")) {
            ps.setString(1, slotName);
            try (ResultSet rs = ps.executeQuery()) {
                if (rs.next()) {
                    if (!PLUGIN.equals(rs.getString(2))) {
                        throw new SQLException("Replication slot '" + slotName + "' exists but"
                                + " uses output plugin '" + rs.getString(2) + "', not " + PLUGIN
                                + ": drop it (SELECT pg_drop_replication_slot('" + slotName
                                + "')) or choose another 'slot.name'");
                    }
                    return resumeLsn;
                }
            }
        }
        long created = create(replication, false).consistentPoint;
        if (resumeLsn != 0 && Long.compareUnsigned(created, resumeLsn) > 0
                && config.startupMode() != StartupMode.LATEST_OFFSET) {
            LOG.warn("Slot {} did not exist and was created at {}: changes between {} and {} to {}"
                            + " (if any) are not captured", slotName, Lsn.format(created),
                    Lsn.format(resumeLsn), Lsn.format(created), tables);
        }
        return resumeLsn;
    }

    /** A slot left by a snapshot that did not finish is useless: its snapshot is gone. */
    public void dropStale() throws SQLException {
        try (Connection c = config.connect()) {
            Integer pid = null;
            boolean exists = false;
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT active_pid FROM pg_catalog.pg_replication_slots WHERE slot_name = ?")) {
                ps.setString(1, slotName);
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) {
                        exists = true;
                        pid = (Integer) rs.getObject(1);
                    }
                }
            }
            if (!exists) {
                return;
            }
            LOG.info("Dropping slot {} left by an unfinished snapshot", slotName);
            if (pid != null) {
                try (PreparedStatement ps = c.prepareStatement("SELECT pg_terminate_backend(?)")) {
                    ps.setInt(1, pid);
                    ps.execute();
                }
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (true) {
                try (PreparedStatement ps =
                        c.prepareStatement("SELECT pg_catalog.pg_drop_replication_slot(?)")) {
                    ps.setString(1, slotName);
                    ps.execute();
                    return;
                } catch (SQLException e) {
                    // 55006: still active while the terminated walsender exits
                    if (!"55006".equals(e.getSQLState()) || System.nanoTime() > deadline) {
                        throw e;
                    }
                    sleep(50);
                }
            }
        }
    }

    private SQLException creationFailed(SQLException e) {
        String msg = e.getMessage() == null ? "" : e.getMessage();
        String hint;
        if (msg.contains("may not be used as an output plugin")) {
            hint = "add wal2arrow to the server's output_plugin_libraries: ALTER SYSTEM SET"
                    + " output_plugin_libraries = pgoutput, test_decoding, wal2arrow; SELECT pg_reload_conf();";
        } else if (msg.contains("could not access file") || msg.contains("No such file")) {
            hint = "install the wal2arrow plugin on the server (make -C wal2arrow install)";
        } else if (msg.contains("all replication slots are in use")) {
            hint = "raise max_replication_slots (restart) or capture fewer tables: this source uses"
                    + " one slot per table";
        } else {
            hint = "check the server log";
        }
        return new SQLException("Creating replication slot '" + slotName + "' for "
                + tables + " failed: " + msg + " (" + hint + ")", e.getSQLState(), e);
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
