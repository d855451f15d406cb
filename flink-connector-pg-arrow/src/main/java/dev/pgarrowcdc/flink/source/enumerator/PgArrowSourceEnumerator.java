package dev.pgarrowcdc.flink.source.enumerator;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import javax.annotation.Nullable;

import org.apache.flink.annotation.VisibleForTesting;
import org.apache.flink.api.connector.source.SplitEnumerator;
import org.apache.flink.api.connector.source.SplitEnumeratorContext;
import org.apache.flink.api.connector.source.SplitsAssignment;
import org.apache.flink.util.FlinkRuntimeException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.pgarrowcdc.flink.source.Lsn;
import dev.pgarrowcdc.flink.source.PgArrowSourceConfig;
import dev.pgarrowcdc.flink.source.StartupMode;
import dev.pgarrowcdc.flink.source.split.PgArrowSplit;
import dev.pgarrowcdc.flink.source.split.TableId;

/**
 * Discovers the captured tables, makes one split (one replication slot) per table and assigns
 * each split to a fixed reader, {@code hash(slot name) mod parallelism}, so a table keeps its
 * reader across restarts with the same parallelism.
 *
 * <p>Catalog I/O runs through {@link SplitEnumeratorContext#callAsync} on Flink's worker thread,
 * never on the coordinator thread; the results are handled on the coordinator thread, which owns
 * all fields. Discovery repeats every {@code scan.table-discovery.interval} (unbounded modes), so
 * a table created while the job runs becomes a new split, read from its beginning.
 *
 * <p>The first discovery also checks the server (wal_level, REPLICATION, output_plugin_libraries,
 * free max_replication_slots and max_wal_senders for the tables' slots) and that {@code
 * table-name} matches at least one table; either failure fails the job with what to change. Later discoveries that fail (say, the server restarting) are logged and retried at the
 * next interval. A table dropped while the job runs keeps its split and slot: the slot streams
 * nothing more for it, and the slot is left for the DBA to drop (a source never drops a slot it
 * may still need on restore).
 */
public final class PgArrowSourceEnumerator implements SplitEnumerator<PgArrowSplit, PgArrowEnumState> {

    private static final Logger LOG = LoggerFactory.getLogger(PgArrowSourceEnumerator.class);

    private final SplitEnumeratorContext<PgArrowSplit> context;
    private final PgArrowSourceConfig config;
    private final TableDiscovery discovery;
    private final boolean bounded;

    private final Set<TableId> capturedTables;
    private final List<PgArrowSplit> unassignedSplits;
    private boolean initialDiscoveryDone;

    public PgArrowSourceEnumerator(
            SplitEnumeratorContext<PgArrowSplit> context,
            PgArrowSourceConfig config,
            PgArrowEnumState restored) {
        this.context = context;
        this.config = config;
        this.discovery = new TableDiscovery(config.tables());
        this.bounded = config.startupMode() == StartupMode.SNAPSHOT;
        this.capturedTables = new TreeSet<>(restored.capturedTables());
        this.unassignedSplits = new ArrayList<>(restored.unassignedSplits());
        this.initialDiscoveryDone = restored.initialDiscoveryDone();
    }

    @Override
    public void start() {
        LOG.info("Starting pg-arrow-cdc enumerator with {}", config);
        long interval = config.discoveryInterval().toMillis();
        if (bounded && initialDiscoveryDone) {
            return;
        }
        if (interval > 0 && !bounded) {
            context.callAsync(this::discover, this::handleDiscovery, 0, interval);
        } else {
            context.callAsync(this::discover, this::handleDiscovery);
        }
    }

    /** Runs on Flink's worker thread: reads only the immutable config. */
    @VisibleForTesting
    Discovered discover() throws SQLException {
        try (Connection c = config.connect()) {
            ServerChecks.check(c);
            List<TableId> tables = discovery.discover(c);
            ServerChecks.checkPrivileges(c, tables);
            if (!bounded) {
                List<String> slots = new ArrayList<>(tables.size());
                for (TableId t : tables) {
                    slots.add(SlotNames.slotName(config.slotPrefix(), t));
                }
                ServerChecks.checkCapacity(c, slots);
            }
            long currentLsn = 0;
            if (config.startupMode() == StartupMode.LATEST_OFFSET) {
                try (Statement st = c.createStatement();
                        ResultSet rs = st.executeQuery("SELECT pg_catalog.pg_current_wal_lsn()")) {
                    rs.next();
                    currentLsn = Lsn.parse(rs.getString(1));
                }
            }
            return new Discovered(tables, currentLsn);
        }
    }

