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
package dev.pgarrowcdc.flink.source;

import javax.net.ssl.SSLHandshakeException;

import java.security.cert.CertificateException;
import java.sql.SQLException;

/**
 * Turns pgjdbc's failures to connect into messages that name the server, the user and the option to
 * change. Never includes a password (pgjdbc's own messages do not either). The errors made here are
 * not transient (SQLState {@code 28000}): a refused login or certificate stays refused, so nothing
 * retries it.
 */
final class ConnectErrors {

    static final String NOT_TRANSIENT = "28000";

    private ConnectErrors() {}

    static SQLException explain(SQLException e, PgArrowSourceConfig config) {
        String msg = e.getMessage() == null ? "" : e.getMessage();
        String where =
                "PostgreSQL at "
                        + config.hostname()
                        + ":"
                        + config.port()
                        + " (user '"
                        + config.username()
                        + "', database '"
                        + config.database()
                        + "')";
        String state = e.getSQLState() == null ? "" : e.getSQLState();
        if (msg.contains("does not support SSL")) {
            return new SQLException(
                    where
                            + " does not offer TLS, but 'ssl.mode' = '"
                            + config.sslMode()
                            + "' requires it: turn TLS on at the server (ssl = on with"
                            + " ssl_cert_file and ssl_key_file), or, only for a server on a trusted network,"
                            + " set 'ssl.mode' = 'disable'",
                    NOT_TRANSIENT,
                    e);
        }
        if (msg.contains("could not be verified by hostnameverifier")) {
            return new SQLException(
                    where
                            + ": the server's certificate does not name the host '"
                            + config.hostname()
                            + "', so 'ssl.mode' = 'verify-full' refuses it (a man in the"
                            + " middle would look the same): set 'hostname' to a name the certificate holds,"
                            + " or give the server a certificate whose subjectAltName lists '"
                            + config.hostname()
                            + "'",
                    NOT_TRANSIENT,
                    e);
        }
        if (causedBy(e, CertificateException.class)
                || msg.contains("PKIX")
                || msg.contains("unable to find valid certification path")) {
            return new SQLException(
                    where
                            + ": the server's certificate is not signed by a trusted"
                            + " certificate authority ("
                            + (config.sslMode().verifies()
                                    ? "'ssl.mode' = '" + config.sslMode() + "'"
                                    : "TLS")
                            + "): set"
                            + " 'ssl.root-cert' to the PEM file of the CA that signed it. Cause: "
                            + msg,
                    NOT_TRANSIENT,
                    e);
        }
        if (state.startsWith("28")
                || msg.contains("password")
                || msg.contains("client certificate")
                || msg.contains("pg_hba.conf")
                || causedBy(e, SSLHandshakeException.class)) {
            return new SQLException(
                    where
                            + " refused the login: "
                            + msg
                            + ". Check 'username',"
                            + " 'password' (or 'ssl.cert' and 'ssl.key' for certificate authentication) and"
                            + " the server's pg_hba.conf line for this user, database and address",
                    state.startsWith("28") ? state : NOT_TRANSIENT,
                    e);
        }
        return e;
    }

    private static boolean causedBy(Throwable e, Class<? extends Throwable> type) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return true;
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return false;
    }
}
