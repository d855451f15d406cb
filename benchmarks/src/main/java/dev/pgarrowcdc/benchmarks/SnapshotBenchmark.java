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

import org.apache.flink.cdc.connectors.postgres.source.PostgresSourceBuilder;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.table.api.bridge.java.StreamTableEnvironment;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The initial snapshot of a {@code --rows}-row public.cdc_bench (default 1M) read by each contender
 * in its 'initial' startup mode through Flink SQL (its connector's DDL; {@code --api datastream}
 * builds the sources directly) into a counting sink: pg-arrow-cdc at each of {@code --parallelism}
 * (default {@code 1,2}, {@code --chunk-size} its chunk size), Flink CDC at each of {@code
 * --flink-cdc-parallelism} (default 1). Per run rows/s from the first row to the last, from job
 * submit, the start-up (first row - submit), the child JVM's CPU seconds from the first row to the
 * last and the server's CPU seconds over the run; medians of {@code --reps} runs; beside them
 * {@code COPY ... TO STDOUT (FORMAT binary)} of the same table on one connection, the ceiling of
 * one reader, and each one's share of it.
 *
 * <p>Each run is a child JVM started with this JVM's flags, so every run starts cold and each
 * contender runs with the PostgreSQL driver it was built against: pg-arrow-cdc with this build's
 * pgjdbc, Flink CDC with the one flink-connector-postgres-cdc declares (42.7.3 for 3.5.0; its SQL
 * jar bundles that one). On pgjdbc 42.7.5 and later, whose metadata calls return the database in
 * TABLE_CAT, Flink CDC 3.5.0's snapshot fails (NullPointerException in
 * PostgresScanFetchTask.createDataEvents). The slots a run leaves are dropped before the next.
 *
 * <pre>
 *   benchmarks/run-stream.sh --main SnapshotBenchmark [--rows 1000000] [--reps 3] [--parallelism 1,2]
 *       [--flink-cdc-parallelism 1] [--chunk-size N] [--api sql|datastream] [--flink-cdc-skip-backfill true]
 *       [--read-modes arrow,text] [--object-reuse true]
 * </pre>
 *
 * <p>{@code --read-modes} lists pg-arrow-cdc's {@code scan.snapshot.read-mode}s to run (default
 * {@code arrow}: chunks arrive as Arrow frames from the wal2arrow snapshot function; {@code text}:
 * PostgreSQL's text forms converted in Java, the fallback where the function is not installed); the
 * text runs are labelled "pg-arrow-cdc text".
 *
 * <p>{@code --object-reuse true} runs every job with {@code pipeline.object-reuse}: chained
 * operators then pass records on instead of copying them (for every contender alike).
 *
 * <p>{@code --flink-cdc-skip-backfill true} sets Flink CDC's {@code
 * scan.incremental.snapshot.backfill.skip}: no temporary slot per chunk, at-least-once snapshot.
 */
public final class SnapshotBenchmark {

    private static final long RUN_TIMEOUT_SECONDS = 900;
    private static final String RESULT = "SNAPSHOT_RESULT ";

    /** {@code --object-reuse}: every child job runs with {@code pipeline.object-reuse}. */
    private static boolean objectReuse;

    private SnapshotBenchmark() {}

