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

import dev.pgarrowcdc.flink.source.Lsn;

/** {@code C}: the end of a transaction; {@link #endLsn()} is what to confirm to the slot. */
public final class CommitFrame extends Frame {

    private final long xid;
    private final long commitLsn;
    private final long endLsn;
    private final long commitTimeMicros;
    private final long rowCount;

    public CommitFrame(
            long xid, long commitLsn, long endLsn, long commitTimeMicros, long rowCount) {
        this.xid = xid;
        this.commitLsn = commitLsn;
        this.endLsn = endLsn;
        this.commitTimeMicros = commitTimeMicros;
        this.rowCount = rowCount;
    }

    @Override
    public FrameKind kind() {
        return FrameKind.COMMIT;
    }

    /** The transaction id (unsigned 32-bit). */
    public long xid() {
        return xid;
    }

    /** LSN of the commit record. */
    public long commitLsn() {
        return commitLsn;
    }

    /** End of the commit record: the LSN to confirm (flush) once this transaction is durable. */
    public long endLsn() {
        return endLsn;
    }

    /** Commit time in microseconds since 1970-01-01 00:00:00 UTC (time-zone independent). */
    public long commitTimeMicros() {
        return commitTimeMicros;
    }

    /** Number of rows in all {@code R} frames of this transaction. */
    public long rowCount() {
        return rowCount;
    }

    @Override
    public String toString() {
        return "CommitFrame{xid="
                + xid
                + ", commitLsn="
                + Lsn.format(commitLsn)
                + ", endLsn="
                + Lsn.format(endLsn)
                + ", commitTimeMicros="
                + commitTimeMicros
                + ", rowCount="
                + rowCount
                + '}';
    }
}
