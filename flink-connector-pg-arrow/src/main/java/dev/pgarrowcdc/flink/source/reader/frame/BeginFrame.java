package dev.pgarrowcdc.flink.source.reader.frame;

import dev.pgarrowcdc.flink.source.Lsn;

/** {@code B}: the start of a transaction that produced output for this slot. */
public final class BeginFrame extends Frame {

    private final long xid;
    private final long finalLsn;
    private final long commitTimeMicros;

    public BeginFrame(long xid, long finalLsn, long commitTimeMicros) {
        this.xid = xid;
        this.finalLsn = finalLsn;
        this.commitTimeMicros = commitTimeMicros;
    }

    @Override
    public FrameKind kind() {
        return FrameKind.BEGIN;
    }

    /** The transaction id (an unsigned 32-bit value, so always 0 .. 2^32-1). */
    public long xid() {
        return xid;
    }

    /** LSN of the transaction's commit record. */
    public long finalLsn() {
        return finalLsn;
    }

    /** Commit time in microseconds since 1970-01-01 00:00:00 UTC (time-zone independent). */
    public long commitTimeMicros() {
        return commitTimeMicros;
    }

    @Override
    public String toString() {
        return "BeginFrame{xid=" + xid + ", finalLsn=" + Lsn.format(finalLsn)
                + ", commitTimeMicros=" + commitTimeMicros + '}';
    }
}
