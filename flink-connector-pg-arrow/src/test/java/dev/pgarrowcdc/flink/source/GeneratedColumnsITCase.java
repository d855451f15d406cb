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
package dev.pgarrowcdc.flink.source;

import dev.pgarrowcdc.flink.testutils.PostgresExtension;

import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.CloseableIterator;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Generated columns read the same from the snapshot and from the stream. A stored one is in the WAL
 * like any column. A virtual one (PostgreSQL 18) is computed on read and never stored, so the WAL,
 * and wal2arrow, never carry it: the snapshot leaves it out too, or the two phases would disagree
 * on the row's shape.
 */
@Timeout(180)
class GeneratedColumnsITCase {

    @RegisterExtension static final PostgresExtension PG = new PostgresExtension();

    @RegisterExtension
    static final MiniClusterExtension FLINK =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(1)
                            .build());

    private static List<String> readSnapshotThenStream(String table, String insertWhileStreaming)
            throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(1);
        List<String> rows = new ArrayList<>();
        try (CloseableIterator<String> it =
                env.fromSource(
                                TestSources.<String>builder(PG, table)
                                        .startupMode(StartupMode.INITIAL)
                                        .deserializer(new TestSources.RowsAsText())
                                        .build(),
                                WatermarkStrategy.noWatermarks(),
                                "pg")
                        .executeAndCollect()) {
            rows.add(it.next());
            PG.execute(insertWhileStreaming);
            rows.add(it.next());
        }
        return rows;
    }

    @Test
    void aStoredGeneratedColumnIsAValueInTheSnapshotAndInTheStream() throws Exception {
        PG.execute(
                "CREATE TABLE g (id int PRIMARY KEY, a int,"
                        + " s int GENERATED ALWAYS AS (a * 100) STORED, b text)",
                "INSERT INTO g (id, a, b) VALUES (1, 2, 'x')");

        assertThat(
                        readSnapshotThenStream(
                                "public.g", "INSERT INTO g (id, a, b) VALUES (2, 3, 'y')"))
                .containsExactly("public.g +I(1, 2, 200, x)", "public.g +I(2, 3, 300, y)");
    }

    @Test
    void aVirtualGeneratedColumnIsInNeitherTheSnapshotNorTheStream() throws Exception {
        assumeTrue(
                PG.cluster().serverMajor() >= 18,
                "virtual generated columns are new in PostgreSQL 18; this server is "
                        + PG.cluster().serverMajor());
        PG.execute(
                "CREATE TABLE g (id int PRIMARY KEY, a int,"
                        + " v int GENERATED ALWAYS AS (a * 10) VIRTUAL,"
                        + " s int GENERATED ALWAYS AS (a * 100) STORED, b text)",
                "INSERT INTO g (id, a, b) VALUES (1, 2, 'x')");

        assertThat(
                        readSnapshotThenStream(
                                "public.g", "INSERT INTO g (id, a, b) VALUES (2, 3, 'y')"))
                .containsExactly("public.g +I(1, 2, 200, x)", "public.g +I(2, 3, 300, y)");
    }
}
