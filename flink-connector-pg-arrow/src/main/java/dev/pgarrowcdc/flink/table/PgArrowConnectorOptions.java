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
package dev.pgarrowcdc.flink.table;

import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.configuration.DescribedEnum;
import org.apache.flink.configuration.description.InlineElement;

import java.util.Arrays;
import java.util.Collections;
import java.util.List;

import static org.apache.flink.configuration.description.TextElement.text;

/**
 * The options only the SQL connector has. Every other option of {@code 'connector' =
 * 'pg-arrow-cdc'} is one of {@link dev.pgarrowcdc.flink.source.PgArrowSourceOptions}, defined once
 * and shared with the DataStream builder.
 */
public final class PgArrowConnectorOptions {

    /** How updates and deletes are emitted. */
    public enum ChangelogMode implements DescribedEnum {
        ALL(
                "all",
                "+I, -U, +U and -D rows: a full retract changelog. Needs REPLICA IDENTITY FULL"
                        + " on every captured table (the old row of each UPDATE and DELETE)."),
        UPSERT(
                "upsert",
                "+I, +U and -D rows keyed by the table's PRIMARY KEY (no -U; Flink"
                        + " restores it from state). Works with REPLICA IDENTITY DEFAULT.");

        private final String value;
        private final String description;

        ChangelogMode(String value, String description) {
            this.value = value;
            this.description = description;
        }

        @Override
        public String toString() {
            return value;
        }

        @Override
        public InlineElement getDescription() {
            return text(description);
        }
    }

    public static final ConfigOption<ChangelogMode> CHANGELOG_MODE =
            ConfigOptions.key("changelog-mode")
                    .enumType(ChangelogMode.class)
                    .defaultValue(ChangelogMode.ALL)
                    .withDescription("The changelog the table source produces (as postgres-cdc).");

    /**
     * Options of postgres-cdc a DDL may still carry, accepted so it switches by 'connector' alone.
     * (postgres-cdc's connect.timeout and connect.max-retries are real options of the source.)
     */
    static final List<ConfigOption<String>> IGNORED_POSTGRES_CDC_OPTIONS =
            Collections.unmodifiableList(
                    Arrays.asList(
                            ignored("decoding.plugin.name", "the plugin is always wal2arrow"),
                            ignored(
                                    "scan.incremental.snapshot.enabled",
                                    "the snapshot is per table"),
                            ignored(
                                    "scan.incremental.snapshot.backfill.skip",
                                    "the snapshot is per table"),
                            ignored(
                                    "scan.incremental.close-idle-reader.enabled",
                                    "readers stay open"),
                            ignored(
                                    "scan.newly-added-table.enabled",
                                    "new matching tables are always picked up (see scan.table-discovery.interval)"),
                            ignored(
                                    "scan.lsn-commit.checkpoints-num-delay",
                                    "LSNs are confirmed when a checkpoint completes"),
                            ignored("chunk-meta.group.size", "the snapshot is per table"),
                            ignored(
                                    "split-key.even-distribution.factor.upper-bound",
                                    "the snapshot is per table"),
                            ignored(
                                    "split-key.even-distribution.factor.lower-bound",
                                    "the snapshot is per table"),
                            ignored("connection.pool.size", "no connection pool")));

    /** postgres-cdc passes {@code debezium.*} to Debezium; here they are accepted and ignored. */
    static final String IGNORED_DEBEZIUM_PREFIX = "debezium.";

    private static ConfigOption<String> ignored(String key, String why) {
        return ConfigOptions.key(key)
                .stringType()
                .noDefaultValue()
                .withDescription(
                        "postgres-cdc's option, accepted and ignored (logged): " + why + ".");
    }

    private PgArrowConnectorOptions() {}
}
