package dev.pgarrowcdc.flink.source.reader;

import org.apache.flink.table.data.RowData;
import org.apache.flink.table.types.logical.RowType;

import dev.pgarrowcdc.flink.source.PgArrowRecordContext;

/**
 * What the fetcher thread hands to {@link PgArrowRecordEmitter}: a row ready for the
 * deserializer, or a position marker that advances the split's checkpointed state.
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
        PROGRESS
    }

    final Kind kind;
    final RowData row;
    final RowContext context;
    final long lsn;

    private PgArrowRecord(Kind kind, RowData row, RowContext context, long lsn) {
        this.kind = kind;
        this.row = row;
        this.context = context;
        this.lsn = lsn;
    }

    static PgArrowRecord row(RowData row, RowContext context) {
        return new PgArrowRecord(Kind.ROW, row, context, 0);
    }

    static PgArrowRecord snapshotDone(long consistentPoint) {
        return new PgArrowRecord(Kind.SNAPSHOT_DONE, null, null, consistentPoint);
    }

    static PgArrowRecord transactionEnd(long endLsn) {
        return new PgArrowRecord(Kind.TRANSACTION_END, null, null, endLsn);
    }

    static PgArrowRecord progress(long lsn) {
        return new PgArrowRecord(Kind.PROGRESS, null, null, lsn);
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

        RowContext(String schema, String table, boolean snapshot, long commitLsn, long xid,
                long commitTimeMicros, RowType rowType) {
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
    }
}
