package dev.pgarrowcdc.flink.source.reader;

import org.apache.flink.api.connector.source.SourceOutput;
import org.apache.flink.connector.base.source.reader.RecordEmitter;
import org.apache.flink.util.Collector;

import dev.pgarrowcdc.flink.source.PgArrowDeserializationSchema;
import dev.pgarrowcdc.flink.source.split.PgArrowSplitState;

/**
 * Emits rows through the deserializer and advances the split state with every record, on the task
 * thread: a checkpoint's split state reflects exactly the rows emitted before its barrier.
 */
public final class PgArrowRecordEmitter<T> implements RecordEmitter<PgArrowRecord, T, PgArrowSplitState> {

    private final PgArrowDeserializationSchema<T> deserializer;
    private final OutputCollector<T> collector = new OutputCollector<>();

    public PgArrowRecordEmitter(PgArrowDeserializationSchema<T> deserializer) {
        this.deserializer = deserializer;
    }

    @Override
    public void emitRecord(PgArrowRecord record, SourceOutput<T> output, PgArrowSplitState state)
            throws Exception {
        switch (record.kind) {
            case ROW:
                collector.output = output;
                deserializer.deserialize(record.row, record.context, collector);
                if (record.context.fromSnapshot()) {
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
            default:
                throw new IllegalStateException("Unknown record kind " + record.kind);
        }
    }

    private static final class OutputCollector<T> implements Collector<T> {
        private SourceOutput<T> output;

        @Override
        public void collect(T record) {
            output.collect(record);
        }

        @Override
        public void close() {}
    }
}
