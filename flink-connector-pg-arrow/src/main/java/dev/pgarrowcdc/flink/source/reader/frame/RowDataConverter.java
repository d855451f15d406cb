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
package dev.pgarrowcdc.flink.source.reader.frame;

import org.apache.flink.table.data.DecimalData;
import org.apache.flink.table.data.GenericArrayData;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.data.TimestampData;

import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.DateDayVector;
import org.apache.arrow.vector.DateMilliVector;
import org.apache.arrow.vector.DecimalVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.SmallIntVector;
import org.apache.arrow.vector.TimeMicroVector;
import org.apache.arrow.vector.TimeMilliVector;
import org.apache.arrow.vector.TimeNanoVector;
import org.apache.arrow.vector.TimeSecVector;
import org.apache.arrow.vector.TimeStampVector;
import org.apache.arrow.vector.TinyIntVector;
import org.apache.arrow.vector.VarBinaryVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.complex.ListVector;
import org.apache.arrow.vector.types.TimeUnit;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;

import java.util.ArrayList;
import java.util.List;

/**
 * Turns the rows of {@link RowsFrame}s of one {@link RelationSchema} into Flink {@link RowData}
 * ({@link GenericRowData}, {@link RowData#getRowKind()} from {@code __op}), following the type map
 * of README.md and {@link RelationSchema#toRowType()}.
 *
 * <p>Per column a value reader is chosen once per schema and bound once per Arrow root; a row costs
 * one {@link GenericRowData} plus the boxed values and copied bytes it holds.
 *
 * <p>Values that are not known (see {@link RowsFrame}): an absent column of a {@code -U}/{@code -D}
 * row, and a marked value (unchanged TOAST, numeric NaN/±Infinity in a DECIMAL column, a value the
 * Arrow type cannot hold) are null in the {@code RowData} like an SQL NULL. They are never silently
 * the same thing: ask {@link #valueKnown}, {@link #isUnchanged}, {@link #isAbsent} or {@link #mark}
 * before treating a null as an SQL NULL; {@link #hasUnknownValues} says whether a row has any such
 * value at all.
 *
 * <p>Conversions, independent of the JVM's and the server's time zone:
 *
 * <ul>
 *   <li>DECIMAL: {@link DecimalData}, compact (a {@code long}) up to precision 18.
 *   <li>STRING: {@link StringData} from the UTF-8 bytes; BYTES: a copy of the bytes.
 *   <li>DATE: days since 1970-01-01; PostgreSQL's {@code ±infinity} arrive as the protocol's
 *       sentinels {@link Integer#MAX_VALUE} / {@link Integer#MIN_VALUE}.
 *   <li>TIME(3): milliseconds of the day, sub-millisecond digits cut towards midnight; {@code
 *       24:00:00} (which Flink's TIME cannot hold) becomes 23:59:59.999.
 *   <li>TIMESTAMP(6) and TIMESTAMP_LTZ(6): {@link TimestampData#fromEpochMillis(long, int)} of the
 *       microseconds since the epoch (UTC for LTZ), exact; {@code ±infinity} arrive as the
 *       sentinels {@link Long#MAX_VALUE} / {@link Long#MIN_VALUE} microseconds, i.e. {@link
 *       #TIMESTAMP_POSITIVE_INFINITY} / {@link #TIMESTAMP_NEGATIVE_INFINITY}.
 *   <li>ARRAY: {@link GenericArrayData} over an {@code Object[]}, null elements kept.
 * </ul>
 *
 * <p>Not thread safe: use one converter per thread.
 */
public final class RowDataConverter {

    /** What PostgreSQL's {@code timestamp 'infinity'} converts to. */
    public static final TimestampData TIMESTAMP_POSITIVE_INFINITY = micros(Long.MAX_VALUE);

    /** What PostgreSQL's {@code timestamp '-infinity'} converts to. */
    public static final TimestampData TIMESTAMP_NEGATIVE_INFINITY = micros(Long.MIN_VALUE);

