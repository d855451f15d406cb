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

import dev.pgarrowcdc.flink.source.PgArrowDeserializationSchema;
import dev.pgarrowcdc.flink.source.split.PgArrowSplitState;

import org.apache.flink.api.common.eventtime.TimestampAssigner;
import org.apache.flink.api.connector.source.SourceOutput;
import org.apache.flink.connector.base.source.reader.RecordEmitter;
import org.apache.flink.util.Collector;

/**
 * Emits rows through the deserializer and counts each in its split's state, on the task thread: a
 * checkpoint's split state reflects exactly the rows emitted before its barrier.
 *
 * <p>A stream row is emitted with its transaction's commit time (epoch milliseconds) as the record
 * timestamp, which is what Flink's {@code currentEmitEventTimeLag} measures against; snapshot rows
 * carry none.
 *
 * <p>Only rows reach the emitter, so {@code SourceReaderBase}'s {@code numRecordsIn} counts rows:
 * position markers are applied to the split state on the way to the next row ({@link
 * SplitPositions}).
 */
public final class PgArrowRecordEmitter<T>
        implements RecordEmitter<PgArrowRecord, T, PgArrowSplitState> {

    private final PgArrowDeserializationSchema<T> deserializer;
    private final OutputCollector<T> collector = new OutputCollector<>();
    private final PgArrowRecord.RowView view = new PgArrowRecord.RowView();

    public PgArrowRecordEmitter(PgArrowDeserializationSchema<T> deserializer) {
        this.deserializer = deserializer;
    }

    @Override
    public void emitRecord(PgArrowRecord record, SourceOutput<T> output, PgArrowSplitState state)
            throws Exception {
        if (record.kind != PgArrowRecord.Kind.ROW) {
            throw new IllegalStateException(
                    "A position marker reached the emitter: " + record.kind);
        }
        collector.output = output;
        boolean snapshot = record.context.fromSnapshot();
        collector.timestamp =
                snapshot
                        ? TimestampAssigner.NO_TIMESTAMP
                        : Math.floorDiv(record.context.commitTimeMicros(), 1000L);
        deserializer.deserialize(record.row, view.of(record), collector);
        if (record.key != null) {
            state.chunkRowEmitted(record.key);
        } else if (snapshot) {
            state.snapshotRowEmitted();
        } else {
            state.streamRowEmitted();
        }
    }

    private static final class OutputCollector<T> implements Collector<T> {
        private SourceOutput<T> output;
        private long timestamp;

        @Override
        public void collect(T record) {
            if (timestamp == TimestampAssigner.NO_TIMESTAMP) {
                output.collect(record);
            } else {
                output.collect(record, timestamp);
            }
        }

        @Override
        public void close() {}
    }
}
