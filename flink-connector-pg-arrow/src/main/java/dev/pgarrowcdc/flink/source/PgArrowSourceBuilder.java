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

import dev.pgarrowcdc.flink.source.enumerator.SlotNames;
import dev.pgarrowcdc.flink.source.enumerator.TablePatterns;

import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * Builds a {@link PgArrowSource}. Every setting is one of {@link PgArrowSourceOptions}; {@link
 * #build()} checks them all at once and reports every problem, each naming the option, the rule and
 * what to do.
 *
 * <pre>{@code
 * PgArrowSource<RowData> source = PgArrowSource.<RowData>builder()
 *         .hostname("db").port(5432).database("shop").username("cdc").password("...")
 *         .tableList("public.orders", "public.order_*")
 *         .slotName("flink_shop")
 *         .deserializer(PgArrowDeserializationSchema.rowData(rowType))
 *         .build();
 * }</pre>
 */
public final class PgArrowSourceBuilder<T> {

    private final Configuration options = new Configuration();
    private PgArrowDeserializationSchema<T> deserializer;
    private List<String> projectedColumns;

    PgArrowSourceBuilder() {}

    public PgArrowSourceBuilder<T> hostname(String hostname) {
        options.set(PgArrowSourceOptions.HOSTNAME, hostname);
        return this;
    }

    public PgArrowSourceBuilder<T> port(int port) {
        options.set(PgArrowSourceOptions.PORT, port);
        return this;
    }

    public PgArrowSourceBuilder<T> username(String username) {
        options.set(PgArrowSourceOptions.USERNAME, username);
        return this;
    }

    public PgArrowSourceBuilder<T> password(String password) {
        options.set(PgArrowSourceOptions.PASSWORD, password);
        return this;
    }

    public PgArrowSourceBuilder<T> database(String database) {
        options.set(PgArrowSourceOptions.DATABASE_NAME, database);
        return this;
    }

    /** The {@code table-name} patterns, joined with commas. */
    public PgArrowSourceBuilder<T> tableList(String... patterns) {
        options.set(PgArrowSourceOptions.TABLE_NAME, String.join(",", patterns));
        return this;
    }

    public PgArrowSourceBuilder<T> slotName(String slotNamePrefix) {
        options.set(PgArrowSourceOptions.SLOT_NAME, slotNamePrefix);
        return this;
    }

    public PgArrowSourceBuilder<T> startupMode(StartupMode mode) {
        options.set(PgArrowSourceOptions.STARTUP_MODE, mode);
        return this;
    }

    /** {@code specific-offset} from this LSN, e.g. {@code 0/16B3748}. */
    public PgArrowSourceBuilder<T> startupSpecificOffset(String lsn) {
        options.set(PgArrowSourceOptions.STARTUP_MODE, StartupMode.SPECIFIC_OFFSET);
        options.set(PgArrowSourceOptions.STARTUP_SPECIFIC_OFFSET_LSN, lsn);
        return this;
    }

    /** {@code scan.incremental.snapshot.chunk.size}: rows per snapshot chunk. */
    public PgArrowSourceBuilder<T> chunkSize(int rows) {
        options.set(PgArrowSourceOptions.CHUNK_SIZE, rows);
        return this;
    }

    /** {@code scan.incremental.snapshot.chunk.key-column}: the column to chunk snapshots by. */
    public PgArrowSourceBuilder<T> chunkKeyColumn(String column) {
        options.set(PgArrowSourceOptions.CHUNK_KEY_COLUMN, column);
        return this;
    }

    /** {@code scan.snapshot.read-mode}: see {@link SnapshotReadMode}. */
    public PgArrowSourceBuilder<T> snapshotReadMode(SnapshotReadMode mode) {
        options.set(PgArrowSourceOptions.SNAPSHOT_READ_MODE, mode);
        return this;
    }

    public PgArrowSourceBuilder<T> snapshotFetchSize(int rows) {
        options.set(PgArrowSourceOptions.SNAPSHOT_FETCH_SIZE, rows);
        return this;
    }

    public PgArrowSourceBuilder<T> batchRows(int rows) {
        options.set(PgArrowSourceOptions.BATCH_ROWS, rows);
        return this;
    }

    public PgArrowSourceBuilder<T> compression(ArrowCompression compression) {
        options.set(PgArrowSourceOptions.COMPRESSION, compression);
        return this;
    }

    public PgArrowSourceBuilder<T> heartbeatInterval(Duration interval) {
        options.set(PgArrowSourceOptions.HEARTBEAT_INTERVAL, interval);
        return this;
    }

    public PgArrowSourceBuilder<T> tableDiscoveryInterval(Duration interval) {
        options.set(PgArrowSourceOptions.TABLE_DISCOVERY_INTERVAL, interval);
        return this;
    }

    /** {@code scan.unchanged-toast.mode}: see {@link UnchangedToastMode}. */
    public PgArrowSourceBuilder<T> unchangedToastMode(UnchangedToastMode mode) {
        options.set(PgArrowSourceOptions.UNCHANGED_TOAST_MODE, mode);
        return this;
    }

    /** {@code ssl.mode}; the default is {@link SslMode#VERIFY_FULL}. */
    public PgArrowSourceBuilder<T> sslMode(SslMode mode) {
        options.set(PgArrowSourceOptions.SSL_MODE, mode);
        return this;
    }

    /** {@code ssl.root-cert}: PEM file of the CA(s) that sign the server's certificate. */
    public PgArrowSourceBuilder<T> sslRootCert(String path) {
        options.set(PgArrowSourceOptions.SSL_ROOT_CERT, path);
        return this;
    }

    /**
     * {@code ssl.cert} and {@code ssl.key}: a client certificate (PEM) and its key (PKCS-8 DER),
     * for certificate authentication; {@code cert} null with a PKCS-12 key file.
     */
    public PgArrowSourceBuilder<T> sslClientCert(String cert, String key) {
        if (cert != null) {
            options.set(PgArrowSourceOptions.SSL_CERT, cert);
        }
        options.set(PgArrowSourceOptions.SSL_KEY, key);
        return this;
    }

    /** {@code ssl.key.password}: the password of an encrypted {@code ssl.key}. Never logged. */
    public PgArrowSourceBuilder<T> sslKeyPassword(String password) {
        options.set(PgArrowSourceOptions.SSL_KEY_PASSWORD, password);
        return this;
    }

    /** Sets any option by its {@link ConfigOption}, e.g. from a SQL table's options. */
    public <V> PgArrowSourceBuilder<T> option(ConfigOption<V> option, V value) {
        options.set(option, value);
        return this;
    }

    /**
     * Reads only these columns (exact, case-sensitive PostgreSQL names) of every captured table:
     * wal2arrow neither decodes nor sends the others and the snapshot does not select them. Rows
     * hold the projected columns a table has, in attribute order ({@link
     * PgArrowRecordContext#rowType()} names them).
     */
    public PgArrowSourceBuilder<T> projectedColumns(List<String> columns) {
        this.projectedColumns = Collections.unmodifiableList(new ArrayList<>(columns));
        return this;
    }

    public PgArrowSourceBuilder<T> deserializer(PgArrowDeserializationSchema<T> deserializer) {
        this.deserializer = deserializer;
        return this;
    }

    /**
     * Validates every setting and builds the source.
     *
     * @throws IllegalArgumentException listing every problem found, one per line
     */
    public PgArrowSource<T> build() {
        List<String> problems = new ArrayList<>();
        String hostname =
                required(PgArrowSourceOptions.HOSTNAME, "the PostgreSQL server's host", problems);
        String username =
                required(PgArrowSourceOptions.USERNAME, "a role with REPLICATION", problems);
        String database =
                required(PgArrowSourceOptions.DATABASE_NAME, "the database to capture", problems);
        int port = options.get(PgArrowSourceOptions.PORT);
        if (port < 1 || port > 65535) {
            problems.add(
                    "'port' = "
                            + port
                            + " is not a TCP port: use 1..65535 (PostgreSQL's default is 5432)");
        }
        TablePatterns tables = null;
        if (options.getOptional(PgArrowSourceOptions.TABLE_NAME).isPresent()) {
            try {
                String schemaName = options.get(PgArrowSourceOptions.SCHEMA_NAME);
                tables =
                        schemaName == null
                                ? TablePatterns.parse(
                                        options.get(PgArrowSourceOptions.TABLE_NAME), database)
                                : TablePatterns.regexPair(
                                        schemaName, options.get(PgArrowSourceOptions.TABLE_NAME));
            } catch (IllegalArgumentException e) {
                problems.add(e.getMessage());
            }
        } else {
            problems.add(
                    "'table-name' is not set: list the tables to capture, e.g. public.orders or public.*");
        }
        String slotPrefix = options.get(PgArrowSourceOptions.SLOT_NAME);
        String slotProblem = SlotNames.checkPrefix(slotPrefix);
        if (slotProblem != null) {
            problems.add(slotProblem);
        }
        StartupMode mode = options.get(PgArrowSourceOptions.STARTUP_MODE);
        long specificLsn = 0;
        String lsnText = options.get(PgArrowSourceOptions.STARTUP_SPECIFIC_OFFSET_LSN);
        if (mode == StartupMode.SPECIFIC_OFFSET) {
            specificLsn = Lsn.parse(lsnText);
            if (lsnText == null) {
                problems.add(
                        "'scan.startup.mode' = 'specific-offset' needs"
                                + " 'scan.startup.specific-offset.lsn': set the LSN to start from, e.g. 0/16B3748");
            } else if (specificLsn <= 0) {
                problems.add(
                        "'scan.startup.specific-offset.lsn' = '"
                                + lsnText
                                + "' is not an LSN:"
                                + " write two hexadecimal numbers separated by '/', e.g. 0/16B3748");
            }
        } else if (lsnText != null) {
            problems.add(
                    "'scan.startup.specific-offset.lsn' is set but 'scan.startup.mode' is '"
                            + mode
                            + "': set the mode to 'specific-offset' or remove the LSN");
        }
        int fetchSize = options.get(PgArrowSourceOptions.SNAPSHOT_FETCH_SIZE);
        if (fetchSize < 1) {
            problems.add(
                    "'scan.snapshot.fetch.size' = " + fetchSize + " must be at least 1, e.g. 1024");
        }
        SnapshotReadMode readMode = SnapshotReadMode.AUTO;
        try {
            readMode = options.get(PgArrowSourceOptions.SNAPSHOT_READ_MODE);
        } catch (IllegalArgumentException e) {
            problems.add(
                    "'scan.snapshot.read-mode' = '"
                            + options.toMap().get(PgArrowSourceOptions.SNAPSHOT_READ_MODE.key())
                            + "' is not a read mode: use 'auto' (default), 'arrow' or 'text'");
        }
        int chunkSize = options.get(PgArrowSourceOptions.CHUNK_SIZE);
        if (chunkSize < 1) {
            problems.add(
                    "'scan.incremental.snapshot.chunk.size' = "
                            + chunkSize
                            + " must be at least 1, e.g. 65536");
        }
        String chunkKeyColumn = options.get(PgArrowSourceOptions.CHUNK_KEY_COLUMN);
        if (chunkKeyColumn != null && chunkKeyColumn.isEmpty()) {
            problems.add(
                    "'scan.incremental.snapshot.chunk.key-column' is empty: name a column, or"
                            + " remove the option to chunk by the primary key");
        }
        int batchRows = options.get(PgArrowSourceOptions.BATCH_ROWS);
        if (batchRows < 1 || batchRows > 10_000_000) {
            problems.add(
                    "'wal2arrow.batch-rows' = "
                            + batchRows
                            + " must be within 1..10000000 (the plugin's batch_rows range), e.g. 8192");
        }
        Duration heartbeat = options.get(PgArrowSourceOptions.HEARTBEAT_INTERVAL);
        if (heartbeat.toMillis() < 1 || heartbeat.toMillis() > Integer.MAX_VALUE) {
            problems.add(
                    "'heartbeat.interval.ms' = "
                            + heartbeat.toMillis()
                            + " ms must be positive and below the server's wal_sender_timeout, e.g. 10 s");
        }
        Duration discovery = options.get(PgArrowSourceOptions.TABLE_DISCOVERY_INTERVAL);
        if (discovery.isNegative()) {
            problems.add(
                    "'scan.table-discovery.interval' = "
                            + discovery
                            + " is negative: use 0 to discover only at start, or a period such as 30 s");
        }
        int maxRetries = options.get(PgArrowSourceOptions.CONNECT_MAX_RETRIES);
        if (maxRetries < 0) {
            problems.add(
                    "'connect.max-retries' = "
                            + maxRetries
                            + " is negative: use 0 to fail at the first connection error, or e.g. 5");
        }
        Duration connectTimeout = options.get(PgArrowSourceOptions.CONNECT_TIMEOUT);
        if (connectTimeout.getSeconds() < 1 || connectTimeout.getSeconds() > Integer.MAX_VALUE) {
            problems.add(
                    "'connect.timeout' = "
                            + connectTimeout
                            + " must be at least 1 s (whole seconds), e.g. 30 s");
        }
        PgArrowSourceConfig.Tls tls = tls(problems);
        if (deserializer == null) {
            problems.add(
                    "No deserializer: call deserializer(...), e.g."
                            + " PgArrowDeserializationSchema.rowData(rowType) to emit the tables' RowData");
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(
                    "Invalid pg-arrow-cdc source configuration:\n  - "
                            + String.join("\n  - ", problems));
        }
        PgArrowSourceConfig config =
                new PgArrowSourceConfig(
                        hostname,
                        port,
                        username,
                        options.get(PgArrowSourceOptions.PASSWORD),
                        database,
                        tables,
                        slotPrefix,
                        mode,
                        specificLsn,
                        fetchSize,
                        batchRows,
                        options.get(PgArrowSourceOptions.COMPRESSION),
                        heartbeat,
                        discovery,
                        projectedColumns,
                        maxRetries,
                        connectTimeout,
                        options.get(PgArrowSourceOptions.UNCHANGED_TOAST_MODE),
                        chunkSize,
                        chunkKeyColumn,
                        tls,
                        newOwnerToken(),
                        options.get(PgArrowSourceOptions.SLOT_ACCEPT_GAP),
                        readMode);
        return new PgArrowSource<>(config, deserializer);
    }

    /** 16 random hex digits: the owner token of the job this source is built for. */
    private static String newOwnerToken() {
        return String.format("%016x", new SecureRandom().nextLong());
    }

    /**
     * The TLS options, checked: files exist and are readable (on the machine that builds the job;
     * every TaskManager needs them at the same path), a key comes with a certificate and the other
     * way round, and no file is given to a mode that would not use it.
     */
    private PgArrowSourceConfig.Tls tls(List<String> problems) {
        SslMode mode = options.get(PgArrowSourceOptions.SSL_MODE);
        String rootCert = options.get(PgArrowSourceOptions.SSL_ROOT_CERT);
        String cert = options.get(PgArrowSourceOptions.SSL_CERT);
        String key = options.get(PgArrowSourceOptions.SSL_KEY);
        String keyPassword = options.get(PgArrowSourceOptions.SSL_KEY_PASSWORD);
        if (mode == SslMode.DISABLE) {
            for (ConfigOption<String> o :
                    Arrays.asList(
                            PgArrowSourceOptions.SSL_ROOT_CERT,
                            PgArrowSourceOptions.SSL_CERT,
                            PgArrowSourceOptions.SSL_KEY,
                            PgArrowSourceOptions.SSL_KEY_PASSWORD)) {
                if (options.getOptional(o).isPresent()) {
                    problems.add(
                            "'"
                                    + o.key()
                                    + "' is set but 'ssl.mode' = 'disable' opens no TLS"
                                    + " connection: remove it, or choose 'ssl.mode' = 'verify-full'");
                }
            }
            return new PgArrowSourceConfig.Tls(mode, null, null, null, null);
        }
        if (rootCert != null) {
            readable(PgArrowSourceOptions.SSL_ROOT_CERT, rootCert, problems);
            if (!mode.verifies()) {
                problems.add(
                        "'ssl.root-cert' is set but 'ssl.mode' = '"
                                + mode
                                + "' does not verify"
                                + " the server's certificate: use 'ssl.mode' = 'verify-full' (or 'verify-ca')");
            }
        }
        boolean pkcs12 = key != null && key.matches("(?i).*\\.(p12|pfx)$");
        if (cert != null) {
            readable(PgArrowSourceOptions.SSL_CERT, cert, problems);
            if (key == null) {
                problems.add(
                        "'ssl.cert' is set without 'ssl.key': give the client certificate's"
                                + " private key (PKCS-8 DER) too");
            } else if (pkcs12) {
                problems.add(
                        "'ssl.key' = '"
                                + key
                                + "' is a PKCS-12 file, which holds the"
                                + " certificate itself: remove 'ssl.cert'");
            }
        }
        if (key != null) {
            if (readable(PgArrowSourceOptions.SSL_KEY, key, problems)) {
                if (cert == null && !pkcs12) {
                    problems.add(
                            "'ssl.key' is set without 'ssl.cert': give the client certificate"
                                    + " (PEM) too, or use a PKCS-12 file (.p12) holding both");
                }
                if (!pkcs12 && isPem(key)) {
                    problems.add(
                            "'ssl.key' = '"
                                    + key
                                    + "' is a PEM file, which pgjdbc cannot read:"
                                    + " convert it to PKCS-8 DER, e.g. openssl pkcs8 -topk8 -outform DER"
                                    + " -in client.key -out client.pk8 -nocrypt (or with a password, then"
                                    + " set 'ssl.key.password')");
                }
            }
            if (mode.verifies() && rootCert == null) {
                problems.add(
                        "'ssl.key' is set but 'ssl.root-cert' is not: without a root"
                                + " certificate the JVM's trust store verifies the server, and that path"
                                + " cannot present a client certificate; set 'ssl.root-cert' to the PEM file"
                                + " of the CA that signs the server's certificate");
            }
        } else if (keyPassword != null) {
            problems.add(
                    "'ssl.key.password' is set without 'ssl.key': remove it, or give the"
                            + " encrypted key it opens");
        }
        return new PgArrowSourceConfig.Tls(mode, rootCert, cert, key, keyPassword);
    }

    private static boolean readable(
            ConfigOption<String> option, String path, List<String> problems) {
        Path p = Paths.get(path);
        if (!Files.isRegularFile(p)) {
            problems.add(
                    "'"
                            + option.key()
                            + "' = '"
                            + path
                            + "' is not a file: give the path of the"
                            + " file (the same path on every TaskManager)");
            return false;
        }
        if (!Files.isReadable(p)) {
            problems.add(
                    "'"
                            + option.key()
                            + "' = '"
                            + path
                            + "' is not readable by this process:"
                            + " fix its permissions");
            return false;
        }
        return true;
    }

    private static boolean isPem(String path) {
        try (InputStream in = Files.newInputStream(Paths.get(path))) {
            byte[] head = in.readNBytes(11);
            return new String(head, StandardCharsets.US_ASCII).startsWith("-----BEGIN");
        } catch (IOException e) {
            return false;
        }
    }

    private String required(ConfigOption<String> option, String what, List<String> problems) {
        String value = options.get(option);
        if (value == null || value.trim().isEmpty()) {
            problems.add("'" + option.key() + "' is not set: give " + what);
            return null;
        }
        return value;
    }
}
