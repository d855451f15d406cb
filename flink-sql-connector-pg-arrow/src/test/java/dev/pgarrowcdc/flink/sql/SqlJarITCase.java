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
package dev.pgarrowcdc.flink.sql;

import dev.pgarrowcdc.flink.testutils.PostgresCluster;
import dev.pgarrowcdc.flink.testutils.PostgresExtension;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The built flink-sql-connector-pg-arrow jar, as a SQL user gets it: the factory is registered for
 * SPI, nothing third-party is left in its original package, and a SQL job runs in a JVM whose class
 * path holds only Flink's own jars (with Flink's commons-io 2.15 and commons-compress 1.26) and
 * this jar.
 */
class SqlJarITCase {

    @RegisterExtension static final PostgresExtension PG = new PostgresExtension();

    /**
     * What may sit outside dev/pgarrowcdc/ and META-INF/: zstd-jni, whose native library binds JNI
     * symbols named after its original package (so it cannot be relocated), with its native
     * libraries in per-platform folders at the jar root where its loader looks for them.
     */
    private static final List<String> ALLOWED_PREFIXES =
            Arrays.asList(
                    "dev/pgarrowcdc/",
                    "META-INF/",
                    "com/github/luben/zstd/",
                    "linux/",
                    "darwin/",
                    "win/",
                    "freebsd/",
                    "aix/");

    private static File sqlJar() {
        File jar = new File(System.getProperty("sql.jar", ""));
        assertThat(jar).as("the shaded jar (run with mvn verify)").isFile();
        return jar;
    }

    @Test
    void theFactoryIsRegisteredAndEveryThirdPartyClassIsRelocated() throws IOException {
        try (JarFile jar = new JarFile(sqlJar())) {
            assertThat(text(jar, "META-INF/services/org.apache.flink.table.factories.Factory"))
                    .contains("dev.pgarrowcdc.flink.table.PgArrowDynamicTableFactory");
            assertThat(jar.getEntry("dev/pgarrowcdc/flink/table/PgArrowDynamicTableFactory.class"))
                    .isNotNull();
            assertThat(text(jar, "META-INF/services/java.sql.Driver").trim())
                    .isEqualTo("dev.pgarrowcdc.shaded.org.postgresql.Driver");

            List<String> names = new ArrayList<>();
            for (Enumeration<JarEntry> e = jar.entries(); e.hasMoreElements(); ) {
                JarEntry entry = e.nextElement();
                if (!entry.isDirectory()) {
                    names.add(entry.getName());
                }
            }
            List<String> unrelocated =
                    names.stream()
                            .map(
                                    n ->
                                            n.matches("META-INF/versions/\\d+/.*\\.class")
                                                    ? n.replaceFirst("META-INF/versions/\\d+/", "")
                                                    : n)
                            .filter(n -> ALLOWED_PREFIXES.stream().noneMatch(n::startsWith))
                            .collect(Collectors.toList());
            assertThat(unrelocated).as("entries outside dev/pgarrowcdc/ and META-INF/").isEmpty();
            assertThat(names)
                    .as("third-party code is inside, relocated")
                    .contains(
                            "dev/pgarrowcdc/shaded/org/apache/arrow/vector/VectorSchemaRoot.class",
                            "dev/pgarrowcdc/shaded/org/postgresql/Driver.class",
                            "dev/pgarrowcdc/shaded/org/apache/commons/io/input/BoundedInputStream.class",
                            "dev/pgarrowcdc/shaded/org/apache/commons/compress/compressors/lz4/FramedLZ4CompressorInputStream.class",
                            "dev/pgarrowcdc/shaded/com/google/flatbuffers/FlatBufferBuilder.class",
                            "com/github/luben/zstd/Zstd.class");
            assertThat(names)
                    .as("Flink is provided by the cluster")
                    .noneMatch(n -> n.startsWith("org/apache/flink/"));
        }
    }

