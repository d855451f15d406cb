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
package dev.pgarrowcdc.flink.table;

import dev.pgarrowcdc.flink.testutils.PostgresCluster;
import dev.pgarrowcdc.flink.testutils.PostgresExtension;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.table.api.ValidationException;
import org.apache.flink.table.api.bridge.java.StreamTableEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.types.Row;
import org.apache.flink.types.RowKind;
import org.apache.flink.util.CloseableIterator;
import org.apache.flink.util.ExceptionUtils;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;

import static dev.pgarrowcdc.flink.testutils.JobOutput.take;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@code 'connector' = 'pg-arrow-cdc'} in Flink SQL on a MiniCluster against the fixture's
 * PostgreSQL and the real wal2arrow plugin: metadata, changelog modes, projection on the wire,
 * schema checks, a bounded snapshot and a join compared with PostgreSQL's own answer.
 */
@Timeout(120)
class PgArrowDynamicTableSourceITCase {

    @RegisterExtension static final PostgresExtension PG = new PostgresExtension();

    @RegisterExtension
    static final MiniClusterExtension FLINK =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(2)
                            .build());

    private static StreamTableEnvironment tableEnv() {
        Configuration conf = new Configuration();
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(1);
        return StreamTableEnvironment.create(env);
    }

    /** CREATE TABLE {@code name} over the test database's {@code public.<pgTable>}. */
    private static String createTable(
            String name, String columns, String pgTable, String... options) {
        return createTable(name, columns, PG.host(), PG.port(), pgTable, options);
    }

    private static String createTable(
            String name, String columns, String host, int port, String pgTable, String... options) {
        StringBuilder ddl =
                new StringBuilder("CREATE TABLE ")
                        .append(name)
                        .append(" (")
                        .append(columns)
                        .append(") WITH ('connector' = 'pg-arrow-cdc', 'hostname' = '")
                        .append(host)
                        .append("', 'port' = '")
                        .append(port)
                        .append("', 'username' = '")
                        .append(PostgresCluster.SUPERUSER)
                        .append("', 'database-name' = '")
                        .append(PG.database())
                        .append("', 'schema-name' = 'public', 'table-name' = '")
                        .append(pgTable)
                        .append("', 'slot.name' = 'sql_")
                        .append(name.toLowerCase())
                        .append("'")
                        .append(", 'ssl.mode' = 'disable'");
        for (int i = 0; i < options.length; i += 2) {
            ddl.append(", '").append(options[i]).append("' = '").append(options[i + 1]).append("'");
        }
        return ddl.append(")").toString();
    }

    /** Reads on, expecting the job to fail before the next row: the failure, stack included. */
    private static String failureOfNextRow(CloseableIterator<Row> it) {
        try {
            List<String> rows = take(it, 1);
            throw new AssertionError("the job did not fail; it emitted " + rows);
        } catch (RuntimeException e) {
            return ExceptionUtils.stringifyException(e);
        }
    }

    private static long queryLong(String sql) throws SQLException {
        try (Connection c = PG.connect();
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    @Test
    void everyMetadataColumnDescribesItsRow() throws Exception {
        // Given: a table with one row before the job starts
        PG.execute(
                "CREATE TABLE t (id int PRIMARY KEY, v text)",
                "ALTER TABLE t REPLICA IDENTITY FULL",
                "INSERT INTO t VALUES (1, 'a')");
        StreamTableEnvironment tEnv = tableEnv();
        tEnv.executeSql(
                createTable(
                        "t",
                        "id INT, v STRING,"
                                + " db STRING METADATA FROM 'database_name' VIRTUAL,"
                                + " sch STRING METADATA FROM 'schema_name' VIRTUAL,"
                                + " tbl STRING METADATA FROM 'table_name' VIRTUAL,"
                                + " op_ts TIMESTAMP_LTZ(3) METADATA VIRTUAL,"
                                + " kind STRING METADATA FROM 'row_kind' VIRTUAL,"
                                + " lsn BIGINT METADATA VIRTUAL,"
                                + " xid BIGINT METADATA VIRTUAL",
                        "t"));

        try (CloseableIterator<Row> it = tEnv.executeSql("SELECT * FROM t").collect()) {
            // Then: a snapshot row has op_ts 0 (as postgres-cdc) and no LSN or xid
            Row snapshot = it.next();
            assertThat(snapshot.toString())
                    .isEqualTo(
                            "+I[1, a, "
                                    + PG.database()
                                    + ", public, t, 1970-01-01T00:00:00Z, +I, null, null]");

            // When: one transaction inserts, whose xid and LSN bounds PostgreSQL tells
            long lsnBefore = queryLong("SELECT pg_current_wal_lsn() - '0/0'");
            Instant before = Instant.now().minusSeconds(1);
            long xid;
            try (Connection c = PG.connect();
                    Statement st = c.createStatement()) {
                c.setAutoCommit(false);
                st.execute("INSERT INTO t VALUES (2, 'b')");
                try (ResultSet rs = st.executeQuery("SELECT txid_current()")) {
                    rs.next();
                    xid = rs.getLong(1);
                }
                c.commit();
            }
            Instant after = Instant.now().plusSeconds(1);
            long lsnAfter = queryLong("SELECT pg_current_wal_lsn() - '0/0'");
            PG.execute("UPDATE t SET v = 'bb' WHERE id = 2", "DELETE FROM t WHERE id = 2");

            // Then: the stream rows carry them
            Row inserted = it.next();
            assertThat(inserted.getKind()).isEqualTo(RowKind.INSERT);
            assertThat(inserted.getField("db")).isEqualTo(PG.database());
            assertThat(inserted.getField("sch")).isEqualTo("public");
            assertThat(inserted.getField("tbl")).isEqualTo("t");
            assertThat((Instant) inserted.getField("op_ts")).isBetween(before, after);
            assertThat(inserted.getField("kind")).isEqualTo("+I");
            assertThat((Long) inserted.getField("lsn"))
                    .isGreaterThan(lsnBefore)
                    .isLessThanOrEqualTo(lsnAfter);
            assertThat(inserted.getField("xid")).isEqualTo(xid);
            List<String> kinds = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                Row r = it.next();
                kinds.add(
                        r.getKind().shortString()
                                + " "
                                + r.getField("kind")
                                + " "
                                + r.getField("v"));
                assertThat((Long) r.getField("lsn")).isGreaterThan(lsnAfter);
            }
            assertThat(kinds).containsExactly("-U -U b", "+U +U bb", "-D -D bb");
        }
    }

    @Test
    void allModeEmitsRetractionsAndUpsertModeNeedsOnlyTheKey() throws Exception {
        // Given: a table logging old rows (FULL) and one logging only its key (DEFAULT)
        PG.execute(
                "CREATE TABLE f (id int PRIMARY KEY, v text)",
                "ALTER TABLE f REPLICA IDENTITY FULL",
                "CREATE TABLE d (id int PRIMARY KEY, v text)",
                "INSERT INTO f VALUES (0, 'z')",
                "INSERT INTO d VALUES (0, 'z')");
        StreamTableEnvironment tEnv = tableEnv();
        tEnv.executeSql(
                createTable(
                        "f",
                        "id INT, v STRING, kind STRING METADATA FROM 'row_kind' VIRTUAL",
                        "f"));
        tEnv.executeSql(
                createTable(
                        "d",
                        "id INT, v STRING, kind STRING METADATA FROM 'row_kind' VIRTUAL,"
                                + " PRIMARY KEY (id) NOT ENFORCED",
                        "d",
                        "changelog-mode",
                        "upsert"));
        tEnv.executeSql(createTable("d_all", "id INT, v STRING", "d"));

        // Then: 'all' on a DEFAULT table is refused up front, saying what to do
        assertThatThrownBy(() -> tEnv.executeSql("SELECT * FROM d_all"))
                .hasMessageContaining("REPLICA IDENTITY DEFAULT")
                .hasMessageContaining("ALTER TABLE \"public\".\"d\" REPLICA IDENTITY FULL")
                .hasMessageContaining("'changelog-mode' = 'upsert'");
        assertThat(tEnv.explainSql("SELECT * FROM d")).contains("ChangelogNormalize");
        assertThat(tEnv.explainSql("SELECT * FROM f")).doesNotContain("ChangelogNormalize");

        try (CloseableIterator<Row> all = tEnv.executeSql("SELECT * FROM f").collect();
                CloseableIterator<Row> upsert = tEnv.executeSql("SELECT * FROM d").collect()) {
            assertThat(take(all, 1)).containsExactly("+I[0, z, +I]");
            assertThat(take(upsert, 1)).containsExactly("+I[0, z, +I]");
            // When: changes after the snapshot
            PG.execute(
                    "INSERT INTO f VALUES (1, 'a')",
                    "UPDATE f SET v = 'b' WHERE id = 1",
                    "DELETE FROM f WHERE id = 1");
            PG.execute(
                    "INSERT INTO d VALUES (1, 'a')",
                    "UPDATE d SET v = 'b' WHERE id = 1",
                    "DELETE FROM d WHERE id = 1");

            // Then: 'all' passes the source's four kinds through
            assertThat(take(all, 4))
                    .containsExactly(
                            "+I[1, a, +I]", "-U[1, a, -U]", "+U[1, b, +U]", "-D[1, b, -D]");
            // and in 'upsert' the source emitted +I, +U and a key-only -D: Flink's
            // ChangelogNormalize
            // made the -U and the full -D from its state (row_kind shows the source never sent -U)
            assertThat(take(upsert, 4))
                    .containsExactly(
                            "+I[1, a, +I]", "-U[1, a, +I]", "+U[1, b, +U]", "-D[1, b, +U]");
        }
    }

    @Test
    void columnsTheQueryDoesNotUseAreNeitherSelectedNorSent() throws Exception {
        // Given: 40 rows with a 20 KB column, and a proxy counting what the server sends
        PG.execute(
                "CREATE TABLE p (id int PRIMARY KEY, small int, big text)",
                "ALTER TABLE p REPLICA IDENTITY FULL",
                "INSERT INTO p SELECT g, g * 10, repeat(md5(g::text), 640) FROM generate_series(1, 40) g");
        long bigBytes = 2 * 40 * 640 * 32;
        StreamTableEnvironment tEnv = tableEnv();
        try (CountingProxy narrowProxy = new CountingProxy(PG.host(), PG.port());
                CountingProxy wideProxy = new CountingProxy(PG.host(), PG.port())) {
            tEnv.executeSql(
                    createTable(
                            "narrow",
                            "id INT, small INT, big STRING",
                            "127.0.0.1",
                            narrowProxy.port(),
                            "p"));
            tEnv.executeSql(
                    createTable(
                            "wide",
                            "id INT, small INT, big STRING",
                            "127.0.0.1",
                            wideProxy.port(),
                            "p"));

            // When: a query reads id and small through the snapshot and then the stream
            List<String> rows = new ArrayList<>();
            try (CloseableIterator<Row> it =
                            tEnv.executeSql("SELECT id, small FROM narrow").collect();
                    CloseableIterator<Row> wide =
                            tEnv.executeSql("SELECT id, CHAR_LENGTH(big) FROM wide").collect()) {
                rows.addAll(take(it, 40));
                assertThat(take(wide, 40)).hasSize(40);
                PG.execute(
                        "INSERT INTO p SELECT g, g * 10, repeat(md5(g::text), 640)"
                                + " FROM generate_series(41, 80) g");
                rows.addAll(take(it, 40));
                assertThat(take(wide, 40)).allMatch(r -> r.endsWith(", 20480]"));
            }

            // Then: the rows are right, and the big column never crossed the wire for the narrow
            // query
            List<String> expected = new ArrayList<>();
            for (int i = 1; i <= 80; i++) {
                expected.add("+I[" + i + ", " + (i * 10) + "]");
            }
            assertThat(rows).containsExactlyInAnyOrderElementsOf(expected);
            assertThat(wideProxy.bytesFromServer())
                    .as("the control query receives the big column")
                    .isGreaterThan(bigBytes);
            assertThat(narrowProxy.bytesFromServer())
                    .as("bytes the narrow query received")
                    .isLessThan(bigBytes / 10);
        }
    }

    @Test
    void aDeclaredColumnTheTableLacksOrCannotHoldIsAnErrorNamingBoth() throws Exception {
        PG.execute(
                "CREATE TABLE t (id int PRIMARY KEY, \"Name\" text, v text)",
                "ALTER TABLE t REPLICA IDENTITY FULL");
        StreamTableEnvironment tEnv = tableEnv();
        tEnv.executeSql(createTable("bad", "id INT, name STRING, v INT, nope STRING", "t"));

        assertThatThrownBy(() -> tEnv.executeSql("SELECT id FROM bad"))
                .isInstanceOf(ValidationException.class)
                .hasMessageContaining(
                        "Flink table default_catalog.default_database.bad does not match PostgreSQL")
                .hasMessageContaining(
                        "column 'nope' declared in Flink table default_catalog.default_database.bad"
                                + " does not exist in PostgreSQL table public.t (its columns: id, Name, v): remove it"
                                + " from the CREATE TABLE")
                .hasMessageContaining(
                        "column 'name' declared in Flink table default_catalog.default_database.bad"
                                + " does not exist in PostgreSQL table public.t, which has 'Name' (names are"
                                + " case-sensitive): rename the declared column to `Name`")
                .hasMessageContaining(
                        "column 'v' of PostgreSQL table public.t is text, read as STRING, which"
                                + " the declared INT cannot hold: declare it STRING");
    }

    @Test
    void widerAndPostgresCdcStyleDeclaredTypesReadTheSameFromSnapshotAndStream() throws Exception {
        // Given: columns declared wider than the type map (int2 as BIGINT, real as DOUBLE),
        // numerics
        // as DOUBLE and a timestamptz as TIMESTAMP(3), which postgres-cdc DDL often has
        PG.execute(
                "CREATE TABLE t (id int2 PRIMARY KEY, n numeric(10, 2), u numeric, tz timestamptz,"
                        + " f real)",
                "ALTER TABLE t REPLICA IDENTITY FULL",
                "INSERT INTO t VALUES (1, 1234.25, 'NaN', '2024-01-01 00:00:00.123456+05', 1.5)");
        StreamTableEnvironment tEnv = tableEnv();
        tEnv.executeSql(
                createTable("t", "id BIGINT, n DOUBLE, u DOUBLE, tz TIMESTAMP(3), f DOUBLE", "t"));

        try (CloseableIterator<Row> it = tEnv.executeSql("SELECT * FROM t").collect()) {
            // Then: the snapshot row, timestamptz as its date and time in UTC (as postgres-cdc)
            assertThat(take(it, 1))
                    .containsExactly("+I[1, 1234.25, NaN, 2023-12-31T19:00:00.123, 1.5]");

            // When / Then: the same conversions on the stream
            PG.execute(
                    "INSERT INTO t VALUES (2, -0.5, '1e3', '1969-07-20 20:17:40.9999+00', -2.25)");
            assertThat(take(it, 1))
                    .containsExactly("+I[2, -0.5, 1000.0, 1969-07-20T20:17:40.999, -2.25]");
        }
    }

    @Test
    void aValueThatCannotBecomeTheDeclaredTypeFailsTheJobNamingTheColumnAndTheValue()
            throws Exception {
        // Given: a numeric without typmod declared DECIMAL(10, 2), which parses its exact text
        PG.execute(
                "CREATE TABLE t (id int PRIMARY KEY, v numeric)",
                "ALTER TABLE t REPLICA IDENTITY FULL",
                "INSERT INTO t VALUES (1, 12.5)");
        StreamTableEnvironment tEnv = tableEnv();
        tEnv.executeSql(createTable("t", "id INT, v DECIMAL(10, 2)", "t"));

        try (CloseableIterator<Row> it = tEnv.executeSql("SELECT * FROM t").collect()) {
            assertThat(take(it, 1)).containsExactly("+I[1, 12.50]");

            // When: a value with more digits than declared arrives
            PG.execute("INSERT INTO t VALUES (2, 123456789012.5)");

            // Then: the job fails, naming the table, the column, the value and the fix
            assertThat(failureOfNextRow(it))
                    .contains(
                            "Column 'v' of PostgreSQL table public.t (Flink table"
                                    + " default_catalog.default_database.t): The numeric value 123456789012.5"
                                    + " does not fit the declared DECIMAL(10, 2): declare more digits or STRING");
        }
    }

    @Test
    void aTextColumnDeclaredAsANumberIsRefusedWhenPlanned() throws Exception {
        PG.execute(
                "CREATE TABLE t (id int PRIMARY KEY, v text, n numeric)",
                "ALTER TABLE t REPLICA IDENTITY FULL");
        StreamTableEnvironment tEnv = tableEnv();
        tEnv.executeSql(createTable("t", "id INT, v DECIMAL(10, 2), n DOUBLE", "t"));

        assertThatThrownBy(() -> tEnv.executeSql("SELECT * FROM t"))
                .isInstanceOf(ValidationException.class)
                .hasMessageContaining(
                        "column 'v' of PostgreSQL table public.t is text, read as STRING:"
                                + " the declared DECIMAL(10, 2) parses the text of numeric columns only:"
                                + " declare it STRING and CAST it in the query")
                .hasMessageNotContaining("column 'n'");
    }

    @Test
    void aSchemaChangeWhileRunningIgnoresNewColumnsAndFailsOnALostOne() throws Exception {
        PG.execute(
                "CREATE TABLE t (id int PRIMARY KEY, v text)",
                "ALTER TABLE t REPLICA IDENTITY FULL",
                "INSERT INTO t VALUES (1, 'a')");
        StreamTableEnvironment tEnv = tableEnv();
        tEnv.executeSql(createTable("t", "v STRING, id INT", "t"));

        try (CloseableIterator<Row> it = tEnv.executeSql("SELECT * FROM t").collect()) {
            assertThat(take(it, 1)).containsExactly("+I[a, 1]");

            // When: a column the Flink table does not declare is added
            PG.execute("ALTER TABLE t ADD COLUMN extra text", "INSERT INTO t VALUES (2, 'b', 'x')");
            // Then: rows keep coming, by name
            assertThat(take(it, 1)).containsExactly("+I[b, 2]");

            // When: a declared column is renamed away
            PG.execute("ALTER TABLE t RENAME COLUMN v TO w", "INSERT INTO t VALUES (3, 'c', 'y')");
            // Then: the job fails naming the table and the column
            assertThat(failureOfNextRow(it))
                    .contains(
                            "PostgreSQL table public.t no longer has column 'v' that Flink table"
                                    + " default_catalog.default_database.t declares");
        }
    }

    @Test
    void aReplicaIdentityLoweredWhileRunningFailsRatherThanRetractingNulls() throws Exception {
        PG.execute(
                "CREATE TABLE ri (id int PRIMARY KEY, v text)",
                "ALTER TABLE ri REPLICA IDENTITY FULL",
                "INSERT INTO ri VALUES (1, 'a'), (2, 'b')",
                "CREATE TABLE rk (id int PRIMARY KEY, v text)",
                "INSERT INTO rk VALUES (1, 'a')");
        StreamTableEnvironment tEnv = tableEnv();
        tEnv.executeSql(createTable("ri", "id INT, v STRING", "ri", "changelog-mode", "all"));
        tEnv.executeSql(
                createTable(
                        "rk",
                        "id INT, v STRING, PRIMARY KEY (id) NOT ENFORCED",
                        "rk",
                        "changelog-mode",
                        "upsert"));

        // all mode: FULL while planned, DEFAULT by the time of the UPDATE
        try (CloseableIterator<Row> it = tEnv.executeSql("SELECT * FROM ri").collect()) {
            assertThat(take(it, 2)).containsExactlyInAnyOrder("+I[1, a]", "+I[2, b]");
            PG.execute("UPDATE ri SET v = 'aa' WHERE id = 1");
            assertThat(take(it, 2)).containsExactly("-U[1, a]", "+U[1, aa]");

            PG.execute(
                    "ALTER TABLE ri REPLICA IDENTITY DEFAULT",
                    "UPDATE ri SET v = 'bb' WHERE id = 2");
            AtomicReference<Throwable> failure = new AtomicReference<>();
            List<String> after = new ArrayList<>();
            try {
                after.addAll(take(it, 1));
            } catch (RuntimeException e) {
                failure.set(e);
            }
            assertThat(after).as("no +U without its -U").isEmpty();
            assertThat(failure.get()).as("the job failed").isNotNull();
            assertThat(ExceptionUtils.stringifyException(failure.get()))
                    .contains("PostgreSQL table public.ri logged an UPDATE")
                    .contains(
                            "without its whole old row, which Flink table"
                                    + " default_catalog.default_database.ri needs in 'changelog-mode' = 'all'")
                    .contains("ALTER TABLE \"public\".\"ri\" REPLICA IDENTITY FULL");
        }

        // upsert mode: a DELETE under REPLICA IDENTITY NOTHING does not carry the key
        try (CloseableIterator<Row> it = tEnv.executeSql("SELECT * FROM rk").collect()) {
            assertThat(take(it, 1)).containsExactly("+I[1, a]");
            PG.execute("DELETE FROM rk WHERE id = 1");
            assertThat(take(it, 1)).containsExactly("-D[1, a]");
            PG.execute("INSERT INTO rk VALUES (2, 'b')");
            assertThat(take(it, 1)).containsExactly("+I[2, b]");
            PG.execute("ALTER TABLE rk REPLICA IDENTITY NOTHING", "DELETE FROM rk WHERE id = 2");
            assertThat(failureOfNextRow(it))
                    .contains("PostgreSQL table public.rk logged a DELETE")
                    .contains(
                            "without the old value of column 'id', which Flink table"
                                    + " default_catalog.default_database.rk needs in 'changelog-mode' = 'upsert'")
                    .contains("REPLICA IDENTITY NOTHING does not log it");
        }
    }

    @Test
    void aPartitionedTableIsReadAndStreamedThroughItsPartitions() throws Exception {
        PG.execute(
                "CREATE TABLE ev (id int, k int, v text, PRIMARY KEY (id, k)) PARTITION BY LIST (k)",
                "CREATE TABLE ev_a PARTITION OF ev FOR VALUES IN (1)",
                "CREATE TABLE ev_b PARTITION OF ev FOR VALUES IN (2)",
                "ALTER TABLE ev_a REPLICA IDENTITY FULL",
                "ALTER TABLE ev_b REPLICA IDENTITY FULL",
                "INSERT INTO ev VALUES (1, 1, 'a'), (2, 2, 'b')");
        StreamTableEnvironment tEnv = tableEnv();
        tEnv.executeSql(
                createTable(
                        "ev",
                        "id INT, k INT, v STRING, tbl STRING METADATA FROM 'table_name' VIRTUAL",
                        "ev",
                        "scan.table-discovery.interval",
                        "200ms"));

        try (CloseableIterator<Row> it = tEnv.executeSql("SELECT * FROM ev").collect()) {
            assertThat(take(it, 2))
                    .containsExactlyInAnyOrder("+I[1, 1, a, ev_a]", "+I[2, 2, b, ev_b]");

            // a row moving between partitions is a delete in one and an insert in the other (each
            // partition streams through its own slot, so only the order within one is fixed)
            PG.execute(
                    "UPDATE ev SET k = 2, v = 'aa' WHERE id = 1",
                    "UPDATE ev SET v = 'bb' WHERE id = 2");
            List<String> moved = take(it, 4);
            assertThat(moved)
                    .containsExactlyInAnyOrder(
                            "-D[1, 1, a, ev_a]",
                            "+I[1, 2, aa, ev_b]",
                            "-U[2, 2, b, ev_b]",
                            "+U[2, 2, bb, ev_b]");
            assertThat(moved.indexOf("+I[1, 2, aa, ev_b]"))
                    .isLessThan(moved.indexOf("-U[2, 2, b, ev_b]"));

            // a partition attached while the job runs is snapshotted, then streamed
            PG.execute(
                    "CREATE TABLE ev_c PARTITION OF ev FOR VALUES IN (3)",
                    "ALTER TABLE ev_c REPLICA IDENTITY FULL",
                    "INSERT INTO ev VALUES (3, 3, 'c')");
            List<String> later = take(it, 1);
            PG.execute("INSERT INTO ev VALUES (4, 3, 'd')");
            later.addAll(take(it, 1));
            assertThat(later).containsExactly("+I[3, 3, c, ev_c]", "+I[4, 3, d, ev_c]");
        }
    }

    @Test
    void aSnapshotModeQueryFinishes() throws Exception {
        PG.execute(
                "CREATE TABLE t (id int PRIMARY KEY, v numeric)",
                "INSERT INTO t SELECT g, g / 4.0 FROM generate_series(1, 30) g");
        StreamTableEnvironment tEnv = tableEnv();
        tEnv.executeSql(
                createTable(
                        "t", "id BIGINT, v DECIMAL(10, 2)", "t", "scan.startup.mode", "snapshot"));

        List<String> rows = new ArrayList<>();
        try (CloseableIterator<Row> it =
                tEnv.executeSql("SELECT id, v FROM t WHERE id > 20").collect()) {
            it.forEachRemaining(r -> rows.add(r.toString()));
        }

        List<String> expected = new ArrayList<>();
        try (Connection c = PG.connect();
                Statement st = c.createStatement();
                ResultSet rs =
                        st.executeQuery("SELECT id, v::numeric(10,2) FROM t WHERE id > 20")) {
            while (rs.next()) {
                expected.add("+I[" + rs.getLong(1) + ", " + rs.getBigDecimal(2) + "]");
            }
        }
        assertThat(rows).hasSize(10).containsExactlyInAnyOrderElementsOf(expected);
        assertThat(queryLong("SELECT count(*) FROM pg_replication_slots"))
                .as("no slot is left")
                .isZero();
    }

    @Test
    void aJoinOfTwoCdcTablesMatchesPostgresAfterUpdatesAndDeletes() throws Exception {
        // Given: customers (upsert, DEFAULT identity) and orders (all, FULL identity)
        PG.execute(
                "CREATE TABLE customers (id int PRIMARY KEY, name text)",
                "CREATE TABLE orders (id bigint PRIMARY KEY, customer_id int, amount numeric(10,2))",
                "ALTER TABLE orders REPLICA IDENTITY FULL",
                "INSERT INTO customers VALUES (1, 'ann'), (2, 'bob'), (3, 'cy')",
                "INSERT INTO orders SELECT g, 1 + g % 3, g * 1.25 FROM generate_series(1, 30) g");
        StreamTableEnvironment tEnv = tableEnv();
        tEnv.executeSql(
                createTable(
                        "customers",
                        "id INT, name STRING, PRIMARY KEY (id) NOT ENFORCED",
                        "customers",
                        "changelog-mode",
                        "upsert"));
        tEnv.executeSql(
                createTable(
                        "orders", "id BIGINT, customer_id INT, amount DECIMAL(10, 2)", "orders"));
        String query =
                "SELECT c.name, COUNT(*) AS n, SUM(o.amount) AS total"
                        + " FROM orders o JOIN customers c ON o.customer_id = c.id GROUP BY c.name";

        Map<String, String> flink = new ConcurrentHashMap<>();
        try (CloseableIterator<Row> it = tEnv.executeSql(query).collect()) {
            Thread consumer =
                    new Thread(
                            () -> {
                                while (it.hasNext()) {
                                    Row r = it.next();
                                    String key = (String) r.getField(0);
                                    if (r.getKind() == RowKind.INSERT
                                            || r.getKind() == RowKind.UPDATE_AFTER) {
                                        flink.put(key, r.getField(1) + " " + r.getField(2));
                                    } else {
                                        flink.remove(key);
                                    }
                                }
                            });
            consumer.setDaemon(true);
            consumer.start();

            // When: updates and deletes on both sides, some moving rows between groups
            PG.execute(
                    "UPDATE orders SET amount = amount + 100 WHERE id % 4 = 0",
                    "UPDATE orders SET customer_id = 3 WHERE id BETWEEN 5 AND 9",
                    "DELETE FROM orders WHERE id % 7 = 0",
                    "UPDATE customers SET name = 'bobby' WHERE id = 2",
                    "INSERT INTO customers VALUES (4, 'dee')",
                    "INSERT INTO orders VALUES (31, 4, 9.99), (32, 4, 0.01)",
                    "DELETE FROM customers WHERE id = 1");

            // Then: Flink's materialized result converges to PostgreSQL's answer to the same query
            Map<String, String> expected = new TreeMap<>();
            try (Connection c = PG.connect();
                    Statement st = c.createStatement();
                    ResultSet rs =
                            st.executeQuery(
                                    query.replace(
                                            "SUM(o.amount)", "SUM(o.amount)::numeric(38,2)"))) {
                while (rs.next()) {
                    expected.put(rs.getString(1), rs.getLong(2) + " " + rs.getBigDecimal(3));
                }
            }
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (!new TreeMap<>(flink).equals(expected) && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            assertThat(new TreeMap<>(flink)).isEqualTo(expected);
        }
    }
}
