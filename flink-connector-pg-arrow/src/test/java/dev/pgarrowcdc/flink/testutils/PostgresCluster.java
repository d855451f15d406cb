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

import org.postgresql.PGProperty;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * A throwaway PostgreSQL cluster: {@code initdb} + {@code pg_ctl} from {@code pg_config --bindir},
 * on a free loopback port, configured for logical decoding with a private copy of the freshly built
 * wal2arrow plugin on its {@code dynamic_library_path}.
 *
 * <p>With {@code -Dpgarrow.postgres=container:<major>} the server is instead PostgreSQL of that
 * major version in a Docker container ({@link PostgresContainer}, the image of {@code
 * tools/pg-image.sh}, wal2arrow installed in it), with the same settings and abilities (restart in
 * place, the server log, removing the plugin); {@link #host()} and {@link #port()} then name the
 * container's mapped port.
 *
 * <p>PostgreSQL refuses to run as root. When the JVM runs as root (CI does), every server command
 * runs as the {@code postgres} OS user through {@code runuser}, and the data directory and the
 * plugin copy are created under the system temp directory and handed to that user, because a
 * checkout under /root is not readable by it.
 *
 * <p>{@link #close()} stops the server and deletes every file it made, whatever state the server is
 * in.
 */
public final class PostgresCluster implements AutoCloseable {

    /** The superuser initdb creates; also the OS user the server runs as when we are root. */
    public static final String SUPERUSER = "postgres";

    private static final String PLUGIN_FILE = "wal2arrow.so";

    /** The extension script that creates the snapshot function (wal2arrow's make install). */
    static final String EXTENSION_SCRIPT = "wal2arrow--1.0.sql";

    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(120);

    private final Path pgBin;
    private final Path baseDir;
    private final Path dataDir;
    private final Path socketDir;
    private final Path libDir;
    private final Path logFile;
    private final boolean asPostgresUser;
    private final Map<String, String> settings;
    private final Path wal2arrowLibrary;

    /** pg_hba.conf lines replacing initdb's, or null to keep them. */
    private final List<String> hbaLines;

    /** Files copied into the data directory (name there to source), e.g. TLS keys. */
    private final Map<String, Path> dataFiles;

    /** The container backend, or null for local binaries. */
    private final PostgresContainer container;

    private int port;
    private boolean running;

    /** Stops the server and removes its files if the JVM exits before {@link #close()}. */
    private final Thread exitCleanup = new Thread(this::exitCleanUp, "pg-test-cluster-cleanup");

    private volatile Runnable beforeExitCleanUp = () -> {};
    private boolean closed;

    private PostgresCluster(Builder builder) {
        int containerMajor = PostgresContainer.selectedMajor();
        // A server with its own pg_hba.conf or data files (TLS keys) is always local: the
        // container image trusts every login and cannot take files from the builder.
        boolean ownAuthentication = builder.hbaLines != null || !builder.dataFiles.isEmpty();
        this.container =
                containerMajor > 0 && !ownAuthentication
                        ? new PostgresContainer(containerMajor)
                        : null;
        this.asPostgresUser = isRoot();
        if (container == null) {
            this.pgBin = locateBinDir(builder.pgConfig);
            requireExecutable(pgBin.resolve("initdb"), "initdb");
            requireExecutable(pgBin.resolve("pg_ctl"), "pg_ctl");
        } else {
            this.pgBin = null;
        }
        try {
            this.baseDir =
                    Files.createTempDirectory(
                            Paths.get(System.getProperty("java.io.tmpdir")), "pgarrowcdc-pg-");
        } catch (IOException e) {
            throw new IllegalStateException(
                    "Cannot create a temporary directory for the test PostgreSQL cluster under "
                            + System.getProperty("java.io.tmpdir")
                            + ": "
                            + e.getMessage(),
                    e);
        }
        this.dataDir = baseDir.resolve("data");
        this.socketDir = baseDir.resolve("socket");
        this.libDir = baseDir.resolve("lib");
        this.logFile = baseDir.resolve("server.log");
        this.settings = new LinkedHashMap<>(defaultSettings(libDir, socketDir));
        if (container != null) {
            // The image listens on every address, keeps its sockets and has the plugin in $libdir.
            CONTAINER_OWN_SETTINGS.forEach(this.settings::remove);
        }
        this.settings.putAll(builder.settings);
        builder.removedSettings.forEach(this.settings::remove);
        this.wal2arrowLibrary = builder.wal2arrowLibrary;
        this.hbaLines = builder.hbaLines;
        this.dataFiles = new LinkedHashMap<>(builder.dataFiles);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Defaults that only make sense for local binaries. */
    private static final List<String> CONTAINER_OWN_SETTINGS =
            List.of("listen_addresses", "unix_socket_directories", "dynamic_library_path");

    /** Settings every test cluster starts with; a builder may override or remove each. */
    static Map<String, String> defaultSettings(Path libDir, Path socketDir) {
        Map<String, String> s = new LinkedHashMap<>();
        s.put("listen_addresses", "'127.0.0.1'");
        s.put("unix_socket_directories", quote(socketDir.toString()));
        s.put("wal_level", "logical");
        s.put("max_replication_slots", "64");
        s.put("max_wal_senders", "64");
        s.put("max_connections", "200");
        s.put("output_plugin_libraries", "'pgoutput, test_decoding, wal2arrow'");
        s.put("dynamic_library_path", quote("$libdir:" + libDir));
        // A throwaway cluster: durability buys nothing and costs test time. synchronous_commit
        // stays on: decoding reads only flushed WAL, so commits must be flushed at once.
        s.put("fsync", "off");
        s.put("full_page_writes", "off");
        s.put("shared_buffers", "128MB");
        s.put("max_wal_size", "2GB");
        s.put("wal_sender_timeout", "60s");
        s.put("log_min_messages", "warning");
        return s;
    }

    /** Runs initdb, writes the settings, copies the plugin and starts the server. */
    public PostgresCluster start() {
        Runtime.getRuntime().addShutdownHook(exitCleanup);
        if (container != null) {
            return startContainer();
        }
        try {
            Files.createDirectories(socketDir);
            Files.createDirectories(libDir);
            installPlugin();
            handToServerUser(baseDir);
            runChecked(
                    "initdb",
                    List.of(
                            pgBin.resolve("initdb").toString(),
                            "-D",
                            dataDir.toString(),
                            "-U",
                            SUPERUSER,
                            "--auth=trust",
                            "--encoding=UTF8",
                            "--locale=C",
                            "--no-sync"));
            dropUnsupportedSettings();
            writeHbaAndDataFiles();
            startServer();
            installSnapshotFunction();
            return this;
        } catch (RuntimeException e) {
            close();
            throw e;
        } catch (IOException e) {
            close();
            throw new UncheckedIOException(e);
        }
    }

    private PostgresCluster startContainer() {
        try {
            container.start(configBody());
            running = true;
            installSnapshotFunction();
            if (settings.containsKey("output_plugin_libraries")
                    && !serverKnows("output_plugin_libraries")) {
                settings.remove("output_plugin_libraries");
            }
            return this;
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    /**
     * Creates wal2arrow's snapshot function in template1, so every database a test creates has it
     * and snapshots read Arrow frames: the extension script {@code wal2arrow--1.0.sql} next to the
     * plugin, run as the superuser with its {@code \echo} guard dropped and {@code MODULE_PATHNAME}
     * replaced by {@code 'wal2arrow'} (found through {@code dynamic_library_path}; a container's
     * image has the library in {@code $libdir}). A local server without the plugin gets no
     * function.
     */
    private void installSnapshotFunction() {
        if (!hasWal2Arrow()) {
            return;
        }
        Path dir = wal2arrowDir();
        Path script = dir == null ? null : dir.resolve(EXTENSION_SCRIPT);
        if (script == null || !Files.isRegularFile(script)) {
            throw new IllegalStateException(
                    "The wal2arrow extension script "
                            + EXTENSION_SCRIPT
                            + " is not in "
                            + dir
                            + ": the test fixture creates the snapshot function from it. Check"
                            + " out the whole wal2arrow/ directory, or set -Dwal2arrow.dir to the"
                            + " directory holding it and the built plugin.");
        }
        try {
            execute("template1", snapshotFunctionSql(Files.readString(script)));
        } catch (IOException | SQLException e) {
            throw new IllegalStateException(
                    "Cannot create the snapshot function from " + script + ": " + e.getMessage(),
                    e);
        }
    }

    /** The extension script as plain SQL: no psql guard, the library by its name. */
    static String snapshotFunctionSql(String script) {
        return Stream.of(script.split("\n"))
                .filter(line -> !line.startsWith("\\echo"))
                .collect(Collectors.joining("\n"))
                .replace("MODULE_PATHNAME", "wal2arrow");
    }

    private boolean serverKnows(String setting) {
        try (Connection c = connect("postgres");
                Statement st = c.createStatement();
                java.sql.ResultSet rs =
                        st.executeQuery(
                                "SELECT count(*) FROM pg_settings WHERE name = '"
                                        + setting
                                        + "'")) {
            rs.next();
            return rs.getInt(1) == 1;
        } catch (SQLException e) {
            throw new IllegalStateException(
                    "Cannot query the PostgreSQL container at "
                            + host()
                            + ":"
                            + port()
                            + ": "
                            + e.getMessage(),
                    e);
        }
    }

    private String configBody() {
        return settings.entrySet().stream()
                .map(e -> e.getKey() + " = " + e.getValue())
                .collect(Collectors.joining("\n", "\n# pg-arrow-cdc test fixture\n", "\n"));
    }

    private void startServer() throws IOException {
        IllegalStateException lastFailure = null;
        // A port found free can be taken by someone else before the server binds it: retry.
        for (int attempt = 0; attempt < 3; attempt++) {
            port = freePort();
            writeConfig();
            ProcessResult result = pgCtlStart();
            if (result.exitCode == 0) {
                running = true;
                return;
            }
            String log = serverLog();
            lastFailure =
                    new IllegalStateException(
                            "PostgreSQL did not start on 127.0.0.1:"
                                    + port
                                    + " (pg_ctl exit code "
                                    + result.exitCode
                                    + ").\npg_ctl said:\n"
                                    + result.output
                                    + "\nServer log "
                                    + logFile
                                    + ":\n"
                                    + log);
            if (!log.contains("could not bind") && !log.contains("Address already in use")) {
                break;
            }
        }
        throw lastFailure;
    }

    /**
     * {@code output_plugin_libraries} exists only in some builds (Debian's 15.20 has it). A server
     * without it would refuse to start on an unknown setting, and it loads any plugin anyway.
     */
    private void dropUnsupportedSettings() {
        if (!settings.containsKey("output_plugin_libraries")) {
            return;
        }
        ProcessResult described =
                run(List.of(pgBin.resolve("postgres").toString(), "--describe-config"));
        if (described.exitCode == 0 && !described.output.contains("output_plugin_libraries")) {
            settings.remove("output_plugin_libraries");
        }
    }

    /**
     * The builder's pg_hba.conf lines and data files, written after initdb. Data files are the
     * server user's and private (PostgreSQL refuses a key file others can read).
     */
    private void writeHbaAndDataFiles() throws IOException {
        if (hbaLines != null) {
            Path hba = dataDir.resolve("pg_hba.conf");
            Files.writeString(hba, String.join("\n", hbaLines) + "\n", StandardCharsets.UTF_8);
            handToServerUser(hba);
        }
        for (Map.Entry<String, Path> file : dataFiles.entrySet()) {
            Path target = dataDir.resolve(file.getKey());
            Files.copy(file.getValue(), target, StandardCopyOption.REPLACE_EXISTING);
            Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("rw-------"));
            handToServerUser(target);
        }
    }

    private void writeConfig() throws IOException {
        String body = configBody();
        Path autoConf = dataDir.resolve("postgresql.auto.conf");
        Files.writeString(autoConf, "port = " + port + "\n" + body, StandardCharsets.UTF_8);
        handToServerUser(autoConf);
    }

    private void installPlugin() throws IOException {
        Path plugin = wal2arrowLibrary != null ? wal2arrowLibrary : locatePlugin();
        if (plugin == null) {
            return;
        }
        Path copy = libDir.resolve(PLUGIN_FILE);
        Files.copy(plugin, copy, StandardCopyOption.REPLACE_EXISTING);
        Files.setPosixFilePermissions(copy, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    /**
     * The plugin built by {@code make -C wal2arrow}: the {@code wal2arrow.dir} system property (set
     * by the Maven build), else the nearest {@code wal2arrow/} above the working directory. Absent,
     * the cluster still starts; creating a wal2arrow slot then fails, and {@link
     * #requireWal2ArrowBuilt()} says how to build it.
     */
    static Path locatePlugin() {
        Path dir = wal2arrowDir();
        return dir != null && Files.isRegularFile(dir.resolve(PLUGIN_FILE))
                ? dir.resolve(PLUGIN_FILE)
                : null;
    }

    static Path wal2arrowDir() {
        String configured = System.getProperty("wal2arrow.dir");
        if (configured != null && !configured.isEmpty()) {
            return Paths.get(configured).toAbsolutePath().normalize();
        }
        for (Path p = Paths.get("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isDirectory(p.resolve("wal2arrow"))) {
                return p.resolve("wal2arrow");
            }
        }
        return null;
    }

    /**
     * Fails with the command to run when the plugin has not been built. (A container backend's
     * image has its own, built inside it: then nothing is required here.)
     */
    public static Path requireWal2ArrowBuilt() {
        Path plugin = locatePlugin();
        if (plugin == null && PostgresContainer.selectedMajor() == 0) {
            throw new IllegalStateException(
                    "The wal2arrow plugin is not built: no "
                            + PLUGIN_FILE
                            + " in "
                            + wal2arrowDir()
                            + ". Build it with `make -C wal2arrow` from the repository root "
                            + "(needs postgresql-server-dev-15, liblz4-dev, libzstd-dev), "
                            + "or set -Dwal2arrow.dir to the directory holding it.");
        }
        return plugin;
    }

    public boolean hasWal2Arrow() {
        return container != null
                ? !wal2arrowRemoved
                : Files.isRegularFile(libDir.resolve(PLUGIN_FILE));
    }

    private boolean wal2arrowRemoved;

    /** Deletes the plugin file the running server loads, as if it had never been installed. */
    public void removeWal2Arrow() throws IOException {
        if (container != null) {
            container.removeWal2Arrow();
        } else {
            Files.delete(libDir.resolve(PLUGIN_FILE));
        }
        wal2arrowRemoved = true;
    }

    public int port() {
        return container != null ? container.port() : port;
    }

    public String host() {
        return container != null ? container.host() : "127.0.0.1";
    }

    /**
     * Where the server runs: {@code local} (binaries of PG_CONFIG) or {@code container:<major>}.
     */
    public String backend() {
        return container != null ? "container:" + container.major() : "local";
    }

    /** True when the server runs in a container ({@code -Dpgarrow.postgres=container:N}). */
    public boolean inContainer() {
        return container != null;
    }

    /** The server's major version, e.g. 15 or 18. */
    public int serverMajor() throws SQLException {
        try (Connection c = connect("postgres");
                Statement st = c.createStatement();
                java.sql.ResultSet rs = st.executeQuery("SHOW server_version_num")) {
            rs.next();
            return Integer.parseInt(rs.getString(1)) / 10000;
        }
    }

    public Path dataDir() {
        return dataDir;
    }

    public Path baseDir() {
        return baseDir;
    }

    public boolean isRunning() {
        return running;
    }

    /** The value a setting had when the server started (null when the fixture did not set it). */
    public String setting(String name) {
        return settings.get(name);
    }

    public String jdbcUrl(String database) {
        return "jdbc:postgresql://" + host() + ":" + port() + "/" + database;
    }

    /** A superuser JDBC connection to {@code database}. */
    public Connection connect(String database) throws SQLException {
        Properties props = new Properties();
        PGProperty.USER.set(props, SUPERUSER);
        return DriverManager.getConnection(jdbcUrl(database), props);
    }

    /** A physical-protocol replication connection (what the connector uses) to {@code database}. */
    public Connection connectForReplication(String database) throws SQLException {
        Properties props = new Properties();
        PGProperty.USER.set(props, SUPERUSER);
        PGProperty.REPLICATION.set(props, "database");
        PGProperty.ASSUME_MIN_SERVER_VERSION.set(props, "10");
        PGProperty.PREFER_QUERY_MODE.set(props, "simple");
        return DriverManager.getConnection(jdbcUrl(database), props);
    }

    public void execute(String database, String... statements) throws SQLException {
        try (Connection c = connect(database);
                Statement st = c.createStatement()) {
            for (String sql : statements) {
                st.execute(sql);
            }
        }
    }

    /** The last lines of the server log, for failure messages. */
    public String serverLog() {
        if (container != null) {
            return container.serverLog();
        }
        try {
            if (!Files.exists(logFile)) {
                return "(no server log was written)";
            }
            List<String> lines = Files.readAllLines(logFile, StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
        } catch (IOException e) {
            return "(server log unreadable: " + e.getMessage() + ")";
        }
    }

    private ProcessResult pgCtlStart() {
        return run(
                List.of(
                        pgBin.resolve("pg_ctl").toString(),
                        "-D",
                        dataDir.toString(),
                        "-l",
                        logFile.toString(),
                        "-w",
                        "-t",
                        "60",
                        "start"));
    }

    /** Restarts the server on the same port (for tests that survive a restart). */
    public void restart() {
        if (container != null) {
            container.restart();
            running = true;
            return;
        }
        stopServer("fast");
        ProcessResult result = pgCtlStart();
        if (result.exitCode != 0) {
            throw new IllegalStateException(
                    "PostgreSQL did not restart on port "
                            + port
                            + ":\n"
                            + result.output
                            + "\n"
                            + serverLog());
        }
        running = true;
    }

    private void stopServer(String mode) {
        if (!running) {
            return;
        }
        if (container != null) {
            container.close();
            running = false;
            return;
        }
        run(
                List.of(
                        pgBin.resolve("pg_ctl").toString(),
                        "-D",
                        dataDir.toString(),
                        "-m",
                        mode,
                        "-w",
                        "-t",
                        "60",
                        "stop"));
        running = false;
    }

    @Override
    public void close() {
        cleanUp();
        try {
            Runtime.getRuntime().removeShutdownHook(exitCleanup);
        } catch (IllegalStateException | IllegalArgumentException e) {
            // the JVM is exiting (the hook runs or ran), or it was never registered
        }
    }

    /**
     * Runs {@code action} when the JVM exits before {@link #close()}, while the server still runs,
     * then stops it. Work that needs the server at exit (dropping slots) must go here: the JVM runs
     * shutdown hooks concurrently, so a hook of its own would race this cluster's.
     */
    public void beforeExitCleanUp(Runnable action) {
        this.beforeExitCleanUp = action;
    }

    private void exitCleanUp() {
        try {
            beforeExitCleanUp.run();
        } finally {
            cleanUp();
        }
    }

    /** A killed or timed-out test JVM must not leave a server running with its files in /tmp. */
    private synchronized void cleanUp() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            stopServer("immediate");
        } finally {
            deleteRecursively(baseDir);
        }
    }

    // ------------------------------------------------------------------------------------------

    private static Path locateBinDir(String pgConfig) {
        ProcessResult result;
        try {
            result = runProcess(List.of(pgConfig, "--bindir"), false);
        } catch (IllegalStateException e) {
            throw new IllegalStateException(
                    "Cannot run `"
                            + pgConfig
                            + " --bindir` to find PostgreSQL's initdb and pg_ctl: "
                            + e.getMessage()
                            + ". Install postgresql-15 and postgresql-server-dev-15, or point the "
                            + "PG_CONFIG environment variable at pg_config.",
                    e);
        }
        if (result.exitCode != 0) {
            throw new IllegalStateException(
                    "`"
                            + pgConfig
                            + " --bindir` failed (exit "
                            + result.exitCode
                            + "): "
                            + result.output);
        }
        return Paths.get(result.output.trim());
    }

    private static void requireExecutable(Path path, String what) {
        if (!Files.isExecutable(path)) {
            throw new IllegalStateException(
                    what
                            + " not found at "
                            + path
                            + ": install the PostgreSQL server package (postgresql-15 on Debian) "
                            + "or point PG_CONFIG at the pg_config of an installation that has it.");
        }
    }

    private void runChecked(String what, List<String> command) {
        ProcessResult result = run(command);
        if (result.exitCode != 0) {
            throw new IllegalStateException(
                    what
                            + " failed (exit code "
                            + result.exitCode
                            + "): "
                            + String.join(" ", command)
                            + "\n"
                            + result.output);
        }
    }

    private ProcessResult run(List<String> command) {
        return runProcess(command, asPostgresUser);
    }

    private static ProcessResult runProcess(List<String> command, boolean asPostgresUser) {
        List<String> full = new ArrayList<>();
        if (asPostgresUser) {
            full.addAll(List.of("runuser", "-u", SUPERUSER, "--"));
        }
        full.addAll(command);
        ProcessBuilder pb = new ProcessBuilder(full).redirectErrorStream(true);
        // A server started from the JVM must not inherit a locale the OS user lacks.
        pb.environment().put("LC_ALL", "C");
        pb.environment().remove("PGDATA");
        pb.environment().remove("PGPORT");
        try {
            Path out = Files.createTempFile("pgarrowcdc-cmd-", ".out");
            try {
                pb.redirectOutput(out.toFile());
                Process p = pb.start();
                if (!p.waitFor(COMMAND_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    throw new IllegalStateException(
                            "Timed out after " + COMMAND_TIMEOUT + ": " + String.join(" ", full));
                }
                return new ProcessResult(
                        p.exitValue(), Files.readString(out, StandardCharsets.UTF_8));
            } finally {
                Files.deleteIfExists(out);
            }
        } catch (IOException e) {
            throw new IllegalStateException(
                    "Cannot run " + String.join(" ", full) + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while running " + full, e);
        }
    }

    private void handToServerUser(Path path) {
        if (!asPostgresUser) {
            return;
        }
        ProcessResult result =
                runProcess(
                        List.of("chown", "-R", SUPERUSER + ":" + SUPERUSER, path.toString()),
                        false);
        if (result.exitCode != 0) {
            throw new IllegalStateException(
                    "Running as root, the test server runs as the OS user `"
                            + SUPERUSER
                            + "`, but handing "
                            + path
                            + " to it failed: "
                            + result.output
                            + " (is the postgresql-15 package, which creates that user, installed?)");
        }
    }

    private static boolean isRoot() {
        return "root".equals(System.getProperty("user.name"));
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            return s.getLocalPort();
        }
    }

    private static String quote(String value) {
        return "'" + value.replace("'", "''") + "'";
    }

    private static void deleteRecursively(Path root) {
        if (root == null || !Files.exists(root)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(root)) {
            walk.sorted(Comparator.reverseOrder())
                    .forEach(
                            p -> {
                                try {
                                    Files.deleteIfExists(p);
                                } catch (IOException ignored) {
                                    // best effort; reported below if the root stays
                                }
                            });
        } catch (IOException | UncheckedIOException ignored) {
            // fall through to the check
        }
        if (Files.exists(root)) {
            System.err.println("pg-arrow-cdc test fixture: could not delete " + root);
        }
    }

    private static final class ProcessResult {
        final int exitCode;
        final String output;

        ProcessResult(int exitCode, String output) {
            this.exitCode = exitCode;
            this.output = output;
        }
    }

    /** Chooses the PostgreSQL installation and the settings to start with. */
    public static final class Builder {
        private String pgConfig =
                System.getenv("PG_CONFIG") != null ? System.getenv("PG_CONFIG") : "pg_config";
        private Path wal2arrowLibrary;
        private final Map<String, String> settings = new LinkedHashMap<>();
        private final List<String> removedSettings = new ArrayList<>();
        private List<String> hbaLines;
        private final Map<String, Path> dataFiles = new LinkedHashMap<>();

        /**
         * Replaces initdb's pg_hba.conf (which trusts every local login) with these lines, e.g.
         * {@code "hostssl all cdc 127.0.0.1/32 scram-sha-256"}. Keep a line that lets {@link
         * #SUPERUSER} in from 127.0.0.1: the fixture connects as it.
         */
        public Builder hba(String... lines) {
            this.hbaLines = List.of(lines);
            return this;
        }

        /**
         * Copies {@code file} into the data directory as {@code name} (mode 0600), e.g. a TLS key.
         */
        public Builder dataFile(String name, Path file) {
            dataFiles.put(name, file);
            return this;
        }

        /**
         * TLS on: the server presents {@code cert} with {@code key} and, when {@code ca} is not
         * null, asks clients for certificates signed by it (needed for {@code cert}
         * authentication).
         */
        public Builder ssl(Path cert, Path key, Path ca) {
            dataFile("server.crt", cert);
            dataFile("server.key", key);
            setting("ssl", "on");
            setting("ssl_cert_file", "'server.crt'");
            setting("ssl_key_file", "'server.key'");
            if (ca != null) {
                dataFile("root.crt", ca);
                setting("ssl_ca_file", "'root.crt'");
            }
            return this;
        }

        /** The pg_config whose {@code --bindir} holds initdb and pg_ctl. */
        public Builder pgConfig(String pgConfig) {
            this.pgConfig = pgConfig;
            return this;
        }

        /** Overrides a postgresql.conf setting; the value is written as is (quote strings). */
        public Builder setting(String name, String value) {
            settings.put(name, value);
            removedSettings.remove(name);
            return this;
        }

        /** Leaves a default setting out, so the server's own default applies. */
        public Builder withoutSetting(String name) {
            settings.remove(name);
            removedSettings.add(name);
            return this;
        }

        /** Uses this plugin file instead of the one {@code make -C wal2arrow} built. */
        public Builder wal2arrowLibrary(Path library) {
            this.wal2arrowLibrary = library;
            return this;
        }

        public PostgresCluster build() {
            return new PostgresCluster(this);
        }

        /** Builds and starts the cluster. */
        public PostgresCluster start() {
            return build().start();
        }
    }
}
