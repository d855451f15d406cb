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

import dev.pgarrowcdc.flink.source.enumerator.TablePatterns;

import org.postgresql.PGProperty;

import javax.annotation.Nullable;

import java.io.Serializable;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Properties;

/**
 * The validated, immutable settings of one source, built by {@link PgArrowSourceBuilder}, shipped
 * to the enumerator and every reader. {@link #toString()} hides the passwords ({@code password},
 * {@code ssl.key.password}).
 */
public final class PgArrowSourceConfig implements Serializable {

    private static final long serialVersionUID = 1L;

    private final String hostname;
    private final int port;
    private final String username;
    private final String password;
    private final String database;
    private final TablePatterns tables;
    private final String slotPrefix;
    private final StartupMode startupMode;

    /** Only for {@link StartupMode#SPECIFIC_OFFSET}; 0 otherwise. */
    private final long specificOffsetLsn;

    private final int snapshotFetchSize;
    private final int batchRows;
    private final ArrowCompression compression;
    private final Duration heartbeatInterval;
    private final Duration discoveryInterval;
    private final int connectMaxRetries;
    private final Duration connectTimeout;
    private final UnchangedToastMode unchangedToastMode;
    private final int chunkSize;
    @Nullable private final String chunkKeyColumn;

    /** The columns to read (by exact name), or null for all of them. */
    @Nullable private final List<String> projectedColumns;

    private final Tls tls;

    /**
     * Generated once when the job's source is built and carried in every connection's {@code
     * application_name}: a walsender holding one of this job's slots with this token is this job's
     * own (a stale stream of an earlier attempt), any other holder is not.
     */
    private final String ownerToken;

    private final boolean acceptSlotGap;

    private final SnapshotReadMode snapshotReadMode;

    PgArrowSourceConfig(
            String hostname,
            int port,
            String username,
            String password,
            String database,
            TablePatterns tables,
            String slotPrefix,
            StartupMode startupMode,
            long specificOffsetLsn,
            int snapshotFetchSize,
            int batchRows,
            ArrowCompression compression,
            Duration heartbeatInterval,
            Duration discoveryInterval,
            @Nullable List<String> projectedColumns,
            int connectMaxRetries,
            Duration connectTimeout,
            UnchangedToastMode unchangedToastMode,
            int chunkSize,
            @Nullable String chunkKeyColumn,
            Tls tls,
            String ownerToken,
            boolean acceptSlotGap,
            SnapshotReadMode snapshotReadMode) {
        this.hostname = hostname;
        this.port = port;
        this.username = username;
        this.password = password;
        this.database = database;
        this.tables = tables;
        this.slotPrefix = slotPrefix;
        this.startupMode = startupMode;
        this.specificOffsetLsn = specificOffsetLsn;
        this.snapshotFetchSize = snapshotFetchSize;
        this.batchRows = batchRows;
        this.compression = compression;
        this.heartbeatInterval = heartbeatInterval;
        this.discoveryInterval = discoveryInterval;
        this.projectedColumns = projectedColumns;
        this.connectMaxRetries = connectMaxRetries;
        this.connectTimeout = connectTimeout;
        this.unchangedToastMode = unchangedToastMode;
        this.chunkSize = chunkSize;
        this.chunkKeyColumn = chunkKeyColumn;
        this.tls = tls;
        this.ownerToken = ownerToken;
        this.acceptSlotGap = acceptSlotGap;
        this.snapshotReadMode = snapshotReadMode;
    }

    /** {@code scan.snapshot.read-mode}. */
    public SnapshotReadMode snapshotReadMode() {
        return snapshotReadMode;
    }

    /** {@code slot.accept-gap}. */
    public boolean acceptSlotGap() {
        return acceptSlotGap;
    }

    public String hostname() {
        return hostname;
    }

    public int port() {
        return port;
    }

    public String username() {
        return username;
    }

    public String database() {
        return database;
    }

    public TablePatterns tables() {
        return tables;
    }

    public String slotPrefix() {
        return slotPrefix;
    }

