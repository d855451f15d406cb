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

import org.apache.flink.core.memory.DataOutputSerializer;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.Arrays;
import java.util.Collections;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PgArrowSplitSerializerTest {

    private final PgArrowSplitSerializer serializer = new PgArrowSplitSerializer();

    @Test
    void aStreamingSplitRoundTrips() throws IOException {
        PgArrowSplit split =
                new PgArrowSplit(
                        "flink_public_orders",
                        Arrays.asList(
                                new TableId("public", "orders"), new TableId("Sales \"EU\"", "Ö")),
                        PgArrowSplit.Phase.STREAM,
                        120,
                        0xFFFF_FFFF_0000_0010L,
                        7);

        PgArrowSplit back =
                serializer.deserialize(serializer.getVersion(), serializer.serialize(split));

        assertThat(back).isEqualTo(split);
        assertThat(back.splitId()).isEqualTo("flink_public_orders");
    }

    private static final ChunkKey KEY =
            new ChunkKey(
                    Arrays.asList("id", "name"),
                    Arrays.asList("integer", "text"),
                    Arrays.asList("", "\"pg_catalog\".\"en-x-icu\""));

    @Test
    void aChunkSplitMidReadRoundTrips() throws IOException {
        XidSnapshot cut = XidSnapshot.parse("740:750:741,745");
        ChunkState chunk =
                ChunkState.planned(
                                3, KEY, cut, new String[] {"10", "b"}, new String[] {"20", "ä'\"x"})
                        .withSnapshot(XidSnapshot.parse("760:770:"))
                        .withRow(new String[] {"11", "c"});
        PgArrowSplit split =
                PgArrowSplit.chunk("flink_public_t", new TableId("public", "t"), chunk);

        PgArrowSplit back =
                serializer.deserialize(serializer.getVersion(), serializer.serialize(split));

        assertThat(back).isEqualTo(split);
        assertThat(back.splitId()).isEqualTo("flink_public_t#3");
        assertThat(back.chunk().lastKey()).containsExactly("11", "c");
        assertThat(back.chunk().cut()).isEqualTo(cut);
    }

    @Test
    void aStreamSplitWithReconciliationRoundTrips() throws IOException {
        Reconciliation r =
                new Reconciliation(
                        KEY,
                        Arrays.asList(
                                new ChunkPiece(
                                        null,
                                        new String[] {"5", "x"},
                                        XidSnapshot.parse("1:9:3,4")),
                                new ChunkPiece(
                                        new String[] {"5", "x"},
                                        null,
                                        XidSnapshot.parse("12:12:"))));
        PgArrowSplit split =
                PgArrowSplit.streamAfterSnapshot("s", new TableId("public", "t"), 77, r);

        PgArrowSplit back =
                serializer.deserialize(serializer.getVersion(), serializer.serialize(split));

        assertThat(back).isEqualTo(split);
        assertThat(back.reconciliation().maxXmax()).isEqualTo(12);
    }

    @Test
    void aVersion1SplitCaughtMidSnapshotIsRefusedNamingWhatToDo() throws IOException {
        DataOutputSerializer out = new DataOutputSerializer(64);
        out.writeUTF("slot");
        out.writeInt(1);
        out.writeUTF("public");
        out.writeUTF("t");
        out.writeByte(0);
        out.writeLong(5);
        out.writeLong(0);
        out.writeLong(0);

        assertThatThrownBy(
                        () ->
                                serializer.deserialize(
                                        PgArrowSplitSerializer.VERSION_1, out.getCopyOfBuffer()))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("in the middle of its snapshot")
                .hasMessageContaining("start the job without this state");
    }

    @Test
    void aRestoredChunkKeepsWhatWasEmittedAsAPieceAndReadsOnlyTheRest() {
        XidSnapshot s = XidSnapshot.parse("760:770:");
        ChunkState cutOff =
                ChunkState.planned(0, KEY, null, null, new String[] {"20", "z"})
                        .withSnapshot(s)
                        .withRow(new String[] {"1", "a"})
                        .withRow(new String[] {"7", "q"});

        ChunkState resumed = cutOff.resumed();

        assertThat(resumed.pieces())
                .containsExactly(new ChunkPiece(null, new String[] {"7", "q"}, s));
        assertThat(resumed.lo()).containsExactly("7", "q");
        assertThat(resumed.hi()).containsExactly("20", "z");
        assertThat(resumed.snapshot()).isNull();
        assertThat(resumed.withSnapshot(XidSnapshot.parse("800:801:")).withFinished().pieces())
                .hasSize(2);
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

        PgArrowSplit split =
                serializer.deserialize(PgArrowSplitSerializer.VERSION_1, out.getCopyOfBuffer());

        assertThat(split)
                .isEqualTo(
                        new PgArrowSplit(
                                "slot",
                                Collections.singletonList(new TableId("public", "t")),
                                PgArrowSplit.Phase.STREAM,
                                5,
                                0x1234L,
                                3));
    }

    @Test
    void anUnknownVersionIsRefused() {
        assertThatThrownBy(() -> serializer.deserialize(99, new byte[0]))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("Unknown pg-arrow-cdc split state version 99");
    }

    @Test
    void theStateTracksEmittedRowsAndCompletedTransactions() {
        PgArrowSplitState state =
                new PgArrowSplitState(
                        PgArrowSplit.fresh(
                                "s",
                                Collections.singletonList(new TableId("public", "t")),
                                PgArrowSplit.Phase.STREAM,
                                100));
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
