package dev.pgarrowcdc.flink.source.enumerator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;

import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;

import dev.pgarrowcdc.flink.source.split.PgArrowSplit;
import dev.pgarrowcdc.flink.source.split.TableId;

class PgArrowEnumStateSerializerTest {

    private final PgArrowEnumStateSerializer serializer = new PgArrowEnumStateSerializer();

    @Test
    void stateRoundTrips() throws IOException {
        TableId a = new TableId("public", "a");
        TableId b = new TableId("public", "B");
        PgArrowEnumState state = new PgArrowEnumState(
                new HashSet<>(Arrays.asList(a, b)),
                Collections.singletonList(PgArrowSplit.fresh(
                        "flink_public_b", Collections.singletonList(b), PgArrowSplit.Phase.STREAM, 42)),
                true);

        assertThat(serializer.deserialize(PgArrowEnumStateSerializer.VERSION_1, serializer.serialize(state)))
                .isEqualTo(state);
        assertThat(serializer.deserialize(1, serializer.serialize(PgArrowEnumState.initial())))
                .isEqualTo(PgArrowEnumState.initial());
    }

    @Test
    void version1BytesStayReadable() throws IOException {
        // Given bytes as VERSION_1 lays them out, written field by field: captured tables,
        // unassigned splits in the split format's VERSION_1, the initial-discovery flag
        DataOutputSerializer out = new DataOutputSerializer(64);
        out.writeInt(1);
        out.writeUTF("public");
        out.writeUTF("t");
        out.writeInt(1);
        out.writeUTF("slot");
        out.writeInt(1);
        out.writeUTF("public");
        out.writeUTF("t");
        out.writeByte(0);
        out.writeLong(0);
        out.writeLong(0x1234L);
        out.writeLong(0);
        out.writeBoolean(true);

        // When
        PgArrowEnumState state =
                serializer.deserialize(PgArrowEnumStateSerializer.VERSION_1, out.getCopyOfBuffer());

        // Then
        TableId t = new TableId("public", "t");
        assertThat(state).isEqualTo(new PgArrowEnumState(
                Collections.singleton(t),
                Collections.singletonList(new PgArrowSplit(
                        "slot", Collections.singletonList(t), PgArrowSplit.Phase.SNAPSHOT, 0,
                        0x1234L, 0)),
                true));
    }

    @Test
    void trailingBytesAreRefused() throws IOException {
        byte[] good = serializer.serialize(PgArrowEnumState.initial());
        byte[] longer = Arrays.copyOf(good, good.length + 1);

        assertThatThrownBy(() -> serializer.deserialize(PgArrowEnumStateSerializer.VERSION_1, longer))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("1 unexpected trailing bytes");
    }

    @Test
    void anUnknownVersionIsRefused() {
        assertThatThrownBy(() -> serializer.deserialize(2, new byte[0]))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("Unknown pg-arrow-cdc enumerator state version 2");
    }
}
