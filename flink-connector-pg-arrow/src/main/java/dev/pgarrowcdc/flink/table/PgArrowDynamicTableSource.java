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

import dev.pgarrowcdc.flink.source.PgArrowDeserializationSchema;
import dev.pgarrowcdc.flink.source.PgArrowSource;
import dev.pgarrowcdc.flink.source.PgArrowSourceBuilder;
import dev.pgarrowcdc.flink.source.PgArrowSourceOptions;
import dev.pgarrowcdc.flink.source.StartupMode;

import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.table.api.ValidationException;
import org.apache.flink.table.connector.ChangelogMode;
import org.apache.flink.table.connector.source.DynamicTableSource;
import org.apache.flink.table.connector.source.ScanTableSource;
import org.apache.flink.table.connector.source.SourceProvider;
import org.apache.flink.table.connector.source.abilities.SupportsProjectionPushDown;
import org.apache.flink.table.connector.source.abilities.SupportsReadingMetadata;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.types.DataType;
import org.apache.flink.table.types.logical.LogicalType;
import org.apache.flink.table.types.logical.RowType;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * A table read by {@link PgArrowSource}. Projection pushdown reaches the server: the columns a
 * query uses are the only ones wal2arrow decodes and sends ({@code columns.<schema>.<table>}) and
 * the snapshot selects. Metadata columns: {@link PgArrowReadableMetadata}.
 */
