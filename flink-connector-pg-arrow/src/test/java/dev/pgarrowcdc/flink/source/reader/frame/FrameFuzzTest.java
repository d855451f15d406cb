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
package dev.pgarrowcdc.flink.source.reader.frame;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Hostile input (issue 10, item 4) seeded from the plugin's golden messages: truncations at every
 * position, every header field and every body word set to extreme lengths and offsets, wrong kinds,
 * random mutations and random bytes. See {@link FrameFuzzer} for what fails a case and for the
 * system properties of a longer run; frames of a real server are fuzzed by {@code
 * dev.pgarrowcdc.flink.wal2arrow.FrameFuzzITCase}.
 */
class FrameFuzzTest {

    private FrameFuzzer fuzzer;

    @BeforeEach
    void setUp() {
        fuzzer = new FrameFuzzer();
    }

    @AfterEach
    void tearDown() {
        fuzzer.close();
    }

    /** The golden messages, plus the all-types message with its R body compressed (lz4, zstd). */
    static List<byte[]> seeds() {
        byte[] all = GoldenFramesTest.golden("frames_all_types.w2a");
        List<byte[]> seeds = new ArrayList<>();
        seeds.add(all);
        seeds.add(GoldenFramesTest.golden("frames_compressed.w2a"));
        for (String file :
                new String[] {"batch_all_types_lz4.arrows", "batch_all_types_zstd.arrows"}) {
            seeds.add(
                    TestFrames.concat(
                            GoldenFramesTest.frame(all, 0),
                            GoldenFramesTest.frame(all, 1),
                            GoldenFramesTest.withBody(
                                    GoldenFramesTest.frame(all, 2), GoldenFramesTest.golden(file)),
                            GoldenFramesTest.frame(all, 6)));
        }
        seeds.add(snapshotFunctionMessage(all));
        return seeds;
    }

    /**
     * What the snapshot function sends: the golden S and R frames followed by a K frame of the R
     * frame's rows (two key columns, one NULL).
     */
    static byte[] snapshotFunctionMessage(byte[] all) {
        byte[] rows = GoldenFramesTest.frame(all, 2);
        int count =
                java.nio.ByteBuffer.wrap(rows)
                        .order(java.nio.ByteOrder.LITTLE_ENDIAN)
                        .getInt(WireFormat.ROWS_ROW_COUNT);
        String[] keys = new String[count * 2];
        for (int r = 0; r < count; r++) {
            keys[2 * r] = Integer.toString(r);
            keys[2 * r + 1] = r % 2 == 0 ? "k\u00e9y " + r : null;
        }
        return TestFrames.concat(
                GoldenFramesTest.frame(all, 1), rows, TestFrames.keysFrame(count, 2, keys));
    }

    @Test
    void theSeedsThemselvesDecode() {
        for (byte[] seed : seeds()) {
            fuzzer.check(seed, "an unmutated seed");
        }
        assertThat(fuzzer.decoded()).isEqualTo(seeds().size());
    }

    @Test
    void aMessageCutAtAnyByteIsRefused() {
        byte[] all = GoldenFramesTest.golden("frames_all_types.w2a");
        fuzzer.truncations(all, "frames_all_types.w2a");
        // Cut at a frame boundary, the frames before it decode; cut inside one, it is refused.
        assertThat(fuzzer.decoded()).isEqualTo(FrameFuzzer.frames(all).size());
        assertThat(fuzzer.refused()).isEqualTo(all.length - fuzzer.decoded());
    }

    @Test
    void extremeLengthsCountsAndOffsetsInHeadersAreRefusedOrDecodeConsistently() {
        List<byte[]> seeds = seeds();
        for (int i = 0; i < seeds.size(); i++) {
            fuzzer.headerFields(seeds.get(i), "seed " + i);
        }
        assertThat(fuzzer.refused()).isPositive();
    }

    @Test
    void extremeWordsInArrowMetadataAndBodiesAreRefusedOrDecodeConsistently() {
        List<byte[]> seeds = seeds();
        fuzzer.bodyWords(seeds.get(0), "frames_all_types.w2a", Integer.MAX_VALUE);
        for (int i = 1; i < seeds.size(); i++) {
            fuzzer.bodyWords(seeds.get(i), "seed " + i, 1024);
        }
        assertThat(fuzzer.refused()).isPositive();
    }

    @Test
    void randomMutationsAreRefusedOrDecodeConsistently() {
        fuzzer.random(seeds(), "golden", FrameFuzzer.SEED, 2000);
        assertThat(fuzzer.cases()).isGreaterThanOrEqualTo(2000);
    }

    @Test
    void randomBytesAreRefused() {
        fuzzer.noise(FrameFuzzer.SEED, 5000);
        assertThat(fuzzer.decoded()).isZero();
    }
}
