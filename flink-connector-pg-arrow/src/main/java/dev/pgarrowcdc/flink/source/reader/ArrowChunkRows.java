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
import dev.pgarrowcdc.flink.source.reader.frame.Frame;
import dev.pgarrowcdc.flink.source.reader.frame.FrameFormatException;
import dev.pgarrowcdc.flink.source.reader.frame.KeysFrame;
import dev.pgarrowcdc.flink.source.reader.frame.RelationSchema;
import dev.pgarrowcdc.flink.source.reader.frame.RowDataConverter;
import dev.pgarrowcdc.flink.source.reader.frame.RowsFrame;
import dev.pgarrowcdc.flink.source.reader.frame.SchemaFrame;
import dev.pgarrowcdc.flink.source.reader.frame.WalArrowFrameDecoder;
import dev.pgarrowcdc.flink.source.reader.frame.WireFormat;
import dev.pgarrowcdc.flink.source.split.ChunkState;
import dev.pgarrowcdc.flink.source.split.TableId;

import org.apache.arrow.memory.BufferAllocator;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyOut;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.ByteBuffer;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * The Arrow path of {@link ChunkReader}: {@code COPY (SELECT wal2arrow_snapshot(...)) TO STDOUT
 * (FORMAT binary)} through pgjdbc's CopyManager. The function runs the chunk's query on the server
 * (as the user, in the chunk's transaction) and returns one {@code bytea} per CopyData message: the
 * stream's {@code S} frame first, then per batch an {@code R} frame and the {@code K} frame of its
 * rows' chunk keys. The frames go through the stream's {@link WalArrowFrameDecoder} and {@link
 * RowDataConverter}, the value marks through the stream's mark to {@link UnknownValue} mapping: a
 * value reads the same from snapshot and stream because the plugin's C type map converts both.
 *
 * <p>One CopyData message (one batch, bounded by {@link #BATCH_BYTES}) is read per poll: neither
 * the chunk nor more than a batch is held in memory.
 *
 * <p>COPY takes no bind parameters: the query and the chunk bounds go to the function as string
 * literals (the transaction has {@code standard_conforming_strings} on), where the function binds
 * the bounds to the query's {@code $n} placeholders as text.
 */
final class ArrowChunkRows implements ChunkReader.RowSource {

    private static final Logger LOG = LoggerFactory.getLogger(ChunkReader.class);

    /** About how many bytes one R frame (one CopyData message) holds. */
    static final int BATCH_BYTES = 4 << 20;

    private final TableId table;
    private final ChunkState chunk;
    private final int keyCount;
    private final String description;
    private final WalArrowFrameDecoder decoder;
    private final CopyOut copy;

    private final CopyBinaryTuples tuples;
    private RowDataConverter converter;
    private RelationSchema converterSchema;
    private PgArrowRecord.RowContext context;

    /** The R frame waiting for its K frame. */
    private RowsFrame rows;

    private final ValueMarks valueMarks = new ValueMarks();

    ArrowChunkRows(
            Connection connection,
            BufferAllocator allocator,
            PgArrowSourceConfig config,
            TableId table,
            ChunkState chunk,
            String function,
            List<ChunkReader.Column> columns)
            throws SQLException {
        this.table = table;
        this.chunk = chunk;
        this.keyCount = chunk.key().size();
        this.description = "snapshot function " + function + " reading " + chunk + " of " + table;
        List<String> parameters = new ArrayList<>();
        String query =
                ChunkReader.chunkQuery(
                        table, chunk, ChunkReader.quotedNames(columns), true, parameters);
        List<String> names = new ArrayList<>(columns.size());
        for (ChunkReader.Column c : columns) {
            names.add(c.name);
        }
        String sql =
                copySql(
                        function,
                        table,
                        config.projectedColumns() == null ? null : names,
                        query,
                        parameters,
                        config.batchRows(),
                        BATCH_BYTES,
                        config.compression().value());
        this.tuples = new CopyBinaryTuples(description);
        this.decoder = new WalArrowFrameDecoder(allocator, description);
        try {
            this.copy = connection.unwrap(PGConnection.class).getCopyAPI().copyOut(sql);
        } catch (SQLException | RuntimeException e) {
            decoder.close();
            throw e;
        }
    }

    /**
     * {@code COPY (SELECT f(rel, columns, query, params, ...)) TO STDOUT (FORMAT binary)}, every
     * text a string literal.
     *
     * @param columns the projected columns' names in attribute order, null for every column
     */
    static String copySql(
            String function,
            TableId table,
            List<String> columns,
            String query,
            List<String> parameters,
            int batchRows,
            int batchBytes,
            String compression) {
        return "COPY (SELECT "
                + function
                + "("
                + literal(table.quoted())
                + "::pg_catalog.regclass, "
                + textArray(columns)
                + ", "
                + literal(query)
                + ", "
                + textArray(parameters.isEmpty() ? null : parameters)
                + ", "
                + batchRows
                + ", "
                + batchBytes
                + ", "
                + literal(compression)
                + ", "
                + WireFormat.PROTOCOL_VERSION
                + ")) TO STDOUT (FORMAT binary)";
    }

    /**
     * A string literal for a session with {@code standard_conforming_strings} on: quotes doubled,
     * nothing else special. A NUL cannot be in PostgreSQL text, so it cannot be in a literal.
     */
    static String literal(String text) {
        if (text.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("a NUL character cannot be sent as SQL text");
        }
        return "'" + text.replace("'", "''") + "'";
    }

    private static String textArray(List<String> values) {
        if (values == null) {
            return "NULL::pg_catalog.text[]";
        }
        StringBuilder b = new StringBuilder("ARRAY[");
        for (int i = 0; i < values.size(); i++) {
            b.append(i == 0 ? "" : ", ").append(literal(values.get(i)));
        }
        return b.append("]::pg_catalog.text[]").toString();
    }

    @Override
    public boolean next(List<PgArrowRecord> out) throws SQLException {
        int before = out.size();
        while (out.size() == before) {
            byte[] message = copy.readFromCopy();
            if (message == null) {
                tuples.finish();
                if (rows != null) {
                    throw new SQLException(
                            "pg-arrow-cdc: the "
                                    + description
                                    + " ended with an R frame without its K frame");
                }
                return false;
            }
            try {
                tuples.feed(message, m -> frames(m, out));
            } catch (FrameFormatException e) {
                throw new SQLException("pg-arrow-cdc: " + e.getMessage(), e);
            }
        }
        return true;
    }

    /** Translates the frames of one message: S (first only), then R followed by its K. */
    private void frames(ByteBuffer message, List<PgArrowRecord> out) {
        List<Frame> frames = decoder.decodeAll(message);
        try {
            for (int i = 0; i < frames.size(); i++) {
                Frame f = frames.get(i);
                if (f instanceof SchemaFrame) {
                    if (rows != null) {
                        throw unexpected("an S frame between an R frame and its K frame");
                    }
                } else if (f instanceof RowsFrame) {
                    if (rows != null) {
                        throw unexpected("two R frames without a K frame between them");
                    }
                    rows = (RowsFrame) f;
                    frames.set(i, null);
                } else if (f instanceof KeysFrame) {
                    if (rows == null) {
                        throw unexpected("a K frame without its R frame");
                    }
                    try {
                        emit(rows, (KeysFrame) f, out);
                    } finally {
                        rows.close();
                        rows = null;
                    }
                } else {
                    throw unexpected("a " + f.kind() + " frame");
                }
            }
        } finally {
            for (Frame f : frames) {
                if (f != null) {
                    f.close();
                }
            }
        }
    }

    private void emit(RowsFrame frame, KeysFrame keys, List<PgArrowRecord> out) {
        if (keys.columnCount() != keyCount) {
            throw unexpected(
                    "a K frame of "
                            + keys.columnCount()
                            + " key columns; the chunk key "
                            + chunk.key()
                            + " has "
                            + keyCount);
        }
        RelationSchema schema = frame.schema();
        if (converterSchema != schema) {
            converter = new RowDataConverter(schema);
            converterSchema = schema;
            context =
                    new PgArrowRecord.RowContext(
                            table.schema(), table.table(), true, 0, 0, 0, schema.toRowType());
        }
        boolean marked = frame.hasMarks();
        for (int r = 0; r < frame.rowCount(); r++) {
            out.add(
                    PgArrowRecord.chunkRow(
                            converter.toRowData(frame, r),
                            context,
                            marked ? unknownValues(frame, r) : null,
                            keys.row(r)));
        }
    }

    /** The row's marks as the stream maps them (never UNCHANGED_TOAST: values are detoasted). */
    private UnknownValue[] unknownValues(RowsFrame frame, int row) {
        return valueMarks.of(
                frame,
                row,
                column -> {
                    throw unexpected(
                            "an unchanged-TOAST mark on column "
                                    + column.name()
                                    + " (the function detoasts every value)");
                });
    }

    private FrameFormatException unexpected(String what) {
        return new FrameFormatException(
                "wal2arrow frames from the " + description + ": unexpected " + what, null);
    }

    @Override
    public void close() {
        if (rows != null) {
            rows.close();
            rows = null;
        }
        // A COPY still running is not cancelled here (that waits for the server, which may be
        // gone): ChunkReader closes the connection next, which ends it.
        decoder.close();
    }
}
