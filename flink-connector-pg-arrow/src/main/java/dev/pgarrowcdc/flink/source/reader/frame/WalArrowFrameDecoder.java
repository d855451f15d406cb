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

import org.apache.arrow.flatbuf.KeyValue;
import org.apache.arrow.flatbuf.Message;
import org.apache.arrow.flatbuf.MessageHeader;
import org.apache.arrow.flatbuf.Type;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.DecimalVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.TinyIntVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.complex.ListVector;
import org.apache.arrow.vector.ipc.message.MessageSerializer;
import org.apache.arrow.vector.types.pojo.Schema;

import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.IntFunction;

/**
 * Decodes wal2arrow frames (wal2arrow/PROTOCOL.md, version 1) into {@link Frame}s.
 *
 * <p>A message (one CopyData payload, or one row of {@code pg_logical_slot_get_binary_changes})
 * holds one or more whole frames: {@link #decodeAll(ByteBuffer)} returns them all, {@link
 * #decode(ByteBuffer)} returns the one at the buffer's position and moves the position past it.
 *
 * <p>The decoder is the state of one decoding session: it remembers each relation's latest {@code
 * S} frame (schema versions are only meaningful within a session, so make a new decoder, or call
 * {@link #reset()}, on every new replication connection or SQL call). An {@code R} frame is read
 * into a {@link VectorSchemaRoot} owned by the returned {@link RowsFrame}; closing the frame hands
 * the root back so the next batch of the same schema reuses its vectors.
 *
 * <p>Not thread safe: a decoder and the frames it returns belong to the one thread that decodes
 * (the split reader's fetcher), which also closes them.
 *
 * <p>Hostile input: frames that are not whole, not version 1 or otherwise inconsistent raise {@link
 * FrameFormatException} naming the source, the frame kind and offset, and what was expected; the
 * caller adds the LSN. Every length, count and offset is checked against the bytes that arrived
 * before it is used (nothing is allocated because a length field asks for it), the Arrow metadata
 * is walked with bounds before Arrow Java converts it, batches are checked buffer by buffer ({@link
 * RecordBatchLoader}), and anything Arrow Java or flatbuffers throw on bytes that slipped through
 * is turned into a {@link FrameFormatException} too. A frame that is well formed but says something
 * else than the plugin meant (a mutated value) decodes as what it says.
 */
public final class WalArrowFrameDecoder implements AutoCloseable {

    /** The only protocol version this decoder reads ({@link WireFormat#PROTOCOL_VERSION}). */
    public static final int PROTOCOL_VERSION = WireFormat.PROTOCOL_VERSION;

    /** Fields of a relation: PostgreSQL's 1600 columns, {@code __op}, list elements. */
    static final int MAX_SCHEMA_FIELDS = 4096;

    /** Nesting of list fields (wal2arrow writes one level). */
    static final int MAX_SCHEMA_DEPTH = 8;

    private final BufferAllocator allocator;
    private final String source;
    private final Map<Long, SchemaEntry> schemas = new HashMap<>();
    private final RecordBatchLoader loader;
    private boolean closed;

    /** Row count of the R frame just decoded, or -1 when the last frame was no R frame. */
    private long previousRowCount = -1;

    /**
     * @param allocator where Arrow buffers of {@code R} frames are allocated
     * @param sourceDescription names where frames come from in error messages, e.g. {@code slot
     *     'orders_slot'}
     */
    public WalArrowFrameDecoder(BufferAllocator allocator, String sourceDescription) {
        this.allocator = Objects.requireNonNull(allocator, "allocator");
        this.source = Objects.requireNonNull(sourceDescription, "sourceDescription");
        this.loader = new RecordBatchLoader(allocator);
    }

    /** Decodes every frame of one message. On an error, frames already decoded are closed. */
    public List<Frame> decodeAll(ByteBuffer message) {
        List<Frame> frames = new ArrayList<>(4);
        try {
            while (message.hasRemaining()) {
                frames.add(decode(message));
            }
        } catch (RuntimeException e) {
            for (Frame f : frames) {
                f.close();
            }
            throw e;
        }
        return frames;
    }

