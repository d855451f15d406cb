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

import org.apache.flink.table.types.logical.ArrayType;
import org.apache.flink.table.types.logical.BigIntType;
import org.apache.flink.table.types.logical.BooleanType;
import org.apache.flink.table.types.logical.DateType;
import org.apache.flink.table.types.logical.DecimalType;
import org.apache.flink.table.types.logical.DoubleType;
import org.apache.flink.table.types.logical.FloatType;
import org.apache.flink.table.types.logical.IntType;
import org.apache.flink.table.types.logical.LocalZonedTimestampType;
import org.apache.flink.table.types.logical.LogicalType;
import org.apache.flink.table.types.logical.SmallIntType;
import org.apache.flink.table.types.logical.TimeType;
import org.apache.flink.table.types.logical.TimestampType;
import org.apache.flink.table.types.logical.TinyIntType;
import org.apache.flink.table.types.logical.VarBinaryType;
import org.apache.flink.table.types.logical.VarCharType;

import org.apache.arrow.vector.types.DateUnit;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.TimeUnit;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;

/**
 * The Arrow → Flink half of the type map (README.md, "Type map"). Every type here is nullable:
 * {@code -U}/{@code -D} rows and marked values are nulls whatever the column's NOT NULL.
 *
 * <p>TIME: Flink keeps TIME values as milliseconds of the day in an {@code int}, so a PostgreSQL
 * {@code time} (microseconds) is mapped to {@code TIME(3)} and its sub-millisecond digits are cut
 * (rounded towards midnight). Declaring {@code TIME(6)} would promise digits Flink drops anyway.
 */
final class FlinkTypes {

    /** Flink's TIME precision for the millisecond-of-day representation. */
    static final int TIME_PRECISION = 3;

    private FlinkTypes() {}

    /** The Flink type for an Arrow field; {@code what} names the column for the error message. */
    static LogicalType toLogicalType(Field field, String what) {
        ArrowType type = field.getType();
        switch (type.getTypeID()) {
            case Bool:
                return new BooleanType();
            case Int:
                {
                    ArrowType.Int t = (ArrowType.Int) type;
                    if (!t.getIsSigned()) {
                        break;
                    }
                    switch (t.getBitWidth()) {
                        case 8:
                            return new TinyIntType();
                        case 16:
                            return new SmallIntType();
                        case 32:
                            return new IntType();
                        case 64:
                            return new BigIntType();
                        default:
                            break;
                    }
                    break;
                }
            case FloatingPoint:
                {
                    FloatingPointPrecision p = ((ArrowType.FloatingPoint) type).getPrecision();
                    if (p == FloatingPointPrecision.SINGLE) {
                        return new FloatType();
                    }
                    if (p == FloatingPointPrecision.DOUBLE) {
                        return new DoubleType();
                    }
                    break;
                }
            case Decimal:
                {
                    ArrowType.Decimal t = (ArrowType.Decimal) type;
                    if (t.getBitWidth() == 128
                            && t.getPrecision() >= 1
                            && t.getPrecision() <= DecimalType.MAX_PRECISION
                            && t.getScale() >= 0
                            && t.getScale() <= t.getPrecision()) {
                        return new DecimalType(t.getPrecision(), t.getScale());
                    }
                    break;
                }
            case Utf8:
                return new VarCharType(VarCharType.MAX_LENGTH);
            case Binary:
                return new VarBinaryType(VarBinaryType.MAX_LENGTH);
            case Date:
                // wal2arrow writes days (PROTOCOL.md section 4); the other units are refused.
                if (((ArrowType.Date) type).getUnit() == DateUnit.DAY) {
                    return new DateType();
                }
                break;
            case Time:
                {
                    ArrowType.Time t = (ArrowType.Time) type;
                    if (t.getUnit() == TimeUnit.MICROSECOND && t.getBitWidth() == 64) {
                        return new TimeType(TIME_PRECISION);
                    }
                    break;
                }
            case Timestamp:
                {
                    ArrowType.Timestamp t = (ArrowType.Timestamp) type;
                    if (t.getUnit() != TimeUnit.MICROSECOND) {
                        break;
                    }
                    int precision = precisionOf(t.getUnit());
                    if (t.getTimezone() == null) {
                        return new TimestampType(precision);
                    }
                    if ("UTC".equals(t.getTimezone())) {
                        return new LocalZonedTimestampType(precision);
                    }
                    break;
                }
            case List:
                {
                    if (field.getChildren().size() == 1) {
                        Field element = field.getChildren().get(0);
                        return new ArrayType(toLogicalType(element, what + " (array element)"));
                    }
                    break;
                }
            default:
                break;
        }
        throw new FrameFormatException(
                "Column "
                        + what
                        + " has Arrow type "
                        + type
                        + ", which the wal2arrow type map does not produce and this reader"
                        + " cannot map to a Flink type");
    }

    static int precisionOf(TimeUnit unit) {
        switch (unit) {
            case SECOND:
                return 0;
            case MILLISECOND:
                return 3;
            case MICROSECOND:
                return 6;
            case NANOSECOND:
            default:
                return 9;
        }
    }
}
