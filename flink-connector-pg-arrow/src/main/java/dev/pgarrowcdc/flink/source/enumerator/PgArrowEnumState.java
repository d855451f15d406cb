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
package dev.pgarrowcdc.flink.source.enumerator;

import dev.pgarrowcdc.flink.source.split.PgArrowSplit;
import dev.pgarrowcdc.flink.source.split.TableId;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * The enumerator's checkpoint: every table a split was made for (so a restore neither makes a
 * second split for it nor forgets one), the splits not yet handed to a reader, and whether the
 * first discovery (the one the startup mode applies to) has happened; the tables whose snapshot is
 * still to start, and the chunked snapshots in progress.
 */
public final class PgArrowEnumState {

    private final Set<TableId> capturedTables;
    private final List<PgArrowSplit> unassignedSplits;
    private final boolean initialDiscoveryDone;
    private final List<TableId> tablesToCut;
    private final List<TableSnapshot> snapshots;

    public PgArrowEnumState(
            Set<TableId> capturedTables,
            List<PgArrowSplit> unassignedSplits,
            boolean initialDiscoveryDone) {
        this(
                capturedTables,
                unassignedSplits,
                initialDiscoveryDone,
                Collections.emptyList(),
                Collections.emptyList());
    }

    PgArrowEnumState(
            Set<TableId> capturedTables,
            List<PgArrowSplit> unassignedSplits,
            boolean initialDiscoveryDone,
            List<TableId> tablesToCut,
            List<TableSnapshot> snapshots) {
        this.capturedTables = Collections.unmodifiableSet(new TreeSet<>(capturedTables));
        this.unassignedSplits = Collections.unmodifiableList(new ArrayList<>(unassignedSplits));
        this.initialDiscoveryDone = initialDiscoveryDone;
        this.tablesToCut = Collections.unmodifiableList(new ArrayList<>(tablesToCut));
        this.snapshots = Collections.unmodifiableList(new ArrayList<>(snapshots));
    }

    /** Tables whose slot and cut are still to be made (their snapshot has not started). */
    public List<TableId> tablesToCut() {
        return tablesToCut;
    }

    /** Chunked snapshots in progress. */
    List<TableSnapshot> snapshots() {
        return snapshots;
    }

    public static PgArrowEnumState initial() {
        return new PgArrowEnumState(Collections.emptySet(), Collections.emptyList(), false);
    }

    public Set<TableId> capturedTables() {
        return capturedTables;
    }

    public List<PgArrowSplit> unassignedSplits() {
        return unassignedSplits;
    }

    public boolean initialDiscoveryDone() {
        return initialDiscoveryDone;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof PgArrowEnumState)) {
            return false;
        }
        PgArrowEnumState that = (PgArrowEnumState) o;
        return initialDiscoveryDone == that.initialDiscoveryDone
                && capturedTables.equals(that.capturedTables)
                && unassignedSplits.equals(that.unassignedSplits)
                && tablesToCut.equals(that.tablesToCut)
                && snapshots.toString().equals(that.snapshots.toString());
    }

    @Override
    public int hashCode() {
        return Objects.hash(capturedTables, unassignedSplits, initialDiscoveryDone);
    }

    @Override
    public String toString() {
        return "PgArrowEnumState{capturedTables="
                + capturedTables
                + ", unassignedSplits="
                + unassignedSplits
                + ", initialDiscoveryDone="
                + initialDiscoveryDone
                + ", tablesToCut="
                + tablesToCut
                + ", snapshots="
                + snapshots
                + '}';
    }
}