    /**
     * Decodes the frame starting at {@code payload.position()} and advances the position to the
     * byte after it (the next frame of the message, or the limit). Offsets in error messages are
     * buffer positions, i.e. offsets within the message when the buffer wraps one message.
     */
    public Frame decode(ByteBuffer payload) {
        if (closed) {
            throw new IllegalStateException("WalArrowFrameDecoder for " + source + " is closed");
        }
        ByteBuffer buf = payload.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        int start = buf.position();
        int available = buf.remaining();
        if (available < WireFormat.COMMON_H) {
            throw error(
                    start,
                    null,
                    "truncated frame: expected at least "
                            + WireFormat.COMMON_H
                            + " header bytes but found "
                            + available);
        }
        byte m0 = buf.get(start + WireFormat.FRAME_MAGIC);
        byte m1 = buf.get(start + WireFormat.FRAME_MAGIC + 1);
        if (m0 != 'W' || m1 != 'A') {
            throw error(
                    start,
                    null,
                    "expected magic 'WA' (0x57 0x41) but found " + hex(m0) + ' ' + hex(m1));
        }
        int version = buf.get(start + WireFormat.FRAME_VERSION) & 0xFF;
        if (version != PROTOCOL_VERSION) {
            throw error(
                    start,
                    null,
                    "expected protocol version "
                            + PROTOCOL_VERSION
                            + " but found "
                            + version
                            + " (this reader only knows version "
                            + PROTOCOL_VERSION
                            + " and asks the plugin for it with the option "
                            + WireFormat.FORMAT_VERSION_OPTION
                            + " = "
                            + PROTOCOL_VERSION
                            + "; a plugin that sends another version did not honour it:"
                            + " install the wal2arrow that matches the connector)");
        }
        byte kindByte = buf.get(start + WireFormat.FRAME_KIND);
        FrameKind kind = FrameKind.fromCode(kindByte);
        if (kind == null) {
            throw error(
                    start,
                    null,
                    "expected a frame kind B, S, R, C, T, M or K but found "
                            + hex(kindByte)
                            + printable(kindByte));
        }
        long headerLength = u32(buf, start + WireFormat.FRAME_HEADER_LENGTH);
        long minHeader = WireFormat.fixedHeaderLength(kind);
        if (headerLength < minHeader) {
            throw error(
                    start,
                    kind,
                    "expected a header length of at least "
                            + minHeader
                            + " bytes but found "
                            + headerLength);
        }
        if (headerLength > available) {
            throw error(
                    start,
                    kind,
                    "truncated frame: header length is "
                            + headerLength
                            + " bytes but only "
                            + available
                            + " bytes remain");
        }
        if (kind == FrameKind.ROWS) {
            long marks = u32(buf, start + WireFormat.ROWS_MARK_COUNT);
            long need = WireFormat.ROWS_H + WireFormat.MARK_SIZE * marks;
            if (headerLength < need) {
                throw error(
                        start,
                        kind,
                        "expected a header length of at least "
                                + need
                                + " bytes for "
                                + marks
                                + " value marks but found "
                                + headerLength);
            }
        }
        long bodyLength = buf.getLong(start + (int) headerLength - WireFormat.BODY_LENGTH_SIZE);
        if (bodyLength < 0 || bodyLength > available - headerLength) {
            throw error(
                    start,
                    kind,
                    "truncated frame: body length is "
                            + Long.toUnsignedString(bodyLength)
                            + " bytes but only "
                            + (available - headerLength)
                            + " bytes follow the "
                            + headerLength
                            + "-byte header");
        }
        int bodyStart = start + (int) headerLength;
        int end = bodyStart + (int) bodyLength;
        Frame frame;
        long rowsBefore = previousRowCount;
        previousRowCount = -1;
        try {
            frame = decodeKind(kind, buf, start, bodyStart, end, bodyLength, rowsBefore);
        } catch (FrameFormatException e) {
            throw e;
        } catch (RuntimeException e) {
            // A safety net: the checks should have refused the frame before anything threw.
            throw error(start, kind, "the frame does not decode: " + e, e);
        }
        if (frame instanceof RowsFrame) {
            previousRowCount = ((RowsFrame) frame).rowCount();
        }
        payload.position(end);
        return frame;
    }

