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
package dev.pgarrowcdc.flink.testutils;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;

/**
 * JUnit 5 extension: one real PostgreSQL cluster per test class ({@link PostgresCluster}) and a
 * fresh database per test.
 *
 * <pre>{@code
 * @RegisterExtension
 * static final PostgresExtension PG = new PostgresExtension();
 *
 * @Test
 * void reads() throws Exception {
 *     try (Connection c = PG.connect()) { ... }   // connected to this test's own database
 * }
 * }</pre>
 *
 * <p>After each test the database's replication slots are dropped (their walsenders terminated
 * first) and the database is dropped; after the class the server is stopped and its files deleted,
 * also when a test failed.
 */
public final class PostgresExtension
        implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback, AfterEachCallback {

    private static final AtomicInteger DATABASE_COUNTER = new AtomicInteger();

    private final UnaryOperator<PostgresCluster.Builder> customizer;
    private PostgresCluster cluster;
    private String database;

    public PostgresExtension() {
        this(UnaryOperator.identity());
    }

    /**
     * A cluster whose builder is adjusted first, e.g. {@code b -> b.setting("TimeZone",
     * "'Asia/Tokyo'")}.
     */
    public PostgresExtension(UnaryOperator<PostgresCluster.Builder> customizer) {
        this.customizer = customizer;
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        cluster = customizer.apply(PostgresCluster.builder()).start();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (cluster != null) {
            cluster.close();
            cluster = null;
        }
    }

    @Override
    public void beforeEach(ExtensionContext context) throws SQLException {
        String method = context.getTestMethod().map(m -> m.getName()).orElse("test");
        database = databaseName(DATABASE_COUNTER.incrementAndGet(), method);
        cluster.execute("postgres", "CREATE DATABASE " + database);
    }

    @Override
    public void afterEach(ExtensionContext context) throws SQLException {
        if (database == null || cluster == null || !cluster.isRunning()) {
            return;
        }
        try {
            dropDatabase(database);
        } finally {
            database = null;
        }
    }

    /** Lower-case, identifier-safe, unique and at most 63 bytes. */
    static String databaseName(int counter, String method) {
        String cleaned = method.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_]", "_");
        String name = "t" + counter + "_" + cleaned;
        return name.length() > 63 ? name.substring(0, 63) : name;
    }

    private void dropDatabase(String db) throws SQLException {
        try (Connection c = cluster.connect("postgres")) {
            terminateWalSenders(c, db);
            List<String> slots = new ArrayList<>();
            try (PreparedStatement ps =
                    c.prepareStatement(
                            "SELECT slot_name FROM pg_replication_slots WHERE database = ?")) {
                ps.setString(1, db);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        slots.add(rs.getString(1));
                    }
                }
            }
            for (String slot : slots) {
                try (PreparedStatement ps =
                        c.prepareStatement("SELECT pg_drop_replication_slot(?)")) {
                    ps.setString(1, slot);
                    ps.execute();
                }
            }
            try (Statement st = c.createStatement()) {
                st.execute("DROP DATABASE IF EXISTS " + db + " WITH (FORCE)");
            }
        }
    }

    private static void terminateWalSenders(Connection c, String db) throws SQLException {
        try (PreparedStatement ps =
                c.prepareStatement(
                        "SELECT pg_terminate_backend(active_pid) FROM pg_replication_slots "
                                + "WHERE database = ? AND active_pid IS NOT NULL")) {
            ps.setString(1, db);
            ps.execute();
        }
        // A terminated walsender releases its slot asynchronously.
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (System.nanoTime() < deadline) {
            try (PreparedStatement ps =
                    c.prepareStatement(
                            "SELECT count(*) FROM pg_replication_slots "
                                    + "WHERE database = ? AND active")) {
                ps.setString(1, db);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    if (rs.getInt(1) == 0) {
                        return;
                    }
                }
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    public PostgresCluster cluster() {
        return requireStarted();
    }

    /** This test's own database. */
    public String database() {
        if (database == null) {
            throw new IllegalStateException(
                    "No per-test database outside a test method: register PostgresExtension as a "
                            + "static @RegisterExtension field and call database() from a test.");
        }
        return database;
    }

    /** A superuser connection to this test's database. */
    public Connection connect() throws SQLException {
        return requireStarted().connect(database());
    }

    /** A replication connection (replication=database) to this test's database. */
    public Connection connectForReplication() throws SQLException {
        return requireStarted().connectForReplication(database());
    }

    public String jdbcUrl() {
        return requireStarted().jdbcUrl(database());
    }

    public String host() {
        return requireStarted().host();
    }

    public int port() {
        return requireStarted().port();
    }

    /** Runs statements in this test's database, each in its own transaction. */
    public void execute(String... statements) throws SQLException {
        requireStarted().execute(database(), statements);
    }

    private PostgresCluster requireStarted() {
        if (cluster == null) {
            throw new IllegalStateException(
                    "The PostgreSQL cluster is not running: register PostgresExtension as a "
                            + "static @RegisterExtension field (one cluster per test class).");
        }
        return cluster;
    }
}
