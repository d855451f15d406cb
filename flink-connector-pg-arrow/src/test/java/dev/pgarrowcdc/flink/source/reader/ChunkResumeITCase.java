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

import dev.pgarrowcdc.flink.source.PgArrowSourceConfig;
import dev.pgarrowcdc.flink.source.SnapshotReadMode;
import dev.pgarrowcdc.flink.source.TestSources;
import dev.pgarrowcdc.flink.source.enumerator.SnapshotFunction;
import dev.pgarrowcdc.flink.source.split.ChunkKey;
import dev.pgarrowcdc.flink.source.split.ChunkPiece;
import dev.pgarrowcdc.flink.source.split.ChunkState;
import dev.pgarrowcdc.flink.source.split.PgArrowSplit;
import dev.pgarrowcdc.flink.source.split.PgArrowSplitSerializer;
import dev.pgarrowcdc.flink.source.split.PgArrowSplitState;
import dev.pgarrowcdc.flink.source.split.TableId;
import dev.pgarrowcdc.flink.testutils.PostgresExtension;

import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A chunk cut off by a failure after part of it was emitted: the restored split reads from the
 * server only the rows after the last key emitted, under a new snapshot, and keeps the emitted part
 * as a finished piece under the old one. Both row sources: the snapshot function's (whose K frames
 * carry the keys) and the text path's.
 */
class ChunkResumeITCase {

    @RegisterExtension static final PostgresExtension PG = new PostgresExtension();

    private static final ChunkKey KEY =
            new ChunkKey(
                    Collections.singletonList("id"),
                    Collections.singletonList("integer"),
                    Collections.singletonList(""));

    private final BufferAllocator allocator = new RootAllocator();

    @AfterEach
    void closeAllocator() {
        assertThat(allocator.getAllocatedMemory()).as("Arrow memory left allocated").isZero();
        allocator.close();
    }

    private ChunkReader reader(PgArrowSourceConfig config, PgArrowSplit split) {
        return new ChunkReader(config, split, allocator, SnapshotFunction::find);
    }

    @ParameterizedTest
    @EnumSource(
            value = SnapshotReadMode.class,
            names = {"ARROW", "TEXT"})
    void aRestoredChunkReadsOnlyWhatWasNotEmitted(SnapshotReadMode mode) throws Exception {
        PG.execute(
                "CREATE TABLE t (id int PRIMARY KEY, v text)",
                "INSERT INTO t SELECT g, 'v' || g FROM generate_series(1, 1000) g");
        PgArrowSourceConfig config =
                TestSources.<String>builder(PG, "public.t")
                        .snapshotFetchSize(100)
                        .batchRows(50)
                        .snapshotReadMode(mode)
                        .deserializer(new TestSources.RowsAsText())
                        .build()
                        .config();
        TableId table = new TableId("public", "t");
        PgArrowSplit split =
                PgArrowSplit.chunk(
                        "it_public_t", table, ChunkState.planned(0, KEY, null, null, null));

        // Given a first attempt that emitted the snapshot and 150 rows before a checkpoint
        PgArrowSplitState state = new PgArrowSplitState(split);
        List<PgArrowRecord> firstAttempt = new ArrayList<>();
        try (ChunkReader reader = reader(config, split)) {
            while (reader.rowsRead() < 150) {
                reader.poll(firstAttempt);
            }
            assertThat(reader.finished()).isFalse();
            assertThat(reader.readsArrow()).isEqualTo(mode == SnapshotReadMode.ARROW);
        }
        int emitted = 0;
        for (PgArrowRecord r : firstAttempt) {
            if (r.kind == PgArrowRecord.Kind.CHUNK_SNAPSHOT) {
                state.chunkSnapshot(r.snapshot);
            } else if (r.kind == PgArrowRecord.Kind.ROW && emitted < 150) {
                state.chunkRowEmitted(r.key);
                emitted++;
            }
        }
        PgArrowSplitSerializer serializer = new PgArrowSplitSerializer();
        PgArrowSplit checkpointed =
                serializer.deserialize(
                        serializer.getVersion(), serializer.serialize(state.toSplit()));
        // Rows committed after the first attempt's snapshot show in the part read again only
        PG.execute("UPDATE t SET v = 'later' WHERE id IN (2, 900)");

        // When the restored split is read to its end
        PgArrowSplitState restored = new PgArrowSplitState(checkpointed);
        List<PgArrowRecord> second = new ArrayList<>();
        long read;
        try (ChunkReader reader = reader(config, checkpointed)) {
            while (!reader.finished()) {
                reader.poll(second);
            }
            read = reader.rowsRead();
            assertThat(reader.readsArrow()).isEqualTo(mode == SnapshotReadMode.ARROW);
        }
        List<String> rows = new ArrayList<>();
        for (PgArrowRecord r : second) {
            if (r.kind == PgArrowRecord.Kind.CHUNK_SNAPSHOT) {
                restored.chunkSnapshot(r.snapshot);
            } else if (r.kind == PgArrowRecord.Kind.ROW) {
                restored.chunkRowEmitted(r.key);
                rows.add(TestSources.format(r.row));
            } else if (r.kind == PgArrowRecord.Kind.CHUNK_DONE) {
                restored.chunkFinished();
            }
        }

        // Then only ids 151..1000 were read from the server, and the pieces say under which
        // snapshot each part was read
        assertThat(read).isEqualTo(850);
        assertThat(rows).hasSize(850);
        assertThat(rows.get(0)).isEqualTo("+I(151, v151)");
        assertThat(rows).contains("+I(900, later)").doesNotContain("+I(2, later)");
        List<ChunkPiece> pieces = restored.chunk().pieces();
        assertThat(pieces).hasSize(2);
        assertThat(pieces.get(0).lo()).isNull();
        assertThat(pieces.get(0).hi()).containsExactly("150");
        assertThat(pieces.get(1).lo()).containsExactly("150");
        assertThat(pieces.get(1).hi()).isNull();
        assertThat(pieces.get(1).snapshot().xmax())
                .as("the rest was read under a later snapshot")
                .isGreaterThan(pieces.get(0).snapshot().xmax());
        assertThat(restored.chunk().finished()).isTrue();
        assertThat(restored.chunk().rowsRead())
                .as("rows emitted over both attempts")
                .isEqualTo(1000);
    }

