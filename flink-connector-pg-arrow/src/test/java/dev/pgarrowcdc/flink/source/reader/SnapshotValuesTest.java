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

import org.apache.flink.table.data.DecimalData;
import org.apache.flink.table.data.GenericArrayData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.data.TimestampData;

import org.junit.jupiter.api.Test;

import java.time.LocalDate;

import static org.assertj.core.api.Assertions.assertThat;

/** PostgreSQL text output to the values the stream's converter produces. */
class SnapshotValuesTest {

    private static final int NUMERIC_10_2 = ((10 << 16) | 2) + 4;

    @Test
    void numericWithATypmodWithinDecimal128IsDecimalAndOtherwiseText() {
        assertThat(SnapshotValues.kindOf(1700, NUMERIC_10_2))
                .isEqualTo(SnapshotValues.Kind.DECIMAL);
        assertThat(SnapshotValues.kindOf(1700, -1)).isEqualTo(SnapshotValues.Kind.TEXT);
        assertThat(SnapshotValues.convert(SnapshotValues.Kind.DECIMAL, NUMERIC_10_2, "12.30"))
                .isEqualTo(DecimalData.fromUnscaledLong(1230, 10, 2));
        assertThat(SnapshotValues.convert(SnapshotValues.Kind.DECIMAL, NUMERIC_10_2, "NaN"))
                .isNull();
    }

    @Test
    void datesAndTimestampsIncludingBcAndInfinity() {
        assertThat(SnapshotValues.date("2024-02-29"))
                .isEqualTo((int) LocalDate.of(2024, 2, 29).toEpochDay());
        assertThat(SnapshotValues.date("0001-01-01 BC"))
                .isEqualTo((int) LocalDate.of(0, 1, 1).toEpochDay());
        assertThat(SnapshotValues.date("infinity")).isEqualTo(Integer.MAX_VALUE);
        assertThat(SnapshotValues.timestamp("1970-01-01 00:00:01.000002"))
                .isEqualTo(TimestampData.fromEpochMillis(1000, 2000));
        assertThat(SnapshotValues.timestamp("1970-01-01 00:00:00+00"))
                .isEqualTo(TimestampData.fromEpochMillis(0));
        assertThat(SnapshotValues.timestamp("1969-12-31 23:59:59.999999"))
                .isEqualTo(TimestampData.fromEpochMillis(-1, 999000));
    }

    @Test
    void timeIsMillisecondsCutTowardsMidnightAnd2400IsTheLastMillisecond() {
        assertThat(SnapshotValues.timeMillis("13:14:15.123999")).isEqualTo(47_655_123);
        assertThat(SnapshotValues.timeMillis("24:00:00")).isEqualTo(86_399_999);
    }

    @Test
    void oneDimensionalArraysKeepNullsAndDropBoundsAndMultiDimensionalAreNull() {
        GenericArrayData ints =
                SnapshotValues.array(SnapshotValues.Kind.INT4, -1, "[2:4]={1,NULL,3}");
        assertThat(ints.toObjectArray()).containsExactly(1, null, 3);
        GenericArrayData texts =
                SnapshotValues.array(
                        SnapshotValues.Kind.TEXT, -1, "{\"a,b\",NULL,\"NULL\",\"q\\\"x\"}");
        assertThat(texts.toObjectArray())
                .containsExactly(
                        StringData.fromString("a,b"),
                        null,
                        StringData.fromString("NULL"),
                        StringData.fromString("q\"x"));
        assertThat(SnapshotValues.array(SnapshotValues.Kind.INT4, -1, "{}").size()).isZero();
        assertThat(SnapshotValues.array(SnapshotValues.Kind.INT4, -1, "{{1,2},{3,4}}")).isNull();
    }
}