    /** Runs on the coordinator thread. */
    @VisibleForTesting
    void handleDiscovery(@Nullable Discovered discovered, @Nullable Throwable error) {
        if (error != null) {
            if (!initialDiscoveryDone) {
                throw new FlinkRuntimeException(
                        "pg-arrow-cdc could not read the tables of database '" + config.database()
                                + "' on " + config.hostname() + ":" + config.port() + ": "
                                + error.getMessage(),
                        error);
            }
            LOG.warn("Table re-discovery failed; retrying at the next interval", error);
            return;
        }
        if (!initialDiscoveryDone && discovered.tables.isEmpty()) {
            throw new FlinkRuntimeException(
                    "'table-name' = '" + config.tables().source() + "' matches no table in database '"
                            + config.database() + "': check the schema and table names (unquoted"
                            + " parts are folded to lower case; write \"MixedCase\" in double"
                            + " quotes) and that the tables exist (permanent, not unlogged)");
        }
        List<PgArrowSplit> created = new ArrayList<>();
        for (TableId table : discovered.tables) {
            if (capturedTables.add(table)) {
                created.add(newSplit(table, discovered.currentLsn));
            }
        }
        if (!created.isEmpty()) {
            LOG.info("{} {} table(s): {}", initialDiscoveryDone ? "Discovered new" : "Capturing",
                    created.size(), created);
        }
        initialDiscoveryDone = true;
        unassignedSplits.addAll(created);
        assignPendingSplits();
    }

    private PgArrowSplit newSplit(TableId table, long currentLsn) {
        String slot = SlotNames.slotName(config.slotPrefix(), table);
        List<TableId> tables = Collections.singletonList(table);
        if (initialDiscoveryDone) {
            // A table that appeared while the job runs is read from its beginning in every mode.
            return PgArrowSplit.fresh(slot, tables, PgArrowSplit.Phase.SNAPSHOT, 0);
        }
        switch (config.startupMode()) {
            case INITIAL:
            case SNAPSHOT:
                return PgArrowSplit.fresh(slot, tables, PgArrowSplit.Phase.SNAPSHOT, 0);
            case LATEST_OFFSET:
                return PgArrowSplit.fresh(slot, tables, PgArrowSplit.Phase.STREAM, currentLsn);
            case COMMITTED_OFFSET:
                return PgArrowSplit.fresh(slot, tables, PgArrowSplit.Phase.STREAM, 0);
            case SPECIFIC_OFFSET:
                return PgArrowSplit.fresh(
                        slot, tables, PgArrowSplit.Phase.STREAM, config.specificOffsetLsn());
            default:
                throw new IllegalStateException("Unknown startup mode " + config.startupMode());
        }
    }

    @Override
    public void handleSplitRequest(int subtaskId, @Nullable String requesterHostname) {
        // Splits are pushed to their owner as soon as it registers.
    }

    @Override
    public void addSplitsBack(List<PgArrowSplit> splits, int subtaskId) {
        LOG.info("Reader {} returned {} split(s) after a failure; reassigning", subtaskId, splits.size());
        unassignedSplits.addAll(splits);
        assignPendingSplits();
    }

    @Override
    public void addReader(int subtaskId) {
        assignPendingSplits();
    }

    private void assignPendingSplits() {
        int parallelism = context.currentParallelism();
        Map<Integer, List<PgArrowSplit>> assignment = new HashMap<>();
        for (Iterator<PgArrowSplit> it = unassignedSplits.iterator(); it.hasNext(); ) {
            PgArrowSplit split = it.next();
            int owner = ownerOf(split.splitId(), parallelism);
            if (context.registeredReaders().containsKey(owner)) {
                assignment.computeIfAbsent(owner, k -> new ArrayList<>()).add(split);
                it.remove();
            }
        }
        if (!assignment.isEmpty()) {
            LOG.debug("Assigning {}", assignment);
            context.assignSplits(new SplitsAssignment<>(assignment));
        }
        if (bounded && initialDiscoveryDone) {
            for (int reader : context.registeredReaders().keySet()) {
                if (unassignedSplits.stream()
                        .noneMatch(s -> ownerOf(s.splitId(), parallelism) == reader)) {
                    context.signalNoMoreSplits(reader);
                }
            }
        }
    }

    /** The reader that owns a split: stable for a given parallelism. */
    public static int ownerOf(String splitId, int parallelism) {
        return (splitId.hashCode() & Integer.MAX_VALUE) % parallelism;
    }

    @Override
    public PgArrowEnumState snapshotState(long checkpointId) {
        return new PgArrowEnumState(capturedTables, unassignedSplits, initialDiscoveryDone);
    }

    @Override
    public void close() {}

    /** What one discovery found. */
    @VisibleForTesting
    static final class Discovered {
        final List<TableId> tables;
        /** pg_current_wal_lsn() for latest-offset, else 0. */
        final long currentLsn;

        Discovered(List<TableId> tables, long currentLsn) {
            this.tables = tables;
            this.currentLsn = currentLsn;
        }
    }
}
