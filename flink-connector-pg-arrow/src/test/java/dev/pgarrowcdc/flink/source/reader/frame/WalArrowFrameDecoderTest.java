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

import org.apache.flink.types.RowKind;

import com.google.flatbuffers.FlatBufferBuilder;
import org.apache.arrow.flatbuf.MessageHeader;
import org.apache.arrow.flatbuf.MetadataVersion;
import org.apache.arrow.flatbuf.Type;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.DecimalVector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.TinyIntVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.compression.CompressionUtil;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Schema;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The decoder's framing, its error messages, and the reuse of Arrow roots. */
class WalArrowFrameDecoderTest {

    private static final long OID = 16384;
    private static final String SOURCE = "slot 'unit_slot'";

    private BufferAllocator allocator;
    private WalArrowFrameDecoder decoder;

    @BeforeEach
    void setUp() {
        allocator = new RootAllocator();
        decoder = new WalArrowFrameDecoder(allocator, SOURCE);
    }

    @AfterEach
    void tearDown() {
        decoder.close();
        // Every frame a test decoded was closed: nothing may be left allocated.
        assertThat(allocator.getAllocatedMemory()).isZero();
        allocator.close();
    }

    private static Schema accountsSchema(int version) {
        return TestFrames.schema(
                OID,
                version,
                "accounts",
                "default",
                List.of(
                        TestFrames.column(
                                "id", new ArrowType.Int(32, true), "integer", true, 1, null),
                        TestFrames.column("owner", new ArrowType.Utf8(), "text", false, 0, null)));
    }

    /** A batch of {@code accounts}: (op, id, owner) triples, owner null when given null. */
    private byte[] accountsBatch(Schema schema, CompressionUtil.CodecType codec, Object[]... rows) {
        try (VectorSchemaRoot root = VectorSchemaRoot.create(schema, allocator)) {
            TinyIntVector op = (TinyIntVector) root.getVector(0);
            IntVector id = (IntVector) root.getVector(1);
            VarCharVector owner = (VarCharVector) root.getVector(2);
            for (int r = 0; r < rows.length; r++) {
                op.setSafe(r, (Integer) rows[r][0]);
                id.setSafe(r, (Integer) rows[r][1]);
                if (rows[r][2] == null) {
                    owner.setNull(r);
                } else {
                    owner.setSafe(r, ((String) rows[r][2]).getBytes(StandardCharsets.UTF_8));
                }
            }
            root.setRowCount(rows.length);
            return TestFrames.batchMessage(root, codec);
        }
    }

    @Test
    void aWholeTransactionInOneMessageDecodesFrameByFrame() {
        // Given: B, S, R (with an unchanged-TOAST mark), C coalesced into one message
        Schema schema = accountsSchema(1);
        byte[] batch =
                accountsBatch(
                        schema,
                        CompressionUtil.CodecType.NO_COMPRESSION,
                        new Object[] {0, 1, "ada"},
                        new Object[] {2, 1, null},
                        new Object[] {3, 1, null});
        byte[] message =
                TestFrames.concat(
                        TestFrames.begin(745, 0x1_0000_0100L, 1_700_000_000_123_456L),
                        TestFrames.schemaFrame(OID, 1, schema),
                        TestFrames.rowsFrame(OID, 1, 3, 0, new int[][] {{1, 2, 1}}, batch),
                        TestFrames.commit(
                                745, 0x1_0000_0100L, 0x1_0000_0130L, 1_700_000_000_123_456L, 3));

        // When
        List<Frame> frames = decoder.decodeAll(ByteBuffer.wrap(message));

        // Then
        assertThat(frames)
                .extracting(Frame::kind)
                .containsExactly(
                        FrameKind.BEGIN, FrameKind.SCHEMA, FrameKind.ROWS, FrameKind.COMMIT);
        BeginFrame begin = (BeginFrame) frames.get(0);
        assertThat(begin.xid()).isEqualTo(745);
        assertThat(begin.finalLsn()).isEqualTo(0x1_0000_0100L);
        assertThat(begin.commitTimeMicros()).isEqualTo(1_700_000_000_123_456L);
        SchemaFrame s = (SchemaFrame) frames.get(1);
        RelationSchema rs = s.schema();
        assertThat(rs.qualifiedName()).isEqualTo("public.accounts");
        assertThat(rs.replicaIdentity()).isEqualTo(RelationSchema.ReplicaIdentity.DEFAULT);
        assertThat(rs.columns())
                .extracting(RelationSchema.Column::name)
                .containsExactly("id", "owner");
        assertThat(rs.column("id").isKey()).isTrue();
        assertThat(rs.column("owner").isKey()).isFalse();
        assertThat(rs.toRowType().asSummaryString()).isEqualTo("ROW<`id` INT, `owner` STRING>");
        try (RowsFrame rows = (RowsFrame) frames.get(2)) {
            assertThat(rows.rowCount()).isEqualTo(3);
            assertThat(rows.schema()).isSameAs(rs);
            assertThat(rows.rowKind(0)).isEqualTo(RowKind.INSERT);
            assertThat(rows.rowKind(1)).isEqualTo(RowKind.UPDATE_AFTER);
            assertThat(rows.rowKind(2)).isEqualTo(RowKind.DELETE);
            assertThat(rows.isUnchangedToast(1, 2)).isTrue();
            assertThat(rows.mark(1, 1)).isNull();
            assertThat(rows.valueKnown(0, 2)).isTrue();
            assertThat(rows.valueKnown(1, 2)).isFalse();
            assertThat(rows.isAbsent(2, 2)).isTrue();
            assertThat(rows.isAbsent(2, 1)).isFalse();
        }
        CommitFrame c = (CommitFrame) frames.get(3);
        assertThat(c.endLsn()).isEqualTo(0x1_0000_0130L);
        assertThat(c.rowCount()).isEqualTo(3);
    }

