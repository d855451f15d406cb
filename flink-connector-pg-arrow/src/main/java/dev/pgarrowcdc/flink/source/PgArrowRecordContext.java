package dev.pgarrowcdc.flink.source;

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
}
