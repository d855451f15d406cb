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
package dev.pgarrowcdc.benchmarks;

import dev.pgarrowcdc.flink.testutils.PostgresCluster;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Streams one pre-filled slot's worth of the reference workload (benchmarks/workloads) through each
 * contender into a counting sink at parallelism 1, in one JVM and one run, and prints medians side
 * by side: rows/s from job submit to the last row, rows/s in steady state (first row to last), and
 * the start-up time (submit to first row).
 *
 * <p>Every contender decodes the same WAL: a template slot is created before the workload and
 * copied (with the contender's plugin) under the slot name the contender will use, so each run
 * starts from the same point with nothing to snapshot.
 *
 * <pre>
 *   benchmarks/run-stream.sh [--workload 1m|oltp|both] [--reps N] [--contenders a,b]
 * </pre>
 */
public final class StreamBenchmark {

    static final String DATABASE = "bench";

    /** Where the workload files are, relative to the repository root (run-stream.sh runs there). */
    static final String DEFAULT_WORKLOADS = "benchmarks/workloads";

    private static final long JOB_TIMEOUT_SECONDS = 600;

    private StreamBenchmark() {}

    public static void main(String[] args) throws Exception {
        Map<String, String> opts = parseArgs(args);
        Path benchDir = Paths.get(opts.getOrDefault("bench-dir", DEFAULT_WORKLOADS));
        int reps = Integer.parseInt(opts.getOrDefault("reps", "3"));
        String workload = opts.getOrDefault("workload", "both");
        List<Contender> contenders = Contenders.select(opts.getOrDefault("contenders", "all"));

        try (PostgresCluster pg =
                PostgresCluster.builder()
                        .setting("shared_buffers", "512MB")
                        .setting("max_wal_size", "8GB")
                        .setting("checkpoint_timeout", "'30min'")
                        .start()) {
            System.out.printf(
                    Locale.ROOT,
                    "PostgreSQL on 127.0.0.1:%d, %d cores, Flink local MiniCluster at parallelism 1%n",
                    pg.port(),
                    Runtime.getRuntime().availableProcessors());
            if (workload.equals("1m") || workload.equals("both")) {
                run(
                        pg,
                        benchDir,
                        "cdc_bench_1m.sql",
                        "cdc_bench_1m (1,000 txns x 1,000 rows)",
                        contenders,
                        reps);
            }
            if (workload.equals("oltp") || workload.equals("both")) {
                run(
                        pg,
                        benchDir,
                        "oltp_200k.sql",
                        "oltp_200k (200,000 single-row txns)",
                        contenders,
                        reps);
            }
        }
    }

    private static void run(
            PostgresCluster pg,
            Path benchDir,
            String workloadFile,
            String label,
            List<Contender> contenders,
            int reps)
            throws Exception {
        pg.execute(
                "postgres",
                "DROP DATABASE IF EXISTS " + DATABASE + " WITH (FORCE)",
                "CREATE DATABASE " + DATABASE);
        psql(pg, benchDir.resolve("cdc_bench_schema.sql"));
        pg.execute(DATABASE, "SELECT pg_create_logical_replication_slot('tmpl', 'test_decoding')");
        psql(pg, benchDir.resolve(workloadFile));
        // The OLTP workload commits asynchronously and decoding reads only flushed WAL: wait for
        // the WAL writer to flush everything it inserted.
        awaitWalFlushed(pg);
        long expected = expectedChangelogRows(pg);
        System.out.printf(
                Locale.ROOT,
                "%n== %s: %,d changelog rows (+I, -U/+U, -D), %d reps, medians%n",
                label,
                expected,
                reps);

        Map<Contender, List<Result>> results = new LinkedHashMap<>();
        for (int r = 0; r < reps; r++) {
            for (Contender c : contenders) {
                Result result = runOnce(pg, c, expected);
                System.out.printf(Locale.ROOT, "   rep %d %-14s %s%n", r + 1, c.name(), result);
                results.computeIfAbsent(c, k -> new ArrayList<>()).add(result);
            }
        }

        System.out.printf(
                Locale.ROOT,
                "%-14s %14s %14s %12s%n",
                "contender",
                "rows/s submit",
                "rows/s steady",
                "start-up s");
        Map<Contender, double[]> medians = new LinkedHashMap<>();
        for (Map.Entry<Contender, List<Result>> e : results.entrySet()) {
            double fromSubmit = median(e.getValue(), Result::rowsPerSecondFromSubmit);
            double steady = median(e.getValue(), Result::rowsPerSecondSteady);
            double startup = median(e.getValue(), Result::startupSeconds);
            medians.put(e.getKey(), new double[] {fromSubmit, steady});
            System.out.printf(
                    Locale.ROOT,
                    "%-14s %,14.0f %,14.0f %12.2f%n",
                    e.getKey().name(),
                    fromSubmit,
                    steady,
                    startup);
        }
        if (medians.size() == 2) {
            List<double[]> m = new ArrayList<>(medians.values());
            List<Contender> names = new ArrayList<>(medians.keySet());
            System.out.printf(
                    Locale.ROOT,
                    "ratio %s / %s: %.2fx from submit, %.2fx steady%n",
                    names.get(0).name(),
                    names.get(1).name(),
                    m.get(0)[0] / m.get(1)[0],
                    m.get(0)[1] / m.get(1)[1]);
        }
        pg.execute("postgres", "DROP DATABASE " + DATABASE + " WITH (FORCE)");
    }

    private static Result runOnce(PostgresCluster pg, Contender contender, long expected)
            throws Exception {
        Contenders.copySlot(pg, "tmpl", contender.slotName(), contender.plugin());
        CountingSink.reset(expected);
        Configuration conf = new Configuration();
        StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(1, conf);
        contender.source(env, pg).addSink(new CountingSink<>()).name("count");
        long submit = System.nanoTime();
        JobClient job = env.executeAsync(contender.name());
        try {
            long deadline = submit + TimeUnit.SECONDS.toNanos(JOB_TIMEOUT_SECONDS);
            while (CountingSink.lastNanos == 0) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException(
                            contender.name()
                                    + " emitted only "
                                    + CountingSink.COUNT.get()
                                    + " of "
                                    + expected
                                    + " rows in "
                                    + JOB_TIMEOUT_SECONDS
                                    + " s");
                }
                if (job.getJobStatus().get().isTerminalState()) {
                    job.getJobExecutionResult().get();
                    throw new IllegalStateException(
                            contender.name()
                                    + " finished after "
                                    + CountingSink.COUNT.get()
                                    + " of "
                                    + expected
                                    + " rows");
                }
                Thread.sleep(2);
            }
        } finally {
            job.cancel().get(60, TimeUnit.SECONDS);
        }
        Thread.sleep(200);
        long extra = CountingSink.COUNT.get() - expected;
        Contenders.dropSlot(pg, contender.slotName());
        return new Result(expected, submit, CountingSink.firstNanos, CountingSink.lastNanos, extra);
    }

    private static void awaitWalFlushed(PostgresCluster pg) throws Exception {
        try (Connection c = pg.connect(DATABASE);
                Statement st = c.createStatement()) {
            String inserted;
            try (ResultSet rs = st.executeQuery("SELECT pg_current_wal_insert_lsn()::text")) {
                rs.next();
                inserted = rs.getString(1);
            }
            for (int i = 0; i < 1000; i++) {
                try (ResultSet rs =
                        st.executeQuery(
                                "SELECT pg_current_wal_flush_lsn() >= '"
                                        + inserted
                                        + "'::pg_lsn")) {
                    rs.next();
                    if (rs.getBoolean(1)) {
                        return;
                    }
                }
                Thread.sleep(10);
            }
            throw new IllegalStateException("WAL not flushed up to " + inserted + " in 10 s");
        }
    }

    /** +I and -D count once, UPDATE twice (-U/+U under REPLICA IDENTITY FULL). */
    private static long expectedChangelogRows(PostgresCluster pg) throws SQLException {
        try (Connection c = pg.connect(DATABASE);
                Statement st = c.createStatement();
                ResultSet rs =
                        st.executeQuery(
                                "SELECT count(*) FILTER (WHERE data LIKE 'table %: INSERT:%')"
                                        + " + 2 * count(*) FILTER (WHERE data LIKE 'table %: UPDATE:%')"
                                        + " + count(*) FILTER (WHERE data LIKE 'table %: DELETE:%')"
                                        + " FROM pg_logical_slot_peek_changes('tmpl', NULL, NULL)")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    static void psql(PostgresCluster pg, Path file) throws Exception {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException(
                    "workload file not found: "
                            + file.toAbsolutePath()
                            + " (run from the repository root, or pass --bench-dir pointing at benchmarks/workloads)");
        }
        Process p =
                new ProcessBuilder(
                                "psql",
                                "-X",
                                "-q",
                                "-v",
                                "ON_ERROR_STOP=1",
                                "-h",
                                pg.host(),
                                "-p",
                                String.valueOf(pg.port()),
                                "-U",
                                PostgresCluster.SUPERUSER,
                                "-d",
                                DATABASE,
                                "-f",
                                file.toString())
                        .redirectErrorStream(true)
                        .start();
        String out = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) {
            throw new IllegalStateException("psql -f " + file + " failed:\n" + out);
        }
    }

    private static double median(
            List<Result> results, java.util.function.ToDoubleFunction<Result> f) {
        double[] v = results.stream().mapToDouble(f).sorted().toArray();
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }

    /** {@code --name value} pairs. */
    static Map<String, String> parseArgs(String[] args) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            if (!args[i].startsWith("--") || i + 1 >= args.length) {
                throw new IllegalArgumentException("expected --name value pairs, got " + args[i]);
            }
            m.put(args[i].substring(2), args[++i]);
        }
        return m;
    }

    /** One timed drain. */
    static final class Result {
        final long rows;
        final long submitNanos;
        final long firstNanos;
        final long lastNanos;
        final long extraRows;

        Result(long rows, long submitNanos, long firstNanos, long lastNanos, long extraRows) {
            this.rows = rows;
            this.submitNanos = submitNanos;
            this.firstNanos = firstNanos;
            this.lastNanos = lastNanos;
            this.extraRows = extraRows;
        }

        double rowsPerSecondFromSubmit() {
            return rows / ((lastNanos - submitNanos) / 1e9);
        }

        double rowsPerSecondSteady() {
            return (rows - 1) / ((lastNanos - firstNanos) / 1e9);
        }

        double startupSeconds() {
            return (firstNanos - submitNanos) / 1e9;
        }

        @Override
        public String toString() {
            return String.format(
                    Locale.ROOT,
                    "%,10.0f rows/s from submit, %,10.0f steady, start-up %.2f s%s",
                    rowsPerSecondFromSubmit(),
                    rowsPerSecondSteady(),
                    startupSeconds(),
                    extraRows != 0 ? ", " + extraRows + " rows beyond the expected count" : "");
        }
    }
}
