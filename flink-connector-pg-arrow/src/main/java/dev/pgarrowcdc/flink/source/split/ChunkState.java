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

import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

import javax.annotation.Nullable;

import java.io.IOException;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * What a chunk split ({@link PgArrowSplit.Phase#CHUNK}) is and how far it got: the table's chunk
 * key, the slot's cut {@code E} (the visibility at the slot's consistent point; null in bounded
 * {@code snapshot} mode, which has no slot), the range {@code (lo, hi]} still to read, the pieces
 * already read (each under its own snapshot), and for the read in progress its snapshot {@code s_k}
 * and the last key emitted under it. Immutable.
 *
 * <p>{@link #resumed()} is how a restore continues: the part emitted under {@code s_k}, {@code (lo,
 * lastKey]}, becomes a finished piece, and only {@code (lastKey, hi]} is read again, under a new
 * snapshot. So no row is emitted twice and none is read twice.
 */
public final class ChunkState implements Serializable {

    private static final long serialVersionUID = 1L;

    private final int index;
    private final ChunkKey key;
    @Nullable private final XidSnapshot cut;
    @Nullable private final String[] lo;
    @Nullable private final String[] hi;
    private final List<ChunkPiece> pieces;
    @Nullable private final XidSnapshot snapshot;
    @Nullable private final String[] lastKey;
    private final long rowsRead;
    private final boolean finished;

    public ChunkState(
            int index,
            ChunkKey key,
            @Nullable XidSnapshot cut,
            @Nullable String[] lo,
            @Nullable String[] hi,
            List<ChunkPiece> pieces,
            @Nullable XidSnapshot snapshot,
            @Nullable String[] lastKey,
            long rowsRead,
            boolean finished) {
        this.index = index;
        this.key = Objects.requireNonNull(key, "key");
        this.cut = cut;
        this.lo = lo;
        this.hi = hi;
        this.pieces = Collections.unmodifiableList(new ArrayList<>(pieces));
        this.snapshot = snapshot;
        this.lastKey = lastKey;
        this.rowsRead = rowsRead;
        this.finished = finished;
    }

    /** A chunk nothing of which was read yet. */
    public static ChunkState planned(
            int index,
            ChunkKey key,
            @Nullable XidSnapshot cut,
            @Nullable String[] lo,
            @Nullable String[] hi) {
        return new ChunkState(
                index, key, cut, lo, hi, Collections.emptyList(), null, null, 0, false);
    }

    public int index() {
        return index;
    }

    public ChunkKey key() {
        return key;
    }

    @Nullable
    public XidSnapshot cut() {
        return cut;
    }

    @Nullable
    public String[] lo() {
        return lo;
    }

    @Nullable
    public String[] hi() {
        return hi;
    }

    public List<ChunkPiece> pieces() {
        return pieces;
    }

    @Nullable
    public XidSnapshot snapshot() {
        return snapshot;
    }

    @Nullable
    public String[] lastKey() {
        return lastKey;
    }

    public long rowsRead() {
        return rowsRead;
    }

    public boolean finished() {
        return finished;
    }

    /**
     * How a reader continues this chunk: a read cut off after emitting rows keeps them as a
     * finished piece {@code (lo, lastKey]} and reads {@code (lastKey, hi]} under a new snapshot; a
     * read cut off before its first row is read again whole.
     */
    public ChunkState resumed() {
        if (finished || snapshot == null) {
            return this;
        }
        if (lastKey == null) {
            return new ChunkState(index, key, cut, lo, hi, pieces, null, null, rowsRead, false);
        }
        List<ChunkPiece> p = new ArrayList<>(pieces);
        p.add(new ChunkPiece(lo, lastKey, snapshot));
        return new ChunkState(index, key, cut, lastKey, hi, p, null, null, rowsRead, false);
    }

    /** The read took snapshot {@code s}. */
    public ChunkState withSnapshot(XidSnapshot s) {
        return new ChunkState(index, key, cut, lo, hi, pieces, s, null, rowsRead, false);
    }

    /** A row with chunk key {@code k} was emitted. */
    public ChunkState withRow(@Nullable String[] k) {
        return withRows(k, 1);
    }

    /** {@code n} rows were emitted, the last with chunk key {@code k}. */
    public ChunkState withRows(@Nullable String[] k, long n) {
        return new ChunkState(index, key, cut, lo, hi, pieces, snapshot, k, rowsRead + n, false);
    }

    /** The read reached {@code hi}: {@code (lo, hi]} is a finished piece under the snapshot. */
    public ChunkState withFinished() {
        List<ChunkPiece> p = new ArrayList<>(pieces);
        p.add(new ChunkPiece(lo, hi, snapshot));
        return new ChunkState(index, key, cut, lo, hi, p, null, null, rowsRead, true);
    }

    public void write(DataOutputView out) throws IOException {
        out.writeInt(index);
        key.write(out);
        out.writeBoolean(cut != null);
        if (cut != null) {
            cut.write(out);
        }
        ChunkPiece.writeKey(lo, out);
        ChunkPiece.writeKey(hi, out);
        out.writeInt(pieces.size());
        for (ChunkPiece p : pieces) {
            p.write(out);
        }
        out.writeBoolean(snapshot != null);
        if (snapshot != null) {
            snapshot.write(out);
        }
        ChunkPiece.writeKey(lastKey, out);
        out.writeLong(rowsRead);
        out.writeBoolean(finished);
    }

    public static ChunkState read(DataInputView in) throws IOException {
        int index = in.readInt();
        ChunkKey key = ChunkKey.read(in);
        XidSnapshot cut = in.readBoolean() ? XidSnapshot.read(in) : null;
        String[] lo = ChunkPiece.readKey(in);
        String[] hi = ChunkPiece.readKey(in);
        int n = in.readInt();
        List<ChunkPiece> pieces = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            pieces.add(ChunkPiece.read(in));
        }
        XidSnapshot snapshot = in.readBoolean() ? XidSnapshot.read(in) : null;
        String[] lastKey = ChunkPiece.readKey(in);
        return new ChunkState(
                index,
                key,
                cut,
                lo,
                hi,
                pieces,
                snapshot,
                lastKey,
                in.readLong(),
                in.readBoolean());
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof ChunkState)) {
            return false;
        }
        ChunkState that = (ChunkState) o;
        return index == that.index
                && rowsRead == that.rowsRead
                && finished == that.finished
                && key.equals(that.key)
                && Objects.equals(cut, that.cut)
                && Arrays.equals(lo, that.lo)
                && Arrays.equals(hi, that.hi)
                && pieces.equals(that.pieces)
                && Objects.equals(snapshot, that.snapshot)
                && Arrays.equals(lastKey, that.lastKey);
    }

    @Override
    public int hashCode() {
        return Objects.hash(index, key, pieces, rowsRead, finished);
    }

    @Override
    public String toString() {
        return "chunk "
                + index
                + " ("
                + (lo == null ? "-inf" : String.join(",", lo))
                + ", "
                + (hi == null ? "+inf" : String.join(",", hi))
                + "]"
                + (pieces.isEmpty() ? "" : " pieces=" + pieces)
                + (snapshot == null ? "" : " snapshot=" + snapshot)
                + (lastKey == null ? "" : " lastKey=" + String.join(",", lastKey))
                + " rows="
                + rowsRead
                + (finished ? " finished" : "");
    }
}
