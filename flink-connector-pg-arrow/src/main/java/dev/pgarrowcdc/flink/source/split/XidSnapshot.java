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
package dev.pgarrowcdc.flink.source.split;

import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

import java.io.IOException;
import java.io.Serializable;
import java.util.Arrays;

/**
 * A transaction snapshot as {@code pg_current_snapshot()} reports it: {@code xmin:xmax:xip,...}
 * with 64-bit (epoch-extended) transaction ids. A committed transaction x is visible in it iff
 * {@code x < xmin}, or {@code x < xmax} and x is not among the in-progress {@code xip}.
 */
public final class XidSnapshot implements Serializable {

    private static final long serialVersionUID = 1L;

    private final long xmin;
    private final long xmax;

    /** Sorted. */
    private final long[] xip;

    public XidSnapshot(long xmin, long xmax, long[] xip) {
        this.xmin = xmin;
        this.xmax = xmax;
        this.xip = xip.clone();
        Arrays.sort(this.xip);
    }

    /** Parses {@code pg_current_snapshot()}'s text form, e.g. {@code 750:754:750,752}. */
    public static XidSnapshot parse(String text) {
        String[] parts = text.split(":", -1);
        if (parts.length != 3) {
            throw new IllegalArgumentException("Not a pg_snapshot: " + text);
        }
        long[] xip;
        if (parts[2].isEmpty()) {
            xip = new long[0];
        } else {
            String[] ids = parts[2].split(",");
            xip = new long[ids.length];
            for (int i = 0; i < ids.length; i++) {
                xip[i] = Long.parseLong(ids[i]);
            }
        }
        return new XidSnapshot(Long.parseLong(parts[0]), Long.parseLong(parts[1]), xip);
    }

    public long xmin() {
        return xmin;
    }

    public long xmax() {
        return xmax;
    }

    public long[] xip() {
        return xip.clone();
    }

    /** Whether the (committed, 64-bit) transaction {@code xid} is visible in this snapshot. */
    public boolean visible(long xid) {
        return xid < xmin || (xid < xmax && Arrays.binarySearch(xip, xid) < 0);
    }

    /**
     * The 64-bit id of a 32-bit transaction id (as the WAL carries it) that lies within 2^31 of
     * this snapshot's xmax, the only ones a reader meets while this snapshot matters.
     */
    public long widen(long xid32) {
        long low = xid32 & 0xFFFF_FFFFL;
        long candidate = (xmax & ~0xFFFF_FFFFL) | low;
        if (candidate > xmax + (1L << 31)) {
            candidate -= 1L << 32;
        } else if (candidate < xmax - (1L << 31)) {
            candidate += 1L << 32;
        }
        return candidate;
    }

    public void write(DataOutputView out) throws IOException {
        out.writeLong(xmin);
        out.writeLong(xmax);
        out.writeInt(xip.length);
        for (long x : xip) {
            out.writeLong(x);
        }
    }

    public static XidSnapshot read(DataInputView in) throws IOException {
        long xmin = in.readLong();
        long xmax = in.readLong();
        int n = in.readInt();
        long[] xip = new long[n];
        for (int i = 0; i < n; i++) {
            xip[i] = in.readLong();
        }
        return new XidSnapshot(xmin, xmax, xip);
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof XidSnapshot)) {
            return false;
        }
        XidSnapshot that = (XidSnapshot) o;
        return xmin == that.xmin && xmax == that.xmax && Arrays.equals(xip, that.xip);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * Long.hashCode(xmin) + Long.hashCode(xmax)) + Arrays.hashCode(xip);
    }

    /** The {@code pg_snapshot} text form. */
    @Override
    public String toString() {
        StringBuilder b = new StringBuilder().append(xmin).append(':').append(xmax).append(':');
        for (int i = 0; i < xip.length; i++) {
            b.append(i == 0 ? "" : ",").append(xip[i]);
        }
        return b.toString();
    }
}