    /** What PostgreSQL's {@code date 'infinity'} converts to (days since the epoch). */
    public static final int DATE_POSITIVE_INFINITY = Integer.MAX_VALUE;

    /** What PostgreSQL's {@code date '-infinity'} converts to (days since the epoch). */
    public static final int DATE_NEGATIVE_INFINITY = Integer.MIN_VALUE;

    private static final int MILLIS_PER_DAY = 86_400_000;

    /** 10^0 .. 10^18: the bound of an unscaled decimal of that many digits. */
    private static final long[] LONG_POWERS_OF_TEN = new long[19];

    static {
        LONG_POWERS_OF_TEN[0] = 1;
        for (int i = 1; i < LONG_POWERS_OF_TEN.length; i++) {
            LONG_POWERS_OF_TEN[i] = LONG_POWERS_OF_TEN[i - 1] * 10;
        }
    }

    /** Reads the non-null value at a row of the vector it was bound to. */
    private interface ValueReader {
        Object read(int row);
    }

    /** Binds a reader to a vector of the column's type; chosen once per schema. */
    private interface ReaderFactory {
        ValueReader bind(FieldVector vector);
    }

    private final RelationSchema schema;
    private final ReaderFactory[] factories;
    private VectorSchemaRoot boundRoot;
    private FieldVector[] boundVectors;
    private ValueReader[] boundReaders;

    public RowDataConverter(RelationSchema schema) {
        this.schema = schema;
        this.factories = new ReaderFactory[schema.columnCount()];
        for (int i = 0; i < factories.length; i++) {
            RelationSchema.Column c = schema.column(i);
            factories[i] = factoryFor(c.field(), schema.qualifiedName() + '.' + c.name());
        }
    }

    public RelationSchema schema() {
        return schema;
    }

    /** The row as Flink {@link RowData}; unknown values (absent, marked) are null. */
    public RowData toRowData(RowsFrame frame, int row) {
        bind(frame);
        GenericRowData out = new GenericRowData(frame.rowKind(row), boundReaders.length);
        for (int i = 0; i < boundReaders.length; i++) {
            if (!boundVectors[i].isNull(row)) {
                try {
                    out.setField(i, boundReaders[i].read(row));
                } catch (RuntimeException e) {
                    // A value the column's type cannot hold: the frame is inconsistent.
                    throw new FrameFormatException(
                            "R frame of "
                                    + schema.qualifiedName()
                                    + " from "
                                    + frame.source()
                                    + ", row "
                                    + row
                                    + ", column "
                                    + schema.column(i).name()
                                    + ": expected a value of "
                                    + schema.column(i).logicalType().asSummaryString()
                                    + " but "
                                    + e.getMessage(),
                            e);
                }
            }
        }
        return out;
    }

    /** Every row of the frame, in order. */
    public List<RowData> toRowDataList(RowsFrame frame) {
        int n = frame.rowCount();
        List<RowData> rows = new ArrayList<>(n);
        for (int r = 0; r < n; r++) {
            rows.add(toRowData(frame, r));
        }
        return rows;
    }

    /** The mark on a value at a {@code RowData} position, or {@code null}. */
    public ValueMark mark(RowsFrame frame, int row, int position) {
        return frame.mark(row, position + 1);
    }

    /** An UPDATE left this TOASTed value unchanged and it is not in the WAL: keep the old one. */
    public boolean isUnchanged(RowsFrame frame, int row, int position) {
        return frame.isUnchangedToast(row, position + 1);
    }

    /** A column the WAL did not log for this {@code -U}/{@code -D} row (outside the identity). */
    public boolean isAbsent(RowsFrame frame, int row, int position) {
        return frame.isAbsent(row, position + 1);
    }

    /** The value at this position is the column's actual value (a null there is SQL NULL). */
    public boolean valueKnown(RowsFrame frame, int row, int position) {
        return frame.valueKnown(row, position + 1);
    }

