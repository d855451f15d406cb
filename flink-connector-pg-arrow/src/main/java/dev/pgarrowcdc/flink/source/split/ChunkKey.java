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
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * The columns a table's snapshot is chunked by (its primary key, or {@code
 * scan.incremental.snapshot.chunk.key-column}), in order, each with its SQL type ({@code
 * format_type}) and, for a collatable type, its collation as a quoted qualified name. Empty: the
 * table has no chunk key and is read as one chunk.
 */
public final class ChunkKey implements Serializable {

    private static final long serialVersionUID = 1L;

    public static final ChunkKey NONE =
            new ChunkKey(Collections.emptyList(), Collections.emptyList(), Collections.emptyList());

    private final List<String> columns;
    private final List<String> types;

    /** Per column the quoted collation ({@code "pg_catalog"."en-x-icu"}), or "" when none. */
    private final List<String> collations;

    public ChunkKey(List<String> columns, List<String> types, List<String> collations) {
        if (columns.size() != types.size() || columns.size() != collations.size()) {
            throw new IllegalArgumentException("columns, types and collations differ in length");
        }
        this.columns = Collections.unmodifiableList(new ArrayList<>(columns));
        this.types = Collections.unmodifiableList(new ArrayList<>(types));
        this.collations = Collections.unmodifiableList(new ArrayList<>(collations));
    }

    public boolean isEmpty() {
        return columns.isEmpty();
    }

    public int size() {
        return columns.size();
    }

    public List<String> columns() {
        return columns;
    }

    public String column(int i) {
        return columns.get(i);
    }

    public String type(int i) {
        return types.get(i);
    }

    @Nullable
    public String collation(int i) {
        return collations.get(i).isEmpty() ? null : collations.get(i);
    }

    /** {@code "k1", "k2"}: the quoted column list. */
    public String columnList() {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < columns.size(); i++) {
            b.append(i == 0 ? "" : ", ").append(TableId.quoteIdentifier(columns.get(i)));
        }
        return b.toString();
    }

    /**
     * {@code ROW(?::t1, ?::t2)}: parameters cast to the columns' types (a bound travels as the
     * type's text form).
     */
    public String parameterRow() {
        StringBuilder b = new StringBuilder("ROW(");
        for (int i = 0; i < columns.size(); i++) {
            b.append(i == 0 ? "" : ", ").append("CAST(? AS ").append(types.get(i)).append(')');
        }
        return b.append(')').toString();
    }

    /**
     * {@code ROW(CAST($n AS t1), CAST($n+1 AS t2))}: as {@link #parameterRow()} with numbered
     * parameters from {@code $first}, for SQL that is not sent through a JDBC statement.
     */
    public String parameterRow(int first) {
        StringBuilder b = new StringBuilder("ROW(");
        for (int i = 0; i < columns.size(); i++) {
            b.append(i == 0 ? "" : ", ")
                    .append("CAST($")
                    .append(first + i)
                    .append(" AS ")
                    .append(types.get(i))
                    .append(')');
        }
        return b.append(')').toString();
    }

    public void write(DataOutputView out) throws IOException {
        out.writeInt(columns.size());
        for (int i = 0; i < columns.size(); i++) {
            out.writeUTF(columns.get(i));
            out.writeUTF(types.get(i));
            out.writeUTF(collations.get(i));
        }
    }

    public static ChunkKey read(DataInputView in) throws IOException {
        int n = in.readInt();
        List<String> c = new ArrayList<>(n);
        List<String> t = new ArrayList<>(n);
        List<String> l = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            c.add(in.readUTF());
            t.add(in.readUTF());
            l.add(in.readUTF());
        }
        return new ChunkKey(c, t, l);
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof ChunkKey)) {
            return false;
        }
        ChunkKey that = (ChunkKey) o;
        return columns.equals(that.columns)
                && types.equals(that.types)
                && collations.equals(that.collations);
    }

    @Override
    public int hashCode() {
        return Objects.hash(columns, types, collations);
    }

    @Override
    public String toString() {
        List<String> parts = new ArrayList<>();
        for (int i = 0; i < columns.size(); i++) {
            parts.add(
                    columns.get(i)
                            + " "
                            + types.get(i)
                            + (collations.get(i).isEmpty() ? "" : " COLLATE " + collations.get(i)));
        }
        return "(" + String.join(", ", parts) + ")";
    }
}
