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
import dev.pgarrowcdc.flink.source.reader.frame.BeginFrame;
import dev.pgarrowcdc.flink.source.reader.frame.Frame;
import dev.pgarrowcdc.flink.source.reader.frame.FrameFormatException;
import dev.pgarrowcdc.flink.source.reader.frame.RowsFrame;
import dev.pgarrowcdc.flink.source.reader.frame.WalArrowFrameDecoder;
import dev.pgarrowcdc.flink.source.reader.frame.WireFormat;
import dev.pgarrowcdc.flink.source.split.Reconciliation;
import dev.pgarrowcdc.flink.source.split.TableId;

import org.apache.arrow.memory.BufferAllocator;
import org.postgresql.PGConnection;
import org.postgresql.replication.LogSequenceNumber;
import org.postgresql.replication.PGReplicationStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.annotation.Nullable;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * The state of one split's replication stream: the connection, where it resumes, the rows of a
 * partly emitted transaction to skip, the LSN confirmed to the slot, and reconnecting after a
 * transient failure. Frames become records through a {@link FrameTranslator}. Not thread safe;
 * every method runs on the fetcher thread.
 *
 * <p>Reconnects. A streaming connection that fails (walsender terminated, connection dropped,
 * server restarted) is opened again after a backoff, without failing the job: streaming resumes
 * from the end of the last transaction whose rows were all handed to the emitter (or the last
 * keepalive position), skipping the rows of the next transaction already handed over, so nothing is
 * lost or repeated. After {@code connect.max-retries} failed attempts in a row the job fails. The
 * decoder is new on every connection: schema versions belong to one decoding session.
 *
 * <p>Idle slots. When nothing is pending (no partly received transaction), the walsender's
 * keepalive position (pgjdbc's last received LSN) is handed to the task thread as progress: every
 * change of this slot's tables committed before it was already sent. The split state records it, so
 * the next completed checkpoint confirms it and a slot whose tables see no changes does not retain
 * WAL while other tables are busy.
 */
final class StreamConnection implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(StreamConnection.class);

    private final PgArrowSourceConfig config;
    private final SlotManager slot;
    private final List<TableId> tables;
    private final BufferAllocator allocator;
    private final String description;
    private final ReaderMetrics metrics;
    private final FrameTranslator translator;
    private final Reconnects reconnects;

    private Connection replication;
    private PGReplicationStream stream;
    private WalArrowFrameDecoder decoder;

    /** One frame's records, before rows already emitted are skipped. */
    private final List<PgArrowRecord> translated = new ArrayList<>();

    /** One frame's records that no snapshot chunk already shows. */
    private final List<PgArrowRecord> reconciled = new ArrayList<>();

    /** While the table's chunked snapshot may already show streamed changes; else null. */
    @Nullable private Reconciler reconciler;

    /**
     * Whether this connection reads chunk key columns outside {@code projectedColumns} (for the
     * reconciler), which {@link #narrow} removes from the rows.
     */
    private boolean widened;

    /** Per stream row context, the same without the columns added for reconciliation. */
    private final java.util.IdentityHashMap<PgArrowRecord.RowContext, Narrowing> narrowed =
            new java.util.IdentityHashMap<>();

    /** How a row context maps to the projected one. */
    private static final class Narrowing {
        final PgArrowRecord.RowContext context;
        final int[] positions;

        Narrowing(PgArrowRecord.RowContext context, int[] positions) {
            this.context = context;
            this.positions = positions;
        }
    }

    /** The row without the columns outside {@code projectedColumns}. */
    private PgArrowRecord narrow(PgArrowRecord record) {
        Narrowing n = narrowed.computeIfAbsent(record.context, this::narrowing);
        org.apache.flink.table.data.GenericRowData row =
                (org.apache.flink.table.data.GenericRowData) record.row;
        org.apache.flink.table.data.GenericRowData out =
                new org.apache.flink.table.data.GenericRowData(
                        row.getRowKind(), n.positions.length);
        dev.pgarrowcdc.flink.source.UnknownValue[] marks = null;
        for (int i = 0; i < n.positions.length; i++) {
            out.setField(i, row.getField(n.positions[i]));
            if (record.marks != null && record.marks[n.positions[i]] != null) {
                if (marks == null) {
                    marks = new dev.pgarrowcdc.flink.source.UnknownValue[n.positions.length];
                }
                marks[i] = record.marks[n.positions[i]];
            }
        }
        return PgArrowRecord.row(out, n.context, marks);
    }

    private Narrowing narrowing(PgArrowRecord.RowContext c) {
        List<String> names = c.rowType().getFieldNames();
        List<Integer> keep = new ArrayList<>();
        for (int i = 0; i < names.size(); i++) {
            if (config.projectedColumns().contains(names.get(i))) {
                keep.add(i);
            }
        }
        int[] positions = keep.stream().mapToInt(Integer::intValue).toArray();
        List<org.apache.flink.table.types.logical.RowType.RowField> fields = new ArrayList<>();
        boolean[] absent = c.logsOldRows() ? null : new boolean[positions.length];
        for (int i = 0; i < positions.length; i++) {
            fields.add(c.rowType().getFields().get(positions[i]));
            if (absent != null) {
                absent[i] = c.absent(org.apache.flink.types.RowKind.DELETE, positions[i]);
            }
        }
        return new Narrowing(
                new PgArrowRecord.RowContext(
                        c.schemaName(),
                        c.tableName(),
                        false,
                        c.commitLsn(),
                        c.xid(),
                        c.commitTimeMicros(),
                        new org.apache.flink.table.types.logical.RowType(fields),
                        absent,
                        c.replicaIdentity()),
                positions);
    }

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

    /** What {@link #readPosition()} reports to the lag gauge (read on other threads). */
    private volatile long readPosition;

    StreamConnection(
            PgArrowSourceConfig config,
            SlotManager slot,
            List<TableId> tables,
            BufferAllocator allocator,
            ReaderMetrics metrics,
            String description,
            long resumeLsn,
            long rowsToSkip,
            @Nullable Reconciliation reconciliation) {
        this.reconciler =
                reconciliation == null
                        ? null
                        : new Reconciler(config, tables.get(0), reconciliation);
        this.config = config;
        this.slot = slot;
        this.tables = tables;
        this.allocator = allocator;
        this.metrics = metrics;
        this.description = description;
        this.resumeLsn = resumeLsn;
        this.rowsToSkip = rowsToSkip;
        this.readPosition = resumeLsn;
        this.translator =
                new FrameTranslator(
                        config.unchangedToastMode(), description, metrics.truncatesSkipped::inc);
        this.reconnects = new Reconnects(config.connectMaxRetries(), description);
    }

    long readPosition() {
        return readPosition;
    }

    /** Sets the position reported while no stream runs yet (a slot's consistent point). */
    void setReadPosition(long lsn) {
        readPosition = lsn;
    }

    /** False while waiting out the backoff after a failure. */
    boolean due() {
        return reconnects.due();
    }

    boolean isOpen() {
        return stream != null;
    }

    /** Opens a replication connection, finds (or makes) the slot and streams from resumeLsn. */
    void open() throws SQLException {
        Connection c = config.connectForReplication();
        startOn(c, slot.resume(c, resumeLsn));
    }

    /**
     * Starts streaming from {@code startLsn} on {@code connection}, a replication connection that
     * this object now owns (the one that created the slot, after a snapshot).
     */
    void startOn(Connection connection, long startLsn) throws SQLException {
        this.replication = connection;
        this.resumeLsn = startLsn;
        try (Statement st = replication.createStatement()) {
            // Output functions of text-mapped types run in the walsender: same settings as the
            // snapshot.
            st.execute("SET TimeZone = 'UTC'");
            st.execute("SET DateStyle = 'ISO'");
            st.execute("SET extra_float_digits = 3");
        }
        String list = tables.stream().map(TableId::quoted).collect(Collectors.joining(","));
        stream =
                replication
                        .unwrap(PGConnection.class)
                        .getReplicationAPI()
                        .replicationStream()
                        .logical()
                        .withSlotName(slot.slotName())
                        .withStartPosition(LogSequenceNumber.valueOf(startLsn))
                        // pgjdbc puts option values between single quotes as they are
                        // The plugin refuses a version it does not write, before any frame is sent.
                        .withSlotOption(
                                WireFormat.FORMAT_VERSION_OPTION, WireFormat.PROTOCOL_VERSION)
                        .withSlotOption("tables", list.replace("'", "''"))
                        .withSlotOption("batch_rows", config.batchRows())
                        .withSlotOption("compression", config.compression().value())
                        .withSlotOptions(projectionOptions())
                        .withStatusInterval(
                                (int) config.heartbeatInterval().toMillis(), TimeUnit.MILLISECONDS)
                        // Only a completed checkpoint confirms an LSN: pgjdbc must not flush on its
                        // own.
                        .withAutomaticFlush(false)
                        .start();
        if (startLsn != 0) {
            readPosition = startLsn;
        }
        // A new decoding session: schema versions start over.
        decoder = new WalArrowFrameDecoder(allocator, description);
        translator.reset();
        if (confirmedLsn != 0) {
            stream.setFlushedLSN(LogSequenceNumber.valueOf(confirmedLsn));
            stream.setAppliedLSN(LogSequenceNumber.valueOf(confirmedLsn));
        }
        reconnects.connected();
        LOG.info(
                "Streaming {} from {}{}",
                description,
                Lsn.format(startLsn),
                rowsToSkip > 0 ? ", skipping " + rowsToSkip + " rows already emitted" : "");
    }

    /**
     * wal2arrow's {@code columns} option ({@code "schema"."table": "c1","c2"; ...}) when the source
     * reads only some columns. The names travel in the value, which PostgreSQL passes on whole (an
     * option name, as in {@code columns.<schema>.<table>}, is cut at 63 bytes); pgjdbc puts the
     * value between single quotes as it is, so a quote in it is doubled here.
     */
    private java.util.Properties projectionOptions() {
        java.util.Properties options = new java.util.Properties();
        List<String> columns = config.projectedColumns();
        widened = false;
        narrowed.clear();
        if (columns != null && reconciler != null) {
            // Reconciling needs every row's chunk key: read it too, and leave it out of the rows.
            List<String> wider = new ArrayList<>(columns);
            for (String key : reconciler.keyColumns()) {
                if (!wider.contains(key)) {
                    wider.add(key);
                    widened = true;
                }
            }
            columns = wider;
        }
        if (columns != null) {
            String list =
                    columns.stream().map(TableId::quoteIdentifier).collect(Collectors.joining(","));
            String value =
                    tables.stream()
                            .map(t -> t.quoted() + ": " + list)
                            .collect(Collectors.joining("; "));
            options.setProperty("columns", value.replace("'", "''"));
        }
        return options;
    }

    /**
     * Adds records to {@code out} until about {@code limit} records or {@code byteLimit} bytes of
     * messages were read.
     *
     * @return whether anything was read (false: idle)
     */
    boolean poll(List<PgArrowRecord> out, int limit, long byteLimit) throws SQLException {
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
                throw new FrameFormatException(
                        e.getMessage()
                                + " (message received at LSN "
                                + stream.getLastReceiveLSN().asString()
                                + ")",
                        e);
            }
            for (int i = 0; i < frames.size(); i++) {
                try (Frame f = frames.get(i)) {
                    handle(f, out);
                } catch (RuntimeException | SQLException e) {
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
     * Translates one frame, drops what a snapshot chunk already shows, skips rows already emitted,
     * and tracks the resume position.
     */
    private void handle(Frame frame, List<PgArrowRecord> out) throws SQLException {
        if (frame instanceof BeginFrame) {
            rowsReadInTransaction = 0;
        }
        translated.clear();
        reconciled.clear();
        BeginFrame transaction = translator.transaction();
        translator.translate(frame, translated);
        List<PgArrowRecord> records = translated;
        if (reconciler != null && frame instanceof RowsFrame && transaction != null) {
            reconciler.filter(transaction.xid(), translated, reconciled);
            records = reconciled;
        }
        for (PgArrowRecord record : records) {
            if (record.kind == PgArrowRecord.Kind.ROW) {
                rowsReadInTransaction++;
                if (rowsToSkip > 0) {
                    rowsToSkip--;
                    continue;
                }
                out.add(widened ? narrow(record) : record);
            } else if (record.kind == PgArrowRecord.Kind.TRANSACTION_END) {
                out.add(record);
                resumeLsn = record.lsn;
                readPosition = record.lsn;
                rowsToSkip = 0;
                rowsReadInTransaction = 0;
                narrowed.clear();
                endReconciliation(out);
            } else {
                out.add(record);
            }
        }
        translated.clear();
        reconciled.clear();
        if (frame instanceof RowsFrame && translator.transaction() != null) {
            metrics.rowsFetched(translator.transaction().commitTimeMicros());
        }
    }

    /**
     * Hands over the walsender's position when nothing is pending: with no partly received
     * transaction (nor a partly emitted one still to skip), every change of the slot's tables
     * committed before the last received LSN (a keepalive's, or the last commit's) was handed over.
     */
    private void reportProgress(List<PgArrowRecord> out) throws SQLException {
        if (translator.transaction() != null || rowsToSkip > 0) {
            return;
        }
        endReconciliation(out);
        long received = stream.getLastReceiveLSN().asLong();
        if (Long.compareUnsigned(received, resumeLsn) > 0) {
            resumeLsn = received;
            readPosition = received;
            out.add(PgArrowRecord.progress(received));
            reconnects.streaming();
            endReconciliation(out);
        }
    }

    /**
     * At a transaction boundary: ends reconciliation once no later change can be in a snapshot
     * chunk (the split state forgets the chunks).
     */
    private void endReconciliation(List<PgArrowRecord> out) throws SQLException {
        if (reconciler != null && rowsToSkip == 0 && reconciler.endedAt(resumeLsn)) {
            reconciler.close();
            reconciler = null;
            out.add(PgArrowRecord.reconciled(resumeLsn));
            LOG.info(
                    "{}: reconciliation with the snapshot ended at {}",
                    description,
                    Lsn.format(resumeLsn));
        }
    }

    /**
     * The connection failed with a transient error: drop it and schedule a new one. Rows of a
     * partly received transaction were handed over, so the new stream skips them.
     *
     * @throws IOException when {@code connect.max-retries} attempts in a row failed
     */
    void connectionLost(SQLException cause) throws IOException {
        closeConnection(false);
        if (reconciler != null) {
            reconciler.close();
        }
        if (translator.transaction() != null) {
            rowsToSkip += rowsReadInTransaction;
        }
        translator.reset();
        rowsReadInTransaction = 0;
        reconnects.failed(cause, resumeLsn, rowsToSkip);
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
        LOG.debug("Confirmed {} to {}", Lsn.format(lsn), slot.slotName());
    }

    @Override
    public void close() {
        closeConnection(true);
        if (reconciler != null) {
            reconciler.close();
        }
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
        stream = null;
        replication = null;
    }
}
