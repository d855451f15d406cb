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

import dev.pgarrowcdc.flink.source.PgArrowSourceConfig;
import dev.pgarrowcdc.flink.source.UnknownValue;
import dev.pgarrowcdc.flink.source.split.ChunkKey;
import dev.pgarrowcdc.flink.source.split.ChunkState;
import dev.pgarrowcdc.flink.source.split.PgArrowSplit;
import dev.pgarrowcdc.flink.source.split.TableId;
import dev.pgarrowcdc.flink.source.split.XidSnapshot;

import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.types.logical.ArrayType;
import org.apache.flink.table.types.logical.LogicalType;
import org.apache.flink.table.types.logical.RowType;
import org.apache.flink.types.RowKind;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads one chunk of a table's snapshot: the key range {@code (lo, hi]} of {@link ChunkState}, in
 * its own short REPEATABLE READ transaction, ordered by the chunk key and read through a cursor,
 * one FETCH per poll: at most {@code scan.snapshot.fetch.size} rows and about {@link #FETCH_BYTES}
 * bytes (the first FETCH asks for {@link #FIRST_FETCH} rows; later ones as many as fit at the width
 * seen), so neither a chunk nor a fetch of wide rows is ever held whole. The transaction's snapshot
 * {@code s_k} ({@code pg_current_snapshot()}) goes out first, then every row as {@code +I} with its
 * chunk key's text values (so a restore knows the last key emitted), then the end of the chunk; the
 * transaction commits at once.
 *
 * <p>Guard: every transaction visible at the slot's consistent point (the cut {@code E}) must be
 * visible in {@code s_k}, or its rows would be neither in the chunk nor in the stream (a
 * transaction whose commit record precedes the consistent point can still be invisible to a later
 * snapshot, e.g. while it waits for a synchronous standby). When one is not, the transaction is
 * rolled back and the snapshot taken again a little later; after {@link #GUARD_TIMEOUT_MILLIS} the
 * job fails naming the transaction.
 *
 * <p>Values are converted by {@link SnapshotValues}, columns in attribute order like the stream's.
 */
final class ChunkReader implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ChunkReader.class);
    static final long GUARD_TIMEOUT_MILLIS = 60_000;
    private static final String CURSOR = "pg_arrow_cdc_chunk";

    /** Rows of the first FETCH of a chunk, before the row width is known. */
    static final int FIRST_FETCH = 16;

    /** About how many bytes (of PostgreSQL's text forms) one FETCH brings. */
    static final long FETCH_BYTES = 4L << 20;

    private final PgArrowSourceConfig config;
    private final TableId table;
    private final ChunkState chunk;
    private final String splitId;
    private Connection connection;
    private ResultSet rows;

    /** Rows the next FETCH asks for. */
    private int nextFetch;

    /** The text bytes of the row {@link #toRow()} made last. */
    private long rowBytes;

    private List<Column> columns;
    private PgArrowRecord.RowContext context;
    private boolean finished;
    private long rowsRead;

    /** Columns whose unrepresentable values were already logged. */
    private final java.util.Set<String> warnedColumns = new java.util.HashSet<>();

    /** The marks of the row {@link #toRow()} made last, or null. */
    private UnknownValue[] rowMarks;

    ChunkReader(PgArrowSourceConfig config, PgArrowSplit split) {
        this.config = config;
        this.table = split.table();
        this.chunk = split.chunk().resumed();
        this.splitId = split.splitId();
    }

    String splitId() {
        return splitId;
    }

    boolean finished() {
        return finished;
    }

    /** Rows read from the server by this reader (not counting earlier attempts). */
    long rowsRead() {
        return rowsRead;
    }

    /**
     * Adds the snapshot (first call), then up to one fetch of rows, then the chunk's end.
     *
     * @return whether anything was added
     */
    boolean poll(List<PgArrowRecord> out) throws SQLException {
        if (finished) {
            return false;
        }
        if (connection == null) {
            XidSnapshot snapshot = begin();
            out.add(PgArrowRecord.chunkSnapshot(snapshot));
            openCursor();
        }
        int keys = chunk.key().size();
        int width = columns.size();
        int asked = nextFetch;
        int got = 0;
        long bytes = 0;
        try (Statement st = connection.createStatement()) {
            rows = st.executeQuery("FETCH FORWARD " + asked + " FROM " + CURSOR);
            while (rows.next()) {
                GenericRowData row = toRow();
                String[] key = new String[keys];
                for (int i = 0; i < keys; i++) {
                    key[i] = rows.getString(width + 1 + i);
                }
                bytes += rowBytes;
                out.add(PgArrowRecord.chunkRow(row, context, rowMarks, key));
                rowsRead++;
                got++;
            }
            rows.close();
            rows = null;
        }
        if (got < asked) {
            // The cursor is exhausted: the chunk's transaction ends now.
            connection.commit();
            close();
            finished = true;
            out.add(PgArrowRecord.chunkDone());
            LOG.debug("Read {} of {}: {} rows", chunk, table, rowsRead);
            return true;
        }
        // Rows per round trip: within FETCH_BYTES at the width seen, at most the fetch size.
        long perRow = Math.max(1, bytes / Math.max(1, got));
        nextFetch = (int) Math.max(1, Math.min(config.snapshotFetchSize(), FETCH_BYTES / perRow));
        return true;
    }

    /** Opens the chunk's transaction and takes its snapshot, waiting out the guard. */
    private XidSnapshot begin() throws SQLException {
        connection = config.connect();
        connection.setAutoCommit(false);
        long deadline = System.currentTimeMillis() + GUARD_TIMEOUT_MILLIS;
        XidSnapshot cut = chunk.cut();
        while (true) {
            XidSnapshot snapshot;
            try (Statement st = connection.createStatement()) {
                st.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY");
                try (ResultSet rs =
                        st.executeQuery("SELECT pg_catalog.pg_current_snapshot()::text")) {
                    rs.next();
                    snapshot = XidSnapshot.parse(rs.getString(1));
                }
            }
            long late = cut == null ? -1 : firstInvisible(cut, snapshot);
            if (late < 0) {
                try (Statement st = connection.createStatement()) {
                    // The text forms SnapshotValues parses, whatever the server's defaults.
                    st.execute("SET LOCAL TimeZone = 'UTC'");
                    st.execute("SET LOCAL DateStyle = 'ISO'");
                    st.execute("SET LOCAL bytea_output = 'hex'");
                    st.execute("SET LOCAL extra_float_digits = 3");
                }
                return snapshot;
            }
            connection.rollback();
            if (System.currentTimeMillis() > deadline) {
                throw new SQLException(
                        "pg-arrow-cdc: cannot read "
                                + chunk
                                + " of table "
                                + table
                                + ": transaction "
                                + late
                                + " committed before the slot's consistent point"
                                + " but is still not visible to a new snapshot after "
                                + GUARD_TIMEOUT_MILLIS / 1000
                                + " s (is the server waiting for a"
                                + " synchronous standby? see synchronous_standby_names); reading now would"
                                + " lose its rows. The job retries through its restart strategy.");
            }
            LOG.debug(
                    "Chunk {} of {}: transaction {} not yet visible, taking the snapshot again",
                    chunk.index(),
                    table,
                    late);
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new SQLException("Interrupted while waiting for transaction " + late);
            }
        }
    }

    /** A transaction visible in {@code cut} but in progress in {@code s}, or -1 if none. */
    static long firstInvisible(XidSnapshot cut, XidSnapshot s) {
        for (long x : s.xip()) {
            if (cut.visible(x)) {
                return x;
            }
        }
        return -1;
    }

    private void openCursor() throws SQLException {
        columns = columnsOf(table);
        if (config.projectedColumns() != null) {
            columns.removeIf(c -> !config.projectedColumns().contains(c.name));
        }
        List<RowType.RowField> fields = new ArrayList<>(columns.size());
        for (Column c : columns) {
            fields.add(new RowType.RowField(c.name, c.logicalType()));
        }
        context =
                new PgArrowRecord.RowContext(
                        table.schema(), table.table(), true, 0, 0, 0, new RowType(fields));
        ChunkKey key = chunk.key();
        StringBuilder sql = new StringBuilder("SELECT ");
        for (int i = 0; i < columns.size(); i++) {
            sql.append(i == 0 ? "" : ", ").append(TableId.quoteIdentifier(columns.get(i).name));
        }
        if (columns.isEmpty()) {
            sql.append("1");
        }
        if (!key.isEmpty()) {
            sql.append(", ").append(key.columnList());
        }
        // ONLY: rows of inheritance children are not this table's changes in the WAL either
        sql.append(" FROM ONLY ").append(table.quoted());
        List<String> parameters = new ArrayList<>();
        if (!key.isEmpty()) {
            String row = "ROW(" + key.columnList() + ")";
            List<String> conditions = new ArrayList<>();
            if (chunk.lo() != null) {
                conditions.add(row + " > " + key.parameterRow());
                parameters.addAll(java.util.Arrays.asList(chunk.lo()));
            }
            if (chunk.hi() != null) {
                conditions.add(row + " <= " + key.parameterRow());
                parameters.addAll(java.util.Arrays.asList(chunk.hi()));
            }
            if (!conditions.isEmpty()) {
                sql.append(" WHERE ").append(String.join(" AND ", conditions));
            }
            sql.append(" ORDER BY ").append(key.columnList());
        }
        // A cursor read FETCH by FETCH, sized by the bytes of the rows seen so far.
        try (PreparedStatement declare =
                connection.prepareStatement("DECLARE " + CURSOR + " NO SCROLL CURSOR FOR " + sql)) {
            for (int i = 0; i < parameters.size(); i++) {
                declare.setString(i + 1, parameters.get(i));
            }
            declare.execute();
        }
        nextFetch = Math.min(config.snapshotFetchSize(), FIRST_FETCH);
    }

    /**
     * The current row; sets {@link #rowMarks} for a value that is not NULL but converts to null (as
     * the stream marks it).
     */
    private GenericRowData toRow() throws SQLException {
        GenericRowData row = new GenericRowData(RowKind.INSERT, columns.size());
        rowMarks = null;
        rowBytes = 16;
        for (int i = 0; i < columns.size(); i++) {
            String text = rows.getString(i + 1);
            if (text == null) {
                continue;
            }
            rowBytes += text.length();
            Column c = columns.get(i);
            Object value =
                    c.array
                            ? SnapshotValues.array(c.kind, c.typmod, text)
                            : SnapshotValues.convert(c.kind, c.typmod, text);
            UnknownValue mark =
                    value == null
                            ? SnapshotValues.whyNull(c.kind, text)
                            : c.array ? SnapshotValues.whyElementsNull(c.kind, text) : null;
            if (mark != null) {
                if (rowMarks == null) {
                    rowMarks = new UnknownValue[columns.size()];
                }
                rowMarks[i] = mark;
                if (warnedColumns.add(context.tableName() + '\0' + c.name + '\0' + mark)) {
                    LOG.warn(
                            "Column {} of table {}.{} holds a value its Flink type {} cannot hold"
                                    + " ({}): it is emitted as NULL, and PgArrowRecordContext#unknownValue"
                                    + " reports it as {}. Further such values of this column are not logged.",
                            c.name,
                            context.schemaName(),
                            context.tableName(),
                            c.logicalType().asSummaryString(),
                            text.length() > 40 ? text.substring(0, 40) + "..." : text,
                            mark);
                }
            }
            row.setField(i, value);
        }
        return row;
    }

    private List<Column> columnsOf(TableId table) throws SQLException {
        List<Column> out = new ArrayList<>();
        try (PreparedStatement ps =
                connection.prepareStatement(
                        "SELECT a.attname,"
                                + " CASE WHEN t.typtype = 'd' AND a.atttypmod < 0 THEN t.typtypmod"
                                + "      ELSE a.atttypmod END,"
                                + " b.oid, b.typcategory = 'A' AND b.typelem <> 0,"
                                + " (SELECT coalesce(nullif(e.typbasetype, 0), e.oid) FROM pg_catalog.pg_type e"
                                + "   WHERE e.oid = b.typelem)"
                                + " FROM pg_catalog.pg_attribute a"
                                + " JOIN pg_catalog.pg_type t ON t.oid = a.atttypid"
                                + " JOIN pg_catalog.pg_type b ON b.oid = coalesce(nullif(t.typbasetype, 0), t.oid)"
                                + " WHERE a.attrelid = ?::regclass AND a.attnum > 0 AND NOT a.attisdropped"
                                // Virtual generated columns (PostgreSQL 18) are not in the WAL, so
                                // not
                                // in the stream: the snapshot leaves them out as well.
                                + " AND a.attgenerated <> 'v'"
                                + " ORDER BY a.attnum")) {
            ps.setString(1, table.quoted());
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    boolean array = rs.getBoolean(4);
                    long typeOid = array ? rs.getLong(5) : rs.getLong(3);
                    int typmod = rs.getInt(2);
                    out.add(
                            new Column(
                                    rs.getString(1),
                                    SnapshotValues.kindOf(typeOid, typmod),
                                    typmod,
                                    array));
                }
            }
        }
        return out;
    }

    @Override
    public void close() {
        try {
            if (connection != null) {
                connection.close();
            }
        } catch (SQLException e) {
            LOG.debug("Closing the chunk connection", e);
        }
        connection = null;
    }

    private static final class Column {
        final String name;
        final SnapshotValues.Kind kind;
        final int typmod;
        final boolean array;

        Column(String name, SnapshotValues.Kind kind, int typmod, boolean array) {
            this.name = name;
            this.kind = kind;
            this.typmod = typmod;
            this.array = array;
        }

        /**
         * The Flink type of the values {@link SnapshotValues} makes, as the stream's for the
         * column.
         */
        LogicalType logicalType() {
            LogicalType element = SnapshotValues.logicalType(kind, typmod);
            return array ? new ArrayType(element) : element;
        }
    }
}