    public static void main(String[] args) throws Exception {
        Map<String, String> opts = StreamBenchmark.parseArgs(args);
        if (opts.containsKey("child")) {
            runChild(opts);
            return;
        }
        Path benchDir =
                Paths.get(opts.getOrDefault("bench-dir", StreamBenchmark.DEFAULT_WORKLOADS));
        long rows = Long.parseLong(opts.getOrDefault("rows", "1000000"));
        int reps = Integer.parseInt(opts.getOrDefault("reps", "3"));
        List<Integer> parallelisms = intList(opts.getOrDefault("parallelism", "1,2"));
        List<Integer> flinkCdcParallelisms =
                intList(opts.getOrDefault("flink-cdc-parallelism", "1"));
        int chunkSize = Integer.parseInt(opts.getOrDefault("chunk-size", "0"));
        String api = opts.getOrDefault("api", "sql");
        objectReuse = Boolean.parseBoolean(opts.getOrDefault("object-reuse", "false"));
        List<String> readModes = Arrays.asList(opts.getOrDefault("read-modes", "arrow").split(","));
        for (String mode : readModes) {
            if (!mode.equals("arrow") && !mode.equals("text")) {
                throw new IllegalArgumentException(
                        "--read-modes lists arrow and/or text, not '" + mode + "'");
            }
        }
        if (api.equals("datastream") && !readModes.equals(List.of("arrow"))) {
            throw new IllegalArgumentException(
                    "--read-modes applies to --api sql only (the DataStream runs use the default)");
        }
        if (!api.equals("sql") && !api.equals("datastream")) {
            throw new IllegalArgumentException("--api is sql or datastream, not '" + api + "'");
        }
        List<Contender> contenders = Contenders.select(opts.getOrDefault("contenders", "all"));
        boolean skipBackfill =
                Boolean.parseBoolean(opts.getOrDefault("flink-cdc-skip-backfill", "false"));
        Map<String, String> classPaths = new LinkedHashMap<>();
        for (Contender c : contenders) {
            classPaths.put(c.name(), classPathFor(c.name()));
        }

        try (PostgresCluster pg =
                PostgresCluster.builder().setting("shared_buffers", "512MB").start()) {
            pg.execute("postgres", "CREATE DATABASE " + StreamBenchmark.DATABASE);
            StreamBenchmark.psql(pg, benchDir.resolve("cdc_bench_schema.sql"));
            pg.execute(
                    StreamBenchmark.DATABASE,
                    "INSERT INTO public.cdc_bench SELECT g, ((g::bigint * 7919) % 1000000)::int, md5(g::text)"
                            + " || 'abcdefgh', round((g % 100000) * 1.25, 2), timestamptz"
                            + " '2024-01-01 00:00:00+00' + g * interval '1 second', g % 2 = 0,"
                            + " g * 0.001, 'name_' || (g % 100000), date '2024-01-01' + (g % 3650),"
                            + " jsonb_build_object('k', g, 'tag', 'x' || (g % 10))"
                            + " FROM generate_series(1, "
                            + rows
                            + ") g",
                    "VACUUM ANALYZE public.cdc_bench");
            System.out.printf(
                    Locale.ROOT,
                    "%n== initial snapshot of public.cdc_bench, %,d rows,"
                            + " %d reps, through %s, pg-arrow-cdc at parallelism %s (chunk.size %s),"
                            + " postgres-cdc at %s%s%s%n",
                    rows,
                    reps,
                    api.equals("sql") ? "Flink SQL" : "the DataStream API",
                    parallelisms,
                    chunkSize > 0 ? String.valueOf(chunkSize) : "default",
                    flinkCdcParallelisms,
                    skipBackfill ? ", backfill skipped" : "",
                    objectReuse ? ", object reuse on" : "");
            // Every repetition runs every configuration once, in the same order, so that the
            // machine's slow and fast spells fall on all of them alike.
            Map<String, List<Run>> results = new LinkedHashMap<>();
            List<Double> copyRates = new ArrayList<>();
            List<Double> copyCpus = new ArrayList<>();
            for (int r = 0; r < reps; r++) {
                double cpu0 = serverCpuSeconds(pg);
                double copy = copyRate(pg, rows);
                double copyCpu = serverCpuSeconds(pg) - cpu0;
                copyRates.add(copy);
                copyCpus.add(copyCpu);
                System.out.printf(
                        Locale.ROOT,
                        "   rep %d %-18s %,10.0f rows/s; CPU s: server %.1f%n",
                        r + 1,
                        "COPY binary",
                        copy,
                        copyCpu);
                for (Contender c : contenders) {
                    boolean flinkCdc = c.name().equals("postgres-cdc");
                    List<Integer> ps = flinkCdc ? flinkCdcParallelisms : parallelisms;
                    for (String readMode : flinkCdc ? List.of("arrow") : readModes) {
                        for (int parallelism : ps) {
                            double serverCpu0 = serverCpuSeconds(pg);
                            Run run =
                                    runChildJvm(
                                            c.name(),
                                            classPaths.get(c.name()),
                                            pg,
                                            rows,
                                            parallelism,
                                            skipBackfill,
                                            chunkSize,
                                            api,
                                            readMode);
                            run.serverCpuSeconds = serverCpuSeconds(pg) - serverCpu0;
                            dropSlots(pg);
                            String key =
                                    c.name()
                                            + (readMode.equals("text") ? " text" : "")
                                            + " p"
                                            + parallelism;
                            System.out.printf(
                                    Locale.ROOT,
                                    "   rep %d %-18s %,10.0f rows/s first to last,"
                                            + " %,10.0f from submit, start-up %.2f s; CPU s: JVM %.1f (first to"
                                            + " last), server %.1f (whole run)%n",
                                    r + 1,
                                    key,
                                    run.steady(),
                                    run.fromSubmit(),
                                    run.startupSeconds(),
                                    run.jvmCpuSeconds(),
                                    run.serverCpuSeconds);
                            results.computeIfAbsent(key, k -> new ArrayList<>()).add(run);
                        }
                    }
                }
            }
            double copy = median(copyRates);
            System.out.printf(
                    Locale.ROOT,
                    "%n| contender | rows/s first to last (median) | every"
                            + " repetition | rows/s from submit | start-up s | share of COPY | JVM CPU s,"
                            + " first to last | server CPU s, whole run |%n"
                            + "|---|---:|---|---:|---:|---:|---:|---:|%n");
            Map<String, Double> steady = new LinkedHashMap<>();
            for (Map.Entry<String, List<Run>> e : results.entrySet()) {
                List<Run> runs = e.getValue();
                double m = median(runs.stream().map(Run::steady).collect(Collectors.toList()));
                steady.put(e.getKey(), m);
                System.out.printf(
                        Locale.ROOT,
                        "| %s | %,.0f | %s | %,.0f | %.2f | %.0f%% | %.1f | %.1f |%n",
                        e.getKey(),
                        m,
                        runs.stream()
                                .map(x -> String.format(Locale.ROOT, "%,.0f", x.steady()))
                                .collect(Collectors.joining(" / ")),
                        median(runs.stream().map(Run::fromSubmit).collect(Collectors.toList())),
                        median(runs.stream().map(Run::startupSeconds).collect(Collectors.toList())),
                        100 * m / copy,
                        median(runs.stream().map(Run::jvmCpuSeconds).collect(Collectors.toList())),
                        median(
                                runs.stream()
                                        .map(x -> x.serverCpuSeconds)
                                        .collect(Collectors.toList())));
            }
            System.out.printf(
                    Locale.ROOT,
                    "| COPY binary, one connection | %,.0f | %s | | | 100%%" + " | | %.1f |%n",
                    copy,
                    copyRates.stream()
                            .map(x -> String.format(Locale.ROOT, "%,.0f", x))
                            .collect(Collectors.joining(" / ")),
                    median(copyCpus));
            ratio(
                    "pg-arrow-cdc p1 / postgres-cdc p1",
                    steady.get("pg-arrow-cdc p1"),
                    steady.get("postgres-cdc p1"));
            ratio("pg-arrow-cdc p1 / COPY binary", steady.get("pg-arrow-cdc p1"), copy);
            ratio(
                    "pg-arrow-cdc p2 / pg-arrow-cdc p1",
                    steady.get("pg-arrow-cdc p2"),
                    steady.get("pg-arrow-cdc p1"));
        }
    }