    /** Whether any position of the row is absent or marked. */
    public boolean hasUnknownValues(RowsFrame frame, int row) {
        for (int f = 1; f <= factories.length; f++) {
            if (!frame.valueKnown(row, f)) {
                return true;
            }
        }
        return false;
    }

    private void bind(RowsFrame frame) {
        if (frame.schema() != schema) {
            throw new IllegalArgumentException(
                    "RowDataConverter for "
                            + schema.qualifiedName()
                            + " schema version "
                            + Integer.toUnsignedString(schema.schemaVersion())
                            + " was given rows of "
                            + frame.schema().qualifiedName()
                            + " schema version "
                            + Integer.toUnsignedString(frame.schemaVersion())
                            + ": make one converter per RelationSchema");
        }
        VectorSchemaRoot root = frame.root();
        if (root == boundRoot) {
            // A reused root keeps its vector objects; only their buffers change.
            return;
        }
        FieldVector[] vectors = new FieldVector[factories.length];
        ValueReader[] readers = new ValueReader[factories.length];
        for (int i = 0; i < factories.length; i++) {
            vectors[i] = root.getVector(i + 1);
            readers[i] = factories[i].bind(vectors[i]);
        }
        boundVectors = vectors;
        boundReaders = readers;
        boundRoot = root;
    }

    private static ReaderFactory factoryFor(Field field, String what) {
        ArrowType type = field.getType();
        switch (type.getTypeID()) {
            case Bool:
                return v -> {
                    BitVector bits = (BitVector) v;
                    return row -> bits.get(row) != 0;
                };
            case Int:
                switch (((ArrowType.Int) type).getBitWidth()) {
                    case 8:
                        return v -> {
                            TinyIntVector t = (TinyIntVector) v;
                            return t::get;
                        };
                    case 16:
                        return v -> {
                            SmallIntVector t = (SmallIntVector) v;
                            return t::get;
                        };
                    case 32:
                        return v -> {
                            IntVector t = (IntVector) v;
                            return t::get;
                        };
                    default:
                        return v -> {
                            BigIntVector t = (BigIntVector) v;
                            return t::get;
                        };
                }
            case FloatingPoint:
                switch (((ArrowType.FloatingPoint) type).getPrecision()) {
                    case SINGLE:
                        return v -> {
                            Float4Vector t = (Float4Vector) v;
                            return t::get;
                        };
                    default:
                        return v -> {
                            Float8Vector t = (Float8Vector) v;
                            return t::get;
                        };
                }
            case Decimal:
                return decimalFactory((ArrowType.Decimal) type);
            case Utf8:
                return v -> {
                    VarCharVector t = (VarCharVector) v;
                    return row -> StringData.fromBytes(t.get(row));
                };
            case Binary:
                return v -> {
                    VarBinaryVector t = (VarBinaryVector) v;
                    return t::get;
                };
            case Date:
                return v -> {
                    if (v instanceof DateDayVector) {
                        DateDayVector t = (DateDayVector) v;
                        return t::get;
                    }
                    DateMilliVector t = (DateMilliVector) v;
                    return row -> (int) Math.floorDiv(t.get(row), (long) MILLIS_PER_DAY);
                };
            case Time:
                return timeFactory(((ArrowType.Time) type).getUnit());
            case Timestamp:
                return timestampFactory(((ArrowType.Timestamp) type).getUnit());
            case List:
                {
                    Field elementField = field.getChildren().get(0);
                    ReaderFactory element = factoryFor(elementField, what + " (array element)");
                    return v -> {
                        ListVector list = (ListVector) v;
                        FieldVector elements = list.getDataVector();
                        ValueReader elementReader = element.bind(elements);
                        return row -> {
                            int from = list.getElementStartIndex(row);
                            int to = list.getElementEndIndex(row);
                            Object[] values = new Object[to - from];
                            for (int i = from; i < to; i++) {
                                if (!elements.isNull(i)) {
                                    values[i - from] = elementReader.read(i);
                                }
                            }
                            return new GenericArrayData(values);
                        };
                    };
                }
            default:
                // RelationSchema already refused any other type with a message naming it.
                throw new FrameFormatException(
                        "Column " + what + " has Arrow type " + type + ", which has no converter");
        }
    }

