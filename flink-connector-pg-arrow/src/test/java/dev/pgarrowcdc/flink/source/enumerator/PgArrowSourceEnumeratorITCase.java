package dev.pgarrowcdc.flink.source.enumerator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import org.apache.flink.connector.testutils.source.reader.TestingSplitEnumeratorContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.pgarrowcdc.flink.source.PgArrowSourceConfig;
import dev.pgarrowcdc.flink.source.StartupMode;
import dev.pgarrowcdc.flink.source.TestSources;
import dev.pgarrowcdc.flink.source.split.PgArrowSplit;
import dev.pgarrowcdc.flink.source.split.TableId;
import dev.pgarrowcdc.flink.testutils.PostgresExtension;

/** The enumerator with Flink's testing context against a real catalog. */
class PgArrowSourceEnumeratorITCase {

    @RegisterExtension static final PostgresExtension PG = new PostgresExtension();

    private static final int PARALLELISM = 3;

    private static List<PgArrowSplit> assigned(TestingSplitEnumeratorContext<PgArrowSplit> ctx) {
        List<PgArrowSplit> all = new ArrayList<>();
        ctx.getSplitAssignments().values().forEach(s -> all.addAll(s.getAssignedSplits()));
        return all;
    }

    private static PgArrowSourceConfig config(String tables) {
        return TestSources.<String>builder(PG, tables)
                .tableDiscoveryInterval(Duration.ofSeconds(1))
                .deserializer(new TestSources.RowsAsText())
                .build()
                .config();
    }

    @Test
    void oneSplitPerTableGoesToItsStableOwnerOnceThatReaderRegisters() throws Exception {
        PG.execute("CREATE TABLE a (id int)", "CREATE TABLE b (id int)", "CREATE TABLE c (id int)",
                "CREATE TABLE \"D\" (id int)");
        TestingSplitEnumeratorContext<PgArrowSplit> ctx = new TestingSplitEnumeratorContext<>(PARALLELISM);
        PgArrowSourceEnumerator enumerator =
                new PgArrowSourceEnumerator(ctx, config("public.*"), PgArrowEnumState.initial());

        // When discovery runs before any reader registered: nothing is assigned yet.
        enumerator.start();
        ctx.triggerAllActions();
        assertThat(assigned(ctx)).isEmpty();
        assertThat(enumerator.snapshotState(1).unassignedSplits()).hasSize(4);

        // When all readers register: every split lands on hash(slot) mod parallelism.
        for (int i = 0; i < PARALLELISM; i++) {
            ctx.registerReader(i, "localhost");
            enumerator.addReader(i);
        }
        assertThat(assigned(ctx))
                .extracting(PgArrowSplit::slotName)
                .containsExactlyInAnyOrder("it_public_a", "it_public_b", "it_public_c",
                        SlotNames.slotName("it", new TableId("public", "D")));
        ctx.getSplitAssignments().forEach((reader, state) -> state.getAssignedSplits().forEach(
                split -> assertThat(PgArrowSourceEnumerator.ownerOf(split.splitId(), PARALLELISM))
                        .isEqualTo(reader)));
        assertThat(assigned(ctx)).allMatch(s -> s.phase() == PgArrowSplit.Phase.SNAPSHOT
                && s.startLsn() == 0 && s.tables().size() == 1);
        assertThat(enumerator.snapshotState(2).unassignedSplits()).isEmpty();
        assertThat(enumerator.snapshotState(2).capturedTables()).hasSize(4);
    }

    @Test
    void aTableCreatedLaterIsPickedUpByReDiscoveryAndReadFromItsBeginning() throws Exception {
        PG.execute("CREATE TABLE a (id int)");
        TestingSplitEnumeratorContext<PgArrowSplit> ctx = new TestingSplitEnumeratorContext<>(1);
        ctx.registerReader(0, "localhost");
        PgArrowSourceEnumerator enumerator = new PgArrowSourceEnumerator(
                ctx, configWithMode("public.*", StartupMode.LATEST_OFFSET), PgArrowEnumState.initial());
        enumerator.start();
        ctx.triggerAllActions();
        assertThat(assigned(ctx)).singleElement().satisfies(s -> {
            assertThat(s.phase()).isEqualTo(PgArrowSplit.Phase.STREAM);
            assertThat(s.startLsn()).as("latest-offset resolves the current WAL LSN").isPositive();
        });

        PG.execute("CREATE TABLE b (id int)");
        ctx.triggerAllActions();

        assertThat(assigned(ctx)).hasSize(2);
        assertThat(assigned(ctx).get(1).slotName()).isEqualTo("it_public_b");
        assertThat(assigned(ctx).get(1).phase()).isEqualTo(PgArrowSplit.Phase.SNAPSHOT);
    }