    /** A run's figures, from the child's stamps and the server's CPU around it. */
    private static final class Run {
        final long rows;
        final long firstNanos;
        final long lastNanos;

        /** The child JVM's CPU time from the first row to the last. */
        final long jvmCpuNanos;

        /** The server's CPU time (every backend) over the whole run, start-up included. */
        double serverCpuSeconds;

        Run(long rows, long firstNanos, long lastNanos, long jvmCpuNanos) {
            this.rows = rows;
            this.firstNanos = firstNanos;
            this.lastNanos = lastNanos;
            this.jvmCpuNanos = jvmCpuNanos;
        }

        double jvmCpuSeconds() {
            return jvmCpuNanos / 1e9;
        }

        /** Rows per second from the first row to the last. */
        double steady() {
            return rows / ((lastNanos - firstNanos) / 1e9);
        }

        double fromSubmit() {
            return rows / (lastNanos / 1e9);
        }

        double startupSeconds() {
            return firstNanos / 1e9;
        }
    }

    /**
     * CPU seconds (user + system) the server has used so far: the postmaster's reaped children
     * (backends that have exited) and every live child.
     */
    private static double serverCpuSeconds(PostgresCluster pg) throws IOException {
        Path pidFile = pg.dataDir().resolve("postmaster.pid");
        long postmaster = Long.parseLong(Files.readAllLines(pidFile).get(0).trim());
        long ticks = 0;
        String[] own = procStat(postmaster);
        if (own != null) {
            ticks += Long.parseLong(own[13]) + Long.parseLong(own[14]);
        }
        try (java.util.stream.Stream<Path> procs = Files.list(Paths.get("/proc"))) {
            for (Path proc : (Iterable<Path>) procs::iterator) {
                String name = proc.getFileName().toString();
                if (!name.chars().allMatch(Character::isDigit)) {
                    continue;
                }
                String[] f = procStat(Long.parseLong(name));
                if (f != null && Long.parseLong(f[1]) == postmaster) {
                    ticks += Long.parseLong(f[11]) + Long.parseLong(f[12]);
                }
            }
        }
        return ticks / 100.0; // USER_HZ
    }

