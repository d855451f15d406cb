package dev.pgarrowcdc.flink.source.reader;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import javax.annotation.Nullable;

import org.apache.flink.connector.base.source.reader.RecordsWithSplitIds;

/** One fetch's records, grouped by split in the order they were read. */
final class PgArrowRecords implements RecordsWithSplitIds<PgArrowRecord> {

    private final Map<String, List<PgArrowRecord>> bySplit = new LinkedHashMap<>();
    private final Set<String> finished = new HashSet<>();
    private Iterator<Map.Entry<String, List<PgArrowRecord>>> splits;
    private Iterator<PgArrowRecord> current;
    private int size;

    List<PgArrowRecord> listFor(String splitId) {
        return bySplit.computeIfAbsent(splitId, k -> new ArrayList<>());
    }

    void finish(String splitId) {
        finished.add(splitId);
    }

    /** Records added so far; call after filling. */
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
            current = null;
            return null;
        }
        Map.Entry<String, List<PgArrowRecord>> e = splits.next();
        current = e.getValue().iterator();
        return e.getKey();
    }

    @Nullable
    @Override
    public PgArrowRecord nextRecordFromSplit() {
        return current != null && current.hasNext() ? current.next() : null;
    }

    @Override
    public Set<String> finishedSplits() {
        return Collections.unmodifiableSet(finished);
    }
}
