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

/**
 * The mutable progress of one split, advanced as rows go out and as the position markers between
 * them are reached, both on the task thread, so a checkpoint sees exactly what was emitted before
 * its barrier.
 */
public final class PgArrowSplitState {

    private final PgArrowSplit split;
    private PgArrowSplit.Phase phase;
    private long snapshotRowsEmitted;
    private long startLsn;
    private long rowsEmittedInNextTxn;

    /**
     * For a CHUNK split: the chunk as far as it was emitted, except the rows counted in {@link
     * #rowsSinceChunk} (folded in when the chunk is read, so a row costs no new ChunkState).
     */
    private ChunkState chunk;

    /** Chunk rows emitted since {@link #chunk} was last brought up to date. */
    private long rowsSinceChunk;

    /** The chunk key of the last of those rows. */
    private String[] lastKeySinceChunk;

    /** For a STREAM split: the reconciliation still in force, or null. */
    private Reconciliation reconciliation;

    public PgArrowSplitState(PgArrowSplit split) {
        this.split = split;
        this.chunk = split.chunk() == null ? null : split.chunk().resumed();
        this.reconciliation = split.reconciliation();
        this.phase = split.phase();
        this.snapshotRowsEmitted = split.snapshotRowsEmitted();
        this.startLsn = split.startLsn();
        this.rowsEmittedInNextTxn = split.rowsEmittedInNextTxn();
    }

    public String splitId() {
        return split.splitId();
    }

    public PgArrowSplit.Phase phase() {
        return phase;
    }

    public long startLsn() {
        return startLsn;
    }

    public long rowsEmittedInNextTxn() {
        return rowsEmittedInNextTxn;
    }

    public long snapshotRowsEmitted() {
        return snapshotRowsEmitted;
    }

    /** A snapshot row went out. */
    public void snapshotRowEmitted() {
        snapshotRowsEmitted++;
    }

    /** The snapshot is complete; streaming continues from the slot's consistent point. */
    public void snapshotFinished(long consistentPointLsn) {
        phase = PgArrowSplit.Phase.STREAM;
        startLsn = consistentPointLsn;
        rowsEmittedInNextTxn = 0;
    }

    /** A row of the transaction after {@link #startLsn()} went out. */
    public void streamRowEmitted() {
        rowsEmittedInNextTxn++;
    }

    /** Every row of the transaction ending at {@code endLsn} went out. */
    public void transactionCompleted(long endLsn) {
        startLsn = endLsn;
        rowsEmittedInNextTxn = 0;
    }

    /**
     * Every change committed before {@code lsn} went out and nothing after it did (a keepalive
     * position): resume from there. Ignored in the middle of a transaction or when not ahead.
     */
    public void progressed(long lsn) {
        if (phase == PgArrowSplit.Phase.STREAM
                && rowsEmittedInNextTxn == 0
                && Long.compareUnsigned(lsn, startLsn) > 0) {
            startLsn = lsn;
        }
    }

    /** The chunk read took its snapshot. */
    public void chunkSnapshot(XidSnapshot snapshot) {
        chunk = chunk().withSnapshot(snapshot);
    }

    /** A chunk row with chunk key {@code key} went out. */
    public void chunkRowEmitted(String[] key) {
        lastKeySinceChunk = key;
        rowsSinceChunk++;
    }

    /** Every row of the chunk went out. */
    public void chunkFinished() {
        chunk = chunk().withFinished();
    }

    /** No streamed change can be in a chunk's snapshot any more. */
    public void reconciled() {
        reconciliation = null;
    }

    public ChunkState chunk() {
        if (rowsSinceChunk > 0) {
            chunk = chunk.withRows(lastKeySinceChunk, rowsSinceChunk);
            rowsSinceChunk = 0;
            lastKeySinceChunk = null;
        }
        return chunk;
    }

    public PgArrowSplit toSplit() {
        return new PgArrowSplit(
                split.slotName(),
                split.tables(),
                phase,
                snapshotRowsEmitted,
                startLsn,
                rowsEmittedInNextTxn,
                chunk(),
                reconciliation);
    }
}
