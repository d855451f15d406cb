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
 * Body compression of the Arrow record batches wal2arrow sends (its option {@code compression}).
 */
public enum ArrowCompression implements DescribedEnum {
    NONE("none", "Uncompressed: cheapest on CPU, best on a fast local network."),
    LZ4("lz4", "LZ4 frame: fast, a good default over a slower network."),
    ZSTD("zstd", "Zstandard: smaller than LZ4, more CPU on both ends.");

    private final String value;
    private final String description;

    ArrowCompression(String value, String description) {
        this.value = value;
        this.description = description;
    }

    /** The plugin's option value. */
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
