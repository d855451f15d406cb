package dev.pgarrowcdc.flink.source.reader;

import org.apache.flink.api.common.eventtime.TimestampAssigner;
import org.apache.flink.api.connector.source.SourceOutput;
import org.apache.flink.connector.base.source.reader.RecordEmitter;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.SimpleCounter;
import org.apache.flink.util.Collector;

import dev.pgarrowcdc.flink.source.PgArrowDeserializationSchema;
import dev.pgarrowcdc.flink.source.split.PgArrowSplitState;

/**
 * Emits rows through the deserializer and advances the split state with every record, on the task
 * thread: a checkpoint's split state reflects exactly the rows emitted before its barrier.
 *
 * <p>A stream row is emitted with its transaction's commit time (epoch milliseconds) as the record
 * timestamp, which is what Flink's {@code currentEmitEventTimeLag} measures against; snapshot rows
 * carry none.
 *
 * <p>{@code numRecordsIn} counts rows only. {@code SourceReaderBase} counts every record it hands
 * to the emitter, position markers included, so the emitter takes those back out.
 */
public final class PgArrowRecordEmitter<T> implements RecordEmitter<PgArrowRecord, T, PgArrowSplitState> {

    private final PgArrowDeserializationSchema<T> deserializer;
    private final OutputCollector<T> collector = new OutputCollector<>();
    private final PgArrowRecord.RowView view = new PgArrowRecord.RowView();
    private Counter numRecordsIn = new SimpleCounter();

    public PgArrowRecordEmitter(PgArrowDeserializationSchema<T> deserializer) {
        this.deserializer = deserializer;
    }

    /** The reader's {@code numRecordsIn} counter, which {@code SourceReaderBase} increments. */
    void correctsNumRecordsIn(Counter counter) {
        this.numRecordsIn = counter;
    }

    @Override
    public void emitRecord(PgArrowRecord record, SourceOutput<T> output, PgArrowSplitState state)
            throws Exception {
        if (record.kind != PgArrowRecord.Kind.ROW) {
            numRecordsIn.dec();
        }
        switch (record.kind) {
            case ROW:
                collector.output = output;
                boolean snapshot = record.context.fromSnapshot();
                collector.timestamp = snapshot
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
                break;
            case TRANSACTION_END:
                state.transactionCompleted(record.lsn);
                break;
            case PROGRESS:
                state.progressed(record.lsn);
                break;
            case SNAPSHOT_DONE:
                state.snapshotFinished(record.lsn);
                break;
            case CHUNK_SNAPSHOT:
                state.chunkSnapshot(record.snapshot);
                break;
            case CHUNK_DONE:
                state.chunkFinished();
                break;
            case RECONCILED:
                state.reconciled();
                break;
            default:
                throw new IllegalStateException("Unknown record kind " + record.kind);
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
