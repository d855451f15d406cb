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

import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.CloseableIterator;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.LocalDate;
import java.time.LocalTime;
import java.util.ArrayList;
import java.util.List;
import java.util.TimeZone;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Date and time values read the same from the snapshot and the stream, and as the instants and
 * wall-clock values PostgreSQL stored, whatever the server's and the JVM's time zones (both non-UTC
 * and different here).
 */
@Timeout(value = 90, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class TimeZonesITCase {

    @RegisterExtension
    static final PostgresExtension PG =
            new PostgresExtension(b -> b.setting("TimeZone", "'America/Sao_Paulo'"));

    @RegisterExtension
    static final MiniClusterExtension FLINK =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(1)
                            .build());

    private static TimeZone jvmZone;

    @BeforeAll
    static void jvmInKolkata() {
        jvmZone = TimeZone.getDefault();
        TimeZone.setDefault(TimeZone.getTimeZone("Asia/Kolkata"));
    }

    @AfterAll
    static void restoreJvmZone() {
        TimeZone.setDefault(jvmZone);
    }

    @Test
    void dateAndTimeValuesDependOnNeitherTheServersNorTheJvmsTimeZone() throws Exception {
        // Given: a row committed before the job (snapshot) and the same values after it (stream)
        String values =
                "'2024-02-29', '13:14:15.123456', '2024-01-02 03:04:05.678901',"
                        + " '2024-01-02 03:04:05.5+02', '2024-07-01 00:30:00-03', '{2024-03-31 02:30:00+00}'";
        PG.execute(
                "CREATE TABLE z (id int PRIMARY KEY, dt date, tm time, ts timestamp,"
                        + " tz timestamptz, tz2 timestamptz, tza timestamptz[])",
                "INSERT INTO z VALUES (1, " + values + ")");
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(1);

        try (CloseableIterator<String> it =
                env.fromSource(
                                TestSources.<String>builder(PG, "public.z")
                                        .startupMode(StartupMode.INITIAL)
                                        .deserializer(new TestSources.RowsAsText())
                                        .build(),
                                WatermarkStrategy.noWatermarks(),
                                "pg")
                        .executeAndCollect()) {
            List<String> rows = new ArrayList<>();
            rows.add(it.next());
            // When
            PG.execute("INSERT INTO z VALUES (2, " + values + ")");
            rows.add(it.next());

            // Then: UTC instants for timestamptz, wall-clock values for the others
            String expected =
                    LocalDate.of(2024, 2, 29).toEpochDay()
                            + ", "
                            + LocalTime.of(13, 14, 15, 123_000_000).toNanoOfDay() / 1_000_000
                            + ", "
                            + "2024-01-02T03:04:05.678901, 2024-01-02T01:04:05.500, 2024-07-01T03:30,"
                            + " [2024-03-31T02:30]";
            assertThat(rows)
                    .containsExactly(
                            "public.z +I(1, " + expected + ")", "public.z +I(2, " + expected + ")");
        }
    }
}
