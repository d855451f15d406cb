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
import dev.pgarrowcdc.flink.source.PgArrowRecordContext;
import dev.pgarrowcdc.flink.source.UnknownValue;
import dev.pgarrowcdc.flink.source.split.PgArrowSplit;
import dev.pgarrowcdc.flink.source.split.PgArrowSplitState;
import dev.pgarrowcdc.flink.source.split.TableId;

import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.source.SourceOutput;
import org.apache.flink.metrics.SimpleCounter;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.types.logical.IntType;
import org.apache.flink.table.types.logical.RowType;
import org.apache.flink.types.RowKind;
import org.apache.flink.util.Collector;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What reaches the emitter and what it hands on: rows only (so numRecordsIn counts rows), with
 * their unknown values and commit times, while the markers between them move the split state.
 */
class PgArrowRecordEmitterTest {

    private static final RowType TWO_INTS = RowType.of(new IntType(), new IntType());

    /** Records what the deserializer was told about each row. */
    private static final class Describe implements PgArrowDeserializationSchema<String> {
        private static final long serialVersionUID = 1L;

        @Override
        public void deserialize(RowData row, PgArrowRecordContext context, Collector<String> out) {
            out.collect(
                    row.getRowKind().shortString()
                            + " known="
                            + context.allValuesKnown()
                            + " "
                            + context.unknownValue(0)
                            + ","
                            + context.unknownValue(1));
        }

        @Override
        public TypeInformation<String> getProducedType() {
            return Types.STRING;
        }
    }

    private static final class Output implements SourceOutput<String> {
        final List<String> records = new ArrayList<>();

        @Override
        public void collect(String record) {
            records.add(record + " @none");
        }

        @Override
        public void collect(String record, long timestamp) {
            records.add(record + " @" + timestamp);
        }

        @Override
        public void emitWatermark(Watermark watermark) {}

        @Override
        public void markIdle() {}

        @Override
        public void markActive() {}
    }

    private static GenericRowData row(RowKind kind) {
        GenericRowData row = new GenericRowData(kind, 2);
        row.setField(0, 1);
        return row;
    }

    @Test
    void onlyRowsReachTheEmitterWithUnknownValuesAndCommitTimeWhileMarkersMoveTheSplitState()
            throws Exception {
        // Given: key column 0, column 1 outside the replica identity; one snapshot row
        PgArrowRecord.RowContext stream =
                new PgArrowRecord.RowContext(
                        "public",
                        "t",
                        false,
                        100,
                        7,
                        1_700_000_000_123_456L,
                        TWO_INTS,
                        new boolean[] {false, true},
                        "DEFAULT");
        PgArrowRecord.RowContext snapshot =
                new PgArrowRecord.RowContext("public", "t", true, 0, 0, 0, TWO_INTS);
        SplitPositions positions = new SplitPositions();
        PgArrowRecords fetch = new PgArrowRecords(positions);
        List<PgArrowRecord> records = fetch.listFor("s");
        records.add(
                PgArrowRecord.row(
                        row(RowKind.INSERT),
                        snapshot,
                        new UnknownValue[] {null, UnknownValue.NAN}));
        records.add(PgArrowRecord.snapshotDone(50));
        records.add(
                PgArrowRecord.row(
                        row(RowKind.UPDATE_AFTER),
                        stream,
                        new UnknownValue[] {null, UnknownValue.UNCHANGED_TOAST}));
        records.add(PgArrowRecord.row(row(RowKind.DELETE), stream));
        records.add(PgArrowRecord.row(row(RowKind.INSERT), stream));
        records.add(PgArrowRecord.transactionEnd(120));
        records.add(PgArrowRecord.progress(130));
        PgArrowRecordEmitter<String> emitter = new PgArrowRecordEmitter<>(new Describe());
        SimpleCounter numRecordsIn = new SimpleCounter();
        PgArrowSplitState state =
                new PgArrowSplitState(
                        PgArrowSplit.fresh(
                                "s",
                                Collections.singletonList(new TableId("public", "t")),
                                PgArrowSplit.Phase.SNAPSHOT,
                                0));
        positions.add(state);
        Output output = new Output();
        List<String> statesBeforeEachRow = new ArrayList<>();

        // When: read as SourceReaderBase reads a fetch, counting each record before emitting it
        assertThat(fetch.size()).isEqualTo(7);
        assertThat(fetch.nextSplit()).isEqualTo("s");
        for (PgArrowRecord r = fetch.nextRecordFromSplit();
                r != null;
                r = fetch.nextRecordFromSplit()) {
            statesBeforeEachRow.add(state.phase() + "@" + state.startLsn());
            numRecordsIn.inc();
            emitter.emitRecord(r, output, state);
        }
        assertThat(fetch.nextSplit()).isNull();

        // Then
        assertThat(output.records)
                .containsExactly(
                        "+I known=false null,NAN @none",
                        "+U known=false null,UNCHANGED_TOAST @1700000000123",
                        "-D known=false null,ABSENT @1700000000123",
                        "+I known=true null,null @1700000000123");
        assertThat(numRecordsIn.getCount()).as("rows only").isEqualTo(4);
        assertThat(statesBeforeEachRow)
                .as("each marker applied before the row after it")
                .containsExactly("SNAPSHOT@0", "STREAM@50", "STREAM@50", "STREAM@50");
        assertThat(state.startLsn())
                .as("the markers after the last row applied by the end")
                .isEqualTo(130);
        assertThat(state.rowsEmittedInNextTxn()).isZero();
        assertThat(state.snapshotRowsEmitted()).isEqualTo(1);
    }
}
