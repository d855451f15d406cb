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
package dev.pgarrowcdc.e2e.demo;

import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The demo as a user runs it: a separate JVM started like demo.sh starts it, read until the live
 * changelog shows inserts and updates from both tables, then stopped with SIGINT as Ctrl-C stops
 * it, which must remove the server and its files.
 */
class DemoITCase {

    private static final Pattern DATA_DIR = Pattern.compile("data in (\\S+)\\)\\.");

    @Test
    void printsTheLiveChangelogAndCleansUpWhenStopped() throws Exception {
        // Given: the demo started as its own process
        List<String> command = new ArrayList<>();
        command.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
        command.add("--add-opens=java.base/java.nio=ALL-UNNAMED");
        command.add("--add-opens=java.base/java.lang=ALL-UNNAMED");
        command.add("--add-opens=java.base/java.util=ALL-UNNAMED");
        command.add("-Dwal2arrow.dir=" + System.getProperty("wal2arrow.dir"));
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(Demo.class.getName());
        Process demo = new ProcessBuilder(command).redirectErrorStream(true).start();
        List<String> lines = new ArrayList<>();
        String dataDir = null;
        boolean sawSnapshot = false;
        boolean sawLiveInsert = false;
        boolean sawUpdate = false;
        boolean sawCustomers = false;
        try (BufferedReader out =
                new BufferedReader(
                        new InputStreamReader(demo.getInputStream(), StandardCharsets.UTF_8))) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(150);
            String line;
            // When: the changelog runs until inserts, -U/+U pairs and both tables have shown up
            while (System.nanoTime() < deadline && (line = out.readLine()) != null) {
                lines.add(line);
                Matcher m = DATA_DIR.matcher(line);
                if (m.find()) {
                    dataDir = m.group(1);
                }
                sawSnapshot |= line.startsWith("| +I |") && line.contains("1970-01-01");
                sawLiveInsert |= line.startsWith("| +I |") && !line.contains("1970-01-01");
                sawUpdate |= line.startsWith("| +U |");
                sawCustomers |= line.contains(" customers |");
                if (sawSnapshot && sawLiveInsert && sawUpdate && sawCustomers) {
                    break;
                }
            }
            // Ctrl-C: SIGINT runs the demo's shutdown hook (Process.destroy would close our pipe).
            new ProcessBuilder("kill", "-INT", String.valueOf(demo.pid())).start().waitFor();
            String rest;
            while ((rest = out.readLine()) != null) {
                lines.add(rest);
            }
        } finally {
            if (!demo.waitFor(60, TimeUnit.SECONDS)) {
                demo.destroyForcibly();
            }
        }

        // Then
        String output = String.join("\n", lines);
        assertThat(output).contains("Stop with Ctrl-C");
        assertThat(sawSnapshot).as("snapshot rows in:\n%s", output).isTrue();
        assertThat(sawLiveInsert).as("live inserts in:\n%s", output).isTrue();
        assertThat(sawUpdate).as("-U/+U pairs in:\n%s", output).isTrue();
        assertThat(sawCustomers).as("customers rows in:\n%s", output).isTrue();
        assertThat(output).contains("Stopped; temporary files removed.");
        assertThat(output)
                .as("the slots were dropped before the server stopped")
                .contains("Dropped slots: demo_public_customers, demo_public_orders")
                .doesNotContain("dropping slots:");
        assertThat(dataDir).isNotNull();
        assertThat(Files.exists(Paths.get(dataDir))).as("demo data dir after stop").isFalse();
    }
}
