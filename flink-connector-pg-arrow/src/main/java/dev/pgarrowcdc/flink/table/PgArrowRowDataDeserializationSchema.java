package dev.pgarrowcdc.flink.table;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.types.logical.LogicalType;
import org.apache.flink.table.types.logical.RowType;
import org.apache.flink.types.RowKind;
import org.apache.flink.util.Collector;
import org.apache.flink.util.FlinkRuntimeException;

import dev.pgarrowcdc.flink.source.PgArrowDeserializationSchema;
import dev.pgarrowcdc.flink.source.PgArrowRecordContext;
import dev.pgarrowcdc.flink.table.FieldConverters.FieldConverter;

/**
 * Produces the SQL table's rows: its (projected) physical columns, found BY NAME among the fields
 * of each captured row (so column order, extra columns and a column added while the job runs do
 * not matter), converted to the declared types, then the requested metadata columns.
 *
 * <p>Each new shape of a table (its snapshot, and every schema frame of its stream) is checked
 * once: a declared column the table no longer has, or whose new type cannot be converted to the
 * declared one, fails the job naming the table and the column. In upsert mode {@code -U} rows are
 * dropped.
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
            String database,
            TypeInformation<RowData> producedType) {
        this.flinkTable = flinkTable;
        this.names = new ArrayList<>(names);
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
        int physical = names.size();
        GenericRowData result = new GenericRowData(kind, physical + metadata.size());
        for (int i = 0; i < physical; i++) {
            Object value = shape.getters[i].getFieldOrNull(row);
            if (value != null) {
                result.setField(i, shape.converters[i].convert(value));
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
        for (int i = 0; i < names.size(); i++) {
            String name = names.get(i);
            int position = fields.indexOf(name);
            if (position < 0) {
                throw new FlinkRuntimeException("PostgreSQL table " + table + " no longer has column '"
                        + name + "' that Flink table " + flinkTable + " declares (the "
                        + (context.fromSnapshot() ? "snapshot" : "stream") + " now has " + fields
                        + "): it was dropped or renamed in PostgreSQL. Change the Flink table to match"
                        + " and restart the job; rows of the new shape were not emitted.");
            }
            LogicalType read = rowType.getTypeAt(position);
            FieldConverter converter = FieldConverters.of(read, types.get(i));
            if (converter == null) {
                throw new FlinkRuntimeException("Column '" + name + "' of PostgreSQL table " + table
                        + " is now read as " + read.asSummaryString() + ", which the type "
                        + types.get(i).asSummaryString() + " declared by Flink table " + flinkTable
                        + " cannot hold (its type was changed in PostgreSQL). Declare "
                        + read.copy(true).asSummaryString() + " in the Flink table and restart the job.");
            }
            getters[i] = RowData.createFieldGetter(read.copy(true), position);
            converters[i] = converter;
        }
        return new Shape(getters, converters);
    }

    @Override
    public TypeInformation<RowData> getProducedType() {
        return producedType;
    }

    /** Where each declared column is in one shape of a table's rows, and how it converts. */
    private static final class Shape {
        final RowData.FieldGetter[] getters;
        final FieldConverter[] converters;

        Shape(RowData.FieldGetter[] getters, FieldConverter[] converters) {
            this.getters = getters;
            this.converters = converters;
        }
    }
}
