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
package dev.pgarrowcdc.flink.source.reader;

import dev.pgarrowcdc.flink.source.PgArrowRecordContext;
import dev.pgarrowcdc.flink.source.UnknownValue;
import dev.pgarrowcdc.flink.source.split.XidSnapshot;

import org.apache.flink.table.data.RowData;
import org.apache.flink.table.types.logical.RowType;
import org.apache.flink.types.RowKind;

import javax.annotation.Nullable;

/**
 * What the fetcher thread reads from a split, in order: a row ready for the deserializer (emitted
 * by {@link PgArrowRecordEmitter}), or a position marker that advances the split's checkpointed
 * state ({@link SplitPositions}).
 */
final class PgArrowRecord {

    enum Kind {
        /** A row of the snapshot or of the stream. */
        ROW,
        /** The snapshot is complete; {@link #lsn} is the slot's consistent point. */
        SNAPSHOT_DONE,
        /** Every row of a transaction was handed over; {@link #lsn} is its end LSN. */
        TRANSACTION_END,
        /**
         * Nothing is pending and every change of the split's tables committed before {@link #lsn}
         * was handed over (a keepalive's position): the split may resume from there.
         */
        PROGRESS,
        /** A chunk read took its snapshot {@link #snapshot}; its rows follow. */
        CHUNK_SNAPSHOT,
        /** Every row of the chunk was handed over. */
        CHUNK_DONE,
        /** No streamed change can be in any chunk's snapshot any more: reconciliation ends. */
        RECONCILED
    }

    final Kind kind;
    final RowData row;
    final RowContext context;
    final long lsn;

    /**
     * For a row with marked values only (rare): per field position, why the null there is not an
     * SQL NULL ({@link UnknownValue#ABSENT} is not stored here: {@link RowContext} derives it).
     */
    @Nullable final UnknownValue[] marks;

    /** For a chunk row: its chunk key's text values. */
    @Nullable final String[] key;

    /** For {@link Kind#CHUNK_SNAPSHOT}. */
    @Nullable final XidSnapshot snapshot;

    private PgArrowRecord(
            Kind kind, RowData row, RowContext context, long lsn, @Nullable UnknownValue[] marks) {
        this(kind, row, context, lsn, marks, null, null);
    }

    private PgArrowRecord(
            Kind kind,
            RowData row,
            RowContext context,
            long lsn,
            @Nullable UnknownValue[] marks,
            @Nullable String[] key,
            @Nullable XidSnapshot snapshot) {
        this.key = key;
        this.snapshot = snapshot;
        this.kind = kind;
        this.row = row;
        this.context = context;
        this.lsn = lsn;
        this.marks = marks;
    }

    static PgArrowRecord row(RowData row, RowContext context) {
        return new PgArrowRecord(Kind.ROW, row, context, 0, null);
    }

    static PgArrowRecord row(RowData row, RowContext context, @Nullable UnknownValue[] marks) {
        return new PgArrowRecord(Kind.ROW, row, context, 0, marks);
    }

    static PgArrowRecord chunkRow(
            RowData row, RowContext context, @Nullable UnknownValue[] marks, String[] key) {
        return new PgArrowRecord(Kind.ROW, row, context, 0, marks, key, null);
    }

    /** The same row with another kind (a key change split into -D and +I). */
    PgArrowRecord withRow(RowData other) {
        return new PgArrowRecord(kind, other, context, lsn, marks, key, snapshot);
    }

    static PgArrowRecord chunkSnapshot(XidSnapshot snapshot) {
        return new PgArrowRecord(Kind.CHUNK_SNAPSHOT, null, null, 0, null, null, snapshot);
    }

    static PgArrowRecord chunkDone() {
        return new PgArrowRecord(Kind.CHUNK_DONE, null, null, 0, null);
    }

    static PgArrowRecord reconciled(long lsn) {
        return new PgArrowRecord(Kind.RECONCILED, null, null, lsn, null);
    }

    static PgArrowRecord snapshotDone(long consistentPoint) {
        return new PgArrowRecord(Kind.SNAPSHOT_DONE, null, null, consistentPoint, null);
    }

    static PgArrowRecord transactionEnd(long endLsn) {
        return new PgArrowRecord(Kind.TRANSACTION_END, null, null, endLsn, null);
    }

    static PgArrowRecord progress(long lsn) {
        return new PgArrowRecord(Kind.PROGRESS, null, null, lsn, null);
    }

