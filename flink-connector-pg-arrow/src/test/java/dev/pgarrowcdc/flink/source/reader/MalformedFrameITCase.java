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
package dev.pgarrowcdc.flink.source.reader;

import dev.pgarrowcdc.flink.source.StartupMode;
import dev.pgarrowcdc.flink.source.TestSources;
import dev.pgarrowcdc.flink.testutils.PostgresExtension;
import dev.pgarrowcdc.flink.testutils.TcpProxy;

import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.CloseableIterator;
import org.apache.flink.util.ExceptionUtils;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Bytes the reader cannot decode arrive on a live replication stream (here: a proxy turns the
 * protocol version of one B frame into 9, as a newer plugin would write). The job must fail, not
 * reconnect into the same bytes or skip them, with an error that names the slot, the LSN the
 * message was received at, and what was expected; and it must not emit the transaction.
 */
@Timeout(120)
class MalformedFrameITCase {

    @RegisterExtension static final PostgresExtension PG = new PostgresExtension();

    @RegisterExtension
    static final MiniClusterExtension FLINK =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(1)
                            .build());

    /** The first 8 bytes of a version-1 B frame: magic, version, kind, header length 40. */
    private static final byte[] BEGIN_HEADER = {0x57, 0x41, 0x01, 0x42, 0x28, 0x00, 0x00, 0x00};

    @Test
    void aFrameOfAnUnknownVersionFailsTheJobNamingTheSlotAndTheLsn() throws Exception {
        PG.execute("CREATE TABLE t (id int PRIMARY KEY, v text)", "INSERT INTO t VALUES (1, 'a')");
        Configuration conf = new Configuration();
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(1);

        try (TcpProxy proxy = new TcpProxy(PG.host(), PG.port());
                CloseableIterator<String> it =
                        env.fromSource(
                                        TestSources.<String>builder(PG, "public.t")
                                                .hostname(proxy.host())
                                                .port(proxy.port())
                                                .startupMode(StartupMode.INITIAL)
                                                .deserializer(new TestSources.RowsAsText())
                                                .build(),
                                        WatermarkStrategy.noWatermarks(),
                                        "pg")
                                .executeAndCollect()) {
            List<String> rows = new ArrayList<>();
            rows.add(it.next());
            assertThat(rows).containsExactly("public.t +I(1, a)");

            // When: the next transaction's B frame reaches the reader as version 9
            proxy.corruptOnce(BEGIN_HEADER, 2, (byte) 9);
            PG.execute("INSERT INTO t VALUES (2, 'b')");

            AtomicReference<Throwable> failure = new AtomicReference<>();
            List<String> after = new ArrayList<>();
            try {
                while (it.hasNext()) {
                    after.add(it.next());
                }
            } catch (RuntimeException e) {
                failure.set(e);
            }

            // Then
            assertThat(proxy.corrupted()).as("the proxy changed a B frame").isTrue();
            assertThat(after).as("nothing of the undecodable transaction").isEmpty();
            assertThat(failure.get()).as("the job failed").isNotNull();
            String error = ExceptionUtils.stringifyException(failure.get());
            assertThat(error)
                    .contains("slot 'it_public_t'")
                    .contains("expected protocol version 1 but found 9")
                    .containsPattern("message received at LSN [0-9A-F]+/[0-9A-F]+");
        }
    }
}
