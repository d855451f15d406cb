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

import org.apache.arrow.flatbuf.BodyCompression;
import org.apache.arrow.flatbuf.BodyCompressionMethod;
import org.apache.arrow.flatbuf.Buffer;
import org.apache.arrow.flatbuf.CompressionType;
import org.apache.arrow.flatbuf.FieldNode;
import org.apache.arrow.flatbuf.Message;
import org.apache.arrow.flatbuf.MessageHeader;
import org.apache.arrow.flatbuf.RecordBatch;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.BaseFixedWidthVector;
import org.apache.arrow.vector.BaseVariableWidthVector;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.BufferLayout;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.TypeLayout;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.complex.ListVector;
import org.apache.arrow.vector.ipc.message.ArrowFieldNode;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.commons.compress.compressors.lz4.FramedLZ4CompressorInputStream;
import org.apache.commons.compress.compressors.zstandard.ZstdCompressorInputStream;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Loads an Arrow IPC RecordBatch message (PROTOCOL.md section 3, plain or compressed) into a {@link
 * VectorSchemaRoot}, checking everything the message claims against what arrived.
 *
 * <p>Why not {@code MessageSerializer} + {@code VectorLoader}: they allocate a new body buffer per
 * batch, and a new validity buffer per column whose batch has no nulls (wal2arrow writes such a
 * validity buffer with length 0) or only nulls. A one-row batch, which every single-row transaction
 * is, has only such columns: eleven native allocations and frees per row of a ten-column table,
 * which dominated the reader's time. Here the body is copied into one buffer that is reused once no
 * vector holds it any more, a missing validity buffer becomes a slice of a shared all-valid (or
 * all-null) buffer, and the vectors get slices of the body through their public {@link
 * FieldVector#loadFieldBuffers}, in the order {@code VectorLoader} uses (the schema's fields depth
 * first).
 *
 * <p>Why not trust the message: Arrow's loaders check little. Before a vector sees a buffer, this
 * loader checks that every field node's length matches the batch (top level) or the parent's
 * offsets (list elements), that each buffer lies inside the body and holds at least what the node
 * length needs for the vector's type, that offsets start at 0 or more, never decrease and end
 * inside their data, and, for a compressed buffer, that its claimed uncompressed length is what the
 * node needs (so a length field never makes it allocate more than the batch can hold) and that the
 * codec produces exactly that many bytes. Types other than those wal2arrow writes are refused.
 *
 * <p>Errors: {@link MalformedBatchException} saying what does not hold. Not thread safe.
 */
final class RecordBatchLoader implements AutoCloseable {

    private static final int CONTINUATION = 0xFFFFFFFF;

    /** Bounds the layout cache should a vector ever hand out new Field objects. */
    private static final int MAX_CACHED_LAYOUTS = 4096;

    /** Bytes a writer may add after what a compressed buffer needs (padding). */
    private static final long COMPRESSED_SLACK = 64;

    /** Consecutive reads that return nothing before a codec stream is called stuck. */
    private static final int MAX_EMPTY_READS = 1024;

    /** Lists inside lists: wal2arrow writes one level; more is refused. */
    private static final int MAX_DEPTH = 8;

    private static final int CODEC_NONE = -1;

    private final BufferAllocator allocator;
    private final Message message = new Message();
    private final RecordBatch batch = new RecordBatch();
    private final FieldNode node = new FieldNode();
    private final Buffer buffer = new Buffer();
    private final List<ArrowBuf> ownBuffers = new ArrayList<>(3);

    /** Decompressed buffers of the batch being loaded: the vectors retain what they keep. */
    private final List<ArrowBuf> decompressed = new ArrayList<>();

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
    private int codec;
    private int nodeIndex;
    private int bufferIndex;

    RecordBatchLoader(BufferAllocator allocator) {
        this.allocator = allocator;
    }

