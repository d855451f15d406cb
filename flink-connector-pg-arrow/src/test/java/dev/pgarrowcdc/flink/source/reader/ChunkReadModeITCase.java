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
import dev.pgarrowcdc.flink.source.split.ChunkState;
import dev.pgarrowcdc.flink.source.split.PgArrowSplit;
import dev.pgarrowcdc.flink.source.split.TableId;
import dev.pgarrowcdc.flink.testutils.PostgresExtension;

import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * What a chunk reader does when the snapshot function is gone by the time it reads (dropped after
 * the job started): 'arrow' fails the chunk naming what to do, rather than read text; 'auto' reads
 * the chunk as text.
 */
class ChunkReadModeITCase {

    @RegisterExtension static final PostgresExtension PG = new PostgresExtension();

    private static final ChunkKey KEY =
            new ChunkKey(
                    Collections.singletonList("id"),
                    Collections.singletonList("integer"),
                    Collections.singletonList(""));

    private final BufferAllocator allocator = new RootAllocator();

    @AfterEach
    void closeAllocator() {
        assertThat(allocator.getAllocatedMemory()).isZero();
        allocator.close();
    }

    private List<PgArrowRecord> readChunk(SnapshotReadMode mode, boolean[] arrow)
            throws SQLException {
        PgArrowSourceConfig config =
                TestSources.<String>builder(PG, "public.t")
                        .snapshotReadMode(mode)
                        .deserializer(new TestSources.RowsAsText())
                        .build()
                        .config();
        PgArrowSplit split =
                PgArrowSplit.chunk(
                        "it_public_t",
                        new TableId("public", "t"),
                        ChunkState.planned(0, KEY, null, null, null));
        List<PgArrowRecord> out = new ArrayList<>();
        try (ChunkReader reader =
                new ChunkReader(config, split, allocator, SnapshotFunction::find)) {
            while (!reader.finished()) {
                reader.poll(out);
            }
            arrow[0] = reader.readsArrow();
        }
        return out;
    }

    @Test
    void withoutTheFunctionArrowFailsTheChunkAndAutoReadsItAsText() throws Exception {
        PG.execute(
                "CREATE TABLE t (id int PRIMARY KEY, v text)",
                "INSERT INTO t VALUES (1, 'a'), (2, 'b')");
        boolean[] arrow = new boolean[1];
        assertThat(readChunk(SnapshotReadMode.AUTO, arrow)).hasSize(4); // s_k, 2 rows, end
        assertThat(arrow[0]).as("read through the function while it exists").isTrue();

        PG.execute(
                "DROP FUNCTION wal2arrow_snapshot(regclass, text[], text, text[], integer,"
                        + " integer, text, integer)");

        assertThatThrownBy(() -> readChunk(SnapshotReadMode.ARROW, arrow))
                .isInstanceOf(SQLException.class)
                .hasMessageContaining(
                        "'scan.snapshot.read-mode' = 'arrow' but database '"
                                + PG.database()
                                + "' has no function wal2arrow_snapshot")
                .hasMessageContaining("CREATE EXTENSION wal2arrow");
        List<PgArrowRecord> text = readChunk(SnapshotReadMode.AUTO, arrow);
        assertThat(arrow[0]).as("read through the function").isFalse();
        assertThat(text)
                .filteredOn(r -> r.kind == PgArrowRecord.Kind.ROW)
                .extracting(r -> TestSources.format(r.row))
                .containsExactly("+I(1, a)", "+I(2, b)");
    }
}
