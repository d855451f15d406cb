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
package dev.pgarrowcdc.flink.source.security;

import dev.pgarrowcdc.flink.source.SnapshotReadMode;
import dev.pgarrowcdc.flink.source.StartupMode;
import dev.pgarrowcdc.flink.source.TestSources;
import dev.pgarrowcdc.flink.source.split.TableId;
import dev.pgarrowcdc.flink.testutils.PostgresCluster;
import dev.pgarrowcdc.flink.testutils.PostgresExtension;

import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.table.api.EnvironmentSettings;
import org.apache.flink.table.api.TableEnvironment;
import org.apache.flink.types.Row;
import org.apache.flink.util.CloseableIterator;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Names with quotes, commas, dots, spaces, upper case and 63 bytes of UTF-8 through the patterns,
 * the plugin's {@code tables} and {@code columns} options, the snapshot's SQL and the SQL
 * connector: the snapshot and the stream give the same values, and a decoy table whose {@code
 * schema.table} text is the same as the captured one's is never read.
 */
class HostileNamesITCase {

    @RegisterExtension static final PostgresExtension PG = new PostgresExtension();

    static final String SCHEMA = "Odd \"Sch\", em.a'";
    static final String TABLE = "Tab,le.\"x\" Y";

    /** 63 bytes: the longest name PostgreSQL keeps. */
    static final String LONG_TABLE = "é".repeat(31) + "T";

    static final String COLUMN = "Co l,\"1\".'z'";
    static final String LONG_COLUMN = "ü".repeat(31) + "c";

    /** schema.table reads as SCHEMA + "." + TABLE: the same text, another table. */
    static final String DECOY_SCHEMA = SCHEMA + ".Tab,le";

    static final String DECOY_TABLE = "\"x\" Y";

    private static String q(String name) {
        return TableId.quoteIdentifier(name);
    }

    private static String literal(String text) {
        return "'" + text.replace("'", "''") + "'";
    }

    private static void createTables() throws Exception {
        assertThat(LONG_TABLE.getBytes(StandardCharsets.UTF_8)).hasSize(63);
        assertThat(LONG_COLUMN.getBytes(StandardCharsets.UTF_8)).hasSize(63);
        String columns =
                " (id int PRIMARY KEY, "
                        + q(COLUMN)
                        + " text, "
                        + q(LONG_COLUMN)
                        + " int, "
                        + q("skip me")
                        + " text)";
        PG.execute(
                "CREATE SCHEMA " + q(SCHEMA),
                "CREATE SCHEMA " + q(DECOY_SCHEMA),
                "CREATE TABLE " + q(SCHEMA) + "." + q(TABLE) + columns,
                "CREATE TABLE " + q(SCHEMA) + "." + q(LONG_TABLE) + columns,
                "CREATE TABLE " + q(DECOY_SCHEMA) + "." + q(DECOY_TABLE) + columns);
        insert(SCHEMA, TABLE, 1, "it's, \"one\"");
        insert(SCHEMA, LONG_TABLE, 1, "lång");
        insert(DECOY_SCHEMA, DECOY_TABLE, 1, "decoy");
    }

    private static void insert(String schema, String table, int id, String text) throws Exception {
        PG.execute(
                "INSERT INTO "
                        + q(schema)
                        + "."
                        + q(table)
                        + " VALUES ("
                        + id
                        + ", "
                        + literal(text)
                        + ", "
                        + (id * 7)
                        + ", 'skipped')");
    }

    @Test
    void theDataStreamSourceReadsExactlyTheNamedTablesAndColumns() throws Exception {
        createTables();
        Configuration conf = new Configuration();
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(1);
        String patterns = q(SCHEMA) + "." + q(TABLE) + "," + q(SCHEMA) + "." + q(LONG_TABLE);

        try (CloseableIterator<String> it =
                env.fromSource(
                                TestSources.<String>builder(PG, patterns)
                                        .startupMode(StartupMode.INITIAL)
                                        .projectedColumns(Arrays.asList("id", COLUMN, LONG_COLUMN))
                                        .deserializer(new TestSources.RowsAsText())
                                        .build(),
                                WatermarkStrategy.noWatermarks(),
                                "pg")
                        .executeAndCollect()) {
            List<String> snapshot = take(it, 2);
            insert(DECOY_SCHEMA, DECOY_TABLE, 2, "decoy");
            insert(SCHEMA, TABLE, 2, "it's, \"one\"");
            insert(SCHEMA, LONG_TABLE, 2, "lång");
            List<String> stream = take(it, 2);

            assertThat(snapshot)
                    .containsExactlyInAnyOrder(
                            SCHEMA + "." + TABLE + " +I(1, it's, \"one\", 7)",
                            SCHEMA + "." + LONG_TABLE + " +I(1, lång, 7)");
            assertThat(stream)
                    .containsExactlyInAnyOrder(
                            SCHEMA + "." + TABLE + " +I(2, it's, \"one\", 14)",
                            SCHEMA + "." + LONG_TABLE + " +I(2, lång, 14)");
            // Exactly the two tables have slots: the decoy was never captured.
            assertThat(slotCount()).isEqualTo(2);
        }
    }

