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
import dev.pgarrowcdc.flink.source.split.ChunkState;
import dev.pgarrowcdc.flink.source.split.TableId;

import org.apache.flink.table.data.GenericRowData;
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
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The text path of {@link ChunkReader}: the chunk's query through a cursor, one FETCH per poll: at
 * most {@code scan.snapshot.fetch.size} rows and about {@link #FETCH_BYTES} bytes (the first FETCH
 * asks for {@link #FIRST_FETCH} rows; later ones as many as fit at the width seen). Values are
 * PostgreSQL text converted by {@link SnapshotValues}, columns in attribute order like the
 * stream's.
 */
final class TextChunkRows implements ChunkReader.RowSource {

    private static final Logger LOG = LoggerFactory.getLogger(ChunkReader.class);
    private static final String CURSOR = "pg_arrow_cdc_chunk";

    /** Rows of the first FETCH of a chunk, before the row width is known. */
    static final int FIRST_FETCH = 16;

    /** About how many bytes (of PostgreSQL's text forms) one FETCH brings. */
    static final long FETCH_BYTES = 4L << 20;

    private final Connection connection;
    private final PgArrowSourceConfig config;
    private final List<ChunkReader.Column> columns;
    private final int keys;
    private final PgArrowRecord.RowContext context;
    private ResultSet rows;

    /** Rows the next FETCH asks for. */
    private int nextFetch;

    /** The text bytes of the row {@link #toRow()} made last. */
    private long rowBytes;

    /** Columns whose unrepresentable values were already logged. */
    private final Set<String> warnedColumns = new HashSet<>();

    /** The marks of the row {@link #toRow()} made last, or null. */
    private UnknownValue[] rowMarks;

    TextChunkRows(
            Connection connection,
            PgArrowSourceConfig config,
            TableId table,
            ChunkState chunk,
            List<ChunkReader.Column> columns)
            throws SQLException {
        this.connection = connection;
        this.config = config;
        this.columns = columns;
        this.keys = chunk.key().size();
        List<RowType.RowField> fields = new ArrayList<>(columns.size());
        for (ChunkReader.Column c : columns) {
            fields.add(new RowType.RowField(c.name, c.logicalType()));
        }
        context =
                new PgArrowRecord.RowContext(
                        table.schema(), table.table(), true, 0, 0, 0, new RowType(fields));
        List<String> names = ChunkReader.quotedNames(columns);
        if (names.isEmpty()) {
            names.add("1");
        }
        List<String> parameters = new ArrayList<>();
        String sql = ChunkReader.chunkQuery(table, chunk, names, false, parameters);
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

    @Override
    public boolean next(List<PgArrowRecord> out) throws SQLException {
        int width = columns.isEmpty() ? 1 : columns.size();
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
                got++;
            }
            rows.close();
            rows = null;
        }
        if (got < asked) {
            return false;
        }
        // Rows per round trip: within FETCH_BYTES at the width seen, at most the fetch size.
        long perRow = Math.max(1, bytes / Math.max(1, got));
        nextFetch = (int) Math.max(1, Math.min(config.snapshotFetchSize(), FETCH_BYTES / perRow));
        return true;
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
            ChunkReader.Column c = columns.get(i);
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

    @Override
    public void close() {
        rows = null;
    }
}
