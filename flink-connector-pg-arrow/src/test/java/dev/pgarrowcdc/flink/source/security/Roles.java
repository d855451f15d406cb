package dev.pgarrowcdc.flink.source.security;

import java.sql.SQLException;

import dev.pgarrowcdc.flink.testutils.PostgresExtension;

/** Least-privilege roles for the security tests, made the way the README tells a DBA to. */
final class Roles {

    private Roles() {}

    /**
     * {@code CREATE ROLE <role> LOGIN REPLICATION PASSWORD ...} once per cluster (roles are
     * cluster-wide), then, in this test's database, SELECT on {@code tables} (schema-qualified).
     */
    static void cdcRole(PostgresExtension pg, String role, String password, String... tables)
            throws SQLException {
        pg.execute("DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '" + role
                + "') THEN CREATE ROLE " + role + " LOGIN REPLICATION"
                + (password == null ? "" : " PASSWORD '" + password + "'") + "; END IF; END $$");
        for (String table : tables) {
            pg.execute("GRANT SELECT ON " + table + " TO " + role);
        }
    }
}
