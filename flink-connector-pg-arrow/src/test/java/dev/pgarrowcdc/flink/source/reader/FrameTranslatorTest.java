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

import dev.pgarrowcdc.flink.source.UnchangedToastMode;
import dev.pgarrowcdc.flink.source.UnknownValue;
import dev.pgarrowcdc.flink.source.reader.frame.AccountsFrames;
import dev.pgarrowcdc.flink.source.reader.frame.Frame;
import dev.pgarrowcdc.flink.source.reader.frame.WalArrowFrameDecoder;

import org.apache.flink.types.RowKind;
import org.apache.flink.util.FlinkRuntimeException;

import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Frames in, records out: the translator without a server. */
class FrameTranslatorTest {

    private BufferAllocator allocator;
    private WalArrowFrameDecoder decoder;
    private final AtomicInteger truncates = new AtomicInteger();

    @BeforeEach
    void setUp() {
        allocator = new RootAllocator();
        decoder = new WalArrowFrameDecoder(allocator, "slot 'unit'");
    }

    @AfterEach
    void tearDown() {
        decoder.close();
        assertThat(allocator.getAllocatedMemory()).isZero();
        allocator.close();
    }

    private List<PgArrowRecord> translate(FrameTranslator translator, byte[] message) {
        List<PgArrowRecord> out = new ArrayList<>();
        for (Frame f : decoder.decodeAll(ByteBuffer.wrap(message))) {
            try (Frame frame = f) {
                translator.translate(frame, out);
            }
        }
        return out;
    }

    private FrameTranslator translator(UnchangedToastMode mode) {
        return new FrameTranslator(mode, "slot 'unit'", truncates::incrementAndGet);
    }

    @Test
    void aTransactionBecomesItsRowsInOrderThenItsEnd() {
        FrameTranslator t = translator(UnchangedToastMode.FAIL);
        byte[] message =
                AccountsFrames.transaction(
                        allocator,
                        745,
                        0x100,
                        0x130,
                        1_700_000_000_123_456L,
                        "full",
                        new int[0][],
                        new Object[] {0, 1, "ada"},
                        new Object[] {1, 1, "ada"},
                        new Object[] {2, 1, "bob"},
                        new Object[] {3, 2, "cy"});

        List<PgArrowRecord> out = translate(t, message);

        assertThat(out)
                .extracting(r -> r.kind)
                .containsExactly(
                        PgArrowRecord.Kind.ROW,
                        PgArrowRecord.Kind.ROW,
                        PgArrowRecord.Kind.ROW,
                        PgArrowRecord.Kind.ROW,
                        PgArrowRecord.Kind.TRANSACTION_END);
        assertThat(out.subList(0, 4))
                .extracting(r -> r.row.getRowKind())
                .containsExactly(
                        RowKind.INSERT,
                        RowKind.UPDATE_BEFORE,
                        RowKind.UPDATE_AFTER,
                        RowKind.DELETE);
        assertThat(out.get(2).row.getInt(0)).isEqualTo(1);
        assertThat(out.get(2).row.getString(1).toString()).isEqualTo("bob");
        PgArrowRecord.RowContext context = out.get(0).context;
        assertThat(context.xid()).isEqualTo(745);
        assertThat(context.commitLsn()).isEqualTo(0x100);
        assertThat(context.commitTimeMicros()).isEqualTo(1_700_000_000_123_456L);
        assertThat(context.fromSnapshot()).isFalse();
        assertThat(context.tableName()).isEqualTo("accounts");
        assertThat(context.replicaIdentity()).isEqualTo("FULL");
        assertThat(context.logsOldRows()).isTrue();
        assertThat(out.get(4).lsn).isEqualTo(0x130);
        assertThat(t.transaction()).isNull();
    }

    @Test
    void columnsOutsideTheReplicaIdentityAreAbsentFromOldRowsOnly() {
        FrameTranslator t = translator(UnchangedToastMode.FAIL);
        byte[] message =
                AccountsFrames.transaction(
                        allocator,
                        9,
                        0x200,
                        0x230,
                        1L,
                        "default",
                        new int[0][],
                        new Object[] {3, 5, null},
                        new Object[] {0, 6, "new"});

        List<PgArrowRecord> out = translate(t, message);

        PgArrowRecord.RowView view = new PgArrowRecord.RowView();
        assertThat(view.of(out.get(0)).unknownValue(1)).isEqualTo(UnknownValue.ABSENT);
        assertThat(view.of(out.get(0)).unknownValue(0)).isNull();
        assertThat(view.of(out.get(1)).unknownValue(1)).isNull();
        assertThat(view.of(out.get(1)).allValuesKnown()).isTrue();
    }

    @Test
    void anUnchangedToastValueFailsUnderFailAndIsMarkedUnderNull() {
        // Given: a +U whose owner (column 2) is an unchanged TOAST value (mark kind 1)
        int[][] marks = {{0, 2, 1}};
        Object[] row = {2, 7, null};

        // fail: the error names the table, the column and the fix
        FrameTranslator failing = translator(UnchangedToastMode.FAIL);
        byte[] first =
                AccountsFrames.transaction(allocator, 11, 0x300, 0x330, 1L, "default", marks, row);
        assertThatThrownBy(() -> translate(failing, first))
                .isInstanceOf(FlinkRuntimeException.class)
                .hasMessageContaining("public.accounts")
                .hasMessageContaining("column 'owner'")
                .hasMessageContaining("REPLICA IDENTITY FULL");

        // null: the row goes out with the value marked
        FrameTranslator lenient = translator(UnchangedToastMode.NULL);
        byte[] second =
                AccountsFrames.transaction(allocator, 11, 0x300, 0x330, 1L, "default", marks, row);
        List<PgArrowRecord> out = translate(lenient, second);
        assertThat(out.get(0).row.isNullAt(1)).isTrue();
        assertThat(new PgArrowRecord.RowView().of(out.get(0)).unknownValue(1))
                .isEqualTo(UnknownValue.UNCHANGED_TOAST);
    }

    @Test
    void aTruncateIsReportedAndEmitsNothing() {
        FrameTranslator t = translator(UnchangedToastMode.FAIL);

        List<PgArrowRecord> out = translate(t, AccountsFrames.truncate());

        assertThat(out).isEmpty();
        assertThat(truncates.get()).isEqualTo(1);
    }

    @Test
    void resetForgetsAPartlyReadTransaction() {
        FrameTranslator t = translator(UnchangedToastMode.FAIL);
        byte[] message =
                AccountsFrames.transaction(
                        allocator,
                        12,
                        0x400,
                        0x430,
                        1L,
                        "full",
                        new int[0][],
                        new Object[] {0, 1, "a"});
        List<Frame> frames = decoder.decodeAll(ByteBuffer.wrap(message));
        List<PgArrowRecord> out = new ArrayList<>();
        try (Frame begin = frames.get(0)) {
            t.translate(begin, out);
        }
        assertThat(t.transaction()).isNotNull();

        t.reset();

        assertThat(t.transaction()).isNull();
        for (Frame f : frames.subList(1, frames.size())) {
            f.close();
        }
    }
}
