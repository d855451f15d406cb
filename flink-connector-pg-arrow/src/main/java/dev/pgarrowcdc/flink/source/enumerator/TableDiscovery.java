package dev.pgarrowcdc.flink.source.enumerator;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

import dev.pgarrowcdc.flink.source.split.TableId;

/**
 * Finds the captured tables: permanent ordinary tables (partitions included, as logical decoding
 * reports changes on them) outside the system schemas, matching {@link TablePatterns}. Unlogged
 * and temporary tables are never decoded, so they are never captured. Read from pg_catalog, which
 * unlike information_schema lists tables whatever the role's privileges, so that a table the role
 * cannot read fails loudly at snapshot time instead of being silently skipped.
 */
public final class TableDiscovery {

    private static final String QUERY =
            "SELECT n.nspname, c.relname FROM pg_catalog.pg_class c"
                    + " JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
                    + " WHERE c.relkind = 'r' AND c.relpersistence = 'p'"
                    + " AND n.nspname NOT IN ('pg_catalog', 'information_schema')"
                    + " AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp\\_%'"
                    + " ORDER BY n.nspname, c.relname";

    private final TablePatterns patterns;

    public TableDiscovery(TablePatterns patterns) {
        this.patterns = patterns;
    }

    /** The matching tables, sorted by schema and name. */
    public List<TableId> discover(Connection connection) throws SQLException {
        List<TableId> tables = new ArrayList<>();
        try (Statement st = connection.createStatement();
                ResultSet rs = st.executeQuery(QUERY)) {
            while (rs.next()) {
                TableId table = new TableId(rs.getString(1), rs.getString(2));
                if (patterns.matches(table)) {
                    tables.add(table);
                }
            }
        }
        return tables;
    }
}