    /**
     * The fields of /proc/PID/stat after the command name, from the state on (index 0 = state, 1 =
     * ppid, 11/12 = utime/stime, 13/14 = cutime/cstime), or null if the process is gone.
     */
    private static String[] procStat(long pid) {
        try {
            String stat =
                    new String(
                            Files.readAllBytes(Paths.get("/proc", String.valueOf(pid), "stat")),
                            StandardCharsets.US_ASCII);
            return stat.substring(stat.lastIndexOf(')') + 2).trim().split(" ");
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private static void ratio(String what, Double a, Double b) {
        if (a != null && b != null) {
            System.out.printf(Locale.ROOT, "%s (first to last, medians): %.2fx%n", what, a / b);
        }
    }

    /**
     * {@code COPY public.cdc_bench TO STDOUT (FORMAT binary)} on one connection, the bytes
     * discarded: rows/s from the statement to its last byte, the ceiling of one snapshot reader.
     */
    private static double copyRate(PostgresCluster pg, long rows) throws Exception {
        try (Connection c = pg.connect(StreamBenchmark.DATABASE)) {
            org.postgresql.copy.CopyManager copy =
                    c.unwrap(org.postgresql.PGConnection.class).getCopyAPI();
            java.io.OutputStream discard =
                    new java.io.OutputStream() {
                        @Override
                        public void write(int b) {}

                        @Override
                        public void write(byte[] b, int off, int len) {}
                    };
            long start = System.nanoTime();
            long copied = copy.copyOut("COPY public.cdc_bench TO STDOUT (FORMAT binary)", discard);
            long nanos = System.nanoTime() - start;
            if (copied != rows) {
                System.out.printf(
                        Locale.ROOT, "   WARNING COPY sent %,d rows, expected %,d%n", copied, rows);
            }
            return copied / (nanos / 1e9);
        }
    }

    private static List<Integer> intList(String csv) {
        return Arrays.stream(csv.split(","))
                .map(p -> Integer.parseInt(p.trim()))
                .collect(Collectors.toList());
    }

    private static double median(List<Double> values) {
        double[] v = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }

    /**
     * This JVM's class path, except that Flink CDC gets the pgjdbc its connector declares in place
     * of the one this build manages (pgjdbc 42.7.5 changed what DatabaseMetaData returns as
     * TABLE_CAT, which Flink CDC 3.5.0's Debezium schema lookup does not expect).
     */
    static String classPathFor(String contender) throws IOException {
        String cp = System.getProperty("java.class.path");
        if (!contender.equals("postgres-cdc")) {
            return cp;
        }
        String wanted = declaredPgjdbcVersion();
        List<String> out = new ArrayList<>();
        for (String entry : cp.split(File.pathSeparator)) {
            Matcher m =
                    Pattern.compile("(.*)/org/postgresql/postgresql/([^/]+)/postgresql-\\2\\.jar")
                            .matcher(entry.replace(File.separatorChar, '/'));
            if (m.matches() && !m.group(2).equals(wanted)) {
                Path jar =
                        Paths.get(
                                m.group(1),
                                "org",
                                "postgresql",
                                "postgresql",
                                wanted,
                                "postgresql-" + wanted + ".jar");
                if (!Files.isRegularFile(jar)) {
                    throw new IllegalStateException(
                            "Flink CDC needs pgjdbc "
                                    + wanted
                                    + " ("
                                    + jar
                                    + " is missing): run mvn dependency:get"
                                    + " -Dartifact=org.postgresql:postgresql:"
                                    + wanted);
                }
                entry = jar.toString();
            }
            out.add(entry);
        }
        return String.join(File.pathSeparator, out);
    }

    /** The pgjdbc version in flink-connector-postgres-cdc's own pom, read from its jar. */
    private static String declaredPgjdbcVersion() throws IOException {
        String pom = "/META-INF/maven/org.apache.flink/flink-connector-postgres-cdc/pom.xml";
        try (InputStream in = PostgresSourceBuilder.class.getResourceAsStream(pom)) {
            if (in == null) {
                throw new IllegalStateException("no " + pom + " in flink-connector-postgres-cdc");
            }
            String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            Matcher m =
                    Pattern.compile(
                                    "<groupId>org\\.postgresql</groupId>\\s*<artifactId>postgresql</artifactId>"
                                            + "\\s*<version>([^<]+)</version>")
                            .matcher(text);
            if (!m.find()) {
                throw new IllegalStateException("no pgjdbc version in " + pom);
            }
            return m.group(1).trim();
        }
    }

    /** Runs one snapshot in a child JVM with this JVM's flags. */
    private static Run runChildJvm(
            String contender,
            String classPath,
            PostgresCluster pg,
            long rows,
            int parallelism,
            boolean skipBackfill,
            int chunkSize,
            String api,
            String readMode)
            throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());
        cmd.addAll(
                Arrays.asList(
                        "-cp",
                        classPath,
                        SnapshotBenchmark.class.getName(),
                        "--child",
                        contender,
                        "--host",
                        pg.host(),
                        "--port",
                        String.valueOf(pg.port()),
                        "--rows",
                        String.valueOf(rows),
                        "--parallelism",
                        String.valueOf(parallelism),
                        "--skip-backfill",
                        String.valueOf(skipBackfill),
                        "--chunk-size",
                        String.valueOf(chunkSize),
                        "--api",
                        api,
                        "--read-mode",
                        readMode,
                        "--object-reuse",
                        String.valueOf(objectReuse)));
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String result = null;
        try (BufferedReader out =
                new BufferedReader(
                        new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = out.readLine()) != null; ) {
                if (line.startsWith(RESULT)) {
                    result = line.substring(RESULT.length()).trim();
                } else {
                    System.out.println(line);
                }
            }
        }
        if (!p.waitFor(RUN_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            p.destroyForcibly();
        }
        if (result == null) {
            throw new IllegalStateException(
                    contender
                            + " at parallelism "
                            + parallelism
                            + " did not finish its snapshot (child exit "
                            + p.exitValue()
                            + ")");
        }
        String[] f = result.split(" ");
        long counted = Long.parseLong(f[0]);
        if (counted != rows) {
            System.out.printf(
                    Locale.ROOT,
                    "   WARNING %s counted %,d rows, expected %,d%n",
                    contender,
                    counted,
                    rows);
        }
        return new Run(rows, Long.parseLong(f[1]), Long.parseLong(f[2]), Long.parseLong(f[3]));
    }

