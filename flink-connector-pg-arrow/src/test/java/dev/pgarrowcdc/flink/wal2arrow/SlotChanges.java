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
package dev.pgarrowcdc.flink.wal2arrow;

import dev.pgarrowcdc.flink.source.Lsn;
import dev.pgarrowcdc.flink.source.reader.frame.BeginFrame;
import dev.pgarrowcdc.flink.source.reader.frame.CommitFrame;
import dev.pgarrowcdc.flink.source.reader.frame.Frame;
import dev.pgarrowcdc.flink.source.reader.frame.FrameKind;
import dev.pgarrowcdc.flink.source.reader.frame.RelationSchema;
import dev.pgarrowcdc.flink.source.reader.frame.RowDataConverter;
import dev.pgarrowcdc.flink.source.reader.frame.RowsFrame;
import dev.pgarrowcdc.flink.source.reader.frame.ValueMark;
import dev.pgarrowcdc.flink.source.reader.frame.WalArrowFrameDecoder;

import org.apache.flink.table.data.ArrayData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.TimestampData;
import org.apache.flink.table.types.logical.ArrayType;
import org.apache.flink.table.types.logical.LogicalType;
import org.apache.flink.types.RowKind;

import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;

import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * What one call of {@code pg_logical_slot_get_binary_changes} (or {@code _peek_}) returned from a
 * wal2arrow slot, decoded by the Java decoder: the SQL rows (messages) with their lsn/xid, every
 * frame in order, R frames summarised as {@link Batch}es, rows as {@link Row}s, grouped into {@link
 * Transaction}s.
 */
final class SlotChanges {

    /** One row of the SQL function: one message of one or more frames. */
    static final class Message {
        final long lsn;
        final long xid;
        final int bytes;
        final List<Object> events = new ArrayList<>();

        Message(long lsn, long xid, int bytes) {
            this.lsn = lsn;
            this.xid = xid;
            this.bytes = bytes;
        }
    }

    /** An R frame, read and closed. */
    static final class Batch {
        final RelationSchema schema;
        final int rowCount;
        final long firstRowOrdinal;
        final int frameBytes;
        final long arrowBufferBytes;
        final int markCount;
        final List<Row> rows;
        final Message message;

        Batch(RowsFrame f, int frameBytes, long arrowBufferBytes, List<Row> rows, Message m) {
            this.schema = f.schema();
            this.rowCount = f.rowCount();
            this.firstRowOrdinal = f.firstRowOrdinal();
            this.frameBytes = frameBytes;
            this.arrowBufferBytes = arrowBufferBytes;
            this.markCount = f.markCount();
            this.rows = rows;
            this.message = m;
        }

        String table() {
            return schema.qualifiedName();
        }
    }

    /** One decoded row, with what is known about each of its values. */
    static final class Row {
        final RelationSchema schema;
        final RowKind kind;
        final RowData data;
        final ValueMark[] marks;
        final boolean[] absent;

        Row(RowsFrame frame, int row, RowDataConverter converter) {
            this.schema = frame.schema();
            this.data = converter.toRowData(frame, row);
            this.kind = data.getRowKind();
            int n = schema.columnCount();
            this.marks = new ValueMark[n];
            this.absent = new boolean[n];
            for (int p = 0; p < n; p++) {
                marks[p] = converter.mark(frame, row, p);
                absent[p] = converter.isAbsent(frame, row, p);
            }
        }

        int pos(String column) {
            RelationSchema.Column c = schema.column(column);
            if (c == null) {
                throw new AssertionError("no column " + column + " in " + schema);
            }
            return c.position();
        }

        boolean isNull(String column) {
            return data.isNullAt(pos(column));
        }

        /** Null, not absent and not marked: a real SQL NULL. */
        boolean isSqlNull(String column) {
            int p = pos(column);
            return data.isNullAt(p) && marks[p] == null && !absent[p];
        }

        ValueMark mark(String column) {
            return marks[pos(column)];
        }

        boolean absent(String column) {
            return absent[pos(column)];
        }

        /** The value as a plain Java object (String, Integer, BigDecimal, List, ...), or null. */
        Object value(String column) {
            int p = pos(column);
            return javaValue(data, p, schema.column(p).logicalType());
        }

        /** The value as comparable text: byte arrays in hex, everything else by toString. */
        String display(String column) {
            return display(value(column));
        }

        static String display(Object v) {
            if (v instanceof byte[]) {
                StringBuilder b = new StringBuilder("\\x");
                for (byte x : (byte[]) v) {
                    b.append(String.format("%02x", x & 0xFF));
                }
                return b.toString();
            }
            return String.valueOf(v);
        }

        List<String> columns() {
            return schema.columns().stream()
                    .map(RelationSchema.Column::name)
                    .collect(Collectors.toList());
        }