    private Frame decodeKind(
            FrameKind kind,
            ByteBuffer buf,
            int start,
            int bodyStart,
            int end,
            long bodyLength,
            long rowsBefore) {
        switch (kind) {
            case BEGIN:
                requireNoBody(start, kind, bodyLength);
                return new BeginFrame(
                        u32(buf, start + WireFormat.BEGIN_XID),
                        buf.getLong(start + WireFormat.BEGIN_FINAL_LSN),
                        buf.getLong(start + WireFormat.BEGIN_COMMIT_TIME));
            case COMMIT:
                requireNoBody(start, kind, bodyLength);
                return new CommitFrame(
                        u32(buf, start + WireFormat.COMMIT_XID),
                        buf.getLong(start + WireFormat.COMMIT_LSN),
                        buf.getLong(start + WireFormat.COMMIT_END_LSN),
                        buf.getLong(start + WireFormat.COMMIT_TIME),
                        buf.getLong(start + WireFormat.COMMIT_ROWS));
            case SCHEMA:
                return decodeSchema(buf, start, bodyStart, end);
            case ROWS:
                return decodeRows(buf, start, bodyStart, end);
            case TRUNCATE:
                return decodeTruncate(buf, start, bodyStart, end);
            case MESSAGE:
                return decodeMessage(buf, start, bodyStart, end);
            case KEYS:
                return decodeKeys(buf, start, bodyStart, end, rowsBefore);
            default:
                throw new AssertionError(kind);
        }
    }

    /** The latest schema of a relation seen in this session, or {@code null}. */
    public RelationSchema schema(long relationOid) {
        SchemaEntry e = schemas.get(relationOid);
        return e == null ? null : e.schema;
    }

    /** Forgets every schema: call when a new decoding session (connection, SQL call) starts. */
    public void reset() {
        for (SchemaEntry e : schemas.values()) {
            e.retire();
        }
        schemas.clear();
        loader.reset();
        previousRowCount = -1;
    }

    /** Frees cached roots. Open {@link RowsFrame}s stay valid and free their root when closed. */
    @Override
    public void close() {
        closed = true;
        reset();
        loader.close();
    }

    private SchemaFrame decodeSchema(ByteBuffer buf, int start, int bodyStart, int end) {
        long oid = u32(buf, start + WireFormat.SCHEMA_RELID);
        int version = buf.getInt(start + WireFormat.SCHEMA_VERSION);
        Schema arrowSchema;
        try {
            arrowSchema = readSchemaMessage(buf, bodyStart, end);
        } catch (RuntimeException e) {
            throw error(
                    start,
                    FrameKind.SCHEMA,
                    "expected an Arrow IPC Schema message in the "
                            + (end - bodyStart)
                            + "-byte body (relation OID "
                            + oid
                            + ") but it does not parse: "
                            + e.getMessage(),
                    e);
        }
        RelationSchema schema;
        try {
            schema = RelationSchema.fromArrowSchema(arrowSchema, oid, version, source);
        } catch (RuntimeException e) {
            throw error(start, FrameKind.SCHEMA, e.getMessage(), e);
        }
        SchemaEntry previous = schemas.put(oid, new SchemaEntry(schema));
        if (previous != null) {
            previous.retire();
            loader.reset();
        }
        return new SchemaFrame(schema);
    }

