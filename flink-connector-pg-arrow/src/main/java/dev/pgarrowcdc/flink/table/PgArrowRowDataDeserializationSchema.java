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

import dev.pgarrowcdc.flink.source.Lsn;
import dev.pgarrowcdc.flink.source.PgArrowDeserializationSchema;
import dev.pgarrowcdc.flink.source.PgArrowRecordContext;
import dev.pgarrowcdc.flink.source.UnknownValue;
import dev.pgarrowcdc.flink.table.FieldConverters.FieldConverter;

import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.types.logical.LogicalType;
import org.apache.flink.table.types.logical.RowType;
import org.apache.flink.types.RowKind;
import org.apache.flink.util.Collector;
import org.apache.flink.util.FlinkRuntimeException;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Produces the SQL table's rows: its (projected) physical columns, found BY NAME among the fields
 * of each captured row (so column order, extra columns and a column added while the job runs do not
 * matter), converted to the declared types, then the requested metadata columns.
 *
 * <p>Each new shape of a table (its snapshot, and every schema frame of its stream) is checked
 * once: a declared column the table no longer has, or whose new type cannot be converted to the
 * declared one, fails the job naming the table and the column. In upsert mode {@code -U} rows are
 * dropped.
 *
 * <p>Old rows ({@code -U}, {@code -D}) must carry what the mode relies on: every declared column in
 * {@code all} mode, the declared primary key in {@code upsert} mode. The planner checked the
 * table's REPLICA IDENTITY, but it can be changed while the job runs (and a table created later was
 * never checked); a column the WAL then did not log would be a made-up NULL in a retraction, and an
 * UPDATE without an old row a {@code +U} with no {@code -U}, so either fails the job instead,
 * naming the table, the column and what to do.
 */
final class PgArrowRowDataDeserializationSchema implements PgArrowDeserializationSchema<RowData> {

    private static final long serialVersionUID = 1L;

    /** Shapes remembered; a long-running job seeing more (many ALTERs) just recomputes. */
    private static final int MAX_SHAPES = 1024;

    private final String flinkTable;
    private final List<String> names;
    private final List<LogicalType> types;
    private final List<PgArrowReadableMetadata> metadata;
    private final boolean upsert;

    /** Per declared column: whether {@code -U}/{@code -D} rows must carry its old value. */
    private final boolean[] neededInOldRows;

    private final String database;
    private final TypeInformation<RowData> producedType;

    private transient Map<RowType, Shape> shapes;
    private transient StringData databaseData;

    PgArrowRowDataDeserializationSchema(
            String flinkTable,
            List<String> names,
            List<LogicalType> types,
            List<PgArrowReadableMetadata> metadata,
            boolean upsert,
            List<String> primaryKey,
            String database,
            TypeInformation<RowData> producedType) {
        this.flinkTable = flinkTable;
        this.names = new ArrayList<>(names);
        this.neededInOldRows = new boolean[names.size()];
        for (int i = 0; i < names.size(); i++) {
            neededInOldRows[i] = !upsert || primaryKey.contains(names.get(i));
        }
        this.types = new ArrayList<>(types);
        this.metadata = new ArrayList<>(metadata);
        this.upsert = upsert;
        this.database = database;
        this.producedType = producedType;
    }

    @Override
    public void deserialize(RowData row, PgArrowRecordContext context, Collector<RowData> out) {
        RowKind kind = row.getRowKind();
        if (upsert && kind == RowKind.UPDATE_BEFORE) {
            return;
        }
        Shape shape = shapeOf(context);
        if (kind != RowKind.INSERT) {
            if (!upsert && !context.logsOldRows()) {
                throw oldRowsLost(kind, context, null);
            }
            if (kind != RowKind.UPDATE_AFTER && !context.allValuesKnown()) {
                requireOldValues(kind, shape, context);
            }
        }
        if (shape.identity && row instanceof GenericRowData) {
            // The reader makes a new row per change and never touches it again: no copy needed.
            out.collect(row);
            return;
        }
        int physical = names.size();
        GenericRowData result = new GenericRowData(kind, physical + metadata.size());
        for (int i = 0; i < physical; i++) {
            Object value = shape.getters[i].getFieldOrNull(row);
            if (value != null) {
                try {
                    result.setField(i, shape.converters[i].convert(value));
                } catch (RuntimeException e) {
                    throw new IllegalArgumentException(
                            "Column '"
                                    + names.get(i)
                                    + "' of PostgreSQL"
                                    + " table "
                                    + context.schemaName()
                                    + "."
                                    + context.tableName()
                                    + " (Flink table "
                                    + flinkTable
                                    + "): "
                                    + e.getMessage(),
                            e);
                }
            }
        }
        if (databaseData == null) {
            databaseData = StringData.fromString(database);
        }
        for (int m = 0; m < metadata.size(); m++) {
            result.setField(physical + m, metadata.get(m).read(row, context, databaseData));
        }
        out.collect(result);
    }

    private void requireOldValues(RowKind kind, Shape shape, PgArrowRecordContext context) {
        for (int i = 0; i < names.size(); i++) {
            if (neededInOldRows[i]
                    && context.unknownValue(shape.positions[i]) == UnknownValue.ABSENT) {
                throw oldRowsLost(kind, context, names.get(i));
            }
        }
    }

