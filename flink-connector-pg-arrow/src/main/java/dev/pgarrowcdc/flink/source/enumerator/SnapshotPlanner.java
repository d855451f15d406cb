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
package dev.pgarrowcdc.flink.source.enumerator;

import dev.pgarrowcdc.flink.source.PgArrowSourceConfig;
import dev.pgarrowcdc.flink.source.reader.SlotManager;
import dev.pgarrowcdc.flink.source.split.ChunkKey;
import dev.pgarrowcdc.flink.source.split.TableId;
import dev.pgarrowcdc.flink.source.split.XidSnapshot;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.annotation.Nullable;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The catalog and planning SQL of a chunked snapshot, run on Flink's worker thread (never the
 * coordinator's): the table's cut (its slot created with an exported snapshot, and that snapshot's
 * visibility {@code E} read by importing it; both connections close at once), its chunk key, and
 * the next chunk boundaries (keyset queries in the key columns' own order and collation).
 */
final class SnapshotPlanner {

    private static final Logger LOG = LoggerFactory.getLogger(SnapshotPlanner.class);

    /**
     * Key types whose stream values turn back into their exact input text (see the reader's
     * Reconciler); a key of another type reads the table as one chunk.
     */
    private static final Set<String> KEY_TYPES =
            new HashSet<>(
                    Arrays.asList(
                            "smallint",
                            "integer",
                            "bigint",
                            "numeric",
                            "text",
                            "character varying",
                            "character",
                            "uuid",
                            "date",
                            "timestamp without time zone",
                            "timestamp with time zone",
                            "boolean",
                            "bytea",
                            "double precision",
                            "real"));

    private final PgArrowSourceConfig config;

    SnapshotPlanner(PgArrowSourceConfig config) {
        this.config = config;
    }

    /** Creates the table's slot (unless bounded) and records its cut and chunk key. */
    TableSnapshot cut(TableId table, String slotName, boolean bounded) throws SQLException {
        ChunkKey key;
        long estimate;
        try (Connection c = config.connect()) {
            key = chunkKey(c, table);
            estimate = estimatedRows(c, table);
        }
        if (bounded) {
            return new TableSnapshot(table, slotName, 0, null, key, estimate);
        }
        SlotManager slot = new SlotManager(config, slotName, Collections.singletonList(table));
        slot.dropStale();
        try (Connection replication = config.connectForReplication()) {
            SlotManager.CreatedSlot created = slot.create(replication, true);
            XidSnapshot cut;
            try (Connection c = config.connect()) {
                c.setAutoCommit(false);
                try (Statement st = c.createStatement()) {
                    st.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY");
                    st.execute(
                            "SET TRANSACTION SNAPSHOT '"
                                    + created.snapshotName.replace("'", "''")
                                    + "'");
                    try (ResultSet rs =
                            st.executeQuery("SELECT pg_catalog.pg_current_snapshot()::text")) {
                        rs.next();
                        cut = XidSnapshot.parse(rs.getString(1));
                    }
                }
                c.commit();
            }
            LOG.info(
                    "Table {}: slot {} at consistent point with cut {}; chunks of about {} rows"
                            + " by {} (about {} rows)",
                    table,
                    slotName,
                    cut,
                    config.chunkSize(),
                    key.isEmpty() ? "nothing (one chunk)" : key,
                    estimate);
            return new TableSnapshot(table, slotName, created.consistentPoint, cut, key, estimate);
        }
    }

    private static long estimatedRows(Connection c, TableId table) throws SQLException {
        try (PreparedStatement ps =
                c.prepareStatement(
                        "SELECT c.reltuples::int8 FROM pg_catalog.pg_class c WHERE c.oid = CAST(? AS regclass)")) {
            ps.setString(1, table.quoted());
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getLong(1) : -1;
            }
        }
    }

    private static final String COLUMN_SELECT =
            "SELECT a.attname, pg_catalog.format_type(a.atttypid, a.atttypmod),"
                    + " CASE WHEN a.attcollation <> 0 THEN pg_catalog.quote_ident(cn.nspname) || '.'"
                    + " || pg_catalog.quote_ident(co.collname) ELSE '' END, a.attnotnull,"
                    + " pg_catalog.format_type(coalesce(nullif(t.typbasetype, 0), t.oid), NULL)";

    private static final String COLUMN_JOINS =
            " JOIN pg_catalog.pg_type t ON t.oid = a.atttypid"
                    + " LEFT JOIN pg_catalog.pg_collation co ON co.oid = a.attcollation"
                    + " LEFT JOIN pg_catalog.pg_namespace cn ON cn.oid = co.collnamespace";

    /**
     * The chunk key: {@code scan.incremental.snapshot.chunk.key-column} when the table has it, else
     * the primary key; {@link ChunkKey#NONE} (one chunk, with a WARN) when there is neither, or
     * when the stream could not place a change by the key (nullable column, a type outside {@link
     * #KEY_TYPES}, or key columns missing from the replica identity).
     */
    ChunkKey chunkKey(Connection c, TableId table) throws SQLException {
        List<String[]> columns = new ArrayList<>();
        String option = config.chunkKeyColumn();
        if (option != null) {
            try (PreparedStatement ps =
                    c.prepareStatement(
                            COLUMN_SELECT
                                    + " FROM pg_catalog.pg_attribute a"
                                    + COLUMN_JOINS
                                    + " WHERE a.attrelid = CAST(? AS regclass) AND a.attname = ? AND a.attnum > 0"
                                    + " AND NOT a.attisdropped")) {
                ps.setString(1, table.quoted());
                ps.setString(2, option);
                readColumns(ps, columns);
            }
        }
        String source = "scan.incremental.snapshot.chunk.key-column '" + option + "'";
        if (columns.isEmpty()) {
            source = "primary key";
            try (PreparedStatement ps =
                    c.prepareStatement(
                            COLUMN_SELECT
                                    + " FROM pg_catalog.pg_index i"
                                    + " CROSS JOIN LATERAL unnest(CAST(i.indkey AS int2[])) WITH ORDINALITY AS k(attnum, ord)"
                                    + " JOIN pg_catalog.pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum"
                                    + COLUMN_JOINS
                                    + " WHERE i.indrelid = CAST(? AS regclass) AND i.indisprimary ORDER BY k.ord")) {
                ps.setString(1, table.quoted());
                readColumns(ps, columns);
            }
        }
        if (columns.isEmpty()) {
            return oneChunk(
                    table,
                    "it has no primary key and no column named by"
                            + " 'scan.incremental.snapshot.chunk.key-column'"
                            + (option == null ? " (not set)" : " ('" + option + "')"));
        }
        Set<String> identity = identityColumns(c, table);
        List<String> names = new ArrayList<>();
        List<String> types = new ArrayList<>();
        List<String> collations = new ArrayList<>();
        for (String[] col : columns) {
            if (!"t".equals(col[3])) {
                return oneChunk(
                        table,
                        "its chunk key column '" + col[0] + "' (" + source + ") is nullable");
            }
            if (!KEY_TYPES.contains(col[4])) {
                return oneChunk(
                        table,
                        "its chunk key column '"
                                + col[0]
                                + "' ("
                                + source
                                + ") is of type "
                                + col[1]
                                + ", which chunks do not support");
            }
            if (!identity.contains(col[0])) {
                return oneChunk(
                        table,
                        "its chunk key column '"
                                + col[0]
                                + "' ("
                                + source
                                + ") is not in the table's replica identity, so deletes do not carry it"
                                + " (ALTER TABLE "
                                + table.quoted()
                                + " REPLICA IDENTITY FULL)");
            }
            names.add(col[0]);
            types.add(col[1]);
            collations.add(col[2]);
        }
        return new ChunkKey(names, types, collations);
    }

    private static void readColumns(PreparedStatement ps, List<String[]> out) throws SQLException {
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                out.add(
                        new String[] {
                            rs.getString(1),
                            rs.getString(2),
                            rs.getString(3),
                            rs.getBoolean(4) ? "t" : "f",
                            rs.getString(5)
                        });
            }
        }
    }

    /** The columns the WAL's old rows carry (REPLICA IDENTITY). */
    private static Set<String> identityColumns(Connection c, TableId table) throws SQLException {
        Set<String> out = new HashSet<>();
        try (PreparedStatement ps =
                c.prepareStatement(
                        "SELECT a.attname FROM pg_catalog.pg_class r"
                                + " JOIN pg_catalog.pg_attribute a ON a.attrelid = r.oid AND a.attnum > 0"
                                + "  AND NOT a.attisdropped"
                                + " WHERE r.oid = CAST(? AS regclass) AND (r.relreplident = 'f'"
                                + "  OR EXISTS (SELECT 1 FROM pg_catalog.pg_index i WHERE i.indrelid = r.oid"
                                + "   AND a.attnum = ANY (CAST(i.indkey AS int2[]))"
                                + "   AND ((r.relreplident = 'd' AND i.indisprimary)"
                                + "    OR (r.relreplident = 'i' AND i.indisreplident))))")) {
            ps.setString(1, table.quoted());
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getString(1));
                }
            }
        }
        return out;
    }

    private static ChunkKey oneChunk(TableId table, String why) {
        LOG.warn(
                "Table {} is snapshotted as one chunk, by one reader: {}. To read it in parallel"
                        + " chunks, give it a primary key or set"
                        + " 'scan.incremental.snapshot.chunk.key-column' to a NOT NULL column in its"
                        + " replica identity.",
                table,
                why);
        return ChunkKey.NONE;
    }

    /** What one planning call found. */
    static final class Planned {
        /** Upper bounds of the next chunks, in order. */
        final List<String[]> boundaries;

        /** The table has no rows after the last boundary's chunk: one last chunk (b, +inf). */
        final boolean done;

        Planned(List<String[]> boundaries, boolean done) {
            this.boundaries = boundaries;
            this.done = done;
        }
    }

    /**
     * The next up to {@code count} chunk boundaries after {@code cursor} (null: from the first
     * key), each {@code chunk.size} rows further in the key's order: keyset queries on the server,
     * so text keys follow their collation and composite keys all their columns.
     */
    Planned plan(TableId table, ChunkKey key, @Nullable String[] cursor, int count)
            throws SQLException {
        if (key.isEmpty()) {
            return new Planned(Collections.emptyList(), true);
        }
        List<String[]> out = new ArrayList<>();
        try (Connection c = config.connect()) {
            try (Statement st = c.createStatement()) {
                // The text forms of the bounds, read back exactly by the chunk reads.
                st.execute("SET TimeZone = 'UTC'");
                st.execute("SET DateStyle = 'ISO'");
                st.execute("SET extra_float_digits = 3");
                st.execute("SET bytea_output = 'hex'");
            }
            String base = "SELECT " + key.columnList() + " FROM ONLY " + table.quoted();
            String order =
                    " ORDER BY "
                            + key.columnList()
                            + " OFFSET "
                            + (config.chunkSize() - 1)
                            + " LIMIT 1";
            String[] at = cursor;
            for (int i = 0; i < count; i++) {
                String sql =
                        base
                                + (at == null
                                        ? ""
                                        : " WHERE ROW("
                                                + key.columnList()
                                                + ") > "
                                                + key.parameterRow())
                                + order;
                try (PreparedStatement ps = c.prepareStatement(sql)) {
                    if (at != null) {
                        for (int p = 0; p < at.length; p++) {
                            ps.setString(p + 1, at[p]);
                        }
                    }
                    try (ResultSet rs = ps.executeQuery()) {
                        if (!rs.next()) {
                            return new Planned(out, true);
                        }
                        String[] b = new String[key.size()];
                        for (int p = 0; p < b.length; p++) {
                            b[p] = rs.getString(p + 1);
                        }
                        out.add(b);
                        at = b;
                    }
                }
            }
        }
        return new Planned(out, false);
    }
}