    @Test
    void rowMarksListOneRowsMarksByFieldAndNothingForUnmarkedRows() {
        // Given: marks on rows 0 and 2 only, row 2 with two
        Schema schema = accountsSchema(1);
        byte[] batch =
                accountsBatch(
                        schema,
                        CompressionUtil.CodecType.NO_COMPRESSION,
                        new Object[] {2, 1, null},
                        new Object[] {0, 2, "b"},
                        new Object[] {2, 3, null});
        byte[] message =
                TestFrames.concat(
                        TestFrames.schemaFrame(OID, 1, schema),
                        TestFrames.rowsFrame(
                                OID,
                                1,
                                3,
                                0,
                                new int[][] {{0, 2, 1}, {2, 1, 5}, {2, 2, 2}},
                                batch));

        // When
        List<Frame> frames = decoder.decodeAll(ByteBuffer.wrap(message));

        // Then
        try (RowsFrame rows = (RowsFrame) frames.get(1)) {
            assertThat(rows.rowMarks(0)).containsExactly(null, null, ValueMark.UNCHANGED_TOAST);
            assertThat(rows.rowMarks(1)).isNull();
            assertThat(rows.rowMarks(2))
                    .containsExactly(null, ValueMark.NOT_REPRESENTABLE, ValueMark.NAN);
        }
    }

    @Test
    void decodeAdvancesThePositionPastOneFrame() {
        byte[] b = TestFrames.begin(1, 2, 3);
        ByteBuffer message =
                ByteBuffer.wrap(TestFrames.concat(b, TestFrames.commit(1, 2, 4, 3, 0)));

        Frame first = decoder.decode(message);

        assertThat(first.kind()).isEqualTo(FrameKind.BEGIN);
        assertThat(message.position()).isEqualTo(b.length);
        assertThat(decoder.decode(message).kind()).isEqualTo(FrameKind.COMMIT);
        assertThat(message.hasRemaining()).isFalse();
    }

    @Test
    void aBadMagicIsRefusedNamingSourceOffsetAndBytes() {
        byte[] frame = TestFrames.begin(1, 2, 3);
        frame[0] = 'X';

        assertThatThrownBy(() -> decoder.decode(ByteBuffer.wrap(frame)))
                .isInstanceOf(FrameFormatException.class)
                .hasMessage(
                        "wal2arrow frame from slot 'unit_slot' at offset 0: expected magic"
                                + " 'WA' (0x57 0x41) but found 0x58 0x41");
    }

    @Test
    void anUnknownProtocolVersionIsRefused() {
        byte[] frame = TestFrames.begin(1, 2, 3);
        frame[2] = 2;

        assertThatThrownBy(() -> decoder.decode(ByteBuffer.wrap(frame)))
                .isInstanceOf(FrameFormatException.class)
                .hasMessageStartingWith(
                        "wal2arrow frame from slot 'unit_slot' at offset 0:"
                                + " expected protocol version 1 but found 2");
    }

    @Test
    void anUnknownKindIsRefused() {
        byte[] frame = TestFrames.begin(1, 2, 3);
        frame[3] = 'Z';

        assertThatThrownBy(() -> decoder.decode(ByteBuffer.wrap(frame)))
                .isInstanceOf(FrameFormatException.class)
                .hasMessage(
                        "wal2arrow frame from slot 'unit_slot' at offset 0: expected a frame"
                                + " kind B, S, R, C, T, M or K but found 0x5A ('Z')");
    }

    @Test
    void anErrorInTheSecondFrameNamesItsOffset() {
        byte[] good = TestFrames.begin(1, 2, 3);
        byte[] bad = TestFrames.begin(1, 2, 3);
        bad[1] = 0;

        assertThatThrownBy(() -> decoder.decodeAll(ByteBuffer.wrap(TestFrames.concat(good, bad))))
                .isInstanceOf(FrameFormatException.class)
                .hasMessageContaining(
                        "at offset 40: expected magic 'WA' (0x57 0x41) but found" + " 0x57 0x00");
    }