    /**
     * The Schema message filling {@code buf[from, to)} exactly, its flatbuffer walked with bounds
     * (field count, nesting, bytes of names and metadata) before Arrow Java converts it: a
     * flatbuffer can point back at its own tables, so a few bytes could otherwise describe a schema
     * of billions of fields.
     */
    private static Schema readSchemaMessage(ByteBuffer buf, int from, int to) {
        int length = to - from;
        if (length < 8) {
            throw new IllegalArgumentException(
                    "expected at least 8 bytes (continuation marker"
                            + " and metadata length) but the body has "
                            + length);
        }
        if (buf.getInt(from) != -1) {
            throw new IllegalArgumentException("expected the continuation marker 0xFFFFFFFF");
        }
        int metadataLength = buf.getInt(from + 4);
        if (metadataLength != length - 8) {
            throw new IllegalArgumentException(
                    "expected a metadata length of "
                            + (length - 8)
                            + " (the rest of the body) but found "
                            + metadataLength);
        }
        ByteBuffer metadata = buf.duplicate();
        metadata.limit(to).position(from + 8);
        metadata = metadata.slice().order(ByteOrder.LITTLE_ENDIAN);
        Message message = Message.getRootAsMessage(metadata);
        if (message.headerType() != MessageHeader.Schema) {
            throw new IllegalArgumentException(
                    "expected a Schema message but the header type is " + message.headerType());
        }
        if (message.bodyLength() != 0) {
            throw new IllegalArgumentException(
                    "expected a Schema message without body but it claims "
                            + message.bodyLength()
                            + " bytes");
        }
        org.apache.arrow.flatbuf.Schema fb = new org.apache.arrow.flatbuf.Schema();
        if (message.header(fb) == null) {
            throw new IllegalArgumentException("the Schema message has no header");
        }
        SchemaBudget budget = new SchemaBudget(4L * metadataLength + 4096);
        budget.metadata(fb.customMetadataLength(), fb::customMetadata);
        for (int i = 0; i < fb.fieldsLength(); i++) {
            budget.field(fb.fields(i), 1);
        }
        return MessageSerializer.deserializeSchema(message);
    }

    /** Counts what a Schema flatbuffer would make Arrow Java build, refusing too much. */
    private static final class SchemaBudget {
        private long fields;
        private long bytes;
        private final long maxBytes;

        SchemaBudget(long maxBytes) {
            this.maxBytes = maxBytes;
        }

        void field(org.apache.arrow.flatbuf.Field f, int depth) {
            if (f == null) {
                throw new IllegalArgumentException("a field entry is missing");
            }
            if (++fields > MAX_SCHEMA_FIELDS) {
                throw new IllegalArgumentException(
                        "expected at most " + MAX_SCHEMA_FIELDS + " fields (nested included)");
            }
            if (depth > MAX_SCHEMA_DEPTH) {
                throw new IllegalArgumentException(
                        "expected fields nested at most " + MAX_SCHEMA_DEPTH + " deep");
            }
            if (f.dictionary() != null) {
                throw new IllegalArgumentException(
                        "field "
                                + fields
                                + " is dictionary-encoded, which wal2arrow does not write");
            }
            int children = f.childrenLength();
            boolean list = f.typeType() == Type.List;
            if (list ? children != 1 : children != 0) {
                throw new IllegalArgumentException(
                        "field "
                                + fields
                                + " has "
                                + children
                                + " children; wal2arrow writes one for a List and none otherwise");
            }
            string(f.nameAsByteBuffer());
            metadata(f.customMetadataLength(), f::customMetadata);
            for (int i = 0; i < children; i++) {
                field(f.children(i), depth + 1);
            }
        }

        void metadata(int count, IntFunction<KeyValue> entry) {
            for (int i = 0; i < count; i++) {
                KeyValue kv = entry.apply(i);
                if (kv == null) {
                    throw new IllegalArgumentException("a metadata entry is missing");
                }
                string(kv.keyAsByteBuffer());
                string(kv.valueAsByteBuffer());
            }
        }

        void string(ByteBuffer b) {
            bytes += 16 + (b == null ? 0 : b.remaining());
            if (bytes > maxBytes) {
                throw new IllegalArgumentException(
                        "names and metadata add up to more than "
                                + maxBytes
                                + " bytes: the flatbuffer repeats its own contents");
            }
        }
    }

