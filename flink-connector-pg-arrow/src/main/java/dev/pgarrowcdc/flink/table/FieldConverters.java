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

import org.apache.flink.table.data.DecimalData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.data.TimestampData;
import org.apache.flink.table.types.logical.DecimalType;
import org.apache.flink.table.types.logical.LocalZonedTimestampType;
import org.apache.flink.table.types.logical.LogicalType;
import org.apache.flink.table.types.logical.LogicalTypeRoot;
import org.apache.flink.table.types.logical.TimeType;
import org.apache.flink.table.types.logical.TimestampType;

import javax.annotation.Nullable;

import java.math.BigDecimal;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;

/**
 * From the Flink type a column is read as (the type map) to the type a CREATE TABLE declares for
 * it: the same type; a type with the same internal form (VARCHAR(n)/CHAR(n) for STRING,
 * BINARY/VARBINARY for BYTES); a lossless widening (SMALLINT → INT → BIGINT, FLOAT → DOUBLE,
 * DECIMAL to one with as many integer and fraction digits); fewer fractional-second digits
 * (TIMESTAMP(3) for TIMESTAMP(6), cut, not rounded); DECIMAL(p,s) for a numeric read as exact text
 * (numeric without typmod or p > 38); STRING for numbers and booleans. Anything else is refused
 * (null), up front at planning time and again when a table changes shape while the job runs.
 */
final class FieldConverters {

    /** Converts one non-null internal value. */
    interface FieldConverter {
        Object convert(Object value);
    }

    static final FieldConverter IDENTITY = v -> v;

    private FieldConverters() {}

    /**
     * The converter from values of {@code read} to {@code declared}, or null when there is none.
     */
    @Nullable
    static FieldConverter of(LogicalType read, LogicalType declared) {
        LogicalType from = read.copy(true);
        LogicalType to = declared.copy(true);
        if (from.equals(to)) {
            return IDENTITY;
        }
        LogicalTypeRoot f = from.getTypeRoot();
        switch (to.getTypeRoot()) {
            case CHAR:
            case VARCHAR:
                if (f == LogicalTypeRoot.VARCHAR || f == LogicalTypeRoot.CHAR) {
                    return IDENTITY;
                }
                if (f == LogicalTypeRoot.DECIMAL) {
                    return v ->
                            StringData.fromString(((DecimalData) v).toBigDecimal().toPlainString());
                }
                if (f == LogicalTypeRoot.BOOLEAN
                        || f == LogicalTypeRoot.SMALLINT
                        || f == LogicalTypeRoot.INTEGER
                        || f == LogicalTypeRoot.BIGINT
                        || f == LogicalTypeRoot.FLOAT
                        || f == LogicalTypeRoot.DOUBLE) {
                    return v -> StringData.fromString(String.valueOf(v));
                }
                return null;
            case BINARY:
            case VARBINARY:
                return f == LogicalTypeRoot.VARBINARY || f == LogicalTypeRoot.BINARY
                        ? IDENTITY
                        : null;
            case INTEGER:
                if (isWholeDecimal(from, 9)) {
                    return v -> (int) ((DecimalData) v).toUnscaledLong();
                }
                return f == LogicalTypeRoot.SMALLINT ? v -> ((Short) v).intValue() : null;
            case BIGINT:
                if (f == LogicalTypeRoot.SMALLINT) {
                    return v -> ((Short) v).longValue();
                }
                if (isWholeDecimal(from, 18)) {
                    return v -> ((DecimalData) v).toUnscaledLong();
                }
                return f == LogicalTypeRoot.INTEGER ? v -> ((Integer) v).longValue() : null;
            case DOUBLE:
                if (f == LogicalTypeRoot.FLOAT) {
                    return v -> ((Float) v).doubleValue();
                }
                if (f == LogicalTypeRoot.DECIMAL) {
                    return v -> ((DecimalData) v).toBigDecimal().doubleValue();
                }
                // numeric without typmod (exact text): NaN and ±Infinity have doubles of their own
                return f == LogicalTypeRoot.VARCHAR ? v -> parseDouble(v.toString()) : null;
            case DECIMAL:
                return toDecimal(from, (DecimalType) to);
            case TIMESTAMP_WITHOUT_TIME_ZONE:
                if (f == LogicalTypeRoot.TIMESTAMP_WITH_LOCAL_TIME_ZONE) {
                    // timestamptz declared TIMESTAMP: the instant's date and time in UTC, as
                    // postgres-cdc gives it (both TimestampData count from 1970-01-01 00:00 UTC)
                    return truncating(
                            ((LocalZonedTimestampType) from).getPrecision(),
                            ((TimestampType) to).getPrecision());
                }
                return f == LogicalTypeRoot.TIMESTAMP_WITHOUT_TIME_ZONE
                        ? truncating(
                                ((TimestampType) from).getPrecision(),
                                ((TimestampType) to).getPrecision())
                        : null;
            case TIMESTAMP_WITH_LOCAL_TIME_ZONE:
                return f == LogicalTypeRoot.TIMESTAMP_WITH_LOCAL_TIME_ZONE
                        ? truncating(
                                ((LocalZonedTimestampType) from).getPrecision(),
                                ((LocalZonedTimestampType) to).getPrecision())
                        : null;
            case TIME_WITHOUT_TIME_ZONE:
                if (f != LogicalTypeRoot.TIME_WITHOUT_TIME_ZONE) {
                    return null;
                }
                int cut =
                        ((TimeType) to).getPrecision() >= 3
                                ? 1
                                : (int) Math.pow(10, 3 - ((TimeType) to).getPrecision());
                return cut == 1 ? IDENTITY : v -> (Integer) v - (Integer) v % cut;
            default:
                return null;
        }
    }

