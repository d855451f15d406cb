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
package dev.pgarrowcdc.flink.table;

import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.table.api.EnvironmentSettings;
import org.apache.flink.table.api.TableEnvironment;
import org.apache.flink.table.factories.DynamicTableFactory;
import org.apache.flink.table.factories.FactoryUtil;
import org.apache.flink.util.ExceptionUtils;

import org.junit.jupiter.api.Test;

import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Option validation of {@code 'connector' = 'pg-arrow-cdc'} at planning time, without a server
 * (port 1 refuses connections, so the schema check is skipped with a warning).
 */
class PgArrowDynamicTableFactoryTest {

    private static final String REQUIRED =
            "'connector' = 'pg-arrow-cdc', 'hostname' = 'localhost',"
                    + " 'port' = '1', 'username' = 'cdc', 'database-name' = 'shop', 'table-name' = 'public.orders',"
                    + " 'slot.name' = 'flink_shop'";

    private static String plan(String columns, String options) {
        TableEnvironment tEnv = TableEnvironment.create(EnvironmentSettings.inStreamingMode());
        tEnv.executeSql("CREATE TABLE orders (" + columns + ") WITH (" + options + ")");
        return tEnv.explainSql("SELECT * FROM orders");
    }

    private static String failureOf(String columns, String options) {
        try {
            plan(columns, options);
        } catch (RuntimeException e) {
            return ExceptionUtils.stringifyException(e);
        }
        throw new AssertionError("planning succeeded");
    }

    @Test
    void theFactoryIsFoundByItsIdentifier() {
        assertThat(
                        FactoryUtil.discoverFactory(
                                getClass().getClassLoader(),
                                DynamicTableFactory.class,
                                "pg-arrow-cdc"))
                .isInstanceOf(PgArrowDynamicTableFactory.class);
    }

    @Test
    void everySourceOptionIsATableOption() {
        PgArrowDynamicTableFactory factory = new PgArrowDynamicTableFactory();
        assertThat(PgArrowDynamicTableFactory.sourceOptions())
                .hasSizeGreaterThanOrEqualTo(14)
                .allMatch(
                        o ->
                                factory.requiredOptions().contains(o)
                                        || factory.optionalOptions().contains(o));
        assertThat(
                        factory.optionalOptions().stream()
                                .map(ConfigOption::key)
                                .collect(Collectors.toList()))
                .contains(
                        "port",
                        "password",
                        "schema-name",
                        "scan.startup.mode",
                        "changelog-mode",
                        "heartbeat.interval.ms",
                        "wal2arrow.batch-rows",
                        "wal2arrow.compression",
                        "scan.table-discovery.interval",
                        "scan.startup.specific-offset.lsn");
    }

    @Test
    void aPostgresCdcTableSwitchesByChangingTheConnector() {
        String plan =
                plan(
                        "id BIGINT, amount DECIMAL(10, 2), op_ts TIMESTAMP_LTZ(3) METADATA VIRTUAL,"
                                + " PRIMARY KEY (id) NOT ENFORCED",
                        "'connector' = 'pg-arrow-cdc', 'hostname' = 'localhost', 'port' = '1',"
                                + " 'username' = 'cdc', 'password' = 'secret', 'database-name' = 'shop',"
                                + " 'schema-name' = 'public', 'table-name' = 'orders', 'slot.name' = 'flink',"
                                + " 'decoding.plugin.name' = 'pgoutput', 'changelog-mode' = 'upsert',"
                                + " 'scan.incremental.snapshot.enabled' = 'true', 'heartbeat.interval.ms' = '30s',"
                                + " 'debezium.snapshot.mode' = 'initial', 'scan.startup.mode' = 'latest-offset',"
                                + " 'connect.timeout' = '20s', 'connect.max-retries' = '3'");
        assertThat(plan)
                .contains(
                        "TableSourceScan(table=[[default_catalog, default_database, orders,"
                                + " metadata=[op_ts]]]")
                .contains("ChangelogNormalize");
    }

