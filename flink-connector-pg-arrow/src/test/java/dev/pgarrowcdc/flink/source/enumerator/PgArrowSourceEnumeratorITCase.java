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

import dev.pgarrowcdc.flink.source.PgArrowSourceConfig;
import dev.pgarrowcdc.flink.source.StartupMode;
import dev.pgarrowcdc.flink.source.TestSources;
import dev.pgarrowcdc.flink.source.split.ChunkFinishedEvent;
import dev.pgarrowcdc.flink.source.split.ChunkState;
import dev.pgarrowcdc.flink.source.split.PgArrowSplit;
import dev.pgarrowcdc.flink.source.split.TableId;
import dev.pgarrowcdc.flink.source.split.XidSnapshot;
import dev.pgarrowcdc.flink.testutils.PostgresExtension;

import org.apache.flink.connector.testutils.source.reader.TestingSplitEnumeratorContext;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The enumerator with Flink's testing context against a real catalog. */
class PgArrowSourceEnumeratorITCase {

    @RegisterExtension static final PostgresExtension PG = new PostgresExtension();

    private static final int PARALLELISM = 3;

    private static List<PgArrowSplit> assigned(TestingSplitEnumeratorContext<PgArrowSplit> ctx) {
        List<PgArrowSplit> all = new ArrayList<>();
        ctx.getSplitAssignments().values().forEach(s -> all.addAll(s.getAssignedSplits()));
        return all;
    }

    private static PgArrowSplit byId(TestingSplitEnumeratorContext<PgArrowSplit> ctx, String id) {
        return assigned(ctx).stream()
                .filter(s -> s.splitId().equals(id))
                .findFirst()
                .orElseThrow(() -> new AssertionError(id + " not assigned: " + assigned(ctx)));
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
        PG.execute(
                "CREATE TABLE a (id int)",
                "CREATE TABLE b (id int)",
                "CREATE TABLE c (id int)",
                "CREATE TABLE \"D\" (id int)");
        TestingSplitEnumeratorContext<PgArrowSplit> ctx =
                new TestingSplitEnumeratorContext<>(PARALLELISM);
        PgArrowSourceEnumerator enumerator =
                new PgArrowSourceEnumerator(
                        ctx,
                        configWithMode("public.*", StartupMode.LATEST_OFFSET),
                        PgArrowEnumState.initial());

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
                .containsExactlyInAnyOrder(
                        "it_public_a",
                        "it_public_b",
                        "it_public_c",
                        SlotNames.slotName("it", new TableId("public", "D")));
        ctx.getSplitAssignments()
                .forEach(
                        (reader, state) ->
                                state.getAssignedSplits()
                                        .forEach(
                                                split ->
                                                        assertThat(
                                                                        PgArrowSourceEnumerator
                                                                                .ownerOf(
                                                                                        split
                                                                                                .splitId(),
                                                                                        PARALLELISM))
                                                                .isEqualTo(reader)));
        assertThat(assigned(ctx))
                .allMatch(
                        s ->
                                s.phase() == PgArrowSplit.Phase.STREAM
                                        && s.startLsn() > 0
                                        && s.tables().size() == 1);
        assertThat(enumerator.snapshotState(2).unassignedSplits()).isEmpty();
        assertThat(enumerator.snapshotState(2).capturedTables()).hasSize(4);
    }

    @Test
    void aTableCreatedLaterIsPickedUpByReDiscoveryAndReadFromItsBeginning() throws Exception {
        PG.execute("CREATE TABLE a (id int)");
        TestingSplitEnumeratorContext<PgArrowSplit> ctx = new TestingSplitEnumeratorContext<>(1);
        ctx.registerReader(0, "localhost");
        PgArrowSourceEnumerator enumerator =
                new PgArrowSourceEnumerator(
                        ctx,
                        configWithMode("public.*", StartupMode.LATEST_OFFSET),
                        PgArrowEnumState.initial());
        enumerator.start();
        ctx.triggerAllActions();
        assertThat(assigned(ctx))
                .singleElement()
                .satisfies(
                        s -> {
                            assertThat(s.phase()).isEqualTo(PgArrowSplit.Phase.STREAM);
                            assertThat(s.startLsn())
                                    .as("latest-offset resolves the current WAL LSN")
                                    .isPositive();
                        });

        PG.execute("CREATE TABLE b (id int)");
        ctx.triggerAllActions();
        enumerator.handleSplitRequest(0, null);
        ctx.triggerAllActions();

        assertThat(assigned(ctx)).hasSize(2);
        assertThat(assigned(ctx).get(1).slotName()).isEqualTo("it_public_b");
        assertThat(assigned(ctx).get(1).phase()).isEqualTo(PgArrowSplit.Phase.CHUNK);
    }

