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
package dev.pgarrowcdc.flink.source.reader.frame;

import java.util.Objects;

/** {@code S}: the (new) shape of a relation; the following {@code R} frames conform to it. */
public final class SchemaFrame extends Frame {

    private final RelationSchema schema;

    public SchemaFrame(RelationSchema schema) {
        this.schema = Objects.requireNonNull(schema);
    }

    @Override
    public FrameKind kind() {
        return FrameKind.SCHEMA;
    }

    public long relationOid() {
        return schema.relationOid();
    }

    public int schemaVersion() {
        return schema.schemaVersion();
    }

    public RelationSchema schema() {
        return schema;
    }

    @Override
    public String toString() {
        return "SchemaFrame{" + schema + '}';
    }
}