        @Override
        public String toString() {
            StringBuilder b =
                    new StringBuilder(kind.shortString())
                            .append(' ')
                            .append(schema.tableName())
                            .append('(');
            for (int p = 0; p < schema.columnCount(); p++) {
                if (p > 0) {
                    b.append(", ");
                }
                b.append(schema.column(p).name()).append('=');
                if (absent[p]) {
                    b.append("<absent>");
                } else if (marks[p] != null) {
                    b.append('<').append(marks[p]).append('>');
                } else {
                    b.append(display(javaValue(data, p, schema.column(p).logicalType())));
                }
            }
            return b.append(')').toString();
        }
    }

    /** B .. C with what lies between. */
    static final class Transaction {
        BeginFrame begin;
        CommitFrame commit;
        final List<Object> events = new ArrayList<>();
        final List<Message> messages = new ArrayList<>();

        List<Row> rows() {
            List<Row> out = new ArrayList<>();
            for (Object e : events) {
                if (e instanceof Batch) {
                    out.addAll(((Batch) e).rows);
                }
            }
            return out;
        }

        List<FrameKind> kinds() {
            return events.stream().map(SlotChanges::kindOf).collect(Collectors.toList());
        }
    }

    final List<Message> messages = new ArrayList<>();

    /** Every frame in order: Frame for B, S, C, T, M; Batch for R. */
    final List<Object> events = new ArrayList<>();

    final List<Transaction> transactions = new ArrayList<>();

    static FrameKind kindOf(Object event) {
        return event instanceof Batch ? FrameKind.ROWS : ((Frame) event).kind();
    }

    /** Option name/value pairs as the SQL function's VARIADIC text[] argument. */
    static SlotChanges get(Connection c, String slot, String... options) throws SQLException {
        return read(c, "get", slot, true, null, options);
    }

    static SlotChanges peek(Connection c, String slot, String... options) throws SQLException {
        return read(c, "peek", slot, true, null, options);
    }

