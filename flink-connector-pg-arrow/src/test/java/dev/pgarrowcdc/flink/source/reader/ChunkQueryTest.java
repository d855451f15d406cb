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

import dev.pgarrowcdc.flink.source.split.ChunkKey;
import dev.pgarrowcdc.flink.source.split.ChunkState;
import dev.pgarrowcdc.flink.source.split.TableId;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The chunk query both row sources read, and how the Arrow path hands it to {@code
 * wal2arrow_snapshot} as literals (COPY takes no bind parameters).
 */
class ChunkQueryTest {

    private static final ChunkKey KEY =
            new ChunkKey(
                    Arrays.asList("a", "B'\"c"),
                    Arrays.asList("integer", "text"),
                    Arrays.asList("", "\"pg_catalog\".\"C\""));

    private static final TableId TABLE = new TableId("s'\"x", "t");

    @Test
    void bothPathsReadTheSameQueryWithTheirOwnPlaceholders() {
        ChunkState chunk =
                ChunkState.planned(
                        1, KEY, null, new String[] {"1", "it's"}, new String[] {"9", "$1"});
        List<String> textParameters = new ArrayList<>();
        List<String> arrowParameters = new ArrayList<>();

        String text =
                ChunkReader.chunkQuery(TABLE, chunk, Arrays.asList("\"v\""), false, textParameters);
        String arrow =
                ChunkReader.chunkQuery(TABLE, chunk, Arrays.asList("\"v\""), true, arrowParameters);

        String row = "ROW(\"a\", \"B'\"\"c\")";
        assertThat(arrow)
                .isEqualTo(
                        "SELECT \"v\", \"a\", \"B'\"\"c\" FROM ONLY \"s'\"\"x\".\"t\" WHERE "
                                + row
                                + " > ROW(CAST($1 AS integer), CAST($2 AS text)) AND "
                                + row
                                + " <= ROW(CAST($3 AS integer), CAST($4 AS text))"
                                + " ORDER BY \"a\", \"B'\"\"c\"");
        assertThat(text).isEqualTo(arrow.replaceAll("\\$[0-9]", "?"));
        assertThat(arrowParameters).containsExactly("1", "it's", "9", "$1");
        assertThat(textParameters).isEqualTo(arrowParameters);
    }

    @Test
    void anUnboundedChunkWithoutColumnsSelectsOnlyTheKey() {
        List<String> parameters = new ArrayList<>();
        String sql =
                ChunkReader.chunkQuery(
                        TABLE,
                        ChunkState.planned(0, KEY, null, null, null),
                        new ArrayList<>(),
                        true,
                        parameters);
        assertThat(sql)
                .isEqualTo(
                        "SELECT \"a\", \"B'\"\"c\" FROM ONLY \"s'\"\"x\".\"t\""
                                + " ORDER BY \"a\", \"B'\"\"c\"");
        assertThat(parameters).isEmpty();
    }

    @Test
    void theFunctionCallCarriesEveryTextAsAStandardConformingLiteral() {
        String sql =
                ArrowChunkRows.copySql(
                        "\"my schema\".wal2arrow_snapshot",
                        TABLE,
                        Arrays.asList("v", "o'dd\\"),
                        "SELECT 'x' WHERE $1 = 'y\\'",
                        Arrays.asList("it's", "back\\slash"),
                        100,
                        4096,
                        "lz4");

        assertThat(sql)
                .isEqualTo(
                        "COPY (SELECT \"my schema\".wal2arrow_snapshot("
                                + "'\"s''\"\"x\".\"t\"'::pg_catalog.regclass,"
                                + " ARRAY['v', 'o''dd\\']::pg_catalog.text[],"
                                + " 'SELECT ''x'' WHERE $1 = ''y\\''',"
                                + " ARRAY['it''s', 'back\\slash']::pg_catalog.text[],"
                                + " 100, 4096, 'lz4', 1)) TO STDOUT (FORMAT binary)");
        assertThat(ArrowChunkRows.copySql("f", TABLE, null, "q", new ArrayList<>(), 1, 1, "none"))
                .contains(
                        "("
                                + "'\"s''\"\"x\".\"t\"'::pg_catalog.regclass, NULL::pg_catalog.text[], 'q', NULL::pg_catalog.text[], 1, 1, 'none', 1)");
        assertThatThrownBy(() -> ArrowChunkRows.literal("a\0b"))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
