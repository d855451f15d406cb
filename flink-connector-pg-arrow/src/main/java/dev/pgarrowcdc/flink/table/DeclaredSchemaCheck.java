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
package dev.pgarrowcdc.flink.table;

import dev.pgarrowcdc.flink.source.PgArrowSourceConfig;
import dev.pgarrowcdc.flink.source.StartupMode;
import dev.pgarrowcdc.flink.source.enumerator.TableDiscovery;
import dev.pgarrowcdc.flink.source.reader.SnapshotValues;
import dev.pgarrowcdc.flink.source.split.TableId;

import org.apache.flink.table.api.ValidationException;
import org.apache.flink.table.types.logical.ArrayType;
import org.apache.flink.table.types.logical.LogicalType;

import org.postgresql.core.Oid;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Checks a CREATE TABLE against the PostgreSQL tables it captures, when the query is planned, so
 * that a mistake is an error in the SQL client rather than a failing job: every declared column
 * exists (by exact name) with a type the column's values convert to ({@link FieldConverters}); in
 * {@code all} mode every table logs the old row ({@code REPLICA IDENTITY FULL}); in {@code upsert}
 * mode the declared PRIMARY KEY is in the replica identity, so a DELETE carries it. The reader
 * checks names and types again for every shape it sees, which covers tables found later and schema
 * changes while the job runs.
 */
final class DeclaredSchemaCheck {

    private static final Logger LOG = LoggerFactory.getLogger(DeclaredSchemaCheck.class);

    private static final String COLUMNS =
            "SELECT a.attname, format_type(a.atttypid, a.atttypmod),"
                    + " CASE WHEN t.typtype = 'd' AND a.atttypmod < 0 THEN t.typtypmod ELSE a.atttypmod END,"
                    + " b.oid, b.typcategory = 'A' AND b.typelem <> 0,"
                    + " (SELECT coalesce(nullif(e.typbasetype, 0), e.oid) FROM pg_catalog.pg_type e"
                    + "   WHERE e.oid = b.typelem),"
                    + " c.relreplident,"
                    + " c.relreplident = 'f' OR EXISTS (SELECT 1 FROM pg_catalog.pg_index i"
                    + "   WHERE i.indrelid = c.oid AND a.attnum = ANY (i.indkey)"
                    + "   AND ((c.relreplident = 'd' AND i.indisprimary)"
                    + "     OR (c.relreplident = 'i' AND i.indisreplident)))"
                    + " FROM pg_catalog.pg_attribute a"
                    + " JOIN pg_catalog.pg_class c ON c.oid = a.attrelid"
                    + " JOIN pg_catalog.pg_type t ON t.oid = a.atttypid"
                    + " JOIN pg_catalog.pg_type b ON b.oid = coalesce(nullif(t.typbasetype, 0), t.oid)"
                    + " WHERE a.attrelid = ?::regclass AND a.attnum > 0 AND NOT a.attisdropped"
                    // Virtual generated columns (PostgreSQL 18) never reach the source.
                    + " AND a.attgenerated <> 'v'"
                    + " ORDER BY a.attnum";

    private DeclaredSchemaCheck() {}

    /** One column of a PostgreSQL table as the check needs it. */
    static final class PgColumn {
        final String name;
        final String typeName;
        final LogicalType readAs;
        final boolean identity;

        /** The table's REPLICA IDENTITY: default, full, index or nothing. */
        final String identityKind;

        /** A numeric (or a domain over one), whose text is always a number, NaN or ±Infinity. */
        final boolean numeric;

        PgColumn(
                String name,
                String typeName,
                LogicalType readAs,
                boolean identity,
                String identityKind,
                boolean numeric) {
            this.name = name;
            this.typeName = typeName;
            this.readAs = readAs;
            this.identity = identity;
            this.identityKind = identityKind;
            this.numeric = numeric;
        }
    }

    /**
     * Runs the check.
     *
     * @throws ValidationException listing every mismatch, each naming the table and the column
     */
    static void check(
            PgArrowSourceConfig config,
            String flinkTable,
            List<String> names,
            List<LogicalType> types,
            List<String> primaryKey,
            boolean upsert) {
        List<String> problems = new ArrayList<>();
        try (Connection c = config.connect()) {
            List<TableId> tables = new TableDiscovery(config.tables()).discover(c);
            if (tables.isEmpty()) {
                throw new ValidationException(
                        "'table-name' of Flink table "
                                + flinkTable
                                + " matches no table in PostgreSQL database '"
                                + config.database()
                                + "' (patterns: "
                                + config.tables()
                                + "): check 'schema-name' and"
                                + " 'table-name' (names are case-sensitive) and that the tables exist");
            }
            for (TableId table : tables) {
                checkTable(
                        config,
                        table,
                        columnsOf(c, table),
                        flinkTable,
                        names,
                        types,
                        primaryKey,
                        upsert,
                        problems);
            }
        } catch (SQLException e) {
            // The reader checks every shape it reads anyway; planning need not reach the server.
            LOG.warn(
                    "Could not read the columns of the tables of Flink table {} from {} to check its"
                            + " declared columns at planning time ({}); the job checks them when it reads.",
                    flinkTable,
                    config.jdbcUrl(),
                    e.getMessage());
            return;
        }
        if (!problems.isEmpty()) {
            throw new ValidationException(
                    "Flink table "
                            + flinkTable
                            + " does not match PostgreSQL:\n  - "
                            + String.join("\n  - ", problems));
        }
    }

