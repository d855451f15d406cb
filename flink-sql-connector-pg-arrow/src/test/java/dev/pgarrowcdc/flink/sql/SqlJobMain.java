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

import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.table.api.bridge.java.StreamTableEnvironment;
import org.apache.flink.types.Row;
import org.apache.flink.util.CloseableIterator;

/**
 * Runs in the child JVM of {@link SqlJarITCase}, whose class path holds only Flink's jars and the
 * shaded SQL jar: executes every argument but the last as a statement, then collects the last (a
 * query) and prints each row as {@code ROW <row>}.
 */
public final class SqlJobMain {

    private SqlJobMain() {}

    public static void main(String[] args) throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(1);
        StreamTableEnvironment tEnv = StreamTableEnvironment.create(env);
        for (int i = 0; i < args.length - 1; i++) {
            tEnv.executeSql(args[i]);
        }
        System.out.println("STARTED");
        System.out.flush();
        try (CloseableIterator<Row> rows = tEnv.executeSql(args[args.length - 1]).collect()) {
            while (rows.hasNext()) {
                System.out.println("ROW " + rows.next());
                System.out.flush();
            }
        }
    }
}
