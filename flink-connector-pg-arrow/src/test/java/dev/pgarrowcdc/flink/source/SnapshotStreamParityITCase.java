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

import dev.pgarrowcdc.flink.testutils.Await;
import dev.pgarrowcdc.flink.testutils.PostgresExtension;
import dev.pgarrowcdc.flink.testutils.SnapshotFunctionCalls;

import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.table.data.RowData;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.CloseableIterator;
import org.apache.flink.util.Collector;

import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Values outside the common types (the "any other type" row of the type map, arrays of every kind,
 * special values) read the same from the snapshot and from the stream, which reads wal2arrow's
 * Arrow values: field by field, including why a null is not an SQL NULL. In both snapshot read
 * modes: {@code arrow} (the snapshot function's frames, converted by the stream's code; the server
 * counts its calls, so a silent fallback fails the test) and {@code text} (PostgreSQL's text output
 * parsed in Java; the function is never called).
 */
@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class SnapshotStreamParityITCase {

    @RegisterExtension static final PostgresExtension PG = new PostgresExtension();

    @RegisterExtension
    static final MiniClusterExtension FLINK =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(1)
                            .build());

    /** Each field as text, followed by {@code <REASON>} when the context says it is unknown. */
    static final class RowsWithMarks implements PgArrowDeserializationSchema<String> {
        private static final long serialVersionUID = 1L;

        @Override
        public void deserialize(RowData row, PgArrowRecordContext context, Collector<String> out) {
            String text = TestSources.format(row);
            StringBuilder marks = new StringBuilder();
            for (int i = 0; i < row.getArity(); i++) {
                UnknownValue why = context.unknownValue(i);
                if (why != null) {
                    marks.append(' ')
                            .append(context.rowType().getFieldNames().get(i))
                            .append('=')
                            .append(why);
                }
            }
            out.collect(text + marks);
        }

        @Override
        public TypeInformation<String> getProducedType() {
            return Types.STRING;
        }
    }

    @ParameterizedTest
    @EnumSource(
            value = SnapshotReadMode.class,
            names = {"ARROW", "TEXT"})
    void unusualTypesAndSpecialValuesReadTheSameFromTheSnapshotAndTheStream(SnapshotReadMode mode)
            throws Exception {
        assumeTrue(
                PG.cluster().serverMajor() >= 14,
                "the table uses int4multirange and"
                        + " default_toast_compression, new in PostgreSQL 14; this server is "
                        + PG.cluster().serverMajor());
        String columns =
                "r int4range, tr tstzrange, mr int4multirange, c comp, ca comp[], m mood, ma mood[],"
                        + " dom posint, da posint[], dar intarr, e int[], lb int[], md int[], h hstore, tv tsvector,"
                        + " p point, bits bit varying, tz timetz, iv interval[], n numeric, na numeric[],"
                        + " n52 numeric(5,2)[], n40 numeric(40,2), ja jsonb[], js json, u uuid[], ba bytea[], bo bool[],"
                        + " t0 timestamp, ta timestamp[], tt timestamptz[], d date, dd date[], ti time[], f4 float4,"
                        + " fa float4[], f8a float8[], mo money, o oid, x xid, pl pg_lsn, ch \"char\", nm name,"
                        + " bp char(4), bpa char(2)[], vca varchar(3)[], txa text[], xm xml, inet inet, cidr cidr,"
                        + " mac macaddr, i8a int8[], i2a int2[]";
        String values =
                "'[1,5)', '[2020-01-01 00:00+00,2021-01-01 00:00+00)', '{[1,2),[5,6)}', ROW(1,'x y'),"
                        + " ARRAY[ROW(1,'a,b')::comp, NULL, ROW(NULL,'\"q\"')::comp], 'ok', '{sad,ok,NULL}',"
                        + " 7, '{1,2}', '{3,4}', '{}', '[2:3]={7,8}', '{{1,2},{3,4}}', 'a=>1, \"b c\"=>NULL',"
                        + " 'fat:2 cat', '(1.5,2)', B'101', '12:00:01.5+02', '{\"1 day\",NULL,\"-00:00:01\"}',"
                        + " 'NaN', '{1.5,NaN,Infinity,-Infinity,NULL,-0.000}', '{1.25,NULL,-999.99}',"
                        + " 123456789012345678901234567890123456.78, ARRAY['{\"a\": 1}'::jsonb, NULL],"
                        + " '{\"b\":  [1, 2]}', '{a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11,NULL}', '{\"\\\\x00ff\",NULL,\"\\\\x\"}',"
                        + " '{t,f,NULL}', 'infinity', '{-infinity,2020-01-01 00:00:00.123456,NULL}',"
                        + " '{infinity,2020-01-01 00:00:00+00}', '-infinity', '{infinity,2020-02-29,NULL}',"
                        + " '{23:59:59.999999,00:00,NULL}', 'Infinity', '{NaN,-Infinity,NULL}', '{1e308,-0,NULL}',"
                        + " 12.5, 42, '5', '0/16B6C50', 'z', 'nm', 'ab', '{a,NULL,\"b \"}', '{abc,\"\",NULL}',"
                        + " '{\"\",\" \",\"NULL\",null,\"\\\\\\\\\",\"{}\"}', '<a>1</a>', '10.1.2.3/8', '10.0.0.0/8',"
                        + " '08:00:2b:01:02:03', '{-9223372036854775808,9223372036854775807}', '{-32768,NULL}'";
        PG.execute(
                "CREATE EXTENSION IF NOT EXISTS hstore",
                "CREATE TYPE comp AS (a int, b text)",
                "CREATE TYPE mood AS ENUM ('sad', 'ok')",
                "CREATE DOMAIN posint AS int CHECK (VALUE > 0)",
                "CREATE DOMAIN intarr AS int[]",
                "CREATE TABLE w (id int PRIMARY KEY, " + columns + ")",
                "INSERT INTO w VALUES (1, " + values + ")",
                "INSERT INTO w (id) VALUES (3)");
        SnapshotFunctionCalls.track(PG);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(1);

        try (CloseableIterator<String> it =
                env.fromSource(
                                TestSources.<String>builder(PG, "public.w")
                                        .startupMode(StartupMode.INITIAL)
                                        .unchangedToastMode(UnchangedToastMode.NULL)
                                        .snapshotReadMode(mode)
                                        .deserializer(new RowsWithMarks())
                                        .build(),
                                WatermarkStrategy.noWatermarks(),
                                "pg")
                        .executeAndCollect()) {
            List<String> snapshot = new ArrayList<>();
            snapshot.add(it.next());
            snapshot.add(it.next());
            PG.execute("INSERT INTO w VALUES (2, " + values + ")", "INSERT INTO w (id) VALUES (4)");
            List<String> stream = new ArrayList<>();
            stream.add(it.next());
            stream.add(it.next());

            String snapshotFull =
                    snapshot.stream().filter(r -> r.startsWith("+I(1,")).findFirst().get();
            String snapshotNulls =
                    snapshot.stream().filter(r -> r.startsWith("+I(3,")).findFirst().get();
            assertThat(split(stream.get(0).replaceFirst("^\\+I\\(2,", "+I(1,")))
                    .containsExactlyElementsOf(split(snapshotFull));
            assertThat(stream.get(1).replaceFirst("^\\+I\\(4,", "+I(3,")).isEqualTo(snapshotNulls);
            // the multi-dimensional array is not representable in either path, and says so
            assertThat(snapshotFull).contains("md=NOT_REPRESENTABLE");
        }
        if (mode == SnapshotReadMode.ARROW) {
            Await.until(
                    "the server counts a call of wal2arrow_snapshot",
                    () -> SnapshotFunctionCalls.calls(PG) > 0);
        } else {
            assertThat(SnapshotFunctionCalls.callsBeforeMarker(PG))
                    .as("calls of wal2arrow_snapshot by the text path")
                    .isZero();
        }
    }

    /** Fields one per element (top-level commas only), so a difference names its column. */
    private static List<String> split(String row) {
        List<String> out = new ArrayList<>();
        int depth = 0;
        int start = 0;
        for (int i = 0; i < row.length(); i++) {
            char ch = row.charAt(i);
            if (ch == '(' || ch == '[' || ch == '{') {
                depth++;
            } else if (ch == ')' || ch == ']' || ch == '}') {
                depth--;
            } else if (ch == ',' && depth == 1) {
                out.add(row.substring(start, i).trim());
                start = i + 1;
            }
        }
        out.add(row.substring(start).trim());
        return out;
    }
}
