package dev.pgarrowcdc.flink.source.reader.frame;

/**
 * A wal2arrow frame that this reader cannot decode: wrong magic, unknown protocol version or
 * kind, a frame shorter than its header says, rows for a relation whose schema was never sent,
 * or an Arrow IPC body that does not parse. The message names the source (e.g. the slot), the
 * frame kind and offset, and what was expected versus found.
 *
 * <p>Unchecked: a malformed frame is a bug in the plugin or a mismatch of versions, never
 * something a retry of the same bytes would fix.
 */
public class FrameFormatException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public FrameFormatException(String message) {
        super(message);
    }

    public FrameFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
