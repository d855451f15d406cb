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
        return "BeginFrame{xid="
                + xid
                + ", finalLsn="
                + Lsn.format(finalLsn)
                + ", commitTimeMicros="
                + commitTimeMicros
                + '}';
    }
}
