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

import java.util.List;
import java.util.Objects;

/** {@code T}: a TRUNCATE of one or more of the slot's tables. */
public final class TruncateFrame extends Frame {

    private final List<TruncatedRelation> relations;
    private final boolean cascade;
    private final boolean restartIdentity;

    public TruncateFrame(
            List<TruncatedRelation> relations, boolean cascade, boolean restartIdentity) {
        this.relations = List.copyOf(relations);
        this.cascade = cascade;
        this.restartIdentity = restartIdentity;
    }

    @Override
    public FrameKind kind() {
        return FrameKind.TRUNCATE;
    }

    /** The truncated relations the slot emits, in the order the plugin wrote them. */
    public List<TruncatedRelation> relations() {
        return relations;
    }

    public boolean cascade() {
        return cascade;
    }

    public boolean restartIdentity() {
        return restartIdentity;
    }

    @Override
    public String toString() {
        return "TruncateFrame{relations="
                + relations
                + ", cascade="
                + cascade
                + ", restartIdentity="
                + restartIdentity
                + '}';
    }

    /** One relation named in a {@code T} frame. */
    public static final class TruncatedRelation {
        private final long relationOid;
        private final String namespace;
        private final String name;

        public TruncatedRelation(long relationOid, String namespace, String name) {
            this.relationOid = relationOid;
            this.namespace = Objects.requireNonNull(namespace);
            this.name = Objects.requireNonNull(name);
        }

        public long relationOid() {
            return relationOid;
        }

        public String namespace() {
            return namespace;
        }

        public String name() {
            return name;
        }

        @Override
        public boolean equals(Object o) {
            if (!(o instanceof TruncatedRelation)) {
                return false;
            }
            TruncatedRelation that = (TruncatedRelation) o;
            return relationOid == that.relationOid
                    && namespace.equals(that.namespace)
                    && name.equals(that.name);
        }

        @Override
        public int hashCode() {
            return Objects.hash(relationOid, namespace, name);
        }

        @Override
        public String toString() {
            return namespace + '.' + name + '(' + relationOid + ')';
        }
    }
}
