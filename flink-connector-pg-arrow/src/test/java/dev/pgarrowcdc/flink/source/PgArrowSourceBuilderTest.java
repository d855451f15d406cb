package dev.pgarrowcdc.flink.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;

import org.apache.flink.api.connector.source.Boundedness;
import org.apache.flink.table.types.logical.IntType;
import org.apache.flink.table.types.logical.RowType;
import org.apache.flink.table.data.RowData;
import org.junit.jupiter.api.Test;

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
        assertThat(config.jdbcUrl()).isEqualTo("jdbc:postgresql://db.example:5433/shop");
        assertThat(config.toString()).doesNotContain("s3cret").contains("password=******");
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
                        () -> complete()
                                .option(PgArrowSourceOptions.STARTUP_SPECIFIC_OFFSET_LSN, "0/1")
                                .build())
                .hasMessageContaining(
                        "'scan.startup.specific-offset.lsn' is set but 'scan.startup.mode' is"
                                + " 'initial'");
    }

    @Test
    void aSpecificOffsetIsParsed() {
        PgArrowSourceConfig config = complete().startupSpecificOffset("16/B374D848").build().config();
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
