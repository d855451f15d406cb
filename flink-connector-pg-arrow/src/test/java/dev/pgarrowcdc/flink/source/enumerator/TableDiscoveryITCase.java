package dev.pgarrowcdc.flink.source.enumerator;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.pgarrowcdc.flink.source.split.TableId;
import dev.pgarrowcdc.flink.testutils.PostgresExtension;

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
        assertThat(discover("public.user_*")).containsExactly(new TableId("public", "user_accounts"));
        assertThat(discover("\"My.Schema\".\"T,1\", public.\"Order Lines\""))
                .containsExactly(new TableId("My.Schema", "T,1"), new TableId("public", "Order Lines"));
        assertThat(discover(PG.database() + ".sales.*")).containsExactly(new TableId("sales", "orders"));
        assertThat(discover("regex:(public|sales)\\.ord.*"))
                .containsExactly(new TableId("public", "orders"), new TableId("sales", "orders"));
        assertThat(discover("public.nothing_here")).isEmpty();
    }
}
