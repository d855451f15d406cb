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
package dev.pgarrowcdc.flink.source.reader;

import dev.pgarrowcdc.flink.source.PgArrowSourceConfig;
import dev.pgarrowcdc.flink.source.split.ChunkFinishedEvent;
import dev.pgarrowcdc.flink.source.split.ChunksAckedEvent;
import dev.pgarrowcdc.flink.source.split.PgArrowSplit;
import dev.pgarrowcdc.flink.source.split.PgArrowSplitState;

import org.apache.flink.api.connector.source.SourceEvent;
import org.apache.flink.api.connector.source.SourceReaderContext;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.base.source.reader.SingleThreadMultiplexSourceReaderBase;
import org.apache.flink.metrics.Counter;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The source reader. Each checkpoint records, per streaming split, the end LSN of the last
 * transaction fully emitted before the barrier; only when that checkpoint completes is the LSN
 * confirmed to the slot (so PostgreSQL keeps the WAL a restore needs). Confirmations run on the
 * fetcher thread; a failed one is logged and counted ({@code commitsFailed}), never fatal.
 *
 * <p>Snapshot chunks. The reader asks the enumerator for a chunk when it starts and whenever one
 * finishes. A finished chunk is reported to the enumerator ({@link ChunkFinishedEvent}) and kept in
 * this reader's checkpointed state until the enumerator acknowledges it ({@link ChunksAckedEvent},
 * sent once a checkpoint of the enumerator that holds the chunk completed): a report in flight when
 * a checkpoint is taken is otherwise lost. After a restore the kept chunks are reported again; the
 * enumerator ignores those it already has.
 */
public final class PgArrowSourceReader<T>
        extends SingleThreadMultiplexSourceReaderBase<
                PgArrowRecord, T, PgArrowSplit, PgArrowSplitState> {

    private static final Logger LOG = LoggerFactory.getLogger(PgArrowSourceReader.class);

    private final SortedMap<Long, Map<String, Long>> lsnsToConfirm = new TreeMap<>();
    private final PgArrowSourceFetcherManager fetcherManager;
    private final SplitPositions positions;
    private final Counter commitsSucceeded;
    private final Counter commitsFailed;
    private final SourceReaderContext context;

    /** Finished chunks the enumerator has not acknowledged, by split id. */
    private final Map<String, PgArrowSplit> unackedChunks = new LinkedHashMap<>();

    public PgArrowSourceReader(
            PgArrowSourceConfig config,
            PgArrowRecordEmitter<T> emitter,
            Configuration flinkConfig,
            SourceReaderContext context) {
        this(
                config,
                new ReaderMetrics(config, context.metricGroup()),
                emitter,
                flinkConfig,
                context,
                new SplitPositions());
    }

    private PgArrowSourceReader(
            PgArrowSourceConfig config,
            ReaderMetrics metrics,
            PgArrowRecordEmitter<T> emitter,
            Configuration flinkConfig,
            SourceReaderContext context,
            SplitPositions positions) {
        this(
                new PgArrowSourceFetcherManager(
                        () -> new PgArrowSplitReader(config, metrics, positions), flinkConfig),
                emitter,
                flinkConfig,
                context,
                positions);
    }

    private PgArrowSourceReader(
            PgArrowSourceFetcherManager fetcherManager,
            PgArrowRecordEmitter<T> emitter,
            Configuration flinkConfig,
            SourceReaderContext context,
            SplitPositions positions) {
        super(fetcherManager, emitter, flinkConfig, context);
        this.fetcherManager = fetcherManager;
        this.positions = positions;
        this.commitsSucceeded = context.metricGroup().counter("commitsSucceeded");
        this.commitsFailed = context.metricGroup().counter("commitsFailed");
        this.context = context;
    }

    @Override
    public void start() {
        super.start();
        context.sendSplitRequest();
    }

    @Override
    public void addSplits(List<PgArrowSplit> splits) {
        List<PgArrowSplit> toRead = new ArrayList<>(splits.size());
        for (PgArrowSplit split : splits) {
            if (split.chunk() != null && split.chunk().finished()) {
                // Restored: finished before the checkpoint, not yet acknowledged.
                chunkFinished(split);
            } else {
                toRead.add(split);
            }
        }
        super.addSplits(toRead);
    }

    private void chunkFinished(PgArrowSplit split) {
        unackedChunks.put(split.splitId(), split);
        context.sendSourceEventToCoordinator(ChunkFinishedEvent.of(split));
    }

    @Override
    public void handleSourceEvents(SourceEvent event) {
        if (event instanceof ChunksAckedEvent) {
            for (String id : ((ChunksAckedEvent) event).splitIds()) {
                unackedChunks.remove(id);
            }
        } else {
            super.handleSourceEvents(event);
        }
    }

    @Override
    protected PgArrowSplitState initializedState(PgArrowSplit split) {
        PgArrowSplitState state = new PgArrowSplitState(split);
        positions.add(state);
        return state;
    }

    @Override
    protected PgArrowSplit toSplitType(String splitId, PgArrowSplitState state) {
        return state.toSplit();
    }

    @Override
    protected void onSplitFinished(Map<String, PgArrowSplitState> finishedSplitIds) {
        finishedSplitIds.keySet().forEach(positions::remove);
        LOG.info("Finished splits {}", finishedSplitIds.keySet());
        boolean chunk = false;
        for (PgArrowSplitState state : finishedSplitIds.values()) {
            PgArrowSplit split = state.toSplit();
            if (split.chunk() != null) {
                chunkFinished(split);
                chunk = true;
            }
        }
        if (chunk) {
            context.sendSplitRequest();
        }
    }

    @Override
    public List<PgArrowSplit> snapshotState(long checkpointId) {
        List<PgArrowSplit> splits = new ArrayList<>(super.snapshotState(checkpointId));
        splits.addAll(unackedChunks.values());
        Map<String, Long> lsns = new HashMap<>();
        for (PgArrowSplit split : splits) {
            if (split.phase() == PgArrowSplit.Phase.STREAM && split.startLsn() != 0) {
                lsns.put(split.splitId(), split.startLsn());
            }
        }
        lsnsToConfirm.put(checkpointId, lsns);
        return splits;
    }

    @Override
    public void notifyCheckpointComplete(long checkpointId) throws Exception {
        Map<String, Long> lsns = lsnsToConfirm.get(checkpointId);
        if (lsns == null) {
            LOG.debug("Checkpoint {} is unknown or already confirmed", checkpointId);
            return;
        }
        // Older checkpoints are subsumed by this one.
        lsnsToConfirm.headMap(checkpointId + 1).clear();
        if (!lsns.isEmpty()) {
            fetcherManager.confirm(
                    lsns,
                    failed -> {
                        commitsFailed.inc(failed);
                        commitsSucceeded.inc(lsns.size() - failed);
                    });
        }
    }
}
