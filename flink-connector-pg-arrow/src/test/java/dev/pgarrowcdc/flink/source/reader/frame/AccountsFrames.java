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
package dev.pgarrowcdc.flink.source.reader.frame;

import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.TinyIntVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.compression.CompressionUtil;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Schema;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * wal2arrow messages of one table {@code public.accounts (id int primary key, owner text)}, for
 * tests outside this package (the frame builders themselves stay package-private).
 */
public final class AccountsFrames {

    public static final long OID = 16384;

    private AccountsFrames() {}

    /**
     * One whole transaction (B, S, R, C) in one message.
     *
     * @param identity the replica identity as wal2arrow names it ("default", "full", ...)
     * @param rows (op, id, owner) triples; op 0 insert, 1 -U, 2 +U, 3 delete
     * @param marks {row, column, kind} triples (column 1 = id, 2 = owner)
     */
    public static byte[] transaction(
            BufferAllocator allocator,
            long xid,
            long finalLsn,
            long endLsn,
            long commitMicros,
            String identity,
            int[][] marks,
            Object[]... rows) {
        Schema schema =
                TestFrames.schema(
                        OID,
                        1,
                        "accounts",
                        identity,
                        List.of(
                                TestFrames.column(
                                        "id",
                                        new ArrowType.Int(32, true),
                                        "integer",
                                        true,
                                        1,
                                        null),
                                TestFrames.column(
                                        "owner",
                                        new ArrowType.Utf8(),
                                        "text",
                                        "full".equals(identity),
                                        0,
                                        null)));
        byte[] batch;
        try (VectorSchemaRoot root = VectorSchemaRoot.create(schema, allocator)) {
            TinyIntVector op = (TinyIntVector) root.getVector(0);
            IntVector id = (IntVector) root.getVector(1);
            VarCharVector owner = (VarCharVector) root.getVector(2);
            for (int r = 0; r < rows.length; r++) {
                op.setSafe(r, (Integer) rows[r][0]);
                id.setSafe(r, (Integer) rows[r][1]);
                if (rows[r][2] == null) {
                    owner.setNull(r);
                } else {
                    owner.setSafe(r, ((String) rows[r][2]).getBytes(StandardCharsets.UTF_8));
                }
            }
            root.setRowCount(rows.length);
            batch = TestFrames.batchMessage(root, CompressionUtil.CodecType.NO_COMPRESSION);
        }
        return TestFrames.concat(
                TestFrames.begin(xid, finalLsn, commitMicros),
                TestFrames.schemaFrame(OID, 1, schema),
                TestFrames.rowsFrame(OID, 1, rows.length, 0, marks, batch),
                TestFrames.commit(xid, finalLsn, endLsn, commitMicros, rows.length));
    }

    /** A TRUNCATE of public.accounts. */
    public static byte[] truncate() {
        return TestFrames.truncate(false, false, new Object[][] {{OID, "public", "accounts"}});
    }
}
