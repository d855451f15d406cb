package dev.pgarrowcdc.flink.source.split;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

import org.apache.flink.api.connector.source.SourceSplit;

import dev.pgarrowcdc.flink.source.Lsn;

/**
 * One replication slot and the tables it carries; its id is the slot name. Immutable: the reader
 * tracks progress in {@link PgArrowSplitState} and checkpoints a new split from it.
 *
 * <p>Position. {@code startLsn} is the end LSN of the last transaction whose rows were all emitted
 * (0: none yet, start where the slot stands); {@code rowsEmittedInNextTxn} counts rows of the
 * following transaction already emitted before the checkpoint, which a restore skips, so a
 * checkpoint in the middle of a large transaction neither repeats nor loses a row. In the {@link
 * Phase#SNAPSHOT} phase {@code snapshotRowsEmitted} counts snapshot rows emitted so far
 * (informational: a snapshot interrupted by a failure restarts, see the reader).
 */
public final class PgArrowSplit implements SourceSplit {

    /** What the split still has to do. State stores the ordinal: append new phases, never reorder. */
    public enum Phase {
        /** The slot is to be created and the table read under its exported snapshot. */
        SNAPSHOT,
        /** The slot exists (or is to be created without a snapshot); stream from startLsn. */
        STREAM
    }

    private final String slotName;
    private final List<TableId> tables;
    private final Phase phase;
    private final long snapshotRowsEmitted;
    private final long startLsn;
    private final long rowsEmittedInNextTxn;

    public PgArrowSplit(
            String slotName,
            List<TableId> tables,
            Phase phase,
            long snapshotRowsEmitted,
            long startLsn,
            long rowsEmittedInNextTxn) {
        this.slotName = Objects.requireNonNull(slotName, "slotName");
        if (tables.isEmpty()) {
            throw new IllegalArgumentException("A split carries at least one table: " + slotName);
        }
        this.tables = Collections.unmodifiableList(new ArrayList<>(tables));
        this.phase = Objects.requireNonNull(phase, "phase");
        this.snapshotRowsEmitted = snapshotRowsEmitted;
        this.startLsn = startLsn;
        this.rowsEmittedInNextTxn = rowsEmittedInNextTxn;
    }

    /** A split that has done nothing yet. */
    public static PgArrowSplit fresh(String slotName, List<TableId> tables, Phase phase, long startLsn) {
        return new PgArrowSplit(slotName, tables, phase, 0, startLsn, 0);
    }

    @Override
    public String splitId() {
        return slotName;
    }

    public String slotName() {
        return slotName;
    }

    public List<TableId> tables() {
        return tables;
    }

    public Phase phase() {
        return phase;
    }

    public long snapshotRowsEmitted() {
        return snapshotRowsEmitted;
    }

    public long startLsn() {
        return startLsn;
    }

    public long rowsEmittedInNextTxn() {
        return rowsEmittedInNextTxn;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof PgArrowSplit)) {
            return false;
        }
        PgArrowSplit that = (PgArrowSplit) o;
        return snapshotRowsEmitted == that.snapshotRowsEmitted
                && startLsn == that.startLsn
                && rowsEmittedInNextTxn == that.rowsEmittedInNextTxn
                && slotName.equals(that.slotName)
                && tables.equals(that.tables)
                && phase == that.phase;
    }

    @Override
    public int hashCode() {
        return Objects.hash(slotName, tables, phase, snapshotRowsEmitted, startLsn, rowsEmittedInNextTxn);
    }

    @Override
    public String toString() {
        return "PgArrowSplit{slot=" + slotName
                + ", tables=" + tables
                + ", phase=" + phase
                + (phase == Phase.SNAPSHOT ? ", snapshotRowsEmitted=" + snapshotRowsEmitted : "")
                + ", startLsn=" + Lsn.format(startLsn)
                + ", rowsEmittedInNextTxn=" + rowsEmittedInNextTxn
                + '}';
    }
}
