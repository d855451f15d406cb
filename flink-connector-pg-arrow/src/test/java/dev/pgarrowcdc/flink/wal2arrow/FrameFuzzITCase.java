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

import dev.pgarrowcdc.flink.source.reader.frame.FrameFuzzer;
import dev.pgarrowcdc.flink.testutils.PostgresCluster;
import dev.pgarrowcdc.flink.testutils.PostgresExtension;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.ByteArrayOutputStream;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

import static dev.pgarrowcdc.flink.wal2arrow.Wal2ArrowTestSupport.inTransaction;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Hostile input (issue 10, item 4) seeded from what a real server's wal2arrow writes: every type of
 * the type map, TOAST, updates and deletes under FULL and DEFAULT identity, TRUNCATE, logical
 * messages, plain, lz4 and zstd bodies, batches of two rows, one frame per message, and the
 * snapshot function's S, R and K frames. Each seed is everything one SQL call returned (one
 * decoding session), so its S frames precede its R frames. See {@code FrameFuzzer} for what fails a
 * case.
 */
class FrameFuzzITCase {

    @RegisterExtension static final PostgresExtension PG = new PostgresExtension();

    @BeforeAll
    static void pluginBuilt() {
        PostgresCluster.requireWal2ArrowBuilt();
    }

    /** All messages of one peek call, back to back. */
    private static byte[] peek(String... options) throws SQLException {
        StringBuilder sql =
                new StringBuilder(
                        "SELECT data FROM pg_logical_slot_peek_binary_changes('fuzz', NULL, NULL");
        for (int i = 0; i < options.length; i++) {
            sql.append(", ?");
        }
        sql.append(')');
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (Connection c = PG.connect();
                PreparedStatement ps = c.prepareStatement(sql.toString())) {
            for (int i = 0; i < options.length; i++) {
                ps.setString(i + 1, options[i]);
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.writeBytes(rs.getBytes(1));
                }
            }
        }
        return out.toByteArray();
    }

    /**
     * Every message the snapshot function returns for the table's rows (S, then R and K frames),
     * back to back: one decoding session.
     */
    private static byte[] snapshotFunction(
            String table, String query, String compression, int batchRows) throws SQLException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (Connection c = PG.connect();
                PreparedStatement ps =
                        c.prepareStatement(
                                "SELECT m FROM wal2arrow_snapshot(?::regclass, NULL, ?, NULL, ?,"
                                        + " 1048576, ?, 1) m")) {
            ps.setString(1, table);
            ps.setString(2, query);
            ps.setInt(3, batchRows);
            ps.setString(4, compression);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.writeBytes(rs.getBytes(1));
                }
            }
        }
        return out.toByteArray();
    }

    @Test
    void framesOfARealServerMutatedAreRefusedOrDecodeConsistently() throws Exception {
        // Given: a slot that saw every kind of change and type
        PG.execute(
                "CREATE TABLE t (id int PRIMARY KEY, b bool, i2 int2, i8 int8, f4 float4,"
                        + " f8 float8, n numeric(10,2), nx numeric, txt text, raw bytea, d date,"
                        + " tm time, ts timestamp, tz timestamptz, arr int[], tags text[],"
                        + " big text)",
                "ALTER TABLE t ALTER big SET STORAGE EXTERNAL",
                "CREATE TABLE f (id int, v text)",
                "ALTER TABLE f REPLICA IDENTITY FULL");
        Wal2ArrowTestSupport.createSlot(PG, "fuzz");
        inTransaction(
                PG,
                "INSERT INTO t VALUES (1, true, 1, 2, 1.5, 'NaN', 12.34, 'Infinity',"
                        + " 'h\u00e9', '\\x00ff', 'infinity', '24:00', '2024-01-01 12:00',"
                        + " '2024-01-01 12:00+02', '{1,NULL,3}', '{a,b}', repeat('x', 3000)),"
                        + " (2, NULL, NULL, NULL, NULL, NULL, 'NaN', NULL, NULL, NULL, NULL, NULL,"
                        + " NULL, NULL, '{}', NULL, NULL)");
        inTransaction(
                PG,
                "UPDATE t SET txt = 'changed' WHERE id = 1",
                "UPDATE t SET id = 3 WHERE id = 2",
                "DELETE FROM t WHERE id = 3");
        inTransaction(
                PG,
                "INSERT INTO f SELECT g, repeat('abc', g % 50) FROM" + " generate_series(1, 600) g",
                "UPDATE f SET v = NULL WHERE id < 4",
                "DELETE FROM f WHERE id = 5",
                "SELECT pg_logical_emit_message(true, 'pfx', 'in a transaction')");
        // The snapshot function's S, R and K frames of the same tables, before they are emptied
        byte[] snapshotOfT =
                snapshotFunction(
                        "t",
                        "SELECT id, b, i2, i8, f4, f8, n, nx, txt, raw, d, tm, ts, tz, arr, tags,"
                                + " big, id, txt FROM ONLY t ORDER BY id",
                        "none",
                        2);
        byte[] snapshotOfF =
                snapshotFunction("f", "SELECT id, v, id FROM ONLY f ORDER BY id", "lz4", 100);
        PG.execute(
                "SELECT pg_logical_emit_message(false, 'nt', '\\x0102'::bytea)", "TRUNCATE t, f");

        List<byte[]> seeds = new ArrayList<>();
        seeds.add(peek("messages", "on"));
        seeds.add(peek("compression", "lz4", "batch_rows", "300"));
        seeds.add(peek("compression", "zstd", "tables", "public.f"));
        seeds.add(peek("batch_rows", "2", "coalesce_frames", "off", "tables", "public.t"));
        seeds.add(snapshotOfT);
        seeds.add(snapshotOfF);
        for (byte[] seed : seeds) {
            assertThat(seed).isNotEmpty();
        }

        // When / Then
        try (FrameFuzzer fuzzer = new FrameFuzzer()) {
            for (byte[] seed : seeds) {
                fuzzer.check(seed, "an unmutated seed");
            }
            assertThat(fuzzer.decoded()).as("the seeds decode").isEqualTo(seeds.size());
            byte[] small = seeds.get(3);
            fuzzer.headerFields(small, "batch_rows 2");
            fuzzer.bodyWords(small, "batch_rows 2", 1024);
            fuzzer.headerFields(snapshotOfT, "snapshot function");
            fuzzer.bodyWords(snapshotOfT, "snapshot function", 1024);
            fuzzer.random(seeds, "server", FrameFuzzer.SEED, 1000);
            assertThat(fuzzer.refused()).isPositive();
        }
    }
}
