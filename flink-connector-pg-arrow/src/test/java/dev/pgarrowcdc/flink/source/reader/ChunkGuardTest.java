package dev.pgarrowcdc.flink.source.reader;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import dev.pgarrowcdc.flink.source.split.XidSnapshot;

/** The chunk read's guard: a transaction visible at the cut must be visible to the chunk. */
class ChunkGuardTest {

    @Test
    void aTransactionVisibleAtTheCutButInProgressInTheChunksSnapshotIsFound() {
        // 500 committed before the consistent point (visible in E), still in progress in s_k
        XidSnapshot cut = XidSnapshot.parse("498:502:499");
        assertThat(ChunkReader.firstInvisible(cut, XidSnapshot.parse("499:510:499,500,505")))
                .isEqualTo(500);
        // 499 was in progress at the cut too: it is decoded by the slot, not the chunk's business
        assertThat(ChunkReader.firstInvisible(cut, XidSnapshot.parse("499:510:499,505")))
                .isEqualTo(-1);
        assertThat(ChunkReader.firstInvisible(cut, XidSnapshot.parse("510:510:"))).isEqualTo(-1);
    }
}
