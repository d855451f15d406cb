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

import dev.pgarrowcdc.flink.source.split.PgArrowSplit;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.base.source.reader.fetcher.SingleThreadFetcherManager;
import org.apache.flink.connector.base.source.reader.fetcher.SplitFetcher;
import org.apache.flink.connector.base.source.reader.fetcher.SplitFetcherTask;
import org.apache.flink.connector.base.source.reader.splitreader.SplitReader;

import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Supplier;

/** The single fetcher, plus a way to run LSN confirmations on its thread. */
final class PgArrowSourceFetcherManager
        extends SingleThreadFetcherManager<PgArrowRecord, PgArrowSplit> {

    PgArrowSourceFetcherManager(
            Supplier<SplitReader<PgArrowRecord, PgArrowSplit>> splitReaderSupplier,
            Configuration configuration) {
        super(splitReaderSupplier, configuration);
    }

    /**
     * Enqueues the confirmation of these LSNs on the fetcher thread, which owns the replication
     * streams. Without a running fetcher there is no stream to confirm to: nothing happens.
     */
    void confirm(Map<String, Long> lsnBySplit, Consumer<Integer> onDone) {
        SplitFetcher<PgArrowRecord, PgArrowSplit> fetcher = getRunningFetcher();
        if (fetcher == null) {
            return;
        }
        PgArrowSplitReader reader = (PgArrowSplitReader) fetcher.getSplitReader();
        fetcher.enqueueTask(
                new SplitFetcherTask() {
                    @Override
                    public boolean run() {
                        onDone.accept(reader.confirm(lsnBySplit));
                        return true;
                    }

                    @Override
                    public void wakeUp() {}
                });
    }
}
