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

import dev.pgarrowcdc.flink.source.Lsn;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.sql.SQLException;
import java.util.concurrent.TimeUnit;

/**
 * When a slot's streaming connection may be opened again after a failure: exponential backoff from
 * {@link #INITIAL_BACKOFF_MILLIS} up to {@link #MAX_BACKOFF_MILLIS}, at most {@code maxRetries}
 * failed attempts in a row, counted from the last time the stream delivered data. Not thread safe:
 * the fetcher thread owns it.
 */
final class Reconnects {

    private static final Logger LOG = LoggerFactory.getLogger(Reconnects.class);

    static final long INITIAL_BACKOFF_MILLIS = 1_000;
    static final long MAX_BACKOFF_MILLIS = 30_000;

    private final int maxRetries;
    private final String description;
    private int failures;
    private long firstFailureNanos;
    private long nextAttemptNanos;

    Reconnects(int maxRetries, String description) {
        this.maxRetries = maxRetries;
        this.description = description;
    }

    /**
     * Whether an error may go away by connecting again: the connection broke (SQLSTATE class 08),
     * the backend was terminated or the server shut down or is starting (57P01..57P03), too many
     * connections (53300), or the slot is still held by the walsender being terminated (55006).
     */
    static boolean isTransient(SQLException e) {
        String state = e.getSQLState();
        if (state == null) {
            return false;
        }
        return state.startsWith("08")
                || state.equals("57P01")
                || state.equals("57P02")
                || state.equals("57P03")
                || state.equals("53300")
                || state.equals("55006");
    }

    /** False while waiting out the backoff after a failure. */
    boolean due() {
        return failures == 0 || System.nanoTime() - nextAttemptNanos >= 0;
    }

    /**
     * Records a failed connection (or attempt) and schedules the next attempt.
     *
     * @throws IOException when this was the last allowed attempt, naming the options to change
     */
    void failed(SQLException cause, long resumeLsn, long rowsToSkip) throws IOException {
        long now = System.nanoTime();
        if (failures == 0) {
            firstFailureNanos = now;
        }
        failures++;
        long waitedSeconds = TimeUnit.NANOSECONDS.toSeconds(now - firstFailureNanos);
        if (failures > maxRetries) {
            throw new IOException(
                    "pg-arrow-cdc: lost the replication connection of "
                            + description
                            + " and could not reconnect: "
                            + maxRetries
                            + " attempts over "
                            + waitedSeconds
                            + " s failed, the last with: "
                            + cause.getMessage()
                            + ". Check that the server"
                            + " is up and reachable and that no other client uses the slot; raise"
                            + " 'connect.max-retries' to wait longer before the job fails.",
                    cause);
        }
        long backoff =
                Math.min(MAX_BACKOFF_MILLIS, INITIAL_BACKOFF_MILLIS << Math.min(failures - 1, 20));
        nextAttemptNanos = now + TimeUnit.MILLISECONDS.toNanos(backoff);
        LOG.warn(
                "Replication connection of {} failed ({}, SQLSTATE {}); reconnecting in {} ms"
                        + " (attempt {} of {}), resuming at {}{}",
                description,
                cause.getMessage(),
                cause.getSQLState(),
                backoff,
                failures,
                maxRetries,
                Lsn.format(resumeLsn),
                rowsToSkip > 0 ? " skipping " + rowsToSkip + " rows already emitted" : "");
    }

    /** A connection was (re)opened and replication started. */
    void connected() {
        if (failures > 0) {
            LOG.info("Reconnected {} after {} failed attempt(s)", description, failures);
        }
    }

    /** The stream delivered data: the connection works, failures start counting anew. */
    void streaming() {
        failures = 0;
    }
}
