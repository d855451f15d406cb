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

import dev.pgarrowcdc.flink.source.split.PgArrowSplitState;

import java.util.HashMap;
import java.util.Map;

/**
 * Applies the position markers among a split's records (snapshot done, transaction end, keepalive
 * progress, a chunk's snapshot taken or its last row read, reconciliation over) to the split's
 * state. {@code SourceReaderBase} counts every record it hands to the emitter as {@code
 * numRecordsIn}, so markers are never handed over: {@link PgArrowRecords} applies each one here as
 * the task thread reaches it, right before the next row is emitted or the split's records of that
 * fetch end. The state thus moves in the order the fetcher read rows and markers, and a checkpoint,
 * taken between two records, sees exactly the rows emitted before its barrier and the markers
 * before them.
 *
 * <p>Used only on the task thread: the reader registers and drops states ({@code addSplits},
 * finished splits), the records apply markers inside {@code pollNext}.
 */
final class SplitPositions {

    private final Map<String, PgArrowSplitState> states = new HashMap<>();

    void add(PgArrowSplitState state) {
        states.put(state.splitId(), state);
    }

    void remove(String splitId) {
        states.remove(splitId);
    }

    void apply(String splitId, PgArrowRecord marker) {
        PgArrowSplitState state = states.get(splitId);
        if (state == null) {
            throw new IllegalStateException(
                    "A position marker for split " + splitId + ", which this reader does not hold");
        }
        switch (marker.kind) {
            case TRANSACTION_END:
                state.transactionCompleted(marker.lsn);
                break;
            case PROGRESS:
                state.progressed(marker.lsn);
                break;
            case SNAPSHOT_DONE:
                state.snapshotFinished(marker.lsn);
                break;
            case CHUNK_SNAPSHOT:
                state.chunkSnapshot(marker.snapshot);
                break;
            case CHUNK_DONE:
                state.chunkFinished();
                break;
            case RECONCILED:
                state.reconciled();
                break;
            default:
                throw new IllegalStateException("Not a position marker: " + marker.kind);
        }
    }
}
