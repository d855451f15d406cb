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

import dev.pgarrowcdc.flink.source.enumerator.PgArrowEnumState;
import dev.pgarrowcdc.flink.source.enumerator.PgArrowEnumStateSerializer;
import dev.pgarrowcdc.flink.source.enumerator.PgArrowSourceEnumerator;
import dev.pgarrowcdc.flink.source.reader.PgArrowRecordEmitter;
import dev.pgarrowcdc.flink.source.reader.PgArrowSourceReader;
import dev.pgarrowcdc.flink.source.split.PgArrowSplit;
import dev.pgarrowcdc.flink.source.split.PgArrowSplitSerializer;

import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.source.Boundedness;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.api.connector.source.SourceReader;
import org.apache.flink.api.connector.source.SourceReaderContext;
import org.apache.flink.api.connector.source.SplitEnumerator;
import org.apache.flink.api.connector.source.SplitEnumeratorContext;
import org.apache.flink.api.java.typeutils.ResultTypeQueryable;
import org.apache.flink.core.io.SimpleVersionedSerializer;

/**
 * PostgreSQL change data capture through the wal2arrow output plugin, as a FLIP-27 source. One
 * split per captured table, each its own replication slot; a split snapshots its table under the
 * slot's exported snapshot (startup mode {@code initial}) and then streams the slot. LSNs are
 * confirmed to PostgreSQL only when a checkpoint completes, so a restore replays from the last
 * checkpoint with neither loss nor duplicates in the stream phase.
 *
 * <pre>{@code
 * env.fromSource(PgArrowSource.<RowData>builder()...build(), WatermarkStrategy.noWatermarks(), "pg");
 * }</pre>
 *
 * <p>Unbounded, except with {@code scan.startup.mode = snapshot}.
 */
public final class PgArrowSource<T>
        implements Source<T, PgArrowSplit, PgArrowEnumState>, ResultTypeQueryable<T> {

    private static final long serialVersionUID = 1L;

    private final PgArrowSourceConfig config;
    private final PgArrowDeserializationSchema<T> deserializer;

    PgArrowSource(PgArrowSourceConfig config, PgArrowDeserializationSchema<T> deserializer) {
        this.config = config;
        this.deserializer = deserializer;
    }

    public static <T> PgArrowSourceBuilder<T> builder() {
        return new PgArrowSourceBuilder<>();
    }

    @Override
    public Boundedness getBoundedness() {
        return config.startupMode() == StartupMode.SNAPSHOT
                ? Boundedness.BOUNDED
                : Boundedness.CONTINUOUS_UNBOUNDED;
    }

    @Override
    public SourceReader<T, PgArrowSplit> createReader(SourceReaderContext readerContext)
            throws Exception {
        deserializer.open(new DeserializationContext(readerContext));
        return new PgArrowSourceReader<>(
                config,
                new PgArrowRecordEmitter<>(deserializer),
                readerContext.getConfiguration(),
                readerContext);
    }

    @Override
    public SplitEnumerator<PgArrowSplit, PgArrowEnumState> createEnumerator(
            SplitEnumeratorContext<PgArrowSplit> enumContext) {
        return new PgArrowSourceEnumerator(enumContext, config, PgArrowEnumState.initial());
    }

    @Override
    public SplitEnumerator<PgArrowSplit, PgArrowEnumState> restoreEnumerator(
            SplitEnumeratorContext<PgArrowSplit> enumContext, PgArrowEnumState checkpoint) {
        return new PgArrowSourceEnumerator(enumContext, config, checkpoint);
    }

    @Override
    public SimpleVersionedSerializer<PgArrowSplit> getSplitSerializer() {
        return new PgArrowSplitSerializer();
    }

    @Override
    public SimpleVersionedSerializer<PgArrowEnumState> getEnumeratorCheckpointSerializer() {
        return new PgArrowEnumStateSerializer();
    }

    @Override
    public TypeInformation<T> getProducedType() {
        return deserializer.getProducedType();
    }

    /**
     * The validated settings this source was built with (the SQL connector checks the declared
     * schema against the same server and tables).
     */
    public PgArrowSourceConfig config() {
        return config;
    }

    /** What {@link PgArrowDeserializationSchema#open} gets from the reader. */
    private static final class DeserializationContext
            implements org.apache.flink.api.common.serialization.DeserializationSchema
                    .InitializationContext {
        private final SourceReaderContext context;

        DeserializationContext(SourceReaderContext context) {
            this.context = context;
        }

        @Override
        public org.apache.flink.metrics.MetricGroup getMetricGroup() {
            return context.metricGroup().addGroup("deserializer");
        }

        @Override
        public org.apache.flink.util.UserCodeClassLoader getUserCodeClassLoader() {
            return org.apache.flink.util.SimpleUserCodeClassLoader.create(
                    Thread.currentThread().getContextClassLoader());
        }
    }
}
