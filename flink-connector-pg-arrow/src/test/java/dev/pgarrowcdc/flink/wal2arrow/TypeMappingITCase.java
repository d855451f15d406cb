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
package dev.pgarrowcdc.flink.wal2arrow;

import dev.pgarrowcdc.flink.source.reader.frame.BeginFrame;
import dev.pgarrowcdc.flink.source.reader.frame.CommitFrame;
import dev.pgarrowcdc.flink.source.reader.frame.FrameKind;
import dev.pgarrowcdc.flink.source.reader.frame.RelationSchema;
import dev.pgarrowcdc.flink.source.reader.frame.RowDataConverter;
import dev.pgarrowcdc.flink.source.reader.frame.SchemaFrame;
import dev.pgarrowcdc.flink.source.reader.frame.ValueMark;
import dev.pgarrowcdc.flink.testutils.PostgresCluster;
import dev.pgarrowcdc.flink.testutils.PostgresExtension;

import org.apache.flink.table.data.TimestampData;
import org.apache.flink.types.RowKind;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TimeZone;

import static dev.pgarrowcdc.flink.wal2arrow.Wal2ArrowTestSupport.days;
import static dev.pgarrowcdc.flink.wal2arrow.Wal2ArrowTestSupport.inTransaction;
import static dev.pgarrowcdc.flink.wal2arrow.Wal2ArrowTestSupport.micros;
import static dev.pgarrowcdc.flink.wal2arrow.Wal2ArrowTestSupport.queryLong;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 3, test 1: every mapped type through the real plugin, decoded by Arrow Java, with the
 * server in America/Sao_Paulo and the JVM in Asia/Kolkata (values must not depend on either).
 */
class TypeMappingITCase {

    @RegisterExtension
    static final PostgresExtension PG =
            new PostgresExtension(
                    b ->
                            b.setting("TimeZone", "'America/Sao_Paulo'")
                                    .setting("track_commit_timestamp", "on"));

    private static TimeZone savedJvmZone;

    /** numeric +-Infinity (PostgreSQL 14+); on 13, which has none, large finite values. */
    private static String numInf;

    private static String numNegInf;

    @BeforeAll
    static void jvmInAnotherZone() throws SQLException {
        PostgresCluster.requireWal2ArrowBuilt();
        boolean infinities = PG.cluster().serverMajor() >= 14;
        numInf = infinities ? "Infinity" : "1" + "0".repeat(40);
        numNegInf = infinities ? "-Infinity" : "-1" + "0".repeat(40);
        savedJvmZone = TimeZone.getDefault();
        TimeZone.setDefault(TimeZone.getTimeZone("Asia/Kolkata"));
    }

    @AfterAll
    static void restoreJvmZone() {
        TimeZone.setDefault(savedJvmZone);
    }

    private static final String[] TEXT_COLUMNS = {
        "c_num_free",
        "c_num_wide",
        "c_text",
        "c_varchar",
        "c_bpchar",
        "c_name",
        "c_json",
        "c_jsonb",
        "c_xml",
        "c_enum",
        "c_uuid",
        "c_inet",
        "c_cidr",
        "c_macaddr",
        "c_interval",
        "c_money",
        "c_shorttext"
    };

    private static void createTable() throws SQLException {
        PG.execute(
                "CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy')",
                "CREATE DOMAIN posint AS integer CHECK (VALUE > 0)",
                "CREATE DOMAIN shorttext AS text CHECK (length(VALUE) < 100)",
                "CREATE TABLE every_type ("
                        + " id int PRIMARY KEY,"
                        + " c_bool bool, c_int2 int2, c_int4 int4, c_int8 int8,"
                        + " c_float4 float4, c_float8 float8,"
                        + " c_num numeric(10,2), c_num38 numeric(38,10), c_num_free numeric,"
                        + " c_num_wide numeric(50,5),"
                        + " c_dropped int,"
                        + " c_text text, c_varchar varchar(20), c_bpchar char(5), c_name name,"
                        + " c_json json, c_jsonb jsonb, c_xml xml, c_enum mood, c_uuid uuid,"
                        + " c_inet inet, c_cidr cidr, c_macaddr macaddr, c_interval interval,"
                        + " c_money money, c_bytea bytea, c_date date, c_time time,"
                        + " c_ts timestamp, c_tstz timestamptz,"
                        + " c_int_arr int[], c_text_arr text[], c_int_2d int[],"
                        + " c_posint posint, c_shorttext shorttext,"
                        + " c_gen int GENERATED ALWAYS AS (id * 2) STORED)",
                "ALTER TABLE every_type DROP COLUMN c_dropped");
    }

