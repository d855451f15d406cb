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

import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.core.memory.DataOutputView;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/** Versioned bytes of a {@link PgArrowSplit}; every version ever written stays readable. */
public final class PgArrowSplitSerializer implements SimpleVersionedSerializer<PgArrowSplit> {

    public static final PgArrowSplitSerializer INSTANCE = new PgArrowSplitSerializer();

    /** slot, tables, phase, snapshot rows, start LSN, rows of the next transaction. */
    public static final int VERSION_1 = 1;

    /** VERSION_1's fields, then the chunk (for CHUNK splits) and the reconciliation, if any. */
    public static final int VERSION_2 = 2;

    public static final int CURRENT_VERSION = VERSION_2;

    @Override
    public int getVersion() {
        return CURRENT_VERSION;
    }

    @Override
    public byte[] serialize(PgArrowSplit split) throws IOException {
        DataOutputSerializer out = new DataOutputSerializer(64);
        write(split, out);
        return out.getCopyOfBuffer();
    }

    @Override
    public PgArrowSplit deserialize(int version, byte[] serialized) throws IOException {
        DataInputDeserializer in = new DataInputDeserializer(serialized);
        PgArrowSplit split = read(version, in);
        if (in.available() > 0) {
            throw new IOException(
                    "Split state has "
                            + in.available()
                            + " unexpected trailing bytes (version "
                            + version
                            + "): the state is corrupt or from a newer connector");
        }
        return split;
    }

    /** Reads one split written by {@link #writeV1} (or a later version) from a longer stream. */
    public static PgArrowSplit read(int version, DataInputView in) throws IOException {
        switch (version) {
            case VERSION_1:
                PgArrowSplit split = readV1(in);
                if (split.phase() == PgArrowSplit.Phase.SNAPSHOT) {
                    throw new IOException(
                            "Split "
                                    + split.slotName()
                                    + " of "
                                    + split.tables()
                                    + " was checkpointed in the middle of its snapshot by a connector version"
                                    + " without chunked snapshots, whose snapshot cannot be resumed: start the"
                                    + " job without this state (the snapshot runs again, chunked and"
                                    + " exactly-once), or restore a checkpoint taken after every table"
                                    + " streamed");
                }
                return split;
            case VERSION_2:
                return readV2(in);
            default:
                throw new IOException(
                        "Unknown pg-arrow-cdc split state version "
                                + version
                                + " (this connector"
                                + " reads versions 1.."
                                + CURRENT_VERSION
                                + "): restore with the"
                                + " connector version that wrote the checkpoint, or newer");
        }
    }

    /** Writes the split in {@link #CURRENT_VERSION}'s layout. */
    public static void write(PgArrowSplit split, DataOutputView out) throws IOException {
        writeV1(split, out);
        if (split.chunk() != null) {
            split.chunk().write(out);
        }
        out.writeBoolean(split.reconciliation() != null);
        if (split.reconciliation() != null) {
            split.reconciliation().write(out);
        }
    }

    private static PgArrowSplit readV2(DataInputView in) throws IOException {
        PgArrowSplit base = readV1(in);
        ChunkState chunk = base.phase() == PgArrowSplit.Phase.CHUNK ? ChunkState.read(in) : null;
        Reconciliation reconciliation = in.readBoolean() ? Reconciliation.read(in) : null;
        return new PgArrowSplit(
                base.slotName(),
                base.tables(),
                base.phase(),
                base.snapshotRowsEmitted(),
                base.startLsn(),
                base.rowsEmittedInNextTxn(),
                chunk,
                reconciliation);
    }

    public static void writeV1(PgArrowSplit split, DataOutputView out) throws IOException {
        out.writeUTF(split.slotName());
        out.writeInt(split.tables().size());
        for (TableId t : split.tables()) {
            out.writeUTF(t.schema());
            out.writeUTF(t.table());
        }
        out.writeByte(split.phase().ordinal());
        out.writeLong(split.snapshotRowsEmitted());
        out.writeLong(split.startLsn());
        out.writeLong(split.rowsEmittedInNextTxn());
    }

    private static PgArrowSplit readV1(DataInputView in) throws IOException {
        String slot = in.readUTF();
        int n = in.readInt();
        List<TableId> tables = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            tables.add(new TableId(in.readUTF(), in.readUTF()));
        }
        int phase = in.readByte();
        PgArrowSplit.Phase[] phases = PgArrowSplit.Phase.values();
        if (phase < 0 || phase >= phases.length) {
            throw new IOException("Split " + slot + " has unknown phase " + phase);
        }
        long rows = in.readLong();
        long startLsn = in.readLong();
        long next = in.readLong();
        if (phases[phase] == PgArrowSplit.Phase.CHUNK) {
            // Only VERSION_2 writes CHUNK, and reads the chunk right after.
            return new PgArrowSplit(
                    slot,
                    tables,
                    phases[phase],
                    rows,
                    startLsn,
                    next,
                    ChunkState.planned(0, ChunkKey.NONE, null, null, null),
                    null);
        }
        return new PgArrowSplit(slot, tables, phases[phase], rows, startLsn, next);
    }
}
