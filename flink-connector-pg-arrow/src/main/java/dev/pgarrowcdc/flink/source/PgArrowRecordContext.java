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
package dev.pgarrowcdc.flink.source;

import org.apache.flink.table.types.logical.RowType;

import javax.annotation.Nullable;

/**
 * Where a row came from, handed to {@link PgArrowDeserializationSchema} with the row (the source of
 * the SQL connector's metadata columns), and what its nulls mean.
 *
 * <p>A null field is an SQL NULL unless {@link #unknownValue(int)} names why it is not (a column
 * the WAL did not log, an unchanged TOASTed value, a numeric NaN in a DECIMAL field, ...). These
 * per-row answers describe the row of the current {@code deserialize} call only.
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
     * projected ones when the source was given {@link PgArrowSourceBuilder#projectedColumns}), in
     * attribute order. One instance per shape of a table (a new one after the table changes shape),
     * so a deserializer can cache per-shape work by identity.
     */
    RowType rowType();

    /**
     * Whether UPDATEs and DELETEs of the row's table log the whole old row: then every {@code +U}
     * follows its {@code -U} and {@code -U}/{@code -D} rows carry every column. True for snapshot
     * rows and under REPLICA IDENTITY FULL (or an identity that covers every column); false under
     * DEFAULT, USING INDEX or NOTHING otherwise, where an UPDATE that keeps the key logs no old row
     * at all (a {@code +U} comes alone) and old rows carry only the identity columns.
     */
    default boolean logsOldRows() {
        return true;
    }

    /**
     * The REPLICA IDENTITY of the row's table as its stream reported it with the row's shape:
     * {@code FULL}, {@code DEFAULT}, {@code INDEX} or {@code NOTHING}; null for snapshot rows.
     */
    @Nullable
    default String replicaIdentity() {
        return null;
    }

    /**
     * Whether every field of the current row holds its column's actual value, so that each null is
     * an SQL NULL. False when {@link #unknownValue(int)} is non-null for some field. Cheap: check
     * this before asking field by field.
     */
    default boolean allValuesKnown() {
        return true;
    }

    /**
     * Why the field at this position of the current row is null although the column's value is not
     * NULL, or {@code null} when the field holds the actual value (a null field then is an SQL
     * NULL).
     */
    @Nullable
    default UnknownValue unknownValue(int position) {
        return null;
    }
}