    @Test
    void splitsReturnedAfterAFailureAreReassignedAndRestoredStateMakesNoSecondSplit() throws Exception {
        PG.execute("CREATE TABLE a (id int)", "CREATE TABLE b (id int)");
        TestingSplitEnumeratorContext<PgArrowSplit> ctx = new TestingSplitEnumeratorContext<>(1);
        ctx.registerReader(0, "localhost");
        PgArrowSourceEnumerator enumerator =
                new PgArrowSourceEnumerator(ctx, config("public.*"), PgArrowEnumState.initial());
        enumerator.start();
        ctx.triggerAllActions();
        PgArrowEnumState checkpoint = enumerator.snapshotState(1);
        PgArrowSplit progressed = new PgArrowSplit("it_public_a",
                Collections.singletonList(new TableId("public", "a")), PgArrowSplit.Phase.STREAM, 3, 99, 1);

        // When reader 0 fails and returns its split: it is reassigned, progress kept.
        enumerator.addSplitsBack(Collections.singletonList(progressed), 0);
        assertThat(assigned(ctx)).contains(progressed);

        // When a new enumerator restores the checkpoint: it rediscovers without new splits.
        TestingSplitEnumeratorContext<PgArrowSplit> ctx2 = new TestingSplitEnumeratorContext<>(1);
        ctx2.registerReader(0, "localhost");
        PgArrowSourceEnumerator restored = new PgArrowSourceEnumerator(ctx2, config("public.*"), checkpoint);
        restored.start();
        ctx2.triggerAllActions();
        assertThat(assigned(ctx2)).isEmpty();
    }

    @Test
    void aPatternMatchingNoTableFailsNamingTheOption() throws Exception {
        PG.execute("CREATE TABLE a (id int)");
        PgArrowSourceEnumerator enumerator = new PgArrowSourceEnumerator(
                new TestingSplitEnumeratorContext<PgArrowSplit>(1), config("public.Nope, sales.*"), PgArrowEnumState.initial());

        PgArrowSourceEnumerator.Discovered found = enumerator.discover();

        assertThatThrownBy(() -> enumerator.handleDiscovery(found, null))
                .hasMessage("'table-name' = 'public.Nope, sales.*' matches no table in database '"
                        + PG.database() + "': check the schema and table names (unquoted parts are"
                        + " folded to lower case; write \"MixedCase\" in double quotes) and that"
                        + " the tables exist (permanent, not unlogged)");
    }

    @Test
    void aRoleWithoutReplicationIsRefusedNamingTheFix() throws Exception {
        PG.execute("CREATE ROLE plain_" + PG.database() + " LOGIN");
        PgArrowSourceConfig config = TestSources.<String>builder(PG, "public.*")
                .username("plain_" + PG.database())
                .deserializer(new TestSources.RowsAsText())
                .build()
                .config();
        PgArrowSourceEnumerator enumerator =
                new PgArrowSourceEnumerator(new TestingSplitEnumeratorContext<PgArrowSplit>(1), config, PgArrowEnumState.initial());
        try {
            assertThatThrownBy(enumerator::discover)
                    .hasMessageContaining("Role 'plain_" + PG.database()
                            + "' lacks the REPLICATION attribute")
                    .hasMessageContaining("ALTER ROLE \"plain_" + PG.database() + "\" REPLICATION");
        } finally {
            PG.execute("DROP ROLE plain_" + PG.database());
        }
    }

    @Test
    void aDiscoveryFailureAfterTheFirstIsLoggedNotFatal() throws Exception {
        PG.execute("CREATE TABLE a (id int)");
        PgArrowSourceEnumerator enumerator = new PgArrowSourceEnumerator(
                new TestingSplitEnumeratorContext<PgArrowSplit>(1), config("public.*"), PgArrowEnumState.initial());
        assertThatThrownBy(() -> enumerator.handleDiscovery(null, new RuntimeException("down")))
                .hasMessageContaining("could not read the tables of database");
        enumerator.handleDiscovery(enumerator.discover(), null);

        enumerator.handleDiscovery(null, new RuntimeException("server restarting"));

        Map<String, PgArrowSplit> pending = enumerator.snapshotState(3).unassignedSplits().stream()
                .collect(Collectors.toMap(PgArrowSplit::splitId, s -> s));
        assertThat(pending).containsOnlyKeys("it_public_a");
    }

    private static PgArrowSourceConfig configWithMode(String tables, StartupMode mode) {
        return TestSources.<String>builder(PG, tables)
                .startupMode(mode)
                .tableDiscoveryInterval(Duration.ofSeconds(1))
                .deserializer(new TestSources.RowsAsText())
                .build()
                .config();
    }
}
