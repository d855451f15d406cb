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

import dev.pgarrowcdc.flink.testutils.PostgresCluster;
import dev.pgarrowcdc.flink.testutils.PostgresExtension;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.List;
import java.util.stream.Collectors;

import static dev.pgarrowcdc.flink.wal2arrow.Wal2ArrowTestSupport.inTransaction;
import static org.assertj.core.api.Assertions.assertThat;

/** Issue 3, test 8: lz4 and zstd bodies, decoded by Arrow Java's codecs, equal uncompressed. */
class CompressionITCase {

    @RegisterExtension static final PostgresExtension PG = new PostgresExtension();

    @BeforeAll
    static void pluginBuilt() {
        PostgresCluster.requireWal2ArrowBuilt();
    }

    private static List<String> rows(SlotChanges c) {
        return c.rows().stream().map(Object::toString).collect(Collectors.toList());
    }

    private static long frameBytes(SlotChanges c) {
        return c.batches().stream().mapToLong(b -> b.frameBytes).sum();
    }

    @Test
    void compressedBatchesDecodeToTheSameRows() throws Exception {
        // Given: compressible text and numbers, nulls, incompressible bytes, arrays
        PG.execute(
                "CREATE TABLE t (id int PRIMARY KEY, label text, amount numeric(12,2),"
                        + " noise bytea, tags text[], at timestamptz)");
        Wal2ArrowTestSupport.createSlot(PG, "compressed");
        inTransaction(
                PG,
                "INSERT INTO t SELECT i, 'label number ' || (i % 50),"
                        + " CASE WHEN i % 7 = 0 THEN NULL ELSE i * 1.25 END,"
                        + " decode(md5(i::text), 'hex'), ARRAY['a', NULL, i::text],"
                        + " '2024-01-01 00:00:00+00'::timestamptz + i * interval '1 second'"
                        + " FROM generate_series(1, 20000) i");
        inTransaction(PG, "UPDATE t SET label = NULL WHERE id <= 3", "DELETE FROM t WHERE id = 4");

        // When
        SlotChanges none =
                Wal2ArrowTestSupport.peek(
                        PG, "compressed", "compression", "none", "batch_rows", "4096");
        SlotChanges lz4 =
                Wal2ArrowTestSupport.peek(
                        PG, "compressed", "compression", "lz4", "batch_rows", "4096");
        SlotChanges lz4hc =
                Wal2ArrowTestSupport.peek(
                        PG,
                        "compressed",
                        "compression",
                        "lz4",
                        "compression_level",
                        "9",
                        "batch_rows",
                        "4096");
        SlotChanges zstd =
                Wal2ArrowTestSupport.peek(
                        PG, "compressed", "compression", "zstd", "batch_rows", "4096");
        SlotChanges zstd19 =
                Wal2ArrowTestSupport.peek(
                        PG,
                        "compressed",
                        "compression",
                        "zstd",
                        "compression_level",
                        "19",
                        "batch_rows",
                        "4096");

        // Then: the same rows, in fewer bytes
        List<String> expected = rows(none);
        assertThat(expected).hasSize(20000 + 4);
        assertThat(expected.get(0))
                .startsWith(
                        "+I t(id=1, label=label number 1, amount=1.25,"
                                + " noise=\\xc4ca4238a0b923820dcc509a6f75849b, tags=[a, null, 1], at=");
        assertThat(rows(lz4)).as("lz4").isEqualTo(expected);
        assertThat(rows(lz4hc)).as("lz4 level 9").isEqualTo(expected);
        assertThat(rows(zstd)).as("zstd").isEqualTo(expected);
        assertThat(rows(zstd19)).as("zstd level 19").isEqualTo(expected);
        // (a sixth of the raw bytes are random md5 digests, so no codec halves them)
        long raw = frameBytes(none);
        for (SlotChanges c : List.of(lz4, lz4hc, zstd, zstd19)) {
            assertThat(frameBytes(c))
                    .as("compressed frame bytes vs %d raw", raw)
                    .isLessThan(raw * 8 / 10);
        }
        assertThat(frameBytes(lz4hc)).as("LZ4-HC beats lz4 fast mode").isLessThan(frameBytes(lz4));
    }
}
