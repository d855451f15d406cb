package dev.pgarrowcdc.flink.source.reader.frame;

import java.util.Objects;

/** {@code S}: the (new) shape of a relation; the following {@code R} frames conform to it. */
public final class SchemaFrame extends Frame {

    private final RelationSchema schema;

    public SchemaFrame(RelationSchema schema) {
        this.schema = Objects.requireNonNull(schema);
    }

    @Override
    public FrameKind kind() {
        return FrameKind.SCHEMA;
    }

    public long relationOid() {
        return schema.relationOid();
    }

    public int schemaVersion() {
        return schema.schemaVersion();
    }

    public RelationSchema schema() {
        return schema;
    }

    @Override
    public String toString() {
        return "SchemaFrame{" + schema + '}';
    }
}
