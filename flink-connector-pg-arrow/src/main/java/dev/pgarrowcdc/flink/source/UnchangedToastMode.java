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
 * What to do with a {@code +U} row whose TOASTed value was left unchanged by the UPDATE and is not
 * in the WAL (REPLICA IDENTITY DEFAULT or USING INDEX; under FULL wal2arrow fills it in).
 */
public enum UnchangedToastMode implements DescribedEnum {
    FAIL(
            "fail",
            "Fail the job naming the table and column: a NULL would overwrite the real value"
                    + " downstream. Fix with ALTER TABLE ... REPLICA IDENTITY FULL."),
    NULL(
            "null",
            "Emit the value as NULL. A deserializer tells it from an SQL NULL with"
                    + " PgArrowRecordContext#unknownValue (UNCHANGED_TOAST), e.g. to keep the old"
                    + " value from its state.");

    private final String value;
    private final String description;

    UnchangedToastMode(String value, String description) {
        this.value = value;
        this.description = description;
    }

    /** The option value. */
    public String value() {
        return value;
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