    @Test
    void fewerThanEightBytesAreATruncatedFrame() {
        assertThatThrownBy(() -> decoder.decode(ByteBuffer.wrap(new byte[] {'W', 'A', 1})))
                .isInstanceOf(FrameFormatException.class)
                .hasMessage(
                        "wal2arrow frame from slot 'unit_slot' at offset 0: truncated frame:"
                                + " expected at least 8 header bytes but found 3");
    }

    @Test
    void aHeaderLongerThanTheMessageIsATruncatedFrame() {
        byte[] frame = Arrays.copyOf(TestFrames.commit(1, 2, 3, 4, 5), 30);

        assertThatThrownBy(() -> decoder.decode(ByteBuffer.wrap(frame)))
                .isInstanceOf(FrameFormatException.class)
                .hasMessage(
                        "wal2arrow 'C' (COMMIT) frame from slot 'unit_slot' at offset 0:"
                                + " truncated frame: header length is 56 bytes but only 30 bytes remain");
    }

    @Test
    void aBodyLongerThanTheMessageIsATruncatedFrame() {
        byte[] full = TestFrames.schemaFrame(OID, 1, accountsSchema(1));
        byte[] frame = Arrays.copyOf(full, full.length - 10);

        assertThatThrownBy(() -> decoder.decode(ByteBuffer.wrap(frame)))
                .isInstanceOf(FrameFormatException.class)
                .hasMessage(
                        "wal2arrow 'S' (SCHEMA) frame from slot 'unit_slot' at offset 0:"
                                + " truncated frame: body length is "
                                + (full.length - 24)
                                + " bytes but only "
                                + (full.length - 34)
                                + " bytes follow the 24-byte header");
    }

    @Test
    void aHeaderLengthBelowTheKindsMinimumIsRefused() {
        byte[] frame = TestFrames.begin(1, 2, 3);
        ByteBuffer.wrap(frame).order(ByteOrder.LITTLE_ENDIAN).putInt(4, 16);

        assertThatThrownBy(() -> decoder.decode(ByteBuffer.wrap(frame)))
                .isInstanceOf(FrameFormatException.class)
                .hasMessage(
                        "wal2arrow 'B' (BEGIN) frame from slot 'unit_slot' at offset 0:"
                                + " expected a header length of at least 40 bytes but found 16");
    }

    @Test
    void rowsBeforeTheirSchemaAreRefused() {
        Schema schema = accountsSchema(1);
        byte[] batch =
                accountsBatch(
                        schema,
                        CompressionUtil.CodecType.NO_COMPRESSION,
                        new Object[] {0, 1, "ada"});
        byte[] rows = TestFrames.rowsFrame(OID, 1, 1, 0, new int[0][], batch);

        assertThatThrownBy(() -> decoder.decode(ByteBuffer.wrap(rows)))
                .isInstanceOf(FrameFormatException.class)
                .hasMessage(
                        "wal2arrow 'R' (ROWS) frame from slot 'unit_slot' at offset 0:"
                                + " expected an S frame for relation OID 16384 before its rows, but none"
                                + " was decoded in this session (rows claim schema version 1)");
    }

    @Test
    void rowsOfAnOlderSchemaVersionAreRefused() {
        decoder.decode(ByteBuffer.wrap(TestFrames.schemaFrame(OID, 1, accountsSchema(1))));
        decoder.decode(ByteBuffer.wrap(TestFrames.schemaFrame(OID, 2, accountsSchema(2))));
        byte[] batch =
                accountsBatch(
                        accountsSchema(1),
                        CompressionUtil.CodecType.NO_COMPRESSION,
                        new Object[] {0, 1, "ada"});

        assertThatThrownBy(
                        () ->
                                decoder.decode(
                                        ByteBuffer.wrap(
                                                TestFrames.rowsFrame(
                                                        OID, 1, 1, 0, new int[0][], batch))))
                .isInstanceOf(FrameFormatException.class)
                .hasMessage(
                        "wal2arrow 'R' (ROWS) frame from slot 'unit_slot' at offset 0:"
                                + " expected schema version 2 of relation OID 16384 (public.accounts,"
                                + " the last S frame) but found version 1");
    }

    @Test
    void aSchemaFrameWhoseMetadataDisagreesWithItsHeaderIsRefused() {
        byte[] frame = TestFrames.schemaFrame(OID + 1, 1, accountsSchema(1));

        assertThatThrownBy(() -> decoder.decode(ByteBuffer.wrap(frame)))
                .isInstanceOf(FrameFormatException.class)
                .hasMessageContaining("'S' (SCHEMA) frame from slot 'unit_slot' at offset 0")
                .hasMessageContaining(
                        "expected metadata wal2arrow.relid = 16385 (the frame"
                                + " header's) but found 16384");
    }

