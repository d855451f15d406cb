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

import javax.annotation.Nullable;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * Finds the wal2arrow library's SQL function {@code wal2arrow_snapshot} in a database: a function
 * of that name with the eight argument types of the contract (regclass, text[], text, text[],
 * integer, integer, text, integer), in language {@code c} with {@code prosrc =
 * 'wal2arrow_snapshot'} (only a superuser creates a C function, so such a function is the
 * library's), that the user may EXECUTE, in a schema the user has USAGE on; a member of an
 * extension first. It is called by its quoted schema-qualified name, never through search_path.
 *
 * <p>The enumerator looks once per job, at the first discovery, to fail ({@code arrow}) or WARN
 * ({@code auto}) once; each split reader looks again once, on its first chunk, for the name it
 * calls (the function may have been created or dropped since).
 */
public final class SnapshotFunction {

    /** The function's name, as the library's C symbol and {@code prosrc}. */
    public static final String NAME = "wal2arrow_snapshot";

    private static final String FIND =
            "SELECT pg_catalog.quote_ident(n.nspname) || '.' || pg_catalog.quote_ident(p.proname),"
                    + " pg_catalog.has_function_privilege(p.oid, 'EXECUTE'),"
                    + " pg_catalog.has_schema_privilege(n.oid, 'USAGE'),"
                    + " pg_catalog.quote_ident(n.nspname)"
                    + " FROM pg_catalog.pg_proc p"
                    + " JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace"
                    + " JOIN pg_catalog.pg_language l ON l.oid = p.prolang"
                    + " WHERE p.proname = '"
                    + NAME
                    + "' AND l.lanname = 'c' AND p.prosrc = '"
                    + NAME
                    + "' AND p.pronargs = 8 AND p.proretset"
                    // oidvector is a 0-based array: compare the OID lists as text
                    + " AND pg_catalog.array_to_string(p.proargtypes::pg_catalog.oid[], ' ')"
                    + " = pg_catalog.array_to_string(ARRAY['pg_catalog.regclass',"
                    + " 'pg_catalog.text[]', 'pg_catalog.text', 'pg_catalog.text[]',"
                    + " 'pg_catalog.int4', 'pg_catalog.int4', 'pg_catalog.text',"
                    + " 'pg_catalog.int4']::pg_catalog.regtype[]::pg_catalog.oid[], ' ')"
                    + " ORDER BY EXISTS (SELECT 1 FROM pg_catalog.pg_depend d"
                    + "   WHERE d.classid = 'pg_catalog.pg_proc'::pg_catalog.regclass"
                    + "   AND d.objid = p.oid AND d.deptype = 'e') DESC, n.nspname";

    @Nullable private final String qualifiedName;
    @Nullable private final String problem;

    private SnapshotFunction(@Nullable String qualifiedName, @Nullable String problem) {
        this.qualifiedName = qualifiedName;
        this.problem = problem;
    }

    /** Looks the function up in the connection's database, as the connection's user. */
    public static SnapshotFunction find(Connection c) throws SQLException {
        String database;
        String role;
        try (Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT current_database(), current_user")) {
            rs.next();
            database = rs.getString(1);
            role = rs.getString(2);
        }
        String unusable = null;
        try (Statement st = c.createStatement();
                ResultSet rs = st.executeQuery(FIND)) {
            while (rs.next()) {
                String name = rs.getString(1);
                boolean execute = rs.getBoolean(2);
                boolean usage = rs.getBoolean(3);
                if (execute && usage) {
                    return new SnapshotFunction(name, null);
                }
                if (unusable == null) {
                    unusable =
                            execute
                                    ? "role '"
                                            + role
                                            + "' lacks USAGE on schema "
                                            + rs.getString(4)
                                            + ", which holds the function "
                                            + name
                                            + " in database '"
                                            + database
                                            + "': GRANT USAGE ON SCHEMA "
                                            + rs.getString(4)
                                            + " TO "
                                            + quoteIdent(role)
                                            + ", or create the function in a schema the role can"
                                            + " use (CREATE EXTENSION wal2arrow SCHEMA ...)"
                                    : "role '"
                                            + role
                                            + "' may not EXECUTE the function "
                                            + name
                                            + " in database '"
                                            + database
                                            + "': GRANT EXECUTE ON FUNCTION "
                                            + name
                                            + " TO "
                                            + quoteIdent(role)
                                            + " (CREATE EXTENSION wal2arrow grants it to PUBLIC)";
                }
            }
        }
        return new SnapshotFunction(
                null,
                unusable != null
                        ? unusable
                        : "database '"
                                + database
                                + "' has no function "
                                + NAME
                                + " of the wal2arrow library: install it there with CREATE"
                                + " EXTENSION wal2arrow (as a superuser; the server needs"
                                + " wal2arrow installed with make install)");
    }

    private static String quoteIdent(String name) {
        return '"' + name.replace("\"", "\"\"") + '"';
    }

    /** Whether the user can call the function. */
    public boolean usable() {
        return qualifiedName != null;
    }

    /** The quoted, schema-qualified name to call, e.g. {@code public.wal2arrow_snapshot}. */
    public String qualifiedName() {
        if (qualifiedName == null) {
            throw new IllegalStateException("no usable " + NAME + ": " + problem);
        }
        return qualifiedName;
    }

    /**
     * Why the function cannot be used, naming database and role and saying what to do; null when it
     * can.
     */
    @Nullable
    public String problem() {
        return problem;
    }
}
