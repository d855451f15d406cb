package dev.pgarrowcdc.flink.source.reader.frame;

import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;

/** A readable channel over a byte range of a buffer, for Arrow's {@code ReadChannel}. */
final class ByteBufferChannel implements ReadableByteChannel {

    private final ByteBuffer source;
    private boolean open = true;

    /** Reads {@code source}'s remaining bytes; {@code source} is not modified by the caller. */
    ByteBufferChannel(ByteBuffer source) {
        this.source = source;
    }

    @Override
    public int read(ByteBuffer dst) {
        if (!source.hasRemaining()) {
            return -1;
        }
        int n = Math.min(dst.remaining(), source.remaining());
        ByteBuffer chunk = source.duplicate();
        chunk.limit(chunk.position() + n);
        dst.put(chunk);
        source.position(source.position() + n);
        return n;
    }

    /** Bytes not read yet. */
    int remaining() {
        return source.remaining();
    }

    @Override
    public boolean isOpen() {
        return open;
    }

    @Override
    public void close() {
        open = false;
    }
}
