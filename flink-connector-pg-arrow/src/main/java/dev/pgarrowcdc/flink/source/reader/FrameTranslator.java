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
import dev.pgarrowcdc.flink.source.UnchangedToastMode;
import dev.pgarrowcdc.flink.source.UnknownValue;
import dev.pgarrowcdc.flink.source.reader.frame.BeginFrame;
import dev.pgarrowcdc.flink.source.reader.frame.CommitFrame;
import dev.pgarrowcdc.flink.source.reader.frame.Frame;
import dev.pgarrowcdc.flink.source.reader.frame.RelationSchema;
import dev.pgarrowcdc.flink.source.reader.frame.RowDataConverter;
import dev.pgarrowcdc.flink.source.reader.frame.RowsFrame;
import dev.pgarrowcdc.flink.source.reader.frame.TruncateFrame;
import dev.pgarrowcdc.flink.source.split.TableId;

import org.apache.flink.util.FlinkRuntimeException;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.annotation.Nullable;

import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Turns decoded wal2arrow frames into {@link PgArrowRecord}s: one {@code ROW} record per row of a
 * {@code R} frame (with its transaction's context and its unknown-value marks), a {@code
 * TRANSACTION_END} record per {@code C} frame. It applies {@code scan.unchanged-toast.mode} and
 * logs, once each, a column's first NaN / ±Infinity / not representable value and a table's replica
 * identity. It does no I/O and knows nothing of positions or slots: a unit test drives it with
 * frames built in Java.
 *
 * <p>A {@code TRUNCATE} is not emitted (a Flink changelog cannot say "remove every row"): it is
 * logged naming the tables and reported to {@code onTruncate}.
 *
 * <p>Schema versions belong to one decoding session: call {@link #reset()} on every new replication
 * connection.
 */
final class FrameTranslator {

    private static final Logger LOG = LoggerFactory.getLogger(FrameTranslator.class);

    private final UnchangedToastMode unchangedToastMode;
    private final String description;
    private final Runnable onTruncate;

    private final Map<RelationSchema, RowDataConverter> converters = new IdentityHashMap<>();

    /** {@link #absentFromOldRows} per schema (null values kept: every column is logged). */
    private final Map<RelationSchema, boolean[]> absentColumns = new IdentityHashMap<>();

    private final ValueMarks valueMarks = new ValueMarks();

    /** Tables whose replica identity was already logged (once per table and translator). */
    private final Set<String> identityLogged = new HashSet<>();

    @Nullable private BeginFrame transaction;
    private PgArrowRecord.RowContext transactionContext;
    private RelationSchema contextSchema;

    /**
     * @param description names the source in messages (slot and tables)
     * @param onTruncate called once per TRUNCATE frame
     */
    FrameTranslator(
            UnchangedToastMode unchangedToastMode, String description, Runnable onTruncate) {
        this.unchangedToastMode = unchangedToastMode;
        this.description = description;
        this.onTruncate = onTruncate;
    }

    /** The transaction whose frames are being translated, or null between transactions. */
    @Nullable
    BeginFrame transaction() {
        return transaction;
    }

    /**
     * Appends the frame's records to {@code out}: ROW records for a rows frame, one TRANSACTION_END
     * for a commit; nothing for the other frames.
     */
    void translate(Frame frame, List<PgArrowRecord> out) {
        if (frame instanceof BeginFrame) {
            transaction = (BeginFrame) frame;
            transactionContext = null;
        } else if (frame instanceof RowsFrame) {
            RowsFrame rows = (RowsFrame) frame;
            RowDataConverter converter =
                    converters.computeIfAbsent(rows.schema(), RowDataConverter::new);
            PgArrowRecord.RowContext context = contextFor(rows.schema());
            boolean marked = rows.hasMarks();
            for (int r = 0; r < rows.rowCount(); r++) {
                out.add(
                        PgArrowRecord.row(
                                converter.toRowData(rows, r),
                                context,
                                marked ? unknownValues(rows, r) : null));
            }
        } else if (frame instanceof CommitFrame) {
            out.add(PgArrowRecord.transactionEnd(((CommitFrame) frame).endLsn()));
            transaction = null;
            transactionContext = null;
        } else if (frame instanceof TruncateFrame) {
            truncated((TruncateFrame) frame);
        }
        // SCHEMA frames are cached by the decoder; MESSAGE frames are not asked for.
    }

    /** A new decoding session: schema versions (and the partly read transaction) start over. */
    void reset() {
        converters.clear();
        absentColumns.clear();
        transaction = null;
        transactionContext = null;
        contextSchema = null;
    }

    private void truncated(TruncateFrame frame) {
        onTruncate.run();
        LOG.warn(
                "TRUNCATE of {} (transaction {} committed at {}) on {} is not emitted: a Flink"
                        + " changelog cannot express it, so rows emitted before it stay in downstream"
                        + " state; clear them there if needed",
                frame.relations().stream()
                        .map(r -> r.namespace() + "." + r.name())
                        .collect(Collectors.joining(", ")),
                transaction == null ? "?" : transaction.xid(),
                transaction == null ? "?" : Lsn.format(transaction.finalLsn()),
                description);
    }

    /**
     * The row's marks; an unchanged TOAST value fails under {@code scan.unchanged-toast.mode} FAIL.
     */
    private UnknownValue[] unknownValues(RowsFrame rows, int row) {
        return valueMarks.of(
                rows,
                row,
                column -> {
                    if (unchangedToastMode == UnchangedToastMode.FAIL) {
                        throw unchangedToast(rows.schema(), column);
                    }
                });
    }

    private FlinkRuntimeException unchangedToast(
            RelationSchema schema, RelationSchema.Column column) {
        String table =
                TableId.quoteIdentifier(schema.namespace())
                        + "."
                        + TableId.quoteIdentifier(schema.tableName());
        return new FlinkRuntimeException(
                "pg-arrow-cdc: an UPDATE of table "
                        + schema.qualifiedName()
                        + " (transaction "
                        + (transaction == null ? "?" : transaction.xid())
                        + ", commit LSN "
                        + (transaction == null ? "?" : Lsn.format(transaction.finalLsn()))
                        + ") left the"
                        + " TOASTed value of column '"
                        + column.name()
                        + "' unchanged, and under REPLICA"
                        + " IDENTITY "
                        + schema.replicaIdentity().name()
                        + " the WAL does not carry it:"
                        + " emitting it as NULL would overwrite the real value downstream. Fix: ALTER TABLE "
                        + table
                        + " REPLICA IDENTITY FULL, so that later UPDATEs carry the value. UPDATEs"
                        + " already in the WAL stay without it: to get past them set"
                        + " 'scan.unchanged-toast.mode' = 'null' (the column arrives as NULL, which"
                        + " PgArrowRecordContext#unknownValue reports as UNCHANGED_TOAST).");
    }

    private PgArrowRecord.RowContext contextFor(RelationSchema schema) {
        if (transactionContext == null || contextSchema != schema) {
            transactionContext =
                    new PgArrowRecord.RowContext(
                            schema.namespace(),
                            schema.tableName(),
                            false,
                            transaction == null ? 0 : transaction.finalLsn(),
                            transaction == null ? 0 : transaction.xid(),
                            transaction == null ? 0 : transaction.commitTimeMicros(),
                            schema.toRowType(),
                            absentColumns(schema),
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
            LOG.warn(
                    "Table {} has REPLICA IDENTITY {}: its -U and -D rows carry only the {} (the"
                            + " other columns are NULL, reported by PgArrowRecordContext#unknownValue"
                            + " as ABSENT), and a TOASTed value an UPDATE leaves unchanged is not in"
                            + " the WAL (see 'scan.unchanged-toast.mode'). For full before-images"
                            + " (changelog-mode 'all'): ALTER TABLE {}.{} REPLICA IDENTITY FULL",
                    schema.qualifiedName(),
                    schema.replicaIdentity().name(),
                    schema.replicaIdentity() == RelationSchema.ReplicaIdentity.NOTHING
                            ? "row kind"
                            : "replica identity columns",
                    TableId.quoteIdentifier(schema.namespace()),
                    TableId.quoteIdentifier(schema.tableName()));
        }
        return any ? absent : null;
    }
}
