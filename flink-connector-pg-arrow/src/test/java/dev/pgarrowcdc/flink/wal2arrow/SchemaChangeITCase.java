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

import dev.pgarrowcdc.flink.source.reader.frame.FrameKind;
import dev.pgarrowcdc.flink.source.reader.frame.SchemaFrame;
import dev.pgarrowcdc.flink.testutils.PostgresCluster;
import dev.pgarrowcdc.flink.testutils.PostgresExtension;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;

import static dev.pgarrowcdc.flink.wal2arrow.Wal2ArrowTestSupport.inTransaction;
import static dev.pgarrowcdc.flink.wal2arrow.Wal2ArrowTestSupport.queryLong;
import static org.assertj.core.api.Assertions.assertThat;

/** Issue 3, test 2: ALTER TABLE mid-stream gives a new S frame and batches of the new shape. */
class SchemaChangeITCase {

    @RegisterExtension static final PostgresExtension PG = new PostgresExtension();

    @BeforeAll
    static void pluginBuilt() {
        PostgresCluster.requireWal2ArrowBuilt();
    }

    @Test
    void addDropAndAlterTypeEachSendANewSchemaVersion() throws Exception {
        // Given
        PG.execute("CREATE TABLE t (id int PRIMARY KEY, a text, b int)");
        Wal2ArrowTestSupport.createSlot(PG, "ddl");
        long oid = queryLong(PG, "SELECT 't'::regclass::oid::bigint");

        // When: inserts around each kind of ALTER, the last one inside a transaction
        inTransaction(PG, "INSERT INTO t VALUES (1, 'x', 10)");
        inTransaction(
                PG,
                "ALTER TABLE t ADD COLUMN c numeric(5,1)",
                "INSERT INTO t VALUES (2, 'y', 20, 2.5)");
        inTransaction(PG, "ALTER TABLE t DROP COLUMN a", "INSERT INTO t VALUES (3, 30, 3.5)");
        inTransaction(
                PG,
                "ALTER TABLE t ALTER COLUMN b TYPE bigint",
                "INSERT INTO t VALUES (4, 40, 4.5)");
        inTransaction(
                PG,
                "INSERT INTO t VALUES (5, 50, 5.5)",
                "ALTER TABLE t ADD COLUMN d text",
                "INSERT INTO t VALUES (6, 60, 6.5, 'six')");
        SlotChanges changes = Wal2ArrowTestSupport.get(PG, "ddl");

        // Then: S v1..v5, each followed by rows of exactly that shape
        List<SchemaFrame> schemas = changes.frames(FrameKind.SCHEMA);
        assertThat(schemas).extracting(SchemaFrame::schemaVersion).containsExactly(1, 2, 3, 4, 5);
        assertThat(schemas).extracting(SchemaFrame::relationOid).containsOnly(oid);
        List<String> shapes = new ArrayList<>();
        for (SchemaFrame s : schemas) {
            shapes.add(s.schema().toRowType().asSummaryString());
        }
        assertThat(shapes)
                .containsExactly(
                        "ROW<`id` INT, `a` STRING, `b` INT>",
                        "ROW<`id` INT, `a` STRING, `b` INT, `c` DECIMAL(5, 1)>",
                        "ROW<`id` INT, `b` INT, `c` DECIMAL(5, 1)>",
                        "ROW<`id` INT, `b` BIGINT, `c` DECIMAL(5, 1)>",
                        "ROW<`id` INT, `b` BIGINT, `c` DECIMAL(5, 1), `d` STRING>");

        // Then: only table t's rows (no rows of ALTER TYPE's transient rewrite table), in order,
        // each batch conforming to the schema version sent last
        assertThat(changes.batches()).extracting(SlotChanges.Batch::table).containsOnly("public.t");
        int lastVersion = 0;
        for (Object e : changes.events) {
            if (e instanceof SchemaFrame) {
                lastVersion = ((SchemaFrame) e).schemaVersion();
            } else if (e instanceof SlotChanges.Batch) {
                assertThat(((SlotChanges.Batch) e).schema.schemaVersion()).isEqualTo(lastVersion);
            }
        }
        List<SlotChanges.Row> rows = changes.rows("t");
        assertThat(rows)
                .extracting(r -> r.toString())
                .containsExactly(
                        "+I t(id=1, a=x, b=10)",
                        "+I t(id=2, a=y, b=20, c=2.5)",
                        "+I t(id=3, b=30, c=3.5)",
                        "+I t(id=4, b=40, c=4.5)",
                        "+I t(id=5, b=50, c=5.5)",
                        "+I t(id=6, b=60, c=6.5, d=six)");
        assertThat(rows.get(3).value("b")).isEqualTo(40L);
        assertThat(rows.get(2).value("c")).isEqualTo(new BigDecimal("3.5"));
        // The last transaction: R (v4), S (v5), R (v5)
        SlotChanges.Transaction last = changes.transactions.get(changes.transactions.size() - 1);
        assertThat(last.kinds()).containsExactly(FrameKind.ROWS, FrameKind.SCHEMA, FrameKind.ROWS);
    }

    @Test
    void everyNewSessionStartsAgainAtSchemaVersionOne() throws Exception {
        // Given: a slot read once already
        PG.execute("CREATE TABLE t (id int PRIMARY KEY)");
        Wal2ArrowTestSupport.createSlot(PG, "again");
        PG.execute("INSERT INTO t VALUES (1)");
        SlotChanges first = Wal2ArrowTestSupport.get(PG, "again");

        // When: a second SQL call (a new decoding session) reads the next change
        PG.execute("INSERT INTO t VALUES (2)");
        SlotChanges second = Wal2ArrowTestSupport.get(PG, "again");

        // Then: each session sends its own S frame before the rows
        assertThat(first.kinds())
                .containsExactly(
                        FrameKind.BEGIN, FrameKind.SCHEMA, FrameKind.ROWS, FrameKind.COMMIT);
        assertThat(second.kinds())
                .containsExactly(
                        FrameKind.BEGIN, FrameKind.SCHEMA, FrameKind.ROWS, FrameKind.COMMIT);
        assertThat(second.<SchemaFrame>frames(FrameKind.SCHEMA).get(0).schemaVersion())
                .isEqualTo(1);
        assertThat(second.rows("t")).extracting(Object::toString).containsExactly("+I t(id=2)");
    }
}