    private RowsFrame decodeRows(ByteBuffer buf, int start, int bodyStart, int end) {
        long oid = u32(buf, start + WireFormat.ROWS_RELID);
        int version = buf.getInt(start + WireFormat.ROWS_SCHEMA_VERSION);
        long rowCount = u32(buf, start + WireFormat.ROWS_ROW_COUNT);
        int markCount = (int) u32(buf, start + WireFormat.ROWS_MARK_COUNT);
        long firstRowOrdinal = buf.getLong(start + WireFormat.ROWS_FIRST_ROW);
        SchemaEntry entry = schemas.get(oid);
        if (entry == null) {
            throw error(
                    start,
                    FrameKind.ROWS,
                    "expected an S frame for relation OID "
                            + oid
                            + " before its rows, but"
                            + " none was decoded in this session (rows claim schema version "
                            + Integer.toUnsignedString(version)
                            + ")");
        }
        RelationSchema schema = entry.schema;
        if (schema.schemaVersion() != version) {
            throw error(
                    start,
                    FrameKind.ROWS,
                    "expected schema version "
                            + Integer.toUnsignedString(schema.schemaVersion())
                            + " of relation OID "
                            + oid
                            + " ("
                            + schema.qualifiedName()
                            + ", the last S frame) but found version "
                            + Integer.toUnsignedString(version));
        }
        if (rowCount > Integer.MAX_VALUE) {
            throw error(
                    start,
                    FrameKind.ROWS,
                    "expected a row count up to " + Integer.MAX_VALUE + " but found " + rowCount);
        }
        long[] marks = readMarks(buf, start, markCount, (int) rowCount, schema.columnCount() + 1);
        VectorSchemaRoot root = loadRows(buf, start, bodyStart, end, schema, entry, rowCount);
        return new RowsFrame(
                schema, (int) rowCount, firstRowOrdinal, marks, root, source, entry::giveBack);
    }

    /** The batch loaded into a root of the entry's schema, checked by {@link RecordBatchLoader}. */
    private VectorSchemaRoot loadRows(
            ByteBuffer buf,
            int start,
            int bodyStart,
            int end,
            RelationSchema schema,
            SchemaEntry entry,
            long rowCount) {
        try {
            loader.open(buf, bodyStart, end);
        } catch (RecordBatchLoader.MalformedBatchException e) {
            throw notABatch(start, bodyStart, end, schema, e);
        }
        if (loader.rowCount() != rowCount) {
            throw rowCountMismatch(start, rowCount, loader.rowCount());
        }
        VectorSchemaRoot root = entry.takeRoot();
        try {
            loader.load(root);
            checkOps(start, schema, (TinyIntVector) root.getVector(0), (int) rowCount);
            for (RelationSchema.Column c : schema.columns()) {
                checkDecimals(start, schema, c, root.getVector(c.fieldIndex()));
            }
        } catch (FrameFormatException e) {
            closeQuietly(root);
            throw e;
        } catch (RuntimeException e) {
            closeQuietly(root);
            throw notLoadable(start, schema, e);
        }
        return root;
    }

    /**
     * Every Decimal128 value of the column (or of its list elements) has at most the field's
     * precision in digits: Arrow does not check it, and a value beyond it would be read as another
     * number (or a null) downstream.
     */
    private void checkDecimals(
            int start, RelationSchema schema, RelationSchema.Column column, FieldVector vector) {
        if (vector instanceof ListVector) {
            checkDecimals(start, schema, column, ((ListVector) vector).getDataVector());
            return;
        }
        if (!(vector instanceof DecimalVector)) {
            return;
        }
        DecimalVector d = (DecimalVector) vector;
        int precision = d.getPrecision();
        BigInteger bound = precision > 18 ? BigInteger.TEN.pow(precision) : null;
        long longBound = precision > 18 ? 0 : BigInteger.TEN.pow(precision).longValueExact();
        for (int i = 0; i < d.getValueCount(); i++) {
            if (d.isNull(i)) {
                continue;
            }
            long at = (long) i * DecimalVector.TYPE_WIDTH;
            long low = d.getDataBuffer().getLong(at);
            long high = d.getDataBuffer().getLong(at + 8);
            boolean fits =
                    bound == null
                            ? high == (low >> 63) && low < longBound && low > -longBound
                            : d.getObject(i).unscaledValue().abs().compareTo(bound) < 0;
            if (!fits) {
                throw error(
                        start,
                        FrameKind.ROWS,
                        "value "
                                + i
                                + " of column "
                                + column.name()
                                + " of "
                                + schema.qualifiedName()
                                + ": expected at most "
                                + precision
                                + " digits (Decimal128("
                                + precision
                                + ", "
                                + d.getScale()
                                + ")) but found the unscaled value "
                                + d.getObject(i).unscaledValue());
            }
        }
    }

