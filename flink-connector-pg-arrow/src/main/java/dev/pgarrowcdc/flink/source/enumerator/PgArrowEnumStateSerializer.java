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
package dev.pgarrowcdc.flink.source.enumerator;

import dev.pgarrowcdc.flink.source.split.PgArrowSplit;
import dev.pgarrowcdc.flink.source.split.PgArrowSplitSerializer;
import dev.pgarrowcdc.flink.source.split.TableId;

import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/** Versioned bytes of {@link PgArrowEnumState}; every version ever written stays readable. */
public final class PgArrowEnumStateSerializer
        implements SimpleVersionedSerializer<PgArrowEnumState> {

    /** captured tables, unassigned splits (split format VERSION_1), initial discovery flag. */
    public static final int VERSION_1 = 1;

    /**
     * VERSION_1's fields with splits in split format VERSION_2, then the tables whose snapshot is
     * to start and the chunked snapshots in progress.
     */
    public static final int VERSION_2 = 2;

    public static final int CURRENT_VERSION = VERSION_2;

    @Override
    public int getVersion() {
        return CURRENT_VERSION;
    }

    @Override
    public byte[] serialize(PgArrowEnumState state) throws IOException {
        DataOutputSerializer out = new DataOutputSerializer(256);
        out.writeInt(state.capturedTables().size());
        for (TableId t : state.capturedTables()) {
            out.writeUTF(t.schema());
            out.writeUTF(t.table());
        }
        out.writeInt(state.unassignedSplits().size());
        for (PgArrowSplit split : state.unassignedSplits()) {
            PgArrowSplitSerializer.write(split, out);
        }
        out.writeBoolean(state.initialDiscoveryDone());
        out.writeInt(state.tablesToCut().size());
        for (TableId t : state.tablesToCut()) {
            out.writeUTF(t.schema());
            out.writeUTF(t.table());
        }
        out.writeInt(state.snapshots().size());
        for (TableSnapshot t : state.snapshots()) {
            t.write(out);
        }
        return out.getCopyOfBuffer();
    }

    @Override
    public PgArrowEnumState deserialize(int version, byte[] serialized) throws IOException {
        if (version != VERSION_1 && version != VERSION_2) {
            throw new IOException(
                    "Unknown pg-arrow-cdc enumerator state version "
                            + version
                            + " (this connector"
                            + " reads versions 1.."
                            + CURRENT_VERSION
                            + "): restore with the"
                            + " connector version that wrote the checkpoint, or newer");
        }
        DataInputDeserializer in = new DataInputDeserializer(serialized);
        int tables = in.readInt();
        Set<TableId> captured = new TreeSet<>();
        for (int i = 0; i < tables; i++) {
            captured.add(new TableId(in.readUTF(), in.readUTF()));
        }
        int splits = in.readInt();
        List<PgArrowSplit> unassigned = new ArrayList<>(splits);
        for (int i = 0; i < splits; i++) {
            // VERSION_1 refuses a split caught mid-snapshot, naming what to do.
            unassigned.add(
                    PgArrowSplitSerializer.read(
                            version == VERSION_1
                                    ? PgArrowSplitSerializer.VERSION_1
                                    : PgArrowSplitSerializer.VERSION_2,
                            in));
        }
        boolean initialDone = in.readBoolean();
        List<TableId> toCut = new ArrayList<>();
        List<TableSnapshot> snapshots = new ArrayList<>();
        if (version >= VERSION_2) {
            int n = in.readInt();
            for (int i = 0; i < n; i++) {
                toCut.add(new TableId(in.readUTF(), in.readUTF()));
            }
            n = in.readInt();
            for (int i = 0; i < n; i++) {
                snapshots.add(TableSnapshot.read(in));
            }
        }
        if (in.available() > 0) {
            throw new IOException(
                    "Enumerator state has " + in.available() + " unexpected trailing bytes");
        }
        return new PgArrowEnumState(captured, unassigned, initialDone, toCut, snapshots);
    }
}
