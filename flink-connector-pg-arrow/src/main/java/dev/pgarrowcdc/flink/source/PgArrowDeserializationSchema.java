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

import org.apache.flink.api.common.serialization.DeserializationSchema;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.java.typeutils.ResultTypeQueryable;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.runtime.typeutils.InternalTypeInfo;
import org.apache.flink.table.types.logical.RowType;
import org.apache.flink.util.Collector;

import java.io.IOException;
import java.io.Serializable;

/**
 * Turns each captured row, already converted to Flink's {@link RowData} (with its {@link
 * org.apache.flink.types.RowKind}) by the one type mapping both snapshot and stream use, into what
 * the source emits.
 */
public interface PgArrowDeserializationSchema<T> extends Serializable, ResultTypeQueryable<T> {

    /** Called once per reader before the first row. */
    default void open(DeserializationSchema.InitializationContext context) throws Exception {}

    /**
     * Emits zero or more records for one row. The row is only valid during this call: copy what is
     * kept (the default {@link #rowData} emits it as is, Flink copies on hand-over).
     */
    void deserialize(RowData row, PgArrowRecordContext context, Collector<T> out)
            throws IOException;

    /**
     * Emits the table's rows as {@link RowData}, typed with the given row type (use this when all
     * captured tables share it, e.g. one table from SQL).
     */
    static PgArrowDeserializationSchema<RowData> rowData(RowType rowType) {
        return new RowDataDeserializationSchema(InternalTypeInfo.of(rowType));
    }

    /** Which fields and types a row has depends on its table: see {@link #rowData(RowType)}. */
    final class RowDataDeserializationSchema implements PgArrowDeserializationSchema<RowData> {
        private static final long serialVersionUID = 1L;
        private final TypeInformation<RowData> type;

        RowDataDeserializationSchema(TypeInformation<RowData> type) {
            this.type = type;
        }

        @Override
        public void deserialize(RowData row, PgArrowRecordContext context, Collector<RowData> out) {
            out.collect(row);
        }

        @Override
        public TypeInformation<RowData> getProducedType() {
            return type;
        }
    }
}
