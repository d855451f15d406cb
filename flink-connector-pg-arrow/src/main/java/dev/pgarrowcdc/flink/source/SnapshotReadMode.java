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
 * How snapshot chunks are read ({@code scan.snapshot.read-mode}): as Arrow frames of the wal2arrow
 * library's SQL function {@code wal2arrow_snapshot}, converted by the same code as the stream, or
 * as PostgreSQL text converted in Java.
 */
public enum SnapshotReadMode implements DescribedEnum {
    AUTO(
            "auto",
            "Arrow frames through the function wal2arrow_snapshot where the database has it (and"
                    + " the user may EXECUTE it); else the text path, with one WARN per job naming"
                    + " the database and CREATE EXTENSION wal2arrow."),
    ARROW(
            "arrow",
            "Always Arrow frames: the job fails at start when the database lacks the function or"
                    + " the user may not execute it."),
    TEXT("text", "Always the text path (values converted from PostgreSQL text in Java).");

    private final String value;
    private final String description;

    SnapshotReadMode(String value, String description) {
        this.value = value;
        this.description = description;
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
