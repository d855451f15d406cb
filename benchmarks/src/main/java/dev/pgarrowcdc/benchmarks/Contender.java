package dev.pgarrowcdc.benchmarks;

import java.sql.SQLException;

import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.table.data.RowData;

import dev.pgarrowcdc.flink.testutils.PostgresCluster;

/** A CDC source under test: the slot it resumes from and the stream of rows it produces. */
interface Contender {

    String name();

    /** Copies the template slot to the name (and plugin) this contender resumes from. */
    void prepareSlot(PostgresCluster pg, String templateSlot) throws SQLException;

    /** Drops what {@link #prepareSlot} made, after the job is cancelled. */
    void dropSlot(PostgresCluster pg) throws SQLException;

    DataStream<RowData> source(StreamExecutionEnvironment env, PostgresCluster pg);
}
