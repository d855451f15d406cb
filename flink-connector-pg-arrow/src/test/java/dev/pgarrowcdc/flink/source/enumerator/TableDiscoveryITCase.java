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
package dev.pgarrowcdc.flink.source.enumerator;

import dev.pgarrowcdc.flink.source.split.TableId;
import dev.pgarrowcdc.flink.testutils.PostgresExtension;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.sql.Connection;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Discovery against a real catalog, names that need quoting included. */
class TableDiscoveryITCase {

    @RegisterExtension static final PostgresExtension PG = new PostgresExtension();

    private List<TableId> discover(String patterns) throws Exception {
        try (Connection c = PG.connect()) {
            return new TableDiscovery(TablePatterns.parse(patterns, PG.database())).discover(c);
        }
    }

    @Test
    void findsPermanentTablesMatchingThePatternsAndNothingElse() throws Exception {
        PG.execute(
                "CREATE SCHEMA sales",
                "CREATE SCHEMA \"My.Schema\"",
                "CREATE TABLE public.orders (id int PRIMARY KEY)",
                "CREATE TABLE public.user_accounts (id int)",
                "CREATE TABLE public.\"Order Lines\" (id int)",
                "CREATE TABLE sales.orders (id int)",
                "CREATE TABLE \"My.Schema\".\"T,1\" (id int)",
                "CREATE UNLOGGED TABLE public.scratch (id int)",
                "CREATE VIEW public.orders_view AS SELECT * FROM public.orders",
                "CREATE MATERIALIZED VIEW public.orders_mv AS SELECT * FROM public.orders");

        assertThat(discover("public.*"))
                .containsExactly(
                        new TableId("public", "Order Lines"),
                        new TableId("public", "orders"),
                        new TableId("public", "user_accounts"));
        assertThat(discover("*.orders"))
                .containsExactly(new TableId("public", "orders"), new TableId("sales", "orders"));
        assertThat(discover("public.user_*"))
                .containsExactly(new TableId("public", "user_accounts"));
        assertThat(discover("\"My.Schema\".\"T,1\", public.\"Order Lines\""))
                .containsExactly(
                        new TableId("My.Schema", "T,1"), new TableId("public", "Order Lines"));
        assertThat(discover(PG.database() + ".sales.*"))
                .containsExactly(new TableId("sales", "orders"));
        assertThat(discover("regex:(public|sales)\\.ord.*"))
                .containsExactly(new TableId("public", "orders"), new TableId("sales", "orders"));
        assertThat(discover("public.nothing_here")).isEmpty();
    }

    @Test
    void aPartitionedTableIsCapturedThroughItsLeafPartitions() throws Exception {
        PG.execute(
                "CREATE SCHEMA hist",
                "CREATE TABLE public.events (id int, at date, k int) PARTITION BY RANGE (at)",
                "CREATE TABLE public.events_2025 PARTITION OF public.events"
                        + " FOR VALUES FROM ('2025-01-01') TO ('2026-01-01')",
                // a sub-partitioned partition, in another schema: only its leaves hold rows
                "CREATE TABLE hist.events_old PARTITION OF public.events"
                        + " FOR VALUES FROM ('2000-01-01') TO ('2025-01-01') PARTITION BY HASH (k)",
                "CREATE TABLE hist.events_old_0 PARTITION OF hist.events_old FOR VALUES WITH (MODULUS 2, REMAINDER 0)",
                "CREATE TABLE hist.events_old_1 PARTITION OF hist.events_old FOR VALUES WITH (MODULUS 2, REMAINDER 1)",
                "CREATE TABLE public.other (id int)");

        List<TableId> leaves =
                List.of(
                        new TableId("hist", "events_old_0"),
                        new TableId("hist", "events_old_1"),
                        new TableId("public", "events_2025"));
        assertThat(discover("public.events")).containsExactlyElementsOf(leaves);
        assertThat(discover("public.*, hist.*"))
                .as("a leaf matched itself and through its parent is captured once")
                .containsExactly(
                        new TableId("hist", "events_old_0"),
                        new TableId("hist", "events_old_1"),
                        new TableId("public", "events_2025"),
                        new TableId("public", "other"));
        assertThat(discover("hist.events_old"))
                .containsExactly(
                        new TableId("hist", "events_old_0"), new TableId("hist", "events_old_1"));

        // a partition attached later is found by the next discovery
        PG.execute(
                "CREATE TABLE public.events_2026 PARTITION OF public.events"
                        + " FOR VALUES FROM ('2026-01-01') TO ('2027-01-01')");
        assertThat(discover("public.events"))
                .contains(new TableId("public", "events_2026"))
                .hasSize(4);
    }
}