    /** Every row's {@code __op} is a RowKind byte 0..3 (PROTOCOL.md 3.2), never null. */
    private void checkOps(int start, RelationSchema schema, TinyIntVector ops, int rows) {
        for (int r = 0; r < rows; r++) {
            if (ops.isNull(r) || ops.get(r) < 0 || ops.get(r) > 3) {
                throw error(
                        start,
                        FrameKind.ROWS,
                        "row "
                                + r
                                + " of "
                                + schema.qualifiedName()
                                + ": expected __op 0..3"
                                + " (+I, -U, +U, -D) but found "
                                + (ops.isNull(r) ? "null" : Byte.toString(ops.get(r))));
            }
        }
    }

    private FrameFormatException notABatch(
            int start, int bodyStart, int end, RelationSchema schema, Exception e) {
        return error(
                start,
                FrameKind.ROWS,
                "expected an Arrow IPC RecordBatch message in the "
                        + (end - bodyStart)
                        + "-byte body ("
                        + schema.qualifiedName()
                        + ") but it does not parse: "
                        + e.getMessage(),
                e);
    }

    private FrameFormatException rowCountMismatch(int start, long rowCount, long found) {
        return error(
                start,
                FrameKind.ROWS,
                "expected a RecordBatch of "
                        + rowCount
                        + " rows (the header's row count)"
                        + " but found "
                        + found);
    }

    private FrameFormatException notLoadable(int start, RelationSchema schema, Exception e) {
        return error(
                start,
                FrameKind.ROWS,
                "expected a RecordBatch matching schema version "
                        + Integer.toUnsignedString(schema.schemaVersion())
                        + " of "
                        + schema.qualifiedName()
                        + " ("
                        + (schema.columnCount() + 1)
                        + " fields) but loading it failed: "
                        + e.getMessage(),
                e);
    }

    private long[] readMarks(
            ByteBuffer buf, int start, int markCount, int rowCount, int fieldCount) {
        if (markCount == 0) {
            return null;
        }
        long[] marks = new long[markCount];
        long previous = -1;
        for (int i = 0; i < markCount; i++) {
            int at = start + WireFormat.ROWS_MARKS + WireFormat.MARK_SIZE * i;
            long row = u32(buf, at + WireFormat.MARK_ROW);
            int field = buf.getShort(at + WireFormat.MARK_COLUMN) & 0xFFFF;
            int kind = buf.getShort(at + WireFormat.MARK_KIND) & 0xFFFF;
            String which =
                    "value mark "
                            + i
                            + " {row "
                            + row
                            + ", column "
                            + field
                            + ", kind "
                            + kind
                            + "}";
            if (row >= rowCount) {
                throw error(
                        start,
                        FrameKind.ROWS,
                        which + ": expected a row below the row count " + rowCount);
            }
            if (field == 0 || field >= fieldCount) {
                throw error(
                        start,
                        FrameKind.ROWS,
                        which + ": expected a column between 1 and " + (fieldCount - 1));
            }
            if (ValueMark.fromCode(kind) == null) {
                throw error(
                        start,
                        FrameKind.ROWS,
                        which
                                + ": expected a kind 1..5 (unchanged TOAST, NaN, +Infinity,"
                                + " -Infinity, not representable)");
            }
            long packed = (row << 32) | ((long) field << 16) | kind;
            if ((packed & ~0xFFFFL) <= (previous & ~0xFFFFL) && previous >= 0) {
                throw error(
                        start,
                        FrameKind.ROWS,
                        which + ": expected marks sorted by row, then column, one per value");
            }
            marks[i] = packed;
            previous = packed;
        }
        return marks;
    }

