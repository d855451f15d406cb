package dev.pgarrowcdc.flink.testutils;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/** Reading what a test job emits, as text that compares row by row with what was committed. */
public final class JobOutput {

    private JobOutput() {}

    /**
     * The next {@code n} elements as text ({@code toString}), blocking until they arrive; fewer
     * only when the job ended first. A failed job throws here, with the job's failure as cause.
     */
    public static List<String> take(Iterator<?> it, int n) {
        List<String> out = new ArrayList<>(n);
        while (out.size() < n && it.hasNext()) {
            out.add(String.valueOf(it.next()));
        }
        return out;
    }
}
