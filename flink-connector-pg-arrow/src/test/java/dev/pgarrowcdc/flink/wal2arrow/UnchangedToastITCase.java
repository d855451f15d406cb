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

import dev.pgarrowcdc.flink.source.reader.frame.ValueMark;
import dev.pgarrowcdc.flink.testutils.PostgresCluster;
import dev.pgarrowcdc.flink.testutils.PostgresExtension;

import org.apache.flink.types.RowKind;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.List;

import static dev.pgarrowcdc.flink.wal2arrow.Wal2ArrowTestSupport.inTransaction;
import static org.assertj.core.api.Assertions.assertThat;

/** Issue 3, test 6: an unchanged TOASTed value is marked, or filled from the old tuple. */
class UnchangedToastITCase {

    @RegisterExtension static final PostgresExtension PG = new PostgresExtension();

    /** 6,400 characters of md5 hex: out of line with STORAGE EXTERNAL, not compressible. */
    private static final String BIG_SQL =
            "(SELECT string_agg(md5(i::text), '') FROM generate_series(1, 200) i)";

    @BeforeAll
    static void pluginBuilt() {
        PostgresCluster.requireWal2ArrowBuilt();
    }

    private static String createToastedTable(String identity) throws Exception {
        PG.execute(
                "CREATE TABLE t (id int PRIMARY KEY, big text, small int)",
                "ALTER TABLE t ALTER COLUMN big SET STORAGE EXTERNAL",
                "ALTER TABLE t REPLICA IDENTITY " + identity);
        Wal2ArrowTestSupport.createSlot(PG, "toast");
        inTransaction(PG, "INSERT INTO t VALUES (1, " + BIG_SQL + ", 1)");
        String big = Wal2ArrowTestSupport.queryString(PG, "SELECT big FROM t WHERE id = 1");
        assertThat(big).hasSize(6400);
        assertThat(
                        Wal2ArrowTestSupport.queryLong(
                                PG,
                                "SELECT pg_relation_size(reltoastrelid) FROM pg_class WHERE relname = 't'"))
                .as("stored out of line, in the TOAST table")
                .isGreaterThan(0);
        return big;
    }

    @Test
    void underDefaultIdentityAnUnchangedToastedValueIsMarkedNotNull() throws Exception {
        // Given
        String big = createToastedTable("DEFAULT");

        // When: an update not touching big, a key change not touching it, then a real NULL
        inTransaction(PG, "UPDATE t SET small = 2 WHERE id = 1");
        inTransaction(PG, "UPDATE t SET id = 10 WHERE id = 1");
        inTransaction(PG, "UPDATE t SET big = NULL, small = 3 WHERE id = 10");
        SlotChanges changes = Wal2ArrowTestSupport.get(PG, "toast");

        // Then
        List<SlotChanges.Row> rows = changes.rows("t");
        assertThat(rows)
                .extracting(r -> r.kind)
                .containsExactly(
                        RowKind.INSERT,
                        RowKind.UPDATE_AFTER,
                        RowKind.UPDATE_BEFORE,
                        RowKind.UPDATE_AFTER,
                        RowKind.UPDATE_AFTER);
        assertThat(rows.get(0).value("big")).isEqualTo(big);
        assertThat(rows.get(0).mark("big")).isNull();

        SlotChanges.Row small2 = rows.get(1);
        assertThat(small2.value("small")).isEqualTo(2);
        assertThat(small2.isNull("big")).isTrue();
        assertThat(small2.mark("big")).isEqualTo(ValueMark.UNCHANGED_TOAST);
        assertThat(small2.isSqlNull("big")).as("never a NULL that looks real").isFalse();

        assertThat(rows.get(2).toString()).isEqualTo("-U t(id=1, big=<absent>, small=<absent>)");
        SlotChanges.Row moved = rows.get(3);
        assertThat(moved.value("id")).isEqualTo(10);
        assertThat(moved.mark("big")).isEqualTo(ValueMark.UNCHANGED_TOAST);
        assertThat(moved.isSqlNull("big")).isFalse();

        SlotChanges.Row nulled = rows.get(4);
        assertThat(nulled.isSqlNull("big")).as("an UPDATE to NULL is a real NULL").isTrue();
        assertThat(nulled.value("small")).isEqualTo(3);
        assertThat(changes.batches()).extracting(b -> b.markCount).containsExactly(0, 1, 1, 0);
    }

    @Test
    void underFullIdentityAnUnchangedToastedValueIsFilledFromTheOldTuple() throws Exception {
        // Given
        String big = createToastedTable("FULL");

        // When
        inTransaction(PG, "UPDATE t SET small = 2 WHERE id = 1");
        inTransaction(PG, "DELETE FROM t WHERE id = 1");
        SlotChanges changes = Wal2ArrowTestSupport.get(PG, "toast");

        // Then: -U and +U carry big in full, no marks anywhere
        List<SlotChanges.Row> rows = changes.rows("t");
        assertThat(rows)
                .extracting(r -> r.kind)
                .containsExactly(
                        RowKind.INSERT,
                        RowKind.UPDATE_BEFORE,
                        RowKind.UPDATE_AFTER,
                        RowKind.DELETE);
        for (SlotChanges.Row r : rows) {
            assertThat(r.value("big")).as("%s big", r.kind).isEqualTo(big);
            assertThat(r.mark("big")).isNull();
        }
        assertThat(rows.get(1).value("small")).isEqualTo(1);
        assertThat(rows.get(2).value("small")).isEqualTo(2);
        assertThat(rows.get(3).value("small")).isEqualTo(2);
        assertThat(changes.batches()).extracting(b -> b.markCount).containsOnly(0);
    }
}
