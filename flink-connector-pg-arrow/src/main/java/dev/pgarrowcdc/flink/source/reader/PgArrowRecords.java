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

import org.apache.flink.connector.base.source.reader.RecordsWithSplitIds;

import javax.annotation.Nullable;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One fetch's rows and position markers, grouped by split in the order they were read. Filled on
 * the fetcher thread, read on the task thread, where only rows come out as records: each marker is
 * applied to its split's state ({@link SplitPositions}) on the way to the next row.
 */
final class PgArrowRecords implements RecordsWithSplitIds<PgArrowRecord> {

    private final SplitPositions positions;
    private final Map<String, List<PgArrowRecord>> bySplit = new LinkedHashMap<>();
    private final Set<String> finished = new HashSet<>();
    private Iterator<Map.Entry<String, List<PgArrowRecord>>> splits;
    @Nullable private String currentSplit;
    @Nullable private Iterator<PgArrowRecord> current;
    private int size;

    /**
     * @param positions the reader's split states; used on the task thread only
     */
    PgArrowRecords(SplitPositions positions) {
        this.positions = positions;
    }

    List<PgArrowRecord> listFor(String splitId) {
        return bySplit.computeIfAbsent(splitId, k -> new ArrayList<>());
    }

    void finish(String splitId) {
        finished.add(splitId);
    }

    /** Rows and markers added so far; call after filling. */
    int size() {
        int n = 0;
        for (List<PgArrowRecord> l : bySplit.values()) {
            n += l.size();
        }
        size = n;
        return size;
    }

    boolean hasFinished() {
        return !finished.isEmpty();
    }

    @Nullable
    @Override
    public String nextSplit() {
        if (splits == null) {
            bySplit.values().removeIf(List::isEmpty);
            splits = bySplit.entrySet().iterator();
        }
        if (!splits.hasNext()) {
            currentSplit = null;
            current = null;
            return null;
        }
        Map.Entry<String, List<PgArrowRecord>> e = splits.next();
        currentSplit = e.getKey();
        current = e.getValue().iterator();
        return currentSplit;
    }

    /** The split's next row; the markers before it, or before the end, are applied on the way. */
    @Nullable
    @Override
    public PgArrowRecord nextRecordFromSplit() {
        if (current == null) {
            return null;
        }
        while (current.hasNext()) {
            PgArrowRecord record = current.next();
            if (record.kind == PgArrowRecord.Kind.ROW) {
                return record;
            }
            positions.apply(currentSplit, record);
        }
        return null;
    }

    @Override
    public Set<String> finishedSplits() {
        return Collections.unmodifiableSet(finished);
    }
}
