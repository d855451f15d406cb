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

import dev.pgarrowcdc.flink.source.PgArrowSource;
import dev.pgarrowcdc.flink.source.PgArrowSourceBuilder;
import dev.pgarrowcdc.flink.source.PgArrowSourceConfig;
import dev.pgarrowcdc.flink.source.SslMode;
import dev.pgarrowcdc.flink.source.StartupMode;
import dev.pgarrowcdc.flink.source.TestSources;
import dev.pgarrowcdc.flink.testutils.PostgresCluster;
import dev.pgarrowcdc.flink.testutils.PostgresExtension;
import dev.pgarrowcdc.flink.testutils.TestCertificates;

import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.testutils.logging.LoggerAuditingExtension;
import org.apache.flink.util.CloseableIterator;

import org.apache.logging.log4j.core.LogEvent;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.event.Level;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A server that accepts TLS connections only ({@code hostssl} lines, no {@code host}): role {@code
 * cdc} with SCRAM-SHA-256, role {@code cdc_cert} with client-certificate authentication. Its
 * certificate, signed by a CA the test makes, names {@code localhost} only.
 */
class TlsAuthenticationITCase {

    private static final String PASSWORD = "pw-Secret-4711";
    private static final TestCertificates CERTS = certificates();

    @RegisterExtension
    static final PostgresExtension PG =
            new PostgresExtension(
                    b ->
                            b.ssl(CERTS.serverCert(), CERTS.serverKey(), CERTS.ca())
                                    .setting("password_encryption", "'scram-sha-256'")
                                    .hba(
                                            "hostssl all "
                                                    + PostgresCluster.SUPERUSER
                                                    + " 127.0.0.1/32 trust",
                                            "hostssl all cdc 127.0.0.1/32 scram-sha-256",
                                            "hostssl all cdc_cert 127.0.0.1/32 cert"));

    /** A server without TLS: the fixture's default. */
    @RegisterExtension static final PostgresExtension PLAIN = new PostgresExtension();