    private static final String INSERT_ROWS =
            "INSERT INTO every_type (id, c_bool, c_int2, c_int4, c_int8, c_float4, c_float8,"
                    + " c_num, c_num38, c_num_free, c_num_wide, c_text, c_varchar, c_bpchar,"
                    + " c_name, c_json, c_jsonb, c_xml, c_enum, c_uuid, c_inet, c_cidr,"
                    + " c_macaddr, c_interval, c_money, c_bytea, c_date, c_time, c_ts, c_tstz,"
                    + " c_int_arr, c_text_arr, c_int_2d, c_posint, c_shorttext) VALUES"
                    // 1: ordinary values
                    + " (1, true, -32768, 2147483647, -9223372036854775808, 3.25, -1.5e300,"
                    + " 12345678.91, '1234567890123456789012345678.0123456789',"
                    + " '3.14159265358979323846264338327950288419716939937510',"
                    + " '123456789012345678901234567890123456789012345.12345',"
                    + " 'héllo 🐘 wörld', 'abc', 'ab', 'a_name', '{\"a\": [1, 2]}',"
                    + " '{\"b\": 1, \"a\": [1, 2]}', '<x>1</x>', 'happy',"
                    + " 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '192.168.0.1/24', '10.0.0.0/8',"
                    + " '08:00:2b:01:02:03', '1 year 2 mons 3 days 04:05:06.789', 1234.56,"
                    + " '\\x00ff10', '2024-02-29', '13:14:15.123456',"
                    + " '2024-02-29 23:59:59.999999', '2024-02-29 23:59:59.999999+05:30',"
                    + " '{1,NULL,3}', '{\"a\",NULL,\"b c\"}', '{7,8}', 5, 'short'),"
                    // 2: every column NULL
                    + " (2, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,"
                    + " NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,"
                    + " NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),"
                    // 3: NaN / infinities, 24:00, 2-D array, empty values
                    + " (3, false, 0, 0, 0, 'NaN', 'Infinity', 'NaN', 'NaN', %INF%, 'NaN',"
                    + " '', '', '', '', 'null', '[]', '', 'sad',"
                    + " '00000000-0000-0000-0000-000000000000', '::1', '::/0',"
                    + " '00:00:00:00:00:00', '-1 days -00:00:00.000001', -0.01,"
                    + " '\\x', 'infinity', '24:00:00', 'infinity', '-infinity',"
                    + " '{}', '{NULL}', '{{1,2},{3,4}}', 1, ''),"
                    // 4: negative and old values
                    + " (4, NULL, 32767, -2147483648, 9223372036854775807, '-Infinity', 'NaN',"
                    + " -99999999.99, '-9999999999999999999999999999.9999999999', %NEGINF%,"
                    + " '-0.00001', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,"
                    + " NULL, NULL, NULL, NULL, NULL, '1582-10-04', '00:00:00',"
                    + " '1969-07-20 20:17:40.123456', '1900-01-01 00:00:00.000001+00',"
                    + " NULL, NULL, NULL, NULL, NULL),"
                    // 5: year 1, 44 BC, -infinity
                    + " (5, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,"
                    + " NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,"
                    + " NULL, NULL, NULL, '0001-01-01', '23:59:59.999999', '0001-01-01 00:00:00',"
                    + " '1582-10-04 00:00:00.5+00', NULL, NULL, NULL, NULL, NULL),"
                    + " (6, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,"
                    + " NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,"
                    + " NULL, NULL, NULL, '0044-03-15 BC', NULL, '-infinity',"
                    + " '0044-03-15 12:00:00+00 BC', NULL, NULL, NULL, NULL, NULL)";

