package dev.pgarrowcdc.flink.source.reader;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import org.apache.arrow.memory.BufferAllocator;
import org.apache.flink.util.FlinkRuntimeException;
import org.postgresql.PGConnection;
import org.postgresql.replication.LogSequenceNumber;
import org.postgresql.replication.PGReplicationStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.pgarrowcdc.flink.source.Lsn;
import dev.pgarrowcdc.flink.source.PgArrowSourceConfig;
import dev.pgarrowcdc.flink.source.StartupMode;
import dev.pgarrowcdc.flink.source.UnchangedToastMode;
import dev.pgarrowcdc.flink.source.UnknownValue;
import dev.pgarrowcdc.flink.source.reader.frame.BeginFrame;
import dev.pgarrowcdc.flink.source.reader.frame.CommitFrame;
import dev.pgarrowcdc.flink.source.reader.frame.Frame;
import dev.pgarrowcdc.flink.source.reader.frame.FrameFormatException;
import dev.pgarrowcdc.flink.source.reader.frame.RelationSchema;
import dev.pgarrowcdc.flink.source.reader.frame.RowDataConverter;
import dev.pgarrowcdc.flink.source.reader.frame.RowsFrame;
import dev.pgarrowcdc.flink.source.reader.frame.TruncateFrame;
import dev.pgarrowcdc.flink.source.reader.frame.ValueMark;
import dev.pgarrowcdc.flink.source.reader.frame.WalArrowFrameDecoder;
import dev.pgarrowcdc.flink.source.split.PgArrowSplit;
import dev.pgarrowcdc.flink.source.split.TableId;

/**
 * One split's slot, driven by the fetcher thread: creates the slot, reads the snapshot under the
 * slot's exported snapshot, then streams the slot and turns frames into records. Not thread safe;
 * every method runs on the fetcher thread.
 *
 * <p>A split restored in the SNAPSHOT phase (the job failed mid-snapshot) cannot resume its
 * snapshot: the exported snapshot died with the connection that held it. Its slot is dropped and
 * created again and the table is read again from the start under the new snapshot, so downstream
 * sees the rows emitted before the failure a second time (the snapshot phase is at-least-once;
 * an upsert sink keyed by the primary key converges). Once a split streams, delivery is
 * exactly-once: see {@link PgArrowSplit}.
 *
 * <p>Reconnects. A streaming connection that fails (walsender terminated, connection dropped,
 * server restarted) is opened again after a backoff, without failing the job: streaming resumes
 * from the end of the last transaction whose rows were all handed to the emitter (or the last
 * keepalive position), skipping the rows of the next transaction already handed over, so nothing
 * is lost or repeated. After {@code connect.max-retries} failed attempts in a row the job fails.
 * The decoder is new on every connection: schema versions belong to one decoding session.
 *
 * <p>Idle slots. When nothing is pending (no partly received transaction), the walsender's
 * keepalive position (pgjdbc's last received LSN) is handed to the emitter as progress: every
 * change of this slot's tables committed before it was already sent. The split state records it,
 * so the next completed checkpoint confirms it and a slot whose tables see no changes does not
 * retain WAL while other tables are busy.
 */
