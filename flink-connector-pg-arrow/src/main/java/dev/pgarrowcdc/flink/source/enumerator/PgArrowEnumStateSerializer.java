package dev.pgarrowcdc.flink.source.enumerator;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;

import dev.pgarrowcdc.flink.source.split.PgArrowSplit;
import dev.pgarrowcdc.flink.source.split.PgArrowSplitSerializer;
import dev.pgarrowcdc.flink.source.split.TableId;

/** Versioned bytes of {@link PgArrowEnumState}; every version ever written stays readable. */
public final class PgArrowEnumStateSerializer implements SimpleVersionedSerializer<PgArrowEnumState> {

    /** captured tables, unassigned splits (split format VERSION_1), initial discovery flag. */
    public static final int VERSION_1 = 1;

    public static final int CURRENT_VERSION = VERSION_1;

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
            PgArrowSplitSerializer.writeV1(split, out);
        }
        out.writeBoolean(state.initialDiscoveryDone());
        return out.getCopyOfBuffer();
    }

    @Override
    public PgArrowEnumState deserialize(int version, byte[] serialized) throws IOException {
        if (version != VERSION_1) {
            throw new IOException(
                    "Unknown pg-arrow-cdc enumerator state version " + version + " (this connector"
                            + " reads versions 1.." + CURRENT_VERSION + "): restore with the"
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
            unassigned.add(PgArrowSplitSerializer.read(PgArrowSplitSerializer.VERSION_1, in));
        }
        boolean initialDone = in.readBoolean();
        if (in.available() > 0) {
            throw new IOException(
                    "Enumerator state has " + in.available() + " unexpected trailing bytes");
        }
        return new PgArrowEnumState(captured, unassigned, initialDone);
    }
}
