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
package dev.pgarrowcdc.flink.source;

import org.apache.flink.configuration.DescribedEnum;
import org.apache.flink.configuration.description.InlineElement;

import static org.apache.flink.configuration.description.TextElement.text;

/**
 * Where a split starts reading when the job starts without state. A job restored from a checkpoint
 * or savepoint always resumes from its state, whatever the mode.
 *
 * <p>Tables that appear while the job runs (found by re-discovery) are always read from their
 * beginning (snapshot, then stream): "latest" refers to the moment the job started.
 */
public enum StartupMode implements DescribedEnum {
    INITIAL(
            "initial",
            "Snapshot each table under the snapshot exported with its new replication slot, then"
                    + " stream changes from the slot's consistent point: no row lost, none twice."),
    LATEST_OFFSET(
            "latest-offset",
            "No snapshot: stream changes committed after the job started. An existing slot is"
                    + " reused; transactions committed before the start are skipped."),
    COMMITTED_OFFSET(
            "committed-offset",
            "No snapshot: stream from each slot's confirmed_flush_lsn (what a previous job"
                    + " confirmed). A missing slot is created and read from its creation point."),
    SPECIFIC_OFFSET(
            "specific-offset",
            "No snapshot: stream from the LSN in 'scan.startup.specific-offset.lsn', or from the"
                    + " slot's confirmed_flush_lsn when that is later (PostgreSQL cannot go back)."),
    SNAPSHOT(
            "snapshot",
            "Snapshot each table and finish (a bounded source): no slot is created or kept.");

    private final String value;
    private final String description;

    StartupMode(String value, String description) {
        this.value = value;
        this.description = description;
    }

    /** The option value, e.g. {@code latest-offset}. */
    public String value() {
        return value;
    }

    /** Whether splits of this mode begin with a snapshot of their table. */
    public boolean snapshotsFirst() {
        return this == INITIAL || this == SNAPSHOT;
    }

    @Override
    public String toString() {
        return value;
    }

    @Override
    public InlineElement getDescription() {
        return text(description);
    }
}