    private TruncateFrame decodeTruncate(ByteBuffer buf, int start, int bodyStart, int end) {
        long flags = u32(buf, start + WireFormat.TRUNCATE_FLAGS);
        long count = u32(buf, start + WireFormat.TRUNCATE_COUNT);
        if (count > (end - bodyStart) / 12) {
            throw error(
                    start,
                    FrameKind.TRUNCATE,
                    "expected at most "
                            + (end - bodyStart) / 12
                            + " relation entries (12 bytes"
                            + " or more each) in the "
                            + (end - bodyStart)
                            + "-byte body but"
                            + " the header says "
                            + count);
        }
        List<TruncateFrame.TruncatedRelation> relations = new ArrayList<>((int) count);
        int pos = bodyStart;
        for (long i = 0; i < count; i++) {
            String which = "relation entry " + i + " of " + count;
            requireBody(start, pos, 4, end, which + " (OID)");
            long oid = u32(buf, pos);
            pos += 4;
            byte[] namespace = lengthPrefixed(buf, start, pos, end, which + " (namespace)");
            pos += 4 + namespace.length;
            byte[] name = lengthPrefixed(buf, start, pos, end, which + " (name)");
            pos += 4 + name.length;
            relations.add(
                    new TruncateFrame.TruncatedRelation(
                            oid,
                            new String(namespace, StandardCharsets.UTF_8),
                            new String(name, StandardCharsets.UTF_8)));
        }
        if (pos != end) {
            throw error(
                    start,
                    FrameKind.TRUNCATE,
                    "expected "
                            + count
                            + " relation entries to fill the "
                            + (end - bodyStart)
                            + "-byte body but "
                            + (end - pos)
                            + " bytes are left over");
        }
        return new TruncateFrame(
                relations,
                (flags & WireFormat.TRUNCATE_CASCADE) != 0,
                (flags & WireFormat.TRUNCATE_RESTART_IDENTITY) != 0);
    }

    private byte[] lengthPrefixed(ByteBuffer buf, int start, int pos, int end, String which) {
        requireBody(start, pos, 4, end, which + " length");
        long length = u32(buf, pos);
        requireBody(start, pos + 4, length, end, which);
        return bytes(buf, pos + 4, (int) length);
    }

    private void requireBody(int start, int pos, long length, int end, String which) {
        if (length > end - pos) {
            throw error(
                    start,
                    FrameKind.TRUNCATE,
                    "truncated body: "
                            + which
                            + " needs "
                            + length
                            + " bytes at offset "
                            + pos
                            + " but only "
                            + (end - pos)
                            + " remain in the body");
        }
    }

    private static byte[] bytes(ByteBuffer buf, int at, int length) {
        byte[] out = new byte[length];
        ByteBuffer view = buf.duplicate();
        view.position(at);
        view.get(out);
        return out;
    }

    private MessageFrame decodeMessage(ByteBuffer buf, int start, int bodyStart, int end) {
        long flags = u32(buf, start + WireFormat.MESSAGE_FLAGS);
        long xid = u32(buf, start + WireFormat.MESSAGE_XID);
        long lsn = buf.getLong(start + WireFormat.MESSAGE_LSN);
        long prefixLength = u32(buf, start + WireFormat.MESSAGE_PREFIX_LENGTH);
        long payloadLength = u32(buf, start + WireFormat.MESSAGE_PAYLOAD_LENGTH);
        if (prefixLength + payloadLength != end - bodyStart) {
            throw error(
                    start,
                    FrameKind.MESSAGE,
                    "expected a body of prefix length + payload length = "
                            + prefixLength
                            + " + "
                            + payloadLength
                            + " bytes but found "
                            + (end - bodyStart));
        }
        byte[] prefix = bytes(buf, bodyStart, (int) prefixLength);
        byte[] content = bytes(buf, bodyStart + (int) prefixLength, (int) payloadLength);
        return new MessageFrame(
                (flags & WireFormat.MESSAGE_TRANSACTIONAL) != 0, xid, lsn, prefix, content);
    }

