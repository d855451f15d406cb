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

import org.apache.flink.table.data.DecimalData;
import org.apache.flink.table.data.GenericArrayData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.data.TimestampData;
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
import org.apache.flink.table.types.logical.VarBinaryType;
import org.apache.flink.table.types.logical.VarCharType;

import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;

/**
 * The snapshot's half of the type map: PostgreSQL's text output of a value (as a connection without
 * binary transfer, with DateStyle ISO and TimeZone UTC, receives it) to the Flink internal value
 * the stream path's {@code RowDataConverter} produces for the same value sent as Arrow by
 * wal2arrow. The rules mirror PROTOCOL.md section 4 and that converter:
 *
 * <ul>
 *   <li>numeric(p,s) with 1 ≤ p ≤ 38, 0 ≤ s ≤ p: DECIMAL(p,s); NaN and ±Infinity are null (the
 *       stream marks them); other numerics: their exact text.
 *   <li>date: days since the epoch, {@code ±infinity} as {@code Integer.MAX_VALUE/MIN_VALUE}.
 *   <li>time: milliseconds of the day, sub-millisecond digits cut, 24:00:00 as 23:59:59.999.
 *   <li>timestamp, timestamptz (UTC): epoch microseconds, {@code ±infinity} as {@code
 *       Long.MAX_VALUE/MIN_VALUE} microseconds.
 *   <li>one-dimensional arrays: element by element, null elements kept, bounds dropped;
 *       multi-dimensional arrays are null (the stream marks them as not representable).
 *   <li>everything else: the type's text output.
 * </ul>
 */
public final class SnapshotValues {

    /** How a column's values are converted; chosen once per column from pg_catalog. */
    enum Kind {
        BOOL,
        INT2,
        INT4,
        INT8,
        FLOAT4,
        FLOAT8,
        DECIMAL,
        TEXT,
        BYTEA,
        DATE,
        TIME,
        TIMESTAMP,
        TIMESTAMPTZ
    }

    private static final long MICROS_PER_DAY = 86_400_000_000L;
    private static final int MILLIS_PER_DAY = 86_400_000;

    private SnapshotValues() {}

    /** The kind for a (domain-resolved) type OID and type modifier. */
    static Kind kindOf(long typeOid, int typmod) {
        switch ((int) typeOid) {
            case 16:
                return Kind.BOOL;
            case 21:
                return Kind.INT2;
            case 23:
                return Kind.INT4;
            case 20:
                return Kind.INT8;
            case 700:
                return Kind.FLOAT4;
            case 701:
                return Kind.FLOAT8;
            case 1700:
                return decimalPrecision(typmod) > 0 ? Kind.DECIMAL : Kind.TEXT;
            case 17:
                return Kind.BYTEA;
            case 1082:
                return Kind.DATE;
            case 1083:
                return Kind.TIME;
            case 1114:
                return Kind.TIMESTAMP;
            case 1184:
                return Kind.TIMESTAMPTZ;
            default:
                return Kind.TEXT;
        }
    }

    /**
     * The Flink type a (domain-resolved) column of this type and modifier reads as, in the snapshot
     * and in the stream alike: the type map of the README, in one place.
     */
    public static LogicalType logicalType(long typeOid, int typmod) {
        return logicalType(kindOf(typeOid, typmod), typmod);
    }

    static LogicalType logicalType(Kind kind, int typmod) {
        switch (kind) {
            case BOOL:
                return new BooleanType();
            case INT2:
                return new SmallIntType();
            case INT4:
                return new IntType();
            case INT8:
                return new BigIntType();
            case FLOAT4:
                return new FloatType();
            case FLOAT8:
                return new DoubleType();
            case DECIMAL:
                return new DecimalType(decimalPrecision(typmod), decimalScale(typmod));
            case BYTEA:
                return new VarBinaryType(VarBinaryType.MAX_LENGTH);
            case DATE:
                return new DateType();
            case TIME:
                return new TimeType(3);
            case TIMESTAMP:
                return new TimestampType(6);
            case TIMESTAMPTZ:
                return new LocalZonedTimestampType(6);
            case TEXT:
            default:
                return new VarCharType(VarCharType.MAX_LENGTH);
        }
    }

    /** Precision of numeric(p,s) when it maps to Decimal128, else 0. */
    static int decimalPrecision(int typmod) {
        if (typmod < 4) {
            return 0;
        }
        int p = ((typmod - 4) >> 16) & 0xFFFF;
        int s = decimalScale(typmod);
        return p >= 1 && p <= 38 && s >= 0 && s <= p ? p : 0;
    }

    static int decimalScale(int typmod) {
        // PostgreSQL 15 packs a signed 11-bit scale into the low bits.
        return (((typmod - 4) & 0x7FF) ^ 1024) - 1024;
    }

    /** Converts one non-null text value. */
    static Object convert(Kind kind, int typmod, String text) {
        switch (kind) {
            case BOOL:
                return "t".equals(text) || "true".equals(text);
            case INT2:
                return Short.parseShort(text);
            case INT4:
                return Integer.parseInt(text);
            case INT8:
                return Long.parseLong(text);
            case FLOAT4:
                return Float.parseFloat(text);
            case FLOAT8:
                return Double.parseDouble(text);
            case DECIMAL:
                if (text.equals("NaN") || text.endsWith("Infinity")) {
                    return null;
                }
                return DecimalData.fromBigDecimal(
                        new BigDecimal(text), decimalPrecision(typmod), decimalScale(typmod));
            case BYTEA:
                return hex(text);
            case DATE:
                return date(text);
            case TIME:
                return timeMillis(text);
            case TIMESTAMP:
            case TIMESTAMPTZ:
                return timestamp(text);
            case TEXT:
            default:
                return StringData.fromString(text);
        }
    }

