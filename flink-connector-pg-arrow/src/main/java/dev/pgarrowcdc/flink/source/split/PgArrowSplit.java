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
package dev.pgarrowcdc.flink.source.split;

import dev.pgarrowcdc.flink.source.Lsn;

import org.apache.flink.api.connector.source.SourceSplit;

import javax.annotation.Nullable;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * One replication slot and the tables it carries; its id is the slot name. Immutable: the reader
 * tracks progress in {@link PgArrowSplitState} and checkpoints a new split from it.
 *
 * <p>Position. {@code startLsn} is the end LSN of the last transaction whose rows were all emitted
 * (0: none yet, start where the slot stands); {@code rowsEmittedInNextTxn} counts rows of the
 * following transaction already emitted before the checkpoint, which a restore skips, so a
 * checkpoint in the middle of a large transaction neither repeats nor loses a row. In the {@link
 * Phase#SNAPSHOT} phase (state written before chunked snapshots only) {@code snapshotRowsEmitted}
 * counts snapshot rows emitted so far.
 *
 * <p>A {@link Phase#CHUNK} split is one chunk of a table's snapshot ({@link ChunkState}); its id is
 * {@code <slot>#<index>}. A {@link Phase#STREAM} split that follows a chunked snapshot carries its
 * {@link Reconciliation} until every streamed change that a chunk may already show is past.
 */
public final class PgArrowSplit implements SourceSplit {

    /**
     * What the split still has to do. State stores the ordinal: append new phases, never reorder.
     */
    public enum Phase {
        /** The slot is to be created and the table read under its exported snapshot. */
        SNAPSHOT,
        /** The slot exists (or is to be created without a snapshot); stream from startLsn. */
        STREAM,
        /**
         * One chunk of a table's snapshot, read in its own short transaction: see {@link
         * ChunkState}.
         */
        CHUNK
    }

    private final String slotName;
    private final List<TableId> tables;
    private final Phase phase;
    private final long snapshotRowsEmitted;
    private final long startLsn;
    private final long rowsEmittedInNextTxn;

    /** Only for {@link Phase#CHUNK}. */
    @Nullable private final ChunkState chunk;

    /** For {@link Phase#STREAM} after a chunked snapshot, until its end; else null. */
    @Nullable private final Reconciliation reconciliation;

    public PgArrowSplit(
            String slotName,
            List<TableId> tables,
            Phase phase,
            long snapshotRowsEmitted,
            long startLsn,
            long rowsEmittedInNextTxn) {
        this(
                slotName,
                tables,
                phase,
                snapshotRowsEmitted,
                startLsn,
                rowsEmittedInNextTxn,
                null,
                null);
    }

    public PgArrowSplit(
            String slotName,
            List<TableId> tables,
            Phase phase,
            long snapshotRowsEmitted,
            long startLsn,
            long rowsEmittedInNextTxn,
            @Nullable ChunkState chunk,
            @Nullable Reconciliation reconciliation) {
        this.slotName = Objects.requireNonNull(slotName, "slotName");
        if (tables.isEmpty()) {
            throw new IllegalArgumentException("A split carries at least one table: " + slotName);
        }
        this.tables = Collections.unmodifiableList(new ArrayList<>(tables));
        this.phase = Objects.requireNonNull(phase, "phase");
        this.snapshotRowsEmitted = snapshotRowsEmitted;
        this.startLsn = startLsn;
        this.rowsEmittedInNextTxn = rowsEmittedInNextTxn;
        if ((phase == Phase.CHUNK) != (chunk != null)) {
            throw new IllegalArgumentException(
                    "A chunk split carries its chunk, no other does: " + slotName);
        }
        this.chunk = chunk;
        this.reconciliation = reconciliation;
    }

    /** Chunk {@code chunk} of {@code table}'s snapshot; its slot (if any) is {@code slotName}. */
    public static PgArrowSplit chunk(String slotName, TableId table, ChunkState chunk) {
        return new PgArrowSplit(
                slotName, Collections.singletonList(table), Phase.CHUNK, 0, 0, 0, chunk, null);
    }

    /** The stream of a table whose chunked snapshot finished: from the slot's consistent point. */
    public static PgArrowSplit streamAfterSnapshot(
            String slotName, TableId table, long consistentPoint, Reconciliation reconciliation) {
        return new PgArrowSplit(
                slotName,
                Collections.singletonList(table),
                Phase.STREAM,
                0,
                consistentPoint,
                0,
                null,
                reconciliation);
    }

    /** The id of chunk {@code index} of the table whose slot is {@code slotName}. */
    public static String chunkSplitId(String slotName, int index) {
        return slotName + "#" + index;
    }

    @Nullable
    public ChunkState chunk() {
        return chunk;
    }

    @Nullable
    public Reconciliation reconciliation() {
        return reconciliation;
    }

    public TableId table() {
        return tables.get(0);
    }

    /** A split that has done nothing yet. */
    public static PgArrowSplit fresh(
            String slotName, List<TableId> tables, Phase phase, long startLsn) {
        return new PgArrowSplit(slotName, tables, phase, 0, startLsn, 0);
    }

    @Override
    public String splitId() {
        return chunk != null ? chunkSplitId(slotName, chunk.index()) : slotName;
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
                && phase == that.phase
                && Objects.equals(chunk, that.chunk)
                && Objects.equals(reconciliation, that.reconciliation);
    }

    @Override
    public int hashCode() {
        return Objects.hash(
                slotName, tables, phase, snapshotRowsEmitted, startLsn, rowsEmittedInNextTxn);
    }

    @Override
    public String toString() {
        return "PgArrowSplit{slot="
                + slotName
                + ", tables="
                + tables
                + ", phase="
                + phase
                + (phase == Phase.SNAPSHOT ? ", snapshotRowsEmitted=" + snapshotRowsEmitted : "")
                + ", startLsn="
                + Lsn.format(startLsn)
                + ", rowsEmittedInNextTxn="
                + rowsEmittedInNextTxn
                + (chunk != null ? ", " + chunk : "")
                + (reconciliation != null ? ", " + reconciliation : "")
                + '}';
    }
}
