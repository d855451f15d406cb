package dev.pgarrowcdc.flink.source.enumerator;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.Locale;

/**
 * Checks, before any slot is created, the server settings a CDC source needs, failing with what to
 * change: {@code wal_level}, the role's REPLICATION attribute, and {@code
 * output_plugin_libraries} (a setting of some builds, e.g. Debian's PostgreSQL 15.20, that refuses
 * any output plugin it does not list, superusers included).
 */
public final class ServerChecks {

    static final String PLUGIN = "wal2arrow";

    private ServerChecks() {}

    /** @throws IllegalStateException naming the setting and the fix */
    public static void check(Connection c) throws SQLException {
        String walLevel = setting(c, "wal_level");
        if (!"logical".equals(walLevel)) {
            throw new IllegalStateException(
                    "PostgreSQL setting wal_level is '" + walLevel + "' but change data capture needs"
                            + " 'logical': set wal_level = logical in postgresql.conf (or ALTER SYSTEM"
                            + " SET wal_level = logical) and restart the server");
        }
        try (PreparedStatement ps = c.prepareStatement(
                        "SELECT rolreplication OR rolsuper, current_user FROM pg_catalog.pg_roles"
                                + " WHERE rolname = current_user");
                ResultSet rs = ps.executeQuery()) {
            if (rs.next() && !rs.getBoolean(1)) {
                throw new IllegalStateException(
                        "Role '" + rs.getString(2) + "' lacks the REPLICATION attribute needed for"
                                + " replication slots and connections: ALTER ROLE "
                                + quote(rs.getString(2)) + " REPLICATION (as a superuser), or set"
                                + " 'username' to a role that has it");
            }
        }
        String allowed = setting(c, "output_plugin_libraries");
        if (allowed != null && !listsPlugin(allowed)) {
            throw new IllegalStateException(
                    "PostgreSQL setting output_plugin_libraries = '" + allowed + "' does not list "
                            + PLUGIN + ", so the server refuses it as an output plugin for every"
                            + " user: as a superuser run ALTER SYSTEM SET output_plugin_libraries = "
                            + (allowed.trim().isEmpty() ? "" : allowed.trim() + ", ") + PLUGIN
                            + "; (the list unquoted) and SELECT pg_reload_conf();");
        }
    }

    static boolean listsPlugin(String list) {
        return Arrays.stream(list.split(","))
                .map(s -> s.trim().replace("\"", "").toLowerCase(Locale.ROOT))
                .anyMatch(PLUGIN::equals);
    }

    /** The setting's value, or null when this server has no such setting. */
    private static String setting(Connection c, String name) throws SQLException {
        try (PreparedStatement ps =
                c.prepareStatement("SELECT setting FROM pg_catalog.pg_settings WHERE name = ?")) {
            ps.setString(1, name);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        }
    }

    private static String quote(String role) {
        return "\"" + role.replace("\"", "\"\"") + "\"";
    }

}
