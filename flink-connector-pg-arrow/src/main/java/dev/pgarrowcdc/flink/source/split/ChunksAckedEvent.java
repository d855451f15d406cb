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
package dev.pgarrowcdc.flink.source.split;

import org.apache.flink.api.connector.source.SourceEvent;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Enumerator to reader: these finished chunks are in a completed checkpoint of the enumerator, so
 * the reader may forget them.
 */
public final class ChunksAckedEvent implements SourceEvent {

    private static final long serialVersionUID = 1L;

    private final List<String> splitIds;

    public ChunksAckedEvent(List<String> splitIds) {
        this.splitIds = Collections.unmodifiableList(new ArrayList<>(splitIds));
    }

    public List<String> splitIds() {
        return splitIds;
    }

    @Override
    public String toString() {
        return "ChunksAckedEvent" + splitIds;
    }
}
