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
package dev.pgarrowcdc.flink.wal2arrow;

import dev.pgarrowcdc.flink.source.reader.frame.CommitFrame;
import dev.pgarrowcdc.flink.source.reader.frame.Frame;
import dev.pgarrowcdc.flink.source.reader.frame.FrameKind;
import dev.pgarrowcdc.flink.source.reader.frame.RowsFrame;
import dev.pgarrowcdc.flink.source.reader.frame.WalArrowFrameDecoder;
import dev.pgarrowcdc.flink.testutils.PostgresCluster;
import dev.pgarrowcdc.flink.testutils.PostgresExtension;

import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.VarCharVector;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.postgresql.PGConnection;
import org.postgresql.replication.LogSequenceNumber;
import org.postgresql.replication.PGReplicationStream;

import java.nio.ByteBuffer;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static dev.pgarrowcdc.flink.wal2arrow.Wal2ArrowTestSupport.inTransaction;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 3, test 9: 1,600 columns, a value near 1 GB, a transaction of two million rows in bounded
 * batches. Checks shape and bounds, never time.
 */
class LimitsITCase {

    @RegisterExtension static final PostgresExtension PG = new PostgresExtension();

    @BeforeAll
    static void pluginBuilt() {
        PostgresCluster.requireWal2ArrowBuilt();
    }

    @Test
    void aTableOfSixteenHundredColumnsDecodes() throws Exception {
        // Given: PostgreSQL's maximum number of columns
        StringBuilder ddl = new StringBuilder("CREATE TABLE wide (");
        StringBuilder values = new StringBuilder("INSERT INTO wide VALUES (");
        for (int i = 1; i <= 1600; i++) {
            ddl.append(i > 1 ? ", " : "").append("c").append(i).append(" int");
            values.append(i > 1 ? ", " : "").append(i % 100 == 0 ? "NULL" : Integer.toString(i));
        }
        PG.execute(ddl.append(")").toString());
        Wal2ArrowTestSupport.createSlot(PG, "wide");

        // When
        inTransaction(PG, values.append(")").toString(), "INSERT INTO wide (c1600) VALUES (-1)");
        SlotChanges changes = Wal2ArrowTestSupport.get(PG, "wide");

        // Then
        List<SlotChanges.Row> rows = changes.rows("wide");
        assertThat(rows).hasSize(2);
        assertThat(rows.get(0).schema.columnCount()).isEqualTo(1600);
        assertThat(rows.get(0).schema.arrowSchema().getFields()).hasSize(1601);
        for (int i = 1; i <= 1600; i++) {
            String col = "c" + i;
            assertThat(rows.get(0).value(col)).as(col).isEqualTo(i % 100 == 0 ? null : i);
            assertThat(rows.get(1).value(col)).as(col).isEqualTo(i == 1600 ? -1 : null);
        }
    }

    @Test
    void twoMillionRowsArriveInBatchesWithinTheLimits() throws Exception {
        // Given: one transaction of two million narrow rows
        int total = 2_000_000;
        PG.execute("CREATE TABLE narrow (id int, v int)");
        Wal2ArrowTestSupport.createSlot(PG, "many");
        inTransaction(
                PG, "INSERT INTO narrow SELECT g, -g FROM generate_series(1, " + total + ") g");

        // When: read once limited by rows, once by bytes; ids checked batch by batch
        int batchRows = 5000;
        long batchBytes = 65536;
        List<int[]> idRanges = new ArrayList<>();
        SlotChanges byRows;
        SlotChanges byBytes;
        try (Connection c = PG.connect()) {
            byRows =
                    SlotChanges.read(
                            c,
                            "peek",
                            "many",
                            false,
                            f -> idRanges.add(ids(f)),
                            "batch_rows",
                            Integer.toString(batchRows));
            byBytes =
                    SlotChanges.read(
                            c,
                            "get",
                            "many",
                            false,
                            null,
                            "batch_rows",
                            "10000000",
                            "batch_bytes",
                            Long.toString(batchBytes));
        }

        // Then: every row once, in order, in batches of at most batch_rows rows
        assertThat(byRows.transactions).hasSize(1);
        CommitFrame commit = byRows.transactions.get(0).commit;
        assertThat(commit.rowCount()).isEqualTo(total);
        long expectedOrdinal = 0;
        for (SlotChanges.Batch b : byRows.batches()) {
            assertThat(b.rowCount).isBetween(1, batchRows);
            assertThat(b.firstRowOrdinal).isEqualTo(expectedOrdinal);
            expectedOrdinal += b.rowCount;
        }
        assertThat(expectedOrdinal).isEqualTo(total);
        assertThat(byRows.batches()).hasSize(total / batchRows);
        int nextId = 1;
        for (int[] range : idRanges) {
            assertThat(range[0]).as("first id of a batch").isEqualTo(nextId);
            assertThat(range[2]).as("ids ascend by one and v = -id inside a batch").isEqualTo(1);
            nextId = range[1] + 1;
        }
        assertThat(nextId).isEqualTo(total + 1);

        // Then: limited by bytes, each R frame stays near batch_bytes: its buffers (what
        // batch_bytes counts; no validity bitmaps here, the rows have no nulls) plus one row,
        // the 8-byte padding, the frame header and the RecordBatch metadata
        assertThat(byBytes.transactions.get(0).commit.rowCount()).isEqualTo(total);
        long rows = 0;
        long largest = 0;
        for (SlotChanges.Batch b : byBytes.batches()) {
            assertThat((long) b.frameBytes)
                    .as("bytes of an R frame")
                    .isLessThanOrEqualTo(batchBytes + 2048);
            largest = Math.max(largest, b.frameBytes);
            rows += b.rowCount;
        }
        assertThat(rows).isEqualTo(total);
        assertThat(largest)
                .as("batches are filled up to the byte limit, not cut early")
                .isGreaterThan(batchBytes / 2);
    }

