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

import dev.pgarrowcdc.flink.source.PgArrowDeserializationSchema;
import dev.pgarrowcdc.flink.source.PgArrowRecordContext;
import dev.pgarrowcdc.flink.source.PgArrowSource;
import dev.pgarrowcdc.flink.source.StartupMode;
import dev.pgarrowcdc.flink.source.TestSources;
import dev.pgarrowcdc.flink.source.UnchangedToastMode;
import dev.pgarrowcdc.flink.source.UnknownValue;
import dev.pgarrowcdc.flink.testutils.PostgresExtension;

import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.CloseableIterator;
import org.apache.flink.util.Collector;
import org.apache.flink.util.ExceptionUtils;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import static dev.pgarrowcdc.flink.testutils.JobOutput.take;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Unchanged TOASTed values, columns the WAL did not log and numerics DECIMAL cannot hold never
 * reach the deserializer as nulls that look real: end to end against the real server.
 */
// A separate thread: a blocked collect iterator ignores the interrupt of a same-thread timeout.
@Timeout(value = 90, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class UnknownValuesITCase {

    @RegisterExtension static final PostgresExtension PG = new PostgresExtension();

    @RegisterExtension
    static final MiniClusterExtension FLINK =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(1)
                            .build());

    /** 6,400 characters of md5 hex: stored out of line with STORAGE EXTERNAL. */
    private static final String BIG_SQL =
            "(SELECT string_agg(md5(i::text), '') FROM generate_series(1, 200) i)";

    private static void createToastedTable(String identity) throws Exception {
        PG.execute(
                "CREATE TABLE t (id int PRIMARY KEY, big text, small int, d numeric(10,2))",
                "ALTER TABLE t ALTER COLUMN big SET STORAGE EXTERNAL",
                "ALTER TABLE t REPLICA IDENTITY " + identity,
                "INSERT INTO t VALUES (1, " + BIG_SQL + ", 1, 'NaN')");
    }

    private static CloseableIterator<String> run(UnchangedToastMode mode) throws Exception {
        Configuration conf = new Configuration();
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(1);
        PgArrowSource<String> source =
                TestSources.<String>builder(PG, "public.t")
                        .startupMode(StartupMode.INITIAL)
                        .unchangedToastMode(mode)
                        .deserializer(new RowsWithUnknowns())
                        .build();
        return env.fromSource(source, WatermarkStrategy.noWatermarks(), "pg").executeAndCollect();
    }

    @Test
    void byDefaultAnUpdateThatLeavesAToastedValueOutOfTheWalFailsTheJobNamingTableColumnAndFix()
            throws Exception {
        // Given
        createToastedTable("DEFAULT");
        try (CloseableIterator<String> it = run(UnchangedToastMode.FAIL)) {
            assertThat(take(it, 1)).hasSize(1);

            // When: an UPDATE not touching big
            PG.execute("UPDATE t SET small = 2 WHERE id = 1");

            // Then
            assertThatThrownBy(() -> take(it, 1))
                    .satisfies(
                            e ->
                                    assertThat(
                                                    ExceptionUtils.findThrowableWithMessage(
                                                            e,
                                                            "left the TOASTed value of column 'big' unchanged"))
                                            .hasValueSatisfying(
                                                    cause ->
                                                            assertThat(cause.getMessage())
                                                                    .contains(
                                                                            "public.t",
                                                                            "REPLICA IDENTITY DEFAULT",
                                                                            "ALTER TABLE \"public\".\"t\" REPLICA IDENTITY FULL",
                                                                            "'scan.unchanged-toast.mode' = 'null'")));
        }
    }

    @Test
    void underFullIdentityTheUnchangedToastedValueArrivesInBothImages() throws Exception {
        // Given
        createToastedTable("FULL");
        String big = bigValue();
        try (CloseableIterator<String> it = run(UnchangedToastMode.FAIL)) {
            assertThat(take(it, 1)).containsExactly("+I(1, " + big + ", 1, <NAN>)");

            // When
            PG.execute("UPDATE t SET small = 2 WHERE id = 1", "DELETE FROM t WHERE id = 1");

            // Then
            assertThat(take(it, 3))
                    .containsExactly(
                            "-U(1, " + big + ", 1, <NAN>)",
                            "+U(1, " + big + ", 2, <NAN>)",
                            "-D(1, " + big + ", 2, <NAN>)");
        }
    }

    @Test
    void inNullModeUnknownValuesArriveAsNullsThatTheContextTellsApartFromSqlNulls()
            throws Exception {
        // Given
        createToastedTable("DEFAULT");
        String big = bigValue();
        try (CloseableIterator<String> it = run(UnchangedToastMode.NULL)) {
            assertThat(take(it, 1)).as("snapshot").containsExactly("+I(1, " + big + ", 1, <NAN>)");

            // When: big unchanged, a key change, big set to a real NULL, a delete
            PG.execute(
                    "UPDATE t SET small = 2 WHERE id = 1",
                    "UPDATE t SET id = 10 WHERE id = 1",
                    "UPDATE t SET big = NULL, d = NULL WHERE id = 10",
                    "DELETE FROM t WHERE id = 10",
                    "INSERT INTO t VALUES (2, 'small', 3, 'NaN')");

            // Then
            assertThat(take(it, 6))
                    .containsExactly(
                            "+U(1, <UNCHANGED_TOAST>, 2, <NAN>)",
                            "-U(1, <ABSENT>, <ABSENT>, <ABSENT>)",
                            "+U(10, <UNCHANGED_TOAST>, 2, <NAN>)",
                            "+U(10, null, 2, null)",
                            "-D(10, <ABSENT>, <ABSENT>, <ABSENT>)",
                            "+I(2, small, 3, <NAN>)");
        }
    }

    private static String bigValue() throws Exception {
        try (java.sql.Connection c = PG.connect();
                java.sql.Statement st = c.createStatement();
                java.sql.ResultSet rs = st.executeQuery("SELECT big FROM t")) {
            rs.next();
            return rs.getString(1);
        }
    }

    /**
     * Each row as {@code <kind>(f0, f1, ...)} with a field whose value is unknown written as {@code
     * <reason>}: only a real SQL NULL prints {@code null}.
     */
    static final class RowsWithUnknowns implements PgArrowDeserializationSchema<String> {
        private static final long serialVersionUID = 1L;

        @Override
        public void deserialize(RowData row, PgArrowRecordContext context, Collector<String> out) {
            boolean anyUnknown = false;
            StringBuilder sb = new StringBuilder(row.getRowKind().shortString()).append('(');
            for (int i = 0; i < row.getArity(); i++) {
                UnknownValue why = context.unknownValue(i);
                anyUnknown |= why != null;
                sb.append(i == 0 ? "" : ", ")
                        .append(
                                why != null
                                        ? "<" + why + ">"
                                        : row.isNullAt(i)
                                                ? "null"
                                                : String.valueOf(
                                                        ((GenericRowData) row).getField(i)));
            }
            if (anyUnknown == context.allValuesKnown()) {
                throw new AssertionError(
                        "allValuesKnown() disagrees with unknownValue(i) for " + sb);
            }
            out.collect(sb.append(')').toString());
        }

        @Override
        public TypeInformation<String> getProducedType() {
            return Types.STRING;
        }
    }
}
