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
package dev.pgarrowcdc.benchmarks;

import dev.pgarrowcdc.flink.source.PgArrowDeserializationSchema;
import dev.pgarrowcdc.flink.source.PgArrowSource;
import dev.pgarrowcdc.flink.source.PgArrowSourceBuilder;
import dev.pgarrowcdc.flink.source.SslMode;
import dev.pgarrowcdc.flink.source.StartupMode;
import dev.pgarrowcdc.flink.source.enumerator.SlotNames;
import dev.pgarrowcdc.flink.source.split.TableId;
import dev.pgarrowcdc.flink.testutils.PostgresCluster;

import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.cdc.connectors.base.options.StartupOptions;
import org.apache.flink.cdc.connectors.postgres.source.PostgresSourceBuilder;
import org.apache.flink.cdc.connectors.postgres.table.PostgreSQLDeserializationConverterFactory;
import org.apache.flink.cdc.debezium.table.DebeziumChangelogMode;
import org.apache.flink.cdc.debezium.table.RowDataDebeziumDeserializeSchema;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.table.api.DataTypes;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.runtime.typeutils.InternalTypeInfo;
import org.apache.flink.table.types.logical.RowType;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;

/** The contenders the benchmark knows, by name. */
final class Contenders {

    /** public.cdc_bench as a Flink row (benchmarks/workloads/cdc_bench_schema.sql). */
    static final RowType CDC_BENCH =
            (RowType)
                    DataTypes.ROW(
                                    DataTypes.FIELD("id", DataTypes.BIGINT().notNull()),
                                    DataTypes.FIELD("i", DataTypes.INT()),
                                    DataTypes.FIELD("t", DataTypes.STRING()),
                                    DataTypes.FIELD("n", DataTypes.DECIMAL(12, 2)),
                                    DataTypes.FIELD("ts", DataTypes.TIMESTAMP_LTZ(6)),
                                    DataTypes.FIELD("b", DataTypes.BOOLEAN()),
                                    DataTypes.FIELD("d", DataTypes.DOUBLE()),
                                    DataTypes.FIELD("v", DataTypes.STRING()),
                                    DataTypes.FIELD("dt", DataTypes.DATE()),
                                    DataTypes.FIELD("j", DataTypes.STRING()))
                            .getLogicalType();

    private Contenders() {}

    static List<Contender> select(String names) {
        List<Contender> all = new ArrayList<>();
        all.add(new PgArrowCdc());
        all.add(new FlinkCdcPostgres());
        if (names.equals("all")) {
            return all;
        }
        List<Contender> chosen = new ArrayList<>();
        for (String n : Arrays.asList(names.split(","))) {
            chosen.add(
                    all.stream()
                            .filter(c -> c.name().equals(n.trim()))
                            .findFirst()
                            .orElseThrow(
                                    () ->
                                            new IllegalArgumentException(
                                                    "unknown contender '" + n + "'")));
        }
        return chosen;
    }

    /**
     * The snapshot source of the contender named {@code name} against a server that this JVM did
     * not start (SnapshotBenchmark runs each job in a child JVM).
     */
    static DataStream<RowData> snapshotSource(
            String name,
            StreamExecutionEnvironment env,
            String host,
            int port,
            boolean flinkCdcSkipBackfill,
            int chunkSize) {
        switch (name) {
            case "pg-arrow-cdc":
                return PgArrowCdc.build(env, host, port, StartupMode.INITIAL, chunkSize, name);
            case "postgres-cdc":
                return FlinkCdcPostgres.build(
                        env, host, port, StartupOptions.initial(), flinkCdcSkipBackfill, name);
            default:
                throw new IllegalArgumentException("unknown contender '" + name + "'");
        }
    }

