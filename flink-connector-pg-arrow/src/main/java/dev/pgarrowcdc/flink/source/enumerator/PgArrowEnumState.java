package dev.pgarrowcdc.flink.source.enumerator;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

import dev.pgarrowcdc.flink.source.split.PgArrowSplit;
import dev.pgarrowcdc.flink.source.split.TableId;

/**
 * The enumerator's checkpoint: every table a split was made for (so a restore neither makes a
 * second split for it nor forgets one), the splits not yet handed to a reader, and whether the
 * first discovery (the one the startup mode applies to) has happened.
 */
public final class PgArrowEnumState {

    private final Set<TableId> capturedTables;
    private final List<PgArrowSplit> unassignedSplits;
    private final boolean initialDiscoveryDone;

    public PgArrowEnumState(
            Set<TableId> capturedTables, List<PgArrowSplit> unassignedSplits, boolean initialDiscoveryDone) {
        this.capturedTables = Collections.unmodifiableSet(new TreeSet<>(capturedTables));
        this.unassignedSplits = Collections.unmodifiableList(new ArrayList<>(unassignedSplits));
        this.initialDiscoveryDone = initialDiscoveryDone;
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
                && unassignedSplits.equals(that.unassignedSplits);
    }

    @Override
    public int hashCode() {
        return Objects.hash(capturedTables, unassignedSplits, initialDiscoveryDone);
    }

    @Override
    public String toString() {
        return "PgArrowEnumState{capturedTables=" + capturedTables
                + ", unassignedSplits=" + unassignedSplits
                + ", initialDiscoveryDone=" + initialDiscoveryDone + '}';
    }
}
