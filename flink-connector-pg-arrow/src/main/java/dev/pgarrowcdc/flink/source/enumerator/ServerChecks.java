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
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Checks, before any slot is created, the server settings a CDC source needs, failing with what to
 * change: {@code wal_level}, the role's REPLICATION attribute, and {@code output_plugin_libraries}
 * (a setting of some builds, e.g. Debian's PostgreSQL 15.20, that refuses any output plugin it does
 * not list, superusers included), and room for the slots and walsenders the captured tables need
 * ({@code max_replication_slots}, {@code max_wal_senders}); and that the role may read every
 * captured table ({@link #checkPrivileges}). A missing plugin file is reported when the first slot
 * is created, naming the fix.
 */
public final class ServerChecks {

    static final String PLUGIN = "wal2arrow";

    private ServerChecks() {}

    /**
     * @throws IllegalStateException naming the setting and the fix
     */
    public static void check(Connection c) throws SQLException {
        String walLevel = setting(c, "wal_level");
        if (!"logical".equals(walLevel)) {
            throw new IllegalStateException(
                    "PostgreSQL setting wal_level is '"
                            + walLevel
                            + "' but change data capture needs"
                            + " 'logical': set wal_level = logical in postgresql.conf (or ALTER SYSTEM"
                            + " SET wal_level = logical) and restart the server");
        }
        try (PreparedStatement ps =
                        c.prepareStatement(
                                "SELECT rolreplication OR rolsuper, current_user FROM pg_catalog.pg_roles"
                                        + " WHERE rolname = current_user");
                ResultSet rs = ps.executeQuery()) {
            if (rs.next() && !rs.getBoolean(1)) {
                throw new IllegalStateException(
                        "Role '"
                                + rs.getString(2)
                                + "' lacks the REPLICATION attribute needed for"
                                + " replication slots and connections: ALTER ROLE "
                                + quote(rs.getString(2))
                                + " REPLICATION (as a superuser), or set"
                                + " 'username' to a role that has it");
            }
        }
        String allowed = setting(c, "output_plugin_libraries");
        if (allowed != null && !listsPlugin(allowed)) {
            throw new IllegalStateException(
                    "PostgreSQL setting output_plugin_libraries = '"
                            + allowed
                            + "' does not list "
                            + PLUGIN
                            + ", so the server refuses it as an output plugin for every"
                            + " user: as a superuser run ALTER SYSTEM SET output_plugin_libraries = "
                            + (allowed.trim().isEmpty() ? "" : allowed.trim() + ", ")
                            + PLUGIN
                            + "; (the list unquoted) and SELECT pg_reload_conf();");
        }
    }

    /**
     * Checks that the server can give every slot in {@code slotNames} (one per captured table) a
     * replication slot and a walsender: slots that do not exist yet need free {@code
     * max_replication_slots}, slots not streaming yet need free {@code max_wal_senders}.
     *
     * @throws IllegalStateException naming the setting, the number needed and the fix
     */
    public static void checkCapacity(Connection c, List<String> slotNames) throws SQLException {
        if (slotNames.isEmpty()) {
            return;
        }
        Set<String> existing = new HashSet<>();
        Set<String> active = new HashSet<>();
        int slotsInUse = 0;
        try (PreparedStatement ps =
                        c.prepareStatement(
                                "SELECT slot_name, active FROM pg_catalog.pg_replication_slots");
                ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                slotsInUse++;
                existing.add(rs.getString(1));
                if (rs.getBoolean(2)) {
                    active.add(rs.getString(1));
                }
            }
        }
        long newSlots = slotNames.stream().filter(s -> !existing.contains(s)).count();
        int maxSlots = Integer.parseInt(setting(c, "max_replication_slots"));
        if (newSlots > maxSlots - slotsInUse) {
            throw capacity(
                    "max_replication_slots",
                    maxSlots,
                    slotsInUse,
                    newSlots,
                    "replication slots",
                    slotNames.size());
        }
        long newSenders = slotNames.stream().filter(s -> !active.contains(s)).count();
        int maxSenders = Integer.parseInt(setting(c, "max_wal_senders"));
        int sendersInUse;
        try (PreparedStatement ps =
                        c.prepareStatement(
                                "SELECT count(*) FROM pg_catalog.pg_stat_activity WHERE backend_type = 'walsender'");
                ResultSet rs = ps.executeQuery()) {
            rs.next();
            sendersInUse = rs.getInt(1);
        }
        if (newSenders > maxSenders - sendersInUse) {
            throw capacity(
                    "max_wal_senders",
                    maxSenders,
                    sendersInUse,
                    newSenders,
                    "walsenders (replication connections)",
                    slotNames.size());
        }
    }

    /**
     * Checks that the connected role may read every captured table: USAGE on its schema and SELECT
     * on the table (a column-level grant is not enough). Catalog lookups only, by parameter, so any
     * name is safe.
     *
     * @throws IllegalStateException naming every table it cannot read and the GRANT to run
     */
    public static void checkPrivileges(Connection c, List<TableId> tables) throws SQLException {
        List<String> missing = new ArrayList<>();
        List<String> grants = new ArrayList<>();
        String role = null;
        try (PreparedStatement ps =
                c.prepareStatement(
                        "SELECT current_user, pg_catalog.has_schema_privilege(n.oid, 'USAGE'),"
                                + " pg_catalog.has_table_privilege(c.oid, 'SELECT')"
                                + " FROM pg_catalog.pg_class c"
                                + " JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
                                + " WHERE n.nspname = ? AND c.relname = ?")) {
            for (TableId table : tables) {
                ps.setString(1, table.schema());
                ps.setString(2, table.table());
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        continue; // dropped since discovery: its snapshot will say so
                    }
                    role = rs.getString(1);
                    String quotedRole = TableId.quoteIdentifier(role);
                    if (!rs.getBoolean(2)) {
                        missing.add("USAGE on schema " + TableId.quoteIdentifier(table.schema()));
                        grants.add(
                                "GRANT USAGE ON SCHEMA "
                                        + TableId.quoteIdentifier(table.schema())
                                        + " TO "
                                        + quotedRole
                                        + ";");
                    }
                    if (!rs.getBoolean(3)) {
                        missing.add("SELECT on table " + table.quoted());
                        grants.add(
                                "GRANT SELECT ON TABLE "
                                        + table.quoted()
                                        + " TO "
                                        + quotedRole
                                        + ";");
                    }
                }
            }
        }
        if (!missing.isEmpty()) {
            throw new IllegalStateException(
                    "Role '"
                            + role
                            + "' lacks "
                            + String.join(", ", new LinkedHashSet<>(missing))
                            + ", needed to snapshot the captured tables: as"
                            + " the tables' owner (or a superuser) run "
                            + String.join(" ", new LinkedHashSet<>(grants))
                            + " or narrow 'table-name'");
        }
    }

    private static IllegalStateException capacity(
            String setting, int max, int inUse, long needed, String what, int tables) {
        long atLeast = inUse + needed;
        return new IllegalStateException(
                "pg-arrow-cdc needs "
                        + needed
                        + " more "
                        + what
                        + " (one per captured table, "
                        + tables
                        + " captured) but PostgreSQL setting "
                        + setting
                        + " = "
                        + max
                        + " and "
                        + inUse
                        + " are in use: raise "
                        + setting
                        + " to at least "
                        + atLeast
                        + " (ALTER SYSTEM SET "
                        + setting
                        + " = "
                        + atLeast
                        + "; then restart the server), or capture fewer tables");
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
