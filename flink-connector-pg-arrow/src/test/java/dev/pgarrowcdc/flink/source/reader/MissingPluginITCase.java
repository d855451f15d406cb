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

import dev.pgarrowcdc.flink.source.TestSources;
import dev.pgarrowcdc.flink.source.split.PgArrowSplit;
import dev.pgarrowcdc.flink.source.split.TableId;
import dev.pgarrowcdc.flink.testutils.PostgresExtension;

import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A server where wal2arrow is allowed but its file is not installed. */
class MissingPluginITCase {

    @RegisterExtension static final PostgresExtension PG = new PostgresExtension();

    @Test
    void aSplitFailsNamingTheMissingPluginAndHowToInstallIt() throws Exception {
        // Given the plugin file removed from the server's library path
        PG.cluster().removeWal2Arrow();
        PG.execute("CREATE TABLE t (id int PRIMARY KEY)");
        PgArrowSplit split =
                PgArrowSplit.fresh(
                        "it_public_t",
                        List.of(new TableId("public", "t")),
                        PgArrowSplit.Phase.STREAM,
                        0);

        try (BufferAllocator allocator = new RootAllocator();
                SlotStreamer streamer =
                        new SlotStreamer(split, TestSources.config(PG, "public.t"), allocator)) {
            // When the split creates its slot, then the error names the file and the fix
            assertThatThrownBy(() -> streamer.poll(new ArrayList<>(), 10, 1 << 20))
                    .isInstanceOf(IOException.class)
                    .hasMessageContaining(
                            "Creating replication slot 'it_public_t' for [public.t] failed")
                    .hasMessageContaining("could not access file \"wal2arrow\"")
                    .hasMessageContaining(
                            "install the wal2arrow plugin on the server (make -C wal2arrow install)");
        }
    }
}