    @ParameterizedTest
    @EnumSource(
            value = SnapshotReadMode.class,
            names = {"ARROW", "TEXT"})
    void wideRowsComeAFewAtATimeWhateverTheFetchSize(SnapshotReadMode mode) throws Exception {
        // 40 rows of 1 MB with a fetch size (and batch rows) of 1000 rows: a FETCH, or an R frame,
        // brings about 4 MB
        PG.execute(
                "CREATE TABLE t (id int PRIMARY KEY, v text)",
                "ALTER TABLE t ALTER COLUMN v SET STORAGE EXTERNAL",
                "INSERT INTO t SELECT g, repeat(chr(65 + g % 26), 1 << 20) FROM generate_series(1, 40) g");
        PgArrowSourceConfig config =
                TestSources.<String>builder(PG, "public.t")
                        .snapshotFetchSize(1000)
                        .batchRows(1000)
                        .snapshotReadMode(mode)
                        .deserializer(new TestSources.RowsAsText())
                        .build()
                        .config();
        PgArrowSplit split =
                PgArrowSplit.chunk(
                        "it_public_t",
                        new TableId("public", "t"),
                        ChunkState.planned(0, KEY, null, null, null));

        List<Integer> rowsPerPoll = new ArrayList<>();
        try (ChunkReader reader = reader(config, split)) {
            while (!reader.finished()) {
                List<PgArrowRecord> out = new ArrayList<>();
                reader.poll(out);
                rowsPerPoll.add(
                        (int) out.stream().filter(r -> r.kind == PgArrowRecord.Kind.ROW).count());
            }
        }

        assertThat(rowsPerPoll.stream().mapToInt(Integer::intValue).sum()).isEqualTo(40);
        if (mode == SnapshotReadMode.TEXT) {
            assertThat(rowsPerPoll.get(0)).isEqualTo(TextChunkRows.FIRST_FETCH);
            assertThat(rowsPerPoll.subList(1, rowsPerPoll.size()))
                    .allMatch(n -> n <= TextChunkRows.FETCH_BYTES / (1 << 20));
        } else {
            // One R frame (one CopyData message) per poll, of about batch_bytes: the row that
            // reaches the bound is the frame's last
            assertThat(rowsPerPoll).hasSizeGreaterThanOrEqualTo(40 / 5);
            assertThat(rowsPerPoll).allMatch(n -> n <= ArrowChunkRows.BATCH_BYTES / (1 << 20) + 1);
        }
    }
}
