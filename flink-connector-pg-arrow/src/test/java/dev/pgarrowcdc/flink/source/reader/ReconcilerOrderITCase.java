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

import dev.pgarrowcdc.flink.source.PgArrowSourceConfig;
import dev.pgarrowcdc.flink.source.TestSources;
import dev.pgarrowcdc.flink.source.split.ChunkKey;
import dev.pgarrowcdc.flink.source.split.ChunkPiece;
import dev.pgarrowcdc.flink.source.split.Reconciliation;
import dev.pgarrowcdc.flink.source.split.TableId;
import dev.pgarrowcdc.flink.source.split.XidSnapshot;
import dev.pgarrowcdc.flink.testutils.PostgresExtension;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The stream places keys in chunks in PostgreSQL's own order: in Java for integer, numeric and uuid
 * keys, by the server for the rest. Both ways must agree with PostgreSQL's ORDER BY.
 */
class ReconcilerOrderITCase {

    @RegisterExtension static final PostgresExtension PG = new PostgresExtension();

    @Test
    void javaAndTheServerPlaceIntUuidNumericKeysAsPostgresOrdersThem() throws Exception {
        // Keys as PostgreSQL orders them, with negative numbers and uuids whose first byte is
        // above 0x7f (a signed comparison would put them first)
        List<String[]> sorted = new ArrayList<>();
        try (Connection c = PG.connect();
                Statement st = c.createStatement();
                ResultSet rs =
                        st.executeQuery(
                                "SELECT a::text, u::text, n::text FROM"
                                        + " (SELECT (g % 5) - 2 AS a, md5(g::text)::uuid AS u,"
                                        + "  ((g * 37) % 101 - 50) / 7.0 AS n FROM generate_series(1, 400) g) x"
                                        + " ORDER BY x.a, x.u, x.n")) {
            while (rs.next()) {
                sorted.add(new String[] {rs.getString(1), rs.getString(2), rs.getString(3)});
            }
        }
        // Pieces bounded by every 37th key
        List<ChunkPiece> pieces = new ArrayList<>();
        String[] lo = null;
        for (int i = 36; i < sorted.size(); i += 37) {
            pieces.add(new ChunkPiece(lo, sorted.get(i), XidSnapshot.parse("1:1:")));
            lo = sorted.get(i);
        }
        pieces.add(new ChunkPiece(lo, null, XidSnapshot.parse("1:1:")));
        PgArrowSourceConfig config = TestSources.config(PG, "public.t");
        TableId table = new TableId("public", "t");
        Reconciler java =
                new Reconciler(
                        config,
                        table,
                        new Reconciliation(
                                new ChunkKey(
                                        Arrays.asList("a", "u", "n"),
                                        Arrays.asList("integer", "uuid", "numeric"),
                                        Arrays.asList("", "", "")),
                                pieces));
        // The same types under names the Java path does not know: the server places the keys
        Reconciler server =
                new Reconciler(
                        config,
                        table,
                        new Reconciliation(
                                new ChunkKey(
                                        Arrays.asList("a", "u", "n"),
                                        Arrays.asList(
                                                "int4", "pg_catalog.uuid", "pg_catalog.numeric"),
                                        Arrays.asList("", "", "")),
                                pieces));

        int[] expected = new int[sorted.size()];
        for (int i = 0; i < sorted.size(); i++) {
            expected[i] = Math.min(i / 37, pieces.size() - 1);
        }
        try {
            assertThat(java.place(sorted)).containsExactly(expected);
            assertThat(server.place(sorted)).containsExactly(expected);
        } finally {
            java.close();
            server.close();
        }
    }
}
