package dev.pgarrowcdc.flink.source;

import org.apache.flink.table.types.logical.RowType;

/**
 * Where a row came from, handed to {@link PgArrowDeserializationSchema} with the row (the source of
 * the SQL connector's metadata columns).
 */
public interface PgArrowRecordContext {

    /** Schema of the row's table, unquoted. */
    String schemaName();

    /** The row's table, unquoted. */
    String tableName();

    /** Whether the row was read by the snapshot (then there is no LSN, xid or commit time). */
    boolean fromSnapshot();

    /** LSN of the commit record of the row's transaction; 0 for snapshot rows. */
    long commitLsn();

    /** Transaction id; 0 for snapshot rows. */
    long xid();

    /** Commit time in microseconds since the epoch (UTC); 0 for snapshot rows. */
    long commitTimeMicros();

    /**
     * Names and Flink types of the row's fields, in order: the table's columns as read (the
     * projected ones when the source was given {@link PgArrowSourceBuilder#projectedColumns}),
     * in attribute order. One instance per shape of a table (a new one after the table changes
     * shape), so a deserializer can cache per-shape work by identity.
     */
    RowType rowType();
}