    /** {first id, last id, 1 when ids ascend by one and v = -id throughout, else 0}. */
    private static int[] ids(RowsFrame f) {
        IntVector id = (IntVector) f.root().getVector(1);
        IntVector v = (IntVector) f.root().getVector(2);
        int n = f.rowCount();
        int ok = 1;
        for (int r = 0; r < n; r++) {
            if (id.get(r) != id.get(0) + r || v.get(r) != -id.get(r)) {
                ok = 0;
            }
        }
        return new int[] {id.get(0), id.get(n - 1), ok};
    }

    @Test
    void aValueNearOneGigabyteArrivesWhole() throws Exception {
        // Given: a 900,000,000-character text value (lz4-toasted, so the WAL stays small); an
        // SQL-function row could not carry it (bytea output doubles it past 1 GB), so it is
        // read over the replication protocol, as the connector does
        int length = 900_000_000;
        PG.execute("CREATE TABLE huge (id int PRIMARY KEY, body text)");
        Wal2ArrowTestSupport.createSlot(PG, "huge");
        // lz4 TOAST is 14+; 13's pglz keeps a run of one letter small too
        inTransaction(
                PG,
                PG.cluster().serverMajor() >= 14
                        ? "SET LOCAL default_toast_compression = 'lz4'"
                        : "SELECT 1",
                "INSERT INTO huge VALUES (1, repeat('x', " + (length - 2) + ") || 'yz')");

        // When
        long bodyLength = -1;
        String lastBytes = null;
        long committedRows = -1;
        try (Connection c = PG.connectForReplication();
                BufferAllocator allocator = new RootAllocator();
                WalArrowFrameDecoder decoder = new WalArrowFrameDecoder(allocator, "slot 'huge'");
                PGReplicationStream stream =
                        c.unwrap(PGConnection.class)
                                .getReplicationAPI()
                                .replicationStream()
                                .logical()
                                .withSlotName("huge")
                                .withStartPosition(LogSequenceNumber.valueOf(0L))
                                .withStatusInterval(10, TimeUnit.SECONDS)
                                .start()) {
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
            while (committedRows < 0 && System.nanoTime() < deadline) {
                ByteBuffer message = stream.readPending();
                if (message == null) {
                    Thread.sleep(20);
                    continue;
                }
                while (message.hasRemaining()) {
                    try (Frame f = decoder.decode(message)) {
                        if (f.kind() == FrameKind.ROWS) {
                            VarCharVector body =
                                    (VarCharVector) ((RowsFrame) f).root().getVector(2);
                            bodyLength = body.getEndOffset(0) - body.getStartOffset(0);
                            byte[] tail = new byte[3];
                            body.getDataBuffer().getBytes(body.getEndOffset(0) - 3, tail);
                            lastBytes = new String(tail, java.nio.charset.StandardCharsets.UTF_8);
                        } else if (f.kind() == FrameKind.COMMIT) {
                            committedRows = ((CommitFrame) f).rowCount();
                        }
                    }
                }
            }
        }

        // Then
        assertThat(committedRows).as("the transaction's C frame arrived").isEqualTo(1);
        assertThat(bodyLength).isEqualTo(length);
        assertThat(lastBytes).isEqualTo("xyz");
    }
}
