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
package dev.pgarrowcdc.flink.source.reader;

import dev.pgarrowcdc.flink.source.split.XidSnapshot;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

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
