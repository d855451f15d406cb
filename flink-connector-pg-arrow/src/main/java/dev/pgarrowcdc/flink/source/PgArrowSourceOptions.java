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
package dev.pgarrowcdc.flink.source;

import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;

import java.time.Duration;

/**
 * Every option of the pg-arrow-cdc source, typed and described. Names follow Flink CDC's {@code
 * postgres-cdc} where the meaning is the same, so a SQL user switches by changing {@code
 * connector}.
 */
public final class PgArrowSourceOptions {

    public static final ConfigOption<String> HOSTNAME =
            ConfigOptions.key("hostname")
                    .stringType()
                    .noDefaultValue()
                    .withDescription("Host name or IP address of the PostgreSQL server.");

    public static final ConfigOption<Integer> PORT =
            ConfigOptions.key("port")
                    .intType()
                    .defaultValue(5432)
                    .withDescription("Port of the PostgreSQL server.");

    public static final ConfigOption<String> USERNAME =
            ConfigOptions.key("username")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "Role to connect as. It needs the REPLICATION attribute (or superuser)"
                                    + " and SELECT on the captured tables.");

    public static final ConfigOption<String> PASSWORD =
            ConfigOptions.key("password")
                    .stringType()
                    .defaultValue("")
                    .withDescription(
                            "Password of the role; empty for trust or peer authentication.");

    public static final ConfigOption<String> DATABASE_NAME =
            ConfigOptions.key("database-name")
                    .stringType()
                    .noDefaultValue()
                    .withDescription("Database to capture; replication slots are bound to it.");

    public static final ConfigOption<String> SCHEMA_NAME =
            ConfigOptions.key("schema-name")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "As in postgres-cdc: a Java regular expression for the schemas to"
                                    + " capture. When set, 'table-name' is a Java regular"
                                    + " expression for the table names, and a table is captured"
                                    + " when both match its whole (case-sensitive) name.");

    public static final ConfigOption<String> TABLE_NAME =
            ConfigOptions.key("table-name")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "With 'schema-name' set (postgres-cdc's form): a Java regular"
                                    + " expression matching whole table names. Without it:"
                                    + " tables to capture as a comma-separated list of patterns"
                                    + " [database.]schema.table where '*' matches any characters"
                                    + " and '?' one (public.*, public.user_*, *.orders,"
                                    + " mydb.public.orders); write a name part in double quotes"
                                    + " to match it literally (\"My.Schema\".\"Order*\"). An entry"
                                    + " starting with 'regex:' is a Java regular expression that"
                                    + " must match the whole schema.table (regex:public\\.t_[0-9]+).");

    public static final ConfigOption<String> SLOT_NAME =
            ConfigOptions.key("slot.name")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "Prefix of the replication slots this source creates, one per table:"
                                    + " <prefix>_<schema>_<table>, shortened and suffixed with a hash"
                                    + " where needed to stay a unique identifier of at most 63 bytes."
                                    + " Slots are cluster-wide: give every job its own prefix."
                                    + " Lower-case letters, digits and single underscores, starting"
                                    + " with a letter, at most 32 characters.");

    public static final ConfigOption<StartupMode> STARTUP_MODE =
            ConfigOptions.key("scan.startup.mode")
                    .enumType(StartupMode.class)
                    .defaultValue(StartupMode.INITIAL)
                    .withDescription("Where to start reading when the job has no state.");

    public static final ConfigOption<String> STARTUP_SPECIFIC_OFFSET_LSN =
            ConfigOptions.key("scan.startup.specific-offset.lsn")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "The LSN to start from with scan.startup.mode = specific-offset, in"
                                    + " PostgreSQL's notation, e.g. 0/16B3748.");

    public static final ConfigOption<Integer> SNAPSHOT_FETCH_SIZE =
            ConfigOptions.key("scan.snapshot.fetch.size")
                    .intType()
                    .defaultValue(1024)
                    .withDescription("Rows fetched per round trip while snapshotting a table.");

    public static final ConfigOption<SnapshotReadMode> SNAPSHOT_READ_MODE =
            ConfigOptions.key("scan.snapshot.read-mode")
                    .enumType(SnapshotReadMode.class)
                    .defaultValue(SnapshotReadMode.AUTO)
                    .withDescription(
                            "How snapshot chunks are read. 'auto' (default): as Arrow frames of"
                                    + " the SQL function wal2arrow_snapshot (CREATE EXTENSION"
                                    + " wal2arrow), converted by the same code as the stream, where"
                                    + " the database has it and the user may execute it; else as"
                                    + " PostgreSQL text converted in Java, with a WARN. 'arrow':"
                                    + " always the function; the job fails at start without it."
                                    + " 'text': always the text path.");

    public static final ConfigOption<Integer> CHUNK_SIZE =
            ConfigOptions.key("scan.incremental.snapshot.chunk.size")
                    .intType()
                    .defaultValue(65536)
                    .withDescription(
                            "Rows per snapshot chunk (postgres-cdc's name). A chunk is read in its"
                                    + " own short transaction by any reader, so a table's snapshot"
                                    + " spreads over all readers and a failure re-reads at most the"
                                    + " unfinished part of a chunk. Larger than postgres-cdc's 8096"
                                    + " because rows here cost little to read and the"
                                    + " transaction of a 65536-row chunk still lasts well under a"
                                    + " second, while fewer chunks mean fewer boundary queries and"
                                    + " a smaller reconciliation table in the stream's state.");

    public static final ConfigOption<String> CHUNK_KEY_COLUMN =
            ConfigOptions.key("scan.incremental.snapshot.chunk.key-column")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "The column to chunk snapshots by (postgres-cdc's name), for every"
                                    + " captured table that has it; other tables are chunked by"
                                    + " their whole primary key. It must be NOT NULL, and a table"
                                    + " chunked by a column outside its primary key needs REPLICA"
                                    + " IDENTITY FULL (its deletes must carry the column). A table"
                                    + " with neither is read as one chunk, with a WARN.");

    public static final ConfigOption<Integer> BATCH_ROWS =
            ConfigOptions.key("wal2arrow.batch-rows")
                    .intType()
                    .defaultValue(8192)
                    .withDescription(
                            "Maximum rows per Arrow record batch the plugin sends (1..10000000).");

    public static final ConfigOption<ArrowCompression> COMPRESSION =
            ConfigOptions.key("wal2arrow.compression")
                    .enumType(ArrowCompression.class)
                    .defaultValue(ArrowCompression.NONE)
                    .withDescription("Compression of the Arrow record batches on the wire.");

    public static final ConfigOption<Duration> HEARTBEAT_INTERVAL =
            ConfigOptions.key("heartbeat.interval.ms")
                    .durationType()
                    .defaultValue(Duration.ofSeconds(10))
                    .withDescription(
                            "How often the reader sends a status update to each walsender (so"
                                    + " PostgreSQL's wal_sender_timeout does not end an idle"
                                    + " stream). Must be below the server's wal_sender_timeout.");

    public static final ConfigOption<Duration> TABLE_DISCOVERY_INTERVAL =
            ConfigOptions.key("scan.table-discovery.interval")
                    .durationType()
                    .defaultValue(Duration.ofSeconds(30))
                    .withDescription(
                            "How often to look for new tables matching table-name while running;"
                                    + " 0 discovers once, at start.");

    public static final ConfigOption<Duration> CONNECT_TIMEOUT =
            ConfigOptions.key("connect.timeout")
                    .durationType()
                    .defaultValue(Duration.ofSeconds(30))
                    .withDescription(
                            "How long to wait for the server when opening a connection (whole"
                                    + " seconds, at least 1).");

    public static final ConfigOption<Integer> CONNECT_MAX_RETRIES =
            ConfigOptions.key("connect.max-retries")
                    .intType()
                    .defaultValue(5)
                    .withDescription(
                            "How many times in a row a split reconnects its replication stream"
                                    + " after the connection fails (walsender terminated,"
                                    + " connection dropped, server restarted), waiting 1 s, 2 s,"
                                    + " 4 s ... (at most 30 s) between attempts, before the job"
                                    + " fails. Streaming resumes exactly where emission stopped."
                                    + " 0 fails the job at the first error.");

    public static final ConfigOption<UnchangedToastMode> UNCHANGED_TOAST_MODE =
            ConfigOptions.key("scan.unchanged-toast.mode")
                    .enumType(UnchangedToastMode.class)
                    .defaultValue(UnchangedToastMode.FAIL)
                    .withDescription(
                            "What a +U row does with a TOASTed value (a large text, bytea, jsonb"
                                    + " ...) that the UPDATE left unchanged: under REPLICA IDENTITY"
                                    + " DEFAULT the WAL does not carry it. 'fail' (default) fails"
                                    + " the job naming the table and column, because a NULL would"
                                    + " overwrite the real value downstream; 'null' emits NULL"
                                    + " (PgArrowRecordContext#unknownValue reports it as"
                                    + " UNCHANGED_TOAST). Under REPLICA IDENTITY FULL the value is"
                                    + " always delivered: ALTER TABLE ... REPLICA IDENTITY FULL.");

    public static final ConfigOption<SslMode> SSL_MODE =
            ConfigOptions.key("ssl.mode")
                    .enumType(SslMode.class)
                    .defaultValue(SslMode.VERIFY_FULL)
                    .withDescription(
                            "TLS for every connection the source opens (catalog, snapshot,"
                                    + " replication, lag sampling), as libpq's sslmode: disable,"
                                    + " allow, prefer, require, verify-ca, verify-full. The default"
                                    + " verify-full accepts only a server whose certificate chains"
                                    + " to 'ssl.root-cert' (or, without it, the JVM's trust store)"
                                    + " and names 'hostname'. Set 'disable' explicitly for a server"
                                    + " without TLS.");

    public static final ConfigOption<String> SSL_ROOT_CERT =
            ConfigOptions.key("ssl.root-cert")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "PEM file of the certificate authorities that sign the server's"
                                    + " certificate (libpq's sslrootcert), read on every"
                                    + " TaskManager. Without it, verify-ca and verify-full use the"
                                    + " JVM's default trust store (javax.net.ssl.trustStore).");

    public static final ConfigOption<String> SSL_CERT =
            ConfigOptions.key("ssl.cert")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "PEM file of the client certificate, for certificate authentication"
                                    + " (pg_hba.conf 'cert' or clientcert=verify-full). Needs"
                                    + " 'ssl.key'.");

    public static final ConfigOption<String> SSL_KEY =
            ConfigOptions.key("ssl.key")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "The client certificate's private key: a PKCS-8 DER file (openssl"
                                    + " pkcs8 -topk8 -outform DER -in client.key -out client.pk8"
                                    + " -nocrypt), with 'ssl.cert'; or a PKCS-12 file (.p12/.pfx)"
                                    + " holding certificate and key, without 'ssl.cert'.");

    public static final ConfigOption<String> SSL_KEY_PASSWORD =
            ConfigOptions.key("ssl.key.password")
                    .stringType()
                    .noDefaultValue()
                    .withDescription("Password of an encrypted 'ssl.key'. Never logged.");

    public static final ConfigOption<Boolean> SLOT_ACCEPT_GAP =
            ConfigOptions.key("slot.accept-gap")
                    .booleanType()
                    .defaultValue(false)
                    .withDescription(
                            "What a split does when it resumes streaming and its replication slot"
                                    + " is gone (dropped) or was invalidated by PostgreSQL"
                                    + " (wal_status = lost, max_slot_wal_keep_size): the changes"
                                    + " between where it stopped and a new slot are lost. false"
                                    + " (default) fails the job naming the slot, the LSN range and"
                                    + " the choices; true creates a new slot, logs the lost range"
                                    + " as a WARN and continues.");

    private PgArrowSourceOptions() {}
}
