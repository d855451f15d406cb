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

import dev.pgarrowcdc.flink.source.UnknownValue;
import dev.pgarrowcdc.flink.source.reader.frame.RelationSchema;
import dev.pgarrowcdc.flink.source.reader.frame.RowsFrame;
import dev.pgarrowcdc.flink.source.reader.frame.ValueMark;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.HashSet;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The value marks of {@code R} frames as {@link UnknownValue}s per field position, for the stream
 * ({@link FrameTranslator}) and for snapshot chunks read as Arrow ({@link ArrowChunkRows}) alike:
 * one mapping, and one WARN per table, column and kind for a NaN / ±Infinity / not representable
 * value.
 */
final class ValueMarks {

    private static final Logger LOG = LoggerFactory.getLogger(ValueMarks.class);

    /** Table, column and mark kind of the values already logged. */
    private final Set<String> warned = new HashSet<>();

    /**
     * The row's marks, or null when it has none. An {@code UNCHANGED_TOAST} mark goes to {@code
     * onUnchangedToast} (which may throw) instead of being logged.
     */
    UnknownValue[] of(RowsFrame rows, int row, Consumer<RelationSchema.Column> onUnchangedToast) {
        ValueMark[] marks = rows.rowMarks(row);
        if (marks == null) {
            return null;
        }
        RelationSchema schema = rows.schema();
        UnknownValue[] out = new UnknownValue[marks.length - 1];
        for (int field = 1; field < marks.length; field++) {
            if (marks[field] == null) {
                continue;
            }
            RelationSchema.Column column = schema.column(field - 1);
            out[field - 1] = unknownValue(marks[field]);
            if (marks[field] == ValueMark.UNCHANGED_TOAST) {
                onUnchangedToast.accept(column);
            } else if (warned.add(
                    schema.qualifiedName() + '\0' + column.name() + '\0' + marks[field])) {
                LOG.warn(
                        "Column {} of table {} holds a {} value ({}), which Flink type {} cannot"
                                + " hold: it is emitted as NULL, and PgArrowRecordContext#unknownValue"
                                + " reports it as {}. Further such values of this column are not"
                                + " logged.",
                        column.name(),
                        schema.qualifiedName(),
                        marks[field],
                        column.typeName(),
                        column.logicalType().asSummaryString(),
                        out[field - 1]);
            }
        }
        return out;
    }

    static UnknownValue unknownValue(ValueMark mark) {
        switch (mark) {
            case UNCHANGED_TOAST:
                return UnknownValue.UNCHANGED_TOAST;
            case NAN:
                return UnknownValue.NAN;
            case POSITIVE_INFINITY:
                return UnknownValue.POSITIVE_INFINITY;
            case NEGATIVE_INFINITY:
                return UnknownValue.NEGATIVE_INFINITY;
            case NOT_REPRESENTABLE:
            default:
                return UnknownValue.NOT_REPRESENTABLE;
        }
    }
}