    /** The origin of rows: one instance per snapshot table, or per table and transaction. */
    static final class RowContext implements PgArrowRecordContext {
        private final String schema;
        private final String table;
        private final boolean snapshot;
        private final long commitLsn;
        private final long xid;
        private final long commitTimeMicros;
        private final RowType rowType;

        /**
         * Per field position: the column is outside the replica identity, so absent from {@code
         * -U}/{@code -D} rows; null when every column is logged (FULL, or snapshot rows).
         */
        @Nullable private final boolean[] absentFromOldRows;

        /** The table's REPLICA IDENTITY for stream rows; null for snapshot rows. */
        @Nullable private final String replicaIdentity;

        RowContext(
                String schema,
                String table,
                boolean snapshot,
                long commitLsn,
                long xid,
                long commitTimeMicros,
                RowType rowType) {
            this(schema, table, snapshot, commitLsn, xid, commitTimeMicros, rowType, null, null);
        }

        RowContext(
                String schema,
                String table,
                boolean snapshot,
                long commitLsn,
                long xid,
                long commitTimeMicros,
                RowType rowType,
                @Nullable boolean[] absentFromOldRows,
                @Nullable String replicaIdentity) {
            this.absentFromOldRows = absentFromOldRows;
            this.replicaIdentity = replicaIdentity;
            this.schema = schema;
            this.table = table;
            this.snapshot = snapshot;
            this.commitLsn = commitLsn;
            this.xid = xid;
            this.commitTimeMicros = commitTimeMicros;
            this.rowType = rowType;
        }

        @Override
        public String schemaName() {
            return schema;
        }

        @Override
        public String tableName() {
            return table;
        }

        @Override
        public boolean fromSnapshot() {
            return snapshot;
        }

        @Override
        public long commitLsn() {
            return commitLsn;
        }

        @Override
        public long xid() {
            return xid;
        }

        @Override
        public long commitTimeMicros() {
            return commitTimeMicros;
        }

        @Override
        public RowType rowType() {
            return rowType;
        }

        @Override
        public boolean logsOldRows() {
            return absentFromOldRows == null;
        }

        @Nullable
        @Override
        public String replicaIdentity() {
            return replicaIdentity;
        }

        /** Whether this position is absent from a row of this kind. */
        boolean absent(RowKind kind, int position) {
            return absentFromOldRows != null
                    && (kind == RowKind.UPDATE_BEFORE || kind == RowKind.DELETE)
                    && absentFromOldRows[position];
        }

        boolean mayHaveAbsentValues(RowKind kind) {
            return absentFromOldRows != null
                    && (kind == RowKind.UPDATE_BEFORE || kind == RowKind.DELETE);
        }
    }

    /**
     * The context handed to the deserializer: a row's {@link RowContext} plus the row's own answers
     * to {@link PgArrowRecordContext#unknownValue}. One mutable instance per emitter, re-pointed at
     * each row, so the common row without marks costs no allocation.
     */
    static final class RowView implements PgArrowRecordContext {
        private RowContext context;
        private RowKind kind;
        @Nullable private UnknownValue[] marks;

        RowView of(PgArrowRecord record) {
            this.context = record.context;
            this.kind = record.row.getRowKind();
            this.marks = record.marks;
            return this;
        }

        @Override
        public String schemaName() {
            return context.schemaName();
        }

        @Override
        public String tableName() {
            return context.tableName();
        }

        @Override
        public boolean fromSnapshot() {
            return context.fromSnapshot();
        }

        @Override
        public long commitLsn() {
            return context.commitLsn();
        }

        @Override
        public long xid() {
            return context.xid();
        }

        @Override
        public long commitTimeMicros() {
            return context.commitTimeMicros();
        }

        @Override
        public RowType rowType() {
            return context.rowType();
        }

        @Override
        public boolean logsOldRows() {
            return context.logsOldRows();
        }

        @Nullable
        @Override
        public String replicaIdentity() {
            return context.replicaIdentity();
        }

        @Override
        public boolean allValuesKnown() {
            if (marks != null) {
                return false;
            }
            if (!context.mayHaveAbsentValues(kind)) {
                return true;
            }
            for (int i = 0; i < context.rowType().getFieldCount(); i++) {
                if (context.absent(kind, i)) {
                    return false;
                }
            }
            return true;
        }

        @Nullable
        @Override
        public UnknownValue unknownValue(int position) {
            if (context.absent(kind, position)) {
                return UnknownValue.ABSENT;
            }
            return marks == null ? null : marks[position];
        }
    }
}
