package dev.pgarrowcdc.flink.source.reader.frame;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

import org.apache.arrow.flatbuf.Buffer;
import org.apache.arrow.flatbuf.FieldNode;
import org.apache.arrow.flatbuf.Message;
import org.apache.arrow.flatbuf.MessageHeader;
import org.apache.arrow.flatbuf.RecordBatch;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.BufferLayout;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.TypeLayout;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.message.ArrowFieldNode;
import org.apache.arrow.vector.types.pojo.Field;

/**
 * Loads an uncompressed Arrow IPC RecordBatch message into a {@link VectorSchemaRoot} without
 * Arrow's per-batch allocations; a compressed batch is left to Arrow's own reader.
 *
 * <p>Why not {@code MessageSerializer} + {@code VectorLoader}: they allocate a new body buffer
 * per batch, and a new validity buffer per column whose batch has no nulls (wal2arrow writes such
 * a validity buffer with length 0, PROTOCOL.md section 3) or only nulls. A one-row batch, which
 * every single-row transaction is, has only such columns: eleven native allocations and frees per
 * row of a ten-column table, which dominated the reader's time. Here the body is copied into one
 * buffer that is reused once no vector holds it any more, a missing validity buffer becomes a
 * slice of a shared all-valid (or all-null) buffer, and the vectors get slices of the body through
 * their public {@link FieldVector#loadFieldBuffers}, in the order {@code VectorLoader} uses (the
 * schema's fields depth first). Vectors only read the buffers they are given.
 *
 * <p>Errors: {@link MalformedBatchException} with what does not parse; what the vectors refuse
 * while loading surfaces as their own {@link RuntimeException}. Not thread safe (the decoder's
 * thread), except that vectors may release their slices on any thread.
 */
final class RecordBatchLoader implements AutoCloseable {

    private static final int CONTINUATION = 0xFFFFFFFF;
    /** Bounds the layout cache should a vector ever hand out new Field objects. */
    private static final int MAX_CACHED_LAYOUTS = 4096;

    private final BufferAllocator allocator;
    private final Message message = new Message();
    private final RecordBatch batch = new RecordBatch();
    private final FieldNode node = new FieldNode();
    private final Buffer buffer = new Buffer();
    private final List<ArrowBuf> ownBuffers = new ArrayList<>(3);
    /** Buffer layout per field of the schemas seen (a root's fields are the same objects). */
    private final Map<Field, List<BufferLayout.BufferType>> layouts = new IdentityHashMap<>();
    /** The body of the last batch; reused when no vector holds a slice of it any more. */
    private ArrowBuf body;
    /** 0xFF bytes: the validity of a column without nulls whose validity buffer is empty. */
    private ArrowBuf allValid;
    /** Zero bytes: the validity of an all-null column whose validity buffer is empty. */
    private ArrowBuf allNull;

    private ByteBuffer source;
    private int bodyStart;
    private int bodyLength;
    private int nodeIndex;
    private int bufferIndex;

    RecordBatchLoader(BufferAllocator allocator) {
        this.allocator = allocator;
    }

    /** A RecordBatch message that does not parse; the message says what was expected. */
    static final class MalformedBatchException extends RuntimeException {
        MalformedBatchException(String message) {
            super(message);
        }
    }

    /**
     * Reads the metadata of the encapsulated message in {@code buf} from {@code from} to {@code
     * to}.
     *
     * @return false when the batch is compressed: load it with Arrow's reader instead
     * @throws MalformedBatchException when the message is not a whole RecordBatch message
     */
    boolean open(ByteBuffer buf, int from, int to) {
        ByteBuffer in = buf.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        int at = from;
        if (to - at < 4) {
            throw new MalformedBatchException("Unexpected end of input: no message length");
        }
        int metadataLength = in.getInt(at);
        at += 4;
        if (metadataLength == CONTINUATION) {
            if (to - at < 4) {
                throw new MalformedBatchException("Unexpected end of input: no message length");
            }
            metadataLength = in.getInt(at);
            at += 4;
        }
        if (metadataLength <= 0 || metadataLength > to - at) {
            throw new MalformedBatchException("expected a metadata length between 1 and "
                    + (to - at) + " but found " + metadataLength);
        }
        ByteBuffer metadata = in.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        metadata.limit(at + metadataLength).position(at);
        try {
            Message.getRootAsMessage(metadata, message);
            if (message.headerType() != MessageHeader.RecordBatch) {
                throw new MalformedBatchException("Expected RecordBatch but header was "
                        + message.headerType());
            }
            message.header(batch);
            long length = message.bodyLength();
            bodyStart = at + metadataLength;
            if (length < 0 || length > to - bodyStart) {
                throw new MalformedBatchException("expected a body of " + length
                        + " bytes after the metadata but only " + (to - bodyStart) + " remain");
            }
            bodyLength = (int) length;
            if (batch.length() < 0 || batch.length() > Integer.MAX_VALUE) {
                throw new MalformedBatchException(
                        "expected a row count up to " + Integer.MAX_VALUE + " but found "
                                + batch.length());
            }
            source = in;
            return batch.compression() == null && batch.variadicBufferCountsLength() == 0;
        } catch (IndexOutOfBoundsException e) {
            throw new MalformedBatchException("the Message flatbuffer reads outside its "
                    + metadataLength + " bytes");
        }
    }

