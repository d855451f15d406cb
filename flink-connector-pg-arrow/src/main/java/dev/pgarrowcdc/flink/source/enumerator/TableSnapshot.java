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
package dev.pgarrowcdc.flink.source.enumerator;

import dev.pgarrowcdc.flink.source.split.ChunkKey;
import dev.pgarrowcdc.flink.source.split.ChunkPiece;
import dev.pgarrowcdc.flink.source.split.ChunkState;
import dev.pgarrowcdc.flink.source.split.Reconciliation;
import dev.pgarrowcdc.flink.source.split.TableId;
import dev.pgarrowcdc.flink.source.split.XidSnapshot;

import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

import javax.annotation.Nullable;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The enumerator's record of one table's chunked snapshot: the slot's consistent point {@code C}
 * and cut {@code E} (none in bounded mode), the chunk key, how far the chunks are planned (the last
 * boundary; planned chunks not yet handed out are unassigned splits), and the chunks finished so
 * far with their pieces. Only a window of chunks is ever planned ahead, so the state stays small
 * however big the table. Mutable; owned by the coordinator thread.
 */
final class TableSnapshot {

    final TableId table;
    final String slotName;

    /** The slot's consistent point; 0 in bounded mode (no slot). */
    final long consistentPoint;

    /** Visibility at the consistent point; null in bounded mode. */
    @Nullable final XidSnapshot cut;

    final ChunkKey key;

    /** Rows the server estimates (pg_class.reltuples), -1 when unknown. */
    final long estimatedRows;

    /** The upper bound of the last planned chunk; null before the first. */
    @Nullable String[] cursor;

    boolean planningDone;

    /** Chunks planned so far; chunk indexes are 0 .. planned-1. */
    int planned;

    /** Finished chunks by index, with their pieces. */
    final Map<Integer, ChunkState> finished = new TreeMap<>();

    /** Not checkpointed: a planning query is running. */
    transient boolean planning;

    /** The table's stream split was made (the record stays until a checkpoint holds it). */
    boolean streamCreated;

    /**
     * Not checkpointed. Every chunk finished and the stream split waits for a checkpoint: -1 for
     * the next one taken, then its id; {@link #NONE} when not waiting.
     */
    transient long awaiting = NONE;

    /** Not checkpointed: the checkpoint that holds the stream split (-1: the next), or NONE. */
    transient long doneAt = NONE;

    static final long NONE = -2;

    /** Not checkpointed: when every chunk was found finished (System.nanoTime). */
    transient long allFinishedNanos;

    /** Not checkpointed: when the last progress line of this table was logged. */
    transient long lastLogNanos;

    /** Not checkpointed: whether this table's gauges are registered. */
    transient boolean gauges;

    /** What the gauges show (read on the metric reporter's thread). */
    transient volatile long shownPlanned;

    transient volatile long shownFinished;
    transient volatile long shownRows;

    /** Publishes the progress to the gauges; on the coordinator thread after each change. */
    void show() {
        shownPlanned = planned;
        shownFinished = finished.size();
        shownRows = rowsRead();
    }

    TableSnapshot(
            TableId table,
            String slotName,
            long consistentPoint,
            @Nullable XidSnapshot cut,
            ChunkKey key,
            long estimatedRows) {
        this.table = table;
        this.slotName = slotName;
        this.consistentPoint = consistentPoint;
        this.cut = cut;
        this.key = key;
        this.estimatedRows = estimatedRows;
    }

    boolean allFinished() {
        return planningDone && finished.size() == planned;
    }

    long rowsRead() {
        long n = 0;
        for (ChunkState c : finished.values()) {
            n += c.rowsRead();
        }
        return n;
    }

    /** Every finished piece in key order (chunks in index order, a chunk's pieces in order). */
    Reconciliation reconciliation() {
        List<ChunkPiece> pieces = new ArrayList<>();
        for (ChunkState c : finished.values()) {
            pieces.addAll(c.pieces());
        }
        return new Reconciliation(key, pieces);
    }

    void write(DataOutputView out) throws IOException {
        out.writeUTF(table.schema());
        out.writeUTF(table.table());
        out.writeUTF(slotName);
        out.writeLong(consistentPoint);
        out.writeBoolean(cut != null);
        if (cut != null) {
            cut.write(out);
        }
        key.write(out);
        out.writeLong(estimatedRows);
        ChunkPiece.writeKey(cursor, out);
        out.writeBoolean(planningDone);
        out.writeInt(planned);
        out.writeBoolean(streamCreated);
        out.writeInt(finished.size());
        for (ChunkState c : finished.values()) {
            c.write(out);
        }
    }

    static TableSnapshot read(DataInputView in) throws IOException {
        TableId table = new TableId(in.readUTF(), in.readUTF());
        String slot = in.readUTF();
        long consistentPoint = in.readLong();
        XidSnapshot cut = in.readBoolean() ? XidSnapshot.read(in) : null;
        ChunkKey key = ChunkKey.read(in);
        TableSnapshot t = new TableSnapshot(table, slot, consistentPoint, cut, key, in.readLong());
        t.cursor = ChunkPiece.readKey(in);
        t.planningDone = in.readBoolean();
        t.planned = in.readInt();
        t.streamCreated = in.readBoolean();
        if (t.streamCreated) {
            t.doneAt = -1;
        }
        int n = in.readInt();
        for (int i = 0; i < n; i++) {
            ChunkState c = ChunkState.read(in);
            t.finished.put(c.index(), c);
        }
        return t;
    }

    @Override
    public String toString() {
        return "TableSnapshot{"
                + table
                + ", slot="
                + slotName
                + ", key="
                + key
                + ", planned="
                + planned
                + (planningDone ? " (all)" : "")
                + ", finished="
                + finished.size()
                + "}";
    }
}
