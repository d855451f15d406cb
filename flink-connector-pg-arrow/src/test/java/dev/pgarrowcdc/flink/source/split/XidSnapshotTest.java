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

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** pg_snapshot visibility and 32-bit xid widening. */
class XidSnapshotTest {

    @Test
    void visibilityFollowsXminXmaxAndTheInProgressList() {
        XidSnapshot s = XidSnapshot.parse("100:105:100,103");

        assertThat(s.visible(99)).as("before xmin").isTrue();
        assertThat(s.visible(100)).as("in progress").isFalse();
        assertThat(s.visible(101)).as("between, ended").isTrue();
        assertThat(s.visible(103)).as("in progress").isFalse();
        assertThat(s.visible(104)).isTrue();
        assertThat(s.visible(105)).as("from xmax on").isFalse();
        assertThat(s.toString()).isEqualTo("100:105:100,103");
        assertThat(XidSnapshot.parse("7:7:").xip()).isEmpty();
    }

    @Test
    void aWalXidIsWidenedWithTheSnapshotsEpoch() {
        long epoch = 3L << 32;
        XidSnapshot s = new XidSnapshot(epoch + 10, epoch + 20, new long[0]);

        assertThat(s.widen(15)).isEqualTo(epoch + 15);
        // A 32-bit id just below the wrap belongs to the previous epoch
        assertThat(s.widen(0xFFFF_FFF0L)).isEqualTo(epoch - 16);
        XidSnapshot late = new XidSnapshot(epoch + 0xFFFF_FFF0L, epoch + 0xFFFF_FFF8L, new long[0]);
        // ...and one just past it to the next
        assertThat(late.widen(5)).isEqualTo(epoch + (1L << 32) + 5);
    }

    @Test
    void notASnapshotIsRefused() {
        assertThatThrownBy(() -> XidSnapshot.parse("1:2"))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