final class SlotStreamer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(SlotStreamer.class);
    static final String PLUGIN = "wal2arrow";

    private final PgArrowSplit split;
    private final PgArrowSourceConfig config;
    private final BufferAllocator allocator;
    private final String description;

    private Connection replication;
    private PGReplicationStream stream;
    private WalArrowFrameDecoder decoder;
    private final Map<RelationSchema, RowDataConverter> converters = new IdentityHashMap<>();
    /** {@link #absentFromOldRows} per schema (null values kept: every column is logged). */
    private final Map<RelationSchema, boolean[]> absentColumns = new IdentityHashMap<>();

    private SnapshotReader snapshot;
    private long consistentPoint;
    private boolean snapshotDone;
    private boolean finished;

    /**
     * Where a new connection streams from: the end LSN of the last transaction whose rows were all
     * handed to the emitter, or the last progress (keepalive) position handed over.
     */
    private long resumeLsn;
    /** Rows of the next transaction after {@link #resumeLsn} already emitted: skip them. */
    private long rowsToSkip;
    /** Rows of the current transaction read so far (skipped or handed over). */
    private long rowsReadInTransaction;
    /** The last LSN confirmed to the slot; confirmed again on every new connection. */
    private long confirmedLsn;
    private final Reconnects reconnects;
    private final ReaderMetrics metrics;
    /** What {@link #readPosition()} reports to the lag gauge (read on other threads). */
    private volatile long readPosition;
    /** Columns whose NaN / ±Infinity / not representable values were already logged. */
    private final Set<String> warnedColumns = new HashSet<>();
    /** Tables whose replica identity was already logged (once per table and streamer). */
    private final Set<String> identityLogged = new HashSet<>();
    private BeginFrame transaction;
    private PgArrowRecord.RowContext transactionContext;
    private RelationSchema contextSchema;

    SlotStreamer(PgArrowSplit split, PgArrowSourceConfig config, BufferAllocator allocator) {
        this(split, config, allocator, ReaderMetrics.unregistered(config));
    }

    SlotStreamer(PgArrowSplit split, PgArrowSourceConfig config, BufferAllocator allocator,
            ReaderMetrics metrics) {
        this.metrics = metrics;
        this.split = split;
        this.config = config;
        this.allocator = allocator;
        this.description = "slot '" + split.slotName() + "' (tables " + split.tables() + ")";
        this.rowsToSkip = split.phase() == PgArrowSplit.Phase.STREAM ? split.rowsEmittedInNextTxn() : 0;
        this.resumeLsn = split.phase() == PgArrowSplit.Phase.STREAM ? split.startLsn() : 0;
        this.snapshotDone = split.phase() == PgArrowSplit.Phase.STREAM;
        this.reconnects = new Reconnects(config.connectMaxRetries(), description);
        this.readPosition = resumeLsn;
    }

    String splitId() {
        return split.splitId();
    }

    /**
     * The LSN this split has read up to (end of the last transaction handed over, or the last
     * keepalive position; the consistent point while snapshotting), 0 while unknown. Any thread.
     */
    long readPosition() {
        return readPosition;
    }

    boolean finished() {
        return finished;
    }

    /**
     * Adds records to {@code out} until about {@code limit} records or {@code byteLimit} bytes of
     * messages were read.
     *
     * @return whether anything was read (false: idle)
     */
    boolean poll(List<PgArrowRecord> out, int limit, long byteLimit) throws IOException {
        if (finished || !reconnects.due()) {
            return false;
        }
        try {
            if (stream == null && snapshot == null) {
                open();
            }
            if (snapshot != null) {
                return pollSnapshot(out);
            }
            return pollStream(out, limit, byteLimit);
        } catch (SQLException e) {
            if (!snapshotDone || !Reconnects.isTransient(e)) {
                throw new IOException(
                        "pg-arrow-cdc: reading " + description + " failed: " + e.getMessage(), e);
            }
            connectionLost(e);
            return !out.isEmpty();
        }
    }

    private void open() throws SQLException {
        replication = config.connectForReplication();
        if (!snapshotDone) {
            startSnapshot();
        } else {
            startStreaming(ensureSlotWithoutSnapshot());
        }
    }

    /**
     * The streaming connection failed with a transient error: drop it and schedule a new one.
     * Rows of a partly received transaction were handed over, so the new stream skips them.
     *
     * @throws IOException when {@code connect.max-retries} attempts in a row failed
     */
    private void connectionLost(SQLException cause) throws IOException {
        closeConnection(false);
        if (transaction != null) {
            rowsToSkip += rowsReadInTransaction;
            transaction = null;
        }
        rowsReadInTransaction = 0;
        reconnects.failed(cause, resumeLsn, rowsToSkip);
    }

    /**
     * CREATE_REPLICATION_SLOT, exporting a snapshot or not. PostgreSQL 15 introduced the option
     * list; 13 and 14 know only the older keywords (which 15 to 18 still accept).
     */
    private String createSlot(boolean exportSnapshot) throws SQLException {
        String snapshot;
        if (replication.getMetaData().getDatabaseMajorVersion() >= 15) {
            snapshot = exportSnapshot ? "(SNAPSHOT 'export')" : "(SNAPSHOT 'nothing')";
        } else {
            snapshot = exportSnapshot ? "EXPORT_SNAPSHOT" : "NOEXPORT_SNAPSHOT";
        }
        return "CREATE_REPLICATION_SLOT " + split.slotName() + " LOGICAL " + PLUGIN + " " + snapshot;
    }

    private void startSnapshot() throws SQLException {
        boolean bounded = config.startupMode() == StartupMode.SNAPSHOT;
        String snapshotName = null;
        if (!bounded) {
            dropStaleSlot();
            try (Statement st = replication.createStatement();
                    ResultSet rs = st.executeQuery(createSlot(true))) {
                rs.next();
                consistentPoint = Lsn.parse(rs.getString("consistent_point"));
                snapshotName = rs.getString("snapshot_name");
                readPosition = consistentPoint;
            } catch (SQLException e) {
                throw slotCreationFailed(e);
            }
            LOG.info("Created slot {} at {}; snapshotting {} under snapshot {}", split.slotName(),
                    Lsn.format(consistentPoint), split.tables(), snapshotName);
        }
        snapshot = new SnapshotReader(config, split.tables(), snapshotName);
        if (split.snapshotRowsEmitted() > 0) {
            LOG.warn("Split {} failed mid-snapshot after {} rows: the snapshot restarts and those rows"
                    + " are emitted again", split.slotName(), split.snapshotRowsEmitted());
        }
    }

    private boolean pollSnapshot(List<PgArrowRecord> out) throws SQLException {
        if (snapshot.readChunk(out)) {
            return true;
        }
        snapshot.close();
        snapshot = null;
        if (config.startupMode() == StartupMode.SNAPSHOT) {
            finished = true;
            return true;
        }
        out.add(PgArrowRecord.snapshotDone(consistentPoint));
        snapshotDone = true;
        resumeLsn = consistentPoint;
        startStreaming(consistentPoint);
        return true;
    }

    /** A slot left by a snapshot that did not finish is useless: its snapshot is gone. */
    private void dropStaleSlot() throws SQLException {
        try (Connection c = config.connect()) {
            Integer pid = null;
            boolean exists = false;
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT active_pid FROM pg_catalog.pg_replication_slots WHERE slot_name = ?")) {
                ps.setString(1, split.slotName());
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) {
                        exists = true;
                        pid = (Integer) rs.getObject(1);
                    }
                }
            }
            if (!exists) {
                return;
            }
            LOG.info("Dropping slot {} left by an unfinished snapshot", split.slotName());
            if (pid != null) {
                try (PreparedStatement ps = c.prepareStatement("SELECT pg_terminate_backend(?)")) {
                    ps.setInt(1, pid);
                    ps.execute();
                }
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (true) {
                try (PreparedStatement ps =
                        c.prepareStatement("SELECT pg_catalog.pg_drop_replication_slot(?)")) {
                    ps.setString(1, split.slotName());
                    ps.execute();
                    return;
                } catch (SQLException e) {
                    // 55006: still active while the terminated walsender exits
                    if (!"55006".equals(e.getSQLState()) || System.nanoTime() > deadline) {
                        throw e;
                    }
                    sleep(50);
                }
            }
        }
    }

    /** The LSN to stream from: the split's own, else where the slot stands. */
    private long ensureSlotWithoutSnapshot() throws SQLException {
        try (Connection c = config.connect();
                PreparedStatement ps = c.prepareStatement(
                        "SELECT confirmed_flush_lsn, plugin FROM pg_catalog.pg_replication_slots"
                                + " WHERE slot_name = ?")) {
            ps.setString(1, split.slotName());
            try (ResultSet rs = ps.executeQuery()) {
                if (rs.next()) {
                    if (!PLUGIN.equals(rs.getString(2))) {
                        throw new SQLException("Replication slot '" + split.slotName() + "' exists but"
                                + " uses output plugin '" + rs.getString(2) + "', not " + PLUGIN
                                + ": drop it (SELECT pg_drop_replication_slot('" + split.slotName()
                                + "')) or choose another 'slot.name'");
                    }
                    return resumeLsn;
                }
            }
        }
        long created;
        try (Statement st = replication.createStatement();
                ResultSet rs = st.executeQuery(createSlot(false))) {
            rs.next();
            created = Lsn.parse(rs.getString("consistent_point"));
        } catch (SQLException e) {
            throw slotCreationFailed(e);
        }
        if (resumeLsn != 0 && Long.compareUnsigned(created, resumeLsn) > 0
                && config.startupMode() != StartupMode.LATEST_OFFSET) {
            LOG.warn("Slot {} did not exist and was created at {}: changes between {} and {} to {}"
                            + " (if any) are not captured", split.slotName(), Lsn.format(created),
                    Lsn.format(resumeLsn), Lsn.format(created), split.tables());
        }
        return resumeLsn;
    }

    private SQLException slotCreationFailed(SQLException e) {
        String msg = e.getMessage() == null ? "" : e.getMessage();
        String hint;
        if (msg.contains("may not be used as an output plugin")) {
            hint = "add wal2arrow to the server's output_plugin_libraries: ALTER SYSTEM SET"
                    + " output_plugin_libraries = pgoutput, test_decoding, wal2arrow; SELECT pg_reload_conf();";
        } else if (msg.contains("could not access file") || msg.contains("No such file")) {
            hint = "install the wal2arrow plugin on the server (make -C wal2arrow install)";
        } else if (msg.contains("all replication slots are in use")) {
            hint = "raise max_replication_slots (restart) or capture fewer tables: this source uses"
                    + " one slot per table";
        } else {
            hint = "check the server log";
        }
        return new SQLException("Creating replication slot '" + split.slotName() + "' for "
                + split.tables() + " failed: " + msg + " (" + hint + ")", e.getSQLState(), e);
    }

    private void startStreaming(long startLsn) throws SQLException {
        try (Statement st = replication.createStatement()) {
            // Output functions of text-mapped types run in the walsender: same settings as the snapshot.
            st.execute("SET TimeZone = 'UTC'");
            st.execute("SET DateStyle = 'ISO'");
            st.execute("SET extra_float_digits = 3");
        }
        String tables = split.tables().stream().map(TableId::quoted).collect(Collectors.joining(","));
        stream = replication.unwrap(PGConnection.class)
                .getReplicationAPI()
                .replicationStream()
                .logical()
                .withSlotName(split.slotName())
                .withStartPosition(LogSequenceNumber.valueOf(startLsn))
                // pgjdbc puts option values between single quotes as they are
                .withSlotOption("tables", tables.replace("'", "''"))
                .withSlotOption("batch_rows", config.batchRows())
                .withSlotOption("compression", config.compression().value())
                .withSlotOptions(projectionOptions())
                .withStatusInterval((int) config.heartbeatInterval().toMillis(), TimeUnit.MILLISECONDS)
                // Only a completed checkpoint confirms an LSN: pgjdbc must not flush on its own.
                .withAutomaticFlush(false)
                .start();
        if (startLsn != 0) {
            readPosition = startLsn;
        }
        // A new decoding session: schema versions start over.
        decoder = new WalArrowFrameDecoder(allocator, description);
        converters.clear();
        absentColumns.clear();
        if (confirmedLsn != 0) {
            stream.setFlushedLSN(LogSequenceNumber.valueOf(confirmedLsn));
            stream.setAppliedLSN(LogSequenceNumber.valueOf(confirmedLsn));
        }
        reconnects.connected();
        LOG.info("Streaming {} from {}{}", description, Lsn.format(startLsn),
                rowsToSkip > 0 ? ", skipping " + rowsToSkip + " rows already emitted" : "");
    }

    /**
     * wal2arrow's {@code columns.<schema>.<table>} per table when the source reads only some
     * columns. pgjdbc writes each option name between double quotes as it is, so a quote inside
     * the name is doubled here to reach the plugin as one. Names that need no quotes go bare:
     * before PostgreSQL 15 the replication command parser takes no doubled quote inside a quoted
     * name, so there a table whose name needs quotes cannot be projected, and the error says so.
     */
    private java.util.Properties projectionOptions() throws SQLException {
        java.util.Properties options = new java.util.Properties();
        List<String> columns = config.projectedColumns();
        if (columns != null) {
            String list = columns.stream().map(TableId::quoteIdentifier).collect(Collectors.joining(","));
            for (TableId table : split.tables()) {
                String name = "columns." + bareOrQuoted(table.schema()) + "." + bareOrQuoted(table.table());
                if (name.contains("\"") && replication.getMetaData().getDatabaseMajorVersion() < 15) {
                    throw new SQLException("Table " + table + " has a name that needs double quotes,"
                            + " which PostgreSQL "
                            + replication.getMetaData().getDatabaseMajorVersion()
                            + " cannot take in a replication option: reading only some of its columns"
                            + " (projection) needs PostgreSQL 15 or later. Select all of its columns,"
                            + " or rename it to lower-case letters, digits and _.");
                }
                options.setProperty(name.replace("\"", "\"\""), list.replace("'", "''"));
            }
        }
        return options;
    }

    /** A name as SQL writes it: bare when it is lower case, letters, digits and _, else quoted. */
    private static String bareOrQuoted(String name) {
        return name.matches("[a-z_][a-z0-9_]*") ? name : TableId.quoteIdentifier(name);
    }

    private boolean pollStream(List<PgArrowRecord> out, int limit, long byteLimit) throws SQLException {
        boolean any = false;
        long bytes = 0;
        while (out.size() < limit && bytes < byteLimit) {
            ByteBuffer message = stream.readPending();
            if (message == null) {
                reportProgress(out);
                break;
            }
            any = true;
            bytes += message.remaining();
            metrics.bytesIn.inc(message.remaining());
            reconnects.streaming();
            List<Frame> frames;
            try {
                frames = decoder.decodeAll(message);
            } catch (FrameFormatException e) {
                // The decoder names the slot; the LSN says which WAL the bad message came from.
                throw new FrameFormatException(e.getMessage() + " (message received at LSN "
                        + stream.getLastReceiveLSN().asString() + ")", e);
            }
            for (int i = 0; i < frames.size(); i++) {
                try (Frame f = frames.get(i)) {
                    handle(f, out);
                } catch (RuntimeException e) {
                    // Hand every Arrow root back before failing, so the allocator closes clean.
                    for (int j = i + 1; j < frames.size(); j++) {
                        frames.get(j).close();
                    }
                    throw e;
                }
            }
        }
        return any;
    }

    /**
     * Hands over the walsender's position when nothing is pending: with no partly received
     * transaction (nor a partly emitted one still to skip), every change of the slot's tables
     * committed before the last received LSN (a keepalive's, or the last commit's) was handed over.
     */
    private void reportProgress(List<PgArrowRecord> out) {
        if (transaction != null || rowsToSkip > 0) {
            return;
        }
        long received = stream.getLastReceiveLSN().asLong();
        if (Long.compareUnsigned(received, resumeLsn) > 0) {
            resumeLsn = received;
            readPosition = received;
            out.add(PgArrowRecord.progress(received));
            reconnects.streaming();
        }
    }

    private void handle(Frame frame, List<PgArrowRecord> out) {
        if (frame instanceof BeginFrame) {
            transaction = (BeginFrame) frame;
            transactionContext = null;
            rowsReadInTransaction = 0;
        } else if (frame instanceof RowsFrame) {
            RowsFrame rows = (RowsFrame) frame;
            RowDataConverter converter =
                    converters.computeIfAbsent(rows.schema(), RowDataConverter::new);
            PgArrowRecord.RowContext context = contextFor(rows.schema());
            boolean marked = rows.hasMarks();
            for (int r = 0; r < rows.rowCount(); r++) {
                rowsReadInTransaction++;
                if (rowsToSkip > 0) {
                    rowsToSkip--;
                    continue;
                }
                out.add(PgArrowRecord.row(converter.toRowData(rows, r), context,
                        marked ? unknownValues(rows, r) : null));
            }
            if (transaction != null) {
                metrics.rowsFetched(transaction.commitTimeMicros());
            }
        } else if (frame instanceof CommitFrame) {
            long endLsn = ((CommitFrame) frame).endLsn();
            out.add(PgArrowRecord.transactionEnd(endLsn));
            resumeLsn = endLsn;
            readPosition = endLsn;
            rowsToSkip = 0;
            rowsReadInTransaction = 0;
            transaction = null;
        } else if (frame instanceof TruncateFrame) {
            truncated((TruncateFrame) frame);
        }
        // SCHEMA frames are cached by the decoder; MESSAGE frames are not asked for.
    }

    /**
     * A Flink changelog has no "remove every row" record, so a TRUNCATE is not emitted: it is
     * logged (naming the tables, so an operator can clear the sink) and counted in the reader's
     * {@code truncatesSkipped} metric. The stream goes on with the changes after it.
     */
    private void truncated(TruncateFrame frame) {
        metrics.truncatesSkipped.inc();
        LOG.warn("TRUNCATE of {} (transaction {} committed at {}) on {} is not emitted: a Flink"
                        + " changelog cannot express it, so rows emitted before it stay in downstream"
                        + " state; clear them there if needed",
                frame.relations().stream().map(r -> r.namespace() + "." + r.name())
                        .collect(Collectors.joining(", ")),
                transaction == null ? "?" : transaction.xid(),
                transaction == null ? "?" : Lsn.format(transaction.finalLsn()), description);
    }

    /**
     * The row's marks as {@link UnknownValue}s per field position, or null when it has none,
     * applying {@code scan.unchanged-toast.mode} and logging the first NaN / ±Infinity / not
     * representable value of each column.
     */
    private UnknownValue[] unknownValues(RowsFrame rows, int row) {
        ValueMark[] marks = rows.rowMarks(row);
        if (marks == null) {
            return null;
        }
        RelationSchema schema = rows.schema();
        UnknownValue[] out = new UnknownValue[marks.length - 1];
        for (int field = 1; field < marks.length; field++) {
            if (marks[field] == null) {
                continue;
            }
            RelationSchema.Column column = schema.column(field - 1);
            out[field - 1] = unknownValue(marks[field]);
            if (marks[field] == ValueMark.UNCHANGED_TOAST) {
                if (config.unchangedToastMode() == UnchangedToastMode.FAIL) {
                    throw unchangedToast(schema, column);
                }
            } else if (warnedColumns.add(schema.qualifiedName() + '\0' + column.name() + '\0'
                    + marks[field])) {
                LOG.warn("Column {} of table {} holds a {} value ({}), which Flink type {} cannot"
                                + " hold: it is emitted as NULL, and PgArrowRecordContext#unknownValue"
                                + " reports it as {}. Further such values of this column are not"
                                + " logged.", column.name(), schema.qualifiedName(), marks[field],
                        column.typeName(), column.logicalType().asSummaryString(), out[field - 1]);
            }
        }
        return out;
    }

    private static UnknownValue unknownValue(ValueMark mark) {
        switch (mark) {
            case UNCHANGED_TOAST:
                return UnknownValue.UNCHANGED_TOAST;
            case NAN:
                return UnknownValue.NAN;
            case POSITIVE_INFINITY:
                return UnknownValue.POSITIVE_INFINITY;
            case NEGATIVE_INFINITY:
                return UnknownValue.NEGATIVE_INFINITY;
            case NOT_REPRESENTABLE:
            default:
                return UnknownValue.NOT_REPRESENTABLE;
        }
    }

    private FlinkRuntimeException unchangedToast(RelationSchema schema, RelationSchema.Column column) {
        String table = TableId.quoteIdentifier(schema.namespace()) + "."
                + TableId.quoteIdentifier(schema.tableName());
        return new FlinkRuntimeException("pg-arrow-cdc: an UPDATE of table " + schema.qualifiedName()
                + " (transaction " + (transaction == null ? "?" : transaction.xid()) + ", commit LSN "
                + (transaction == null ? "?" : Lsn.format(transaction.finalLsn())) + ") left the"
                + " TOASTed value of column '" + column.name() + "' unchanged, and under REPLICA"
                + " IDENTITY " + schema.replicaIdentity().name() + " the WAL does not carry it:"
                + " emitting it as NULL would overwrite the real value downstream. Fix: ALTER TABLE "
                + table + " REPLICA IDENTITY FULL, so that later UPDATEs carry the value. UPDATEs"
                + " already in the WAL stay without it: to get past them set"
                + " 'scan.unchanged-toast.mode' = 'null' (the column arrives as NULL, which"
                + " PgArrowRecordContext#unknownValue reports as UNCHANGED_TOAST).");
    }

    private PgArrowRecord.RowContext contextFor(RelationSchema schema) {
        if (transactionContext == null || contextSchema != schema) {
            transactionContext = new PgArrowRecord.RowContext(
                    schema.namespace(), schema.tableName(), false,
                    transaction == null ? 0 : transaction.finalLsn(),
                    transaction == null ? 0 : transaction.xid(),
                    transaction == null ? 0 : transaction.commitTimeMicros(),
                    schema.toRowType(), absentColumns(schema),
                    schema.replicaIdentity().name());
            contextSchema = schema;
        }
        return transactionContext;
    }

    private boolean[] absentColumns(RelationSchema schema) {
        if (!absentColumns.containsKey(schema)) {
            absentColumns.put(schema, absentFromOldRows(schema));
        }
        return absentColumns.get(schema);
    }

    /**
     * Per field position, whether {@code -U}/{@code -D} rows lack the column (it is outside the
     * replica identity); null when they carry every column. Logs, once per table, what a replica
     * identity other than FULL means for the rows.
     */
    private boolean[] absentFromOldRows(RelationSchema schema) {
        boolean[] absent = new boolean[schema.columnCount()];
        boolean any = false;
        for (int i = 0; i < absent.length; i++) {
            absent[i] = !schema.column(i).isReplicaIdentity();
            any |= absent[i];
        }
        if (any && identityLogged.add(schema.qualifiedName())) {
            LOG.warn("Table {} has REPLICA IDENTITY {}: its -U and -D rows carry only the {} (the"
                            + " other columns are NULL, reported by PgArrowRecordContext#unknownValue"
                            + " as ABSENT), and a TOASTed value an UPDATE leaves unchanged is not in"
                            + " the WAL (see 'scan.unchanged-toast.mode'). For full before-images"
                            + " (changelog-mode 'all'): ALTER TABLE {}.{} REPLICA IDENTITY FULL",
                    schema.qualifiedName(), schema.replicaIdentity().name(),
                    schema.replicaIdentity() == RelationSchema.ReplicaIdentity.NOTHING
                            ? "row kind" : "replica identity columns",
                    TableId.quoteIdentifier(schema.namespace()),
                    TableId.quoteIdentifier(schema.tableName()));
        }
        return any ? absent : null;
    }

    /** Confirms to the slot that everything up to {@code lsn} is durable downstream. */
    void confirm(long lsn) throws SQLException {
        if (lsn == 0 || Long.compareUnsigned(lsn, confirmedLsn) <= 0) {
            return;
        }
        confirmedLsn = lsn;
        if (stream == null || stream.isClosed()) {
            // Reconnecting: the new stream confirms it.
            return;
        }
        LogSequenceNumber confirmed = LogSequenceNumber.valueOf(lsn);
        stream.setFlushedLSN(confirmed);
        stream.setAppliedLSN(confirmed);
        stream.forceUpdateStatus();
        LOG.debug("Confirmed {} to {}", Lsn.format(lsn), split.slotName());
    }

    @Override
    public void close() {
        if (snapshot != null) {
            snapshot.close();
            snapshot = null;
        }
        closeConnection(true);
    }

    /**
     * @param endStream whether to end the COPY politely first; not on a failed connection, where
     *     waiting for the server's answer could hang
     */
    private void closeConnection(boolean endStream) {
        try {
            if (endStream && stream != null && !stream.isClosed()) {
                stream.close();
            }
        } catch (SQLException e) {
            LOG.debug("Closing the stream of {}", description, e);
        }
        try {
            if (replication != null) {
                replication.close();
            }
        } catch (SQLException e) {
            LOG.debug("Closing the connection of {}", description, e);
        }
        if (decoder != null) {
            decoder.close();
            decoder = null;
        }
        converters.clear();
        absentColumns.clear();
        transactionContext = null;
        contextSchema = null;
        stream = null;
        replication = null;
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
