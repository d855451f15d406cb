package dev.pgarrowcdc.flink.source.split;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.util.Arrays;
import java.util.Collections;

import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;

class PgArrowSplitSerializerTest {

    private final PgArrowSplitSerializer serializer = new PgArrowSplitSerializer();

    @Test
    void aStreamingSplitRoundTrips() throws IOException {
        PgArrowSplit split = new PgArrowSplit(
                "flink_public_orders",
                Arrays.asList(new TableId("public", "orders"), new TableId("Sales \"EU\"", "Ö")),
                PgArrowSplit.Phase.STREAM, 120, 0xFFFF_FFFF_0000_0010L, 7);

        PgArrowSplit back = serializer.deserialize(serializer.getVersion(), serializer.serialize(split));

        assertThat(back).isEqualTo(split);
        assertThat(back.splitId()).isEqualTo("flink_public_orders");
    }

    @Test
    void aSnapshotSplitRoundTrips() throws IOException {
        PgArrowSplit split = PgArrowSplit.fresh(
                "s", Collections.singletonList(new TableId("public", "t")), PgArrowSplit.Phase.SNAPSHOT, 0);
        assertThat(serializer.deserialize(1, serializer.serialize(split))).isEqualTo(split);
    }

    @Test
    void version1BytesStayReadable() throws IOException {
        // Given bytes as VERSION_1 lays them out, written field by field.
        DataOutputSerializer out = new DataOutputSerializer(64);
        out.writeUTF("slot");
        out.writeInt(1);
        out.writeUTF("public");
        out.writeUTF("t");
        out.writeByte(1);
        out.writeLong(5);
        out.writeLong(0x1234L);
        out.writeLong(3);

        PgArrowSplit split = serializer.deserialize(PgArrowSplitSerializer.VERSION_1, out.getCopyOfBuffer());

        assertThat(split).isEqualTo(new PgArrowSplit(
                "slot", Collections.singletonList(new TableId("public", "t")),
                PgArrowSplit.Phase.STREAM, 5, 0x1234L, 3));
    }

    @Test
    void anUnknownVersionIsRefused() {
        assertThatThrownBy(() -> serializer.deserialize(99, new byte[0]))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("Unknown pg-arrow-cdc split state version 99");
    }

    @Test
    void theStateTracksEmittedRowsAndCompletedTransactions() {
        PgArrowSplitState state = new PgArrowSplitState(PgArrowSplit.fresh(
                "s", Collections.singletonList(new TableId("public", "t")), PgArrowSplit.Phase.SNAPSHOT, 0));
        state.snapshotRowEmitted();
        state.snapshotFinished(100);
        state.streamRowEmitted();
        state.streamRowEmitted();
        assertThat(state.toSplit().startLsn()).isEqualTo(100);
        assertThat(state.toSplit().rowsEmittedInNextTxn()).isEqualTo(2);
        assertThat(state.toSplit().phase()).isEqualTo(PgArrowSplit.Phase.STREAM);
        state.transactionCompleted(200);
        assertThat(state.toSplit().startLsn()).isEqualTo(200);
        assertThat(state.toSplit().rowsEmittedInNextTxn()).isZero();
    }
}
