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

import org.apache.flink.api.connector.source.SourceEvent;

import java.util.Objects;

/**
 * Reader to enumerator: a chunk of a table's snapshot is finished (every row of it emitted), with
 * its pieces and their snapshots. Sent again after a restore until {@link ChunksAckedEvent}
 * confirms it: the enumerator ignores a chunk it already has.
 */
public final class ChunkFinishedEvent implements SourceEvent {

    private static final long serialVersionUID = 1L;

    private final String slotName;
    private final TableId table;
    private final ChunkState chunk;

    public ChunkFinishedEvent(String slotName, TableId table, ChunkState chunk) {
        this.slotName = Objects.requireNonNull(slotName);
        this.table = Objects.requireNonNull(table);
        this.chunk = Objects.requireNonNull(chunk);
    }

    public static ChunkFinishedEvent of(PgArrowSplit split) {
        return new ChunkFinishedEvent(split.slotName(), split.table(), split.chunk());
    }

    public String slotName() {
        return slotName;
    }

    public TableId table() {
        return table;
    }

    public ChunkState chunk() {
        return chunk;
    }

    public String splitId() {
        return PgArrowSplit.chunkSplitId(slotName, chunk.index());
    }

    @Override
    public String toString() {
        return "ChunkFinishedEvent{" + splitId() + ", " + chunk + "}";
    }
}