    private static TestCertificates certificates() {
        try {
            TestCertificates certs =
                    TestCertificates.create(Files.createTempDirectory("pgarrowcdc-tls-"));
            certs.clientCert("cdc_cert");
            return certs;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Everything the source logs, at every level, and what Flink logs about the job. */
    @RegisterExtension
    final LoggerAuditingExtension sourceLog =
            new LoggerAuditingExtension("dev.pgarrowcdc", Level.TRACE);

    @RegisterExtension
    final LoggerAuditingExtension flinkLog =
            new LoggerAuditingExtension("org.apache.flink", Level.INFO);

    private static PgArrowSourceBuilder<String> source(String host, String user) {
        return TestSources.<String>builder(PG, "public.t")
                .hostname(host)
                .username(user)
                .sslMode(SslMode.VERIFY_FULL)
                .sslRootCert(CERTS.ca().toString())
                .startupMode(StartupMode.INITIAL)
                .deserializer(new TestSources.RowsAsText());
    }

    private static PgArrowSourceConfig config(PgArrowSourceBuilder<String> builder) {
        return builder.build().config();
    }

    @Test
    void snapshotAndStreamRunOverVerifiedTlsWithScramAsALeastPrivilegeRole() throws Exception {
        PG.execute("CREATE TABLE t (id int PRIMARY KEY, v text)", "INSERT INTO t VALUES (1, 'a')");
        Roles.cdcRole(PG, "cdc", PASSWORD, "public.t");
        PgArrowSource<String> source =
                source(TestCertificates.SERVER_NAME, "cdc").password(PASSWORD).build();

        try (CloseableIterator<String> it = run(source)) {
            assertThat(it.next()).isEqualTo("public.t +I(1, a)");
            PG.execute("INSERT INTO t VALUES (2, 'b')");
            assertThat(it.next()).isEqualTo("public.t +I(2, b)");

            // Every connection of the job (catalog, replication, lag sampling) is encrypted.
            List<String> connections = connectionsOf(source.config());
            assertThat(connections).isNotEmpty().allMatch(c -> c.endsWith(" ssl=true"));
            assertThat(connections).anyMatch(c -> c.startsWith("walsender"));
        }
    }

    @Test
    void aClientCertificateLogsInWhereTheServerAsksForOne() throws Exception {
        PG.execute("CREATE TABLE t (id int PRIMARY KEY, v text)", "INSERT INTO t VALUES (1, 'a')");
        Roles.cdcRole(PG, "cdc_cert", null, "public.t");
        PgArrowSource<String> source =
                source(TestCertificates.SERVER_NAME, "cdc_cert")
                        .sslClientCert(
                                CERTS.clientCert("cdc_cert").toString(),
                                CERTS.clientKey("cdc_cert").toString())
                        .build();

        try (CloseableIterator<String> it = run(source)) {
            assertThat(it.next()).isEqualTo("public.t +I(1, a)");
            PG.execute("INSERT INTO t VALUES (2, 'b')");
            assertThat(it.next()).isEqualTo("public.t +I(2, b)");
        }
    }

    @Test
    void aClientWithoutACertificateIsRefusedWhereOneIsRequired() throws Exception {
        Roles.cdcRole(PG, "cdc_cert", null);
        PgArrowSourceConfig config = config(source(TestCertificates.SERVER_NAME, "cdc_cert"));

        assertThatThrownBy(config::connect)
                .isInstanceOf(SQLException.class)
                .hasMessageContaining("PostgreSQL at localhost:" + PG.port() + " (user 'cdc_cert'")
                .hasMessageContaining("refused the login")
                .hasMessageContaining("certificate")
                .hasMessageContaining("'ssl.cert' and 'ssl.key'");
    }

    @Test
    void aCertificateForAnotherHostNameIsRefused() throws Exception {
        Roles.cdcRole(PG, "cdc", PASSWORD);
        // The certificate names localhost; connecting to 127.0.0.1 is connecting to another name.
        PgArrowSourceConfig byAddress = config(source("127.0.0.1", "cdc").password(PASSWORD));
        // verify-ca checks the signature, not the name: the same server is accepted.
        PgArrowSourceConfig caOnly =
                config(source("127.0.0.1", "cdc").password(PASSWORD).sslMode(SslMode.VERIFY_CA));

        assertThatThrownBy(byAddress::connect)
                .isInstanceOf(SQLException.class)
                .hasMessageContaining(
                        "the server's certificate does not name the host '127.0.0.1',"
                                + " so 'ssl.mode' = 'verify-full' refuses it");
        try (Connection c = caOnly.connect()) {
            assertThat(c.isValid(5)).isTrue();
        }
    }

    @Test
    void aCertificateFromAnotherAuthorityIsRefused() throws Exception {
        Roles.cdcRole(PG, "cdc", PASSWORD);
        TestCertificates other =
                TestCertificates.create(Files.createTempDirectory("pgarrowcdc-ca2-"));
        PgArrowSourceConfig config =
                config(
                        source(TestCertificates.SERVER_NAME, "cdc")
                                .password(PASSWORD)
                                .sslRootCert(other.ca().toString()));

        assertThatThrownBy(config::connect)
                .isInstanceOf(SQLException.class)
                .hasMessageContaining(
                        "the server's certificate is not signed by a trusted certificate"
                                + " authority ('ssl.mode' = 'verify-full'): set 'ssl.root-cert'");
    }

    @Test
    void aWrongPasswordFailsNamingUserAndHostButNotThePassword() throws Exception {
        Roles.cdcRole(PG, "cdc", PASSWORD);
        String wrong = "not-" + PASSWORD;
        PgArrowSourceConfig config =
                config(source(TestCertificates.SERVER_NAME, "cdc").password(wrong));

        assertThatThrownBy(config::connect)
                .isInstanceOf(SQLException.class)
                .hasMessageContaining(
                        "PostgreSQL at localhost:"
                                + PG.port()
                                + " (user 'cdc', database '"
                                + PG.database()
                                + "') refused the login")
                .hasMessageContaining("password authentication failed for user \"cdc\"")
                .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("28P01"))
                .satisfies(
                        e ->
                                assertThat(stackText(e))
                                        .doesNotContain(wrong)
                                        .doesNotContain(PASSWORD));
    }

    @Test
    void aServerWithoutTlsIsRefusedUnderTheDefaultNamingTheOption() throws Exception {
        PgArrowSourceConfig config =
                TestSources.<String>builder(PLAIN, "public.t")
                        .option(
                                dev.pgarrowcdc.flink.source.PgArrowSourceOptions.SSL_MODE,
                                SslMode.VERIFY_FULL)
                        .deserializer(new TestSources.RowsAsText())
                        .build()
                        .config();
        PgArrowSourceConfig byDefault =
                PgArrowSource.<String>builder()
                        .hostname(PLAIN.host())
                        .port(PLAIN.port())
                        .username(PostgresCluster.SUPERUSER)
                        .database(PLAIN.database())
                        .tableList("public.t")
                        .slotName("it")
                        .deserializer(new TestSources.RowsAsText())
                        .build()
                        .config();

        assertThat(byDefault.sslMode()).isEqualTo(SslMode.VERIFY_FULL);
        for (PgArrowSourceConfig c : List.of(config, byDefault)) {
            assertThatThrownBy(c::connect)
                    .isInstanceOf(SQLException.class)
                    .hasMessageContaining(
                            "does not offer TLS, but 'ssl.mode' = 'verify-full' requires" + " it")
                    .hasMessageContaining("set 'ssl.mode' = 'disable'");
        }
    }

    @Test
    void noPasswordReachesTheLogsOfARunOrOfAFailedLogin() throws Exception {
        PG.execute("CREATE TABLE t (id int PRIMARY KEY, v text)", "INSERT INTO t VALUES (1, 'a')");
        Roles.cdcRole(PG, "cdc", PASSWORD, "public.t");
        String keyPassword = "keypw-Secret-0815";
        String wrong = "wrongpw-Secret-2342";

        try (CloseableIterator<String> it =
                run(source(TestCertificates.SERVER_NAME, "cdc").password(PASSWORD).build())) {
            assertThat(it.next()).isEqualTo("public.t +I(1, a)");
            PG.execute("INSERT INTO t VALUES (2, 'b')");
            assertThat(it.next()).isEqualTo("public.t +I(2, b)");
        }
        // A failed login, with a key password as well: the job fails and says why.
        PgArrowSource<String> failing =
                source(TestCertificates.SERVER_NAME, "cdc")
                        .password(wrong)
                        .sslClientCert(
                                CERTS.clientCert("cdc_cert").toString(),
                                CERTS.clientKey("cdc_cert").toString())
                        .sslKeyPassword(keyPassword)
                        .build();
        assertThatThrownBy(() -> run(failing).hasNext())
                .satisfies(
                        e ->
                                assertThat(stackText(e))
                                        .contains("refused the login")
                                        .doesNotContain(wrong)
                                        .doesNotContain(keyPassword));

        List<String> logged = new ArrayList<>();
        for (LoggerAuditingExtension log : List.of(sourceLog, flinkLog)) {
            for (LogEvent event : log.getEvents()) {
                logged.add(event.getMessage().getFormattedMessage());
                if (event.getThrown() != null) {
                    logged.add(stackText(event.getThrown()));
                }
            }
        }
        // The run was logged (the effective options among it), and no secret with it.
        assertThat(logged).anyMatch(m -> m.contains("password=******"));
        assertThat(logged).anyMatch(m -> m.contains("refused the login"));
        assertThat(logged)
                .allSatisfy(
                        m ->
                                assertThat(m)
                                        .doesNotContain(PASSWORD)
                                        .doesNotContain(wrong)
                                        .doesNotContain(keyPassword));
    }

    /** {@code <backend_type> ssl=<bool>} for every connection of the job's application_name. */
    private static List<String> connectionsOf(PgArrowSourceConfig config) throws SQLException {
        List<String> out = new ArrayList<>();
        try (Connection c = PG.connect();
                Statement st = c.createStatement();
                ResultSet rs =
                        st.executeQuery(
                                "SELECT a.backend_type, s.ssl FROM pg_stat_activity a"
                                        + " JOIN pg_stat_ssl s ON s.pid = a.pid WHERE a.application_name = '"
                                        + config.applicationName()
                                        + "'")) {
            while (rs.next()) {
                out.add(rs.getString(1) + " ssl=" + rs.getBoolean(2));
            }
        }
        return out;
    }

    private static CloseableIterator<String> run(PgArrowSource<String> source) throws Exception {
        Configuration conf = new Configuration();
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(1);
        return env.fromSource(source, WatermarkStrategy.noWatermarks(), "pg").executeAndCollect();
    }

    static String stackText(Throwable e) {
        java.io.StringWriter w = new java.io.StringWriter();
        e.printStackTrace(new java.io.PrintWriter(w));
        return w.toString();
    }
}
