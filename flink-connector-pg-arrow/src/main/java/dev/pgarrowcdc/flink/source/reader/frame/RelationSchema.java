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
package dev.pgarrowcdc.flink.source.reader.frame;

import org.apache.flink.table.types.logical.LogicalType;
import org.apache.flink.table.types.logical.RowType;

import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The shape of one relation as a wal2arrow {@code S} frame describes it: the Arrow schema (field 0
 * {@code __op}, then the table's columns) and what its metadata says about the table and each
 * column (PROTOCOL.md section 3.2). Immutable; the Flink {@link RowType} is built once.
 */
public final class RelationSchema {

    /** Name of Arrow field 0, the Flink {@code RowKind} byte. */
    public static final String OP_FIELD = "__op";

    static final String META_VERSION = "wal2arrow.version";
    static final String META_RELID = "wal2arrow.relid";
    static final String META_SCHEMA_VERSION = "wal2arrow.schema_version";
    static final String META_NAMESPACE = "wal2arrow.namespace";
    static final String META_TABLE = "wal2arrow.table";
    static final String META_REPLICA_IDENTITY = "wal2arrow.replica_identity";
    static final String META_ATTNUM = "wal2arrow.attnum";
    static final String META_TYPE_OID = "wal2arrow.type_oid";
    static final String META_TYPE_NAME = "wal2arrow.type_name";
    static final String META_TYPMOD = "wal2arrow.typmod";
    static final String META_BASE_TYPE_OID = "wal2arrow.base_type_oid";
    static final String META_NOT_NULL = "wal2arrow.not_null";
    static final String META_PRIMARY_KEY = "wal2arrow.primary_key";
    static final String META_IDENTITY = "wal2arrow.identity";
    static final String META_GENERATED = "wal2arrow.generated";

    /** The table's REPLICA IDENTITY, which decides what {@code -U}/{@code -D} rows carry. */
    public enum ReplicaIdentity {
        DEFAULT,
        FULL,
        INDEX,
        NOTHING;

        static ReplicaIdentity fromMetadata(String value) {
            if (value == null) {
                return null;
            }
            switch (value) {
                case "default":
                    return DEFAULT;
                case "full":
                    return FULL;
                case "index":
                    return INDEX;
                case "nothing":
                    return NOTHING;
                default:
                    return null;
            }
        }
    }

    private final long relationOid;
    private final int schemaVersion;
    private final String namespace;
    private final String tableName;
    private final ReplicaIdentity replicaIdentity;
    private final Schema arrowSchema;
    private final List<Column> columns;
    private final RowType rowType;

    private RelationSchema(
            long relationOid,
            int schemaVersion,
            String namespace,
            String tableName,
            ReplicaIdentity replicaIdentity,
            Schema arrowSchema,
            List<Column> columns) {
        this.relationOid = relationOid;
        this.schemaVersion = schemaVersion;
        this.namespace = namespace;
        this.tableName = tableName;
        this.replicaIdentity = replicaIdentity;
        this.arrowSchema = arrowSchema;
        this.columns = Collections.unmodifiableList(columns);
        List<RowType.RowField> fields = new ArrayList<>(columns.size());
        for (Column c : columns) {
            fields.add(new RowType.RowField(c.name(), c.logicalType()));
        }
        this.rowType = new RowType(fields);
    }

    /**
     * Reads a schema as wal2arrow writes it, taking relation OID and schema version from its
     * metadata. {@code source} names where it came from (e.g. the slot) for error messages.
     *
     * @throws FrameFormatException when the schema is not one wal2arrow writes
     */
    public static RelationSchema fromArrowSchema(Schema schema, String source) {
        Map<String, String> meta = schema.getCustomMetadata();
        String what = "Arrow schema from " + source;
        long oid = unsigned32(requireMeta(meta, META_RELID, what), META_RELID, what);
        long version =
                unsigned32(requireMeta(meta, META_SCHEMA_VERSION, what), META_SCHEMA_VERSION, what);
        return fromArrowSchema(schema, oid, (int) version, source);
    }

    /**
     * As {@link #fromArrowSchema(Schema, String)}, checking that the metadata agrees with the
     * relation OID and schema version of the {@code S} frame header.
     */
    static RelationSchema fromArrowSchema(
            Schema schema, long relationOid, int schemaVersion, String source) {
        String what =
                "Arrow schema of relation OID "
                        + relationOid
                        + " version "
                        + Integer.toUnsignedString(schemaVersion)
                        + " from "
                        + source;
        Map<String, String> meta = schema.getCustomMetadata();
        if (meta == null) {
            meta = Collections.emptyMap();
        }
        String metaVersion = requireMeta(meta, META_VERSION, what);
        if (!"1".equals(metaVersion)) {
            throw new FrameFormatException(
                    what
                            + ": expected metadata "
                            + META_VERSION
                            + " = 1 but found '"
                            + metaVersion
                            + "'");
        }
        long metaOid = unsigned32(requireMeta(meta, META_RELID, what), META_RELID, what);
        if (metaOid != relationOid) {
            throw new FrameFormatException(
                    what
                            + ": expected metadata "
                            + META_RELID
                            + " = "
                            + relationOid
                            + " (the frame header's) but found "
                            + metaOid);
        }
        long metaSchemaVersion =
                unsigned32(requireMeta(meta, META_SCHEMA_VERSION, what), META_SCHEMA_VERSION, what);
        if (metaSchemaVersion != Integer.toUnsignedLong(schemaVersion)) {
            throw new FrameFormatException(
                    what
                            + ": expected metadata "
                            + META_SCHEMA_VERSION
                            + " = "
                            + Integer.toUnsignedString(schemaVersion)
                            + " (the frame header's) but found "
                            + metaSchemaVersion);
        }
        String namespace = requireMeta(meta, META_NAMESPACE, what);
        String table = requireMeta(meta, META_TABLE, what);
        String identityText = requireMeta(meta, META_REPLICA_IDENTITY, what);
        ReplicaIdentity identity = ReplicaIdentity.fromMetadata(identityText);
        if (identity == null) {
            throw new FrameFormatException(
                    what
                            + ": expected metadata "
                            + META_REPLICA_IDENTITY
                            + " to be default, full, index or nothing but found '"
                            + identityText
                            + "'");
        }
        List<Field> fields = schema.getFields();
        if (fields.isEmpty()
                || !OP_FIELD.equals(fields.get(0).getName())
                || !new ArrowType.Int(8, true).equals(fields.get(0).getType())) {
            throw new FrameFormatException(
                    what
                            + ": expected field 0 to be '"
                            + OP_FIELD
                            + "' Int8 but found "
                            + (fields.isEmpty() ? "no fields" : fields.get(0).toString()));
        }
        String qualified = namespace + '.' + table;
        List<Column> columns = new ArrayList<>(fields.size() - 1);
        for (int i = 1; i < fields.size(); i++) {
            columns.add(Column.fromField(fields.get(i), i, qualified));
        }
        return new RelationSchema(
                relationOid, schemaVersion, namespace, table, identity, schema, columns);
    }

    private static String requireMeta(Map<String, String> meta, String key, String what) {
        String value = meta == null ? null : meta.get(key);
        if (value == null) {
            throw new FrameFormatException(
                    what + ": expected custom metadata key '" + key + "' but found none");
        }
        return value;
    }

    private static long unsigned32(String text, String key, String what) {
        try {
            long v = Long.parseLong(text);
            if (v < 0 || v > 0xFFFFFFFFL) {
                throw new NumberFormatException("out of the u32 range");
            }
            return v;
        } catch (NumberFormatException e) {
            throw new FrameFormatException(
                    what
                            + ": expected metadata "
                            + key
                            + " to be an unsigned 32-bit decimal but"
                            + " found '"
                            + text
                            + "'");
        }
    }

    /** The relation's OID (unsigned 32-bit). */
    public long relationOid() {
        return relationOid;
    }

    /** Schema version within the decoding session (PROTOCOL.md: starts at 1, +1 per change). */
    public int schemaVersion() {
        return schemaVersion;
    }

    public String namespace() {
        return namespace;
    }

    public String tableName() {
        return tableName;
    }

    /** {@code namespace.table}, unquoted, for messages. */
    public String qualifiedName() {
        return namespace + '.' + tableName;
    }

    public ReplicaIdentity replicaIdentity() {
        return replicaIdentity;
    }

    /** The whole Arrow schema, {@code __op} included. */
    public Schema arrowSchema() {
        return arrowSchema;
    }

    /** The table's columns in Arrow field order ({@code __op} excluded). */
    public List<Column> columns() {
        return columns;
    }

    public int columnCount() {
        return columns.size();
    }

    /** The column at a {@code RowData} position (Arrow field {@code position + 1}). */
    public Column column(int position) {
        return columns.get(position);
    }

    /** The column with this name, or {@code null}. */
    public Column column(String name) {
        for (Column c : columns) {
            if (c.name().equals(name)) {
                return c;
            }
        }
        return null;
    }

    /** The Flink row type of the table's columns (nullable fields, {@code __op} excluded). */
    public RowType toRowType() {
        return rowType;
    }

    @Override
    public String toString() {
        return "RelationSchema{"
                + qualifiedName()
                + " oid="
                + relationOid
                + " version="
                + Integer.toUnsignedString(schemaVersion)
                + " identity="
                + replicaIdentity.name().toLowerCase(Locale.ROOT)
                + " columns="
                + columns
                + '}';
    }

    /** One table column of the relation. */
    public static final class Column {
        private final String name;
        private final int fieldIndex;
        private final int attnum;
        private final long typeOid;
        private final long baseTypeOid;
        private final String typeName;
        private final int typmod;
        private final boolean notNull;
        private final int primaryKeyPosition;
        private final boolean replicaIdentity;
        private final String generated;
        private final Field field;
        private final LogicalType logicalType;

        private Column(
                String name,
                int fieldIndex,
                int attnum,
                long typeOid,
                long baseTypeOid,
                String typeName,
                int typmod,
                boolean notNull,
                int primaryKeyPosition,
                boolean replicaIdentity,
                String generated,
                Field field,
                LogicalType logicalType) {
            this.name = name;
            this.fieldIndex = fieldIndex;
            this.attnum = attnum;
            this.typeOid = typeOid;
            this.baseTypeOid = baseTypeOid;
            this.typeName = typeName;
            this.typmod = typmod;
            this.notNull = notNull;
            this.primaryKeyPosition = primaryKeyPosition;
            this.replicaIdentity = replicaIdentity;
            this.generated = generated;
            this.field = field;
            this.logicalType = logicalType;
        }

        static Column fromField(Field field, int fieldIndex, String table) {
            String what = table + '.' + field.getName();
            Map<String, String> meta = field.getMetadata();
            return new Column(
                    field.getName(),
                    fieldIndex,
                    (int) number(meta, META_ATTNUM, 0, what),
                    number(meta, META_TYPE_OID, 0, what),
                    number(meta, META_BASE_TYPE_OID, 0, what),
                    meta.getOrDefault(META_TYPE_NAME, ""),
                    (int) number(meta, META_TYPMOD, -1, what),
                    "true".equals(meta.get(META_NOT_NULL)),
                    (int) number(meta, META_PRIMARY_KEY, 0, what),
                    "true".equals(meta.get(META_IDENTITY)),
                    meta.get(META_GENERATED),
                    field,
                    FlinkTypes.toLogicalType(field, what));
        }

        private static long number(Map<String, String> meta, String key, long absent, String what) {
            String text = meta.get(key);
            if (text == null) {
                return absent;
            }
            try {
                return Long.parseLong(text.trim());
            } catch (NumberFormatException e) {
                throw new FrameFormatException(
                        "Column "
                                + what
                                + ": expected metadata "
                                + key
                                + " to be a decimal number but found '"
                                + text
                                + "'");
            }
        }

        public String name() {
            return name;
        }

        /** Index of this column's field in the Arrow schema and batches (0 is {@code __op}). */
        public int fieldIndex() {
            return fieldIndex;
        }

        /** Position in the Flink {@code RowData} ({@code fieldIndex() - 1}). */
        public int position() {
            return fieldIndex - 1;
        }

        /** PostgreSQL attribute number ({@code attnum}), 0 when the plugin did not say. */
        public int attnum() {
            return attnum;
        }

        /** The column's type OID (for a domain, the domain's own OID). */
        public long typeOid() {
            return typeOid;
        }

        /** For a domain, its base type's OID; 0 otherwise. */
        public long baseTypeOid() {
            return baseTypeOid;
        }

        /** The type as {@code format_type} prints it, e.g. {@code numeric(10,2)}. */
        public String typeName() {
            return typeName;
        }

        /** The type modifier, -1 for none. */
        public int typmod() {
            return typmod;
        }

        public boolean notNull() {
            return notNull;
        }

        /** 1-based position in the primary key, 0 when not part of it. */
        public int primaryKeyPosition() {
            return primaryKeyPosition;
        }

        /** Part of the primary key. */
        public boolean isKey() {
            return primaryKeyPosition > 0;
        }

        /**
         * Part of the replica identity: present in {@code -U}/{@code -D} rows (every column under
         * FULL, none under NOTHING). Other columns are absent (unknown) in those rows.
         */
        public boolean isReplicaIdentity() {
            return replicaIdentity;
        }

        /** {@code stored} for a stored generated column, else {@code null}. */
        public String generated() {
            return generated;
        }

        /** The Arrow field, with its metadata. */
        public Field field() {
            return field;
        }

        /** The (nullable) Flink type this column maps to. */
        public LogicalType logicalType() {
            return logicalType;
        }

        @Override
        public String toString() {
            return name + ' ' + typeName + " -> " + logicalType.asSummaryString();
        }
    }
}
