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