    @Test
    void hostileKeyTextsBoundTheChunksTheSnapshotFunctionReads() throws Exception {
        // Chunks of 2 rows of a text key: every bound is a hostile text, sent to
        // wal2arrow_snapshot inside the query's parameters as a string literal
        List<String> keys =
                Arrays.asList(
                        "a'b",
                        "back\\slash\\",
                        "$1",
                        "quo\"te\"",
                        "e''; --",
                        "' OR ''='",
                        "x\\'y",
                        "üñî ☃",
                        "{1,2}",
                        "\\x00",
                        "ROW(1)");
        PG.execute(
                "CREATE SCHEMA " + q(SCHEMA),
                "CREATE TABLE "
                        + q(SCHEMA)
                        + "."
                        + q(TABLE)
                        + " ("
                        + q(COLUMN)
                        + " text PRIMARY KEY, "
                        + q(LONG_COLUMN)
                        + " int)");
        for (int i = 0; i < keys.size(); i++) {
            PG.execute(
                    "INSERT INTO "
                            + q(SCHEMA)
                            + "."
                            + q(TABLE)
                            + " VALUES ("
                            + literal(keys.get(i))
                            + ", "
                            + i
                            + ")");
        }
        Configuration conf = new Configuration();
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(2);

        List<String> rows = new ArrayList<>();
        try (CloseableIterator<String> it =
                env.fromSource(
                                TestSources.<String>builder(PG, q(SCHEMA) + "." + q(TABLE))
                                        .startupMode(StartupMode.SNAPSHOT)
                                        .chunkSize(2)
                                        .snapshotReadMode(SnapshotReadMode.ARROW)
                                        .deserializer(new TestSources.RowsAsText())
                                        .build(),
                                WatermarkStrategy.noWatermarks(),
                                "pg")
                        .executeAndCollect()) {
            it.forEachRemaining(rows::add);
        }

        List<String> expected = new ArrayList<>();
        for (int i = 0; i < keys.size(); i++) {
            expected.add(SCHEMA + "." + TABLE + " +I(" + keys.get(i) + ", " + i + ")");
        }
        assertThat(rows).containsExactlyInAnyOrderElementsOf(expected);
    }

    @Test
    void theSqlConnectorReadsTheTableByItsRegexesAndColumnsByTheirNames() throws Exception {
        createTables();
        TableEnvironment tEnv = TableEnvironment.create(EnvironmentSettings.inStreamingMode());
        tEnv.executeSql(
                "CREATE TABLE names (id INT, `"
                        + COLUMN
                        + "` STRING, `"
                        + LONG_COLUMN
                        + "` INT,"
                        + " schema_name STRING METADATA VIRTUAL, table_name STRING METADATA VIRTUAL,"
                        + " PRIMARY KEY (id) NOT ENFORCED) WITH ('connector' = 'pg-arrow-cdc',"
                        + " 'hostname' = '"
                        + PG.host()
                        + "', 'port' = '"
                        + PG.port()
                        + "',"
                        + " 'username' = '"
                        + PostgresCluster.SUPERUSER
                        + "', 'database-name' = '"
                        + PG.database()
                        + "',"
                        + " 'schema-name' = "
                        + literal(Pattern.quote(SCHEMA))
                        + ","
                        + " 'table-name' = "
                        + literal(Pattern.quote(TABLE))
                        + ","
                        + " 'slot.name' = 'names', 'changelog-mode' = 'upsert', 'ssl.mode' = 'disable')");

        try (CloseableIterator<Row> it = tEnv.executeSql("SELECT * FROM names").collect()) {
            List<String> rows = new ArrayList<>();
            rows.add(it.next().toString());
            insert(DECOY_SCHEMA, DECOY_TABLE, 2, "decoy");
            insert(SCHEMA, TABLE, 2, "it's, \"one\"");
            rows.add(it.next().toString());

            assertThat(rows)
                    .containsExactly(
                            "+I[1, it's, \"one\", 7, " + SCHEMA + ", " + TABLE + "]",
                            "+I[2, it's, \"one\", 14, " + SCHEMA + ", " + TABLE + "]");
            assertThat(slotCount()).isEqualTo(1);
        }
    }

    private static List<String> take(CloseableIterator<String> it, int n) {
        List<String> out = new ArrayList<>(n);
        while (out.size() < n && it.hasNext()) {
            out.add(it.next());
        }
        return out;
    }

    private static int slotCount() throws Exception {
        try (Connection c = PG.connect();
                PreparedStatement ps =
                        c.prepareStatement(
                                "SELECT count(*) FROM pg_replication_slots WHERE database = ?")) {
            ps.setString(1, PG.database());
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }
}