    private static void checkTable(
            PgArrowSourceConfig config,
            TableId table,
            Map<String, PgColumn> columns,
            String flinkTable,
            List<String> names,
            List<LogicalType> types,
            List<String> primaryKey,
            boolean upsert,
            List<String> problems) {
        for (int i = 0; i < names.size(); i++) {
            String name = names.get(i);
            PgColumn column = columns.get(name);
            if (column == null) {
                String sameButCase =
                        columns.keySet().stream()
                                .filter(n -> n.equalsIgnoreCase(name))
                                .findFirst()
                                .orElse(null);
                problems.add(
                        "column '"
                                + name
                                + "' declared in Flink table "
                                + flinkTable
                                + " does not exist in PostgreSQL table "
                                + table
                                + (sameButCase != null
                                        ? ", which has '"
                                                + sameButCase
                                                + "' (names are case-sensitive): rename the"
                                                + " declared column to `"
                                                + sameButCase
                                                + "`"
                                        : " (its columns: "
                                                + String.join(", ", columns.keySet())
                                                + "): remove it from"
                                                + " the CREATE TABLE, rename it to the PostgreSQL column, or"
                                                + " ALTER TABLE "
                                                + table.quoted()
                                                + " ADD COLUMN it"));
                continue;
            }
            if (FieldConverters.of(column.readAs, types.get(i)) == null) {
                problems.add(
                        "column '"
                                + name
                                + "' of PostgreSQL table "
                                + table
                                + " is "
                                + column.typeName
                                + ", read as "
                                + column.readAs.asSummaryString()
                                + ", which the declared "
                                + types.get(i).asSummaryString()
                                + " cannot hold: declare it "
                                + column.readAs.asSummaryString()
                                + " (see the type map in the README)");
            } else if (FieldConverters.parsesText(column.readAs, types.get(i)) && !column.numeric) {
                problems.add(
                        "column '"
                                + name
                                + "' of PostgreSQL table "
                                + table
                                + " is "
                                + column.typeName
                                + ", read as "
                                + column.readAs.asSummaryString()
                                + ": the declared "
                                + types.get(i).asSummaryString()
                                + " parses the text"
                                + " of numeric columns only: declare it "
                                + column.readAs.asSummaryString()
                                + " and CAST it in the query");
            }
        }
        if (columns.isEmpty()) {
            return;
        }
        String identity = replicaIdentityOf(columns);
        boolean streams = config.startupMode() != StartupMode.SNAPSHOT;
        if (streams && !upsert && !"full".equals(identity)) {
            problems.add(
                    "'changelog-mode' = 'all' emits the old row of every UPDATE (-U) and DELETE"
                            + " (-D), but PostgreSQL table "
                            + table
                            + " has REPLICA IDENTITY "
                            + identity.toUpperCase(Locale.ROOT)
                            + ", so its WAL has no old rows: run ALTER TABLE "
                            + table.quoted()
                            + " REPLICA IDENTITY FULL, or use 'changelog-mode' = 'upsert' with a"
                            + " PRIMARY KEY");
        }
        if (streams && upsert) {
            List<String> missing =
                    primaryKey.stream()
                            .filter(k -> columns.containsKey(k) && !columns.get(k).identity)
                            .collect(Collectors.toList());
            if (!missing.isEmpty()) {
                List<String> ids =
                        columns.values().stream()
                                .filter(col -> col.identity)
                                .map(col -> col.name)
                                .collect(Collectors.toList());
                problems.add(
                        "'changelog-mode' = 'upsert' keys rows by the declared PRIMARY KEY "
                                + primaryKey
                                + ", but a DELETE on PostgreSQL table "
                                + table
                                + " (REPLICA"
                                + " IDENTITY "
                                + identity.toUpperCase(Locale.ROOT)
                                + ") logs only "
                                + ids
                                + ", not "
                                + missing
                                + ": declare PRIMARY KEY ("
                                + String.join(", ", ids)
                                + ") NOT ENFORCED, or run ALTER TABLE "
                                + table.quoted()
                                + " REPLICA IDENTITY FULL");
            }
        }
    }

    private static String replicaIdentityOf(Map<String, PgColumn> columns) {
        return columns.values().iterator().next().identityKind;
    }

    private static Map<String, PgColumn> columnsOf(Connection c, TableId table)
            throws SQLException {
        Map<String, PgColumn> columns = new LinkedHashMap<>();
        try (PreparedStatement ps = c.prepareStatement(COLUMNS)) {
            ps.setString(1, table.quoted());
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    boolean array = rs.getBoolean(5);
                    int typmod = rs.getInt(3);
                    LogicalType element =
                            SnapshotValues.logicalType(
                                    array ? rs.getLong(6) : rs.getLong(4), typmod);
                    PgColumn column =
                            new PgColumn(
                                    rs.getString(1),
                                    rs.getString(2),
                                    array ? new ArrayType(element) : element,
                                    rs.getBoolean(8),
                                    identityName(rs.getString(7)),
                                    !array && rs.getLong(4) == Oid.NUMERIC);
                    columns.put(column.name, column);
                }
            }
        }
        return columns;
    }

    private static String identityName(String relreplident) {
        switch (relreplident) {
            case "f":
                return "full";
            case "i":
                return "index";
            case "n":
                return "nothing";
            case "d":
            default:
                return "default";
        }
    }
}
