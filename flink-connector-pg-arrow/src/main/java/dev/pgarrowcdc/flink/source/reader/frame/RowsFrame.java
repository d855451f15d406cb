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
package dev.pgarrowcdc.flink.source.reader.frame;

import org.apache.flink.types.RowKind;

import org.apache.arrow.vector.TinyIntVector;
import org.apache.arrow.vector.VectorSchemaRoot;

import java.util.Arrays;
import java.util.function.Consumer;

/**
 * {@code R}: one Arrow record batch of consecutive changes of one relation, plus the value marks of
 * its header.
 *
 * <p>The frame owns its {@link VectorSchemaRoot}: read it, then {@link #close()} the frame on the
 * decoder's thread (neither is thread safe). Closing hands the root back to the decoder for the
 * next batch of the same schema, or frees it. Do not keep the root, or vectors taken from it, after
 * closing.
 *
 * <p>What a null means (PROTOCOL.md 3.3): a null Arrow value at (row, field) is an SQL NULL unless
 * {@link #isAbsent} (a column the WAL did not log in a {@code -U}/{@code -D} row) or {@link #mark}
 * names a {@link ValueMark} (unchanged TOAST, numeric NaN/±Infinity, a value the Arrow type cannot
 * hold). {@link #valueKnown} combines both. Field indexes are Arrow field indexes: 0 is {@code
 * __op}, a table column is at {@link RelationSchema.Column#fieldIndex()}.
 */
public final class RowsFrame extends Frame {

    private static final long[] NO_MARKS = new long[0];

    private final RelationSchema schema;
    private final int rowCount;
    private final long firstRowOrdinal;

    /** Marks packed as {@code row << 32 | field << 16 | kind}, in (row, field) order. */
    private final long[] marks;

    private final String source;
    private VectorSchemaRoot root;
    private final TinyIntVector opVector;
    private final Consumer<VectorSchemaRoot> onClose;

    RowsFrame(
            RelationSchema schema,
            int rowCount,
            long firstRowOrdinal,
            long[] marks,
            VectorSchemaRoot root,
            String source,
            Consumer<VectorSchemaRoot> onClose) {
        this.schema = schema;
        this.rowCount = rowCount;
        this.firstRowOrdinal = firstRowOrdinal;
        this.marks = marks == null ? NO_MARKS : marks;
        this.root = root;
        this.opVector = (TinyIntVector) root.getVector(0);
        this.source = source;
        this.onClose = onClose;
    }

    @Override
    public FrameKind kind() {
        return FrameKind.ROWS;
    }

    public long relationOid() {
        return schema.relationOid();
    }

    public int schemaVersion() {
        return schema.schemaVersion();
    }

    /** The schema of the {@code S} frame this batch conforms to. */
    public RelationSchema schema() {
        return schema;
    }

    public int rowCount() {
        return rowCount;
    }

    /** Rows of this transaction in earlier {@code R} frames (0 for the first batch). */
    public long firstRowOrdinal() {
        return firstRowOrdinal;
    }

    /** The batch: field 0 {@code __op}, then the table's columns. Valid until {@link #close()}. */
    public VectorSchemaRoot root() {
        if (root == null) {
            throw new IllegalStateException(
                    "RowsFrame of "
                            + schema.qualifiedName()
                            + " from "
                            + source
                            + " is closed: its Arrow root was released");
        }
        return root;
    }

    /** Where the frame came from (the decoder's source description, e.g. the slot). */
    public String source() {
        return source;
    }

    /** The row's Flink {@link RowKind} from {@code __op}. */
    public RowKind rowKind(int row) {
        byte op = opVector.get(row);
        switch (op) {
            case 0:
                return RowKind.INSERT;
            case 1:
                return RowKind.UPDATE_BEFORE;
            case 2:
                return RowKind.UPDATE_AFTER;
            case 3:
                return RowKind.DELETE;
            default:
                throw new FrameFormatException(
                        "R frame of "
                                + schema.qualifiedName()
                                + " from "
                                + source
                                + ", row "
                                + row
                                + ": expected __op 0..3 (+I, -U, +U, -D) but found "
                                + op);
        }
    }

    /** True when the frame header carries any value mark. */
    public boolean hasMarks() {
        return marks.length > 0;
    }

    /** Number of value marks in the header. */
    public int markCount() {
        return marks.length;
    }

    /** The mark on (row, Arrow field), or {@code null} when the value is unmarked. */
    public ValueMark mark(int row, int field) {
        if (marks.length == 0) {
            return null;
        }
        long key = ((long) row << 32) | ((long) field << 16);
        int i = Arrays.binarySearch(marks, key);
        int at = i >= 0 ? i : -i - 1;
        if (at < marks.length && (marks[at] & ~0xFFFFL) == key) {
            return ValueMark.fromCode((int) (marks[at] & 0xFFFFL));
        }
        return null;
    }

    /**
     * The marks of one row indexed by Arrow field ({@code [0]} is {@code __op}, never marked), or
     * {@code null} when the row has none; a code no protocol version defines reads as {@link
     * ValueMark#NOT_REPRESENTABLE}. Allocates only for a marked row.
     */
    public ValueMark[] rowMarks(int row) {
        if (marks.length == 0) {
            return null;
        }
        int i = Arrays.binarySearch(marks, (long) row << 32);
        int at = i >= 0 ? i : -i - 1;
        if (at >= marks.length || (int) (marks[at] >>> 32) != row) {
            return null;
        }
        ValueMark[] out = new ValueMark[root().getFieldVectors().size()];
        for (; at < marks.length && (int) (marks[at] >>> 32) == row; at++) {
            int field = (int) ((marks[at] >>> 16) & 0xFFFFL);
            ValueMark mark = ValueMark.fromCode((int) (marks[at] & 0xFFFFL));
            if (field > 0 && field < out.length) {
                out[field] = mark == null ? ValueMark.NOT_REPRESENTABLE : mark;
            }
        }
        return out;
    }

    /** The UPDATE did not change this TOASTed value and the WAL lacks it: keep the old one. */
    public boolean isUnchangedToast(int row, int field) {
        return mark(row, field) == ValueMark.UNCHANGED_TOAST;
    }

    /**
     * The WAL did not log this column for this row: a {@code -U} or {@code -D} row of a column
     * outside the replica identity. Its null means "unknown", not SQL NULL.
     */
    public boolean isAbsent(int row, int field) {
        if (field == 0) {
            return false;
        }
        byte op = opVector.get(row);
        return (op == 1 || op == 3) && !schema.column(field - 1).isReplicaIdentity();
    }

    /**
     * True when the Arrow value (null or not) is the column's actual value; false when it is absent
     * or marked (then a null stands for something that is not an SQL NULL).
     */
    public boolean valueKnown(int row, int field) {
        return !isAbsent(row, field) && mark(row, field) == null;
    }

    /** Releases (or hands back for reuse) the Arrow root. Idempotent. */
    @Override
    public void close() {
        VectorSchemaRoot r = root;
        root = null;
        if (r != null) {
            onClose.accept(r);
        }
    }

    @Override
    public String toString() {
        return "RowsFrame{"
                + schema.qualifiedName()
                + " oid="
                + schema.relationOid()
                + " version="
                + Integer.toUnsignedString(schema.schemaVersion())
                + " rows="
                + rowCount
                + " firstRowOrdinal="
                + firstRowOrdinal
                + " marks="
                + marks.length
                + '}';
    }
}
