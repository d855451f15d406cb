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
package dev.pgarrowcdc.flink.table;

import dev.pgarrowcdc.flink.source.PgArrowRecordContext;

import org.apache.flink.table.api.DataTypes;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.data.TimestampData;
import org.apache.flink.table.types.DataType;

/**
 * The metadata columns of {@code 'connector' = 'pg-arrow-cdc'}: postgres-cdc's ({@code
 * database_name}, {@code schema_name}, {@code table_name}, {@code op_ts}, {@code row_kind}) with
 * their types and meanings, plus {@code lsn} and {@code xid}.
 */
enum PgArrowReadableMetadata {
    DATABASE_NAME(
            "database_name",
            DataTypes.STRING().notNull(),
            "Name of the database the row comes from (the 'database-name' option)."),
    SCHEMA_NAME("schema_name", DataTypes.STRING().notNull(), "Schema of the row's table."),
    TABLE_NAME("table_name", DataTypes.STRING().notNull(), "The row's table."),
    OP_TS(
            "op_ts",
            DataTypes.TIMESTAMP_LTZ(3).notNull(),
            "Commit time of the row's transaction; 1970-01-01 00:00:00 UTC (0) for snapshot rows,"
                    + " as postgres-cdc."),
    ROW_KIND("row_kind", DataTypes.STRING().notNull(), "The row's change: +I, -U, +U or -D."),
    LSN(
            "lsn",
            DataTypes.BIGINT(),
            "LSN of the commit record of the row's transaction (PostgreSQL's pg_lsn as an unsigned"
                    + " 64-bit number); NULL for snapshot rows."),
    XID(
            "xid",
            DataTypes.BIGINT(),
            "Transaction id of the row's transaction; NULL for snapshot rows.");

    final String key;
    final DataType type;
    final String description;

    PgArrowReadableMetadata(String key, DataType type, String description) {
        this.key = key;
        this.type = type;
        this.description = description;
    }

    /** The value for one row, in Flink's internal form. */
    Object read(RowData row, PgArrowRecordContext context, StringData database) {
        switch (this) {
            case DATABASE_NAME:
                return database;
            case SCHEMA_NAME:
                return StringData.fromString(context.schemaName());
            case TABLE_NAME:
                return StringData.fromString(context.tableName());
            case OP_TS:
                return TimestampData.fromEpochMillis(
                        context.fromSnapshot()
                                ? 0
                                : Math.floorDiv(context.commitTimeMicros(), 1000));
            case ROW_KIND:
                return StringData.fromString(row.getRowKind().shortString());
            case LSN:
                return context.fromSnapshot() ? null : context.commitLsn();
            case XID:
                return context.fromSnapshot() ? null : context.xid();
            default:
                throw new IllegalStateException("Unknown metadata " + this);
        }
    }

    static PgArrowReadableMetadata ofKey(String key) {
        for (PgArrowReadableMetadata m : values()) {
            if (m.key.equals(key)) {
                return m;
            }
        }
        throw new IllegalArgumentException("Unknown metadata key '" + key + "'");
    }
}
