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
package dev.pgarrowcdc.flink.source.security;

import dev.pgarrowcdc.flink.testutils.PostgresExtension;

import java.sql.SQLException;

/** Least-privilege roles for the security tests, made the way the README tells a DBA to. */
final class Roles {

    private Roles() {}

    /**
     * {@code CREATE ROLE <role> LOGIN REPLICATION PASSWORD ...} once per cluster (roles are
     * cluster-wide), then, in this test's database, SELECT on {@code tables} (schema-qualified).
     */
    static void cdcRole(PostgresExtension pg, String role, String password, String... tables)
            throws SQLException {
        pg.execute(
                "DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '"
                        + role
                        + "') THEN CREATE ROLE "
                        + role
                        + " LOGIN REPLICATION"
                        + (password == null ? "" : " PASSWORD '" + password + "'")
                        + "; END IF; END $$");
        for (String table : tables) {
            pg.execute("GRANT SELECT ON " + table + " TO " + role);
        }
    }
}