    @Test
    void aGarbledArrowBodyIsRefused() {
        byte[] frame = TestFrames.schemaFrame(OID, 1, accountsSchema(1));
        Arrays.fill(frame, 24 + 8, frame.length, (byte) 0x7F);

        assertThatThrownBy(() -> decoder.decode(ByteBuffer.wrap(frame)))
                .isInstanceOf(FrameFormatException.class)
                .hasMessageStartingWith(
                        "wal2arrow 'S' (SCHEMA) frame from slot 'unit_slot' at"
                                + " offset 0: expected an Arrow IPC Schema message in the ");
    }

    @Test
    void aRowCountDisagreeingWithTheBatchIsRefused() {
        Schema schema = accountsSchema(1);
        decoder.decode(ByteBuffer.wrap(TestFrames.schemaFrame(OID, 1, schema)));
        byte[] batch =
                accountsBatch(
                        schema,
                        CompressionUtil.CodecType.NO_COMPRESSION,
                        new Object[] {0, 1, "ada"});

        assertThatThrownBy(
                        () ->
                                decoder.decode(
                                        ByteBuffer.wrap(
                                                TestFrames.rowsFrame(
                                                        OID, 1, 2, 0, new int[0][], batch))))
                .isInstanceOf(FrameFormatException.class)
                .hasMessage(
                        "wal2arrow 'R' (ROWS) frame from slot 'unit_slot' at offset 0:"
                                + " expected a RecordBatch of 2 rows (the header's row count) but found"
                                + " 1");
    }

    @Test
    void aMarkOutsideTheBatchIsRefused() {
        Schema schema = accountsSchema(1);
        decoder.decode(ByteBuffer.wrap(TestFrames.schemaFrame(OID, 1, schema)));
        byte[] batch =
                accountsBatch(
                        schema,
                        CompressionUtil.CodecType.NO_COMPRESSION,
                        new Object[] {0, 1, "ada"});

        assertThatThrownBy(
                        () ->
                                decoder.decode(
                                        ByteBuffer.wrap(
                                                TestFrames.rowsFrame(
                                                        OID,
                                                        1,
                                                        1,
                                                        0,
                                                        new int[][] {{0, 3, 1}},
                                                        batch))))
                .isInstanceOf(FrameFormatException.class)
                .hasMessage(
                        "wal2arrow 'R' (ROWS) frame from slot 'unit_slot' at offset 0:"
                                + " value mark 0 {row 0, column 3, kind 1}: expected a column between 1"
                                + " and 2");
    }

    @Test
    void compressedBatchesDecodeLikeUncompressedOnes() {
        Schema schema = accountsSchema(1);
        decoder.decode(ByteBuffer.wrap(TestFrames.schemaFrame(OID, 1, schema)));
        RowDataConverter converter = new RowDataConverter(decoder.schema(OID));
        Object[][] rows = new Object[200][];
        for (int i = 0; i < rows.length; i++) {
            rows[i] = new Object[] {0, i, i % 7 == 0 ? null : "owner number " + i};
        }
        List<String> expected = null;
        for (CompressionUtil.CodecType codec :
                new CompressionUtil.CodecType[] {
                    CompressionUtil.CodecType.NO_COMPRESSION,
                    CompressionUtil.CodecType.LZ4_FRAME,
                    CompressionUtil.CodecType.ZSTD
                }) {
            byte[] batch = accountsBatch(schema, codec, rows);
            try (RowsFrame frame =
                    (RowsFrame)
                            decoder.decode(
                                    ByteBuffer.wrap(
                                            TestFrames.rowsFrame(
                                                    OID,
                                                    1,
                                                    rows.length,
                                                    0,
                                                    new int[0][],
                                                    batch)))) {
                List<String> got =
                        converter.toRowDataList(frame).stream()
                                .map(Object::toString)
                                .collect(java.util.stream.Collectors.toList());
                if (expected == null) {
                    expected = got;
                    assertThat(got.get(1)).isEqualTo("+I(1,owner number 1)");
                    assertThat(got.get(7)).isEqualTo("+I(7,null)");
                } else {
                    assertThat(got).as(codec.name()).isEqualTo(expected);
                }
            }
        }
    }