    @Test
    void chunksGoToReadersThatAskAndATablesStreamFollowsItsLastFinishedChunk() throws Exception {
        // Given a table of 10 rows chunked by 4: chunks (-inf,4], (4,8], (8,+inf)
        PG.execute(
                "CREATE TABLE k (id int PRIMARY KEY)",
                "INSERT INTO k SELECT g FROM generate_series(1, 10) g");
        TestingSplitEnumeratorContext<PgArrowSplit> ctx = new TestingSplitEnumeratorContext<>(2);
        ctx.registerReader(0, "localhost");
        ctx.registerReader(1, "localhost");
        PgArrowSourceConfig config =
                TestSources.<String>builder(PG, "public.k")
                        .chunkSize(4)
                        .deserializer(new TestSources.RowsAsText())
                        .build()
                        .config();
        PgArrowSourceEnumerator enumerator =
                new PgArrowSourceEnumerator(ctx, config, PgArrowEnumState.initial());
        enumerator.start();
        ctx.triggerAllActions();
        try (java.sql.Connection c = PG.connect();
                java.sql.Statement st = c.createStatement();
                java.sql.ResultSet rs =
                        st.executeQuery(
                                "SELECT count(*) FROM pg_replication_slots WHERE slot_name = 'it_public_k'")) {
            rs.next();
            assertThat(rs.getInt(1)).as("the slot is made before any chunk is read").isEqualTo(1);
        }
        assertThat(assigned(ctx)).as("no reader asked yet").isEmpty();

        // When both readers ask: each gets one chunk
        enumerator.handleSplitRequest(0, null);
        enumerator.handleSplitRequest(1, null);
        ctx.triggerAllActions();
        List<PgArrowSplit> chunks = assigned(ctx);
        assertThat(chunks)
                .extracting(PgArrowSplit::splitId)
                .containsExactly("it_public_k#0", "it_public_k#1");
        assertThat(chunks.get(0).chunk().lo()).isNull();
        assertThat(chunks.get(0).chunk().hi()).containsExactly("4");
        assertThat(chunks.get(1).chunk().lo()).containsExactly("4");
        assertThat(chunks.get(1).chunk().hi()).containsExactly("8");

        // When the readers finish them and one asks again: it gets the last chunk, no stream yet
        for (PgArrowSplit c : chunks) {
            enumerator.handleSourceEvent(
                    0,
                    new ChunkFinishedEvent(
                            c.slotName(),
                            c.table(),
                            c.chunk().withSnapshot(XidSnapshot.parse("900:900:")).withFinished()));
        }
        enumerator.handleSplitRequest(0, null);
        ctx.triggerAllActions();
        assertThat(assigned(ctx)).hasSize(3);
        PgArrowSplit last = byId(ctx, "it_public_k#2");
        assertThat(last.chunk().lo()).containsExactly("8");
        assertThat(last.chunk().hi()).isNull();

        // A report sent again (a reader restored before the acknowledgement) changes nothing
        enumerator.handleSourceEvent(
                1,
                new ChunkFinishedEvent(
                        chunks.get(0).slotName(),
                        chunks.get(0).table(),
                        chunks.get(0)
                                .chunk()
                                .withSnapshot(XidSnapshot.parse("900:900:"))
                                .withFinished()));

        // When the last chunk finishes: the stream split waits for a checkpoint to complete (rows
        // of other readers' chunks may still be on their way downstream), then goes to its owner
        enumerator.handleSourceEvent(
                0,
                new ChunkFinishedEvent(
                        last.slotName(),
                        last.table(),
                        last.chunk().withSnapshot(XidSnapshot.parse("901:901:")).withFinished()));
        assertThat(assigned(ctx)).noneMatch(s -> s.phase() == PgArrowSplit.Phase.STREAM);
        assertThat(enumerator.snapshotState(7).unassignedSplits())
                .noneMatch(s -> s.phase() == PgArrowSplit.Phase.STREAM);
        enumerator.notifyCheckpointComplete(7);
        PgArrowSplit stream = byId(ctx, "it_public_k");
        assertThat(stream.phase()).isEqualTo(PgArrowSplit.Phase.STREAM);
        assertThat(stream.startLsn()).isPositive();
        assertThat(stream.reconciliation().pieces())
                .extracting(p -> p.snapshot().xmax())
                .containsExactly(900L, 900L, 901L);
        assertThat(
                        ctx.getSplitAssignments()
                                .get(PgArrowSourceEnumerator.ownerOf("it_public_k", 2))
                                .getAssignedSplits())
                .contains(stream);
        PG.execute("SELECT pg_drop_replication_slot('it_public_k')");
    }

