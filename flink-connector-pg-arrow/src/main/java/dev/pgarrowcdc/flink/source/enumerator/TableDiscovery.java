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
package dev.pgarrowcdc.flink.source.enumerator;

import dev.pgarrowcdc.flink.source.split.TableId;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Finds the captured tables: permanent ordinary tables (partitions included, as logical decoding
 * reports changes on them) outside the system schemas, matching {@link TablePatterns}. A matching
 * partitioned table is captured through its leaf partitions: PostgreSQL logs every change of its
 * rows on the leaf that holds them, so each leaf is a table of its own here (its name is what
 * {@code table_name} shows), and a partition attached later is found by the next discovery.
 * Unlogged and temporary tables are never decoded, so they are never captured; neither are foreign
 * partitions. Read from pg_catalog, which unlike information_schema lists tables whatever the
 * role's privileges, so that a table the role cannot read fails loudly at snapshot time instead of
 * being silently skipped.
 */
public final class TableDiscovery {

    private static final String QUERY =
            "SELECT n.nspname, c.relname, c.relkind FROM pg_catalog.pg_class c"
                    + " JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
                    + " WHERE c.relkind IN ('r', 'p') AND c.relpersistence = 'p'"
                    + " AND n.nspname NOT IN ('pg_catalog', 'information_schema')"
                    + " AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp\\_%'"
                    + " ORDER BY n.nspname, c.relname";

    /** The leaf partitions (ordinary tables) under a partitioned table, at any depth. */
    private static final String LEAVES =
            "SELECT n.nspname, c.relname FROM pg_catalog.pg_partition_tree(?::regclass) t"
                    + " JOIN pg_catalog.pg_class c ON c.oid = t.relid"
                    + " JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
                    + " WHERE t.isleaf AND c.relkind = 'r' AND c.relpersistence = 'p'";

    private final TablePatterns patterns;

    public TableDiscovery(TablePatterns patterns) {
        this.patterns = patterns;
    }

    /** The matching tables (leaf partitions for a partitioned one), sorted by schema and name. */
    public List<TableId> discover(Connection connection) throws SQLException {
        Set<TableId> tables = new TreeSet<>(BY_NAME);
        List<TableId> partitioned = new ArrayList<>();
        try (Statement st = connection.createStatement();
                ResultSet rs = st.executeQuery(QUERY)) {
            while (rs.next()) {
                TableId table = new TableId(rs.getString(1), rs.getString(2));
                if (patterns.matches(table)) {
                    if ("p".equals(rs.getString(3))) {
                        partitioned.add(table);
                    } else {
                        tables.add(table);
                    }
                }
            }
        }
        for (TableId parent : partitioned) {
            try (PreparedStatement ps = connection.prepareStatement(LEAVES)) {
                ps.setString(1, parent.quoted());
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        tables.add(new TableId(rs.getString(1), rs.getString(2)));
                    }
                }
            }
        }
        return new ArrayList<>(tables);
    }

    private static final Comparator<TableId> BY_NAME =
            Comparator.comparing(TableId::schema).thenComparing(TableId::table);
}
