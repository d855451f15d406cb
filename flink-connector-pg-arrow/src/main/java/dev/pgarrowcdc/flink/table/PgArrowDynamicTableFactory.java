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

import dev.pgarrowcdc.flink.source.PgArrowSourceOptions;

import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ReadableConfig;
import org.apache.flink.table.api.ValidationException;
import org.apache.flink.table.catalog.Column;
import org.apache.flink.table.catalog.ResolvedSchema;
import org.apache.flink.table.connector.source.DynamicTableSource;
import org.apache.flink.table.factories.DynamicTableSourceFactory;
import org.apache.flink.table.factories.FactoryUtil;
import org.apache.flink.table.types.logical.LogicalType;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * {@code 'connector' = 'pg-arrow-cdc'}. The options are those of {@link PgArrowSourceOptions} (one
 * definition, shared with the DataStream builder) plus {@link PgArrowConnectorOptions}; names
 * follow postgres-cdc where the meaning is the same, and postgres-cdc's options that have no
 * meaning here are accepted and ignored, so a postgres-cdc table switches by changing {@code
 * connector}.
 */
public final class PgArrowDynamicTableFactory implements DynamicTableSourceFactory {

    private static final Logger LOG = LoggerFactory.getLogger(PgArrowDynamicTableFactory.class);

    public static final String IDENTIFIER = "pg-arrow-cdc";

    private static final List<ConfigOption<?>> REQUIRED =
            Collections.unmodifiableList(
                    Arrays.asList(
                            PgArrowSourceOptions.HOSTNAME,
                            PgArrowSourceOptions.USERNAME,
                            PgArrowSourceOptions.DATABASE_NAME,
                            PgArrowSourceOptions.TABLE_NAME,
                            PgArrowSourceOptions.SLOT_NAME));

    @Override
    public String factoryIdentifier() {
        return IDENTIFIER;
    }

    @Override
    public Set<ConfigOption<?>> requiredOptions() {
        return new HashSet<>(REQUIRED);
    }

    @Override
    public Set<ConfigOption<?>> optionalOptions() {
        Set<ConfigOption<?>> optional = new LinkedHashSet<>(sourceOptions());
        optional.removeAll(REQUIRED);
        optional.add(PgArrowConnectorOptions.CHANGELOG_MODE);
        // An ignored postgres-cdc key that the source later defines for real is the source's.
        Set<String> keys = optional.stream().map(ConfigOption::key).collect(Collectors.toSet());
        for (ConfigOption<String> ignored : PgArrowConnectorOptions.IGNORED_POSTGRES_CDC_OPTIONS) {
            if (!keys.contains(ignored.key())) {
                optional.add(ignored);
            }
        }
        return optional;
    }

    @Override
    public DynamicTableSource createDynamicTableSource(Context context) {
        FactoryUtil.TableFactoryHelper helper = FactoryUtil.createTableFactoryHelper(this, context);
        helper.validateExcept(PgArrowConnectorOptions.IGNORED_DEBEZIUM_PREFIX);
        ReadableConfig options = helper.getOptions();
        String flinkTable = context.getObjectIdentifier().asSummaryString();

        List<String> ignored =
                context.getCatalogTable().getOptions().keySet().stream()
                        .filter(
                                k ->
                                        k.startsWith(
                                                        PgArrowConnectorOptions
                                                                .IGNORED_DEBEZIUM_PREFIX)
                                                || PgArrowConnectorOptions
                                                                .IGNORED_POSTGRES_CDC_OPTIONS
                                                                .stream()
                                                                .anyMatch(o -> o.key().equals(k))
                                                        && sourceOptions().stream()
                                                                .noneMatch(o -> o.key().equals(k)))
                        .sorted()
                        .collect(Collectors.toList());
        if (!ignored.isEmpty()) {
            LOG.warn(
                    "Flink table {}: postgres-cdc options {} have no meaning for '{}' and are ignored",
                    flinkTable,
                    ignored,
                    IDENTIFIER);
        }

        ResolvedSchema schema = context.getCatalogTable().getResolvedSchema();
        List<String> names = new ArrayList<>();
        List<LogicalType> types = new ArrayList<>();
        for (Column column : schema.getColumns()) {
            if (column.isPhysical()) {
                names.add(column.getName());
                types.add(column.getDataType().getLogicalType());
            }
        }
        List<String> primaryKey =
                schema.getPrimaryKey().map(k -> k.getColumns()).orElse(Collections.emptyList());
        PgArrowConnectorOptions.ChangelogMode mode =
                options.get(PgArrowConnectorOptions.CHANGELOG_MODE);
        if (mode == PgArrowConnectorOptions.ChangelogMode.UPSERT && primaryKey.isEmpty()) {
            throw new ValidationException(
                    "Flink table "
                            + flinkTable
                            + " has 'changelog-mode' = 'upsert'"
                            + " but no PRIMARY KEY: declare the table's key, e.g. PRIMARY KEY (id) NOT ENFORCED,"
                            + " or use 'changelog-mode' = 'all'");
        }
        Configuration sourceOptions = new Configuration();
        for (ConfigOption<?> option : sourceOptions()) {
            copy(options, option, sourceOptions);
        }
        PgArrowDynamicTableSource source =
                new PgArrowDynamicTableSource(
                        flinkTable,
                        sourceOptions,
                        Collections.unmodifiableList(names),
                        Collections.unmodifiableList(types),
                        primaryKey,
                        mode,
                        schema.toPhysicalRowDataType());
        source.validate();
        return source;
    }

    private static <V> void copy(ReadableConfig from, ConfigOption<V> option, Configuration to) {
        from.getOptional(option).ifPresent(v -> to.set(option, v));
    }

    /** Every option of {@link PgArrowSourceOptions}, found by reflection so none is forgotten. */
    static List<ConfigOption<?>> sourceOptions() {
        List<ConfigOption<?>> options = new ArrayList<>();
        for (Field field : PgArrowSourceOptions.class.getFields()) {
            if (Modifier.isStatic(field.getModifiers())
                    && ConfigOption.class.equals(field.getType())) {
                try {
                    options.add((ConfigOption<?>) field.get(null));
                } catch (IllegalAccessException e) {
                    throw new IllegalStateException("Cannot read " + field, e);
                }
            }
        }
        return options;
    }
}
