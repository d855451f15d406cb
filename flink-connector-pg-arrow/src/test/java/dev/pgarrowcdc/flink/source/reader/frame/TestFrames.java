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

import org.apache.arrow.compression.CommonsCompressionFactory;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.VectorUnloader;
import org.apache.arrow.vector.compression.CompressionCodec;
import org.apache.arrow.vector.compression.CompressionUtil;
import org.apache.arrow.vector.compression.NoCompressionCodec;
import org.apache.arrow.vector.ipc.WriteChannel;
import org.apache.arrow.vector.ipc.message.ArrowRecordBatch;
import org.apache.arrow.vector.ipc.message.MessageSerializer;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds wal2arrow frames in Java for unit tests of the decoder (the ITCases read the real plugin's
 * frames instead). Arrow bodies are written by Arrow Java.
 */
final class TestFrames {

    private TestFrames() {}

    /** Schema metadata as wal2arrow writes it. */
    static Map<String, String> relationMetadata(
            long oid, int version, String table, String identity) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("wal2arrow.version", "1");
        m.put("wal2arrow.relid", Long.toString(oid));
        m.put("wal2arrow.schema_version", Integer.toString(version));
        m.put("wal2arrow.namespace", "public");
        m.put("wal2arrow.table", table);
        m.put("wal2arrow.replica_identity", identity);
        return m;
    }

    static Field opField() {
        return new Field("__op", new FieldType(false, new ArrowType.Int(8, true), null), null);
    }

    /** A nullable table column with wal2arrow metadata. */
    static Field column(
            String name,
            ArrowType type,
            String typeName,
            boolean identity,
            int pkPosition,
            List<Field> children) {
        Map<String, String> meta = new HashMap<>();
        meta.put("wal2arrow.type_name", typeName);
        meta.put("wal2arrow.typmod", "-1");
        meta.put("wal2arrow.type_oid", "25");
        if (identity) {
            meta.put("wal2arrow.identity", "true");
        }
        if (pkPosition > 0) {
            meta.put("wal2arrow.primary_key", Integer.toString(pkPosition));
        }
        return new Field(name, new FieldType(true, type, null, meta), children);
    }

    static Schema schema(
            long oid, int version, String table, String identity, List<Field> columns) {
        List<Field> fields = new ArrayList<>();
        fields.add(opField());
        fields.addAll(columns);
        return new Schema(fields, relationMetadata(oid, version, table, identity));
    }

    static byte[] schemaMessage(Schema schema) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            MessageSerializer.serialize(new WriteChannel(Channels.newChannel(out)), schema);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** The root's batch as one encapsulated RecordBatch message, compressed if asked. */
    static byte[] batchMessage(VectorSchemaRoot root, CompressionUtil.CodecType codec) {
        CompressionCodec c;
        if (codec == CompressionUtil.CodecType.NO_COMPRESSION) {
            c = NoCompressionCodec.INSTANCE;
        } else if (codec == CompressionUtil.CodecType.LZ4_FRAME) {
            // Arrow Java's LZ4 writer needs a newer commons-lang3 than Flink brings: write the
            // frame format ourselves (uncompressed blocks), which the reader must decode too.
            c = new StoredLz4FrameCodec();
        } else {
            c = CommonsCompressionFactory.INSTANCE.createCodec(codec);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ArrowRecordBatch batch = new VectorUnloader(root, true, c, true).getRecordBatch()) {
            MessageSerializer.serialize(new WriteChannel(Channels.newChannel(out)), batch);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /**
     * The root's batch as wal2arrow writes it (PROTOCOL.md section 3): a column with no nulls, or
     * only nulls, gets a validity buffer of length 0. Arrow Java's writer always writes one.
     */
    static byte[] batchMessageWithoutValidity(VectorSchemaRoot root, BufferAllocator allocator) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ArrowRecordBatch full = new VectorUnloader(root).getRecordBatch()) {
            List<ArrowBuf> buffers = new ArrayList<>(full.getBuffers());
            int at = 0;
            int node = 0;
            for (org.apache.arrow.vector.FieldVector v : root.getFieldVectors()) {
                // flat columns only: one node and its buffers per vector
                org.apache.arrow.vector.ipc.message.ArrowFieldNode n = full.getNodes().get(node++);
                if (n.getNullCount() == 0 || n.getNullCount() == n.getLength()) {
                    buffers.set(at, allocator.getEmpty());
                }
                at += org.apache.arrow.vector.TypeLayout.getTypeBufferCount(v.getField().getType());
            }
            try (ArrowRecordBatch sparse =
                    new ArrowRecordBatch(full.getLength(), full.getNodes(), buffers)) {
                MessageSerializer.serialize(new WriteChannel(Channels.newChannel(out)), sparse);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** LZ4 frames (lz4 frame format 1.6) whose blocks are stored uncompressed. */
    static final class StoredLz4FrameCodec implements CompressionCodec {
        @Override
        public ArrowBuf compress(BufferAllocator allocator, ArrowBuf uncompressed) {
            long length = uncompressed.writerIndex();
            if (length == 0) {
                ArrowBuf empty = allocator.buffer(8);
                empty.setLong(0, 0);
                empty.writerIndex(8);
                uncompressed.close();
                return empty;
            }
            byte[] raw = new byte[(int) length];
            uncompressed.getBytes(0, raw);
            byte flg = 0x60; // version 01, independent blocks, no checksums, no content size
            byte bd = 0x70; // 4 MB maximum block size
            ByteBuffer frame =
                    ByteBuffer.allocate(8 + 7 + 4 + raw.length + 4).order(ByteOrder.LITTLE_ENDIAN);
            frame.putLong(length); // Arrow's prefix: the uncompressed length
            frame.putInt(0x184D2204)
                    .put(flg)
                    .put(bd)
                    .put((byte) ((xxh32(new byte[] {flg, bd}) >>> 8) & 0xFF));
            frame.putInt(0x80000000 | raw.length).put(raw); // high bit: stored block
            frame.putInt(0); // end mark
            ArrowBuf out = allocator.buffer(frame.capacity());
            out.setBytes(0, frame.array());
            out.writerIndex(frame.capacity());
            uncompressed.close();
            return out;
        }

        @Override
        public ArrowBuf decompress(BufferAllocator allocator, ArrowBuf compressed) {
            throw new UnsupportedOperationException("test writer only");
        }

        @Override
        public CompressionUtil.CodecType getCodecType() {
            return CompressionUtil.CodecType.LZ4_FRAME;
        }

        /** XXH32 with seed 0 of fewer than 16 bytes (the LZ4 frame descriptor checksum). */
        private static int xxh32(byte[] input) {
            final int prime1 = 0x9E3779B1;
            final int prime2 = 0x85EBCA77;
            final int prime3 = 0xC2B2AE3D;
            final int prime5 = 0x165667B1;
            int h = prime5 + input.length;
            for (byte b : input) {
                h += (b & 0xFF) * prime5;
                h = Integer.rotateLeft(h, 11) * prime1;
            }
            h ^= h >>> 15;
            h *= prime2;
            h ^= h >>> 13;
            h *= prime3;
            h ^= h >>> 16;
            return h;
        }
    }

    private static ByteBuffer header(char kind, int headerLength) {
        ByteBuffer b = ByteBuffer.allocate(headerLength).order(ByteOrder.LITTLE_ENDIAN);
        b.put((byte) 'W').put((byte) 'A').put((byte) 1).put((byte) kind).putInt(headerLength);
        return b;
    }

    static byte[] begin(long xid, long finalLsn, long commitMicros) {
        ByteBuffer b = header('B', 40);
        b.putInt((int) xid).putInt(0).putLong(finalLsn).putLong(commitMicros).putLong(0);
        return b.array();
    }

    static byte[] commit(long xid, long commitLsn, long endLsn, long commitMicros, long rows) {
        ByteBuffer b = header('C', 56);
        b.putInt((int) xid)
                .putInt(0)
                .putLong(commitLsn)
                .putLong(endLsn)
                .putLong(commitMicros)
                .putLong(rows)
                .putLong(0);
        return b.array();
    }

    static byte[] schemaFrame(long oid, int version, Schema schema) {
        byte[] body = schemaMessage(schema);
        ByteBuffer b = header('S', 24);
        b.putInt((int) oid).putInt(version).putLong(body.length);
        return concat(b.array(), body);
    }

    /** marks: {row, column, kind} triples. */
    static byte[] rowsFrame(
            long oid,
            int version,
            int rows,
            long firstOrdinal,
            int[][] marks,
            byte[] batchMessage) {
        ByteBuffer b = header('R', 40 + 8 * marks.length);
        b.putInt((int) oid).putInt(version).putInt(rows).putInt(marks.length).putLong(firstOrdinal);
        for (int[] m : marks) {
            b.putInt(m[0]).putShort((short) m[1]).putShort((short) m[2]);
        }
        b.putLong(batchMessage.length);
        return concat(b.array(), batchMessage);
    }

    static byte[] truncate(boolean cascade, boolean restart, Object[][] relations) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        for (Object[] r : relations) {
            ByteBuffer oid = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN);
            oid.putInt(((Number) r[0]).intValue());
            body.writeBytes(oid.array());
            body.writeBytes(lengthPrefixed((String) r[1]));
            body.writeBytes(lengthPrefixed((String) r[2]));
        }
        ByteBuffer b = header('T', 24);
        b.putInt((cascade ? 1 : 0) | (restart ? 2 : 0))
                .putInt(relations.length)
                .putLong(body.size());
        return concat(b.array(), body.toByteArray());
    }

    static byte[] message(
            boolean transactional, long xid, long lsn, String prefix, byte[] content) {
        byte[] p = prefix.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = header('M', 40);
        b.putInt(transactional ? 1 : 0)
                .putInt((int) xid)
                .putLong(lsn)
                .putInt(p.length)
                .putInt(content.length)
                .putLong(p.length + content.length);
        return concat(b.array(), p, content);
    }

    /** {@code K}: rows x columns texts, row-major (null: NULL); rowCount as written. */
    static byte[] keysFrame(int rowCount, int columns, String... values) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        for (String v : values) {
            if (v == null) {
                ByteBuffer n = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN);
                body.writeBytes(n.putInt(-1).array());
            } else {
                body.writeBytes(lengthPrefixed(v));
            }
        }
        ByteBuffer b = header('K', 24);
        b.putInt(rowCount).putInt(columns).putLong(body.size());
        return concat(b.array(), body.toByteArray());
    }

    private static byte[] lengthPrefixed(String s) {
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(4 + bytes.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(bytes.length).put(bytes);
        return b.array();
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }
}
