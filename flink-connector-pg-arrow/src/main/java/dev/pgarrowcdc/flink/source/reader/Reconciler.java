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

import dev.pgarrowcdc.flink.source.Lsn;
import dev.pgarrowcdc.flink.source.PgArrowSourceConfig;
import dev.pgarrowcdc.flink.source.split.ChunkKey;
import dev.pgarrowcdc.flink.source.split.ChunkPiece;
import dev.pgarrowcdc.flink.source.split.Reconciliation;
import dev.pgarrowcdc.flink.source.split.TableId;
import dev.pgarrowcdc.flink.source.split.XidSnapshot;

import org.apache.flink.table.data.DecimalData;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.StringData;
import org.apache.flink.table.data.TimestampData;
import org.apache.flink.table.types.logical.LogicalType;
import org.apache.flink.table.types.logical.RowType;
import org.apache.flink.types.RowKind;
import org.apache.flink.util.FlinkRuntimeException;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;

/**
 * Reconciles a table's stream with its chunked snapshot (docs/snapshot.md has the argument). For
 * each row change of a decoded transaction X: the piece whose key range holds the row's key (the
 * old key for {@code -U}/{@code -D}, the new one for {@code +I}/{@code +U}) either saw X (X visible
 * in the piece's snapshot: the change is already in the emitted row, so it is dropped) or did not
 * (emitted). An UPDATE that moves a row between pieces of different verdicts comes out as the half
 * that is new: {@code -D} of the old key alone, or {@code +I} of the new key alone.
 *
 * <p>When X has the same verdict in every piece (the common case: X ended before the first chunk or
 * began after the last) no key is looked at. Otherwise keys of integer, numeric and uuid columns
 * are placed in Java, whose order for them is PostgreSQL's; keys with any other column are placed
 * by the server, one query per batch of rows, comparing in each column's own type and collation
 * (ICU and libc collations included), so the order is exactly PostgreSQL's.
 *
 * <p>End. Once {@code pg_snapshot_xmin(pg_current_snapshot())} reaches the largest xmax of the
 * pieces' snapshots, every transaction that any piece saw has ended; the WAL insert position
 * sampled then bounds their commit records, and once the stream is past it, reconciliation ends.
 */
