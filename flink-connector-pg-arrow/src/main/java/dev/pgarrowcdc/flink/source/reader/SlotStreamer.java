package dev.pgarrowcdc.flink.source.reader;

import java.io.IOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;

import org.apache.arrow.memory.BufferAllocator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.pgarrowcdc.flink.source.Lsn;
import dev.pgarrowcdc.flink.source.PgArrowSourceConfig;
import dev.pgarrowcdc.flink.source.StartupMode;
import dev.pgarrowcdc.flink.source.split.PgArrowSplit;

/**
 * One split, driven by the fetcher thread: its snapshot phase, then its stream. The parts do the
 * work: {@link SlotManager} the slot's SQL, {@link SnapshotReader} the snapshot rows, {@link
 * StreamConnection} the replication stream (with {@link FrameTranslator} turning frames into
 * records). Not thread safe; every method runs on the fetcher thread.
 *
 * <p>A split restored in the SNAPSHOT phase (the job failed mid-snapshot) cannot resume its
 * snapshot: the exported snapshot died with the connection that held it. Its slot is dropped and
 * created again and the table is read again from the start under the new snapshot, so downstream
 * sees the rows emitted before the failure a second time (the snapshot phase is at-least-once;
 * an upsert sink keyed by the primary key converges). Once a split streams, delivery is
 * exactly-once: see {@link PgArrowSplit}.
 */
final class SlotStreamer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(SlotStreamer.class);

    private final PgArrowSplit split;
    private final PgArrowSourceConfig config;
    private final SlotManager slot;
    private final StreamConnection stream;

    private SnapshotReader snapshot;
    /** The replication connection that created the slot, kept to stream after the snapshot. */
    private Connection snapshotReplication;
    private long consistentPoint;
    private boolean snapshotDone;
    private boolean finished;

    SlotStreamer(PgArrowSplit split, PgArrowSourceConfig config, BufferAllocator allocator) {
        this(split, config, allocator, ReaderMetrics.unregistered(config));
    }

    SlotStreamer(PgArrowSplit split, PgArrowSourceConfig config, BufferAllocator allocator,
            ReaderMetrics metrics) {
        this.split = split;
        this.config = config;
        this.slot = new SlotManager(config, split.slotName(), split.tables());
        boolean streaming = split.phase() == PgArrowSplit.Phase.STREAM;
        this.snapshotDone = streaming;
        this.stream = new StreamConnection(config, slot, split.tables(), allocator, metrics,
                "slot '" + split.slotName() + "' (tables " + split.tables() + ")",
                streaming ? split.startLsn() : 0,
                streaming ? split.rowsEmittedInNextTxn() : 0);
    }

    String splitId() {
        return split.splitId();
    }

    /**
     * The LSN this split has read up to (end of the last transaction handed over, or the last
     * keepalive position; the consistent point while snapshotting), 0 while unknown. Any thread.
     */
    long readPosition() {
        return stream.readPosition();
    }

    boolean finished() {
        return finished;
    }

    /**
     * Adds records to {@code out} until about {@code limit} records or {@code byteLimit} bytes of
     * messages were read.
     *
     * @return whether anything was read (false: idle)
     */
    boolean poll(List<PgArrowRecord> out, int limit, long byteLimit) throws IOException {
        if (finished || !stream.due()) {
            return false;
        }
        try {
            if (!snapshotDone) {
                if (snapshot == null) {
                    startSnapshot();
                }
                return pollSnapshot(out);
            }
            if (!stream.isOpen()) {
                stream.open();
            }
            return stream.poll(out, limit, byteLimit);
        } catch (SQLException e) {
            if (!snapshotDone || !Reconnects.isTransient(e)) {
                throw new IOException("pg-arrow-cdc: reading slot '" + split.slotName()
                        + "' (tables " + split.tables() + ") failed: " + e.getMessage(), e);
            }
            stream.connectionLost(e);
            return !out.isEmpty();
        }
    }

    private void startSnapshot() throws SQLException {
        boolean bounded = config.startupMode() == StartupMode.SNAPSHOT;
        String snapshotName = null;
        if (!bounded) {
            slot.dropStale();
            snapshotReplication = config.connectForReplication();
            SlotManager.CreatedSlot created = slot.create(snapshotReplication, true);
            consistentPoint = created.consistentPoint;
            snapshotName = created.snapshotName;
            stream.setReadPosition(consistentPoint);
            LOG.info("Snapshotting {} under snapshot {} of slot {}", split.tables(), snapshotName,
                    split.slotName());
        }
        snapshot = new SnapshotReader(config, split.tables(), snapshotName);
        if (split.snapshotRowsEmitted() > 0) {
            LOG.warn("Split {} failed mid-snapshot after {} rows: the snapshot restarts and those rows"
                    + " are emitted again", split.slotName(), split.snapshotRowsEmitted());
        }
    }

    private boolean pollSnapshot(List<PgArrowRecord> out) throws SQLException {
        if (snapshot.readChunk(out)) {
            return true;
        }
        snapshot.close();
        snapshot = null;
        if (config.startupMode() == StartupMode.SNAPSHOT) {
            finished = true;
            return true;
        }
        out.add(PgArrowRecord.snapshotDone(consistentPoint));
        snapshotDone = true;
        Connection replication = snapshotReplication;
        snapshotReplication = null;
        stream.startOn(replication, consistentPoint);
        LOG.debug("Snapshot of {} done; streaming from {}", split.tables(),
                Lsn.format(consistentPoint));
        return true;
    }

    /** Confirms to the slot that everything up to {@code lsn} is durable downstream. */
    void confirm(long lsn) throws SQLException {
        stream.confirm(lsn);
    }

    @Override
    public void close() {
        if (snapshot != null) {
            snapshot.close();
            snapshot = null;
        }
        if (snapshotReplication != null) {
            try {
                snapshotReplication.close();
            } catch (SQLException e) {
                LOG.debug("Closing the slot connection of {}", split.slotName(), e);
            }
            snapshotReplication = null;
        }
        stream.close();
    }
}
