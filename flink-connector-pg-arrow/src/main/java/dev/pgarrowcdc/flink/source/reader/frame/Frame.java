package dev.pgarrowcdc.flink.source.reader.frame;

/**
 * One decoded wal2arrow frame. Subclasses are final and immutable except {@link RowsFrame},
 * which owns Arrow memory; {@link #close()} is a no-op for every other kind, so a consumer may
 * close whatever it got.
 */
public abstract class Frame implements AutoCloseable {

    Frame() {}

    public abstract FrameKind kind();

    /** Releases what the frame owns. Only {@link RowsFrame} owns anything. */
    @Override
    public void close() {}
}