    /**
     * The Flink SQL DDL of public.cdc_bench as table {@code src} for the contender named {@code
     * name}, in 'initial' startup mode: what a user of its SQL connector would write.
     */
    static String snapshotDdl(
            String name,
            String host,
            int port,
            boolean flinkCdcSkipBackfill,
            int chunkSize,
            String readMode) {
        StringBuilder ddl =
                new StringBuilder(
                        "CREATE TABLE src (id BIGINT NOT NULL, i INT,"
                                + " t STRING, n DECIMAL(12, 2), ts TIMESTAMP_LTZ(6), b BOOLEAN, d DOUBLE,"
                                + " v STRING, dt DATE, j STRING, PRIMARY KEY (id) NOT ENFORCED) WITH (");
        ddl.append(
                String.format(
                        java.util.Locale.ROOT,
                        "'hostname' = '%s', 'port' = '%d',"
                                + " 'username' = '%s', 'password' = '', 'database-name' = '%s',"
                                + " 'schema-name' = 'public', 'table-name' = 'cdc_bench',"
                                + " 'scan.startup.mode' = 'initial'",
                        host,
                        port,
                        PostgresCluster.SUPERUSER,
                        StreamBenchmark.DATABASE));
        switch (name) {
            case "pg-arrow-cdc":
                ddl.append(
                        ", 'connector' = 'pg-arrow-cdc', 'slot.name' = '"
                                + PgArrowCdc.PREFIX
                                + "', 'ssl.mode' = 'disable'");
                if (chunkSize > 0) {
                    ddl.append(", 'scan.incremental.snapshot.chunk.size' = '" + chunkSize + "'");
                }
                // 'arrow' rather than 'auto': a missing snapshot function fails the run instead of
                // measuring the text path under the wrong name
                ddl.append(", 'scan.snapshot.read-mode' = '" + readMode + "'");
                break;
            case "postgres-cdc":
                // As FlinkCdcPostgres#build: incremental snapshot, its default chunk and fetch
                // sizes, pgoutput with the workload's publication, changelog mode all.
                ddl.append(
                        ", 'connector' = 'postgres-cdc', 'slot.name' = '"
                                + FlinkCdcPostgres.SLOT
                                + "', 'decoding.plugin.name' = 'pgoutput',"
                                + " 'scan.incremental.snapshot.enabled' = 'true',"
                                + " 'scan.incremental.snapshot.chunk.size' = '8096',"
                                + " 'scan.snapshot.fetch.size' = '1024', 'changelog-mode' = 'all',"
                                + " 'debezium.publication.name' = 'pub',"
                                + " 'debezium.publication.autocreate.mode' = 'disabled',"
                                + " 'scan.incremental.snapshot.backfill.skip' = '"
                                + flinkCdcSkipBackfill
                                + "'");
                break;
            default:
                throw new IllegalArgumentException("unknown contender '" + name + "'");
        }
        return ddl.append(")").toString();
    }

    static void copySlot(PostgresCluster pg, String template, String slot, String plugin)
            throws SQLException {
        try (Connection c = pg.connect(StreamBenchmark.DATABASE);
                PreparedStatement ps =
                        c.prepareStatement(
                                "SELECT pg_copy_logical_replication_slot(?, ?, false, ?)")) {
            ps.setString(1, template);
            ps.setString(2, slot);
            ps.setString(3, plugin);
            ps.execute();
        }
    }

    static void createSlot(PostgresCluster pg, String slot, String plugin) throws SQLException {
        try (Connection c = pg.connect(StreamBenchmark.DATABASE);
                PreparedStatement ps =
                        c.prepareStatement("SELECT pg_create_logical_replication_slot(?, ?)")) {
            ps.setString(1, slot);
            ps.setString(2, plugin);
            ps.execute();
        }
    }