    /**
     * {@code K}: R x K length-prefixed texts, R checked against the {@code R} frame just before it
     * and every length against the body before anything is allocated.
     */
    private KeysFrame decodeKeys(
            ByteBuffer buf, int start, int bodyStart, int end, long rowsBefore) {
        long rows = u32(buf, start + WireFormat.KEYS_ROW_COUNT);
        long columns = u32(buf, start + WireFormat.KEYS_COLUMN_COUNT);
        if (rowsBefore < 0) {
            throw error(
                    start,
                    FrameKind.KEYS,
                    "expected the K frame right after the R frame whose rows it describes, but"
                            + " the frame before it is no R frame");
        }
        if (rows != rowsBefore) {
            throw error(
                    start,
                    FrameKind.KEYS,
                    "expected keys of "
                            + rowsBefore
                            + " rows (the preceding R frame's row count) but the header says "
                            + rows);
        }
        long bodyLength = end - bodyStart;
        // Each value takes at least its 4-byte length: refuse counts the body cannot hold.
        if (columns != 0 && rows > bodyLength / 4 / columns) {
            throw error(
                    start,
                    FrameKind.KEYS,
                    "expected at most "
                            + bodyLength / 4
                            + " key values (4 bytes or more each) in the "
                            + bodyLength
                            + "-byte body but the header says "
                            + rows
                            + " rows x "
                            + columns
                            + " columns");
        }
        String[] values = new String[(int) (rows * columns)];
        int pos = bodyStart;
        for (int i = 0; i < values.length; i++) {
            if (end - pos < 4) {
                throw keysTruncated(start, i, rows, columns, 4, pos, end);
            }
            long length = u32(buf, pos);
            pos += 4;
            if (length == WireFormat.KEYS_NULL_LENGTH) {
                continue;
            }
            if (length > end - pos) {
                throw keysTruncated(start, i, rows, columns, length, pos, end);
            }
            values[i] = new String(bytes(buf, pos, (int) length), StandardCharsets.UTF_8);
            pos += (int) length;
        }
        if (pos != end) {
            throw error(
                    start,
                    FrameKind.KEYS,
                    "expected "
                            + rows
                            + " x "
                            + columns
                            + " key values to fill the "
                            + bodyLength
                            + "-byte body but "
                            + (end - pos)
                            + " bytes are left over");
        }
        return new KeysFrame((int) rows, (int) columns, values);
    }

    private FrameFormatException keysTruncated(
            int start, int value, long rows, long columns, long need, int pos, int end) {
        return error(
                start,
                FrameKind.KEYS,
                "truncated body: key value "
                        + value
                        + " (row "
                        + value / Math.max(1, columns)
                        + " of "
                        + rows
                        + ", column "
                        + value % Math.max(1, columns)
                        + " of "
                        + columns
                        + ") needs "
                        + need
                        + " bytes at offset "
                        + pos
                        + " but only "
                        + (end - pos)
                        + " remain in the body");
    }

    private void requireNoBody(int start, FrameKind kind, long bodyLength) {
        if (bodyLength != 0) {
            throw error(
                    start, kind, "expected body length 0 for this kind but found " + bodyLength);
        }
    }

    private FrameFormatException error(int offset, FrameKind kind, String what) {
        return error(offset, kind, what, null);
    }

    private FrameFormatException error(int offset, FrameKind kind, String what, Throwable cause) {
        String where =
                "wal2arrow "
                        + (kind == null
                                ? "frame"
                                : "'" + (char) kind.code() + "' (" + kind + ") frame")
                        + " from "
                        + source
                        + " at offset "
                        + offset
                        + ": ";
        return new FrameFormatException(where + what, cause);
    }

    private static long u32(ByteBuffer buf, int at) {
        return Integer.toUnsignedLong(buf.getInt(at));
    }

    private static String hex(byte b) {
        return String.format("0x%02X", b & 0xFF);
    }

    private static String printable(byte b) {
        return b >= 0x20 && b < 0x7F ? " ('" + (char) b + "')" : "";
    }

    private static void closeQuietly(VectorSchemaRoot root) {
        if (root != null) {
            root.close();
        }
    }

    /** A relation's current schema and one spare root to load its next batch into. */
    private final class SchemaEntry {
        final RelationSchema schema;
        private VectorSchemaRoot spare;
        private boolean retired;

        SchemaEntry(RelationSchema schema) {
            this.schema = schema;
        }

        VectorSchemaRoot takeRoot() {
            VectorSchemaRoot root = spare;
            spare = null;
            return root != null ? root : VectorSchemaRoot.create(schema.arrowSchema(), allocator);
        }

        /** Called by {@link RowsFrame#close()}: keeps one root for the next batch. */
        void giveBack(VectorSchemaRoot root) {
            root.clear();
            if (retired || spare != null) {
                root.close();
                return;
            }
            spare = root;
        }

        void retire() {
            retired = true;
            if (spare != null) {
                spare.close();
                spare = null;
            }
        }
    }
}
