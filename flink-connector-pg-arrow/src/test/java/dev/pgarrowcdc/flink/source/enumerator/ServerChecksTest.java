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
package dev.pgarrowcdc.flink.source.enumerator;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ServerChecksTest {

    @Test
    void thePluginIsFoundInTheListWhateverTheSpacingAndQuoting() {
        assertThat(ServerChecks.listsPlugin("pgoutput, test_decoding, wal2arrow")).isTrue();
        assertThat(ServerChecks.listsPlugin("wal2arrow")).isTrue();
        assertThat(ServerChecks.listsPlugin("\"wal2arrow\",pgoutput")).isTrue();
        assertThat(ServerChecks.listsPlugin("pgoutput, test_decoding")).isFalse();
        assertThat(ServerChecks.listsPlugin("wal2arrow_old")).isFalse();
        assertThat(ServerChecks.listsPlugin("")).isFalse();
    }
}