final class Reconciler implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Reconciler.class);
    private static final long END_SAMPLE_INTERVAL_NANOS = 1_000_000_000L;

    private final PgArrowSourceConfig config;
    private final TableId table;
    private final ChunkKey key;
    private final List<ChunkPiece> pieces;
    private final XidSnapshot reference;
    private final long maxXmax;

    /** Per key column, the pieces' upper bounds (all but the last piece's). */
    private final String[][] bounds;

    private Connection connection;
    private PreparedStatement lookup;

    /** The WAL position past which no streamed transaction is in a piece; 0 while unknown. */
    private long endLsn;

    private long nextSampleNanos;
    private final boolean[] visible;

    /**
     * Per key column, how Java orders its values exactly as PostgreSQL does, or null when some
     * column has no such order here (the server places the keys then).
     */
    private final JavaOrder[] javaOrder;

    /** The bounds parsed for {@link #javaOrder}: [bound][column]. */
    private final Comparable<?>[][] parsedBounds;

    /** Key types whose order Java reproduces exactly. */
    private enum JavaOrder {
        /** smallint, integer, bigint: signed. */
        INTEGER,
        /** numeric: by value (a NaN key is refused). */
        NUMERIC,
        /** uuid: its 16 bytes unsigned, as memcmp. */
        UUID;

        static JavaOrder of(String type, String collation) {
            if (collation != null) {
                return null;
            }
            if (type.equals("smallint") || type.equals("integer") || type.equals("bigint")) {
                return INTEGER;
            }
            if (type.equals("numeric") || type.startsWith("numeric(")) {
                return NUMERIC;
            }
            if (type.equals("uuid")) {
                return UUID;
            }
            return null;
        }

        Comparable<?> parse(String text) {
            switch (this) {
                case INTEGER:
                    return Long.parseLong(text);
                case NUMERIC:
                    return new java.math.BigDecimal(text);
                default:
                    java.util.UUID u = java.util.UUID.fromString(text);
                    // The 16 bytes as an unsigned number: ordered as memcmp orders them.
                    return new java.math.BigInteger(
                            1,
                            java.nio.ByteBuffer.allocate(16)
                                    .putLong(u.getMostSignificantBits())
                                    .putLong(u.getLeastSignificantBits())
                                    .array());
            }
        }
    }

    /**
     * The piece of a key by Java comparison: the number of bounds below the key (bounds sorted,
     * compared column by column as PostgreSQL compares ROW values).
     */
    @SuppressWarnings({"unchecked", "rawtypes"})
    private int javaPiece(String[] keyText) {
        Comparable[] k = new Comparable[keyText.length];
        for (int c = 0; c < k.length; c++) {
            if (javaOrder[c] == JavaOrder.NUMERIC && "NaN".equals(keyText[c])) {
                throw new FlinkRuntimeException(
                        "pg-arrow-cdc: chunk key column '"
                                + key.column(c)
                                + "' of table "
                                + table
                                + " holds NaN, which the stream cannot place");
            }
            k[c] = javaOrder[c].parse(keyText[c]);
        }
        int lo = 0;
        int hi = parsedBounds.length;
        // first bound >= key; every bound before it is below the key
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            int cmp = 0;
            for (int c = 0; c < k.length && cmp == 0; c++) {
                cmp = ((Comparable) parsedBounds[mid][c]).compareTo(k[c]);
            }
            if (cmp < 0) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    Reconciler(PgArrowSourceConfig config, TableId table, Reconciliation reconciliation) {
        this.config = config;
        this.table = table;
        this.key = reconciliation.key();
        this.pieces = reconciliation.pieces();
        this.maxXmax = reconciliation.maxXmax();
        XidSnapshot ref = pieces.get(0).snapshot();
        for (ChunkPiece p : pieces) {
            if (p.snapshot().xmax() == maxXmax) {
                ref = p.snapshot();
            }
        }
        this.reference = ref;
        this.bounds = new String[key.size()][pieces.size() - 1];
        for (int i = 0; i + 1 < pieces.size(); i++) {
            String[] hi = pieces.get(i).hi();
            for (int c = 0; c < key.size(); c++) {
                bounds[c][i] = hi[c];
            }
        }
        this.visible = new boolean[pieces.size()];
        JavaOrder[] orders = new JavaOrder[key.size()];
        boolean java = true;
        for (int c = 0; c < key.size(); c++) {
            orders[c] = JavaOrder.of(key.type(c), key.collation(c));
            java &= orders[c] != null;
        }
        this.javaOrder = java ? orders : null;
        this.parsedBounds = new Comparable<?>[java ? pieces.size() - 1 : 0][];
        for (int i = 0; i < parsedBounds.length; i++) {
            parsedBounds[i] = new Comparable<?>[key.size()];
            for (int c = 0; c < key.size(); c++) {
                parsedBounds[i][c] = orders[c].parse(bounds[c][i]);
            }
        }
    }

    /** The chunk key's columns. */
    List<String> keyColumns() {
        return key.columns();
    }

    /**
     * Appends to {@code out} the records of {@code in} (one frame's, of transaction {@code xid32})
     * that no piece already shows. Records other than rows pass through.
     */
    void filter(long xid32, List<PgArrowRecord> in, List<PgArrowRecord> out) throws SQLException {
        long xid = reference.widen(xid32);
        boolean anyVisible = false;
        boolean allVisible = true;
        for (int i = 0; i < pieces.size(); i++) {
            visible[i] = pieces.get(i).snapshot().visible(xid);
            anyVisible |= visible[i];
            allVisible &= visible[i];
        }
        if (!anyVisible) {
            out.addAll(in);
            return;
        }
        int[] piece = null;
        if (!allVisible) {
            piece = piecesOf(in, xid);
        }
        for (int r = 0; r < in.size(); r++) {
            PgArrowRecord record = in.get(r);
            if (record.kind != PgArrowRecord.Kind.ROW) {
                out.add(record);
                continue;
            }
            boolean keep = piece == null ? !allVisible : !visible[piece[r]];
            RowKind kind = record.row.getRowKind();
            if (kind == RowKind.UPDATE_BEFORE
                    && r + 1 < in.size()
                    && in.get(r + 1).kind == PgArrowRecord.Kind.ROW
                    && in.get(r + 1).row.getRowKind() == RowKind.UPDATE_AFTER) {
                PgArrowRecord after = in.get(r + 1);
                boolean keepAfter = piece == null ? !allVisible : !visible[piece[r + 1]];
                if (keep && keepAfter) {
                    out.add(record);
                    out.add(after);
                } else if (keep) {
                    out.add(record.withRow(withKind(record.row, RowKind.DELETE)));
                } else if (keepAfter) {
                    out.add(after.withRow(withKind(after.row, RowKind.INSERT)));
                }
                r++;
                continue;
            }
            if (keep) {
                out.add(record);
            }
        }
    }

    /** Per record of {@code in}, the index of the piece that holds its row's key (rows only). */
    private int[] piecesOf(List<PgArrowRecord> in, long xid) throws SQLException {
        int[] piece = new int[in.size()];
        List<Integer> at = new ArrayList<>();
        List<String[]> keys = new ArrayList<>();
        for (int r = 0; r < in.size(); r++) {
            PgArrowRecord record = in.get(r);
            if (record.kind == PgArrowRecord.Kind.ROW) {
                at.add(r);
                keys.add(keyOf(record, xid));
            }
        }
        if (keys.isEmpty()) {
            return piece;
        }
        int[] placed = place(keys);
        for (int i = 0; i < placed.length; i++) {
            piece[at.get(i)] = placed[i];
        }
        return piece;
    }

    /** The index of the piece that holds each key (text values of the key columns). */
    int[] place(List<String[]> keys) throws SQLException {
        int[] piece = new int[keys.size()];
        if (javaOrder != null) {
            for (int i = 0; i < keys.size(); i++) {
                piece[i] = javaPiece(keys.get(i));
            }
            return piece;
        }
        if (lookup == null) {
            prepareLookup();
        }
        int k = key.size();
        int[] ordinals = new int[keys.size()];
        for (int i = 0; i < ordinals.length; i++) {
            ordinals[i] = i;
        }
        int p = k + 1;
        lookup.setArray(p++, connection.createArrayOf("int4", box(ordinals)));
        for (int c = 0; c < k; c++) {
            String[] column = new String[keys.size()];
            for (int i = 0; i < column.length; i++) {
                column[i] = keys.get(i)[c];
            }
            lookup.setArray(p++, connection.createArrayOf("text", column));
        }
        try (ResultSet rs = lookup.executeQuery()) {
            while (rs.next()) {
                piece[rs.getInt(1)] = rs.getInt(2);
            }
        }
        return piece;
    }

    /**
     * The lookup: per key (ordinal and text values) the number of piece bounds below it, which is
     * the index of its piece. Bounds and keys are cast to the columns' types and compared under the
     * columns' collations.
     */
    private void prepareLookup() throws SQLException {
        connection = config.connect();
        int k = key.size();
        StringBuilder b = new StringBuilder("(SELECT count(*) FROM unnest(");
        StringBuilder q = new StringBuilder("unnest(CAST(? AS int4[])");
        StringBuilder bCols = new StringBuilder();
        StringBuilder qCols = new StringBuilder("o");
        StringBuilder left = new StringBuilder("ROW(");
        StringBuilder right = new StringBuilder("ROW(");
        for (int c = 0; c < k; c++) {
            b.append(c == 0 ? "" : ", ").append("CAST(? AS text[])");
            q.append(", CAST(? AS text[])");
            bCols.append(c == 0 ? "" : ", ").append("c").append(c);
            qCols.append(", c").append(c);
            String collate = key.collation(c) == null ? "" : " COLLATE " + key.collation(c);
            left.append(c == 0 ? "" : ", ")
                    .append("CAST(q.c")
                    .append(c)
                    .append(" AS ")
                    .append(key.type(c))
                    .append(')')
                    .append(collate);
            right.append(c == 0 ? "" : ", ")
                    .append("CAST(b.c")
                    .append(c)
                    .append(" AS ")
                    .append(key.type(c))
                    .append(')')
                    .append(collate);
        }
        b.append(") AS b(")
                .append(bCols)
                .append(") WHERE ")
                .append(left)
                .append(") > ")
                .append(right)
                .append("))");
        q.append(") AS q(").append(qCols).append(')');
        // The bounds' parameters come first in the text; they stay bound across executions.
        lookup = connection.prepareStatement("SELECT q.o, " + b + " FROM " + q);
        for (int c = 0; c < k; c++) {
            lookup.setArray(c + 1, connection.createArrayOf("text", bounds[c]));
        }
    }

    private static Integer[] box(int[] values) {
        Integer[] out = new Integer[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = values[i];
        }
        return out;
    }

    /** The row's chunk key as the columns' text forms. */
    private String[] keyOf(PgArrowRecord record, long xid) {
        RowType type = record.context.rowType();
        String[] out = new String[key.size()];
        for (int c = 0; c < key.size(); c++) {
            int field = type.getFieldNames().indexOf(key.column(c));
            PgArrowRecord.RowView view = new PgArrowRecord.RowView().of(record);
            if (field < 0 || record.row.isNullAt(field) || view.unknownValue(field) != null) {
                throw new FlinkRuntimeException(
                        "pg-arrow-cdc: a "
                                + record.row.getRowKind()
                                + " row of table "
                                + table
                                + " (transaction "
                                + xid
                                + ") lacks chunk key"
                                + " column '"
                                + key.column(c)
                                + "', so it cannot be matched with the"
                                + " snapshot chunk that holds it. The old rows of a table must carry the"
                                + " chunk key: ALTER TABLE "
                                + table.quoted()
                                + " REPLICA IDENTITY FULL (or"
                                + " chunk by the primary key), and read every chunk key column.");
            }
            out[c] = text(record.row, field, type.getTypeAt(field));
        }
        return out;
    }

    /** A key value's PostgreSQL input text, from the Flink value the stream made. */
    static String text(RowData row, int field, LogicalType type) {
        Object v = ((GenericRowData) row).getField(field);
        if (v instanceof StringData) {
            return v.toString();
        }
        if (v instanceof DecimalData) {
            return ((DecimalData) v).toBigDecimal().toPlainString();
        }
        if (v instanceof TimestampData) {
            TimestampData t = (TimestampData) v;
            switch (type.getTypeRoot()) {
                case TIMESTAMP_WITH_LOCAL_TIME_ZONE:
                    return t.toInstant().toString();
                default:
                    return t.toLocalDateTime().toString();
            }
        }
        if (v instanceof byte[]) {
            StringBuilder b = new StringBuilder("\\x");
            for (byte x : (byte[]) v) {
                b.append(Character.forDigit((x >> 4) & 0xF, 16))
                        .append(Character.forDigit(x & 0xF, 16));
            }
            return b.toString();
        }
        switch (type.getTypeRoot()) {
            case DATE:
                return LocalDate.ofEpochDay((Integer) v).toString();
            case BOOLEAN:
            case TINYINT:
            case SMALLINT:
            case INTEGER:
            case BIGINT:
            case FLOAT:
            case DOUBLE:
                return v.toString();
            default:
                throw new FlinkRuntimeException(
                        "pg-arrow-cdc: a chunk key column of type "
                                + type.asSummaryString()
                                + " cannot be matched with the snapshot's chunks;"
                                + " set 'scan.incremental.snapshot.chunk.key-column' to a column of an"
                                + " integer, numeric, text, uuid, date, timestamp, boolean or bytea type");
        }
    }

    private static GenericRowData withKind(RowData row, RowKind kind) {
        GenericRowData g = (GenericRowData) row;
        GenericRowData copy = new GenericRowData(kind, g.getArity());
        for (int i = 0; i < g.getArity(); i++) {
            copy.setField(i, g.getField(i));
        }
        return copy;
    }

    /**
     * Whether reconciliation is over at {@code position} (a transaction boundary the stream has
     * handed over: every change committed before it went out). Samples the server's oldest running
     * transaction now and then until every transaction a piece saw has ended.
     */
    boolean endedAt(long position) throws SQLException {
        if (endLsn == 0) {
            long now = System.nanoTime();
            if (now - nextSampleNanos < 0) {
                return false;
            }
            nextSampleNanos = now + END_SAMPLE_INTERVAL_NANOS;
            if (connection == null) {
                connection = config.connect();
            }
            try (Statement st = connection.createStatement();
                    ResultSet rs =
                            st.executeQuery(
                                    "SELECT pg_catalog.pg_snapshot_xmin("
                                            + "pg_catalog.pg_current_snapshot())::text::int8,"
                                            + " pg_catalog.pg_current_wal_insert_lsn()::text")) {
                rs.next();
                if (rs.getLong(1) >= maxXmax) {
                    endLsn = Lsn.parse(rs.getString(2));
                    LOG.info(
                            "Table {}: every transaction a snapshot chunk saw has ended; its"
                                    + " stream is reconciled once past {}",
                            table,
                            Lsn.format(endLsn));
                } else {
                    return false;
                }
            }
        }
        return Long.compareUnsigned(position, endLsn) >= 0;
    }

    @Override
    public void close() {
        try {
            if (connection != null) {
                connection.close();
            }
        } catch (SQLException e) {
            LOG.debug("Closing the reconciliation connection of {}", table, e);
        }
        connection = null;
        lookup = null;
    }
}
