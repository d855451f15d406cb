package dev.pgarrowcdc.flink.source.enumerator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;

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
    void anUnknownVersionIsRefused() {
        assertThatThrownBy(() -> serializer.deserialize(2, new byte[0]))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("Unknown pg-arrow-cdc enumerator state version 2");
    }
}
