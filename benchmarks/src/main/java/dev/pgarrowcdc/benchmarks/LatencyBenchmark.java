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
import org.apache.flink.streaming.api.functions.sink.SinkFunction;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.TimestampData;

import java.nio.file.Path;
import java.nio.file.Paths;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Commit-to-emit latency at a steady insert rate: a writer commits small transactions into
 * public.cdc_bench at {@code --rate} rows/s, each row stamped with {@code clock_timestamp()} just
 * before its commit, while the contender's job runs at parallelism 1; the sink measures arrival
 * time minus that stamp (an upper bound of commit-to-emit: the stamp precedes the commit). Each
 * contender gets its own run, its slot created just before its job starts.
 *
 * <pre>
 *   benchmarks/run-stream.sh --main LatencyBenchmark [--rate 20000] [--seconds 20]
 * </pre>
 */
public final class LatencyBenchmark {

    private static final int ROWS_PER_TXN = 100;

    private LatencyBenchmark() {}

    public static void main(String[] args) throws Exception {
        Map<String, String> opts = StreamBenchmark.parseArgs(args);
        Path benchDir =
                Paths.get(opts.getOrDefault("bench-dir", StreamBenchmark.DEFAULT_WORKLOADS));
        int rate = Integer.parseInt(opts.getOrDefault("rate", "20000"));
        int seconds = Integer.parseInt(opts.getOrDefault("seconds", "20"));
        List<Contender> contenders = Contenders.select(opts.getOrDefault("contenders", "all"));

        try (PostgresCluster pg =
                PostgresCluster.builder().setting("max_wal_size", "8GB").start()) {
            pg.execute("postgres", "CREATE DATABASE " + StreamBenchmark.DATABASE);
            StreamBenchmark.psql(pg, benchDir.resolve("cdc_bench_schema.sql"));
            System.out.printf(
                    Locale.ROOT,
                    "%n== latency at %,d rows/s (%d-row transactions), %d s measured after 5 s "
                            + "of warm-up, parallelism 1%n",
                    rate,
                    ROWS_PER_TXN,
                    seconds);
            System.out.printf(
                    Locale.ROOT,
                    "%-14s %9s %9s %9s %9s %10s%n",
                    "contender",
                    "p50 ms",
                    "p99 ms",
                    "p99.9 ms",
                    "max ms",
                    "rows");
            AtomicLong nextId = new AtomicLong(1);
            for (Contender c : contenders) {
                runOne(pg, c, rate, seconds, nextId);
            }
        }
    }

    private static void runOne(
            PostgresCluster pg, Contender contender, int rate, int seconds, AtomicLong nextId)
            throws Exception {
        Contenders.createSlot(pg, contender.slotName(), contender.plugin());
        LatencySink.reset((long) rate * (seconds + 10));
        StreamExecutionEnvironment env =
                StreamExecutionEnvironment.createLocalEnvironment(1, new Configuration());
        contender.source(env, pg).addSink(new LatencySink()).name("latency");
        JobClient job = env.executeAsync(contender.name() + " latency");
        try (Connection c = pg.connect(StreamBenchmark.DATABASE);
                PreparedStatement insert =
                        c.prepareStatement(
                                "INSERT INTO public.cdc_bench SELECT g, 1, 'latency', 1.00, "
                                        + "clock_timestamp(), true, 1.0, 'v', current_date, '{}' "
                                        + "FROM generate_series(?::bigint, ?::bigint) g")) {
            // Wait until the job streams: a first transaction must come through.
            long first = nextId.getAndAdd(ROWS_PER_TXN);
            insert.setLong(1, first);
            insert.setLong(2, first + ROWS_PER_TXN - 1);
            insert.execute();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (LatencySink.COUNT.get() < ROWS_PER_TXN) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException(contender.name() + " emitted nothing in 120 s");
                }
                Thread.sleep(10);
            }
            long intervalNanos = TimeUnit.SECONDS.toNanos(1) * ROWS_PER_TXN / rate;
            long start = System.nanoTime();
            long measureFrom = start + TimeUnit.SECONDS.toNanos(5);
            long end = measureFrom + TimeUnit.SECONDS.toNanos(seconds);
            long next = start;
            while (next < end) {
                if (next >= measureFrom && LatencySink.measureFromMicros == 0) {
                    LatencySink.measureFromMicros = nowMicros();
                }
                long id = nextId.getAndAdd(ROWS_PER_TXN);
                insert.setLong(1, id);
                insert.setLong(2, id + ROWS_PER_TXN - 1);
                insert.execute();
                next += intervalNanos;
                long sleep = next - System.nanoTime();
                if (sleep > 0) {
                    TimeUnit.NANOSECONDS.sleep(sleep);
                }
            }
            long written = nextId.get() - first;
            deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (LatencySink.COUNT.get() < written && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
        } finally {
            job.cancel().get(60, TimeUnit.SECONDS);
        }
        Thread.sleep(200);
        Contenders.dropSlot(pg, contender.slotName());
        long[] lat = LatencySink.measured();
        Arrays.sort(lat);
        System.out.printf(
                Locale.ROOT,
                "%-14s %9.1f %9.1f %9.1f %9.1f %,10d%n",
                contender.name(),
                pct(lat, 0.50),
                pct(lat, 0.99),
                pct(lat, 0.999),
                lat.length == 0 ? Double.NaN : lat[lat.length - 1] / 1000.0,
                lat.length);
    }

    private static double pct(long[] sorted, double p) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int i = (int) Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1);
        return sorted[Math.max(0, i)] / 1000.0;
    }

    static long nowMicros() {
        java.time.Instant now = java.time.Instant.now();
        return now.getEpochSecond() * 1_000_000L + now.getNano() / 1000;
    }

    /** Records arrival minus the row's stamp (column ts), in microseconds. */
    static final class LatencySink implements SinkFunction<RowData> {
        private static final long serialVersionUID = 1L;
        static final AtomicLong COUNT = new AtomicLong();
        static volatile long measureFromMicros;
        private static long[] latencies = new long[0];
        private static int measuredCount;

        static synchronized void reset(long capacity) {
            COUNT.set(0);
            measureFromMicros = 0;
            latencies = new long[(int) Math.min(Integer.MAX_VALUE - 8, capacity)];
            measuredCount = 0;
        }

        static synchronized long[] measured() {
            return Arrays.copyOf(latencies, measuredCount);
        }

        @Override
        public void invoke(RowData row, Context context) {
            long arrival = nowMicros();
            COUNT.incrementAndGet();
            TimestampData ts = row.getTimestamp(4, 6);
            long stamp = ts.getMillisecond() * 1000 + ts.getNanoOfMillisecond() / 1000;
            long from = measureFromMicros;
            if (from != 0 && stamp >= from) {
                synchronized (LatencySink.class) {
                    if (measuredCount < latencies.length) {
                        latencies[measuredCount++] = arrival - stamp;
                    }
                }
            }
        }
    }
}
