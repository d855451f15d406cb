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

import dev.pgarrowcdc.flink.source.split.TableId;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class SlotNamesTest {

    @Test
    void aPlainTableGetsTheReadableName() {
        assertThat(SlotNames.slotName("flink", new TableId("public", "user_orders")))
                .isEqualTo("flink_public_user_orders");
    }

    @Test
    void namesAreStable() {
        TableId t = new TableId("Sales", "Orders 2024");
        assertThat(SlotNames.slotName("flink", t)).isEqualTo(SlotNames.slotName("flink", t));
    }

    @Test
    void namesThatNeedSanitizingOrShorteningGetAHashSuffixAndStayValid() {
        String mixed = SlotNames.slotName("flink", new TableId("public", "Orders"));
        String longName = SlotNames.slotName("flink", new TableId("public", "x".repeat(200)));
        String unicode = SlotNames.slotName("flink", new TableId("public", "bestellungen_ä"));

        for (String name : List.of(mixed, longName, unicode)) {
            assertThat(name).matches("[a-z0-9_]+").contains("__");
            assertThat(name.getBytes(java.nio.charset.StandardCharsets.UTF_8).length)
                    .isLessThanOrEqualTo(63);
        }
        assertThat(mixed).matches("flink_public_orders__[0-9a-f]{10}");
        assertThat(longName).hasSize(63).startsWith("flink_public_xxx");
    }

    @Test
    void namesThatLookAlikeAfterSanitizingOrSplittingDiffer() {
        List<TableId> lookalikes =
                List.of(
                        new TableId("public", "orders"),
                        new TableId("public", "Orders"),
                        new TableId("public", "ORDERS"),
                        new TableId("public", "orders "),
                        new TableId("a_b", "c"),
                        new TableId("a", "b_c"),
                        new TableId("a", "b__c"),
                        new TableId("a_", "_b_c"),
                        new TableId("public", "x".repeat(100) + "1"),
                        new TableId("public", "x".repeat(100) + "2"));
        Set<String> names = new HashSet<>();
        List<String> all = new ArrayList<>();
        for (TableId t : lookalikes) {
            String name = SlotNames.slotName("flink", t);
            names.add(name);
            all.add(name);
        }
        assertThat(names).as("slot names %s", all).hasSize(lookalikes.size());
    }

    @Test
    void thePrefixIsCheckedWithTheFix() {
        assertThat(SlotNames.checkPrefix("flink_shop")).isNull();
        assertThat(SlotNames.checkPrefix(null)).startsWith("'slot.name' is not set");
        assertThat(SlotNames.checkPrefix("shop_")).contains("single underscores (not at the end)");
        assertThat(SlotNames.checkPrefix("a__b")).isNotNull();
        assertThat(SlotNames.checkPrefix("1abc")).isNotNull();
        assertThat(SlotNames.checkPrefix("a".repeat(33))).contains("at most 32 characters");
    }
}