    public StartupMode startupMode() {
        return startupMode;
    }

    public long specificOffsetLsn() {
        return specificOffsetLsn;
    }

    public int snapshotFetchSize() {
        return snapshotFetchSize;
    }

    public int batchRows() {
        return batchRows;
    }

    public ArrowCompression compression() {
        return compression;
    }

    public Duration heartbeatInterval() {
        return heartbeatInterval;
    }

    public Duration discoveryInterval() {
        return discoveryInterval;
    }

    /**
     * The columns to read, by exact name, or null for every column. Only these are decoded and sent
     * by wal2arrow and selected by the snapshot; names a table lacks are skipped.
     */
    @Nullable
    public List<String> projectedColumns() {
        return projectedColumns;
    }

    public int chunkSize() {
        return chunkSize;
    }

    /** {@code scan.incremental.snapshot.chunk.key-column}, or null. */
    @Nullable
    public String chunkKeyColumn() {
        return chunkKeyColumn;
    }

    public UnchangedToastMode unchangedToastMode() {
        return unchangedToastMode;
    }

    public int connectMaxRetries() {
        return connectMaxRetries;
    }

    public Duration connectTimeout() {
        return connectTimeout;
    }

    public SslMode sslMode() {
        return tls.mode;
    }

    /** The token in this job's {@code application_name}; see {@link #applicationName()}. */
    public String ownerToken() {
        return ownerToken;
    }

    /**
     * {@code pg-arrow-cdc/<owner token>}: the {@code application_name} of every connection this job
     * opens, so pg_stat_activity and pg_stat_replication name the job, and a walsender that holds
     * one of its slots is recognised as its own.
     */
    public String applicationName() {
        return APPLICATION_NAME_PREFIX + ownerToken;
    }

    /** What every application_name of this source starts with. */
    public static final String APPLICATION_NAME_PREFIX = "pg-arrow-cdc/";

    public String jdbcUrl() {
        String host =
                hostname.contains(":") && !hostname.startsWith("[")
                        ? "[" + hostname + "]"
                        : hostname;
        return "jdbc:postgresql://" + host + ":" + port + "/" + database;
    }

    /** A plain connection, for catalog queries and snapshots. */
    public Connection connect() throws SQLException {
        return open(properties(false));
    }

    /**
     * A replication connection ({@code replication=database}, simple query mode), for slot commands
     * and streaming.
     */
    public Connection connectForReplication() throws SQLException {
        return open(properties(true));
    }

    /**
     * pgjdbc's driver directly, not through DriverManager: in the shaded SQL jar the driver is
     * relocated, and a jar loaded by a user-code class loader is not seen by DriverManager's
     * service scan anyway.
     */
    private Connection open(Properties properties) throws SQLException {
        Connection connection;
        try {
            connection = new org.postgresql.Driver().connect(jdbcUrl(), properties);
        } catch (SQLException e) {
            throw ConnectErrors.explain(e, this);
        }
        if (connection == null) {
            throw new SQLException("pgjdbc does not accept the URL " + jdbcUrl());
        }
        return connection;
    }

    private Properties properties(boolean replication) {
        Properties p = new Properties();
        PGProperty.USER.set(p, username);
        PGProperty.PASSWORD.set(p, password);
        PGProperty.APPLICATION_NAME.set(p, applicationName());
        tls.apply(p);
        // A lost server must not hang a thread forever: TCP keepalives and a connect timeout.
        PGProperty.TCP_KEEP_ALIVE.set(p, true);
        PGProperty.CONNECT_TIMEOUT.set(p, (int) Math.max(1, connectTimeout.getSeconds()));
        PGProperty.LOGIN_TIMEOUT.set(p, (int) Math.max(1, connectTimeout.getSeconds()));
        // Snapshot values are parsed from PostgreSQL's own text output, never pgjdbc's rendering.
        PGProperty.BINARY_TRANSFER.set(p, false);
        if (replication) {
            PGProperty.REPLICATION.set(p, "database");
            PGProperty.ASSUME_MIN_SERVER_VERSION.set(p, "10");
            PGProperty.PREFER_QUERY_MODE.set(p, "simple");
        }
        return p;
    }