    @Test
    void aClosedFramesRootIsReusedForTheNextBatchOfTheSameSchema() {
        Schema schema = accountsSchema(1);
        decoder.decode(ByteBuffer.wrap(TestFrames.schemaFrame(OID, 1, schema)));
        byte[] rows =
                TestFrames.rowsFrame(
                        OID,
                        1,
                        1,
                        0,
                        new int[0][],
                        accountsBatch(
                                schema,
                                CompressionUtil.CodecType.NO_COMPRESSION,
                                new Object[] {0, 1, "ada"}));

        RowsFrame first = (RowsFrame) decoder.decode(ByteBuffer.wrap(rows));
        VectorSchemaRoot firstRoot = first.root();
        RowsFrame stillOpen = (RowsFrame) decoder.decode(ByteBuffer.wrap(rows));
        first.close();
        RowsFrame third = (RowsFrame) decoder.decode(ByteBuffer.wrap(rows));

        assertThat(stillOpen.root()).isNotSameAs(firstRoot);
        assertThat(third.root()).isSameAs(firstRoot);
        assertThat(((IntVector) third.root().getVector(1)).get(0)).isEqualTo(1);
        stillOpen.close();
        third.close();
        assertThatThrownBy(first::root).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void emptyValidityBuffersReadAsNoNullsOrAllNulls() {
        // Given: a batch as wal2arrow writes it, without validity buffers for id (no nulls) and
        // owner (all null)
        Schema schema = accountsSchema(1);
        decoder.decode(ByteBuffer.wrap(TestFrames.schemaFrame(OID, 1, schema)));
        byte[] batch;
        try (VectorSchemaRoot root = VectorSchemaRoot.create(schema, allocator)) {
            for (int r = 0; r < 10; r++) {
                ((TinyIntVector) root.getVector(0)).setSafe(r, 0);
                ((IntVector) root.getVector(1)).setSafe(r, 100 + r);
                ((VarCharVector) root.getVector(2)).setNull(r);
            }
            root.setRowCount(10);
            batch = TestFrames.batchMessageWithoutValidity(root, allocator);
        }
        RowDataConverter converter = new RowDataConverter(decoder.schema(OID));

        // When
        try (RowsFrame frame =
                (RowsFrame)
                        decoder.decode(
                                ByteBuffer.wrap(
                                        TestFrames.rowsFrame(
                                                OID, 1, 10, 0, new int[0][], batch)))) {
            // Then
            List<String> rows =
                    converter.toRowDataList(frame).stream()
                            .map(Object::toString)
                            .collect(java.util.stream.Collectors.toList());
            assertThat(rows).hasSize(10);
            assertThat(rows.get(0)).isEqualTo("+I(100,null)");
            assertThat(rows.get(9)).isEqualTo("+I(109,null)");
            assertThat(frame.root().getVector(1).getNullCount()).isZero();
            assertThat(frame.root().getVector(2).getNullCount()).isEqualTo(10);
        }
    }

    @Test
    void aFrameStillOpenKeepsItsValuesWhileLaterBatchesDecode() {
        // Given: two one-row batches of one schema, as two single-row transactions send them
        Schema schema = accountsSchema(1);
        decoder.decode(ByteBuffer.wrap(TestFrames.schemaFrame(OID, 1, schema)));
        byte[] ada =
                TestFrames.rowsFrame(
                        OID,
                        1,
                        1,
                        0,
                        new int[0][],
                        accountsBatch(
                                schema,
                                CompressionUtil.CodecType.NO_COMPRESSION,
                                new Object[] {0, 1, "ada"}));
        byte[] grace =
                TestFrames.rowsFrame(
                        OID,
                        1,
                        1,
                        0,
                        new int[0][],
                        accountsBatch(
                                schema,
                                CompressionUtil.CodecType.NO_COMPRESSION,
                                new Object[] {2, 2, "grace hopper"}));
        RowDataConverter converter = new RowDataConverter(decoder.schema(OID));

        // When: the first frame stays open while the next ones decode
        RowsFrame first = (RowsFrame) decoder.decode(ByteBuffer.wrap(ada));
        RowsFrame second = (RowsFrame) decoder.decode(ByteBuffer.wrap(grace));

        // Then: neither overwrote the other's values
        assertThat(converter.toRowData(first, 0).toString()).isEqualTo("+I(1,ada)");
        assertThat(converter.toRowData(second, 0).toString()).isEqualTo("+U(2,grace hopper)");
        first.close();
        try (RowsFrame third = (RowsFrame) decoder.decode(ByteBuffer.wrap(ada))) {
            assertThat(converter.toRowData(third, 0).toString()).isEqualTo("+I(1,ada)");
            assertThat(converter.toRowData(second, 0).toString()).isEqualTo("+U(2,grace hopper)");
        }
        second.close();
        try (RowsFrame fourth = (RowsFrame) decoder.decode(ByteBuffer.wrap(grace))) {
            assertThat(converter.toRowData(fourth, 0).toString()).isEqualTo("+U(2,grace hopper)");
        }
    }

    @Test
    void aBufferReachingPastTheBodyIsRefused() {
        // Given: a batch whose last buffer (owner's data) claims 64 bytes more than the body has
        Schema schema = accountsSchema(1);
        decoder.decode(ByteBuffer.wrap(TestFrames.schemaFrame(OID, 1, schema)));
        // a longer batch first, so the reused body buffer is larger than the next body
        byte[] longer =
                TestFrames.rowsFrame(
                        OID,
                        1,
                        1,
                        0,
                        new int[0][],
                        accountsBatch(
                                schema,
                                CompressionUtil.CodecType.NO_COMPRESSION,
                                new Object[] {0, 1, "x".repeat(500)}));
        decoder.decode(ByteBuffer.wrap(longer)).close();
        byte[] batch =
                accountsBatch(
                        schema,
                        CompressionUtil.CodecType.NO_COMPRESSION,
                        new Object[] {0, 1, "ada"});
        ByteBuffer b = ByteBuffer.wrap(batch).order(ByteOrder.LITTLE_ENDIAN);
        int metadataEnd = 8 + b.getInt(4);
        long bodyLength = batch.length - metadataEnd;
        // Buffers are (offset, length) longs; the data buffer of "ada" is the last: length 3
        int patched = -1;
        for (int at = 8; at + 16 <= metadataEnd; at += 8) {
            if (b.getLong(at + 8) == 3 && b.getLong(at) > 0 && b.getLong(at) < bodyLength) {
                patched = at + 8;
            }
        }
        assertThat(patched).isPositive();
        b.putLong(patched, 3 + 64);

        // When / Then
        assertThatThrownBy(
                        () ->
                                decoder.decode(
                                        ByteBuffer.wrap(
                                                TestFrames.rowsFrame(
                                                        OID, 1, 1, 0, new int[0][], batch))))
                .isInstanceOf(FrameFormatException.class)
                .hasMessage(
                        "wal2arrow 'R' (ROWS) frame from slot 'unit_slot' at"
                                + " offset 0: expected a RecordBatch matching schema version 1 of"
                                + " public.accounts (3 fields) but loading it failed: data buffer 6 of"
                                + " field 'owner' spans bytes 48 to 115 of a 56-byte body");
    }

    @Test
    void aBodyShorterThanItsMetadataSaysIsRefused() {
        Schema schema = accountsSchema(1);
        decoder.decode(ByteBuffer.wrap(TestFrames.schemaFrame(OID, 1, schema)));
        byte[] batch =
                accountsBatch(
                        schema,
                        CompressionUtil.CodecType.NO_COMPRESSION,
                        new Object[] {0, 1, "ada"});
        byte[] cut = Arrays.copyOf(batch, batch.length - 8);

        assertThatThrownBy(
                        () ->
                                decoder.decode(
                                        ByteBuffer.wrap(
                                                TestFrames.rowsFrame(
                                                        OID, 1, 1, 0, new int[0][], cut))))
                .isInstanceOf(FrameFormatException.class)
                .hasMessageStartingWith(
                        "wal2arrow 'R' (ROWS) frame from slot 'unit_slot' at"
                                + " offset 0: expected an Arrow IPC RecordBatch message in the "
                                + (cut.length)
                                + "-byte body (public.accounts) but it does not parse:");
    }

    @Test
    void truncateAndMessageFramesCarryTheirFields() {
        byte[] message =
                TestFrames.concat(
                        TestFrames.truncate(
                                true,
                                false,
                                new Object[][] {
                                    {16384, "public", "a"}, {16390, "sales", "Orders Q1"}
                                }),
                        TestFrames.message(false, 0, 0x2A, "pfx", new byte[] {0, 1, 2}));

        List<Frame> frames = decoder.decodeAll(ByteBuffer.wrap(message));

        TruncateFrame t = (TruncateFrame) frames.get(0);
        assertThat(t.cascade()).isTrue();
        assertThat(t.restartIdentity()).isFalse();
        assertThat(t.relations())
                .containsExactly(
                        new TruncateFrame.TruncatedRelation(16384, "public", "a"),
                        new TruncateFrame.TruncatedRelation(16390, "sales", "Orders Q1"));
        MessageFrame m = (MessageFrame) frames.get(1);
        assertThat(m.transactional()).isFalse();
        assertThat(m.lsn()).isEqualTo(0x2A);
        assertThat(m.prefix()).isEqualTo("pfx");
        assertThat(m.content()).containsExactly(0, 1, 2);
    }

    @Test
    void aTruncateEntryRunningPastTheBodyIsRefused() {
        // Given: one 31-byte entry, so the header's count of 2 passes the 12-bytes-per-entry bound
        byte[] frame =
                TestFrames.truncate(
                        false, false, new Object[][] {{16384, "public", "a_longer_name"}});
        ByteBuffer.wrap(frame).order(ByteOrder.LITTLE_ENDIAN).putInt(12, 2);

        assertThatThrownBy(() -> decoder.decode(ByteBuffer.wrap(frame)))
                .isInstanceOf(FrameFormatException.class)
                .hasMessageStartingWith(
                        "wal2arrow 'T' (TRUNCATE) frame from slot 'unit_slot' at"
                                + " offset 0: truncated body: relation entry 1 of 2 (OID) needs 4 bytes");
    }

    @Test
    void aDecimalWithMoreDigitsThanItsPrecisionIsRefused() {
        // Given: numeric(5,2) holding the unscaled value 1234567 (7 digits), written raw
        Schema schema =
                TestFrames.schema(
                        OID,
                        1,
                        "prices",
                        "default",
                        List.of(
                                TestFrames.column(
                                        "price",
                                        new ArrowType.Decimal(5, 2, 128),
                                        "numeric(5,2)",
                                        true,
                                        1,
                                        null)));
        decoder.decode(ByteBuffer.wrap(TestFrames.schemaFrame(OID, 1, schema)));
        byte[] batch;
        try (VectorSchemaRoot root = VectorSchemaRoot.create(schema, allocator)) {
            ((TinyIntVector) root.getVector(0)).setSafe(0, 0);
            DecimalVector price = (DecimalVector) root.getVector(1);
            price.setSafe(0, new BigDecimal("1.00"));
            price.getDataBuffer().setLong(0, 1_234_567L);
            root.setRowCount(1);
            batch = TestFrames.batchMessage(root, CompressionUtil.CodecType.NO_COMPRESSION);
        }

        // When / Then
        assertThatThrownBy(
                        () ->
                                decoder.decode(
                                        ByteBuffer.wrap(
                                                TestFrames.rowsFrame(
                                                        OID, 1, 1, 0, new int[0][], batch))))
                .isInstanceOf(FrameFormatException.class)
                .hasMessage(
                        "wal2arrow 'R' (ROWS) frame from slot 'unit_slot' at offset 0: value 0"
                                + " of column price of public.prices: expected at most 5 digits"
                                + " (Decimal128(5, 2)) but found the unscaled value 1234567");
    }

    /**
     * A Schema flatbuffer may point at one table many times: 40 levels of a struct whose two
     * children are the level below describe 2^40 fields in a few kilobytes. Arrow Java would
     * convert it field by field (for ever, in practice); the decoder refuses it first.
     */
    @Test
    void aSchemaFlatbufferThatRepeatsItsOwnTablesIsRefused() {
        FlatBufferBuilder b = new FlatBufferBuilder();
        int name = b.createString("x");
        org.apache.arrow.flatbuf.Int.startInt(b);
        org.apache.arrow.flatbuf.Int.addBitWidth(b, 32);
        org.apache.arrow.flatbuf.Int.addIsSigned(b, true);
        int intType = org.apache.arrow.flatbuf.Int.endInt(b);
        int child = flatField(b, name, Type.Int, intType, -1);
        for (int level = 0; level < 40; level++) {
            org.apache.arrow.flatbuf.Struct_.startStruct_(b);
            int struct = org.apache.arrow.flatbuf.Struct_.endStruct_(b);
            int children =
                    org.apache.arrow.flatbuf.Field.createChildrenVector(
                            b, new int[] {child, child});
            child = flatField(b, name, Type.Struct_, struct, children);
        }
        int fields = org.apache.arrow.flatbuf.Schema.createFieldsVector(b, new int[] {child});
        org.apache.arrow.flatbuf.Schema.startSchema(b);
        org.apache.arrow.flatbuf.Schema.addFields(b, fields);
        int schema = org.apache.arrow.flatbuf.Schema.endSchema(b);
        org.apache.arrow.flatbuf.Message.startMessage(b);
        org.apache.arrow.flatbuf.Message.addVersion(b, MetadataVersion.V5);
        org.apache.arrow.flatbuf.Message.addHeaderType(b, MessageHeader.Schema);
        org.apache.arrow.flatbuf.Message.addHeader(b, schema);
        org.apache.arrow.flatbuf.Message.addBodyLength(b, 0);
        b.finish(org.apache.arrow.flatbuf.Message.endMessage(b));
        byte[] flatbuffer = b.sizedByteArray();
        int padded = (flatbuffer.length + 7) / 8 * 8;
        ByteBuffer frame =
                ByteBuffer.allocate(WireFormat.SCHEMA_H + 8 + padded)
                        .order(ByteOrder.LITTLE_ENDIAN);
        frame.put((byte) 'W')
                .put((byte) 'A')
                .put((byte) 1)
                .put((byte) 'S')
                .putInt(WireFormat.SCHEMA_H)
                .putInt((int) OID)
                .putInt(1)
                .putLong(8 + padded)
                .putInt(-1)
                .putInt(padded)
                .put(flatbuffer);

        assertThatThrownBy(() -> decoder.decode(ByteBuffer.wrap(frame.array())))
                .isInstanceOf(FrameFormatException.class)
                .hasMessageStartingWith(
                        "wal2arrow 'S' (SCHEMA) frame from slot 'unit_slot' at"
                                + " offset 0: expected an Arrow IPC Schema message in the "
                                + (8 + padded)
                                + "-byte body (relation OID 16384) but it does not parse:");
    }

    private static int flatField(
            FlatBufferBuilder b, int name, byte typeType, int type, int children) {
        org.apache.arrow.flatbuf.Field.startField(b);
        org.apache.arrow.flatbuf.Field.addName(b, name);
        org.apache.arrow.flatbuf.Field.addNullable(b, true);
        org.apache.arrow.flatbuf.Field.addTypeType(b, typeType);
        org.apache.arrow.flatbuf.Field.addType(b, type);
        if (children >= 0) {
            org.apache.arrow.flatbuf.Field.addChildren(b, children);
        }
        return org.apache.arrow.flatbuf.Field.endField(b);
    }

    // ---------------------------------------------------------------- K frames

    /** S, then R of two rows followed by its K frame, as the snapshot function writes them. */
    private byte[] snapshotMessage(byte[] keys) {
        Schema schema = accountsSchema(1);
        byte[] batch =
                accountsBatch(
                        schema,
                        CompressionUtil.CodecType.NO_COMPRESSION,
                        new Object[] {0, 1, "ada"},
                        new Object[] {0, 2, null});
        return TestFrames.concat(
                TestFrames.schemaFrame(OID, 1, schema),
                TestFrames.rowsFrame(OID, 1, 2, 0, new int[0][], batch),
                keys);
    }

    @Test
    void aKeysFrameAfterItsRowsDecodesEveryKeyText() {
        // Given: keys (id, owner) of two rows, one owner NULL, one text with non-ASCII letters
        byte[] message = snapshotMessage(TestFrames.keysFrame(2, 2, "1", "Ådå \"x\"", "2", null));

        // When
        List<Frame> frames = decoder.decodeAll(ByteBuffer.wrap(message));

        // Then
        try {
            assertThat(frames)
                    .extracting(Frame::kind)
                    .containsExactly(FrameKind.SCHEMA, FrameKind.ROWS, FrameKind.KEYS);
            KeysFrame keys = (KeysFrame) frames.get(2);
            assertThat(keys.rowCount()).isEqualTo(2);
            assertThat(keys.columnCount()).isEqualTo(2);
            assertThat(keys.row(0)).containsExactly("1", "Ådå \"x\"");
            assertThat(keys.row(1)).containsExactly("2", null);
            assertThat(keys.value(1, 0)).isEqualTo("2");
        } finally {
            frames.forEach(Frame::close);
        }
    }

    @Test
    void aKeysFrameWhoseRowCountDiffersFromItsRowsFrameIsRefused() {
        byte[] message = snapshotMessage(TestFrames.keysFrame(3, 1, "1", "2", "3"));

        assertThatThrownBy(() -> decoder.decodeAll(ByteBuffer.wrap(message)))
                .isInstanceOf(FrameFormatException.class)
                .hasMessageContaining("'K' (KEYS) frame from " + SOURCE)
                .hasMessageContaining("expected keys of 2 rows (the preceding R frame's row count)")
                .hasMessageContaining("says 3");
    }

    @Test
    void aKeysFrameWithoutRowsFrameBeforeItIsRefused() {
        Schema schema = accountsSchema(1);
        byte[] message =
                TestFrames.concat(
                        TestFrames.schemaFrame(OID, 1, schema), TestFrames.keysFrame(0, 1));

        assertThatThrownBy(() -> decoder.decodeAll(ByteBuffer.wrap(message)))
                .isInstanceOf(FrameFormatException.class)
                .hasMessageContaining("right after the R frame whose rows it describes");
    }

    @Test
    void aSecondKeysFrameForTheSameRowsIsRefused() {
        byte[] keys = TestFrames.keysFrame(2, 1, "1", "2");
        byte[] message = TestFrames.concat(snapshotMessage(keys), keys);

        assertThatThrownBy(() -> decoder.decodeAll(ByteBuffer.wrap(message)))
                .isInstanceOf(FrameFormatException.class)
                .hasMessageContaining("is no R frame");
    }

    @Test
    void keyLengthsBeyondTheBodyAreRefusedBeforeAllocating() {
        // Given: a value length of 2^31 and a column count the body cannot hold
        byte[] hugeValue = TestFrames.keysFrame(2, 1, "1", "2");
        ByteBuffer.wrap(hugeValue).order(ByteOrder.LITTLE_ENDIAN).putInt(24, Integer.MAX_VALUE);
        byte[] hugeCount = TestFrames.keysFrame(2, 1, "1", "2");
        ByteBuffer.wrap(hugeCount).order(ByteOrder.LITTLE_ENDIAN).putInt(12, -1);
        byte[] leftOver = TestFrames.keysFrame(2, 1, "1", "2");
        leftOver = Arrays.copyOf(leftOver, leftOver.length + 3);
        ByteBuffer.wrap(leftOver).order(ByteOrder.LITTLE_ENDIAN).putLong(16, 13);

        assertThatThrownBy(() -> decoder.decodeAll(ByteBuffer.wrap(snapshotMessage(hugeValue))))
                .isInstanceOf(FrameFormatException.class)
                .hasMessageContaining("key value 0 (row 0 of 2, column 0 of 1) needs 2147483647");
        decoder.reset();
        assertThatThrownBy(() -> decoder.decodeAll(ByteBuffer.wrap(snapshotMessage(hugeCount))))
                .isInstanceOf(FrameFormatException.class)
                .hasMessageContaining("expected at most 2 key values");
        decoder.reset();
        byte[] withLeftOver = leftOver;
        assertThatThrownBy(() -> decoder.decodeAll(ByteBuffer.wrap(snapshotMessage(withLeftOver))))
                .isInstanceOf(FrameFormatException.class)
                .hasMessageContaining("3 bytes are left over");
    }
}
