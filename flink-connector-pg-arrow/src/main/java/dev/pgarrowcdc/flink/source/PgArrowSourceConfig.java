package dev.pgarrowcdc.flink.source;

import java.io.Serializable;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Properties;

import javax.annotation.Nullable;

import org.postgresql.PGProperty;

import dev.pgarrowcdc.flink.source.enumerator.TablePatterns;

/**
 * The validated, immutable settings of one source, built by {@link PgArrowSourceBuilder}, shipped
 * to the enumerator and every reader. {@link #toString()} hides the password.
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
    /** Set once by the builder, right after construction. */
    private int connectMaxRetries = PgArrowSourceOptions.CONNECT_MAX_RETRIES.defaultValue();
    private Duration connectTimeout = PgArrowSourceOptions.CONNECT_TIMEOUT.defaultValue();
    /** Set once by the builder, right after construction. */
    private UnchangedToastMode unchangedToastMode = PgArrowSourceOptions.UNCHANGED_TOAST_MODE.defaultValue();
    /** Set once by the builder, right after construction. */
    private int chunkSize = PgArrowSourceOptions.CHUNK_SIZE.defaultValue();
    @Nullable private String chunkKeyColumn;
    /** The columns to read (by exact name), or null for all of them. */
    @Nullable private final List<String> projectedColumns;

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
            @Nullable List<String> projectedColumns) {
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
     * The columns to read, by exact name, or null for every column. Only these are decoded and
     * sent by wal2arrow and selected by the snapshot; names a table lacks are skipped.
     */
    @Nullable
    public List<String> projectedColumns() {
        return projectedColumns;
    }

    /** {@code connect.max-retries} and {@code connect.timeout}; for the builder only. */
    PgArrowSourceConfig withConnectSettings(int maxRetries, Duration timeout) {
        this.connectMaxRetries = maxRetries;
        this.connectTimeout = timeout;
        return this;
    }

    /** {@code scan.unchanged-toast.mode}; for the builder only. */
    PgArrowSourceConfig withUnchangedToastMode(UnchangedToastMode mode) {
        this.unchangedToastMode = mode;
        return this;
    }

    /** {@code scan.incremental.snapshot.chunk.*}; for the builder only. */
    PgArrowSourceConfig withChunking(int chunkSize, @Nullable String chunkKeyColumn) {
        this.chunkSize = chunkSize;
        this.chunkKeyColumn = chunkKeyColumn;
        return this;
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

    public String jdbcUrl() {
        String host = hostname.contains(":") && !hostname.startsWith("[") ? "[" + hostname + "]" : hostname;
        return "jdbc:postgresql://" + host + ":" + port + "/" + database;
    }

    /** A plain connection, for catalog queries and snapshots. */
    public Connection connect() throws SQLException {
        return open(properties(false));
    }

    /**
     * A replication connection ({@code replication=database}, simple query mode), for slot
     * commands and streaming.
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
        Connection connection = new org.postgresql.Driver().connect(jdbcUrl(), properties);
        if (connection == null) {
            throw new SQLException("pgjdbc does not accept the URL " + jdbcUrl());
        }
        return connection;
    }

    private Properties properties(boolean replication) {
        Properties p = new Properties();
        PGProperty.USER.set(p, username);
        PGProperty.PASSWORD.set(p, password);
        PGProperty.APPLICATION_NAME.set(p, "pg-arrow-cdc");
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
                + "hostname=" + hostname
                + ", port=" + port
                + ", username=" + username
                + ", password=" + (password.isEmpty() ? "(empty)" : "******")
                + ", database-name=" + database
                + ", table-name=" + tables
                + ", slot.name=" + slotPrefix
                + ", scan.startup.mode=" + startupMode
                + (startupMode == StartupMode.SPECIFIC_OFFSET ? ", lsn=" + Lsn.format(specificOffsetLsn) : "")
                + ", scan.snapshot.fetch.size=" + snapshotFetchSize
                + ", wal2arrow.batch-rows=" + batchRows
                + ", wal2arrow.compression=" + compression
                + ", heartbeat.interval.ms=" + heartbeatInterval.toMillis()
                + ", scan.table-discovery.interval=" + discoveryInterval
                + ", connect.timeout=" + connectTimeout
                + ", connect.max-retries=" + connectMaxRetries
                + ", scan.unchanged-toast.mode=" + unchangedToastMode
                + ", scan.incremental.snapshot.chunk.size=" + chunkSize
                + (chunkKeyColumn != null ? ", scan.incremental.snapshot.chunk.key-column=" + chunkKeyColumn : "")
                + (projectedColumns != null ? ", columns=" + projectedColumns : "")
                + '}';
    }
}
