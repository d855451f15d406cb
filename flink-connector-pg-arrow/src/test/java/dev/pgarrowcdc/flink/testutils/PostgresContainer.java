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

import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.Container.ExecResult;
import org.testcontainers.containers.PostgreSQLContainer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.utility.DockerImageName;

import java.io.IOException;
import java.time.Duration;
import java.util.Locale;

/**
 * The test fixture's second backend: PostgreSQL of a chosen major version in a Docker container,
 * through Testcontainers, from the image {@code tools/pg-image.sh <major>} builds (that version's
 * server with wal2arrow compiled against its headers and installed in its {@code pkglibdir}).
 *
 * <p>Chosen by the system property {@code pgarrow.postgres}: {@code local} (the default: initdb and
 * pg_ctl of {@code PG_CONFIG}) or {@code container:<major>}. {@link PostgresCluster} uses it in
 * place of local binaries, so every test that starts a cluster runs on either.
 *
 * <p>The container's first process starts the server with pg_ctl and stays up, so the server can be
 * restarted inside it ({@code docker exec pg_ctl restart}) on the same mapped port, as a local test
 * server can; stopping and starting it would work the same way.
 */
final class PostgresContainer implements AutoCloseable {

    static final String PROPERTY = "pgarrow.postgres";
    private static final String SERVER_LOG = "/var/lib/pgarrow/server.log";
    private static final int PORT = 5432;

    private final int major;
    private final String image;
    private final StringBuffer output = new StringBuffer();
    private PostgreSQLContainer<?> container;

    PostgresContainer(int major) {
        this.major = major;
        this.image = "pgarrow/postgres:" + major;
    }

    /**
     * The major version {@code -Dpgarrow.postgres=container:<major>} asks for, or 0 for local
     * binaries.
     */
    static int selectedMajor() {
        String value = System.getProperty(PROPERTY, "local").trim().toLowerCase(Locale.ROOT);
        if (value.isEmpty() || value.equals("local")) {
            return 0;
        }
        if (value.matches("container:(13|15|17|18)")) {
            return Integer.parseInt(value.substring("container:".length()));
        }
        throw new IllegalArgumentException(
                "-D"
                        + PROPERTY
                        + "="
                        + value
                        + " is not a PostgreSQL the tests can run on: use "
                        + "local (initdb/pg_ctl of PG_CONFIG) or container:13, container:15, "
                        + "container:17 or container:18 (after tools/pg-image.sh <major>).");
    }

    int major() {
        return major;
    }

    String image() {
        return image;
    }

    /** Starts the container with these postgresql.conf lines; fails with the server's log. */
    void start(String settings) {
        requireImage();
        container =
                new PostgreSQLContainer<>(
                                DockerImageName.parse(image).asCompatibleSubstituteFor("postgres"))
                        .withUsername(PostgresCluster.SUPERUSER)
                        .withDatabaseName("postgres")
                        // An environment variable, not a copied file: Testcontainers' tar
                        // needs a newer commons-lang3 than Flink puts on the class path.
                        .withEnv("PGARROW_SETTINGS", settings)
                        .withLogConsumer(frame -> output.append(frame.getUtf8String()))
                        // Ready, or failed (then the entrypoint has printed the server log).
                        .waitingFor(
                                Wait.forLogMessage(
                                                ".*pg-arrow-cdc: PostgreSQL (.* is ready|did not start).*",
                                                1)
                                        .withStartupTimeout(Duration.ofSeconds(120)));
        try {
            container.start();
            if (output.indexOf("did not start") >= 0) {
                throw new IllegalStateException("its entrypoint could not start the server");
            }
        } catch (RuntimeException e) {
            String said = output.toString();
            try {
                // All of it: the log consumer can lag behind the line the wait matched.
                said = container.getLogs();
            } catch (RuntimeException unavailable) {
                // the container is gone: keep what the consumer saw
            }
            close();
            throw new IllegalStateException(
                    "PostgreSQL did not start in a container of "
                            + image
                            + ": "
                            + e.getMessage()
                            + "\nThe container said:\n"
                            + said,
                    e);
        }
    }

    private void requireImage() {
        try {
            DockerClientFactory.instance().client().inspectImageCmd(image).exec();
        } catch (com.github.dockerjava.api.exception.NotFoundException e) {
            throw new IllegalStateException(
                    "No Docker image "
                            + image
                            + " for -D"
                            + PROPERTY
                            + "=container:"
                            + major
                            + ": build it first with tools/pg-image.sh "
                            + major
                            + " (./test.sh --postgres container:"
                            + major
                            + " does).",
                    e);
        } catch (RuntimeException e) {
            throw new IllegalStateException(
                    "-D"
                            + PROPERTY
                            + "=container:"
                            + major
                            + " needs a running Docker engine "
                            + "that Testcontainers can reach (docker info must work, and where "
                            + "Ryuk cannot be pulled TESTCONTAINERS_RYUK_DISABLED=true): "
                            + e.getMessage(),
                    e);
        }
    }

    String host() {
        return container.getHost();
    }

    int port() {
        return container.getMappedPort(PORT);
    }

    /** pg_ctl inside the container, as the postgres OS user. */
    private ExecResult pgCtl(String... args) {
        String command =
                "runuser -u postgres -- \"$PGBIN/pg_ctl\" -D \"$PGDATA\" -l "
                        + SERVER_LOG
                        + " -w -t 60 "
                        + String.join(" ", args);
        return exec("sh", "-c", command);
    }

    private ExecResult exec(String... command) {
        try {
            return container.execInContainer(command);
        } catch (IOException e) {
            throw new IllegalStateException(
                    "docker exec in " + container.getContainerId() + " failed: " + e.getMessage(),
                    e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted during docker exec", e);
        }
    }

    private void pgCtlChecked(String what, String... args) {
        ExecResult r = pgCtl(args);
        if (r.getExitCode() != 0) {
            throw new IllegalStateException(
                    "PostgreSQL "
                            + major
                            + " in its container did not "
                            + what
                            + " (pg_ctl exit "
                            + r.getExitCode()
                            + "): "
                            + r.getStdout()
                            + r.getStderr()
                            + "\n"
                            + serverLog());
        }
    }

    /** Restarts the server inside the running container: same address, same port. */
    void restart() {
        pgCtlChecked("restart", "-m", "fast", "restart");
    }

    /** Deletes wal2arrow.so from the server's pkglibdir. */
    void removeWal2Arrow() {
        ExecResult r = exec("sh", "-c", "rm \"$($PGBIN/pg_config --pkglibdir)/wal2arrow.so\"");
        if (r.getExitCode() != 0) {
            throw new IllegalStateException(
                    "Could not remove wal2arrow.so in the container: " + r.getStderr());
        }
    }

    /** The last lines of the server log inside the container. */
    String serverLog() {
        if (container == null || !container.isRunning()) {
            return output.toString();
        }
        ExecResult r = exec("tail", "-n", "40", SERVER_LOG);
        return r.getExitCode() == 0
                ? r.getStdout()
                : "(server log unreadable: " + r.getStderr() + ")";
    }

    @Override
    public void close() {
        if (container != null) {
            try {
                container.stop();
            } finally {
                container = null;
            }
        }
    }
}
