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

import org.apache.flink.table.data.ArrayData;
import org.apache.flink.table.data.DecimalData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.data.TimestampData;
import org.apache.flink.types.RowKind;

import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.DateDayVector;
import org.apache.arrow.vector.DecimalVector;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.SmallIntVector;
import org.apache.arrow.vector.TimeMicroVector;
import org.apache.arrow.vector.TimeStampMicroTZVector;
import org.apache.arrow.vector.TimeStampMicroVector;
import org.apache.arrow.vector.TinyIntVector;
import org.apache.arrow.vector.VarBinaryVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.complex.ListVector;
import org.apache.arrow.vector.complex.impl.UnionListWriter;
import org.apache.arrow.vector.compression.CompressionUtil;
import org.apache.arrow.vector.types.DateUnit;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.TimeUnit;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.LocalDateTime;
import java.util.List;
import java.util.TimeZone;

import static org.assertj.core.api.Assertions.assertThat;

/** Arrow → RowData for every type of the type map, from batches Arrow Java wrote. */
class RowDataConverterTest {

    private static final long OID = 20000;

    private BufferAllocator allocator;
    private WalArrowFrameDecoder decoder;

    @BeforeEach
    void setUp() {
        allocator = new RootAllocator();
        decoder = new WalArrowFrameDecoder(allocator, "unit test");
    }

    @AfterEach
    void tearDown() {
        decoder.close();
        assertThat(allocator.getAllocatedMemory()).isZero();
        allocator.close();
    }

    private static Field col(String name, ArrowType type) {
        return TestFrames.column(name, type, "t", true, 0, null);
    }

