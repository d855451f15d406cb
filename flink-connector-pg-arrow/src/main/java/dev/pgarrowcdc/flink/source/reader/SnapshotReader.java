package dev.pgarrowcdc.flink.source.reader;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.types.logical.ArrayType;
import org.apache.flink.table.types.logical.LogicalType;
import org.apache.flink.table.types.logical.RowType;
import org.apache.flink.types.RowKind;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.pgarrowcdc.flink.source.PgArrowSourceConfig;
import dev.pgarrowcdc.flink.source.UnknownValue;
import dev.pgarrowcdc.flink.source.split.TableId;

/**
 * Reads a split's tables, one after the other, inside one REPEATABLE READ transaction that
 * adopts the snapshot exported by the slot's creation (so the snapshot and the slot's stream meet
 * exactly at the slot's consistent point), {@code scan.snapshot.fetch.size} rows per round trip.
 * Every row is {@code +I}, with the table's columns in attribute order like the stream's, values
 * converted by {@link SnapshotValues}.
 */
final class SnapshotReader implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(SnapshotReader.class);

    private final PgArrowSourceConfig config;
    private final List<TableId> tables;
    private final String exportedSnapshot;
    private Connection connection;
    private int tableIndex = -1;
    private Statement statement;
    private ResultSet rows;
    private List<Column> columns;
    private PgArrowRecord.RowContext context;
    private long rowsOfTable;
    /** Columns whose unrepresentable values were already logged. */
    private final java.util.Set<String> warnedColumns = new java.util.HashSet<>();
    /** The marks of the row {@link #toRow()} made last, or null. */
    private UnknownValue[] rowMarks;

    SnapshotReader(PgArrowSourceConfig config, List<TableId> tables, String exportedSnapshot) {
        this.config = config;
        this.tables = tables;
        this.exportedSnapshot = exportedSnapshot;
    }

    /** Adds up to one fetch of rows; false when every table is read. */
    boolean readChunk(List<PgArrowRecord> out) throws SQLException {
        if (connection == null) {
            begin();
        }
        int n = 0;
        while (n < config.snapshotFetchSize()) {
            if (rows == null) {
                if (!nextTable()) {
                    connection.commit();
                    return n > 0;
                }
            }
            if (!rows.next()) {
                LOG.info("Snapshot of {} done: {} rows", tables.get(tableIndex), rowsOfTable);
                rows.close();
                statement.close();
                rows = null;
                continue;
            }
            GenericRowData row = toRow();
            out.add(PgArrowRecord.row(row, context, rowMarks));
            rowsOfTable++;
            n++;
        }
        return true;
    }

    private void begin() throws SQLException {
        connection = config.connect();
        connection.setAutoCommit(false);
        try (Statement st = connection.createStatement()) {
            st.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY");
            if (exportedSnapshot != null) {
                st.execute("SET TRANSACTION SNAPSHOT '" + exportedSnapshot.replace("'", "''") + "'");
            }
            // The text forms SnapshotValues parses, whatever the server's defaults.
            st.execute("SET LOCAL TimeZone = 'UTC'");
            st.execute("SET LOCAL DateStyle = 'ISO'");
            st.execute("SET LOCAL bytea_output = 'hex'");
            st.execute("SET LOCAL extra_float_digits = 3");
        }
    }

    private boolean nextTable() throws SQLException {
        tableIndex++;
        if (tableIndex >= tables.size()) {
            return false;
        }
        TableId table = tables.get(tableIndex);
        columns = columnsOf(table);
        if (config.projectedColumns() != null) {
            columns.removeIf(c -> !config.projectedColumns().contains(c.name));
        }
        List<RowType.RowField> fields = new ArrayList<>(columns.size());
        for (Column c : columns) {
            fields.add(new RowType.RowField(c.name, c.logicalType()));
        }
        context = new PgArrowRecord.RowContext(
                table.schema(), table.table(), true, 0, 0, 0, new RowType(fields));
        StringBuilder sql = new StringBuilder("SELECT ");
        for (int i = 0; i < columns.size(); i++) {
            sql.append(i == 0 ? "" : ", ").append(TableId.quoteIdentifier(columns.get(i).name));
        }
        if (columns.isEmpty()) {
            sql.append("1");
        }
        // ONLY: rows of inheritance children are not this table's changes in the WAL either
        sql.append(" FROM ONLY ").append(table.quoted());
        statement = connection.createStatement();
        statement.setFetchSize(config.snapshotFetchSize());
        rows = statement.executeQuery(sql.toString());
        rowsOfTable = 0;
        return true;
    }

    /**
     * The current row; sets {@link #rowMarks} for a value that is not NULL but converts to null
     * (as the stream marks it).
     */
    private GenericRowData toRow() throws SQLException {
        GenericRowData row = new GenericRowData(RowKind.INSERT, columns.size());
        rowMarks = null;
        for (int i = 0; i < columns.size(); i++) {
            String text = rows.getString(i + 1);
            if (text == null) {
                continue;
            }
            Column c = columns.get(i);
            Object value = c.array
                    ? SnapshotValues.array(c.kind, c.typmod, text)
                    : SnapshotValues.convert(c.kind, c.typmod, text);
            UnknownValue mark = value == null
                    ? SnapshotValues.whyNull(c.kind, text)
                    : c.array ? SnapshotValues.whyElementsNull(c.kind, text) : null;
            if (mark != null) {
                if (rowMarks == null) {
                    rowMarks = new UnknownValue[columns.size()];
                }
                rowMarks[i] = mark;
                if (warnedColumns.add(context.tableName() + '\0' + c.name + '\0' + mark)) {
                    LOG.warn("Column {} of table {}.{} holds a value its Flink type {} cannot hold"
                                    + " ({}): it is emitted as NULL, and PgArrowRecordContext#unknownValue"
                                    + " reports it as {}. Further such values of this column are not logged.",
                            c.name, context.schemaName(), context.tableName(),
                            c.logicalType().asSummaryString(), text.length() > 40 ? text.substring(0, 40) + "..." : text,
                            mark);
                }
            }
            row.setField(i, value);
        }
        return row;
    }

    private List<Column> columnsOf(TableId table) throws SQLException {
        List<Column> out = new ArrayList<>();
        try (PreparedStatement ps = connection.prepareStatement(
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
                        // Virtual generated columns (PostgreSQL 18) are not in the WAL, so not
                        // in the stream: the snapshot leaves them out as well.
                        + " AND a.attgenerated <> 'v'"
                        + " ORDER BY a.attnum")) {
            ps.setString(1, table.quoted());
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    boolean array = rs.getBoolean(4);
                    long typeOid = array ? rs.getLong(5) : rs.getLong(3);
                    int typmod = rs.getInt(2);
                    out.add(new Column(rs.getString(1), SnapshotValues.kindOf(typeOid, typmod), typmod, array));
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
            LOG.debug("Closing the snapshot connection", e);
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

        /** The Flink type of the values {@link SnapshotValues} makes, as the stream's for the column. */
        LogicalType logicalType() {
            LogicalType element = SnapshotValues.logicalType(kind, typmod);
            return array ? new ArrayType(element) : element;
        }
    }
}
