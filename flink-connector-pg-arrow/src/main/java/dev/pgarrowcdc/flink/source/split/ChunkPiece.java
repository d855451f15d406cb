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
import java.util.Arrays;
import java.util.Objects;

/**
 * A key range {@code (lo, hi]} of a table read under one snapshot: every row whose chunk key lies
 * in the range was emitted as it was in {@code snapshot}. A null bound is unbounded ({@code lo}
 * null: from the first key; {@code hi} null: to the last). Bounds are the key columns' text forms.
 */
public final class ChunkPiece implements Serializable {

    private static final long serialVersionUID = 1L;

    @Nullable private final String[] lo;
    @Nullable private final String[] hi;
    private final XidSnapshot snapshot;

    public ChunkPiece(@Nullable String[] lo, @Nullable String[] hi, XidSnapshot snapshot) {
        this.lo = lo == null ? null : lo.clone();
        this.hi = hi == null ? null : hi.clone();
        this.snapshot = Objects.requireNonNull(snapshot, "snapshot");
    }

    @Nullable
    public String[] lo() {
        return lo == null ? null : lo.clone();
    }

    @Nullable
    public String[] hi() {
        return hi == null ? null : hi.clone();
    }

    public XidSnapshot snapshot() {
        return snapshot;
    }

    public void write(DataOutputView out) throws IOException {
        writeKey(lo, out);
        writeKey(hi, out);
        snapshot.write(out);
    }

    public static ChunkPiece read(DataInputView in) throws IOException {
        String[] lo = readKey(in);
        String[] hi = readKey(in);
        return new ChunkPiece(lo, hi, XidSnapshot.read(in));
    }

    /** A key's text values (a null key writes -1); values are never SQL NULL. */
    public static void writeKey(@Nullable String[] key, DataOutputView out) throws IOException {
        if (key == null) {
            out.writeInt(-1);
            return;
        }
        out.writeInt(key.length);
        for (String v : key) {
            byte[] bytes = v.getBytes(java.nio.charset.StandardCharsets.UTF_8);
            out.writeInt(bytes.length);
            out.write(bytes);
        }
    }

    @Nullable
    public static String[] readKey(DataInputView in) throws IOException {
        int n = in.readInt();
        if (n < 0) {
            return null;
        }
        String[] key = new String[n];
        for (int i = 0; i < n; i++) {
            byte[] bytes = new byte[in.readInt()];
            in.readFully(bytes);
            key[i] = new String(bytes, java.nio.charset.StandardCharsets.UTF_8);
        }
        return key;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof ChunkPiece)) {
            return false;
        }
        ChunkPiece that = (ChunkPiece) o;
        return Arrays.equals(lo, that.lo)
                && Arrays.equals(hi, that.hi)
                && snapshot.equals(that.snapshot);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * Arrays.hashCode(lo) + Arrays.hashCode(hi)) + snapshot.hashCode();
    }

    @Override
    public String toString() {
        return "("
                + (lo == null ? "-inf" : String.join(",", lo))
                + ", "
                + (hi == null ? "+inf" : String.join(",", hi))
                + "]@"
                + snapshot;
    }
}
