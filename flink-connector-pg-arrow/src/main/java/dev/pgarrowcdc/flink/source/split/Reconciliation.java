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

import java.io.IOException;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * What a table's stream must know about its chunked snapshot: the chunk key and every finished
 * piece, sorted by key range (together they cover the whole key space). A streamed change to a key
 * is dropped when its transaction is visible in the snapshot of the piece that holds the key (the
 * piece already shows it), and emitted otherwise. See docs/snapshot.md.
 */
public final class Reconciliation implements Serializable {

    private static final long serialVersionUID = 1L;

    private final ChunkKey key;
    private final List<ChunkPiece> pieces;

    public Reconciliation(ChunkKey key, List<ChunkPiece> pieces) {
        this.key = Objects.requireNonNull(key, "key");
        this.pieces = Collections.unmodifiableList(new ArrayList<>(pieces));
    }

    public ChunkKey key() {
        return key;
    }

    /** Sorted by key range. */
    public List<ChunkPiece> pieces() {
        return pieces;
    }

    /** The largest xmax of the pieces' snapshots: transactions from it on are in none. */
    public long maxXmax() {
        long max = 0;
        for (ChunkPiece p : pieces) {
            max = Math.max(max, p.snapshot().xmax());
        }
        return max;
    }

    public void write(DataOutputView out) throws IOException {
        key.write(out);
        out.writeInt(pieces.size());
        for (ChunkPiece p : pieces) {
            p.write(out);
        }
    }

    public static Reconciliation read(DataInputView in) throws IOException {
        ChunkKey key = ChunkKey.read(in);
        int n = in.readInt();
        List<ChunkPiece> pieces = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            pieces.add(ChunkPiece.read(in));
        }
        return new Reconciliation(key, pieces);
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof Reconciliation)) {
            return false;
        }
        Reconciliation that = (Reconciliation) o;
        return key.equals(that.key) && pieces.equals(that.pieces);
    }

    @Override
    public int hashCode() {
        return Objects.hash(key, pieces);
    }

    @Override
    public String toString() {
        return "Reconciliation{key=" + key + ", pieces=" + pieces.size() + "}";
    }
}
