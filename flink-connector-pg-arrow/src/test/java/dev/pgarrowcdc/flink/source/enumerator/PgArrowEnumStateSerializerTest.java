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

import dev.pgarrowcdc.flink.source.split.ChunkKey;
import dev.pgarrowcdc.flink.source.split.ChunkState;
import dev.pgarrowcdc.flink.source.split.PgArrowSplit;
import dev.pgarrowcdc.flink.source.split.TableId;
import dev.pgarrowcdc.flink.source.split.XidSnapshot;

import org.apache.flink.core.memory.DataOutputSerializer;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PgArrowEnumStateSerializerTest {

    private final PgArrowEnumStateSerializer serializer = new PgArrowEnumStateSerializer();

    @Test
    void stateRoundTrips() throws IOException {
        TableId a = new TableId("public", "a");
        TableId b = new TableId("public", "B");
        PgArrowEnumState state =
                new PgArrowEnumState(
                        new HashSet<>(Arrays.asList(a, b)),
                        Collections.singletonList(
                                PgArrowSplit.fresh(
                                        "flink_public_b",
                                        Collections.singletonList(b),
                                        PgArrowSplit.Phase.STREAM,
                                        42)),
                        true);

        assertThat(serializer.deserialize(serializer.getVersion(), serializer.serialize(state)))
                .isEqualTo(state);
        assertThat(
                        serializer.deserialize(
                                serializer.getVersion(),
                                serializer.serialize(PgArrowEnumState.initial())))
                .isEqualTo(PgArrowEnumState.initial());
    }

    @Test
    void aChunkedSnapshotInProgressRoundTrips() throws IOException {
        TableId a = new TableId("public", "a");
        ChunkKey key =
                new ChunkKey(Arrays.asList("id"), Arrays.asList("bigint"), Arrays.asList(""));
        XidSnapshot cut = XidSnapshot.parse("100:104:101");
        TableSnapshot snapshot = new TableSnapshot(a, "flink_public_a", 0x5000, cut, key, 1000);
        snapshot.cursor = new String[] {"300"};
        snapshot.planned = 3;
        snapshot.finished.put(
                1,
                ChunkState.planned(1, key, cut, new String[] {"100"}, new String[] {"200"})
                        .withSnapshot(XidSnapshot.parse("110:111:"))
                        .withFinished());
        PgArrowSplit unassigned =
                PgArrowSplit.chunk(
                        "flink_public_a",
                        a,
                        ChunkState.planned(
                                2, key, cut, new String[] {"200"}, new String[] {"300"}));
        PgArrowEnumState state =
                new PgArrowEnumState(
                        Collections.singleton(a),
                        Collections.singletonList(unassigned),
                        true,
                        Collections.singletonList(new TableId("public", "later")),
                        Collections.singletonList(snapshot));

        PgArrowEnumState back =
                serializer.deserialize(serializer.getVersion(), serializer.serialize(state));

        assertThat(back).isEqualTo(state);
        TableSnapshot t = back.snapshots().get(0);
        assertThat(t.cursor).containsExactly("300");
        assertThat(t.cut).isEqualTo(cut);
        assertThat(t.consistentPoint).isEqualTo(0x5000);
        assertThat(t.reconciliation().pieces()).hasSize(1);
        assertThat(back.tablesToCut()).containsExactly(new TableId("public", "later"));
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
        out.writeByte(1);
        out.writeLong(0);
        out.writeLong(0x1234L);
        out.writeLong(0);
        out.writeBoolean(true);

        // When
        PgArrowEnumState state =
                serializer.deserialize(PgArrowEnumStateSerializer.VERSION_1, out.getCopyOfBuffer());

        // Then
        TableId t = new TableId("public", "t");
        assertThat(state)
                .isEqualTo(
                        new PgArrowEnumState(
                                Collections.singleton(t),
                                Collections.singletonList(
                                        new PgArrowSplit(
                                                "slot",
                                                Collections.singletonList(t),
                                                PgArrowSplit.Phase.STREAM,
                                                0,
                                                0x1234L,
                                                0)),
                                true));
    }

    @Test
    void aVersion1StateCaughtMidSnapshotIsRefusedNamingWhatToDo() {
        DataOutputSerializer out = new DataOutputSerializer(64);
        try {
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
            out.writeLong(0);
            out.writeLong(0);
            out.writeBoolean(true);
        } catch (IOException e) {
            throw new AssertionError(e);
        }

        assertThatThrownBy(
                        () ->
                                serializer.deserialize(
                                        PgArrowEnumStateSerializer.VERSION_1,
                                        out.getCopyOfBuffer()))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("cannot be resumed");
    }

    @Test
    void trailingBytesAreRefused() throws IOException {
        byte[] good = serializer.serialize(PgArrowEnumState.initial());
        byte[] longer = Arrays.copyOf(good, good.length + 1);

        assertThatThrownBy(() -> serializer.deserialize(serializer.getVersion(), longer))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("1 unexpected trailing bytes");
    }

    @Test
    void anUnknownVersionIsRefused() {
        assertThatThrownBy(() -> serializer.deserialize(3, new byte[0]))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("Unknown pg-arrow-cdc enumerator state version 3");
    }
}