    /** A RecordBatch message that does not hold what it claims; the message says what. */
    static final class MalformedBatchException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        MalformedBatchException(String message) {
            super(message);
        }

        MalformedBatchException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /**
     * Reads the metadata of the encapsulated message in {@code buf} from {@code from} to {@code
     * to}: a RecordBatch whose body lies within {@code to}.
     *
     * @throws MalformedBatchException when the message is not a whole RecordBatch message
     */
    void open(ByteBuffer buf, int from, int to) {
        ByteBuffer in = buf.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        int at = from;
        if (to - at < 8) {
            throw new MalformedBatchException(
                    "expected at least 8 bytes (continuation marker and metadata length) but the"
                            + " body has "
                            + (to - at));
        }
        int marker = in.getInt(at);
        if (marker != CONTINUATION) {
            throw new MalformedBatchException(
                    "expected the continuation marker 0xFFFFFFFF but found 0x"
                            + Integer.toHexString(marker).toUpperCase(java.util.Locale.ROOT));
        }
        int metadataLength = in.getInt(at + 4);
        at += 8;
        if (metadataLength <= 0 || metadataLength > to - at) {
            throw new MalformedBatchException(
                    "expected a metadata length between 1 and "
                            + (to - at)
                            + " but found "
                            + metadataLength);
        }
        // A slice: the flatbuffer cannot reach bytes before or after its own.
        ByteBuffer metadata = in.duplicate();
        metadata.limit(at + metadataLength).position(at);
        metadata = metadata.slice().order(ByteOrder.LITTLE_ENDIAN);
        try {
            Message.getRootAsMessage(metadata, message);
            if (message.headerType() != MessageHeader.RecordBatch) {
                throw new MalformedBatchException(
                        "expected a RecordBatch message but the header"
                                + " type is "
                                + message.headerType());
            }
            if (message.header(batch) == null) {
                throw new MalformedBatchException("the RecordBatch message has no header");
            }
            long length = message.bodyLength();
            bodyStart = at + metadataLength;
            if (length < 0 || length > to - bodyStart) {
                throw new MalformedBatchException(
                        "expected a body of "
                                + length
                                + " bytes after the metadata but only "
                                + (to - bodyStart)
                                + " remain");
            }
            bodyLength = (int) length;
            if (batch.length() < 0 || batch.length() > Integer.MAX_VALUE) {
                throw new MalformedBatchException(
                        "expected a row count up to "
                                + Integer.MAX_VALUE
                                + " but found "
                                + batch.length());
            }
            if (batch.variadicBufferCountsLength() != 0) {
                throw new MalformedBatchException(
                        "expected no variadic buffers (wal2arrow writes no view types)");
            }
            BodyCompression compression = batch.compression();
            if (compression == null) {
                codec = CODEC_NONE;
            } else {
                if (compression.method() != BodyCompressionMethod.BUFFER) {
                    throw new MalformedBatchException(
                            "expected compression method BUFFER but found " + compression.method());
                }
                codec = compression.codec();
                if (codec != CompressionType.LZ4_FRAME && codec != CompressionType.ZSTD) {
                    throw new MalformedBatchException(
                            "expected codec LZ4_FRAME or ZSTD but found " + codec);
                }
            }
            source = in;
        } catch (MalformedBatchException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new MalformedBatchException(
                    "the Message flatbuffer does not parse within its "
                            + metadataLength
                            + " bytes: "
                            + e,
                    e);
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
        try {
            int rows = (int) batch.length();
            for (FieldVector vector : root.getFieldVectors()) {
                load(vector, vector.getField(), data, rows, 0);
            }
            root.setRowCount(rows);
            if (nodeIndex != batch.nodesLength() || bufferIndex != batch.buffersLength()) {
                throw new MalformedBatchException(
                        "expected "
                                + nodeIndex
                                + " field nodes and "
                                + bufferIndex
                                + " buffers (the schema's) but the batch has "
                                + batch.nodesLength()
                                + " and "
                                + batch.buffersLength());
            }
        } catch (MalformedBatchException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new MalformedBatchException("the RecordBatch does not load: " + e, e);
        } finally {
            for (ArrowBuf b : decompressed) {
                b.getReferenceManager().release();
            }
            decompressed.clear();
        }
    }

    /** How a vector lays out its values, for the size checks. */
    private enum Shape {
        FIXED,
        BITS,
        VARIABLE,
        LIST
    }

    private static Shape shapeOf(FieldVector vector) {
        if (vector instanceof BitVector) {
            return Shape.BITS;
        }
        if (vector instanceof BaseFixedWidthVector) {
            return Shape.FIXED;
        }
        if (vector instanceof BaseVariableWidthVector) {
            return Shape.VARIABLE;
        }
        if (vector instanceof ListVector) {
            return Shape.LIST;
        }
        return null;
    }

    /**
     * Loads one field (and its children) whose node must have {@code expectedLength} values, or at
     * least that many for list elements ({@code -1}: any).
     */
    private void load(
            FieldVector vector, Field field, ArrowBuf data, long expectedLength, int depth) {
        String what = "field '" + field.getName() + "'";
        Shape shape = shapeOf(vector);
        if (shape == null || depth > MAX_DEPTH) {
            throw new MalformedBatchException(
                    what
                            + " has Arrow type "
                            + field.getType()
                            + ", which wal2arrow does not write");
        }
        if (nodeIndex >= batch.nodesLength()) {
            throw new MalformedBatchException(
                    "expected a field node for "
                            + what
                            + " but the"
                            + " batch has only "
                            + batch.nodesLength());
        }
        batch.nodes(node, nodeIndex++);
        long nodeLength = node.length();
        long nodeNulls = node.nullCount();
        if (nodeLength < 0
                || nodeLength > Integer.MAX_VALUE
                || nodeNulls < 0
                || nodeNulls > nodeLength) {
            throw new MalformedBatchException(
                    "field node of "
                            + what
                            + " has length "
                            + nodeLength
                            + " and null count "
                            + nodeNulls);
        }
        if (depth == 0 ? nodeLength != expectedLength : nodeLength < expectedLength) {
            throw new MalformedBatchException(
                    "expected "
                            + what
                            + " to hold "
                            + (depth == 0 ? "" : "at least ")
                            + expectedLength
                            + " values but its field"
                            + " node says "
                            + nodeLength);
        }
        int length = (int) nodeLength;
        int nullCount = (int) nodeNulls;
        List<BufferLayout.BufferType> layout =
                layouts.computeIfAbsent(
                        field, f -> TypeLayout.getTypeLayout(f.getType()).getBufferTypes());
        int expectedBuffers = shape == Shape.VARIABLE ? 3 : 2;
        if (layout.size() != expectedBuffers) {
            throw new MalformedBatchException(
                    what
                            + " has Arrow type "
                            + field.getType()
                            + ", which wal2arrow does not write");
        }
        ownBuffers.clear();
        long validityBytes = (length + 7L) / 8;
        long offsetBytes = length == 0 ? 0 : (length + 1L) * 4;
        // validity
        ArrowBuf validity = nextBuffer(what, "validity", data, validityBytes);
        boolean sharedValidity = validity.capacity() == 0 && length > 0;
        if (sharedValidity) {
            if (nullCount != 0 && nullCount != length) {
                throw new MalformedBatchException(
                        "expected a validity buffer for "
                                + what
                                + ", which has "
                                + nullCount
                                + " nulls in "
                                + length
                                + " values, but"
                                + " it is empty");
            }
        } else {
            requireSize(what, "validity", validity, validityBytes);
        }
        ownBuffers.add(validity);
        long lastOffset = 0;
        switch (shape) {
            case FIXED:
                {
                    long need = (long) length * ((BaseFixedWidthVector) vector).getTypeWidth();
                    ArrowBuf values = nextBuffer(what, "data", data, need);
                    requireSize(what, "data", values, need);
                    ownBuffers.add(values);
                    break;
                }
            case BITS:
                {
                    ArrowBuf values = nextBuffer(what, "data", data, validityBytes);
                    requireSize(what, "data", values, validityBytes);
                    ownBuffers.add(values);
                    break;
                }
            case VARIABLE:
                {
                    ArrowBuf offsets = nextBuffer(what, "offsets", data, offsetBytes);
                    requireSize(what, "offsets", offsets, offsetBytes);
                    lastOffset = checkOffsets(what, offsets, length);
                    ArrowBuf values = nextBuffer(what, "data", data, lastOffset);
                    requireSize(what, "data", values, lastOffset);
                    ownBuffers.add(offsets);
                    ownBuffers.add(values);
                    break;
                }
            case LIST:
                {
                    ArrowBuf offsets = nextBuffer(what, "offsets", data, offsetBytes);
                    requireSize(what, "offsets", offsets, offsetBytes);
                    lastOffset = checkOffsets(what, offsets, length);
                    ownBuffers.add(offsets);
                    break;
                }
            default:
                throw new AssertionError(shape);
        }
        if (sharedValidity) {
            // Only now: the buffers above prove that this many values arrived.
            ownBuffers.set(0, validity(nullCount == 0, length));
        }
        vector.loadFieldBuffers(new ArrowFieldNode(length, nullCount), ownBuffers);
        List<Field> children = field.getChildren();
        List<FieldVector> childVectors = vector.getChildrenFromFields();
        if (shape == Shape.LIST ? children.size() != 1 : !children.isEmpty()) {
            throw new MalformedBatchException(
                    what
                            + " has "
                            + children.size()
                            + " child fields, which wal2arrow does not write");
        }
        if (children.size() != childVectors.size()) {
            throw new MalformedBatchException(
                    what
                            + " should have as many children as in the"
                            + " schema: found "
                            + childVectors.size()
                            + ", expected "
                            + children.size());
        }
        for (int i = 0; i < children.size(); i++) {
            load(childVectors.get(i), children.get(i), data, lastOffset, depth + 1);
        }
    }

    /**
     * The next buffer of the batch as a slice of the body, decompressed when the batch is
     * compressed. {@code need} bounds what a compressed buffer may claim to expand to.
     */
    private ArrowBuf nextBuffer(String what, String which, ArrowBuf data, long need) {
        if (bufferIndex >= batch.buffersLength()) {
            throw new MalformedBatchException(
                    "expected a "
                            + which
                            + " buffer for "
                            + what
                            + " but the batch has only "
                            + batch.buffersLength()
                            + " buffers");
        }
        batch.buffers(buffer, bufferIndex++);
        long offset = buffer.offset();
        long size = buffer.length();
        if (offset < 0 || size < 0 || offset > bodyLength || size > bodyLength - offset) {
            throw new MalformedBatchException(
                    which
                            + " buffer "
                            + (bufferIndex - 1)
                            + " of "
                            + what
                            + " spans bytes "
                            + offset
                            + " to "
                            + (offset + size)
                            + " of a "
                            + bodyLength
                            + "-byte body");
        }
        ArrowBuf slice = data.slice(offset, size);
        if (codec == CODEC_NONE || size == 0) {
            return slice;
        }
        if (size < 8) {
            throw new MalformedBatchException(
                    "compressed "
                            + which
                            + " buffer of "
                            + what
                            + " has "
                            + size
                            + " bytes, fewer than its 8-byte uncompressed length");
        }
        long uncompressed = slice.getLong(0);
        if (uncompressed == -1) {
            return slice.slice(8, size - 8);
        }
        if (uncompressed < 0 || uncompressed > need + COMPRESSED_SLACK) {
            throw new MalformedBatchException(
                    "compressed "
                            + which
                            + " buffer of "
                            + what
                            + " claims "
                            + uncompressed
                            + " uncompressed bytes but the field needs "
                            + need);
        }
        return decompress(what, which, slice, uncompressed);
    }

    /**
     * Decompresses one buffer that claims {@code length} bytes. Memory grows with what the codec
     * actually produces, not with the claim, and the output must be exactly the claim.
     */
    private ArrowBuf decompress(String what, String which, ArrowBuf compressed, long length) {
        byte[] input = new byte[(int) (compressed.capacity() - 8)];
        compressed.getBytes(8, input);
        java.io.ByteArrayOutputStream produced =
                new java.io.ByteArrayOutputStream((int) Math.min(length, 64 * 1024));
        byte[] chunk = new byte[(int) Math.min(Math.max(length, 1), 64 * 1024)];
        try (InputStream in = codecStream(new ByteArrayInputStream(input))) {
            long done = 0;
            int empty = 0;
            while (done < length) {
                int n = in.read(chunk, 0, (int) Math.min(chunk.length, length - done));
                if (n < 0) {
                    throw new MalformedBatchException(
                            "compressed "
                                    + which
                                    + " buffer of "
                                    + what
                                    + " expands to "
                                    + done
                                    + " bytes, not the "
                                    + length
                                    + " it claims");
                }
                if (n == 0 && ++empty > MAX_EMPTY_READS) {
                    throw new MalformedBatchException(
                            "compressed "
                                    + which
                                    + " buffer of "
                                    + what
                                    + " makes no progress after "
                                    + done
                                    + " bytes");
                }
                produced.write(chunk, 0, n);
                done += n;
            }
            if (in.read() >= 0) {
                throw new MalformedBatchException(
                        "compressed "
                                + which
                                + " buffer of "
                                + what
                                + " expands to more than the "
                                + length
                                + " bytes it claims");
            }
        } catch (IOException | RuntimeException e) {
            if (e instanceof MalformedBatchException) {
                throw (MalformedBatchException) e;
            }
            throw new MalformedBatchException(
                    "compressed " + which + " buffer of " + what + " does not decompress: " + e, e);
        }
        ArrowBuf out = allocator.buffer(Math.max(length, 1));
        decompressed.add(out);
        out.setBytes(0, produced.toByteArray());
        return out.slice(0, length);
    }

    private InputStream codecStream(InputStream in) throws IOException {
        if (codec == CompressionType.LZ4_FRAME) {
            return new FramedLZ4CompressorInputStream(in);
        }
        return new ZstdCompressorInputStream(in);
    }

    private static void requireSize(String what, String which, ArrowBuf buf, long need) {
        if (buf.capacity() < need) {
            throw new MalformedBatchException(
                    "expected the "
                            + which
                            + " buffer of "
                            + what
                            + " to hold at least "
                            + need
                            + " bytes but it has "
                            + buf.capacity());
        }
    }

    /** Checks 32-bit offsets: from 0 or more, never decreasing; returns the last. */
    private static long checkOffsets(String what, ArrowBuf offsets, int length) {
        if (length == 0) {
            return 0;
        }
        int previous = offsets.getInt(0);
        if (previous < 0) {
            throw new MalformedBatchException("offset 0 of " + what + " is " + previous);
        }
        for (int i = 1; i <= length; i++) {
            int o = offsets.getInt(4L * i);
            if (o < previous) {
                throw new MalformedBatchException(
                        "offset "
                                + i
                                + " of "
                                + what
                                + " is "
                                + o
                                + ", below offset "
                                + (i - 1)
                                + " ("
                                + previous
                                + ")");
            }
            previous = o;
        }
        return previous;
    }

    private ArrowBuf bodyBuffer(int length) {
        // Reference count 1: only this loader holds it, no vector reads it any more.
        if (body != null
                && body.getReferenceManager().getRefCount() == 1
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
