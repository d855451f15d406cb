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
import dev.pgarrowcdc.flink.source.PgArrowSourceBuilder;
import dev.pgarrowcdc.flink.source.StartupMode;
import dev.pgarrowcdc.flink.source.TestSources;
import dev.pgarrowcdc.flink.testutils.PostgresExtension;

import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.MapFunction;
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

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The chunked snapshot judged per key, at parallelism 2, while a writer inserts, updates, deletes
 * and changes keys across chunk boundaries, with task failures injected twice in the middle of the
 * snapshot and once while the table switches to streaming. Every key's events must form exactly one
 * valid history (a +I of some version of the row, then exactly the changes after it: each -U/-D
 * carries the row as the key last showed it, each +I/+U comes to an absent key), and the final
 * state must equal PostgreSQL's table, every row compared.
 */
@Timeout(900)
class ChunkedSnapshotITCase {

    @RegisterExtension static final PostgresExtension PG = new PostgresExtension();

    @RegisterExtension
    static final MiniClusterExtension FLINK =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(2)
                            .build());

    /** A table shape: its DDL and each row's key columns as SQL expressions of an integer g. */
    private static final class Shape {
        final String ddl;

        /** Key columns (in table order) and their expressions of g. */
        final String[] keyColumns;

        /** The key columns' SQL expressions of the SQL expression of g. */
        final Function<String, String[]> keyOf;

        /** Field positions of the key in the emitted rows. */
        final int[] keyFields;

        final String chunkKeyColumn;

        /** The columns the source reads, or null for all. */
        List<String> projection;

        /**
         * REPLICA IDENTITY DEFAULT instead of FULL: old rows carry the key only, and an UPDATE that
         * keeps its key comes as +U alone.
         */
        boolean defaultIdentity;

        Shape(
                String ddl,
                String[] keyColumns,
                Function<String, String[]> keyOf,
                int[] keyFields,
                String chunkKeyColumn) {
            this.ddl = ddl;
            this.keyColumns = keyColumns;
            this.keyOf = keyOf;
            this.keyFields = keyFields;
            this.chunkKeyColumn = chunkKeyColumn;
        }

        /** Column list then values of the row of g, for INSERT ... SELECT. */
        String insertSelect(int g, int v) {
            return "INSERT INTO t ("
                    + String.join(", ", keyColumns)
                    + ", g, v) SELECT "
                    + String.join(", ", keyOf.apply("(" + g + ")"))
                    + ", "
                    + g
                    + ", "
                    + v;
        }

        String setKey(int g) {
            String[] exprs = keyOf.apply("(" + g + ")");
            List<String> sets = new ArrayList<>();
            for (int i = 0; i < keyColumns.length; i++) {
                sets.add(keyColumns[i] + " = " + exprs[i]);
            }
            return String.join(", ", sets) + ", g = " + g;
        }
    }

    private static final Shape INT_KEY =
            new Shape(
                    "CREATE TABLE t (id int PRIMARY KEY, g int NOT NULL, v int NOT NULL)",
                    new String[] {"id"},
                    g -> new String[] {g},
                    new int[] {0},
                    null);

    /** Mixed case hex: ICU (case second) and C (upper before lower) order these differently. */
    private static final Shape ICU_TEXT_KEY =
            new Shape(
                    "CREATE TABLE t (k text COLLATE \"en-x-icu\" PRIMARY KEY, g int NOT NULL, v int NOT NULL)",
                    new String[] {"k"},
                    g ->
                            new String[] {
                                "CASE WHEN "
                                        + g
                                        + " % 3 = 0 THEN upper(md5("
                                        + g
                                        + "::text))"
                                        + " ELSE md5("
                                        + g
                                        + "::text) || 'é' END"
                            },
                    new int[] {0},
                    null);

    private static final Shape INT_UUID_KEY =
            new Shape(
                    "CREATE TABLE t (a int, u uuid, g int NOT NULL, v int NOT NULL, PRIMARY KEY (a, u))",
                    new String[] {"a", "u"},
                    g -> new String[] {g + " % 7", "md5(" + g + "::text)::uuid"},
                    new int[] {0, 1},
                    null);

    private static final Shape NO_PK_KEY_COLUMN =
            new Shape(
                    "CREATE TABLE t (id int NOT NULL, g int NOT NULL, v int NOT NULL)",
                    new String[] {"id"},
                    g -> new String[] {g},
                    new int[] {0},
                    "id");

    // ---- failure injection (static: the map function is re-created on every restart) ----

    private static final AtomicInteger SNAPSHOT_ROWS_SEEN = new AtomicInteger();
    private static final AtomicInteger FAILURES = new AtomicInteger();
    private static final AtomicBoolean STREAM_FAILED = new AtomicBoolean();
    private static volatile int firstFailureAt;
    private static volatile int secondFailureAt;

    /** Fails twice in the middle of the snapshot and once at the first streamed change. */
    private static final class InjectFailures implements MapFunction<String, String> {
        private static final long serialVersionUID = 1L;

        @Override
        public String map(String value) {
            if (value.startsWith("S")) {
                int n = SNAPSHOT_ROWS_SEEN.incrementAndGet();
                if (n == firstFailureAt || n == secondFailureAt) {
                    FAILURES.incrementAndGet();
                    throw new IllegalStateException("Injected failure in the snapshot at row " + n);
                }
            } else if (STREAM_FAILED.compareAndSet(false, true)) {
                FAILURES.incrementAndGet();
                throw new IllegalStateException("Injected failure at the first streamed change");
            }
            return value;
        }
    }

    /** "S|+I|f0|f1|..." (S: snapshot, W: stream), every field's toString. */
    private static final class Events implements PgArrowDeserializationSchema<String> {
        private static final long serialVersionUID = 1L;

        @Override
        public void deserialize(RowData row, PgArrowRecordContext context, Collector<String> out) {
            StringBuilder b =
                    new StringBuilder(context.fromSnapshot() ? "S" : "W")
                            .append('|')
                            .append(row.getRowKind().shortString());
            GenericRowData g = (GenericRowData) row;
            for (int i = 0; i < g.getArity(); i++) {
                b.append('|').append(g.getField(i));
            }
            out.collect(b.toString());
        }

        @Override
        public TypeInformation<String> getProducedType() {
            return Types.STRING;
        }
    }

    private static StreamExecutionEnvironment env() {
        Configuration conf = new Configuration();
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 10);
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofMillis(200));
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(2);
        env.enableCheckpointing(150);
        return env;
    }

    @Test
    void anIntegerKeyOf200kRowsWrittenWhileSnapshottedWithThreeFailures() throws Exception {
        int rows = Integer.getInteger("judge.rows", 200_000);
        judge(INT_KEY, rows, rows / 10);
    }

    /** The stream reads the key for reconciling and leaves it out of the rows (id = g here). */
    @Test
    void anIntegerKeyOutsideTheProjection() throws Exception {
        Shape shape =
                new Shape(INT_KEY.ddl, INT_KEY.keyColumns, INT_KEY.keyOf, new int[] {0}, null);
        shape.projection = java.util.Arrays.asList("g", "v");
        judge(shape, 20_000, 2_000);
    }

    /** Under REPLICA IDENTITY DEFAULT -U/-D carry the key only: they are judged by the key. */
    @Test
    void anIntegerKeyUnderReplicaIdentityDefault() throws Exception {
        Shape shape =
                new Shape(INT_KEY.ddl, INT_KEY.keyColumns, INT_KEY.keyOf, INT_KEY.keyFields, null);
        shape.defaultIdentity = true;
        judge(shape, 20_000, 2_000);
    }

    @Test
    void aTextKeyUnderAnIcuCollation() throws Exception {
        judge(ICU_TEXT_KEY, 20_000, 2_000);
    }

    @Test
    void aCompositeIntUuidKey() throws Exception {
        judge(INT_UUID_KEY, 20_000, 2_000);
    }

    @Test
    void aTableWithoutPrimaryKeyChunkedByANamedColumn() throws Exception {
        judge(NO_PK_KEY_COLUMN, 20_000, 2_000);
    }

    private void judge(Shape shape, int rows, int chunkSize) throws Exception {
        PG.execute(
                shape.ddl,
                "ALTER TABLE t REPLICA IDENTITY " + (shape.defaultIdentity ? "DEFAULT" : "FULL"),
                "CREATE INDEX ON t (g)");
        try (Connection c = PG.connect();
                Statement st = c.createStatement()) {
            st.execute(
                    "INSERT INTO t ("
                            + String.join(", ", shape.keyColumns)
                            + ", g, v)"
                            + " SELECT "
                            + String.join(", ", shape.keyOf.apply("g"))
                            + ", g, 0 FROM generate_series(1, "
                            + rows
                            + ") g");
            st.execute("ANALYZE t");
        }
        SNAPSHOT_ROWS_SEEN.set(0);
        FAILURES.set(0);
        STREAM_FAILED.set(false);
        firstFailureAt = rows * 3 / 10;
        secondFailureAt = rows * 6 / 10;

        PgArrowSourceBuilder<String> builder =
                TestSources.<String>builder(PG, "public.t")
                        .startupMode(StartupMode.INITIAL)
                        .chunkSize(chunkSize)
                        .snapshotFetchSize(1000)
                        .heartbeatInterval(Duration.ofMillis(500))
                        .deserializer(new Events());
        if (shape.chunkKeyColumn != null) {
            builder.chunkKeyColumn(shape.chunkKeyColumn);
        }
        if (shape.projection != null) {
            builder.projectedColumns(shape.projection);
        }
        Writer writer = new Writer(shape, rows);
        Thread writerThread = new Thread(writer, "writer");
        List<String> events = new ArrayList<>();
        try (CloseableIterator<String> it =
                env().fromSource(builder.build(), WatermarkStrategy.noWatermarks(), "pg")
                        .map(new InjectFailures())
                        .executeAndCollect()) {
            writerThread.start();
            String markerKey = null;
            while (it.hasNext()) {
                String e = it.next();
                events.add(e);
                if (FAILURES.get() == 3 && writer.running.get()) {
                    // Streaming: stop the writer, then commit a marker row after its last change
                    writer.running.set(false);
                    writerThread.join();
                    if (writer.error.get() != null) {
                        throw writer.error.get();
                    }
                    PG.execute(shape.insertSelect(-1, -1));
                    markerKey =
                            shape.projection == null ? String.join("|", keyTexts(shape, -1)) : "-1";
                }
                if (markerKey != null && e.startsWith("W|+I|") && key(shape, e).equals(markerKey)) {
                    break;
                }
            }
        } finally {
            writer.running.set(false);
            writerThread.join();
        }

        assertThat(FAILURES.get()).as("three failures were injected").isEqualTo(3);
        assertThat(writer.transactions.get()).as("the writer ran").isGreaterThan(50);
        assertThat(events)
                .as("the snapshot and the stream both emitted")
                .anyMatch(e -> e.startsWith("S|"))
                .anyMatch(e -> e.startsWith("W|"));

        // Judge: replay every key's events on a state that only accepts a valid history
        Map<String, String> state = new HashMap<>();
        List<String> invalid = new ArrayList<>();
        Map<String, List<String>> history = new HashMap<>();
        for (String e : events) {
            history.computeIfAbsent(key(shape, e), k -> new ArrayList<>()).add(e);
        }
        for (String e : events) {
            String[] p = e.split("\\|", -1);
            String key = key(shape, e);
            String row = String.join("|", java.util.Arrays.copyOfRange(p, 2, p.length));
            switch (p[1]) {
                case "+I":
                case "+U":
                    // Under DEFAULT an UPDATE that keeps its key is a +U alone: it replaces
                    if (state.containsKey(key) && !(shape.defaultIdentity && p[1].equals("+U"))) {
                        invalid.add(e + " to a key that already shows " + state.get(key));
                    }
                    state.put(key, row);
                    break;
                case "-U":
                case "-D":
                    // Under DEFAULT old rows carry the key only
                    if (shape.defaultIdentity
                            ? !state.containsKey(key)
                            : !row.equals(state.get(key))) {
                        invalid.add(e + " but the key shows " + state.get(key));
                    }
                    state.remove(key);
                    break;
                default:
                    invalid.add("unknown kind: " + e);
            }
        }
        assertThat(invalid)
                .as(
                        "events that break a key's history; the first keys' histories: "
                                + invalid.stream()
                                        .limit(5)
                                        .map(
                                                e ->
                                                        key(shape, e.split(" ")[0])
                                                                + ": "
                                                                + history.get(
                                                                        key(
                                                                                shape,
                                                                                e.split(" ")[0])))
                                        .collect(java.util.stream.Collectors.joining("; ")))
                .isEmpty();
        assertThat(new TreeMap<>(state)).isEqualTo(new TreeMap<>(tableState(shape)));
    }

    /** PostgreSQL's rows, as the judge keys and prints them. */
    private static Map<String, String> tableState(Shape shape) throws SQLException {
        Map<String, String> out = new HashMap<>();
        try (Connection c = PG.connect();
                Statement st = c.createStatement();
                ResultSet rs =
                        st.executeQuery(
                                "SELECT "
                                        + (shape.projection == null
                                                ? "*"
                                                : String.join(", ", shape.projection))
                                        + " FROM t")) {
            int n = rs.getMetaData().getColumnCount();
            while (rs.next()) {
                List<String> fields = new ArrayList<>();
                for (int i = 1; i <= n; i++) {
                    fields.add(rs.getString(i));
                }
                List<String> key = new ArrayList<>();
                for (int f : shape.keyFields) {
                    key.add(fields.get(f));
                }
                out.put(String.join("|", key), String.join("|", fields));
            }
        }
        return out;
    }

    private static String key(Shape shape, String event) {
        String[] p = event.split("\\|", -1);
        List<String> key = new ArrayList<>();
        for (int f : shape.keyFields) {
            key.add(p[2 + f]);
        }
        return String.join("|", key);
    }

    /** The key of g as PostgreSQL prints it. */
    private static String[] keyTexts(Shape shape, int g) throws SQLException {
        try (Connection c = PG.connect();
                Statement st = c.createStatement();
                ResultSet rs =
                        st.executeQuery(
                                "SELECT " + String.join(", ", shape.keyOf.apply("(" + g + ")")))) {
            rs.next();
            String[] out = new String[shape.keyColumns.length];
            for (int i = 0; i < out.length; i++) {
                out[i] = rs.getString(i + 1);
            }
            return out;
        }
    }

    /**
     * Transactions of one to four random changes: updates, deletes, inserts of new rows, and key
     * changes (to a fresh key or to the key of a deleted row, so rows move between chunks both
     * ways), until stopped.
     */
    private static final class Writer implements Runnable {
        final Shape shape;
        final AtomicBoolean running = new AtomicBoolean(true);
        final AtomicInteger transactions = new AtomicInteger();
        final AtomicReference<Exception> error = new AtomicReference<>();
        private int nextG;
        private final List<Integer> freed = new ArrayList<>();
        private final Random random = new Random(42);

        Writer(Shape shape, int rows) {
            this.shape = shape;
            this.nextG = rows + 1;
        }

        @Override
        public void run() {
            try (Connection c = PG.connect();
                    Statement st = c.createStatement()) {
                c.setAutoCommit(false);
                while (running.get()) {
                    int ops = 1 + random.nextInt(4);
                    for (int i = 0; i < ops; i++) {
                        int g = 1 + random.nextInt(nextG - 1);
                        switch (random.nextInt(4)) {
                            case 0:
                                st.executeUpdate("UPDATE t SET v = v + 1 WHERE g = " + g);
                                break;
                            case 1:
                                if (st.executeUpdate("DELETE FROM t WHERE g = " + g) == 1) {
                                    freed.add(g);
                                }
                                break;
                            case 2:
                                st.executeUpdate(shape.insertSelect(nextG++, 0));
                                break;
                            default:
                                boolean reuse = !freed.isEmpty() && random.nextBoolean();
                                int to =
                                        reuse
                                                ? freed.remove(random.nextInt(freed.size()))
                                                : nextG++;
                                if (st.executeUpdate(
                                                "UPDATE t SET "
                                                        + shape.setKey(to)
                                                        + " WHERE g = "
                                                        + g)
                                        == 1) {
                                    freed.add(g);
                                } else if (reuse) {
                                    freed.add(to);
                                }
                        }
                    }
                    c.commit();
                    transactions.incrementAndGet();
                    Thread.sleep(2);
                }
            } catch (Exception e) {
                error.set(e);
            }
        }
    }
}