    @Override
    public String toString() {
        return "PgArrowSourceConfig{"
                + "hostname="
                + hostname
                + ", port="
                + port
                + ", username="
                + username
                + ", password="
                + (password.isEmpty() ? "(empty)" : "******")
                + ", database-name="
                + database
                + ", table-name="
                + tables
                + ", slot.name="
                + slotPrefix
                + ", scan.startup.mode="
                + startupMode
                + (startupMode == StartupMode.SPECIFIC_OFFSET
                        ? ", lsn=" + Lsn.format(specificOffsetLsn)
                        : "")
                + ", scan.snapshot.fetch.size="
                + snapshotFetchSize
                + ", scan.snapshot.read-mode="
                + snapshotReadMode
                + ", wal2arrow.batch-rows="
                + batchRows
                + ", wal2arrow.compression="
                + compression
                + ", heartbeat.interval.ms="
                + heartbeatInterval.toMillis()
                + ", scan.table-discovery.interval="
                + discoveryInterval
                + ", connect.timeout="
                + connectTimeout
                + ", connect.max-retries="
                + connectMaxRetries
                + ", scan.unchanged-toast.mode="
                + unchangedToastMode
                + ", scan.incremental.snapshot.chunk.size="
                + chunkSize
                + (chunkKeyColumn != null
                        ? ", scan.incremental.snapshot.chunk.key-column=" + chunkKeyColumn
                        : "")
                + (projectedColumns != null ? ", columns=" + projectedColumns : "")
                + ", slot.accept-gap="
                + acceptSlotGap
                + ", "
                + tls
                + ", application_name="
                + applicationName()
                + '}';
    }

    /**
     * The TLS options, validated by the builder: {@code ssl.mode}, {@code ssl.root-cert}, {@code
     * ssl.cert}, {@code ssl.key} and {@code ssl.key.password}. Paths are read on the machine that
     * opens the connection (the JobManager for the catalog, each TaskManager for its splits).
     */
    static final class Tls implements Serializable {
        private static final long serialVersionUID = 1L;

        final SslMode mode;
        @Nullable final String rootCert;
        @Nullable final String cert;
        @Nullable final String key;
        @Nullable final String keyPassword;

        Tls(
                SslMode mode,
                @Nullable String rootCert,
                @Nullable String cert,
                @Nullable String key,
                @Nullable String keyPassword) {
            this.mode = mode;
            this.rootCert = rootCert;
            this.cert = cert;
            this.key = key;
            this.keyPassword = keyPassword;
        }

        void apply(Properties p) {
            PGProperty.SSL_MODE.set(p, mode.value());
            if (mode == SslMode.DISABLE) {
                return;
            }
            if (rootCert != null) {
                PGProperty.SSL_ROOT_CERT.set(p, rootCert);
            } else if (mode.verifies()) {
                // pgjdbc would look for ~/.postgresql/root.crt of whoever runs the TaskManager;
                // without 'ssl.root-cert' the JVM's trust store decides instead.
                PGProperty.SSL_FACTORY.set(p, "org.postgresql.ssl.DefaultJavaSSLFactory");
            }
            if (cert != null) {
                PGProperty.SSL_CERT.set(p, cert);
            }
            if (key != null) {
                PGProperty.SSL_KEY.set(p, key);
            }
            if (keyPassword != null) {
                PGProperty.SSL_PASSWORD.set(p, keyPassword);
            }
        }

        @Override
        public String toString() {
            return "ssl.mode="
                    + mode
                    + (rootCert != null ? ", ssl.root-cert=" + rootCert : "")
                    + (cert != null ? ", ssl.cert=" + cert : "")
                    + (key != null ? ", ssl.key=" + key : "")
                    + (keyPassword != null ? ", ssl.key.password=******" : "");
        }
    }
}