    /** Drops a slot once its walsender, ended by the job's cancellation, has let it go. */
    static void dropSlot(PostgresCluster pg, String slot) throws SQLException {
        try (Connection c = pg.connect(StreamBenchmark.DATABASE)) {
            try (PreparedStatement ps =
                    c.prepareStatement(
                            "SELECT pg_terminate_backend(active_pid) FROM pg_replication_slots"
                                    + " WHERE slot_name = ? AND active_pid IS NOT NULL")) {
                ps.setString(1, slot);
                ps.execute();
            }
            for (int i = 0; ; i++) {
                try (PreparedStatement ps =
                        c.prepareStatement("SELECT pg_drop_replication_slot(?)")) {
                    ps.setString(1, slot);
                    ps.execute();
                    return;
                } catch (SQLException e) {
                    if (i > 100 || !String.valueOf(e.getMessage()).contains("is active")) {
                        throw e;
                    }
                }
                try {
                    Thread.sleep(50);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    /**
     * Flink CDC's postgres-cdc 3.5.0 as its SQL connector builds it with {@code
     * scan.incremental.snapshot.enabled = true}, {@code scan.startup.mode = committed-offset},
     * {@code decoding.plugin.name = pgoutput}, changelog mode {@code all}.
     */
    static final class FlinkCdcPostgres implements Contender {
        static final String SLOT = "flink_cdc_bench";

        @Override
        public String name() {
            return "postgres-cdc";
        }

        @Override
        public String slotName() {
            return SLOT;
        }

        @Override
        public String plugin() {
            return "pgoutput";
        }

        @Override
        public DataStream<RowData> source(StreamExecutionEnvironment env, PostgresCluster pg) {
            return build(env, pg.host(), pg.port(), StartupOptions.committed(), false, name());
        }

        @Override
        public DataStream<RowData> snapshotSource(
                StreamExecutionEnvironment env, PostgresCluster pg) {
            return build(env, pg.host(), pg.port(), StartupOptions.initial(), false, name());
        }

        /**
         * In 'initial' mode this is its incremental snapshot as documented for 3.5.0, every option
         * at its default (chunks of 8,096 rows keyed by the primary key, 1,024 rows per fetch,
         * unbounded chunk first, backfill on: a temporary slot per chunk), then the stream. It
         * needs the pgjdbc it was built with (see SnapshotBenchmark#classPathFor). {@code
         * skipBackfill} is {@code scan.incremental.snapshot.backfill.skip}: no slot per chunk, at
         * least once instead of exactly once.
         */
        static DataStream<RowData> build(
                StreamExecutionEnvironment env,
                String host,
                int port,
                StartupOptions startup,
                boolean skipBackfill,
                String name) {
            RowDataDebeziumDeserializeSchema deserializer =
                    RowDataDebeziumDeserializeSchema.newBuilder()
                            .setPhysicalRowType(CDC_BENCH)
                            .setResultTypeInfo(InternalTypeInfo.of(CDC_BENCH))
                            .setUserDefinedConverterFactory(
                                    PostgreSQLDeserializationConverterFactory.instance())
                            .setChangelogMode(DebeziumChangelogMode.ALL)
                            .build();
            Properties dbz = new Properties();
            // The publication the workload was recorded under (created before it ran).
            dbz.setProperty("publication.name", "pub");
            dbz.setProperty("publication.autocreate.mode", "disabled");
            PostgresSourceBuilder.PostgresIncrementalSource<RowData> source =
                    PostgresSourceBuilder.PostgresIncrementalSource.<RowData>builder()
                            .hostname(host)
                            .port(port)
                            .database(StreamBenchmark.DATABASE)
                            .schemaList("public")
                            .tableList("public.cdc_bench")
                            .username(PostgresCluster.SUPERUSER)
                            .password("")
                            .decodingPluginName("pgoutput")
                            .slotName(SLOT)
                            .debeziumProperties(dbz)
                            .deserializer(deserializer)
                            .startupOptions(startup)
                            .splitSize(8096)
                            .fetchSize(1024)
                            .skipSnapshotBackfill(skipBackfill)
                            .build();
            return env.fromSource(source, WatermarkStrategy.noWatermarks(), name);
        }
    }

    /**
     * This project's source, resuming from its slot's confirmed position, changelog {@code all}.
     */
    static final class PgArrowCdc implements Contender {
        static final String PREFIX = "bench";
        private static final String SLOT =
                SlotNames.slotName(PREFIX, new TableId("public", "cdc_bench"));

        @Override
        public String name() {
            return "pg-arrow-cdc";
        }

        @Override
        public String slotName() {
            return SLOT;
        }

        @Override
        public String plugin() {
            return "wal2arrow";
        }

        @Override
        public DataStream<RowData> source(StreamExecutionEnvironment env, PostgresCluster pg) {
            return build(env, pg.host(), pg.port(), StartupMode.COMMITTED_OFFSET, 0, name());
        }

        @Override
        public DataStream<RowData> snapshotSource(
                StreamExecutionEnvironment env, PostgresCluster pg) {
            return build(env, pg.host(), pg.port(), StartupMode.INITIAL, 0, name());
        }

        static DataStream<RowData> build(
                StreamExecutionEnvironment env,
                String host,
                int port,
                StartupMode mode,
                int chunkSize,
                String name) {
            PgArrowSourceBuilder<RowData> builder =
                    PgArrowSource.<RowData>builder()
                            .hostname(host)
                            .port(port)
                            .database(StreamBenchmark.DATABASE)
                            .username(PostgresCluster.SUPERUSER)
                            .password("")
                            .tableList("public.cdc_bench")
                            .slotName(PREFIX)
                            // the benchmark's local server has no TLS
                            .sslMode(SslMode.DISABLE)
                            .startupMode(mode)
                            .deserializer(PgArrowDeserializationSchema.rowData(CDC_BENCH));
            if (chunkSize > 0) {
                // scan.incremental.snapshot.chunk.size; 0 keeps the option's default
                builder.chunkSize(chunkSize);
            }
            return env.fromSource(builder.build(), WatermarkStrategy.noWatermarks(), name);
        }
    }
}
