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

import java.io.Serializable;
import java.util.Objects;

/** A table by its exact (unquoted, case-sensitive) schema and name, as pg_catalog stores them. */
public final class TableId implements Serializable, Comparable<TableId> {

    private static final long serialVersionUID = 1L;

    private final String schema;
    private final String table;

    public TableId(String schema, String table) {
        this.schema = Objects.requireNonNull(schema, "schema");
        this.table = Objects.requireNonNull(table, "table");
    }

    public String schema() {
        return schema;
    }

    public String table() {
        return table;
    }

    /**
     * {@code "schema"."table"}: always quoted (with {@code "} doubled), so any name, keywords and
     * mixed case included, reads back as exactly this table in SQL and in wal2arrow's {@code
     * tables} option.
     */
    public String quoted() {
        return quoteIdentifier(schema) + "." + quoteIdentifier(table);
    }

    public static String quoteIdentifier(String name) {
        return "\"" + name.replace("\"", "\"\"") + "\"";
    }

    @Override
    public int compareTo(TableId o) {
        int c = schema.compareTo(o.schema);
        return c != 0 ? c : table.compareTo(o.table);
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof TableId)) {
            return false;
        }
        TableId other = (TableId) o;
        return schema.equals(other.schema) && table.equals(other.table);
    }

    @Override
    public int hashCode() {
        return Objects.hash(schema, table);
    }

    /** {@code schema.table} unquoted, for messages. */
    @Override
    public String toString() {
        return schema + "." + table;
    }
}
