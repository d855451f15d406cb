package dev.pgarrowcdc.benchmarks;

import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.table.data.RowData;

import dev.pgarrowcdc.flink.testutils.PostgresCluster;

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