    /**
     * Reads the slot; rows are kept when {@code keepRows}; {@code perBatch} sees every R frame
     * while it is open (e.g. to check values without keeping millions of rows).
     */
    static SlotChanges read(
            Connection c,
            String getOrPeek,
            String slot,
            boolean keepRows,
            Consumer<RowsFrame> perBatch,
            String... options)
            throws SQLException {
        SlotChanges out = new SlotChanges();
        boolean autoCommit = c.getAutoCommit();
        c.setAutoCommit(false);
        try (BufferAllocator allocator = new RootAllocator();
                WalArrowFrameDecoder decoder =
                        new WalArrowFrameDecoder(allocator, "slot '" + slot + "'");
                PreparedStatement ps =
                        c.prepareStatement(
                                "SELECT lsn::text, xid::text::bigint, data FROM pg_logical_slot_"
                                        + getOrPeek
                                        + "_binary_changes(?, NULL, NULL, VARIADIC ?)")) {
            Array opts = c.createArrayOf("text", options);
            ps.setString(1, slot);
            ps.setArray(2, opts);
            ps.setFetchSize(16);
            List<RowDataConverter> converters = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    byte[] data = rs.getBytes(3);
                    Message m = new Message(Lsn.parse(rs.getString(1)), rs.getLong(2), data.length);
                    out.messages.add(m);
                    ByteBuffer buf = ByteBuffer.wrap(data);
                    while (buf.hasRemaining()) {
                        int before = buf.position();
                        Frame f = decoder.decode(buf);
                        int frameBytes = buf.position() - before;
                        Object event = f;
                        if (f instanceof RowsFrame) {
                            try (RowsFrame rows = (RowsFrame) f) {
                                event = batch(rows, frameBytes, keepRows, perBatch, converters, m);
                            }
                        }
                        m.events.add(event);
                        out.add(event, m);
                    }
                }
            }
            c.commit();
        } finally {
            c.setAutoCommit(autoCommit);
        }
        return out;
    }

    private static Batch batch(
            RowsFrame f,
            int frameBytes,
            boolean keepRows,
            Consumer<RowsFrame> perBatch,
            List<RowDataConverter> converters,
            Message m) {
        if (perBatch != null) {
            perBatch.accept(f);
        }
        long bufferBytes =
                f.root().getFieldVectors().stream().mapToLong(v -> v.getBufferSize()).sum();
        List<Row> rows = Collections.emptyList();
        if (keepRows) {
            RowDataConverter converter = null;
            for (RowDataConverter rc : converters) {
                if (rc.schema() == f.schema()) {
                    converter = rc;
                }
            }
            if (converter == null) {
                converter = new RowDataConverter(f.schema());
                converters.add(converter);
            }
            rows = new ArrayList<>(f.rowCount());
            for (int r = 0; r < f.rowCount(); r++) {
                rows.add(new Row(f, r, converter));
            }
        }
        return new Batch(f, frameBytes, bufferBytes, rows, m);
    }

    private Transaction open;

    private void add(Object event, Message m) {
        events.add(event);
        FrameKind kind = kindOf(event);
        if (kind == FrameKind.BEGIN) {
            open = new Transaction();
            open.begin = (BeginFrame) event;
            transactions.add(open);
        }
        if (open != null) {
            if (open.messages.isEmpty() || open.messages.get(open.messages.size() - 1) != m) {
                open.messages.add(m);
            }
            if (kind == FrameKind.COMMIT) {
                open.commit = (CommitFrame) event;
                open = null;
            } else if (kind != FrameKind.BEGIN) {
                open.events.add(event);
            }
        }
    }

    List<Row> rows() {
        List<Row> out = new ArrayList<>();
        for (Object e : events) {
            if (e instanceof Batch) {
                out.addAll(((Batch) e).rows);
            }
        }
        return out;
    }

    List<Row> rows(String table) {
        return rows().stream()
                .filter(r -> r.schema.tableName().equals(table))
                .collect(Collectors.toList());
    }

    List<Batch> batches() {
        return events.stream()
                .filter(e -> e instanceof Batch)
                .map(e -> (Batch) e)
                .collect(Collectors.toList());
    }

    @SuppressWarnings("unchecked")
    <T extends Frame> List<T> frames(FrameKind kind) {
        return events.stream()
                .filter(e -> !(e instanceof Batch) && ((Frame) e).kind() == kind)
                .map(e -> (T) e)
                .collect(Collectors.toList());
    }

    List<FrameKind> kinds() {
        return events.stream().map(SlotChanges::kindOf).collect(Collectors.toList());
    }

    /** A RowData value as a plain Java object, for readable assertions. */
    static Object javaValue(RowData data, int p, LogicalType type) {
        if (data.isNullAt(p)) {
            return null;
        }
        switch (type.getTypeRoot()) {
            case BOOLEAN:
                return data.getBoolean(p);
            case TINYINT:
                return data.getByte(p);
            case SMALLINT:
                return data.getShort(p);
            case INTEGER:
            case DATE:
            case TIME_WITHOUT_TIME_ZONE:
                return data.getInt(p);
            case BIGINT:
                return data.getLong(p);
            case FLOAT:
                return data.getFloat(p);
            case DOUBLE:
                return data.getDouble(p);
            case DECIMAL:
                {
                    org.apache.flink.table.types.logical.DecimalType d =
                            (org.apache.flink.table.types.logical.DecimalType) type;
                    BigDecimal v =
                            data.getDecimal(p, d.getPrecision(), d.getScale()).toBigDecimal();
                    return v;
                }
            case CHAR:
            case VARCHAR:
                return data.getString(p).toString();
            case BINARY:
            case VARBINARY:
                return data.getBinary(p);
            case TIMESTAMP_WITHOUT_TIME_ZONE:
            case TIMESTAMP_WITH_LOCAL_TIME_ZONE:
                {
                    TimestampData t = data.getTimestamp(p, 6);
                    return t;
                }
            case ARRAY:
                {
                    ArrayData a = data.getArray(p);
                    LogicalType element = ((ArrayType) type).getElementType();
                    List<Object> out = new ArrayList<>(a.size());
                    for (int i = 0; i < a.size(); i++) {
                        out.add(arrayElement(a, i, element));
                    }
                    return out;
                }
            default:
                throw new AssertionError("unexpected type " + type);
        }
    }

    private static Object arrayElement(ArrayData a, int i, LogicalType type) {
        if (a.isNullAt(i)) {
            return null;
        }
        switch (type.getTypeRoot()) {
            case INTEGER:
                return a.getInt(i);
            case BIGINT:
                return a.getLong(i);
            case SMALLINT:
                return a.getShort(i);
            case VARCHAR:
                return a.getString(i).toString();
            case BOOLEAN:
                return a.getBoolean(i);
            case DOUBLE:
                return a.getDouble(i);
            default:
                throw new AssertionError("unexpected array element type " + type);
        }
    }

    /** Microseconds since the epoch of a TIMESTAMP / TIMESTAMP_LTZ value. */
    static long micros(TimestampData t) {
        return Math.multiplyExact(t.getMillisecond(), 1000L) + t.getNanoOfMillisecond() / 1000;
    }

    /** Creates a wal2arrow slot in the connection's database. */
    static void createSlot(Connection c, String slot) throws SQLException {
        try (PreparedStatement ps =
                c.prepareStatement("SELECT pg_create_logical_replication_slot(?, 'wal2arrow')")) {
            ps.setString(1, slot);
            ps.execute();
        }
    }
}