    @Test
    void everyOptionKeyIsDefinedOnce() {
        PgArrowDynamicTableFactory factory = new PgArrowDynamicTableFactory();
        java.util.List<String> keys = new java.util.ArrayList<>();
        factory.requiredOptions().forEach(o -> keys.add(o.key()));
        factory.optionalOptions().forEach(o -> keys.add(o.key()));
        assertThat(keys).doesNotHaveDuplicates();
    }

    @Test
    void anUnknownOptionIsRejectedNamingIt() {
        assertThat(failureOf("id INT", REQUIRED + ", 'scan.startup.mod' = 'initial'"))
                .contains("Unsupported options found for 'pg-arrow-cdc'")
                .contains("Unsupported options:\n\nscan.startup.mod");
    }

    @Test
    void aMissingRequiredOptionIsNamed() {
        assertThat(
                        failureOf(
                                "id INT",
                                REQUIRED.replace("'slot.name' = 'flink_shop'", "'port' = '5432'")
                                        .replace(", 'port' = '1'", "")))
                .contains("Missing required options are:\n\nslot.name");
    }

    @Test
    void theSnapshotReadModeIsATableOption() {
        assertThat(plan("id INT", REQUIRED + ", 'scan.snapshot.read-mode' = 'text'"))
                .contains("orders");
        assertThat(failureOf("id INT", REQUIRED + ", 'scan.snapshot.read-mode' = 'binary'"))
                .contains("scan.snapshot.read-mode")
                .contains("binary");
    }

    @Test
    void badValuesAreReportedAllAtOnceQuotingTheKeys() {
        assertThat(
                        failureOf(
                                "id INT",
                                REQUIRED.replace("flink_shop", "Flink-Shop")
                                        + ", 'wal2arrow.batch-rows' = '0', 'scan.startup.specific-offset.lsn' = '0/1'"))
                .contains("Invalid options of Flink table default_catalog.default_database.orders")
                .contains("'slot.name' = 'Flink-Shop' must start with a lower-case letter")
                .contains("'wal2arrow.batch-rows' = 0 must be within 1..10000000")
                .contains(
                        "'scan.startup.specific-offset.lsn' is set but 'scan.startup.mode' is 'initial'");
        assertThat(failureOf("id INT", REQUIRED + ", 'changelog-mode' = 'retract'"))
                .contains("changelog-mode")
                .contains("retract");
    }

    @Test
    void schemaNameAndTableNameAreRegularExpressions() {
        assertThat(
                        failureOf(
                                "id INT",
                                REQUIRED.replace(
                                        "'table-name' = 'public.orders'",
                                        "'schema-name' = 'public', 'table-name' = 'orders_(['")))
                .contains("'table-name' = 'orders_([' is not a valid regular expression");
    }

    @Test
    void upsertNeedsAPrimaryKey() {
        assertThat(failureOf("id INT", REQUIRED + ", 'changelog-mode' = 'upsert'"))
                .contains(
                        "has 'changelog-mode' = 'upsert' but no PRIMARY KEY: declare the table's key");
    }

    @Test
    void projectionAndMetadataArePushedIntoTheSource() {
        TableEnvironment tEnv = TableEnvironment.create(EnvironmentSettings.inStreamingMode());
        tEnv.executeSql(
                "CREATE TABLE orders (id INT, a STRING, b STRING, tbl STRING METADATA FROM"
                        + " 'table_name' VIRTUAL, lsn BIGINT METADATA VIRTUAL) WITH ("
                        + REQUIRED
                        + ")");
        assertThat(tEnv.explainSql("SELECT b, tbl FROM orders"))
                .contains(
                        "TableSourceScan(table=[[default_catalog, default_database, orders, project=[b],"
                                + " metadata=[table_name]]], fields=[b, tbl])");
    }
}
