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
import dev.pgarrowcdc.flink.source.reader.frame.RelationSchema;
import dev.pgarrowcdc.flink.source.reader.frame.RelationSchema.ReplicaIdentity;
import dev.pgarrowcdc.flink.source.reader.frame.SchemaFrame;
import dev.pgarrowcdc.flink.testutils.PostgresCluster;
import dev.pgarrowcdc.flink.testutils.PostgresExtension;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.List;

import static dev.pgarrowcdc.flink.wal2arrow.Wal2ArrowTestSupport.inTransaction;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 3, test 5: what {@code -U}/{@code +U}/{@code -D} rows carry under each REPLICA IDENTITY.
 * Rows print as {@code kind table(col=value, ...)}, {@code <absent>} for a column the WAL did not
 * log.
 */
class ReplicaIdentityITCase {

    @RegisterExtension static final PostgresExtension PG = new PostgresExtension();

    @BeforeAll
    static void pluginBuilt() {
        PostgresCluster.requireWal2ArrowBuilt();
    }

    private static SlotChanges updateAndDelete(String table) throws Exception {
        Wal2ArrowTestSupport.createSlot(PG, "rid");
        inTransaction(PG, "INSERT INTO " + table + " VALUES (1, 'x', 10)");
        inTransaction(PG, "UPDATE " + table + " SET a = 'y' WHERE id = 1");
        inTransaction(PG, "DELETE FROM " + table + " WHERE id = 1");
        return Wal2ArrowTestSupport.get(PG, "rid");
    }

    private static RelationSchema schemaOf(SlotChanges changes) {
        List<SchemaFrame> s = changes.frames(FrameKind.SCHEMA);
        assertThat(s).hasSize(1);
        return s.get(0).schema();
    }

    @Test
    void defaultIdentitySendsUpdatesAsPlusUAndDeletesWithTheKeyOnly() throws Exception {
        PG.execute("CREATE TABLE t (id int PRIMARY KEY, a text, b int)");

        SlotChanges changes = updateAndDelete("t");

        RelationSchema schema = schemaOf(changes);
        assertThat(schema.replicaIdentity()).isEqualTo(ReplicaIdentity.DEFAULT);
        assertThat(schema.columns())
                .extracting(RelationSchema.Column::isReplicaIdentity)
                .containsExactly(true, false, false);
        assertThat(changes.rows("t"))
                .extracting(Object::toString)
                .containsExactly(
                        "+I t(id=1, a=x, b=10)",
                        "+U t(id=1, a=y, b=10)",
                        "-D t(id=1, a=<absent>, b=<absent>)");
    }

    @Test
    void aKeyChangeUnderDefaultIdentitySendsTheOldKeyAsMinusU() throws Exception {
        PG.execute(
                "CREATE TABLE t (id int PRIMARY KEY, a text, b int)",
                "INSERT INTO t VALUES (2, 'two', 20)");
        Wal2ArrowTestSupport.createSlot(PG, "rid");

        inTransaction(PG, "UPDATE t SET id = 3 WHERE id = 2");
        SlotChanges changes = Wal2ArrowTestSupport.get(PG, "rid");

        assertThat(changes.rows("t"))
                .extracting(Object::toString)
                .containsExactly("-U t(id=2, a=<absent>, b=<absent>)", "+U t(id=3, a=two, b=20)");
        assertThat(changes.batches()).hasSize(1);
    }

    @Test
    void fullIdentitySendsOldRowsWithEveryColumn() throws Exception {
        PG.execute(
                "CREATE TABLE t (id int PRIMARY KEY, a text, b int)",
                "ALTER TABLE t REPLICA IDENTITY FULL");

        SlotChanges changes = updateAndDelete("t");

        RelationSchema schema = schemaOf(changes);
        assertThat(schema.replicaIdentity()).isEqualTo(ReplicaIdentity.FULL);
        assertThat(schema.columns())
                .extracting(RelationSchema.Column::isReplicaIdentity)
                .containsExactly(true, true, true);
        assertThat(changes.rows("t"))
                .extracting(Object::toString)
                .containsExactly(
                        "+I t(id=1, a=x, b=10)",
                        "-U t(id=1, a=x, b=10)",
                        "+U t(id=1, a=y, b=10)",
                        "-D t(id=1, a=y, b=10)");
    }

    @Test
    void usingIndexIdentitySendsTheIndexColumnsInOldRows() throws Exception {
        PG.execute(
                "CREATE TABLE t (id int PRIMARY KEY, a text, u int NOT NULL)",
                "CREATE UNIQUE INDEX t_u ON t (u)",
                "ALTER TABLE t REPLICA IDENTITY USING INDEX t_u");
        Wal2ArrowTestSupport.createSlot(PG, "rid");

        inTransaction(PG, "INSERT INTO t VALUES (1, 'x', 10)");
        inTransaction(PG, "UPDATE t SET a = 'y' WHERE id = 1");
        inTransaction(PG, "UPDATE t SET u = 11 WHERE id = 1");
        inTransaction(PG, "DELETE FROM t WHERE id = 1");
        SlotChanges changes = Wal2ArrowTestSupport.get(PG, "rid");

        RelationSchema schema = schemaOf(changes);
        assertThat(schema.replicaIdentity()).isEqualTo(ReplicaIdentity.INDEX);
        assertThat(schema.columns())
                .extracting(RelationSchema.Column::isReplicaIdentity)
                .containsExactly(false, false, true);
        assertThat(schema.column("id").isKey()).isTrue();
        assertThat(changes.rows("t"))
                .extracting(Object::toString)
                .containsExactly(
                        "+I t(id=1, a=x, u=10)",
                        "+U t(id=1, a=y, u=10)",
                        "-U t(id=<absent>, a=<absent>, u=10)",
                        "+U t(id=1, a=y, u=11)",
                        "-D t(id=<absent>, a=<absent>, u=11)");
    }

    @Test
    void nothingIdentitySendsDeletesWithEveryColumnAbsent() throws Exception {
        PG.execute(
                "CREATE TABLE t (id int PRIMARY KEY, a text, b int)",
                "ALTER TABLE t REPLICA IDENTITY NOTHING");

        SlotChanges changes = updateAndDelete("t");

        RelationSchema schema = schemaOf(changes);
        assertThat(schema.replicaIdentity()).isEqualTo(ReplicaIdentity.NOTHING);
        assertThat(schema.columns())
                .extracting(RelationSchema.Column::isReplicaIdentity)
                .containsExactly(false, false, false);
        assertThat(changes.rows("t"))
                .extracting(Object::toString)
                .containsExactly(
                        "+I t(id=1, a=x, b=10)",
                        "+U t(id=1, a=y, b=10)",
                        "-D t(id=<absent>, a=<absent>, b=<absent>)");
    }

    @Test
    void defaultIdentityWithoutAPrimaryKeySendsDeletesWithEveryColumnAbsent() throws Exception {
        PG.execute("CREATE TABLE t (id int, a text, b int)");

        SlotChanges changes = updateAndDelete("t");

        RelationSchema schema = schemaOf(changes);
        assertThat(schema.replicaIdentity()).isEqualTo(ReplicaIdentity.DEFAULT);
        assertThat(schema.columns())
                .extracting(RelationSchema.Column::isReplicaIdentity)
                .containsExactly(false, false, false);
        assertThat(changes.rows("t"))
                .extracting(Object::toString)
                .containsExactly(
                        "+I t(id=1, a=x, b=10)",
                        "+U t(id=1, a=y, b=10)",
                        "-D t(id=<absent>, a=<absent>, b=<absent>)");
    }
}
