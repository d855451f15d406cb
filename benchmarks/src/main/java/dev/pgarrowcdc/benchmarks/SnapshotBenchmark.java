package dev.pgarrowcdc.benchmarks;

import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

import dev.pgarrowcdc.flink.testutils.PostgresCluster;

/**
 * The initial snapshot of a {@code --rows}-row public.cdc_bench (default 1M) read by each
 * contender in its 'initial' startup mode into a counting sink at parallelism 1: rows/s from job
 * submit to the last snapshot row, medians of {@code --reps} runs. Each run's slot is dropped
 * afterwards so the next starts from scratch.
 *
 * <pre>
 *   benchmarks/run-stream.sh --main SnapshotBenchmark [--rows 1000000] [--reps 3]
 * </pre>
 */
public final class SnapshotBenchmark {

    private SnapshotBenchmark() {}

    public static void main(String[] args) throws Exception {
        Map<String, String> opts = StreamBenchmark.parseArgs(args);
        Path benchDir = Paths.get(opts.getOrDefault("bench-dir", "../shared/bench"));
        long rows = Long.parseLong(opts.getOrDefault("rows", "1000000"));
        int reps = Integer.parseInt(opts.getOrDefault("reps", "3"));
        List<Contender> contenders = Contenders.select(opts.getOrDefault("contenders", "all"));

        try (PostgresCluster pg = PostgresCluster.builder().setting("shared_buffers", "512MB")
                .start()) {
            pg.execute("postgres", "CREATE DATABASE " + StreamBenchmark.DATABASE);
            StreamBenchmark.psql(pg, benchDir.resolve("cdc_bench_schema.sql"));
            pg.execute(StreamBenchmark.DATABASE,
                    "INSERT INTO public.cdc_bench SELECT g, ((g::bigint * 7919) % 1000000)::int, md5(g::text)"
                            + " || 'abcdefgh', round((g % 100000) * 1.25, 2), timestamptz"
                            + " '2024-01-01 00:00:00+00' + g * interval '1 second', g % 2 = 0,"
                            + " g * 0.001, 'name_' || (g % 100000), date '2024-01-01' + (g % 3650),"
                            + " jsonb_build_object('k', g, 'tag', 'x' || (g % 10))"
                            + " FROM generate_series(1, " + rows + ") g",
                    "VACUUM ANALYZE public.cdc_bench");
            System.out.printf(Locale.ROOT, "%n== initial snapshot of public.cdc_bench, %,d rows, "
                    + "%d reps, medians, parallelism 1%n", rows, reps);
            Map<Contender, List<Double>> results = new LinkedHashMap<>();
            for (int r = 0; r < reps; r++) {
                for (Contender c : contenders) {
                    double rate = runOnce(c, pg, rows);
                    System.out.printf(Locale.ROOT, "   rep %d %-14s %,10.0f rows/s%n", r + 1,
                            c.name(), rate);
                    results.computeIfAbsent(c, k -> new ArrayList<>()).add(rate);
                }
            }
            List<Double> medians = new ArrayList<>();
            for (Map.Entry<Contender, List<Double>> e : results.entrySet()) {
                double m = e.getValue().stream().mapToDouble(Double::doubleValue).sorted()
                        .skip(e.getValue().size() / 2).findFirst().orElse(Double.NaN);
                medians.add(m);
                System.out.printf(Locale.ROOT, "%-14s %,14.0f rows/s from submit%n",
                        e.getKey().name(), m);
            }
            if (medians.size() == 2) {
                System.out.printf(Locale.ROOT, "ratio: %.2fx%n", medians.get(0) / medians.get(1));
            }
        }
    }

    private static double runOnce(Contender contender, PostgresCluster pg, long rows)
            throws Exception {
        CountingSink.reset(rows);
        StreamExecutionEnvironment env =
                StreamExecutionEnvironment.createLocalEnvironment(1, new Configuration());
        contender.snapshotSource(env, pg).addSink(new CountingSink()).name("count");
        long submit = System.nanoTime();
        JobClient job = env.executeAsync(contender.name() + " snapshot");
        try {
            long deadline = submit + TimeUnit.SECONDS.toNanos(600);
            while (CountingSink.lastNanos == 0) {
                if (System.nanoTime() > deadline || job.getJobStatus().get().isTerminalState()
                        && CountingSink.lastNanos == 0) {
                    throw new IllegalStateException(contender.name() + " read "
                            + CountingSink.COUNT.get() + " of " + rows + " rows");
                }
                Thread.sleep(5);
            }
        } finally {
            if (!job.getJobStatus().get().isTerminalState()) {
                job.cancel().get(60, TimeUnit.SECONDS);
            }
            Thread.sleep(200);
            try {
                Contenders.dropSlot(pg, contender.slotName());
            } catch (java.sql.SQLException e) {
                // no slot was made (e.g. the job failed before it)
            }
        }
        return rows / ((CountingSink.lastNanos - submit) / 1e9);
    }
}