    /**
     * The table's REPLICA IDENTITY no longer gives what this mode needs (it was changed after the
     * planner checked it): the row would retract made-up values or none at all.
     */
    private FlinkRuntimeException oldRowsLost(
            RowKind kind, PgArrowRecordContext context, String column) {
        String table = context.schemaName() + "." + context.tableName();
        String quoted = quoteIdent(context.schemaName()) + "." + quoteIdent(context.tableName());
        String what =
                column != null
                        ? "without the old value of column '"
                                + column
                                + "', which Flink table "
                                + flinkTable
                                + " needs in "
                                + (upsert
                                        ? "'changelog-mode' = 'upsert' (it is part of the declared PRIMARY KEY)"
                                        : "'changelog-mode' = 'all' (every column of a -U/-D row)")
                        : "without its whole old row, which Flink table "
                                + flinkTable
                                + " needs in"
                                + " 'changelog-mode' = 'all' (an UPDATE then has no -U row and a -D row lacks"
                                + " its non-key columns)";
        String identity =
                upsert
                        ? "its REPLICA IDENTITY " + context.replicaIdentity() + " does not log it"
                        : "its REPLICA IDENTITY is " + context.replicaIdentity() + ", not FULL";
        return new FlinkRuntimeException(
                "PostgreSQL table "
                        + table
                        + " logged "
                        + (kind == RowKind.DELETE ? "a DELETE" : "an UPDATE")
                        + " (commit LSN "
                        + Lsn.format(context.commitLsn())
                        + ") "
                        + what
                        + ": "
                        + identity
                        + " (changed, or the"
                        + " table created, after the query was planned). Run ALTER TABLE "
                        + quoted
                        + " REPLICA IDENTITY FULL"
                        + (upsert ? " (or DEFAULT, when the key is the primary key)" : "")
                        + "; changes already logged without the old row stay that way, so then restart with a"
                        + " new 'slot.name' and 'scan.startup.mode' = 'initial' to re-read the table"
                        + (upsert ? "" : ", or switch to 'changelog-mode' = 'upsert'")
                        + ". The row was not emitted.");
    }

    private static String quoteIdent(String name) {
        return '"' + name.replace("\"", "\"\"") + '"';
    }

    private Shape shapeOf(PgArrowRecordContext context) {
        if (shapes == null) {
            shapes = new IdentityHashMap<>();
        }
        RowType rowType = context.rowType();
        Shape shape = shapes.get(rowType);
        if (shape == null) {
            shape = resolve(context, rowType);
            if (shapes.size() >= MAX_SHAPES) {
                shapes.clear();
            }
            shapes.put(rowType, shape);
        }
        return shape;
    }

    private Shape resolve(PgArrowRecordContext context, RowType rowType) {
        String table = context.schemaName() + "." + context.tableName();
        List<String> fields = rowType.getFieldNames();
        RowData.FieldGetter[] getters = new RowData.FieldGetter[names.size()];
        FieldConverter[] converters = new FieldConverter[names.size()];
        int[] positions = new int[names.size()];
        for (int i = 0; i < names.size(); i++) {
            String name = names.get(i);
            int position = fields.indexOf(name);
            if (position < 0) {
                throw new FlinkRuntimeException(
                        "PostgreSQL table "
                                + table
                                + " no longer has column '"
                                + name
                                + "' that Flink table "
                                + flinkTable
                                + " declares (the "
                                + (context.fromSnapshot() ? "snapshot" : "stream")
                                + " now has "
                                + fields
                                + "): it was dropped or renamed in PostgreSQL. Change the Flink table to match"
                                + " and restart the job; rows of the new shape were not emitted.");
            }
            LogicalType read = rowType.getTypeAt(position);
            FieldConverter converter = FieldConverters.of(read, types.get(i));
            if (converter == null) {
                throw new FlinkRuntimeException(
                        "Column '"
                                + name
                                + "' of PostgreSQL table "
                                + table
                                + " is now read as "
                                + read.asSummaryString()
                                + ", which the type "
                                + types.get(i).asSummaryString()
                                + " declared by Flink table "
                                + flinkTable
                                + " cannot hold (its type was changed in PostgreSQL). Declare "
                                + read.copy(true).asSummaryString()
                                + " in the Flink table and restart the job.");
            }
            getters[i] = RowData.createFieldGetter(read.copy(true), position);
            converters[i] = converter;
            positions[i] = position;
        }
        boolean identity = metadata.isEmpty() && rowType.getFieldCount() == names.size();
        for (int i = 0; i < names.size() && identity; i++) {
            identity = positions[i] == i && converters[i] == FieldConverters.IDENTITY;
        }
        return new Shape(getters, converters, positions, identity);
    }

    @Override
    public TypeInformation<RowData> getProducedType() {
        return producedType;
    }

    /** Where each declared column is in one shape of a table's rows, and how it converts. */
    private static final class Shape {
        final RowData.FieldGetter[] getters;
        final FieldConverter[] converters;

        /** Field position of each declared column in this shape. */
        final int[] positions;

        /**
         * The declared columns are the row's fields, in order, with the same types, and no metadata
         * column is declared: the source's row is the result.
         */
        final boolean identity;

        Shape(
                RowData.FieldGetter[] getters,
                FieldConverter[] converters,
                int[] positions,
                boolean identity) {
            this.getters = getters;
            this.converters = converters;
            this.positions = positions;
            this.identity = identity;
        }
    }
}
