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
import dev.pgarrowcdc.flink.source.SnapshotReadMode;
import dev.pgarrowcdc.flink.source.enumerator.SnapshotFunction;
import dev.pgarrowcdc.flink.source.split.ChunkKey;
import dev.pgarrowcdc.flink.source.split.ChunkState;
import dev.pgarrowcdc.flink.source.split.PgArrowSplit;
import dev.pgarrowcdc.flink.source.split.TableId;
import dev.pgarrowcdc.flink.source.split.XidSnapshot;

import org.apache.flink.table.types.logical.ArrayType;
import org.apache.flink.table.types.logical.LogicalType;

import org.apache.arrow.memory.BufferAllocator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Reads one chunk of a table's snapshot: the key range {@code (lo, hi]} of {@link ChunkState}, in
 * its own short REPEATABLE READ transaction, ordered by the chunk key. The transaction's snapshot
 * {@code s_k} ({@code pg_current_snapshot()}) goes out first, then every row as {@code +I} with its
 * chunk key's text values (so a restore knows the last key emitted), then the end of the chunk; the
 * transaction commits at once.
 *
 * <p>The rows come from one of two {@link RowSource}s, both reading the same query ({@link
 * #chunkQuery}) a bounded piece per poll, so neither a chunk nor a batch of wide rows is ever held
 * whole:
 *
 * <ul>
 *   <li>{@link ArrowChunkRows}: the wal2arrow library's SQL function {@code wal2arrow_snapshot}
 *       runs the query on the server and returns the stream's {@code S}/{@code R} frames plus
 *       {@code K} frames of chunk keys, read through {@code COPY ... (FORMAT binary)} and converted
 *       by the stream's decoder and {@code RowDataConverter}: one type map for snapshot and stream.
 *   <li>{@link TextChunkRows}: a cursor, read FETCH by FETCH, whose PostgreSQL text values {@link
 *       SnapshotValues} converts in Java; for {@code scan.snapshot.read-mode} {@code text}, or
 *       {@code auto} where the database lacks the function.
 * </ul>
 *
 * <p>Guard: every transaction visible at the slot's consistent point (the cut {@code E}) must be
 * visible in {@code s_k}, or its rows would be neither in the chunk nor in the stream (a
 * transaction whose commit record precedes the consistent point can still be invisible to a later
 * snapshot, e.g. while it waits for a synchronous standby). When one is not, the transaction is
 * rolled back and the snapshot taken again a little later; after {@link #GUARD_TIMEOUT_MILLIS} the
 * job fails naming the transaction.
 */
final class ChunkReader implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ChunkReader.class);
    static final long GUARD_TIMEOUT_MILLIS = 60_000;

    /** Finds the snapshot function for a connection's database (cached by the split reader). */
    interface FunctionLookup {
        SnapshotFunction find(Connection connection) throws SQLException;
    }

    /** The rows of the chunk, a bounded piece at a time, inside the chunk's transaction. */
    interface RowSource extends AutoCloseable {
        /**
         * Adds the next rows (chunk rows with their keys) to {@code out}.
         *
         * @return false when the query has no more rows
         */
        boolean next(List<PgArrowRecord> out) throws SQLException;

        @Override
        void close();
    }

    private final PgArrowSourceConfig config;
    private final TableId table;
    private final ChunkState chunk;
    private final String splitId;
    private final BufferAllocator allocator;
    private final FunctionLookup functionLookup;
    private Connection connection;
    private RowSource rows;
    private boolean arrow;
    private boolean finished;
    private long rowsRead;

    ChunkReader(
            PgArrowSourceConfig config,
            PgArrowSplit split,
            BufferAllocator allocator,
            FunctionLookup functionLookup) {
        this.config = config;
        this.table = split.table();
        this.chunk = split.chunk().resumed();
        this.splitId = split.splitId();
        this.allocator = allocator;
        this.functionLookup = functionLookup;
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

    /** Whether the chunk is read through the snapshot function (known after the first poll). */
    boolean readsArrow() {
        return arrow;
    }

    /**
     * Adds the snapshot (first call), then up to one piece of rows, then the chunk's end.
     *
     * @return whether anything was added
     */
    boolean poll(List<PgArrowRecord> out) throws SQLException {
        if (finished) {
            return false;
        }
        if (connection == null) {
            connection = config.connect();
            SnapshotFunction function = snapshotFunction();
            connection.setAutoCommit(false);
            XidSnapshot snapshot = begin();
            out.add(PgArrowRecord.chunkSnapshot(snapshot));
            List<Column> columns = columnsOf(table);
            if (config.projectedColumns() != null) {
                columns.removeIf(c -> !config.projectedColumns().contains(c.name));
            }
            arrow = function != null;
            rows =
                    arrow
                            ? new ArrowChunkRows(
                                    connection,
                                    allocator,
                                    config,
                                    table,
                                    chunk,
                                    function.qualifiedName(),
                                    columns)
                            : new TextChunkRows(connection, config, table, chunk, columns);
        }
        int before = out.size();
        boolean more = rows.next(out);
        rowsRead += out.size() - before;
        if (!more) {
            // The query is exhausted: the chunk's transaction ends now.
            connection.commit();
            close();
            finished = true;
            out.add(PgArrowRecord.chunkDone());
            LOG.debug(
                    "Read {} of {}: {} rows ({})",
                    chunk,
                    table,
                    rowsRead,
                    arrow ? "Arrow frames" : "text");
        }
        return true;
    }

    /**
     * The function to read the chunk through, or null for the text path; fails under {@code arrow}
     * when the database has no usable one. Runs before the chunk's transaction starts.
     */
    private SnapshotFunction snapshotFunction() throws SQLException {
        SnapshotReadMode mode = config.snapshotReadMode();
        if (mode == SnapshotReadMode.TEXT) {
            return null;
        }
        SnapshotFunction function = functionLookup.find(connection);
        if (function.usable()) {
            return function;
        }
        if (mode == SnapshotReadMode.ARROW) {
            throw new SQLException(
                    "pg-arrow-cdc: 'scan.snapshot.read-mode' = 'arrow' but "
                            + function.problem()
                            + ".");
        }
        return null;
    }

    /** Opens the chunk's transaction and takes its snapshot, waiting out the guard. */
    private XidSnapshot begin() throws SQLException {
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
                    // The text forms SnapshotValues parses, and the chunk keys' text forms (bound
                    // back when a chunk resumes), whatever the server's defaults.
                    st.execute("SET LOCAL TimeZone = 'UTC'");
                    st.execute("SET LOCAL DateStyle = 'ISO'");
                    st.execute("SET LOCAL bytea_output = 'hex'");
                    st.execute("SET LOCAL extra_float_digits = 3");
                    // The snapshot function's query and parameters travel as string literals.
                    st.execute("SET LOCAL standard_conforming_strings = on");
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

    /**
     * The chunk's query: the columns in attribute order, then the chunk key's columns, of the
     * table's own rows in the chunk's key range, ordered by the key. The same text for both row
     * sources, except the placeholders: JDBC's {@code ?} for the text path's cursor, {@code $n} for
     * the snapshot function (whose parameters are bound by the server).
     *
     * @param columns quoted names of the columns to read
     * @param numbered {@code $n} placeholders instead of {@code ?}
     * @param parameters receives the texts bound to the placeholders, in order
     */
    static String chunkQuery(
            TableId table,
            ChunkState chunk,
            List<String> columns,
            boolean numbered,
            List<String> parameters) {
        ChunkKey key = chunk.key();
        StringBuilder sql = new StringBuilder("SELECT ");
        sql.append(String.join(", ", columns));
        if (!key.isEmpty()) {
            sql.append(columns.isEmpty() ? "" : ", ").append(key.columnList());
        }
        // ONLY: rows of inheritance children are not this table's changes in the WAL either
        sql.append(" FROM ONLY ").append(table.quoted());
        if (!key.isEmpty()) {
            String row = "ROW(" + key.columnList() + ")";
            List<String> conditions = new ArrayList<>();
            if (chunk.lo() != null) {
                String bound = numbered ? key.parameterRow(parameters.size() + 1) : null;
                conditions.add(row + " > " + (numbered ? bound : key.parameterRow()));
                parameters.addAll(Arrays.asList(chunk.lo()));
            }
            if (chunk.hi() != null) {
                String bound = numbered ? key.parameterRow(parameters.size() + 1) : null;
                conditions.add(row + " <= " + (numbered ? bound : key.parameterRow()));
                parameters.addAll(Arrays.asList(chunk.hi()));
            }
            if (!conditions.isEmpty()) {
                sql.append(" WHERE ").append(String.join(" AND ", conditions));
            }
            sql.append(" ORDER BY ").append(key.columnList());
        }
        return sql.toString();
    }

    /** The quoted names of the columns. */
    static List<String> quotedNames(List<Column> columns) {
        List<String> names = new ArrayList<>(columns.size());
        for (Column c : columns) {
            names.add(TableId.quoteIdentifier(c.name));
        }
        return names;
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
                                // not in the stream: the snapshot leaves them out as well.
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
        if (rows != null) {
            rows.close();
            rows = null;
        }
        try {
            if (connection != null) {
                connection.close();
            }
        } catch (SQLException e) {
            LOG.debug("Closing the chunk connection", e);
        }
        connection = null;
    }

    /** A column read by the chunk, with what the text path needs to convert its values. */
    static final class Column {
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
