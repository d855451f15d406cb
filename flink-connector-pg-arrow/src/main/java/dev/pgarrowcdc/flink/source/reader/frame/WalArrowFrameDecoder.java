package dev.pgarrowcdc.flink.source.reader.frame;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;

import org.apache.arrow.compression.CommonsCompressionFactory;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.VectorLoader;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ReadChannel;
import org.apache.arrow.vector.ipc.message.ArrowRecordBatch;
import org.apache.arrow.vector.ipc.message.MessageSerializer;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * Decodes wal2arrow frames (wal2arrow/PROTOCOL.md, version 1) into {@link Frame}s.
 *
 * <p>A message (one CopyData payload, or one row of {@code pg_logical_slot_get_binary_changes})
 * holds one or more whole frames: {@link #decodeAll(ByteBuffer)} returns them all, {@link
 * #decode(ByteBuffer)} returns the one at the buffer's position and moves the position past it.
 *
 * <p>The decoder is the state of one decoding session: it remembers each relation's latest
 * {@code S} frame (schema versions are only meaningful within a session, so make a new decoder,
 * or call {@link #reset()}, on every new replication connection or SQL call). An {@code R} frame
 * is read into a {@link VectorSchemaRoot} owned by the returned {@link RowsFrame}; closing the
 * frame hands the root back so the next batch of the same schema reuses its vectors.
 *
 * <p>Not thread safe, except that {@link RowsFrame#close()} may be called from any thread.
 * Frames that are not whole, not version 1 or otherwise malformed raise {@link
 * FrameFormatException} naming the source, the frame kind and offset, and what was expected.
 */
public final class WalArrowFrameDecoder implements AutoCloseable {

    /** The only protocol version this decoder reads. */
    public static final int PROTOCOL_VERSION = 1;

    static final int COMMON_HEADER_LENGTH = 8;
    static final int BEGIN_HEADER_LENGTH = 40;
    static final int COMMIT_HEADER_LENGTH = 56;
    static final int SCHEMA_HEADER_LENGTH = 24;
    static final int ROWS_HEADER_BASE_LENGTH = 40;
    static final int TRUNCATE_HEADER_LENGTH = 24;
    static final int MESSAGE_HEADER_LENGTH = 40;
    static final int MARK_SIZE = 8;

    private final BufferAllocator allocator;
    private final String source;
    private final Map<Long, SchemaEntry> schemas = new HashMap<>();
    private final RecordBatchLoader loader;
    private volatile boolean closed;

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
        if (available < COMMON_HEADER_LENGTH) {
            throw error(start, null,
                    "truncated frame: expected at least " + COMMON_HEADER_LENGTH
                            + " header bytes but found " + available);
        }
        byte m0 = buf.get(start);
        byte m1 = buf.get(start + 1);
        if (m0 != 'W' || m1 != 'A') {
            throw error(start, null,
                    "expected magic 'WA' (0x57 0x41) but found " + hex(m0) + ' ' + hex(m1));
        }
        int version = buf.get(start + 2) & 0xFF;
        if (version != PROTOCOL_VERSION) {
            throw error(start, null,
                    "expected protocol version " + PROTOCOL_VERSION + " but found " + version
                            + " (this reader only knows version " + PROTOCOL_VERSION
                            + "; ask the plugin for format_version '" + PROTOCOL_VERSION
                            + "' or upgrade the connector)");
        }
        byte kindByte = buf.get(start + 3);
        FrameKind kind = FrameKind.fromCode(kindByte);
        if (kind == null) {
            throw error(start, null,
                    "expected a frame kind B, S, R, C, T or M but found " + hex(kindByte)
                            + printable(kindByte));
        }
        long headerLength = Integer.toUnsignedLong(buf.getInt(start + 4));
        long minHeader = minimumHeaderLength(kind, buf, start, available);
        if (headerLength < minHeader) {
            throw error(start, kind,
                    "expected a header length of at least " + minHeader + " bytes but found "
                            + headerLength);
        }
        if (headerLength > available) {
            throw error(start, kind,
                    "truncated frame: header length is " + headerLength + " bytes but only "
                            + available + " bytes remain");
        }
        long bodyLength = buf.getLong(start + (int) headerLength - 8);
        if (bodyLength < 0 || bodyLength > available - headerLength) {
            throw error(start, kind,
                    "truncated frame: body length is " + Long.toUnsignedString(bodyLength)
                            + " bytes but only " + (available - headerLength)
                            + " bytes follow the " + headerLength + "-byte header");
        }
        int bodyStart = start + (int) headerLength;
        int end = bodyStart + (int) bodyLength;
        Frame frame;
        switch (kind) {
            case BEGIN:
                requireNoBody(start, kind, bodyLength);
                frame = new BeginFrame(
                        u32(buf, start + 8), buf.getLong(start + 16), buf.getLong(start + 24));
                break;
            case COMMIT:
                requireNoBody(start, kind, bodyLength);
                frame = new CommitFrame(
                        u32(buf, start + 8),
                        buf.getLong(start + 16),
                        buf.getLong(start + 24),
                        buf.getLong(start + 32),
                        buf.getLong(start + 40));
                break;
            case SCHEMA:
                frame = decodeSchema(buf, start, bodyStart, end);
                break;
            case ROWS:
                frame = decodeRows(buf, start, bodyStart, end);
                break;
            case TRUNCATE:
                frame = decodeTruncate(buf, start, bodyStart, end);
                break;
            case MESSAGE:
                frame = decodeMessage(buf, start, bodyStart, end);
                break;
            default:
                throw new AssertionError(kind);
        }
        payload.position(end);
        return frame;
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
    }

    /** Frees cached roots. Open {@link RowsFrame}s stay valid and free their root when closed. */
    @Override
    public void close() {
        closed = true;
        reset();
        loader.close();
    }

    private long minimumHeaderLength(FrameKind kind, ByteBuffer buf, int start, int available) {
        switch (kind) {
            case BEGIN:
                return BEGIN_HEADER_LENGTH;
            case COMMIT:
                return COMMIT_HEADER_LENGTH;
            case SCHEMA:
                return SCHEMA_HEADER_LENGTH;
            case TRUNCATE:
                return TRUNCATE_HEADER_LENGTH;
            case MESSAGE:
                return MESSAGE_HEADER_LENGTH;
            case ROWS:
                if (available < 24) {
                    throw error(start, kind,
                            "truncated frame: expected at least 24 bytes to read the mark count"
                                    + " but found " + available);
                }
                return ROWS_HEADER_BASE_LENGTH + MARK_SIZE * u32(buf, start + 20);
            default:
                throw new AssertionError(kind);
        }
    }

    private SchemaFrame decodeSchema(ByteBuffer buf, int start, int bodyStart, int end) {
        long oid = u32(buf, start + 8);
        int version = buf.getInt(start + 12);
        Schema arrowSchema;
        try {
            arrowSchema = MessageSerializer.deserializeSchema(readChannel(buf, bodyStart, end));
        } catch (IOException | RuntimeException e) {
            throw error(start, FrameKind.SCHEMA,
                    "expected an Arrow IPC Schema message in the " + (end - bodyStart)
                            + "-byte body (relation OID " + oid + ") but it does not parse: "
                            + e.getMessage(),
                    e);
        }
        RelationSchema schema;
        try {
            schema = RelationSchema.fromArrowSchema(arrowSchema, oid, version, source);
        } catch (FrameFormatException e) {
            throw error(start, FrameKind.SCHEMA, e.getMessage(), e);
        }
        SchemaEntry previous = schemas.put(oid, new SchemaEntry(schema));
        if (previous != null) {
            previous.retire();
            loader.reset();
        }
        return new SchemaFrame(schema);
    }

    private RowsFrame decodeRows(ByteBuffer buf, int start, int bodyStart, int end) {
        long oid = u32(buf, start + 8);
        int version = buf.getInt(start + 12);
        long rowCount = u32(buf, start + 16);
        int markCount = (int) u32(buf, start + 20);
        long firstRowOrdinal = buf.getLong(start + 24);
        SchemaEntry entry = schemas.get(oid);
        if (entry == null) {
            throw error(start, FrameKind.ROWS,
                    "expected an S frame for relation OID " + oid + " before its rows, but"
                            + " none was decoded in this session (rows claim schema version "
                            + Integer.toUnsignedString(version) + ")");
        }
        RelationSchema schema = entry.schema;
        if (schema.schemaVersion() != version) {
            throw error(start, FrameKind.ROWS,
                    "expected schema version " + Integer.toUnsignedString(schema.schemaVersion())
                            + " of relation OID " + oid + " (" + schema.qualifiedName()
                            + ", the last S frame) but found version "
                            + Integer.toUnsignedString(version));
        }
        if (rowCount > Integer.MAX_VALUE) {
            throw error(start, FrameKind.ROWS,
                    "expected a row count up to " + Integer.MAX_VALUE + " but found " + rowCount);
        }
        long[] marks = readMarks(buf, start, markCount, (int) rowCount,
                schema.columnCount() + 1);
        VectorSchemaRoot root = loadRows(buf, start, bodyStart, end, schema, entry, rowCount);
        return new RowsFrame(schema, (int) rowCount, firstRowOrdinal, marks, root, source,
                entry::giveBack);
    }

    /**
     * The batch loaded into a root of the entry's schema: by {@link RecordBatchLoader} unless it is
     * compressed, then by Arrow's own reader (decompression allocates anyway).
     */
    private VectorSchemaRoot loadRows(ByteBuffer buf, int start, int bodyStart, int end,
            RelationSchema schema, SchemaEntry entry, long rowCount) {
        boolean plain;
        try {
            plain = loader.open(buf, bodyStart, end);
        } catch (RecordBatchLoader.MalformedBatchException e) {
            throw notABatch(start, bodyStart, end, schema, e);
        }
        if (!plain) {
            return loadWithArrowReader(buf, start, bodyStart, end, schema, entry, rowCount);
        }
        if (loader.rowCount() != rowCount) {
            throw rowCountMismatch(start, rowCount, loader.rowCount());
        }
        VectorSchemaRoot root = entry.takeRoot();
        try {
            loader.load(root);
        } catch (RuntimeException e) {
            closeQuietly(root);
            throw notLoadable(start, schema, e);
        }
        return root;
    }

    private VectorSchemaRoot loadWithArrowReader(ByteBuffer buf, int start, int bodyStart, int end,
            RelationSchema schema, SchemaEntry entry, long rowCount) {
        ArrowRecordBatch batch;
        try {
            batch = MessageSerializer.deserializeRecordBatch(readChannel(buf, bodyStart, end),
                    allocator);
        } catch (IOException | RuntimeException e) {
            throw notABatch(start, bodyStart, end, schema, e);
        }
        VectorSchemaRoot root = null;
        try {
            if (batch.getLength() != rowCount) {
                throw rowCountMismatch(start, rowCount, batch.getLength());
            }
            root = entry.takeRoot();
            new VectorLoader(root, CommonsCompressionFactory.INSTANCE).load(batch);
        } catch (FrameFormatException e) {
            closeQuietly(root);
            throw e;
        } catch (RuntimeException e) {
            closeQuietly(root);
            throw notLoadable(start, schema, e);
        } finally {
            batch.close();
        }
        return root;
    }

    private FrameFormatException notABatch(int start, int bodyStart, int end, RelationSchema schema,
            Exception e) {
        return error(start, FrameKind.ROWS,
                "expected an Arrow IPC RecordBatch message in the " + (end - bodyStart)
                        + "-byte body (" + schema.qualifiedName() + ") but it does not parse: "
                        + e.getMessage(),
                e);
    }

    private FrameFormatException rowCountMismatch(int start, long rowCount, long found) {
        return error(start, FrameKind.ROWS,
                "expected a RecordBatch of " + rowCount + " rows (the header's row count)"
                        + " but found " + found);
    }

    private FrameFormatException notLoadable(int start, RelationSchema schema, Exception e) {
        return error(start, FrameKind.ROWS,
                "expected a RecordBatch matching schema version "
                        + Integer.toUnsignedString(schema.schemaVersion()) + " of "
                        + schema.qualifiedName() + " (" + (schema.columnCount() + 1)
                        + " fields) but loading it failed: " + e.getMessage(),
                e);
    }

    private long[] readMarks(ByteBuffer buf, int start, int markCount, int rowCount,
            int fieldCount) {
        if (markCount == 0) {
            return null;
        }
        long[] marks = new long[markCount];
        long previous = -1;
        for (int i = 0; i < markCount; i++) {
            int at = start + 32 + MARK_SIZE * i;
            long row = u32(buf, at);
            int field = buf.getShort(at + 4) & 0xFFFF;
            int kind = buf.getShort(at + 6) & 0xFFFF;
            String which = "value mark " + i + " {row " + row + ", column " + field + ", kind "
                    + kind + "}";
            if (row >= rowCount) {
                throw error(start, FrameKind.ROWS,
                        which + ": expected a row below the row count " + rowCount);
            }
            if (field == 0 || field >= fieldCount) {
                throw error(start, FrameKind.ROWS,
                        which + ": expected a column between 1 and " + (fieldCount - 1));
            }
            if (ValueMark.fromCode(kind) == null) {
                throw error(start, FrameKind.ROWS,
                        which + ": expected a kind 1..5 (unchanged TOAST, NaN, +Infinity,"
                                + " -Infinity, not representable)");
            }
            long packed = (row << 32) | ((long) field << 16) | kind;
            if ((packed & ~0xFFFFL) <= (previous & ~0xFFFFL) && previous >= 0) {
                throw error(start, FrameKind.ROWS,
                        which + ": expected marks sorted by row, then column, one per value");
            }
            marks[i] = packed;
            previous = packed;
        }
        return marks;
    }

    private TruncateFrame decodeTruncate(ByteBuffer buf, int start, int bodyStart, int end) {
        long flags = u32(buf, start + 8);
        long count = u32(buf, start + 12);
        List<TruncateFrame.TruncatedRelation> relations = new ArrayList<>();
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
            relations.add(new TruncateFrame.TruncatedRelation(oid,
                    new String(namespace, StandardCharsets.UTF_8),
                    new String(name, StandardCharsets.UTF_8)));
        }
        if (pos != end) {
            throw error(start, FrameKind.TRUNCATE,
                    "expected " + count + " relation entries to fill the " + (end - bodyStart)
                            + "-byte body but " + (end - pos) + " bytes are left over");
        }
        return new TruncateFrame(relations, (flags & 1) != 0, (flags & 2) != 0);
    }

    private byte[] lengthPrefixed(ByteBuffer buf, int start, int pos, int end, String which) {
        requireBody(start, pos, 4, end, which + " length");
        long length = u32(buf, pos);
        requireBody(start, pos + 4, length, end, which);
        return bytes(buf, pos + 4, (int) length);
    }

    private void requireBody(int start, int pos, long length, int end, String which) {
        if (length > end - pos) {
            throw error(start, FrameKind.TRUNCATE,
                    "truncated body: " + which + " needs " + length + " bytes at offset " + pos
                            + " but only " + (end - pos) + " remain in the body");
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
        long flags = u32(buf, start + 8);
        long xid = u32(buf, start + 12);
        long lsn = buf.getLong(start + 16);
        long prefixLength = u32(buf, start + 24);
        long payloadLength = u32(buf, start + 28);
        if (prefixLength + payloadLength != end - bodyStart) {
            throw error(start, FrameKind.MESSAGE,
                    "expected a body of prefix length + payload length = " + prefixLength + " + "
                            + payloadLength + " bytes but found " + (end - bodyStart));
        }
        byte[] prefix = bytes(buf, bodyStart, (int) prefixLength);
        byte[] content = bytes(buf, bodyStart + (int) prefixLength, (int) payloadLength);
        return new MessageFrame((flags & 1) != 0, xid, lsn, prefix, content);
    }

    private void requireNoBody(int start, FrameKind kind, long bodyLength) {
        if (bodyLength != 0) {
            throw error(start, kind,
                    "expected body length 0 for this kind but found " + bodyLength);
        }
    }

    private static ReadChannel readChannel(ByteBuffer buf, int from, int to) {
        ByteBuffer body = buf.duplicate();
        body.limit(to);
        body.position(from);
        return new ReadChannel(new ByteBufferChannel(body));
    }

    private FrameFormatException error(int offset, FrameKind kind, String what) {
        return error(offset, kind, what, null);
    }

    private FrameFormatException error(int offset, FrameKind kind, String what, Throwable cause) {
        String where = "wal2arrow "
                + (kind == null ? "frame" : "'" + (char) kind.code() + "' (" + kind + ") frame")
                + " from " + source + " at offset " + offset + ": ";
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
        private final AtomicReference<VectorSchemaRoot> spare = new AtomicReference<>();
        private volatile boolean retired;

        SchemaEntry(RelationSchema schema) {
            this.schema = schema;
        }

        VectorSchemaRoot takeRoot() {
            VectorSchemaRoot root = spare.getAndSet(null);
            return root != null ? root : VectorSchemaRoot.create(schema.arrowSchema(), allocator);
        }

        /** Called by {@link RowsFrame#close()}, possibly on another thread. */
        void giveBack(VectorSchemaRoot root) {
            root.clear();
            if (retired || !spare.compareAndSet(null, root)) {
                root.close();
                return;
            }
            if (retired) {
                // retire() ran between the check and the swap: it may have missed this root.
                VectorSchemaRoot late = spare.getAndSet(null);
                if (late != null) {
                    late.close();
                }
            }
        }

        void retire() {
            retired = true;
            VectorSchemaRoot root = spare.getAndSet(null);
            if (root != null) {
                root.close();
            }
        }
    }
}
