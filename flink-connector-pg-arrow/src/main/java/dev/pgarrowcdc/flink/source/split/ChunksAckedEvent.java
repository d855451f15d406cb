package dev.pgarrowcdc.flink.source.split;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import org.apache.flink.api.connector.source.SourceEvent;

/**
 * Enumerator to reader: these finished chunks are in a completed checkpoint of the enumerator,
 * so the reader may forget them.
 */
public final class ChunksAckedEvent implements SourceEvent {

    private static final long serialVersionUID = 1L;

    private final List<String> splitIds;

    public ChunksAckedEvent(List<String> splitIds) {
        this.splitIds = Collections.unmodifiableList(new ArrayList<>(splitIds));
    }

    public List<String> splitIds() {
        return splitIds;
    }

    @Override
    public String toString() {
        return "ChunksAckedEvent" + splitIds;
    }
}
