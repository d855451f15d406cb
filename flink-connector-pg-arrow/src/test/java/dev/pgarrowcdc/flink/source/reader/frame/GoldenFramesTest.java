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

import org.apache.flink.table.data.RowData;
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
import org.apache.arrow.vector.TimeStampVector;
import org.apache.arrow.vector.TinyIntVector;
import org.apache.arrow.vector.VarBinaryVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.complex.ListVector;
import org.apache.arrow.vector.ipc.ReadChannel;
import org.apache.arrow.vector.ipc.message.MessageSerializer;
import org.apache.arrow.vector.types.pojo.Schema;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The C plugin's golden files (wal2arrow/test/golden, written by its unit tests with the plugin's
 * own frame writers and Arrow encoder) read by the production decoder, value by value: a change of
 * the wire format on either side fails here. Every file of the directory must be read by a test
 * below.
 */
class GoldenFramesTest {

    private static final String SOURCE = "golden files";
    private static final long RELID = 16385;
    private static final long RELID_TWO = 16386;
    private static final long XID = 745;
    private static final long FINAL_LSN = 0x16B3748L;
    private static final long END_LSN = 0x16B3778L;
    private static final long TIME = 1_700_000_000_123_456L;

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
        assertThat(allocator.getAllocatedMemory()).isZero();
        allocator.close();
    }

    static Path goldenDir() {
        String dir = System.getProperty("wal2arrow.dir");
        assertThat(dir).as("system property wal2arrow.dir (set by the build)").isNotNull();
        return Paths.get(dir, "test", "golden");
    }

    static byte[] golden(String name) {
        try {
            return Files.readAllBytes(goldenDir().resolve(name));
        } catch (IOException e) {
            throw new AssertionError("cannot read golden file " + name, e);
        }
    }

    @Test
    void everyGoldenFileIsReadHere() throws IOException {
        try (Stream<Path> files = Files.list(goldenDir())) {
            assertThat(files.map(p -> p.getFileName().toString()).collect(Collectors.toList()))
                    .containsExactlyInAnyOrder(
                            "frames_all_types.w2a",
                            "frames_compressed.w2a",
                            "schema_all_types.arrows",
                            "batch_all_types.arrows",
                            "batch_all_types_lz4.arrows",
                            "batch_all_types_zstd.arrows",
                            "batch_empty.arrows",
                            "schema_two.arrows",
                            "batch_two_lz4.arrows",
                            "batch_two_zstd.arrows");
        }
    }

    @Test
    void everyFrameKindOfTheAllTypesMessageDecodesToTheValuesTheCTestWrote() throws IOException {
        byte[] message = golden("frames_all_types.w2a");

        List<Frame> frames = decoder.decodeAll(ByteBuffer.wrap(message));
        try {
            assertThat(frames)
                    .extracting(Frame::kind)
                    .containsExactly(
                            FrameKind.BEGIN,
                            FrameKind.SCHEMA,
                            FrameKind.ROWS,
                            FrameKind.ROWS,
                            FrameKind.TRUNCATE,
                            FrameKind.MESSAGE,
                            FrameKind.COMMIT,
                            FrameKind.MESSAGE);

            BeginFrame b = (BeginFrame) frames.get(0);
            assertThat(b.xid()).isEqualTo(XID);
            assertThat(b.finalLsn()).isEqualTo(FINAL_LSN);
            assertThat(b.commitTimeMicros()).isEqualTo(TIME);

            RelationSchema s = ((SchemaFrame) frames.get(1)).schema();
            checkAllTypesSchema(s);

            RowsFrame rows = (RowsFrame) frames.get(2);
            checkAllTypesRows(rows, s);
            assertThat(rows.firstRowOrdinal()).isZero();
            assertThat(rows.markCount()).isEqualTo(4);
            assertThat(rows.mark(1, 9)).isEqualTo(ValueMark.UNCHANGED_TOAST);
            assertThat(rows.mark(2, 7)).isEqualTo(ValueMark.NAN);
            assertThat(rows.mark(2, 8)).isEqualTo(ValueMark.UNCHANGED_TOAST);
            assertThat(rows.mark(2, 12)).isEqualTo(ValueMark.NOT_REPRESENTABLE);
            assertThat(rows.mark(0, 1)).isNull();
            // the R body is batch_all_types.arrows byte for byte
            assertThat(body(message, 2)).isEqualTo(golden("batch_all_types.arrows"));

            RowsFrame empty = (RowsFrame) frames.get(3);
            assertThat(empty.rowCount()).isZero();
            assertThat(empty.firstRowOrdinal()).isEqualTo(4);
            assertThat(empty.root().getRowCount()).isZero();
            assertThat(body(message, 3)).isEqualTo(golden("batch_empty.arrows"));

            TruncateFrame t = (TruncateFrame) frames.get(4);
            assertThat(t.cascade()).isTrue();
            assertThat(t.restartIdentity()).isTrue();
            assertThat(t.relations())
                    .containsExactly(
                            new TruncateFrame.TruncatedRelation(RELID, "public", "t\u00e9st"),
                            new TruncateFrame.TruncatedRelation(
                                    16390, "My Schema", "Odd.Name, \"q\""));

            MessageFrame m = (MessageFrame) frames.get(5);
            assertThat(m.transactional()).isTrue();
            assertThat(m.xid()).isEqualTo(XID);
            assertThat(m.lsn()).isEqualTo(0x16B3760L);
            assertThat(m.prefix()).isEqualTo("pfx");
            assertThat(m.content()).containsExactly(0x00, 0xff, 'x');

            CommitFrame c = (CommitFrame) frames.get(6);
            assertThat(c.xid()).isEqualTo(XID);
            assertThat(c.commitLsn()).isEqualTo(FINAL_LSN);
            assertThat(c.endLsn()).isEqualTo(END_LSN);
            assertThat(c.commitTimeMicros()).isEqualTo(TIME);
            assertThat(c.rowCount()).isEqualTo(4);

            MessageFrame nt = (MessageFrame) frames.get(7);
            assertThat(nt.transactional()).isFalse();
            assertThat(nt.xid()).isZero();
            assertThat(nt.lsn()).isEqualTo(0x16B3900L);
            assertThat(nt.prefix()).isEmpty();
            assertThat(nt.content()).isEqualTo("hello".getBytes(StandardCharsets.UTF_8));

            // The S body is schema_all_types.arrows plus the relation's metadata.
            Schema bare =
                    MessageSerializer.deserializeSchema(
                            new ReadChannel(
                                    Channels.newChannel(
                                            new ByteArrayInputStream(
                                                    golden("schema_all_types.arrows")))));
            assertThat(s.arrowSchema().getFields()).isEqualTo(bare.getFields());
        } finally {
            frames.forEach(Frame::close);
        }
    }

    @Test
    void theAllTypesBatchReadsTheSameWithLz4AndZstdBodyCompression() {
        byte[] message = golden("frames_all_types.w2a");
        for (String file :
                new String[] {"batch_all_types_lz4.arrows", "batch_all_types_zstd.arrows"}) {
            decoder.reset();
            // B, S of the golden message, then its R header around the compressed C batch
            byte[] compressed = golden(file);
            byte[] r = withBody(frame(message, 2), compressed);
            byte[] spliced = TestFrames.concat(frame(message, 0), frame(message, 1), r);

            List<Frame> frames = decoder.decodeAll(ByteBuffer.wrap(spliced));
            try {
                RelationSchema s = ((SchemaFrame) frames.get(1)).schema();
                checkAllTypesRows((RowsFrame) frames.get(2), s);
            } finally {
                frames.forEach(Frame::close);
            }
        }
    }

    @Test
    void aThousandRowsCompressedWithZstdAndLz4DecodeToTheirValues() {
        byte[] message = golden("frames_compressed.w2a");

        List<Frame> frames = decoder.decodeAll(ByteBuffer.wrap(message));
        try {
            assertThat(frames)
                    .extracting(Frame::kind)
                    .containsExactly(
                            FrameKind.BEGIN,
                            FrameKind.SCHEMA,
                            FrameKind.ROWS,
                            FrameKind.ROWS,
                            FrameKind.COMMIT);
            RelationSchema s = ((SchemaFrame) frames.get(1)).schema();
            assertThat(s.relationOid()).isEqualTo(RELID_TWO);
            assertThat(s.schemaVersion()).isEqualTo(3);
            assertThat(s.qualifiedName()).isEqualTo("My Schema.two");
            assertThat(s.replicaIdentity()).isEqualTo(RelationSchema.ReplicaIdentity.FULL);
            for (int f = 2; f <= 3; f++) {
                RowsFrame rows = (RowsFrame) frames.get(f);
                assertThat(rows.firstRowOrdinal()).isEqualTo((f - 2) * 1000L);
                assertThat(rows.rowCount()).isEqualTo(1000);
                TinyIntVector op = (TinyIntVector) rows.root().getVector(0);
                for (int i = 0; i < 1000; i++) {
                    assertThat(op.get(i)).isZero();
                }
                checkTwoColumns(
                        (IntVector) rows.root().getVector(1),
                        (VarCharVector) rows.root().getVector(2));
            }
            assertThat(((CommitFrame) frames.get(4)).rowCount()).isEqualTo(2000);
        } finally {
            frames.forEach(Frame::close);
        }
    }

    @Test
    void theTwoColumnBatchesLoadWithTheProductionLoader() throws IOException {
        Schema schema =
                MessageSerializer.deserializeSchema(
                        new ReadChannel(
                                Channels.newChannel(
                                        new ByteArrayInputStream(golden("schema_two.arrows")))));
        for (String file : new String[] {"batch_two_lz4.arrows", "batch_two_zstd.arrows"}) {
            byte[] batch = golden(file);
            try (RecordBatchLoader loader = new RecordBatchLoader(allocator);
                    VectorSchemaRoot root = VectorSchemaRoot.create(schema, allocator)) {
                loader.open(ByteBuffer.wrap(batch), 0, batch.length);
                assertThat(loader.rowCount()).isEqualTo(1000);
                loader.load(root);
                checkTwoColumns((IntVector) root.getVector(0), (VarCharVector) root.getVector(1));
            }
        }
    }

    private static void checkTwoColumns(IntVector n, VarCharVector s) {
        assertThat(n.getValueCount()).isEqualTo(1000);
        for (int i = 0; i < 1000; i++) {
            if (i % 7 == 3) {
                assertThat(n.isNull(i)).as("n[%d]", i).isTrue();
            } else {
                assertThat(n.get(i)).as("n[%d]", i).isEqualTo(i % 10);
            }
            assertThat(new String(s.get(i), StandardCharsets.UTF_8)).isEqualTo("hello, arrow");
        }
    }

    private static void checkAllTypesSchema(RelationSchema s) {
        assertThat(s.relationOid()).isEqualTo(RELID);
        assertThat(s.schemaVersion()).isEqualTo(1);
        assertThat(s.namespace()).isEqualTo("public");
        assertThat(s.tableName()).isEqualTo("t\u00e9st");
        assertThat(s.replicaIdentity()).isEqualTo(RelationSchema.ReplicaIdentity.DEFAULT);
        assertThat(s.columns())
                .extracting(RelationSchema.Column::name)
                .containsExactly(
                        "id", "small", "big", "flag", "f4", "f8", "amount", "name", "raw", "d", "t",
                        "ts", "tstz", "tags", "amounts");
        assertThat(s.column("id").primaryKeyPosition()).isEqualTo(1);
        assertThat(s.column("id").typeOid()).isEqualTo(23);
        assertThat(s.toRowType().asSummaryString())
                .isEqualTo(
                        "ROW<`id` INT, `small` SMALLINT,"
                                + " `big` BIGINT, `flag` BOOLEAN, `f4` FLOAT, `f8` DOUBLE, `amount` DECIMAL(10, 2),"
                                + " `name` STRING, `raw` BYTES, `d` DATE, `t` TIME(3), `ts` TIMESTAMP(6),"
                                + " `tstz` TIMESTAMP_LTZ(6), `tags` ARRAY<STRING>, `amounts` ARRAY<DECIMAL(5, 2)>>");
    }

    /** The four rows of build_columns() in wal2arrow/test/unittest_arrow_ipc.c. */
    private static void checkAllTypesRows(RowsFrame rows, RelationSchema s) {
        assertThat(rows.schema()).isSameAs(s);
        assertThat(rows.rowCount()).isEqualTo(4);
        VectorSchemaRoot root = rows.root();
        assertThat(root.getRowCount()).isEqualTo(4);
        assertThat(rows.rowKind(0)).isEqualTo(RowKind.INSERT);
        assertThat(rows.rowKind(1)).isEqualTo(RowKind.UPDATE_BEFORE);
        assertThat(rows.rowKind(2)).isEqualTo(RowKind.UPDATE_AFTER);
        assertThat(rows.rowKind(3)).isEqualTo(RowKind.DELETE);

        IntVector id = (IntVector) root.getVector("id");
        assertThat(
                        new Object[] {
                            id.getObject(0), id.getObject(1), id.getObject(2), id.getObject(3)
                        })
                .containsExactly(1, 2, null, Integer.MIN_VALUE);
        SmallIntVector small = (SmallIntVector) root.getVector("small");
        assertThat(new short[] {small.get(0), small.get(1), small.get(2), small.get(3)})
                .containsExactly((short) -1, (short) 32767, (short) -32768, (short) 0);
        BigIntVector big = (BigIntVector) root.getVector("big");
        assertThat(
                        new Object[] {
                            big.getObject(0), big.getObject(1), big.getObject(2), big.getObject(3)
                        })
                .containsExactly(Long.MAX_VALUE, Long.MIN_VALUE, null, 42L);
        BitVector flag = (BitVector) root.getVector("flag");
        assertThat(
                        new Object[] {
                            flag.getObject(0),
                            flag.getObject(1),
                            flag.getObject(2),
                            flag.getObject(3)
                        })
                .containsExactly(true, false, null, true);
        Float4Vector f4 = (Float4Vector) root.getVector("f4");
        assertThat(f4.get(0)).isEqualTo(1.5f);
        assertThat(f4.get(1)).isNaN();
        assertThat(f4.get(2)).isEqualTo(Float.POSITIVE_INFINITY);
        assertThat(f4.isNull(3)).isTrue();
        Float8Vector f8 = (Float8Vector) root.getVector("f8");
        assertThat(
                        new Object[] {
                            f8.getObject(0), f8.getObject(1), f8.getObject(2), f8.getObject(3)
                        })
                .containsExactly(-0.25, Double.NEGATIVE_INFINITY, null, 1e300);
        DecimalVector amount = (DecimalVector) root.getVector("amount");
        assertThat(
                        new Object[] {
                            amount.getObject(0),
                            amount.getObject(1),
                            amount.getObject(2),
                            amount.getObject(3)
                        })
                .containsExactly(
                        new BigDecimal("123.45"),
                        new BigDecimal("-0.01"),
                        null,
                        new BigDecimal("99999999.99"));
        VarCharVector name = (VarCharVector) root.getVector("name");
        assertThat(new String(name.get(0), StandardCharsets.UTF_8)).isEqualTo("alpha");
        assertThat(name.get(1)).isEmpty();
        assertThat(name.isNull(2)).isTrue();
        assertThat(new String(name.get(3), StandardCharsets.UTF_8)).isEqualTo("\u00e9t\u00e9");
        VarBinaryVector raw = (VarBinaryVector) root.getVector("raw");
        assertThat(raw.get(0)).containsExactly(0x00, 0x01, 0xff);
        assertThat(raw.isNull(1)).isTrue();
        assertThat(raw.get(2)).isEmpty();
        assertThat(raw.get(3)).containsExactly('x');
        DateDayVector d = (DateDayVector) root.getVector("d");
        assertThat(new Object[] {d.getObject(0), d.getObject(1), d.getObject(2), d.getObject(3)})
                .containsExactly(10957, Integer.MAX_VALUE, Integer.MIN_VALUE, null);
        TimeMicroVector t = (TimeMicroVector) root.getVector("t");
        assertThat(new Object[] {t.getObject(0), t.getObject(1), t.getObject(2), t.getObject(3)})
                .containsExactly(45_296_789_012L, null, 0L, 86_400_000_000L);
        for (String ts : new String[] {"ts", "tstz"}) {
            TimeStampVector v = (TimeStampVector) root.getVector(ts);
            assertThat(v.get(0)).isEqualTo(946_684_800_000_000L);
            assertThat(v.get(1)).isEqualTo(Long.MAX_VALUE);
            assertThat(v.isNull(2)).isTrue();
            assertThat(v.get(3)).isEqualTo(-1L);
        }
        ListVector tags = (ListVector) root.getVector("tags");
        assertThat(texts(tags.getObject(0))).containsExactly("a", null);
        assertThat(tags.getObject(1)).isEmpty();
        assertThat(tags.isNull(2)).isTrue();
        assertThat(texts(tags.getObject(3))).containsExactly("bc");
        ListVector amounts = (ListVector) root.getVector("amounts");
        assertThat(new ArrayList<Object>(amounts.getObject(0)))
                .containsExactly(new BigDecimal("1.00"));
        assertThat(amounts.isNull(1)).isTrue();
        assertThat(amounts.getObject(2)).isEmpty();
        assertThat(new ArrayList<Object>(amounts.getObject(3)))
                .containsExactly(new BigDecimal("-2.50"), null);

        // and through the Flink conversion the connector emits
        RowData first = new RowDataConverter(s).toRowData(rows, 0);
        assertThat(first.getRowKind()).isEqualTo(RowKind.INSERT);
        assertThat(first.getInt(0)).isEqualTo(1);
        assertThat(first.getDecimal(6, 10, 2).toBigDecimal()).isEqualTo(new BigDecimal("123.45"));
        assertThat(first.getString(7).toString()).isEqualTo("alpha");
        assertThat(first.getArray(13).getString(0).toString()).isEqualTo("a");
        assertThat(first.getArray(13).isNullAt(1)).isTrue();
    }

    private static List<String> texts(List<?> values) {
        return values.stream()
                .map(v -> v == null ? null : v.toString())
                .collect(Collectors.toList());
    }

    /** The bytes of frame {@code index} of a message. */
    static byte[] frame(byte[] message, int index) {
        ByteBuffer b = ByteBuffer.wrap(message).order(ByteOrder.LITTLE_ENDIAN);
        int pos = 0;
        for (int i = 0; ; i++) {
            int h = b.getInt(pos + WireFormat.FRAME_HEADER_LENGTH);
            int length = h + (int) b.getLong(pos + h - WireFormat.BODY_LENGTH_SIZE);
            if (i == index) {
                return Arrays.copyOfRange(message, pos, pos + length);
            }
            pos += length;
        }
    }

    /** The body of frame {@code index} of a message. */
    static byte[] body(byte[] message, int index) {
        byte[] f = frame(message, index);
        int h =
                ByteBuffer.wrap(f)
                        .order(ByteOrder.LITTLE_ENDIAN)
                        .getInt(WireFormat.FRAME_HEADER_LENGTH);
        return Arrays.copyOfRange(f, h, f.length);
    }

    /** A frame's header with another body. */
    static byte[] withBody(byte[] frame, byte[] body) {
        ByteBuffer b = ByteBuffer.wrap(frame).order(ByteOrder.LITTLE_ENDIAN);
        int h = b.getInt(WireFormat.FRAME_HEADER_LENGTH);
        byte[] out = Arrays.copyOf(frame, h + body.length);
        ByteBuffer.wrap(out)
                .order(ByteOrder.LITTLE_ENDIAN)
                .putLong(h - WireFormat.BODY_LENGTH_SIZE, body.length);
        System.arraycopy(body, 0, out, h, body.length);
        return out;
    }
}
