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
package dev.pgarrowcdc.flink.testutils;

import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * Waiting in tests for something that must happen: polls a condition until it holds and fails
 * naming what was awaited if it never does. For something that must NOT happen, do not wait: commit
 * a marker after it and wait for the marker instead.
 */
public final class Await {

    /** How long a wait may take before the test fails; generous, as the machine may be busy. */
    private static final long TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(60);

    private static final long POLL_MILLIS = 50;

    private Await() {}

    /** A condition that may query a server. */
    @FunctionalInterface
    public interface Condition {
        boolean holds() throws Exception;
    }

    /** A value that may be read from a server. */
    @FunctionalInterface
    public interface Reading<T> {
        T read() throws Exception;
    }

    /** Polls until the condition holds. */
    public static void until(String what, Condition condition) throws Exception {
        value(what, () -> condition.holds(), Boolean::booleanValue);
    }

    /** Reads until the value passes the test, and returns that value. */
    public static <T> T value(String what, Reading<T> reading, Predicate<T> done) throws Exception {
        long deadline = System.nanoTime() + TIMEOUT_NANOS;
        T value = reading.read();
        while (!done.test(value)) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("Gave up waiting until " + what + "; last read " + value);
            }
            Thread.sleep(POLL_MILLIS);
            value = reading.read();
        }
        return value;
    }
}
