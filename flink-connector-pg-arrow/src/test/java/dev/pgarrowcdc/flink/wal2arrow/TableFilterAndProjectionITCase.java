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

import static dev.pgarrowcdc.flink.wal2arrow.Wal2ArrowTestSupport.inTransaction;
import static org.assertj.core.api.Assertions.assertThat;

/** Issue 3, test 7: options {@code tables} and {@code columns.<schema>.<table>}. */
class TableFilterAndProjectionITCase {

    @RegisterExtension static final PostgresExtension PG = new PostgresExtension();

    @BeforeAll
    static void pluginBuilt() {
        PostgresCluster.requireWal2ArrowBuilt();
    }

    @Test
    void onlyTheChosenTablesAndColumnsAreSent() throws Exception {
        // Given: tables in two schemas, one with a name that needs quoting
        PG.execute(
                "CREATE SCHEMA s2",
                "CREATE TABLE public.a (id int PRIMARY KEY, x text, y int, z text)",
                "CREATE TABLE public.b (id int PRIMARY KEY)",
                "CREATE TABLE s2.c (id int PRIMARY KEY, v text)",
                "CREATE TABLE s2.d (id int PRIMARY KEY)",
                "CREATE TABLE public.\"Mixed Case\" (id int PRIMARY KEY, \"Col One\" text,"
                        + " \"col,two\" int)");
        Wal2ArrowTestSupport.createSlot(PG, "filter");
        inTransaction(
                PG,
                "INSERT INTO public.a VALUES (1, 'x1', 11, 'z1')",
                "INSERT INTO public.b VALUES (2)",
                "INSERT INTO s2.c VALUES (3, 'v3')",
                "INSERT INTO s2.d VALUES (4)",
                "INSERT INTO public.\"Mixed Case\" VALUES (5, 'one', 55)");
        inTransaction(PG, "UPDATE public.a SET y = 12 WHERE id = 1");
        inTransaction(PG, "INSERT INTO public.b VALUES (6)");

        // When / Then: a table list with a schema wildcard, and a projection of a
        SlotChanges picked =
                Wal2ArrowTestSupport.peek(
                        PG, "filter", "tables", "public.a, s2.*", "columns.public.a", "id, z");
        assertThat(picked.batches())
                .extracting(SlotChanges.Batch::table)
                .containsOnly("public.a", "s2.c", "s2.d");
        assertThat(picked.<SchemaFrame>frames(FrameKind.SCHEMA))
                .extracting(
                        s ->
                                s.schema().qualifiedName()
                                        + " "
                                        + s.schema().toRowType().asSummaryString())
                .containsExactly(
                        "public.a ROW<`id` INT, `z` STRING>",
                        "s2.c ROW<`id` INT, `v` STRING>",
                        "s2.d ROW<`id` INT>");
        assertThat(picked.rows())
                .extracting(Object::toString)
                .containsExactly(
                        "+I a(id=1, z=z1)", "+I c(id=3, v=v3)", "+I d(id=4)", "+U a(id=1, z=z1)");
        assertThat(picked.transactions)
                .as("the transaction touching only b writes nothing")
                .hasSize(2);

        // When / Then: quoted names, in tables and in the projection's option name
        SlotChanges quoted =
                Wal2ArrowTestSupport.peek(
                        PG,
                        "filter",
                        "tables",
                        "public.\"Mixed Case\"",
                        "columns.public.\"Mixed Case\"",
                        "\"col,two\", id");
        assertThat(quoted.rows())
                .extracting(Object::toString)
                .containsExactly("+I Mixed Case(id=5, col,two=55)");
        assertThat(quoted.transactions).hasSize(1);

        // When / Then: no option, every table and column
        SlotChanges everything = Wal2ArrowTestSupport.peek(PG, "filter");
        assertThat(everything.rows()).hasSize(7);
        assertThat(everything.rows("a").get(0).toString())
                .isEqualTo("+I a(id=1, x=x1, y=11, z=z1)");
    }
}