    private static ReaderFactory decimalFactory(ArrowType.Decimal type) {
        int precision = type.getPrecision();
        int scale = type.getScale();
        if (precision <= 18) {
            // The unscaled value fits the low 8 bytes of the little-endian 16-byte value.
            long limit = LONG_POWERS_OF_TEN[precision];
            return v -> {
                DecimalVector t = (DecimalVector) v;
                return row -> {
                    long at = (long) row * DecimalVector.TYPE_WIDTH;
                    long low = t.getDataBuffer().getLong(at);
                    long high = t.getDataBuffer().getLong(at + 8);
                    if (high != (low >> 63) || low >= limit || low <= -limit) {
                        throw tooManyDigits(t, row, precision);
                    }
                    return DecimalData.fromUnscaledLong(low, precision, scale);
                };
            };
        }
        return v -> {
            DecimalVector t = (DecimalVector) v;
            return row -> {
                DecimalData d = DecimalData.fromBigDecimal(t.getObject(row), precision, scale);
                if (d == null) {
                    throw tooManyDigits(t, row, precision);
                }
                return d;
            };
        };
    }

    private static IllegalArgumentException tooManyDigits(DecimalVector t, int row, int precision) {
        return new IllegalArgumentException(
                "the unscaled value "
                        + t.getObject(row).unscaledValue()
                        + " has more than "
                        + precision
                        + " digits");
    }

    private static ReaderFactory timeFactory(TimeUnit unit) {
        switch (unit) {
            case SECOND:
                return v -> {
                    TimeSecVector t = (TimeSecVector) v;
                    return row -> timeMillis(t.get(row) * 1000L);
                };
            case MILLISECOND:
                return v -> {
                    TimeMilliVector t = (TimeMilliVector) v;
                    return row -> timeMillis(t.get(row));
                };
            case MICROSECOND:
                return v -> {
                    TimeMicroVector t = (TimeMicroVector) v;
                    return row -> timeMillis(Math.floorDiv(t.get(row), 1000L));
                };
            case NANOSECOND:
            default:
                return v -> {
                    TimeNanoVector t = (TimeNanoVector) v;
                    return row -> timeMillis(Math.floorDiv(t.get(row), 1_000_000L));
                };
        }
    }

    private static Integer timeMillis(long millis) {
        // PostgreSQL allows 24:00:00; Flink's TIME (LocalTime) ends at 23:59:59.999.
        return (int) Math.max(0, Math.min(millis, MILLIS_PER_DAY - 1));
    }

    private static ReaderFactory timestampFactory(TimeUnit unit) {
        switch (unit) {
            case SECOND:
                return v -> {
                    TimeStampVector t = (TimeStampVector) v;
                    return row ->
                            TimestampData.fromEpochMillis(Math.multiplyExact(t.get(row), 1000L));
                };
            case MILLISECOND:
                return v -> {
                    TimeStampVector t = (TimeStampVector) v;
                    return row -> TimestampData.fromEpochMillis(t.get(row));
                };
            case MICROSECOND:
                return v -> {
                    TimeStampVector t = (TimeStampVector) v;
                    return row -> micros(t.get(row));
                };
            case NANOSECOND:
            default:
                return v -> {
                    TimeStampVector t = (TimeStampVector) v;
                    return row -> {
                        long nanos = t.get(row);
                        return TimestampData.fromEpochMillis(
                                Math.floorDiv(nanos, 1_000_000L),
                                (int) Math.floorMod(nanos, 1_000_000L));
                    };
                };
        }
    }

    private static TimestampData micros(long micros) {
        return TimestampData.fromEpochMillis(
                Math.floorDiv(micros, 1000L), (int) Math.floorMod(micros, 1000L) * 1000);
    }
}
