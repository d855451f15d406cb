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
package dev.pgarrowcdc.flink.source.enumerator;

import dev.pgarrowcdc.flink.source.Lsn;
import dev.pgarrowcdc.flink.source.PgArrowSourceConfig;
import dev.pgarrowcdc.flink.source.SnapshotReadMode;
import dev.pgarrowcdc.flink.source.StartupMode;
import dev.pgarrowcdc.flink.source.split.ChunkFinishedEvent;
import dev.pgarrowcdc.flink.source.split.ChunkState;
import dev.pgarrowcdc.flink.source.split.ChunksAckedEvent;
import dev.pgarrowcdc.flink.source.split.PgArrowSplit;
import dev.pgarrowcdc.flink.source.split.TableId;

import org.apache.flink.annotation.VisibleForTesting;
import org.apache.flink.api.connector.source.SourceEvent;
import org.apache.flink.api.connector.source.SplitEnumerator;
import org.apache.flink.api.connector.source.SplitEnumeratorContext;
import org.apache.flink.api.connector.source.SplitsAssignment;
import org.apache.flink.util.FlinkRuntimeException;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.annotation.Nullable;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Discovers the captured tables, makes one stream split (one replication slot) per table and
 * assigns each to a fixed reader, {@code hash(slot name) mod parallelism}, so a table keeps its
 * reader across restarts with the same parallelism.
 *
 * <p>Snapshots ({@code initial}, {@code snapshot}, and every table found later) are chunked: per
 * table the slot is created first and its cut recorded ({@link SnapshotPlanner#cut}), then chunks
 * are planned a window at a time and handed to whichever reader asks, finished chunks come back as
 * {@link ChunkFinishedEvent}s (acknowledged once a checkpoint holding them completes), and when a
 * table's last chunk is finished its stream split is made, starting at the slot's consistent point
 * and carrying the chunks for reconciliation. No table waits for another. See docs/snapshot.md.
 *
 * <p>Catalog I/O runs through {@link SplitEnumeratorContext#callAsync} on Flink's worker thread,
 * never on the coordinator thread; the results are handled on the coordinator thread, which owns
 * all fields. Discovery repeats every {@code scan.table-discovery.interval} (unbounded modes), so a
 * table created while the job runs becomes a new split, read from its beginning.
 *
 * <p>The first discovery also checks the server (wal_level, REPLICATION, output_plugin_libraries,
 * free max_replication_slots and max_wal_senders for the tables' slots) and that {@code table-name}
 * matches at least one table; either failure fails the job with what to change. Later discoveries
 * that fail (say, the server restarting) are logged and retried at the next interval. A table
 * dropped while the job runs keeps its split and slot: the slot streams nothing more for it, and
 * the slot is left for the DBA to drop (a source never drops a slot it may still need on restore).
 */
public final class PgArrowSourceEnumerator
        implements SplitEnumerator<PgArrowSplit, PgArrowEnumState> {

    private static final Logger LOG = LoggerFactory.getLogger(PgArrowSourceEnumerator.class);

    private final SplitEnumeratorContext<PgArrowSplit> context;
    private final PgArrowSourceConfig config;
    private final TableDiscovery discovery;
    private final boolean bounded;

    private final SnapshotPlanner planner;
    private final Set<TableId> capturedTables;
    private final List<PgArrowSplit> unassignedSplits;
    private boolean initialDiscoveryDone;

    /** Tables whose slot and cut are still to be made, in order. */
    private final Set<TableId> tablesToCut;

    /** Tables whose cut runs now (not checkpointed: a restore makes it again). */
    private final Set<TableId> cutting = new HashSet<>();

    /** Snapshots in progress, by slot name. */
    private final Map<String, TableSnapshot> snapshots = new LinkedHashMap<>();

    /** Whether this enumerator took a checkpoint: then streams wait for one to complete. */
    private boolean checkpointSeen;

    /**
     * Without any checkpoint taken yet (checkpointing off, or its first one still to come), a table
     * whose chunks are all read streams after this grace period.
     */
    static final long NO_CHECKPOINT_GRACE_NANOS = 2_000_000_000L;

    /** Readers that asked for a chunk, in order. */
    private final Set<Integer> waitingReaders = new LinkedHashSet<>();

    /** Finished chunks reported since the last checkpoint: split id to the reporting reader. */
    private Map<String, Integer> acksPending = new HashMap<>();

    /** Per checkpoint taken, the finished chunks it holds, to acknowledge when it completes. */
    private final TreeMap<Long, Map<String, Integer>> acksByCheckpoint = new TreeMap<>();

    public PgArrowSourceEnumerator(
            SplitEnumeratorContext<PgArrowSplit> context,
            PgArrowSourceConfig config,
            PgArrowEnumState restored) {
        this.context = context;
        this.config = config;
        this.discovery = new TableDiscovery(config.tables());
        this.bounded = config.startupMode() == StartupMode.SNAPSHOT;
        this.planner = new SnapshotPlanner(config);
        this.capturedTables = new TreeSet<>(restored.capturedTables());
        this.unassignedSplits = new ArrayList<>(restored.unassignedSplits());
        this.initialDiscoveryDone = restored.initialDiscoveryDone();
        this.tablesToCut = new LinkedHashSet<>(restored.tablesToCut());
        for (TableSnapshot t : restored.snapshots()) {
            snapshots.put(t.slotName, t);
            registerGauges(t);
            if (t.allFinished() && !t.streamCreated && !bounded) {
                // Every chunk in a restored checkpoint is downstream and cannot be rolled back.
                createStream(t);
            }
        }
    }

    /** Set on the coordinator thread once the first discovery's function check is handled. */
    private volatile boolean snapshotFunctionChecked;

    @Override
    public void start() {
        LOG.info("Starting pg-arrow-cdc enumerator with {}", config);
        long interval = config.discoveryInterval().toMillis();
        startCuts();
        planChunks();
        if (!bounded) {
            context.callAsync(
                    () -> null, (ignored, error) -> startStreamsWithoutCheckpoint(), 500, 500);
        }
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
            String functionProblem = null;
            if (!snapshotFunctionChecked && config.snapshotReadMode() != SnapshotReadMode.TEXT) {
                functionProblem = SnapshotFunction.find(c).problem();
            }
            return new Discovered(tables, currentLsn, functionProblem);
        }
    }

    /**
     * Once per job (first discovery): {@code scan.snapshot.read-mode} 'arrow' fails without a
     * usable snapshot function, 'auto' says with a WARN that chunks are read as text.
     */
    private void snapshotFunctionChecked(@Nullable String problem) {
        if (snapshotFunctionChecked) {
            return;
        }
        snapshotFunctionChecked = true;
        if (problem == null) {
            if (config.snapshotReadMode() != SnapshotReadMode.TEXT) {
                LOG.info(
                        "Snapshot chunks of database '{}' are read as Arrow frames of {}",
                        config.database(),
                        SnapshotFunction.NAME);
            }
            return;
        }
        if (config.snapshotReadMode() == SnapshotReadMode.ARROW) {
            throw new FlinkRuntimeException(
                    "pg-arrow-cdc: 'scan.snapshot.read-mode' = 'arrow' but " + problem + ".");
        }
        LOG.warn(
                "pg-arrow-cdc: {}. Until then snapshot chunks are read as PostgreSQL text and"
                        + " converted in Java (slower, and values follow the snapshot's own type"
                        + " rules instead of the stream's); set 'scan.snapshot.read-mode' = 'text'"
                        + " to choose that path without this warning.",
                problem);
    }

    /** Runs on the coordinator thread. */
    @VisibleForTesting
    void handleDiscovery(@Nullable Discovered discovered, @Nullable Throwable error) {
        if (error != null) {
            if (!initialDiscoveryDone) {
                throw new FlinkRuntimeException(
                        "pg-arrow-cdc could not read the tables of database '"
                                + config.database()
                                + "' on "
                                + config.hostname()
                                + ":"
                                + config.port()
                                + ": "
                                + error.getMessage(),
                        error);
            }
            LOG.warn("Table re-discovery failed; retrying at the next interval", error);
            return;
        }
        if (!initialDiscoveryDone && discovered.tables.isEmpty()) {
            throw new FlinkRuntimeException(
                    "'table-name' = '"
                            + config.tables().source()
                            + "' matches no table in database '"
                            + config.database()
                            + "': check the schema and table names (unquoted"
                            + " parts are folded to lower case; write \"MixedCase\" in double"
                            + " quotes) and that the tables exist (permanent, not unlogged)");
        }
        snapshotFunctionChecked(discovered.snapshotFunctionProblem);
        List<TableId> created = new ArrayList<>();
        for (TableId table : discovered.tables) {
            if (capturedTables.add(table)) {
                created.add(table);
                PgArrowSplit split = newSplit(table, discovered.currentLsn);
                if (split == null) {
                    tablesToCut.add(table);
                } else {
                    unassignedSplits.add(split);
                }
            }
        }
        if (!created.isEmpty()) {
            LOG.info(
                    "{} {} table(s): {}",
                    initialDiscoveryDone ? "Discovered new" : "Capturing",
                    created.size(),
                    created);
        }
        initialDiscoveryDone = true;
        startCuts();
        assignPendingSplits();
    }

    /** The stream split of a table that needs no snapshot; null for one that does. */
    @Nullable
    private PgArrowSplit newSplit(TableId table, long currentLsn) {
        String slot = SlotNames.slotName(config.slotPrefix(), table);
        List<TableId> tables = Collections.singletonList(table);
        if (initialDiscoveryDone) {
            // A table that appeared while the job runs is read from its beginning in every mode.
            return null;
        }
        switch (config.startupMode()) {
            case INITIAL:
            case SNAPSHOT:
                return null;
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

    /** Creates the slot and records the cut of every table waiting for one, off this thread. */
    private void startCuts() {
        for (TableId table : tablesToCut) {
            if (cutting.add(table)) {
                String slot = SlotNames.slotName(config.slotPrefix(), table);
                context.callAsync(
                        () -> planner.cut(table, slot, bounded),
                        (cut, error) -> handleCut(table, cut, error));
            }
        }
    }

    private void handleCut(TableId table, @Nullable TableSnapshot cut, @Nullable Throwable error) {
        cutting.remove(table);
        if (error != null) {
            throw new FlinkRuntimeException(
                    "pg-arrow-cdc could not start the snapshot of table "
                            + table
                            + ": "
                            + error.getMessage(),
                    error);
        }
        tablesToCut.remove(table);
        snapshots.put(cut.slotName, cut);
        registerGauges(cut);
        planChunks();
    }

    /**
     * Plans more chunks, off this thread, while fewer than a window (two per reader) are planned
     * and not handed out: enough to keep every reader busy, few enough that the state stays small.
     */
    private void planChunks() {
        int window = Math.max(2, 2 * context.currentParallelism());
        int unassignedChunks = 0;
        for (PgArrowSplit s : unassignedSplits) {
            if (s.phase() == PgArrowSplit.Phase.CHUNK) {
                unassignedChunks++;
            }
        }
        for (TableSnapshot t : snapshots.values()) {
            if (unassignedChunks >= window) {
                break;
            }
            if (t.planningDone || t.planning) {
                continue;
            }
            t.planning = true;
            int count = window - unassignedChunks;
            String[] cursor = t.cursor;
            context.callAsync(
                    () -> planner.plan(t.table, t.key, cursor, count),
                    (planned, error) -> handlePlanned(t, planned, error));
            // Counted as planned already, so one call does not plan a window for every table.
            unassignedChunks += count;
        }
    }

    private void handlePlanned(
            TableSnapshot t, @Nullable SnapshotPlanner.Planned planned, @Nullable Throwable error) {
        t.planning = false;
        if (error != null) {
            throw new FlinkRuntimeException(
                    "pg-arrow-cdc could not plan the snapshot chunks of"
                            + " table "
                            + t.table
                            + ": "
                            + error.getMessage(),
                    error);
        }
        if (snapshots.get(t.slotName) != t) {
            return;
        }
        for (String[] boundary : planned.boundaries) {
            unassignedSplits.add(
                    PgArrowSplit.chunk(
                            t.slotName,
                            t.table,
                            ChunkState.planned(t.planned++, t.key, t.cut, t.cursor, boundary)));
            t.cursor = boundary;
        }
        if (planned.done) {
            unassignedSplits.add(
                    PgArrowSplit.chunk(
                            t.slotName,
                            t.table,
                            ChunkState.planned(t.planned++, t.key, t.cut, t.cursor, null)));
            t.planningDone = true;
            LOG.info("Table {}: all {} snapshot chunks planned", t.table, t.planned);
        }
        t.show();
        assignPendingSplits();
    }

    @Override
    public void handleSplitRequest(int subtaskId, @Nullable String requesterHostname) {
        // Stream splits are pushed to their owner; a request asks for a snapshot chunk.
        waitingReaders.add(subtaskId);
        assignPendingSplits();
    }

    @Override
    public void handleSourceEvent(int subtaskId, SourceEvent event) {
        if (!(event instanceof ChunkFinishedEvent)) {
            LOG.warn("Unexpected event from reader {}: {}", subtaskId, event);
            return;
        }
        ChunkFinishedEvent finished = (ChunkFinishedEvent) event;
        acksPending.put(finished.splitId(), subtaskId);
        TableSnapshot t = snapshots.get(finished.slotName());
        if (t == null || t.streamCreated) {
            // A report sent again after a restore: the chunk is already here.
            return;
        }
        // A later report of a chunk replaces an earlier one: a chunk is reported again only
        // after a failure rolled back what the earlier report described (see addSplitsBack).
        t.finished.put(finished.chunk().index(), finished.chunk());
        logProgress(t, false);
        if (t.allFinished()) {
            if (bounded) {
                snapshots.remove(t.slotName);
                logProgress(t, true);
            } else if (context.currentParallelism() == 1) {
                createStream(t);
            } else if (t.awaiting == TableSnapshot.NONE) {
                // Chunk rows of other readers may still be on their way downstream, and a
                // failure may still roll chunks back: a completed checkpoint settles both.
                t.awaiting = -1;
                t.allFinishedNanos = System.nanoTime();
                LOG.info(
                        "Table {}: every chunk is read; its stream starts when the next"
                                + " checkpoint completes",
                        t.table);
            }
        }
        assignPendingSplits();
    }

    /**
     * Starts the streams of tables whose chunks are all read when no checkpoint was ever taken and
     * the grace period passed: with checkpointing off nothing would start them. Their first changes
     * are then not ordered by a checkpoint barrier after other readers' chunk rows (see
     * docs/snapshot.md); a failure still cannot roll back a chunk they depend on unnoticed
     * (addSplitsBack).
     */
    private void startStreamsWithoutCheckpoint() {
        if (checkpointSeen) {
            return;
        }
        boolean started = false;
        long now = System.nanoTime();
        for (TableSnapshot t : snapshots.values()) {
            if (t.awaiting == -1
                    && t.allFinished()
                    && !t.streamCreated
                    && now - t.allFinishedNanos > NO_CHECKPOINT_GRACE_NANOS) {
                LOG.info(
                        "Table {}: no checkpoint was taken yet; its stream starts without one",
                        t.table);
                createStream(t);
                started = true;
            }
        }
        if (started) {
            assignPendingSplits();
        }
    }

    /** The table's stream: from the slot's consistent point, reconciled with its chunks. */
    private void createStream(TableSnapshot t) {
        unassignedSplits.add(
                PgArrowSplit.streamAfterSnapshot(
                        t.slotName, t.table, t.consistentPoint, t.reconciliation()));
        t.streamCreated = true;
        t.awaiting = TableSnapshot.NONE;
        t.doneAt = -1;
        logProgress(t, true);
    }

    /**
     * Per table, gauges in the enumerator's metric group ({@code snapshot.<schema.table>.*}, in
     * Flink's web UI under the source's JobManager operator metrics): chunks planned and finished,
     * rows read in finished chunks, the server's row estimate ({@code reltuples}).
     */
    private void registerGauges(TableSnapshot t) {
        if (t.gauges) {
            return;
        }
        t.gauges = true;
        org.apache.flink.metrics.MetricGroup g =
                context.metricGroup().addGroup("snapshot", t.table.toString());
        t.show();
        g.gauge("chunksPlanned", () -> t.shownPlanned);
        g.gauge("chunksFinished", () -> t.shownFinished);
        g.gauge("rowsRead", () -> t.shownRows);
        g.gauge("rowsEstimated", () -> t.estimatedRows);
    }

    /** A line per table every few seconds while its chunks finish, and one when it is done. */
    private void logProgress(TableSnapshot t, boolean done) {
        t.show();
        long now = System.nanoTime();
        if (!done && now - t.lastLogNanos < 5_000_000_000L) {
            return;
        }
        t.lastLogNanos = now;
        long rows = t.rowsRead();
        String percent =
                t.estimatedRows > 0
                        ? String.format("%.1f%%", Math.min(100.0, 100.0 * rows / t.estimatedRows))
                        : "?%";
        LOG.info(
                "Snapshot of {}: {} ({} of about {} rows, {} chunks finished of {} planned{})",
                t.table,
                done ? "done" : percent,
                rows,
                t.estimatedRows,
                t.finished.size(),
                t.planned,
                t.planningDone ? "" : " so far");
    }

    /**
     * A reader failed and restarts from a checkpoint. Splits assigned to it since then come back;
     * its chunk reports that no completed checkpoint acknowledged may describe reads the restore
     * rolls back, so they are forgotten: the restored reader reports again what its checkpoint
     * holds as finished, and reads again the rest.
     */
    @Override
    public void addSplitsBack(List<PgArrowSplit> splits, int subtaskId) {
        LOG.info(
                "Reader {} returned {} split(s) after a failure; reassigning",
                subtaskId,
                splits.size());
        waitingReaders.remove(subtaskId);
        Set<String> forgotten = new HashSet<>();
        forgotten.addAll(takeReportsOf(subtaskId, acksPending));
        for (Map<String, Integer> acks : acksByCheckpoint.values()) {
            forgotten.addAll(takeReportsOf(subtaskId, acks));
        }
        for (PgArrowSplit split : splits) {
            if (split.phase() == PgArrowSplit.Phase.CHUNK) {
                forgotten.add(split.splitId());
            }
        }
        for (String id : forgotten) {
            int at = id.lastIndexOf('#');
            TableSnapshot t = snapshots.get(id.substring(0, at));
            if (t != null) {
                t.finished.remove(Integer.parseInt(id.substring(at + 1)));
            }
        }
        for (PgArrowSplit split : splits) {
            TableSnapshot t = snapshots.get(split.slotName());
            if (split.phase() == PgArrowSplit.Phase.STREAM
                    && t != null
                    && t.streamCreated
                    && !t.allFinished()) {
                t.streamCreated = false;
                t.doneAt = TableSnapshot.NONE;
                continue;
            }
            unassignedSplits.add(split);
        }
        for (TableSnapshot t : snapshots.values()) {
            t.show();
            if (t.allFinished()) {
                continue;
            }
            t.awaiting = TableSnapshot.NONE;
            if (t.streamCreated) {
                boolean removed =
                        unassignedSplits.removeIf(
                                s ->
                                        s.phase() == PgArrowSplit.Phase.STREAM
                                                && s.slotName().equals(t.slotName));
                if (!removed) {
                    throw new FlinkRuntimeException(
                            "pg-arrow-cdc: reader "
                                    + subtaskId
                                    + " failed"
                                    + " after the stream of table "
                                    + t.table
                                    + " started on another reader"
                                    + " from chunks that the failure rolls back; restarting the job from"
                                    + " its last checkpoint");
                }
                t.streamCreated = false;
                t.doneAt = TableSnapshot.NONE;
            }
        }
        assignPendingSplits();
    }

    /** Removes and returns the reports of {@code subtaskId} from {@code acks}. */
    private static List<String> takeReportsOf(int subtaskId, Map<String, Integer> acks) {
        List<String> out = new ArrayList<>();
        for (Iterator<Map.Entry<String, Integer>> it = acks.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<String, Integer> e = it.next();
            if (e.getValue() == subtaskId) {
                out.add(e.getKey());
                it.remove();
            }
        }
        return out;
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
            int owner;
            if (split.phase() == PgArrowSplit.Phase.CHUNK) {
                Integer reader = nextWaitingReader();
                if (reader == null) {
                    continue;
                }
                owner = reader;
            } else {
                owner = ownerOf(split.splitId(), parallelism);
            }
            if (context.registeredReaders().containsKey(owner)) {
                assignment.computeIfAbsent(owner, k -> new ArrayList<>()).add(split);
                it.remove();
            }
        }
        if (!assignment.isEmpty()) {
            LOG.debug("Assigning {}", assignment);
            context.assignSplits(new SplitsAssignment<>(assignment));
        }
        planChunks();
        if (bounded
                && initialDiscoveryDone
                && tablesToCut.isEmpty()
                && snapshots.isEmpty()
                && unassignedSplits.isEmpty()) {
            for (int reader : context.registeredReaders().keySet()) {
                context.signalNoMoreSplits(reader);
            }
        }
    }

    /** A registered reader that asked for a chunk (taken off the list), or null. */
    @Nullable
    private Integer nextWaitingReader() {
        for (Iterator<Integer> it = waitingReaders.iterator(); it.hasNext(); ) {
            int reader = it.next();
            it.remove();
            if (context.registeredReaders().containsKey(reader)) {
                return reader;
            }
        }
        return null;
    }

    /** The reader that owns a split: stable for a given parallelism. */
    public static int ownerOf(String splitId, int parallelism) {
        return (splitId.hashCode() & Integer.MAX_VALUE) % parallelism;
    }

    @Override
    public PgArrowEnumState snapshotState(long checkpointId) {
        checkpointSeen = true;
        acksByCheckpoint.put(checkpointId, acksPending);
        acksPending = new HashMap<>();
        for (TableSnapshot t : snapshots.values()) {
            if (t.awaiting == -1) {
                t.awaiting = checkpointId;
            }
            if (t.doneAt == -1) {
                t.doneAt = checkpointId;
            }
        }
        return new PgArrowEnumState(
                capturedTables,
                unassignedSplits,
                initialDiscoveryDone,
                new ArrayList<>(tablesToCut),
                new ArrayList<>(snapshots.values()));
    }

    /** Acknowledges the finished chunks that a completed checkpoint holds. */
    @Override
    public void notifyCheckpointComplete(long checkpointId) {
        Map<Integer, List<String>> byReader = new HashMap<>();
        Map<Long, Map<String, Integer>> done = acksByCheckpoint.headMap(checkpointId, true);
        for (Map<String, Integer> acks : done.values()) {
            for (Map.Entry<String, Integer> e : acks.entrySet()) {
                byReader.computeIfAbsent(e.getValue(), k -> new ArrayList<>()).add(e.getKey());
            }
        }
        done.clear();
        boolean released = false;
        for (Iterator<TableSnapshot> it = snapshots.values().iterator(); it.hasNext(); ) {
            TableSnapshot t = it.next();
            if (t.doneAt >= 0 && t.doneAt <= checkpointId) {
                // A completed checkpoint holds the stream split: no restore goes back before it.
                it.remove();
            } else if (t.awaiting >= 0
                    && t.awaiting <= checkpointId
                    && t.allFinished()
                    && !t.streamCreated) {
                createStream(t);
                released = true;
            }
        }
        if (released) {
            assignPendingSplits();
        }
        for (Map.Entry<Integer, List<String>> e : byReader.entrySet()) {
            if (context.registeredReaders().containsKey(e.getKey())) {
                context.sendEventToSourceReader(e.getKey(), new ChunksAckedEvent(e.getValue()));
            }
        }
    }

    @Override
    public void close() {}

    /** What one discovery found. */
    @VisibleForTesting
    static final class Discovered {
        final List<TableId> tables;

        /** pg_current_wal_lsn() for latest-offset, else 0. */
        final long currentLsn;

        /** Why the snapshot function cannot be used (first discovery only), or null. */
        @Nullable final String snapshotFunctionProblem;

        Discovered(
                List<TableId> tables, long currentLsn, @Nullable String snapshotFunctionProblem) {
            this.tables = tables;
            this.currentLsn = currentLsn;
            this.snapshotFunctionProblem = snapshotFunctionProblem;
        }
    }
}