    /**
     * Why a non-NULL value converted to null (the stream's value mark for it): numeric NaN /
     * ±Infinity in a DECIMAL column, a multi-dimensional array, a timestamp beyond the int64
     * microsecond range.
     */
    static UnknownValue whyNull(Kind kind, String text) {
        if (kind == Kind.DECIMAL) {
            if (text.equals("NaN")) {
                return UnknownValue.NAN;
            }
            if (text.equals("Infinity")) {
                return UnknownValue.POSITIVE_INFINITY;
            }
            if (text.equals("-Infinity")) {
                return UnknownValue.NEGATIVE_INFINITY;
            }
        }
        return UnknownValue.NOT_REPRESENTABLE;
    }

    /** For an array value: its NaN elements became null elements (the stream marks it NAN). */
    static UnknownValue whyElementsNull(Kind element, String literal) {
        return element == Kind.DECIMAL && literal.contains("NaN") ? UnknownValue.NAN : null;
    }

    /** A one-dimensional array literal, or null for a multi-dimensional one. */
    static GenericArrayData array(Kind element, int typmod, String literal) {
        String s = literal;
        if (s.startsWith("[")) {
            // explicit bounds, e.g. [2:3]={1,2}: the lower bound is not kept
            s = s.substring(s.indexOf('=') + 1);
        }
        if (s.startsWith("{{")) {
            return null;
        }
        List<String> items = new ArrayList<>();
        List<Boolean> quoted = new ArrayList<>();
        int i = 1;
        int end = s.length() - 1;
        StringBuilder cur = new StringBuilder();
        while (i < end) {
            boolean q = false;
            cur.setLength(0);
            if (s.charAt(i) == '"') {
                q = true;
                i++;
                while (s.charAt(i) != '"') {
                    if (s.charAt(i) == '\\') {
                        i++;
                    }
                    cur.append(s.charAt(i++));
                }
                i++;
            } else {
                while (i < end && s.charAt(i) != ',') {
                    cur.append(s.charAt(i++));
                }
            }
            items.add(cur.toString());
            quoted.add(q);
            i++; // the comma
        }
        Object[] values = new Object[items.size()];
        for (int k = 0; k < values.length; k++) {
            String item = items.get(k);
            values[k] =
                    !quoted.get(k) && item.equals("NULL") ? null : convert(element, typmod, item);
        }
        return new GenericArrayData(values);
    }

    private static byte[] hex(String text) {
        // bytea_output = hex: \x0a1b...
        int n = (text.length() - 2) / 2;
        byte[] out = new byte[n];
        for (int i = 0; i < n; i++) {
            out[i] = (byte) Integer.parseInt(text.substring(2 + 2 * i, 4 + 2 * i), 16);
        }
        return out;
    }

    static Integer date(String text) {
        if (text.equals("infinity")) {
            return Integer.MAX_VALUE;
        }
        if (text.equals("-infinity")) {
            return Integer.MIN_VALUE;
        }
        return (int) epochDay(text);
    }

    private static long epochDay(String text) {
        boolean bc = text.endsWith(" BC");
        String d = bc ? text.substring(0, text.length() - 3) : text;
        int dash1 = d.indexOf('-');
        int dash2 = d.indexOf('-', dash1 + 1);
        int year = Integer.parseInt(d.substring(0, dash1));
        if (bc) {
            year = 1 - year; // 1 BC is ISO year 0
        }
        return LocalDate.of(
                        year,
                        Integer.parseInt(d.substring(dash1 + 1, dash2)),
                        Integer.parseInt(d.substring(dash2 + 1)))
                .toEpochDay();
    }

    static Integer timeMillis(String text) {
        long micros = timeMicros(text);
        return (int) Math.max(0, Math.min(Math.floorDiv(micros, 1000L), MILLIS_PER_DAY - 1));
    }

    private static long timeMicros(String t) {
        long h = Long.parseLong(t.substring(0, 2));
        long m = Long.parseLong(t.substring(3, 5));
        long s = Long.parseLong(t.substring(6, 8));
        long frac = 0;
        if (t.length() > 8 && t.charAt(8) == '.') {
            String f = (t.substring(9) + "000000").substring(0, 6);
            frac = Long.parseLong(f);
        }
        return ((h * 60 + m) * 60 + s) * 1_000_000L + frac;
    }

    static TimestampData timestamp(String text) {
        long micros;
        if (text.equals("infinity")) {
            micros = Long.MAX_VALUE;
        } else if (text.equals("-infinity")) {
            micros = Long.MIN_VALUE;
        } else {
            boolean bc = text.endsWith(" BC");
            String t = bc ? text.substring(0, text.length() - 3) : text;
            int plus = Math.max(t.lastIndexOf('+'), t.indexOf('-', t.indexOf(' ')));
            if (plus > t.indexOf(' ')) {
                t = t.substring(0, plus); // a UTC session prints +00
            }
            int space = t.indexOf(' ');
            String date = t.substring(0, space) + (bc ? " BC" : "");
            try {
                micros =
                        Math.addExact(
                                Math.multiplyExact(epochDay(date), MICROS_PER_DAY),
                                timeMicros(t.substring(space + 1)));
            } catch (ArithmeticException e) {
                return null; // beyond the int64 microsecond range, as the stream's mark 5
            }
        }
        return TimestampData.fromEpochMillis(
                Math.floorDiv(micros, 1000L), (int) Math.floorMod(micros, 1000L) * 1000);
    }
}