    @Test
    void aFailedReadersUnacknowledgedChunksAreForgottenAndItsStaleStreamSplitDropped()
            throws Exception {
        // Given a table of two chunks, both read by reader 0 and reported, not yet acknowledged
        PG.execute(
                "CREATE TABLE k (id int PRIMARY KEY)",
                "INSERT INTO k SELECT g FROM generate_series(1, 6) g");
        TestingSplitEnumeratorContext<PgArrowSplit> ctx = new TestingSplitEnumeratorContext<>(1);
        ctx.registerReader(0, "localhost");
        PgArrowSourceEnumerator enumerator =
                new PgArrowSourceEnumerator(
                        ctx,
                        TestSources.<String>builder(PG, "public.k")
                                .chunkSize(4)
                                .deserializer(new TestSources.RowsAsText())
                                .build()
                                .config(),
                        PgArrowEnumState.initial());
        enumerator.start();
        ctx.triggerAllActions();
        enumerator.handleSplitRequest(0, null);
        ctx.triggerAllActions();
        enumerator.handleSplitRequest(0, null);
        ctx.triggerAllActions();
        PgArrowSplit first = byId(ctx, "it_public_k#0");
        PgArrowSplit second = byId(ctx, "it_public_k#1");
        enumerator.handleSourceEvent(
                0,
                new ChunkFinishedEvent(
                        first.slotName(),
                        first.table(),
                        first.chunk().withSnapshot(XidSnapshot.parse("800:800:")).withFinished()));
        enumerator.handleSourceEvent(
                0,
                new ChunkFinishedEvent(
                        second.slotName(),
                        second.table(),
                        second.chunk().withSnapshot(XidSnapshot.parse("801:801:")).withFinished()));
        // Parallelism 1: the stream split is made at once, from those reports
        PgArrowSplit stale = byId(ctx, "it_public_k");

        // When reader 0 fails and returns what it got since its checkpoint: the second chunk and
        // the stream split (the first chunk was mid-read at its checkpoint)
        enumerator.addSplitsBack(java.util.Arrays.asList(second, stale), 0);

        // Then the stream split made from the rolled-back reports is dropped, the second chunk
        // is handed out again, and the stream waits for both chunks to be reported again
        assertThat(enumerator.snapshotState(3).unassignedSplits())
                .extracting(PgArrowSplit::splitId)
                .containsExactly("it_public_k#1");
        enumerator.handleSplitRequest(0, null);
        ctx.triggerAllActions();
        enumerator.handleSourceEvent(
                0,
                new ChunkFinishedEvent(
                        second.slotName(),
                        second.table(),
                        second.chunk().withSnapshot(XidSnapshot.parse("900:900:")).withFinished()));
        assertThat(enumerator.snapshotState(4).unassignedSplits()).isEmpty();
        ChunkState resumed =
                first.chunk()
                        .withSnapshot(XidSnapshot.parse("800:800:"))
                        .withRow(new String[] {"2"})
                        .resumed();
        enumerator.handleSourceEvent(
                0,
                new ChunkFinishedEvent(
                        first.slotName(),
                        first.table(),
                        resumed.withSnapshot(XidSnapshot.parse("901:901:")).withFinished()));
        List<PgArrowSplit> streams =
                assigned(ctx).stream()
                        .filter(s -> s.phase() == PgArrowSplit.Phase.STREAM)
                        .collect(Collectors.toList());
        assertThat(streams).hasSize(2);
        assertThat(streams.get(1).reconciliation().pieces())
                .extracting(p -> p.snapshot().xmax())
                .containsExactly(800L, 901L, 900L);
        PG.execute("SELECT pg_drop_replication_slot('it_public_k')");
    }