    private static Schema everyType() {
        Field intItem = new Field("item", FieldType.nullable(new ArrowType.Int(32, true)), null);
        return TestFrames.schema(
                OID,
                1,
                "every_type",
                "full",
                List.of(
                        col("b", ArrowType.Bool.INSTANCE),
                        col("i2", new ArrowType.Int(16, true)),
                        col("i4", new ArrowType.Int(32, true)),
                        col("i8", new ArrowType.Int(64, true)),
                        col("f4", new ArrowType.FloatingPoint(FloatingPointPrecision.SINGLE)),
                        col("f8", new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE)),
                        col("d_small", new ArrowType.Decimal(10, 2, 128)),
                        col("d_big", new ArrowType.Decimal(38, 6, 128)),
                        col("s", ArrowType.Utf8.INSTANCE),
                        col("bin", ArrowType.Binary.INSTANCE),
                        col("dt", new ArrowType.Date(DateUnit.DAY)),
                        col("tm", new ArrowType.Time(TimeUnit.MICROSECOND, 64)),
                        col("ts", new ArrowType.Timestamp(TimeUnit.MICROSECOND, null)),
                        col("tstz", new ArrowType.Timestamp(TimeUnit.MICROSECOND, "UTC")),
                        TestFrames.column(
                                "arr",
                                ArrowType.List.INSTANCE,
                                "integer[]",
                                true,
                                0,
                                List.of(intItem))));
    }

    @Test
    void theRowTypeFollowsTheTypeMap() {
        decoder.decode(ByteBuffer.wrap(TestFrames.schemaFrame(OID, 1, everyType())));

        assertThat(decoder.schema(OID).toRowType().asSummaryString())
                .isEqualTo(
                        "ROW<`b` BOOLEAN, `i2` SMALLINT, `i4` INT, `i8` BIGINT, `f4` FLOAT, `f8` DOUBLE,"
                                + " `d_small` DECIMAL(10, 2), `d_big` DECIMAL(38, 6), `s` STRING,"
                                + " `bin` BYTES, `dt` DATE, `tm` TIME(3), `ts` TIMESTAMP(6),"
                                + " `tstz` TIMESTAMP_LTZ(6), `arr` ARRAY<INT>>");
    }

    @Test
    void everyTypeConvertsIndependentlyOfTheJvmTimeZone() {
        // Given: two rows, one with values and one all nulls, in a zone far from UTC
        TimeZone saved = TimeZone.getDefault();
        TimeZone.setDefault(TimeZone.getTimeZone("Pacific/Kiritimati"));
        try {
            Schema schema = everyType();
            byte[] batch;
            try (VectorSchemaRoot root = VectorSchemaRoot.create(schema, allocator)) {
                ((TinyIntVector) root.getVector(0)).setSafe(0, 2);
                ((TinyIntVector) root.getVector(0)).setSafe(1, 0);
                ((BitVector) root.getVector(1)).setSafe(0, 1);
                ((SmallIntVector) root.getVector(2)).setSafe(0, -32768);
                ((IntVector) root.getVector(3)).setSafe(0, 2147483647);
                ((BigIntVector) root.getVector(4)).setSafe(0, Long.MIN_VALUE);
                ((Float4Vector) root.getVector(5)).setSafe(0, Float.NaN);
                ((Float8Vector) root.getVector(6)).setSafe(0, Double.NEGATIVE_INFINITY);
                ((DecimalVector) root.getVector(7)).setSafe(0, new BigDecimal("-12345678.90"));
                ((DecimalVector) root.getVector(8))
                        .setSafe(0, new BigDecimal("-12345678901234567890123456789012.345678"));
                ((VarCharVector) root.getVector(9))
                        .setSafe(0, "grüße 🐘".getBytes(StandardCharsets.UTF_8));
                ((VarBinaryVector) root.getVector(10)).setSafe(0, new byte[] {0, (byte) 0xFF});
                ((DateDayVector) root.getVector(11)).setSafe(0, -141427); // 1582-10-04
                ((TimeMicroVector) root.getVector(12)).setSafe(0, 86_400_000_000L); // 24:00
                // 1969-12-31 23:59:59.999999 and 1900-01-01 00:00:00.000001 UTC
                ((TimeStampMicroVector) root.getVector(13)).setSafe(0, -1L);
                ((TimeStampMicroTZVector) root.getVector(14)).setSafe(0, -2208988799999999L);
                ListVector arr = (ListVector) root.getVector(15);
                UnionListWriter w = arr.getWriter();
                w.setPosition(0);
                w.startList();
                w.writeInt(1);
                w.writeNull();
                w.writeInt(3);
                w.endList();
                w.setValueCount(1);
                for (int i = 1; i < root.getFieldVectors().size(); i++) {
                    root.getVector(i).setValueCount(2);
                }
                root.getVector(0).setValueCount(2);
                root.setRowCount(2);
                batch = TestFrames.batchMessage(root, CompressionUtil.CodecType.NO_COMPRESSION);
            }
            decoder.decode(ByteBuffer.wrap(TestFrames.schemaFrame(OID, 1, schema)));
            RowDataConverter converter = new RowDataConverter(decoder.schema(OID));

            // When
            List<RowData> rows;
            try (RowsFrame frame =
                    (RowsFrame)
                            decoder.decode(
                                    ByteBuffer.wrap(
                                            TestFrames.rowsFrame(
                                                    OID, 1, 2, 0, new int[0][], batch)))) {
                rows = converter.toRowDataList(frame);
            }

            // Then
            RowData r = rows.get(0);
            assertThat(r.getRowKind()).isEqualTo(RowKind.UPDATE_AFTER);
            assertThat(r.getBoolean(0)).isTrue();
            assertThat(r.getShort(1)).isEqualTo((short) -32768);
            assertThat(r.getInt(2)).isEqualTo(2147483647);
            assertThat(r.getLong(3)).isEqualTo(Long.MIN_VALUE);
            assertThat(r.getFloat(4)).isNaN();
            assertThat(r.getDouble(5)).isEqualTo(Double.NEGATIVE_INFINITY);
            assertThat(r.getDecimal(6, 10, 2))
                    .isEqualTo(DecimalData.fromBigDecimal(new BigDecimal("-12345678.90"), 10, 2));
            assertThat(r.getDecimal(7, 38, 6).toBigDecimal())
                    .isEqualTo(new BigDecimal("-12345678901234567890123456789012.345678"));
            assertThat(r.getString(8)).isEqualTo(StringData.fromString("grüße 🐘"));
            assertThat(r.getBinary(9)).containsExactly(0, 0xFF);
            assertThat(r.getInt(10)).isEqualTo(-141427);
            assertThat(r.getInt(11)).isEqualTo(86_399_999);
            assertThat(r.getTimestamp(12, 6).toLocalDateTime())
                    .isEqualTo(LocalDateTime.of(1969, 12, 31, 23, 59, 59, 999_999_000));
            TimestampData tstz = r.getTimestamp(13, 6);
            assertThat(tstz.toInstant().toString()).isEqualTo("1900-01-01T00:00:00.000001Z");
            ArrayData a = r.getArray(14);
            assertThat(a.size()).isEqualTo(3);
            assertThat(a.getInt(0)).isEqualTo(1);
            assertThat(a.isNullAt(1)).isTrue();
            assertThat(a.getInt(2)).isEqualTo(3);
            RowData nulls = rows.get(1);
            assertThat(nulls.getRowKind()).isEqualTo(RowKind.INSERT);
            for (int i = 0; i < nulls.getArity(); i++) {
                assertThat(nulls.isNullAt(i)).as("position %d", i).isTrue();
            }
        } finally {
            TimeZone.setDefault(saved);
        }
    }

    @Test
    void infinitySentinelsConvertToDocumentedConstants() {
        assertThat(RowDataConverter.TIMESTAMP_POSITIVE_INFINITY.getMillisecond())
                .isEqualTo(Math.floorDiv(Long.MAX_VALUE, 1000L));
        assertThat(RowDataConverter.TIMESTAMP_POSITIVE_INFINITY.getNanoOfMillisecond())
                .isEqualTo(807_000);
        assertThat(RowDataConverter.TIMESTAMP_NEGATIVE_INFINITY.getMillisecond())
                .isEqualTo(Math.floorDiv(Long.MIN_VALUE, 1000L));
        assertThat(RowDataConverter.TIMESTAMP_NEGATIVE_INFINITY.getNanoOfMillisecond())
                .isEqualTo(192_000);
    }
}
