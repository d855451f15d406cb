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

import dev.pgarrowcdc.flink.testutils.PostgresCluster;
import dev.pgarrowcdc.flink.testutils.PostgresExtension;

import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.table.data.RowData;
import org.apache.flink.util.Collector;

/** Sources pointed at the fixture's server and this test's database. */
public final class TestSources {

    private TestSources() {}

    /** A builder with connection settings, the given patterns and slot prefix {@code it}. */
    public static <T> PgArrowSourceBuilder<T> builder(PostgresExtension pg, String... tables) {
        return PgArrowSource.<T>builder()
                .hostname(pg.host())
                .port(pg.port())
                .username(PostgresCluster.SUPERUSER)
                .database(pg.database())
                .tableList(tables)
                .slotName("it")
                // The fixture's servers have no TLS; the source's default (verify-full) refuses
                // them.
                .sslMode(SslMode.DISABLE);
    }

    public static PgArrowSourceConfig config(PostgresExtension pg, String... tables) {
        return TestSources.<String>builder(pg, tables)
                .deserializer(new RowsAsText())
                .build()
                .config();
    }

    /**
     * Each row as {@code schema.table <kind>(f0, f1, ...)} with the kind's short string ({@code
     * +I}) and every field in its Flink internal form's {@code toString}: comparable text for
     * row-by-row checks against what PostgreSQL committed.
     */
    public static final class RowsAsText implements PgArrowDeserializationSchema<String> {
        private static final long serialVersionUID = 1L;

        @Override
        public void deserialize(RowData row, PgArrowRecordContext context, Collector<String> out) {
            out.collect(context.schemaName() + "." + context.tableName() + " " + format(row));
        }

        @Override
        public TypeInformation<String> getProducedType() {
            return Types.STRING;
        }
    }

    public static String format(RowData row) {
        StringBuilder sb = new StringBuilder(row.getRowKind().shortString()).append('(');
        for (int i = 0; i < row.getArity(); i++) {
            if (i > 0) {
                sb.append(", ");
            }
            sb.append(row.isNullAt(i) ? "null" : text(fieldOf(row, i)));
        }
        return sb.append(')').toString();
    }

    private static String text(Object value) {
        if (value instanceof byte[]) {
            StringBuilder hex = new StringBuilder("\\x");
            for (byte b : (byte[]) value) {
                hex.append(String.format("%02x", b));
            }
            return hex.toString();
        }
        if (value instanceof org.apache.flink.table.data.GenericArrayData) {
            Object[] items = ((org.apache.flink.table.data.GenericArrayData) value).toObjectArray();
            StringBuilder sb = new StringBuilder("[");
            for (int i = 0; i < items.length; i++) {
                sb.append(i == 0 ? "" : ", ").append(items[i] == null ? "null" : text(items[i]));
            }
            return sb.append(']').toString();
        }
        return String.valueOf(value);
    }

    private static Object fieldOf(RowData row, int i) {
        if (row instanceof org.apache.flink.table.data.GenericRowData) {
            return ((org.apache.flink.table.data.GenericRowData) row).getField(i);
        }
        throw new IllegalArgumentException("Expected GenericRowData but got " + row.getClass());
    }
}
