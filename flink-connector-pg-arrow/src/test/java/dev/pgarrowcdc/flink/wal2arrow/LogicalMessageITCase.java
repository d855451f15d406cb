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
import dev.pgarrowcdc.flink.source.reader.frame.MessageFrame;
import dev.pgarrowcdc.flink.testutils.PostgresCluster;
import dev.pgarrowcdc.flink.testutils.PostgresExtension;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static dev.pgarrowcdc.flink.wal2arrow.Wal2ArrowTestSupport.inTransaction;
import static org.assertj.core.api.Assertions.assertThat;

/** Issue 3, test 4: pg_logical_emit_message, transactional and not, and the messages option. */
class LogicalMessageITCase {

    @RegisterExtension static final PostgresExtension PG = new PostgresExtension();

    @BeforeAll
    static void pluginBuilt() {
        PostgresCluster.requireWal2ArrowBuilt();
    }

    @Test
    void messagesAreFramedWhenAskedForAndOnlyThen() throws Exception {
        // Given
        PG.execute("CREATE TABLE t (id int PRIMARY KEY)");
        Wal2ArrowTestSupport.createSlot(PG, "msgs");

        // When: a transactional message after a row, a message-only transaction, and a
        // non-transactional message with binary content
        long x1 =
                inTransaction(
                        PG,
                        "INSERT INTO t VALUES (1)",
                        "SELECT pg_logical_emit_message(true, 'pfx', 'hello')");
        long x2 = inTransaction(PG, "SELECT pg_logical_emit_message(true, 'only', 'just me')");
        String nonTxEnd =
                Wal2ArrowTestSupport.queryString(
                        PG,
                        "SELECT pg_logical_emit_message(false, 'nontx', '\\x00ff01'::bytea)::text");
        // Nothing commits a non-transactional message, so nothing flushes its WAL at once, and
        // decoding reads only flushed WAL: wait for the WAL writer to flush it.
        awaitFlushed(nonTxEnd);
        SlotChanges off = Wal2ArrowTestSupport.peek(PG, "msgs");
        SlotChanges explicitOff = Wal2ArrowTestSupport.peek(PG, "msgs", "messages", "off");
        SlotChanges on = Wal2ArrowTestSupport.get(PG, "msgs", "messages", "on");

        // Then: by default (and with messages=off) no M frame, and the message-only
        // transaction writes nothing at all
        for (SlotChanges c : List.of(off, explicitOff)) {
            assertThat(c.kinds())
                    .containsExactly(
                            FrameKind.BEGIN, FrameKind.SCHEMA, FrameKind.ROWS, FrameKind.COMMIT);
            assertThat(c.transactions).extracting(t -> t.begin.xid()).containsExactly(x1);
        }

        // Then: with messages=on, M frames in place
        assertThat(on.transactions).hasSize(2);
        assertThat(on.transactions.get(0).begin.xid()).isEqualTo(x1);
        assertThat(on.transactions.get(0).kinds())
                .containsExactly(FrameKind.SCHEMA, FrameKind.ROWS, FrameKind.MESSAGE);
        assertThat(on.transactions.get(1).begin.xid()).isEqualTo(x2);
        assertThat(on.transactions.get(1).kinds()).containsExactly(FrameKind.MESSAGE);
        List<MessageFrame> messages = on.frames(FrameKind.MESSAGE);
        assertThat(messages).hasSize(3);

        MessageFrame m1 = messages.get(0);
        assertThat(m1.transactional()).isTrue();
        assertThat(m1.xid()).isEqualTo(x1);
        assertThat(m1.prefix()).isEqualTo("pfx");
        assertThat(new String(m1.content(), StandardCharsets.UTF_8)).isEqualTo("hello");
        // PostgreSQL hands the plugin the END of the message record (decode.c passes
        // buf->endptr), which here is where the commit record starts.
        assertThat(m1.lsn()).isLessThanOrEqualTo(on.transactions.get(0).commit.commitLsn());
        assertThat(m1.lsn()).isGreaterThan(on.transactions.get(0).begin.finalLsn() - 1_000_000);

        MessageFrame m2 = messages.get(1);
        assertThat(m2.transactional()).isTrue();
        assertThat(m2.xid()).isEqualTo(x2);
        assertThat(m2.prefix()).isEqualTo("only");
        assertThat(new String(m2.content(), StandardCharsets.UTF_8)).isEqualTo("just me");

        MessageFrame m3 = messages.get(2);
        assertThat(m3.transactional()).isFalse();
        assertThat(m3.prefix()).isEqualTo("nontx");
        assertThat(m3.content()).containsExactly(0x00, 0xFF, 0x01);
        assertThat(m3.lsn()).isGreaterThan(on.transactions.get(1).commit.commitLsn());
        // A non-transactional message is a lone frame in its own message, outside B..C
        SlotChanges.Message last = on.messages.get(on.messages.size() - 1);
        assertThat(last.events).containsExactly(m3);
        assertThat(on.kinds().get(on.kinds().size() - 1)).isEqualTo(FrameKind.MESSAGE);
        assertThat(on.kinds().get(on.kinds().size() - 2)).isEqualTo(FrameKind.COMMIT);
    }

    private static void awaitFlushed(String lsn) throws Exception {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (Wal2ArrowTestSupport.queryLong(
                        PG, "SELECT (pg_current_wal_flush_lsn() >= '" + lsn + "'::pg_lsn)::int")
                == 0) {
            assertThat(System.nanoTime())
                    .as("WAL flushed up to %s within 10 s", lsn)
                    .isLessThan(deadline);
            Thread.sleep(10);
        }
    }
}
