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

import dev.pgarrowcdc.flink.testutils.PostgresCluster;

import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.table.data.RowData;

/** A CDC source under test: the slot it resumes from and the stream of rows it produces. */
interface Contender {

    String name();

    /** The slot this contender resumes from (committed-offset): the harness creates it. */
    String slotName();

    /** The output plugin that slot uses. */
    String plugin();

    DataStream<RowData> source(StreamExecutionEnvironment env, PostgresCluster pg);

    /** 'initial' startup: the snapshot of public.cdc_bench, then the stream (left idle). */
    DataStream<RowData> snapshotSource(StreamExecutionEnvironment env, PostgresCluster pg);
}
