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

import org.apache.flink.api.connector.source.Boundedness;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.types.logical.IntType;
import org.apache.flink.table.types.logical.RowType;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PgArrowSourceBuilderTest {

    private static PgArrowSourceBuilder<RowData> complete() {
        return PgArrowSource.<RowData>builder()
                .hostname("db.example")
                .port(5433)
                .username("cdc")
                .password("s3cret")
                .database("shop")
                .tableList("public.orders", "public.user_*")
                .slotName("flink_shop")
                .deserializer(PgArrowDeserializationSchema.rowData(RowType.of(new IntType())));
    }

    @Test
    void aCompleteConfigurationBuildsAnUnboundedSourceWithDefaults() {
        PgArrowSource<RowData> source = complete().build();

        PgArrowSourceConfig config = source.config();
        assertThat(source.getBoundedness()).isEqualTo(Boundedness.CONTINUOUS_UNBOUNDED);
        assertThat(config.startupMode()).isEqualTo(StartupMode.INITIAL);
        assertThat(config.batchRows()).isEqualTo(8192);
        assertThat(config.compression()).isEqualTo(ArrowCompression.NONE);
        assertThat(config.snapshotReadMode()).isEqualTo(SnapshotReadMode.AUTO);
        assertThat(config.jdbcUrl()).isEqualTo("jdbc:postgresql://db.example:5433/shop");
        assertThat(config.toString()).doesNotContain("s3cret").contains("password=******");
    }

    @Test
    void tlsDefaultsToVerifyFullAndTheKeyPasswordIsNeverShown(@TempDir Path dir) throws Exception {
        Path ca = Files.writeString(dir.resolve("ca.crt"), "-----BEGIN CERTIFICATE-----\n");
        Path cert = Files.writeString(dir.resolve("client.crt"), "-----BEGIN CERTIFICATE-----\n");
        Path key = Files.write(dir.resolve("client.pk8"), new byte[] {0x30, (byte) 0x82, 1, 2});

        PgArrowSourceConfig config =
                complete()
                        .sslRootCert(ca.toString())
                        .sslClientCert(cert.toString(), key.toString())
                        .sslKeyPassword("k3ypass")
                        .build()
                        .config();

        assertThat(complete().build().config().sslMode()).isEqualTo(SslMode.VERIFY_FULL);
        assertThat(config.toString())
                .contains("ssl.mode=verify-full", "ssl.root-cert=" + ca, "ssl.key.password=******")
                .doesNotContain("k3ypass");
        assertThat(config.applicationName()).startsWith("pg-arrow-cdc/").hasSizeLessThan(64);
    }

    @Test
    void tlsFilesAreCheckedAndMismatchedOptionsNamed(@TempDir Path dir) throws Exception {
        Path pemKey =
                Files.writeString(
                        dir.resolve("client.key"),
                        "-----BEGIN PRIVATE KEY-----\n",
                        StandardCharsets.US_ASCII);

        assertThatThrownBy(
                        complete()
                                        .sslRootCert(dir.resolve("missing.crt").toString())
                                        .option(PgArrowSourceOptions.SSL_KEY, pemKey.toString())
                                        .sslKeyPassword("k3ypass")
                                ::build)
                .hasMessageContaining(
                        "'ssl.root-cert' = '" + dir.resolve("missing.crt") + "' is not a file")
                .hasMessageContaining("'ssl.key' is set without 'ssl.cert'")
                .hasMessageContaining(
                        "is a PEM file, which pgjdbc cannot read: convert it to" + " PKCS-8 DER")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("k3ypass"));
        assertThatThrownBy(
                        complete().sslMode(SslMode.DISABLE).sslRootCert(pemKey.toString())::build)
                .hasMessageContaining("'ssl.root-cert' is set but 'ssl.mode' = 'disable'");
        assertThatThrownBy(
                        complete().sslMode(SslMode.REQUIRE).sslRootCert(pemKey.toString())::build)
                .hasMessageContaining(
                        "'ssl.root-cert' is set but 'ssl.mode' = 'require' does not" + " verify");
        assertThatThrownBy(
                        complete().option(PgArrowSourceOptions.SSL_CERT, pemKey.toString())::build)
                .hasMessageContaining("'ssl.cert' is set without 'ssl.key'");
        Path key = Files.write(dir.resolve("client.pk8"), new byte[] {0x30, (byte) 0x82, 1, 2});
        assertThatThrownBy(complete().sslClientCert(pemKey.toString(), key.toString())::build)
                .hasMessageContaining("'ssl.key' is set but 'ssl.root-cert' is not");
    }

    @Test
    void theSnapshotReadModeIsSetByTheBuilder() {
        for (SnapshotReadMode mode : SnapshotReadMode.values()) {
            assertThat(complete().snapshotReadMode(mode).build().config().snapshotReadMode())
                    .isEqualTo(mode);
        }
        assertThat(complete().snapshotReadMode(SnapshotReadMode.TEXT).build().config().toString())
                .contains("scan.snapshot.read-mode=text");
    }

    @Test
    void theSnapshotModeMakesABoundedSource() {
        assertThat(complete().startupMode(StartupMode.SNAPSHOT).build().getBoundedness())
                .isEqualTo(Boundedness.BOUNDED);
    }

    @Test
    void everyProblemIsReportedAtOnceNamingTheOptionTheRuleAndTheFix() {
        PgArrowSourceBuilder<RowData> builder =
                PgArrowSource.<RowData>builder()
                        .port(0)
                        .database("shop")
                        .tableList("orders")
                        .slotName("Flink-Slots")
                        .batchRows(0)
                        .option(PgArrowSourceOptions.STARTUP_MODE, StartupMode.SPECIFIC_OFFSET);

        assertThatThrownBy(builder::build)
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("Invalid pg-arrow-cdc source configuration:")
                .hasMessageContaining("'hostname' is not set: give the PostgreSQL server's host")
                .hasMessageContaining("'username' is not set: give a role with REPLICATION")
                .hasMessageContaining("'port' = 0 is not a TCP port: use 1..65535")
                .hasMessageContaining(
                        "'table-name' entry 'orders' must be schema.table or database.schema.table")
                .hasMessageContaining(
                        "'slot.name' = 'Flink-Slots' must start with a lower-case letter")
                .hasMessageContaining(
                        "'scan.startup.mode' = 'specific-offset' needs"
                                + " 'scan.startup.specific-offset.lsn'")
                .hasMessageContaining("'wal2arrow.batch-rows' = 0 must be within 1..10000000")
                .hasMessageContaining("No deserializer: call deserializer(...)");
    }

    @Test
    void aBadLsnAndAnLsnWithoutItsModeAreRejected() {
        assertThatThrownBy(() -> complete().startupSpecificOffset("16-B374").build())
                .hasMessageContaining(
                        "'scan.startup.specific-offset.lsn' = '16-B374' is not an LSN: write two"
                                + " hexadecimal numbers separated by '/', e.g. 0/16B3748");
        assertThatThrownBy(
                        () ->
                                complete()
                                        .option(
                                                PgArrowSourceOptions.STARTUP_SPECIFIC_OFFSET_LSN,
                                                "0/1")
                                        .build())
                .hasMessageContaining(
                        "'scan.startup.specific-offset.lsn' is set but 'scan.startup.mode' is"
                                + " 'initial'");
    }

    @Test
    void aSpecificOffsetIsParsed() {
        PgArrowSourceConfig config =
                complete().startupSpecificOffset("16/B374D848").build().config();
        assertThat(config.specificOffsetLsn()).isEqualTo(0x16B374D848L);
        assertThat(Lsn.format(config.specificOffsetLsn())).isEqualTo("16/B374D848");
    }

    @Test
    void aDatabasePartOtherThanTheConfiguredDatabaseIsRejected() {
        assertThatThrownBy(() -> complete().tableList("other.public.orders").build())
                .hasMessageContaining(
                        "'table-name' entry 'other.public.orders' names database other but"
                                + " 'database-name' is 'shop'");
    }

    @Test
    void aNegativeDiscoveryIntervalIsRejected() {
        assertThatThrownBy(() -> complete().tableDiscoveryInterval(Duration.ofSeconds(-1)).build())
                .hasMessageContaining("'scan.table-discovery.interval' = PT-1S is negative");
    }
}
