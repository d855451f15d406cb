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

import org.apache.flink.streaming.api.functions.sink.SinkFunction;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Counts rows and stamps the first and the target-th arrival. The benchmark runs Flink in this JVM
 * (a local MiniCluster, parallelism 1), so the counters are plain statics read by the driver.
 */
final class CountingSink<T> implements SinkFunction<T> {
    private static final long serialVersionUID = 1L;

    static final AtomicLong COUNT = new AtomicLong();
    static volatile long target = Long.MAX_VALUE;
    static volatile long firstNanos;
    static volatile long lastNanos;

    /** This JVM's CPU time (all threads) at the first and at the target-th row. */
    static volatile long firstCpuNanos;

    static volatile long lastCpuNanos;

    static void reset(long expectedRows) {
        COUNT.set(0);
        firstNanos = 0;
        lastNanos = 0;
        firstCpuNanos = 0;
        lastCpuNanos = 0;
        target = expectedRows;
    }

    static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean)
                        java.lang.management.ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    @Override
    public void invoke(T value, Context context) {
        long n = COUNT.incrementAndGet();
        if (n == 1) {
            firstNanos = System.nanoTime();
            firstCpuNanos = processCpuNanos();
        }
        if (n == target) {
            lastNanos = System.nanoTime();
            lastCpuNanos = processCpuNanos();
        }
    }
}
