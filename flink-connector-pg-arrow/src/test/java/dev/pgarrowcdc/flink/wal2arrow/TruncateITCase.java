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
import dev.pgarrowcdc.flink.source.reader.frame.TruncateFrame;
import dev.pgarrowcdc.flink.source.reader.frame.TruncateFrame.TruncatedRelation;
import dev.pgarrowcdc.flink.testutils.PostgresCluster;
import dev.pgarrowcdc.flink.testutils.PostgresExtension;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.List;

import static dev.pgarrowcdc.flink.wal2arrow.Wal2ArrowTestSupport.inTransaction;
import static dev.pgarrowcdc.flink.wal2arrow.Wal2ArrowTestSupport.queryLong;
import static org.assertj.core.api.Assertions.assertThat;

/** Issue 3, test 3: TRUNCATE of one and several tables, CASCADE and RESTART IDENTITY. */
class TruncateITCase {

    @RegisterExtension static final PostgresExtension PG = new PostgresExtension();

    @BeforeAll
    static void pluginBuilt() {
        PostgresCluster.requireWal2ArrowBuilt();
    }

    private static TruncatedRelation rel(String table) throws Exception {
        return new TruncatedRelation(
                queryLong(PG, "SELECT '" + table + "'::regclass::oid::bigint"), "public", table);
    }

    @Test
    void truncatesCarryTheirRelationsAndFlags() throws Exception {
        // Given: a parent with a referencing child, two plain tables, an all-tables slot and a
        // slot for table b only
        PG.execute(
                "CREATE TABLE parent (id serial PRIMARY KEY)",
                "CREATE TABLE child (id int PRIMARY KEY, parent_id int REFERENCES parent)",
                "CREATE TABLE b (id int PRIMARY KEY)",
                "CREATE TABLE other (id int)");
        Wal2ArrowTestSupport.createSlot(PG, "all_tables");
        Wal2ArrowTestSupport.createSlot(PG, "only_b");

        // When
        long x1 = inTransaction(PG, "TRUNCATE b");
        long x2 = inTransaction(PG, "TRUNCATE b, other RESTART IDENTITY");
        long x3 = inTransaction(PG, "TRUNCATE parent CASCADE");
        SlotChanges all = Wal2ArrowTestSupport.get(PG, "all_tables");
        SlotChanges onlyB = Wal2ArrowTestSupport.get(PG, "only_b", "tables", "public.b");

        // Then: one B T C per TRUNCATE
        assertThat(all.transactions).hasSize(3);
        assertThat(all.transactions).extracting(t -> t.begin.xid()).containsExactly(x1, x2, x3);
        for (SlotChanges.Transaction t : all.transactions) {
            assertThat(t.kinds()).containsExactly(FrameKind.TRUNCATE);
        }
        List<TruncateFrame> truncates = all.frames(FrameKind.TRUNCATE);
        assertThat(truncates.get(0).relations()).containsExactly(rel("b"));
        assertThat(truncates.get(0).cascade()).isFalse();
        assertThat(truncates.get(0).restartIdentity()).isFalse();
        assertThat(truncates.get(1).relations()).containsExactlyInAnyOrder(rel("b"), rel("other"));
        assertThat(truncates.get(1).cascade()).isFalse();
        assertThat(truncates.get(1).restartIdentity()).isTrue();
        assertThat(truncates.get(2).relations())
                .containsExactlyInAnyOrder(rel("parent"), rel("child"));
        assertThat(truncates.get(2).cascade()).isTrue();
        assertThat(truncates.get(2).restartIdentity()).isFalse();

        // Then: the filtered slot lists only b, and writes nothing for the TRUNCATE without b
        assertThat(onlyB.transactions).extracting(t -> t.begin.xid()).containsExactly(x1, x2);
        List<TruncateFrame> bOnly = onlyB.frames(FrameKind.TRUNCATE);
        assertThat(bOnly).hasSize(2);
        assertThat(bOnly.get(0).relations()).containsExactly(rel("b"));
        assertThat(bOnly.get(1).relations()).containsExactly(rel("b"));
        assertThat(bOnly.get(1).restartIdentity()).isTrue();
    }
}