    @Nullable
    private static FieldConverter toDecimal(LogicalType from, DecimalType to) {
        int p = to.getPrecision();
        int s = to.getScale();
        if (from instanceof DecimalType) {
            DecimalType d = (DecimalType) from;
            if (p - s < d.getPrecision() - d.getScale() || s < d.getScale()) {
                return null;
            }
            return v -> DecimalData.fromBigDecimal(((DecimalData) v).toBigDecimal(), p, s);
        }
        if (from.getTypeRoot() == LogicalTypeRoot.VARCHAR) {
            return v -> {
                String text = v.toString();
                if (NUMERIC_SPECIALS.contains(text)) {
                    return null; // as in a DECIMAL column read as such
                }
                BigDecimal parsed;
                try {
                    parsed = new BigDecimal(text);
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException(
                            "The value '"
                                    + abbreviated(text)
                                    + "' is not a number, so the declared DECIMAL("
                                    + p
                                    + ", "
                                    + s
                                    + ") cannot hold it: declare STRING");
                }
                DecimalData d = DecimalData.fromBigDecimal(parsed, p, s);
                if (d == null) {
                    throw new ArithmeticException(
                            "The numeric value "
                                    + text
                                    + " does not fit the declared"
                                    + " DECIMAL("
                                    + p
                                    + ", "
                                    + s
                                    + "): declare more digits or STRING");
                }
                return d;
            };
        }
        return null;
    }

    /**
     * Whether the converter from {@code read} to {@code declared} parses text into a number: meant
     * for numerics without typmod (read as STRING); the planning-time check refuses it for other
     * columns, whose text need not be a number.
     */
    static boolean parsesText(LogicalType read, LogicalType declared) {
        LogicalTypeRoot to = declared.getTypeRoot();
        return read.getTypeRoot() == LogicalTypeRoot.VARCHAR
                && (to == LogicalTypeRoot.DECIMAL || to == LogicalTypeRoot.DOUBLE);
    }

    /** A numeric(p, 0) whose every value fits an integer of {@code maxDigits} digits. */
    private static boolean isWholeDecimal(LogicalType type, int maxDigits) {
        return type instanceof DecimalType
                && ((DecimalType) type).getScale() == 0
                && ((DecimalType) type).getPrecision() <= maxDigits;
    }

    /** What numeric_out writes for the values a Decimal cannot hold. */
    private static final Set<String> NUMERIC_SPECIALS =
            new HashSet<>(Arrays.asList("NaN", "Infinity", "-Infinity"));

    private static double parseDouble(String text) {
        if (NUMERIC_SPECIALS.contains(text)) {
            return Double.parseDouble(text);
        }
        try {
            // BigDecimal first: Double.parseDouble also takes "1d", "0x1p3" and surrounding blanks
            return new BigDecimal(text).doubleValue();
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(
                    "The value '"
                            + abbreviated(text)
                            + "' is not a number, so the declared DOUBLE cannot hold it: declare STRING");
        }
    }

    private static String abbreviated(String text) {
        return text.length() <= 40 ? text : text.substring(0, 40) + "...";
    }

    private static FieldConverter truncating(int fromPrecision, int toPrecision) {
        if (toPrecision >= fromPrecision) {
            return IDENTITY;
        }
        int unit = (int) Math.pow(10, 9 - toPrecision);
        return v -> {
            TimestampData t = (TimestampData) v;
            int nanos = t.getNanoOfMillisecond();
            long millis = t.getMillisecond();
            if (toPrecision < 3) {
                int milliUnit = (int) Math.pow(10, 3 - toPrecision);
                return TimestampData.fromEpochMillis(Math.floorDiv(millis, milliUnit) * milliUnit);
            }
            return TimestampData.fromEpochMillis(millis, nanos - nanos % unit);
        };
    }
}