    /** Drops every slot the run left in the bench database, once its walsender has gone. */
    private static void dropSlots(PostgresCluster pg) throws Exception {
        List<String> slots = new ArrayList<>();
        try (Connection c = pg.connect(StreamBenchmark.DATABASE);
                Statement st = c.createStatement();
                ResultSet rs =
                        st.executeQuery(
                                "SELECT slot_name FROM pg_replication_slots"
                                        + " WHERE database = '"
                                        + StreamBenchmark.DATABASE
                                        + "'")) {
            while (rs.next()) {
                slots.add(rs.getString(1));
            }
        }
        for (String slot : slots) {
            try {
                Contenders.dropSlot(pg, slot);
            } catch (SQLException e) {
                System.out.println("   (could not drop slot " + slot + ": " + e.getMessage() + ")");
            }
        }
    }

    /**
     * The child: one job at the given parallelism, timed from submit until the sink has counted
     * {@code --rows} rows; prints the count and the nanoseconds on a RESULT line, then exits.
     */
    private static void runChild(Map<String, String> opts) throws Exception {
        String contender = opts.get("child");
        long rows = Long.parseLong(opts.get("rows"));
        int parallelism = Integer.parseInt(opts.get("parallelism"));
        CountingSink.reset(rows);
        StreamExecutionEnvironment env =
                StreamExecutionEnvironment.createLocalEnvironment(parallelism, new Configuration());
        if (Boolean.parseBoolean(opts.get("object-reuse"))) {
            env.getConfig().enableObjectReuse();
        }
        String host = opts.get("host");
        int port = Integer.parseInt(opts.get("port"));
        boolean skipBackfill = Boolean.parseBoolean(opts.get("skip-backfill"));
        int chunkSize = Integer.parseInt(opts.get("chunk-size"));
        if (opts.get("api").equals("sql")) {
            // What a user writes: the connector's DDL, its changelog as a DataStream.
            StreamTableEnvironment tEnv = StreamTableEnvironment.create(env);
            tEnv.executeSql(
                    Contenders.snapshotDdl(
                            contender, host, port, skipBackfill, chunkSize, opts.get("read-mode")));
            tEnv.toChangelogStream(tEnv.from("src")).addSink(new CountingSink<>()).name("count");
        } else {
            Contenders.snapshotSource(contender, env, host, port, skipBackfill, chunkSize)
                    .addSink(new CountingSink<>())
                    .name("count");
        }
        long submit = System.nanoTime();
        JobClient job = env.executeAsync(contender + " snapshot");
        int exit = 1;
        try {
            long deadline = submit + TimeUnit.SECONDS.toNanos(RUN_TIMEOUT_SECONDS - 60);
            while (CountingSink.lastNanos == 0) {
                if (System.nanoTime() > deadline
                        || job.getJobStatus().get().isTerminalState()
                                && CountingSink.lastNanos == 0) {
                    System.err.println(
                            contender
                                    + " read "
                                    + CountingSink.COUNT.get()
                                    + " of "
                                    + rows
                                    + " rows");
                    return;
                }
                Thread.sleep(5);
            }
            // Let anything beyond the snapshot show up in the count before stopping.
            Thread.sleep(500);
            System.out.println(
                    RESULT
                            + CountingSink.COUNT.get()
                            + " "
                            + (CountingSink.firstNanos - submit)
                            + " "
                            + (CountingSink.lastNanos - submit)
                            + " "
                            + (CountingSink.lastCpuNanos - CountingSink.firstCpuNanos));
            System.out.flush();
            exit = 0;
        } finally {
            try {
                if (!job.getJobStatus().get().isTerminalState()) {
                    job.cancel().get(60, TimeUnit.SECONDS);
                }
            } finally {
                System.exit(exit);
            }
        }
    }
}