    @Test
    @Timeout(240)
    void aSqlJobRunsWithOnlyFlinkAndThisJarOnTheClassPath() throws Exception {
        // Given: two tables, streamed with lz4 and zstd bodies (relocated commons-io/compress,
        // zstd-jni)
        PG.execute(
                "CREATE TABLE a (id int PRIMARY KEY, v text)",
                "ALTER TABLE a REPLICA IDENTITY FULL",
                "CREATE TABLE z (id int PRIMARY KEY, v text)",
                "ALTER TABLE z REPLICA IDENTITY FULL",
                "INSERT INTO a VALUES (1, 'one')",
                "INSERT INTO z VALUES (1, 'one')");
        List<String> entries =
                new ArrayList<>(
                        Arrays.asList(
                                System.getProperty("flink.only.classpath")
                                        .split(File.pathSeparator)));
        File[] flinkOwnCommons = new File(System.getProperty("flink.lib.dir")).listFiles();
        assertThat(flinkOwnCommons).isNotEmpty();
        for (File jar : flinkOwnCommons) {
            entries.add(jar.getPath());
        }
        entries.add(sqlJar().getPath());
        entries.add(System.getProperty("child.classes"));
        String classPath = String.join(File.pathSeparator, entries);
        assertThat(classPath)
                .doesNotContain(
                        "/org/apache/arrow/",
                        "/org/postgresql/",
                        "flink-connector-pg-arrow-",
                        "/commons-io-2.16",
                        "/commons-compress-1.27",
                        "/com/github/luben/");

        List<String> command = new ArrayList<>();
        command.add(new File(System.getProperty("java.home"), "bin/java").getPath());
        command.addAll(Arrays.asList(System.getProperty("child.jvm.flags").trim().split("\\s+")));
        command.addAll(
                Arrays.asList(
                        "-cp",
                        classPath,
                        SqlJobMain.class.getName(),
                        ddl("a", "lz4"),
                        ddl("z", "zstd"),
                        "SELECT 'a', id, v FROM a UNION ALL SELECT 'z', id, v FROM z"));
        Process child = new ProcessBuilder(command).redirectErrorStream(true).start();
        List<String> output = Collections.synchronizedList(new ArrayList<>());
        Thread reader =
                new Thread(
                        () -> {
                            try (BufferedReader r =
                                    new BufferedReader(
                                            new InputStreamReader(
                                                    child.getInputStream(),
                                                    StandardCharsets.UTF_8))) {
                                String line;
                                while ((line = r.readLine()) != null) {
                                    output.add(line);
                                }
                            } catch (IOException e) {
                                output.add("reader: " + e);
                            }
                        });
        reader.setDaemon(true);
        reader.start();
        try {
            // When: the snapshot arrives, then a large transaction per table is streamed
            awaitRows(output, 2, child);
            PG.execute(
                    "INSERT INTO a SELECT g, 'row ' || g FROM generate_series(2, 501) g",
                    "INSERT INTO z SELECT g, 'row ' || g FROM generate_series(2, 501) g");

            // Then: every row, from both tables, through the compressed stream
            List<String> rows = awaitRows(output, 1002, child);
            List<String> expected = new ArrayList<>();
            for (String t : Arrays.asList("a", "z")) {
                expected.add("ROW +I[" + t + ", 1, one]");
                for (int i = 2; i <= 501; i++) {
                    expected.add("ROW +I[" + t + ", " + i + ", row " + i + "]");
                }
            }
            assertThat(rows).containsExactlyInAnyOrderElementsOf(expected);
        } finally {
            child.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        }
    }

    private static String ddl(String table, String compression) {
        return "CREATE TABLE "
                + table
                + " (id INT, v STRING) WITH ('connector' = 'pg-arrow-cdc',"
                + " 'hostname' = '"
                + PG.host()
                + "', 'port' = '"
                + PG.port()
                + "', 'username' = '"
                + PostgresCluster.SUPERUSER
                + "', 'database-name' = '"
                + PG.database()
                + "',"
                + " 'schema-name' = 'public', 'table-name' = '"
                + table
                + "', 'slot.name' = 'shaded',"
                + " 'ssl.mode' = 'disable',"
                + " 'wal2arrow.compression' = '"
                + compression
                + "')";
    }

    private static List<String> awaitRows(List<String> output, int count, Process child)
            throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(150);
        while (System.nanoTime() < deadline) {
            List<String> rows;
            synchronized (output) {
                rows =
                        output.stream()
                                .filter(l -> l.startsWith("ROW "))
                                .collect(Collectors.toList());
            }
            if (rows.size() >= count) {
                return rows;
            }
            if (!child.isAlive()) {
                break;
            }
            Thread.sleep(100);
        }
        throw new AssertionError(
                "The child JVM printed fewer than "
                        + count
                        + " rows"
                        + (child.isAlive() ? "" : " and exited with " + child.exitValue())
                        + "; its output:\n"
                        + String.join("\n", output));
    }

    private static String text(JarFile jar, String name) throws IOException {
        JarEntry entry = jar.getJarEntry(name);
        assertThat(entry).as(name).isNotNull();
        return new String(jar.getInputStream(entry).readAllBytes(), StandardCharsets.UTF_8);
    }
}