    /** Rows of the batch {@link #open}ed last. */
    long rowCount() {
        return batch.length();
    }

    /** Loads the batch {@link #open}ed last into {@code root}, whose schema must be the batch's. */
    void load(VectorSchemaRoot root) {
        ArrowBuf data = bodyBuffer(bodyLength);
        data.setBytes(0, source, bodyStart, bodyLength);
        nodeIndex = 0;
        bufferIndex = 0;
        if (layouts.size() > MAX_CACHED_LAYOUTS) {
            layouts.clear();
        }
        for (FieldVector vector : root.getFieldVectors()) {
            load(vector, vector.getField(), data);
        }
        root.setRowCount((int) batch.length());
        if (nodeIndex != batch.nodesLength() || bufferIndex != batch.buffersLength()) {
            throw new IllegalArgumentException("not all nodes and buffers were consumed: "
                    + nodeIndex + " of " + batch.nodesLength() + " nodes, " + bufferIndex
                    + " of " + batch.buffersLength() + " buffers");
        }
    }

    private void load(FieldVector vector, Field field, ArrowBuf data) {
        if (nodeIndex >= batch.nodesLength()) {
            throw new IllegalArgumentException("no more field nodes for field " + field);
        }
        batch.nodes(node, nodeIndex++);
        if (node.length() > Integer.MAX_VALUE || node.nullCount() > node.length()
                || node.length() < 0 || node.nullCount() < 0) {
            throw new IllegalArgumentException("field node of " + field + " has length "
                    + node.length() + " and null count " + node.nullCount());
        }
        int length = (int) node.length();
        int nullCount = (int) node.nullCount();
        List<BufferLayout.BufferType> layout = layouts.computeIfAbsent(field,
                f -> TypeLayout.getTypeLayout(f.getType()).getBufferTypes());
        ownBuffers.clear();
        for (int i = 0; i < layout.size(); i++) {
            if (bufferIndex >= batch.buffersLength()) {
                throw new IllegalArgumentException(
                        "no more buffers for field " + field + ". Expected " + layout.size());
            }
            batch.buffers(buffer, bufferIndex++);
            long offset = buffer.offset();
            long size = buffer.length();
            if (offset < 0 || size < 0 || offset > bodyLength - size) {
                throw new IllegalArgumentException("buffer " + (bufferIndex - 1) + " of field "
                        + field + " spans bytes " + offset + " to " + (offset + size)
                        + " of a " + bodyLength + "-byte body");
            }
            ArrowBuf slice = data.slice(offset, size);
            if (slice.capacity() == 0 && layout.get(i) == BufferLayout.BufferType.VALIDITY) {
                if (nullCount == 0) {
                    slice = validity(true, length);
                } else if (nullCount == length) {
                    slice = validity(false, length);
                }
            }
            ownBuffers.add(slice);
        }
        vector.loadFieldBuffers(new ArrowFieldNode(length, nullCount), ownBuffers);
        List<Field> children = field.getChildren();
        if (!children.isEmpty()) {
            List<FieldVector> childVectors = vector.getChildrenFromFields();
            if (children.size() != childVectors.size()) {
                throw new IllegalArgumentException("should have as many children as in the schema:"
                        + " found " + childVectors.size() + " expected " + children.size());
            }
            for (int i = 0; i < children.size(); i++) {
                load(childVectors.get(i), children.get(i), data);
            }
        }
    }

    private ArrowBuf bodyBuffer(int length) {
        // Reference count 1: only this loader holds it, no vector reads it any more.
        if (body != null && body.getReferenceManager().getRefCount() == 1
                && body.capacity() >= length) {
            return body;
        }
        if (body != null) {
            body.getReferenceManager().release();
        }
        long capacity = Math.max(length, body == null ? 1024 : body.capacity());
        body = allocator.buffer(capacity);
        return body;
    }

    private ArrowBuf validity(boolean valid, int rows) {
        int bytes = (rows + 7) / 8;
        ArrowBuf shared = valid ? allValid : allNull;
        if (shared == null || shared.capacity() < bytes) {
            if (shared != null) {
                shared.getReferenceManager().release();
            }
            shared = allocator.buffer(Math.max(bytes, 1024));
            if (valid) {
                shared.setOne(0, shared.capacity());
                allValid = shared;
            } else {
                shared.setZero(0, shared.capacity());
                allNull = shared;
            }
        }
        return shared.slice(0, bytes);
    }

    /** Forgets the layouts of schemas no longer in use (a new session). */
    void reset() {
        layouts.clear();
    }

    /** Drops this loader's references; vectors still holding slices keep them alive. */
    @Override
    public void close() {
        layouts.clear();
        for (ArrowBuf b : new ArrowBuf[] {body, allValid, allNull}) {
            if (b != null) {
                b.getReferenceManager().release();
            }
        }
        body = null;
        allValid = null;
        allNull = null;
    }
}