    @Test
    void splitsReturnedAfterAFailureAreReassignedAndRestoredStateMakesNoSecondSplit()
            throws Exception {
        PG.execute("CREATE TABLE a (id int)", "CREATE TABLE b (id int)");
        TestingSplitEnumeratorContext<PgArrowSplit> ctx = new TestingSplitEnumeratorContext<>(1);
        ctx.registerReader(0, "localhost");
        PgArrowSourceEnumerator enumerator =
                new PgArrowSourceEnumerator(ctx, config("public.*"), PgArrowEnumState.initial());
        enumerator.start();
        ctx.triggerAllActions();
        PgArrowEnumState checkpoint = enumerator.snapshotState(1);
        PgArrowSplit progressed =
                new PgArrowSplit(
                        "it_public_a",
                        Collections.singletonList(new TableId("public", "a")),
                        PgArrowSplit.Phase.STREAM,
                        3,
                        99,
                        1);

        // When reader 0 fails and returns its split: it is reassigned, progress kept.
        enumerator.addSplitsBack(Collections.singletonList(progressed), 0);
        assertThat(assigned(ctx)).contains(progressed);

        // When a new enumerator restores the checkpoint: it rediscovers without new splits.
        TestingSplitEnumeratorContext<PgArrowSplit> ctx2 = new TestingSplitEnumeratorContext<>(1);
        ctx2.registerReader(0, "localhost");
        PgArrowSourceEnumerator restored =
                new PgArrowSourceEnumerator(ctx2, config("public.*"), checkpoint);
        restored.start();
        ctx2.triggerAllActions();
        assertThat(assigned(ctx2)).isEmpty();
    }

    @Test
    void aPatternMatchingNoTableFailsNamingTheOption() throws Exception {
        PG.execute("CREATE TABLE a (id int)");
        PgArrowSourceEnumerator enumerator =
                new PgArrowSourceEnumerator(
                        new TestingSplitEnumeratorContext<PgArrowSplit>(1),
                        config("public.Nope, sales.*"),
                        PgArrowEnumState.initial());

        PgArrowSourceEnumerator.Discovered found = enumerator.discover();

        assertThatThrownBy(() -> enumerator.handleDiscovery(found, null))
                .hasMessage(
                        "'table-name' = 'public.Nope, sales.*' matches no table in database '"
                                + PG.database()
                                + "': check the schema and table names (unquoted parts are"
                                + " folded to lower case; write \"MixedCase\" in double quotes) and that"
                                + " the tables exist (permanent, not unlogged)");
    }

    @Test
    void aRoleWithoutReplicationIsRefusedNamingTheFix() throws Exception {
        PG.execute("CREATE ROLE plain_" + PG.database() + " LOGIN");
        PgArrowSourceConfig config =
                TestSources.<String>builder(PG, "public.*")
                        .username("plain_" + PG.database())
                        .deserializer(new TestSources.RowsAsText())
                        .build()
                        .config();
        PgArrowSourceEnumerator enumerator =
                new PgArrowSourceEnumerator(
                        new TestingSplitEnumeratorContext<PgArrowSplit>(1),
                        config,
                        PgArrowEnumState.initial());
        try {
            assertThatThrownBy(enumerator::discover)
                    .hasMessageContaining(
                            "Role 'plain_" + PG.database() + "' lacks the REPLICATION attribute")
                    .hasMessageContaining("ALTER ROLE \"plain_" + PG.database() + "\" REPLICATION");
        } finally {
            PG.execute("DROP ROLE plain_" + PG.database());
        }
    }

    @Test
    void aDiscoveryFailureAfterTheFirstIsLoggedNotFatal() throws Exception {
        PG.execute("CREATE TABLE a (id int)");
        PgArrowSourceEnumerator enumerator =
                new PgArrowSourceEnumerator(
                        new TestingSplitEnumeratorContext<PgArrowSplit>(1),
                        configWithMode("public.*", StartupMode.COMMITTED_OFFSET),
                        PgArrowEnumState.initial());
        assertThatThrownBy(() -> enumerator.handleDiscovery(null, new RuntimeException("down")))
                .hasMessageContaining("could not read the tables of database");
        enumerator.handleDiscovery(enumerator.discover(), null);

        enumerator.handleDiscovery(null, new RuntimeException("server restarting"));

        Map<String, PgArrowSplit> pending =
                enumerator.snapshotState(3).unassignedSplits().stream()
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
