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

import dev.pgarrowcdc.flink.testutils.PostgresCluster;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.table.api.TableResult;
import org.apache.flink.table.api.bridge.java.StreamTableEnvironment;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * README command one: an embedded PostgreSQL with wal2arrow, a writer that keeps changing a small
 * shop schema, and a Flink SQL job over {@code pg-arrow-cdc} that prints the live changelog until
 * Ctrl-C. Then the job, the writer and the server stop and the job's slots are dropped.
 */
public final class Demo {

    private static final String DATABASE = "shop";
    private static final String SLOT_PREFIX = "demo";

    private Demo() {}

    public static void main(String[] args) throws Exception {
        PostgresCluster.requireWal2ArrowBuilt();
        System.out.println("pg-arrow-cdc demo: starting an embedded PostgreSQL with wal2arrow ...");
        PostgresCluster pg = PostgresCluster.builder().start();
        ScheduledExecutorService writer = Executors.newSingleThreadScheduledExecutor();
        CountDownLatch stopped = new CountDownLatch(1);
        AtomicBoolean stopping = new AtomicBoolean();
        JobClient[] job = new JobClient[1];
        // Ctrl-C: in the cluster's own exit hook, so that the server is still up for the slots
        pg.beforeExitCleanUp(
                () -> {
                    stopping.set(true);
                    System.out.println();
                    System.out.println(
                            "Stopping: the Flink job, the writer, "
                                    + "the replication slots and PostgreSQL ...");
                    writer.shutdownNow();
                    if (job[0] != null) {
                        try {
                            job[0].cancel().get(30, TimeUnit.SECONDS);
                        } catch (Exception e) {
                            System.err.println("cancel: " + e.getMessage());
                        }
                    }
                    dropSlots(pg);
                    pg.close();
                    System.out.println("Stopped; temporary files removed.");
                    stopped.countDown();
                });

        pg.execute("postgres", "CREATE DATABASE " + DATABASE);
        Connection writerConnection = pg.connect(DATABASE);
        ShopWriter.createSchema(writerConnection);

        System.out.printf(
                "Started PostgreSQL on %s:%d (database '%s', data in %s).%n"
                        + "A writer changes public.customers and public.orders twice a second.%n"
                        + "A Flink SQL job reads both through 'connector' = 'pg-arrow-cdc' "
                        + "(a snapshot, then the live stream) and prints every change below.%n"
                        + "Stop with Ctrl-C: the job, the writer and the server stop and the "
                        + "slots '%s_*' are dropped.%n%n",
                pg.host(), pg.port(), DATABASE, pg.baseDir(), SLOT_PREFIX);

        Configuration conf = new Configuration();
        StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(1, conf);
        env.enableCheckpointing(2_000);
        StreamTableEnvironment tEnv = StreamTableEnvironment.create(env);
        String connection =
                String.format(
                        "'connector' = 'pg-arrow-cdc', 'hostname' = '%s', 'port' = '%d', "
                                + "'username' = '%s', 'password' = '', 'database-name' = '%s', "
                                + "'schema-name' = 'public', 'slot.name' = '%s', "
                                // the demo's throwaway local server has no TLS
                                + "'ssl.mode' = 'disable'",
                        pg.host(), pg.port(), PostgresCluster.SUPERUSER, DATABASE, SLOT_PREFIX);
        tEnv.executeSql(
                "CREATE TABLE orders (id BIGINT, customer_id INT, amount DECIMAL(10, 2), "
                        + "status STRING, updated_at TIMESTAMP_LTZ(6), "
                        + "tbl STRING METADATA FROM 'table_name' VIRTUAL, "
                        + "op_ts TIMESTAMP_LTZ(3) METADATA FROM 'op_ts' VIRTUAL, "
                        + "PRIMARY KEY (id) NOT ENFORCED) WITH ("
                        + connection
                        + ", 'table-name' = 'orders')");
        tEnv.executeSql(
                "CREATE TABLE customers (id INT, name STRING, city STRING, "
                        + "tbl STRING METADATA FROM 'table_name' VIRTUAL, "
                        + "op_ts TIMESTAMP_LTZ(3) METADATA FROM 'op_ts' VIRTUAL, "
                        + "PRIMARY KEY (id) NOT ENFORCED) WITH ("
                        + connection
                        + ", 'table-name' = 'customers')");
        TableResult result =
                tEnv.executeSql(
                        "SELECT tbl AS `table`, CAST(id AS BIGINT) AS id, "
                                + "CONCAT('customer ', CAST(customer_id AS STRING), ', ', "
                                + "CAST(amount AS STRING), ', ', status) AS `row`, op_ts "
                                + "FROM orders UNION ALL "
                                + "SELECT tbl, CAST(id AS BIGINT), CONCAT(name, ' in ', city), "
                                + "op_ts FROM customers");
        job[0] = result.getJobClient().orElseThrow(IllegalStateException::new);
        writer.scheduleAtFixedRate(new ShopWriter(writerConnection), 1, 500, TimeUnit.MILLISECONDS);
        try {
            result.print();
        } catch (RuntimeException e) {
            // Cancelling the job on Ctrl-C ends the printing with an error: expected then.
            if (!stopping.get()) {
                throw e;
            }
        }
        stopped.await();
    }

    /** Drops the job's slots, ending walsenders that still hold them (the job was cancelled). */
    private static void dropSlots(PostgresCluster pg) {
        String mine = "slot_name LIKE '" + SLOT_PREFIX + "\\_%'";
        List<String> dropped = new ArrayList<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        try (Connection c = pg.connect(DATABASE);
                Statement st = c.createStatement()) {
            while (true) {
                st.execute(
                        "SELECT pg_terminate_backend(active_pid) FROM pg_replication_slots"
                                + " WHERE "
                                + mine
                                + " AND active_pid IS NOT NULL");
                try (ResultSet rs =
                        st.executeQuery(
                                "SELECT slot_name, pg_drop_replication_slot("
                                        + "slot_name) FROM pg_replication_slots WHERE "
                                        + mine
                                        + " AND active_pid IS NULL")) {
                    while (rs.next()) {
                        dropped.add(rs.getString(1));
                    }
                }
                try (ResultSet rs =
                        st.executeQuery(
                                "SELECT count(*) FROM pg_replication_slots WHERE " + mine)) {
                    rs.next();
                    if (rs.getLong(1) == 0) {
                        break;
                    }
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("slots still held by their walsenders");
                }
                Thread.sleep(100);
            }
            Collections.sort(dropped);
            System.out.println("Dropped slots: " + String.join(", ", dropped));
        } catch (Exception e) {
            System.err.println("dropping slots: " + e.getMessage());
        }
    }
}