public final class PgArrowDynamicTableSource
        implements ScanTableSource, SupportsReadingMetadata, SupportsProjectionPushDown {

    private final String flinkTable;
    private final Configuration options;
    private final List<String> physicalNames;
    private final List<LogicalType> physicalTypes;
    private final List<String> primaryKey;
    private final PgArrowConnectorOptions.ChangelogMode changelogMode;

    /** The physical columns the query reads, in produced order. */
    private List<String> projectedNames;

    private List<String> metadataKeys = Collections.emptyList();
    private DataType producedDataType;
    private boolean checked;

    PgArrowDynamicTableSource(
            String flinkTable,
            Configuration options,
            List<String> physicalNames,
            List<LogicalType> physicalTypes,
            List<String> primaryKey,
            PgArrowConnectorOptions.ChangelogMode changelogMode,
            DataType physicalDataType) {
        this.flinkTable = flinkTable;
        this.options = options;
        this.physicalNames = physicalNames;
        this.physicalTypes = physicalTypes;
        this.primaryKey = primaryKey;
        this.changelogMode = changelogMode;
        this.projectedNames = physicalNames;
        this.producedDataType = physicalDataType;
    }

    @Override
    public ChangelogMode getChangelogMode() {
        if (options.get(PgArrowSourceOptions.STARTUP_MODE) == StartupMode.SNAPSHOT) {
            return ChangelogMode.insertOnly();
        }
        return changelogMode == PgArrowConnectorOptions.ChangelogMode.UPSERT
                ? ChangelogMode.upsert()
                : ChangelogMode.all();
    }

    @Override
    public ScanRuntimeProvider getScanRuntimeProvider(ScanContext context) {
        List<LogicalType> projectedTypes =
                projectedNames.stream()
                        .map(n -> physicalTypes.get(physicalNames.indexOf(n)))
                        .collect(Collectors.toList());
        List<PgArrowReadableMetadata> metadata =
                metadataKeys.stream()
                        .map(PgArrowReadableMetadata::ofKey)
                        .collect(Collectors.toList());
        TypeInformation<RowData> producedType = context.createTypeInformation(producedDataType);
        PgArrowSource<RowData> source =
                build(
                        new PgArrowRowDataDeserializationSchema(
                                flinkTable,
                                projectedNames,
                                projectedTypes,
                                metadata,
                                changelogMode == PgArrowConnectorOptions.ChangelogMode.UPSERT,
                                primaryKey,
                                options.get(PgArrowSourceOptions.DATABASE_NAME),
                                producedType));
        if (!checked) {
            DeclaredSchemaCheck.check(
                    source.config(),
                    flinkTable,
                    physicalNames,
                    physicalTypes,
                    primaryKey,
                    changelogMode == PgArrowConnectorOptions.ChangelogMode.UPSERT);
            checked = true;
        }
        return SourceProvider.of(source);
    }

    /**
     * The source for these options and this projection.
     *
     * @throws ValidationException with every problem {@link PgArrowSourceBuilder#build()} found
     */
    PgArrowSource<RowData> build(PgArrowDeserializationSchema<RowData> deserializer) {
        PgArrowSourceBuilder<RowData> builder = PgArrowSource.builder();
        for (ConfigOption<?> option : PgArrowDynamicTableFactory.sourceOptions()) {
            copy(option, builder);
        }
        // A query using only metadata still needs some column per row: the first declared one.
        builder.projectedColumns(
                projectedNames.isEmpty()
                        ? physicalNames.subList(0, Math.min(1, physicalNames.size()))
                        : projectedNames);
        builder.deserializer(deserializer);
        try {
            return builder.build();
        } catch (IllegalArgumentException e) {
            throw new ValidationException(
                    "Invalid options of Flink table "
                            + flinkTable
                            + " ('connector' = '"
                            + PgArrowDynamicTableFactory.IDENTIFIER
                            + "'): "
                            + e.getMessage(),
                    e);
        }
    }

    /** Checks the options and the declared schema without reaching the server. */
    void validate() {
        build(
                PgArrowDeserializationSchema.rowData(
                        RowType.of(
                                physicalTypes.toArray(new LogicalType[0]),
                                physicalNames.toArray(new String[0]))));
    }

    private <V> void copy(ConfigOption<V> option, PgArrowSourceBuilder<RowData> builder) {
        options.getOptional(option).ifPresent(v -> builder.option(option, v));
    }

    @Override
    public Map<String, DataType> listReadableMetadata() {
        Map<String, DataType> metadata = new LinkedHashMap<>();
        for (PgArrowReadableMetadata m : PgArrowReadableMetadata.values()) {
            metadata.put(m.key, m.type);
        }
        return metadata;
    }

    @Override
    public void applyReadableMetadata(List<String> metadataKeys, DataType producedDataType) {
        this.metadataKeys = new ArrayList<>(metadataKeys);
        this.producedDataType = producedDataType;
    }

    @Override
    public boolean supportsNestedProjection() {
        return false;
    }

    @Override
    public void applyProjection(int[][] projectedFields, DataType producedDataType) {
        List<String> names = new ArrayList<>(projectedFields.length);
        for (int[] path : projectedFields) {
            names.add(physicalNames.get(path[0]));
        }
        this.projectedNames = names;
        this.producedDataType = producedDataType;
    }

    @Override
    public DynamicTableSource copy() {
        PgArrowDynamicTableSource copy =
                new PgArrowDynamicTableSource(
                        flinkTable,
                        options,
                        physicalNames,
                        physicalTypes,
                        primaryKey,
                        changelogMode,
                        producedDataType);
        copy.projectedNames = projectedNames;
        copy.metadataKeys = metadataKeys;
        copy.checked = checked;
        return copy;
    }

    @Override
    public String asSummaryString() {
        return "pg-arrow-cdc";
    }

    /** The physical columns the query reads (for tests). */
    List<String> projectedNames() {
        return projectedNames;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof PgArrowDynamicTableSource)) {
            return false;
        }
        PgArrowDynamicTableSource that = (PgArrowDynamicTableSource) o;
        return flinkTable.equals(that.flinkTable)
                && options.equals(that.options)
                && physicalNames.equals(that.physicalNames)
                && physicalTypes.equals(that.physicalTypes)
                && primaryKey.equals(that.primaryKey)
                && changelogMode == that.changelogMode
                && projectedNames.equals(that.projectedNames)
                && metadataKeys.equals(that.metadataKeys)
                && producedDataType.equals(that.producedDataType);
    }

    @Override
    public int hashCode() {
        return Objects.hash(
                flinkTable,
                options,
                physicalNames,
                physicalTypes,
                primaryKey,
                changelogMode,
                projectedNames,
                metadataKeys,
                producedDataType);
    }
}