    /** The server's own output function text of the Utf8-mapped columns, per id. */
    private static Map<Integer, Map<String, String>> serverText() throws SQLException {
        Map<Integer, Map<String, String>> out = new HashMap<>();
        StringBuilder sql = new StringBuilder("SELECT id");
        for (String c : TEXT_COLUMNS) {
            // format('%s') calls the type's output function (a ::text cast would trim bpchar).
            sql.append(", CASE WHEN ")
                    .append(c)
                    .append(" IS NULL THEN NULL ELSE format('%s', ")
                    .append(c)
                    .append(") END AS ")
                    .append(c);
        }
        sql.append(" FROM every_type");
        try (Connection c = PG.connect();
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery(sql.toString())) {
            ResultSetMetaData md = rs.getMetaData();
            while (rs.next()) {
                Map<String, String> row = new HashMap<>();
                for (int i = 2; i <= md.getColumnCount(); i++) {
                    row.put(md.getColumnLabel(i), rs.getString(i));
                }
                out.put(rs.getInt(1), row);
            }
        }
        return out;
    }

    @Test
    void everyMappedTypeInsertUpdateDeleteDecodesExactly() throws SQLException {
        // Given: a table of every mapped type and a wal2arrow slot
        createTable();
        Wal2ArrowTestSupport.createSlot(PG, "types");

        // When: one INSERT of six rows, one UPDATE, one DELETE, each its own transaction
        long xidInsert =
                inTransaction(
                        PG,
                        INSERT_ROWS
                                .replace("%INF%", "'" + numInf + "'")
                                .replace("%NEGINF%", "'" + numNegInf + "'"));
        Map<Integer, Map<String, String>> text = serverText();
        long xidUpdate =
                inTransaction(
                        PG, "UPDATE every_type SET c_text = 'changed', c_int4 = 44 WHERE id = 1");
        long xidDelete = inTransaction(PG, "DELETE FROM every_type WHERE id = 2");
        long walAfter = queryLong(PG, "SELECT (pg_current_wal_lsn() - '0/0')::bigint");
        SlotChanges changes = Wal2ArrowTestSupport.get(PG, "types");

        // Then: three transactions, in commit order, with consistent xids, LSNs and times
        assertThat(changes.transactions).hasSize(3);
        List<SlotChanges.Transaction> txs = changes.transactions;
        long[] xids = {xidInsert, xidUpdate, xidDelete};
        long previousEnd = 0;
        for (int i = 0; i < 3; i++) {
            SlotChanges.Transaction tx = txs.get(i);
            BeginFrame b = tx.begin;
            CommitFrame c = tx.commit;
            assertThat(c).as("transaction %d has a C frame", i).isNotNull();
            assertThat(b.xid()).as("B xid of tx %d", i).isEqualTo(xids[i]);
            assertThat(c.xid()).as("C xid of tx %d", i).isEqualTo(xids[i]);
            assertThat(b.finalLsn()).as("B final LSN = C commit LSN").isEqualTo(c.commitLsn());
            assertThat(c.endLsn()).isGreaterThan(c.commitLsn());
            assertThat(c.commitLsn()).as("commit LSNs increase").isGreaterThan(previousEnd);
            assertThat(c.endLsn()).isLessThanOrEqualTo(walAfter);
            previousEnd = c.endLsn();
            long commitMicros =
                    queryLong(
                            PG,
                            "SELECT (extract(epoch FROM pg_xact_commit_timestamp("
                                    + xids[i]
                                    + "::text::xid)) * 1000000)::bigint");
            assertThat(b.commitTimeMicros()).as("B commit time").isEqualTo(commitMicros);
            assertThat(c.commitTimeMicros()).as("C commit time").isEqualTo(commitMicros);
            for (SlotChanges.Message m : tx.messages) {
                assertThat(m.xid).as("SQL xid column of tx %d's messages", i).isEqualTo(xids[i]);
            }
            SlotChanges.Message last = tx.messages.get(tx.messages.size() - 1);
            assertThat(last.lsn)
                    .as("SQL lsn column of the message holding C = C's end LSN")
                    .isEqualTo(c.endLsn());
            assertThat(c.rowCount()).isEqualTo(tx.rows().size());
        }
        assertThat(txs.get(0).kinds()).containsExactly(FrameKind.SCHEMA, FrameKind.ROWS);
        assertThat(txs.get(1).kinds()).containsExactly(FrameKind.ROWS);
        assertThat(txs.get(2).kinds()).containsExactly(FrameKind.ROWS);
        for (int i = 1; i < changes.messages.size(); i++) {
            assertThat(changes.messages.get(i).lsn)
                    .as("SQL lsn column never decreases")
                    .isGreaterThanOrEqualTo(changes.messages.get(i - 1).lsn);
        }

        // Then: the schema (dropped column skipped, metadata as PROTOCOL.md 3.2)
        List<SchemaFrame> schemas = changes.frames(FrameKind.SCHEMA);
        assertThat(schemas).hasSize(1);
        RelationSchema schema = schemas.get(0).schema();
        assertThat(schema.schemaVersion()).isEqualTo(1);
        assertThat(schema.relationOid())
                .isEqualTo(queryLong(PG, "SELECT 'every_type'::regclass::oid::bigint"));
        assertThat(schema.namespace()).isEqualTo("public");
        assertThat(schema.tableName()).isEqualTo("every_type");
        assertThat(schema.replicaIdentity()).isEqualTo(RelationSchema.ReplicaIdentity.DEFAULT);
        assertThat(schema.toRowType().asSummaryString())
                .isEqualTo(
                        "ROW<`id` INT, `c_bool` BOOLEAN,"
                                + " `c_int2` SMALLINT, `c_int4` INT, `c_int8` BIGINT, `c_float4` FLOAT,"
                                + " `c_float8` DOUBLE, `c_num` DECIMAL(10, 2), `c_num38` DECIMAL(38, 10),"
                                + " `c_num_free` STRING, `c_num_wide` STRING, `c_text` STRING, `c_varchar` STRING,"
                                + " `c_bpchar` STRING, `c_name` STRING, `c_json` STRING, `c_jsonb` STRING,"
                                + " `c_xml` STRING, `c_enum` STRING, `c_uuid` STRING, `c_inet` STRING,"
                                + " `c_cidr` STRING, `c_macaddr` STRING, `c_interval` STRING, `c_money` STRING,"
                                + " `c_bytea` BYTES, `c_date` DATE, `c_time` TIME(3), `c_ts` TIMESTAMP(6),"
                                + " `c_tstz` TIMESTAMP_LTZ(6), `c_int_arr` ARRAY<INT>, `c_text_arr` ARRAY<STRING>,"
                                + " `c_int_2d` ARRAY<INT>, `c_posint` INT, `c_shorttext` STRING, `c_gen` INT>");
        RelationSchema.Column id = schema.column("id");
        assertThat(id.primaryKeyPosition()).isEqualTo(1);
        assertThat(id.notNull()).isTrue();
        assertThat(id.isReplicaIdentity()).isTrue();
        assertThat(id.attnum()).isEqualTo(1);
        assertThat(id.typeOid()).isEqualTo(23);
        assertThat(schema.column("c_text").isReplicaIdentity()).isFalse();
        assertThat(schema.column("c_text").attnum()).isEqualTo(13); // after dropped attnum 12
        assertThat(schema.column("c_num").typeName()).isEqualTo("numeric(10,2)");
        assertThat(schema.column("c_num").typmod()).isEqualTo((10 << 16 | 2) + 4);
        assertThat(schema.column("c_varchar").typeName()).isEqualTo("character varying(20)");
        assertThat(schema.column("c_bpchar").typeName()).isEqualTo("character(5)");
        assertThat(schema.column("c_tstz").typeName()).isEqualTo("timestamp with time zone");
        assertThat(schema.column("c_int_arr").typeName()).isEqualTo("integer[]");
        assertThat(schema.column("c_text").typmod()).isEqualTo(-1);
        assertThat(schema.column("c_posint").typeName()).isEqualTo("posint");
        assertThat(schema.column("c_posint").typeOid())
                .isEqualTo(queryLong(PG, "SELECT 'posint'::regtype::oid::bigint"));
        assertThat(schema.column("c_posint").baseTypeOid()).isEqualTo(23);
        assertThat(schema.column("c_shorttext").baseTypeOid()).isEqualTo(25);
        assertThat(schema.column("c_text").baseTypeOid()).isZero();
        assertThat(schema.column("c_gen").generated()).isEqualTo("stored");
        assertThat(schema.column("c_int4").generated()).isNull();

        // Then: the inserted rows, value by value
        List<SlotChanges.Row> inserted = txs.get(0).rows();
        assertThat(inserted).extracting(r -> r.kind).containsOnly(RowKind.INSERT);
        assertThat(inserted).extracting(r -> r.value("id")).containsExactly(1, 2, 3, 4, 5, 6);
        for (SlotChanges.Row r : inserted) {
            int rowId = (Integer) r.value("id");
            for (String col : TEXT_COLUMNS) {
                assertThat(r.value(col))
                        .as("id %d %s as the server prints it", rowId, col)
                        .isEqualTo(text.get(rowId).get(col));
            }
            assertThat(r.value("c_gen"))
                    .as("generated column of id %d", rowId)
                    .isEqualTo(rowId * 2);
            for (int p = 0; p < r.schema.columnCount(); p++) {
                assertThat(r.absent[p]).as("nothing is absent in an INSERT").isFalse();
            }
        }
        SlotChanges.Row r1 = inserted.get(0);
        assertThat(r1.value("c_bool")).isEqualTo(true);
        assertThat(r1.value("c_int2")).isEqualTo((short) -32768);
        assertThat(r1.value("c_int4")).isEqualTo(2147483647);
        assertThat(r1.value("c_int8")).isEqualTo(Long.MIN_VALUE);
        assertThat(r1.value("c_float4")).isEqualTo(3.25f);
        assertThat(r1.value("c_float8")).isEqualTo(-1.5e300);
        assertThat(r1.value("c_num")).isEqualTo(new BigDecimal("12345678.91"));
        assertThat(r1.value("c_num38"))
                .isEqualTo(new BigDecimal("1234567890123456789012345678.0123456789"));
        assertThat(r1.value("c_num_free"))
                .isEqualTo("3.14159265358979323846264338327950288419716939937510");
        assertThat(r1.value("c_num_wide"))
                .isEqualTo("123456789012345678901234567890123456789012345.12345");
        assertThat(r1.value("c_text")).isEqualTo("héllo 🐘 wörld");
        assertThat(r1.value("c_varchar")).isEqualTo("abc");
        assertThat(r1.value("c_bpchar")).isEqualTo("ab   ");
        assertThat(r1.value("c_name")).isEqualTo("a_name");
        assertThat(r1.value("c_json")).isEqualTo("{\"a\": [1, 2]}");
        assertThat(r1.value("c_jsonb")).isEqualTo("{\"a\": [1, 2], \"b\": 1}");
        assertThat(r1.value("c_xml")).isEqualTo("<x>1</x>");
        assertThat(r1.value("c_enum")).isEqualTo("happy");
        assertThat(r1.value("c_uuid")).isEqualTo("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11");
        assertThat(r1.value("c_inet")).isEqualTo("192.168.0.1/24");
        assertThat(r1.value("c_cidr")).isEqualTo("10.0.0.0/8");
        assertThat(r1.value("c_macaddr")).isEqualTo("08:00:2b:01:02:03");
        assertThat(r1.value("c_interval")).isEqualTo("1 year 2 mons 3 days 04:05:06.789");
        assertThat(r1.value("c_money")).isEqualTo("$1,234.56");
        assertThat((byte[]) r1.value("c_bytea")).containsExactly(0x00, 0xFF, 0x10);
        assertThat(r1.value("c_date")).isEqualTo(days(LocalDate.of(2024, 2, 29)));
        assertThat(r1.value("c_time"))
                .as("TIME(3): microseconds cut")
                .isEqualTo((13 * 3600 + 14 * 60 + 15) * 1000 + 123);
        assertThat(SlotChanges.micros((TimestampData) r1.value("c_ts")))
                .isEqualTo(micros(LocalDateTime.of(2024, 2, 29, 23, 59, 59, 999_999_000)));
        assertThat(SlotChanges.micros((TimestampData) r1.value("c_tstz")))
                .isEqualTo(micros(OffsetDateTime.parse("2024-02-29T23:59:59.999999+05:30")));
        assertThat(r1.value("c_int_arr")).isEqualTo(Arrays.asList(1, null, 3));
        assertThat(r1.value("c_text_arr")).isEqualTo(Arrays.asList("a", null, "b c"));
        assertThat(r1.value("c_int_2d")).isEqualTo(Arrays.asList(7, 8));
        assertThat(r1.value("c_posint")).isEqualTo(5);
        assertThat(r1.value("c_shorttext")).isEqualTo("short");
        assertThat(r1.marks).containsOnlyNulls();

        SlotChanges.Row r2 = inserted.get(1);
        for (String col : r2.columns()) {
            if (!col.equals("id") && !col.equals("c_gen")) {
                assertThat(r2.isSqlNull(col)).as("id 2 %s is an SQL NULL", col).isTrue();
            }
        }

        SlotChanges.Row r3 = inserted.get(2);
        assertThat((Float) r3.value("c_float4")).isNaN();
        assertThat(r3.value("c_float8")).isEqualTo(Double.POSITIVE_INFINITY);
        assertThat(r3.isNull("c_num")).isTrue();
        assertThat(r3.mark("c_num")).as("numeric(10,2) NaN").isEqualTo(ValueMark.NAN);
        assertThat(r3.mark("c_num38")).as("numeric(38,10) NaN").isEqualTo(ValueMark.NAN);
        assertThat(r3.value("c_num_free")).isEqualTo(numInf);
        assertThat(r3.value("c_num_wide")).isEqualTo("NaN");
        assertThat(r3.value("c_text")).as("empty text is not NULL").isEqualTo("");
        assertThat(r3.value("c_bpchar")).isEqualTo("     ");
        assertThat((byte[]) r3.value("c_bytea")).as("empty bytea is not NULL").isEmpty();
        assertThat(r3.value("c_date")).isEqualTo(RowDataConverter.DATE_POSITIVE_INFINITY);
        assertThat(r3.value("c_time")).as("24:00:00 clamps to 23:59:59.999").isEqualTo(86_399_999);
        assertThat(r3.value("c_ts")).isEqualTo(RowDataConverter.TIMESTAMP_POSITIVE_INFINITY);
        assertThat(r3.value("c_tstz")).isEqualTo(RowDataConverter.TIMESTAMP_NEGATIVE_INFINITY);
        assertThat(r3.value("c_int_arr")).isEqualTo(List.of());
        assertThat(r3.value("c_text_arr")).isEqualTo(Arrays.asList((Object) null));
        assertThat(r3.isNull("c_int_2d")).isTrue();
        assertThat(r3.mark("c_int_2d")).as("2-D array").isEqualTo(ValueMark.NOT_REPRESENTABLE);
        assertThat(r3.value("c_money")).isEqualTo("-$0.01");
        assertThat(r3.value("c_interval")).isEqualTo("-1 days -00:00:00.000001");
        assertThat(r3.mark("c_float4")).isNull();
        assertThat(r3.mark("c_num_free")).isNull();

        SlotChanges.Row r4 = inserted.get(3);
        assertThat(r4.value("c_int2")).isEqualTo((short) 32767);
        assertThat(r4.value("c_int4")).isEqualTo(-2147483648);
        assertThat(r4.value("c_int8")).isEqualTo(Long.MAX_VALUE);
        assertThat(r4.value("c_float4")).isEqualTo(Float.NEGATIVE_INFINITY);
        assertThat((Double) r4.value("c_float8")).isNaN();
        assertThat(r4.value("c_num")).isEqualTo(new BigDecimal("-99999999.99"));
        assertThat(r4.value("c_num38"))
                .isEqualTo(new BigDecimal("-9999999999999999999999999999.9999999999"));
        assertThat(r4.value("c_num_free")).isEqualTo(numNegInf);
        assertThat(r4.value("c_num_wide")).isEqualTo("-0.00001");
        assertThat(r4.value("c_date")).isEqualTo(days(LocalDate.of(1582, 10, 4)));
        assertThat(r4.value("c_time")).isEqualTo(0);
        assertThat(SlotChanges.micros((TimestampData) r4.value("c_ts")))
                .isEqualTo(micros(LocalDateTime.of(1969, 7, 20, 20, 17, 40, 123_456_000)));
        assertThat(SlotChanges.micros((TimestampData) r4.value("c_tstz")))
                .isEqualTo(micros(OffsetDateTime.parse("1900-01-01T00:00:00.000001Z")));

        SlotChanges.Row r5 = inserted.get(4);
        assertThat(r5.value("c_date")).isEqualTo(days(LocalDate.of(1, 1, 1)));
        assertThat(r5.value("c_time")).isEqualTo(86_399_999);
        assertThat(SlotChanges.micros((TimestampData) r5.value("c_ts")))
                .isEqualTo(micros(LocalDateTime.of(1, 1, 1, 0, 0)));
        assertThat(SlotChanges.micros((TimestampData) r5.value("c_tstz")))
                .isEqualTo(micros(OffsetDateTime.parse("1582-10-04T00:00:00.5Z")));

        SlotChanges.Row r6 = inserted.get(5);
        assertThat(r6.value("c_date"))
                .as("44 BC is ISO year -43")
                .isEqualTo(days(LocalDate.of(-43, 3, 15)));
        assertThat(r6.value("c_ts")).isEqualTo(RowDataConverter.TIMESTAMP_NEGATIVE_INFINITY);
        assertThat(SlotChanges.micros((TimestampData) r6.value("c_tstz")))
                .isEqualTo(micros(OffsetDateTime.parse("-0043-03-15T12:00:00Z")));

        // Then: the UPDATE under DEFAULT identity, no key change: +U alone with the new row
        List<SlotChanges.Row> updated = txs.get(1).rows();
        assertThat(updated).hasSize(1);
        SlotChanges.Row u = updated.get(0);
        assertThat(u.kind).isEqualTo(RowKind.UPDATE_AFTER);
        assertThat(u.value("id")).isEqualTo(1);
        assertThat(u.value("c_text")).isEqualTo("changed");
        assertThat(u.value("c_int4")).isEqualTo(44);
        for (String col : u.columns()) {
            if (!col.equals("c_text") && !col.equals("c_int4")) {
                assertThat(u.display(col))
                        .as("+U keeps unchanged column %s", col)
                        .isEqualTo(r1.display(col));
            }
        }
        assertThat(u.marks).containsOnlyNulls();

        // Then: the DELETE: -D with the key, every other column absent
        List<SlotChanges.Row> deleted = txs.get(2).rows();
        assertThat(deleted).hasSize(1);
        SlotChanges.Row d = deleted.get(0);
        assertThat(d.kind).isEqualTo(RowKind.DELETE);
        assertThat(d.value("id")).isEqualTo(2);
        assertThat(d.absent("id")).isFalse();
        for (String col : d.columns()) {
            if (!col.equals("id")) {
                assertThat(d.absent(col)).as("-D %s absent under DEFAULT", col).isTrue();
                assertThat(d.isNull(col)).isTrue();
            }
        }
    }
}
