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
import org.apache.flink.table.types.logical.VarCharType;

import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDateTime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The declared types a column's values convert to, beside the type map's own (README). */
class FieldConvertersTest {

    private static final LogicalType STRING = VarCharType.STRING_TYPE;

    private static Object convert(LogicalType read, LogicalType declared, Object value) {
        FieldConverters.FieldConverter c = FieldConverters.of(read, declared);
        assertThat(c).as("a converter from %s to %s", read, declared).isNotNull();
        return c.convert(value);
    }

    @Test
    void integersWidenAndFloatBecomesDouble() {
        assertThat(convert(new SmallIntType(), new IntType(), (short) -7)).isEqualTo(-7);
        assertThat(convert(new SmallIntType(), new BigIntType(), (short) 7)).isEqualTo(7L);
        assertThat(convert(new IntType(), new BigIntType(), Integer.MIN_VALUE))
                .isEqualTo((long) Integer.MIN_VALUE);
        assertThat(convert(new FloatType(), new DoubleType(), 1.5f)).isEqualTo(1.5d);
        assertThat(FieldConverters.of(new BigIntType(), new IntType())).as("narrowing").isNull();
        assertThat(FieldConverters.of(new DoubleType(), new FloatType())).as("narrowing").isNull();
    }

    @Test
    void numbersAndBooleansReadAsStrings() {
        assertThat(convert(new IntType(), STRING, 42)).isEqualTo(StringData.fromString("42"));
        assertThat(convert(new BooleanType(), STRING, true))
                .isEqualTo(StringData.fromString("true"));
        assertThat(
                        convert(
                                new DecimalType(10, 3),
                                STRING,
                                DecimalData.fromBigDecimal(new BigDecimal("1.500"), 10, 3)))
                .isEqualTo(StringData.fromString("1.500"));
        assertThat(FieldConverters.of(new DateType(), STRING)).as("dates are not numbers").isNull();
    }

    @Test
    void decimalsTakeAtLeastAsManyDigitsOnEachSide() {
        DecimalData v = DecimalData.fromBigDecimal(new BigDecimal("123.45"), 5, 2);
        assertThat(convert(new DecimalType(5, 2), new DecimalType(8, 3), v))
                .isEqualTo(DecimalData.fromBigDecimal(new BigDecimal("123.450"), 8, 3));
        assertThat(FieldConverters.of(new DecimalType(5, 2), new DecimalType(5, 3)))
                .as("fewer integer digits")
                .isNull();
        assertThat(FieldConverters.of(new DecimalType(5, 2), new DecimalType(6, 1)))
                .as("fewer fraction digits")
                .isNull();
    }

    @Test
    void wholeNumericsThatAlwaysFitReadAsIntegers() {
        assertThat(
                        convert(
                                new DecimalType(18, 0),
                                new BigIntType(),
                                DecimalData.fromBigDecimal(
                                        new BigDecimal("-999999999999999999"), 18, 0)))
                .isEqualTo(-999_999_999_999_999_999L);
        assertThat(
                        convert(
                                new DecimalType(9, 0),
                                new IntType(),
                                DecimalData.fromBigDecimal(new BigDecimal("999999999"), 9, 0)))
                .isEqualTo(999_999_999);
        assertThat(FieldConverters.of(new DecimalType(19, 0), new BigIntType()))
                .as("may overflow")
                .isNull();
        assertThat(FieldConverters.of(new DecimalType(10, 0), new IntType()))
                .as("may overflow")
                .isNull();
        assertThat(FieldConverters.of(new DecimalType(5, 1), new BigIntType()))
                .as("has fractions")
                .isNull();
    }

    @Test
    void numericTextParsesIntoADecimalWithItsSpecialValuesAsNull() {
        DecimalType declared = new DecimalType(12, 2);
        assertThat(convert(STRING, declared, StringData.fromString("-0.5")))
                .isEqualTo(DecimalData.fromBigDecimal(new BigDecimal("-0.50"), 12, 2));
        assertThat(convert(STRING, declared, StringData.fromString("NaN"))).isNull();
        assertThat(convert(STRING, declared, StringData.fromString("-Infinity"))).isNull();
        assertThatThrownBy(() -> convert(STRING, declared, StringData.fromString("1e20")))
                .isInstanceOf(ArithmeticException.class)
                .hasMessageContaining("does not fit the declared DECIMAL(12, 2)");
        assertThatThrownBy(() -> convert(STRING, declared, StringData.fromString("twelve")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "The value 'twelve' is not a number, so the declared DECIMAL(12, 2) cannot"
                                + " hold it: declare STRING");
    }

    @Test
    void numericReadsAsDoubleKeepingNanAndInfinity() {
        assertThat(
                        convert(
                                new DecimalType(12, 2),
                                new DoubleType(),
                                DecimalData.fromBigDecimal(new BigDecimal("1234.25"), 12, 2)))
                .isEqualTo(1234.25d);
        assertThat(convert(STRING, new DoubleType(), StringData.fromString("0.1"))).isEqualTo(0.1d);
        assertThat(convert(STRING, new DoubleType(), StringData.fromString("NaN")))
                .isEqualTo(Double.NaN);
        assertThat(convert(STRING, new DoubleType(), StringData.fromString("-Infinity")))
                .isEqualTo(Double.NEGATIVE_INFINITY);
        assertThatThrownBy(() -> convert(STRING, new DoubleType(), StringData.fromString("1d")))
                .hasMessage(
                        "The value '1d' is not a number, so the declared DOUBLE cannot hold it:"
                                + " declare STRING");
    }

    @Test
    void timestampsAreCutToTheDeclaredPrecision() {
        TimestampData t =
                TimestampData.fromLocalDateTime(LocalDateTime.parse("2024-05-06T07:08:09.123456"));
        assertThat(convert(new TimestampType(6), new TimestampType(3), t))
                .isEqualTo(
                        TimestampData.fromLocalDateTime(
                                LocalDateTime.parse("2024-05-06T07:08:09.123")));
        assertThat(convert(new LocalZonedTimestampType(6), new LocalZonedTimestampType(0), t))
                .isEqualTo(
                        TimestampData.fromLocalDateTime(
                                LocalDateTime.parse("2024-05-06T07:08:09")));
        assertThat(convert(new TimeType(3), new TimeType(0), 1_234)).isEqualTo(1_000);
        assertThat(FieldConverters.of(new TimestampType(6), new LocalZonedTimestampType(6)))
                .as("a timestamp without time zone is no instant")
                .isNull();
    }

    @Test
    void timestamptzDeclaredAsTimestampIsItsDateAndTimeInUtcAsPostgresCdcGivesIt() {
        // 2024-01-01 00:00:00+05 is the instant 2023-12-31T19:00:00.654321Z
        TimestampData instant =
                TimestampData.fromInstant(Instant.parse("2023-12-31T19:00:00.654321Z"));

        assertThat(
                        convert(new LocalZonedTimestampType(6), new TimestampType(6), instant)
                                .toString())
                .isEqualTo("2023-12-31T19:00:00.654321");
        assertThat(
                        convert(new LocalZonedTimestampType(6), new TimestampType(3), instant)
                                .toString())
                .isEqualTo("2023-12-31T19:00:00.654");
    }
}
