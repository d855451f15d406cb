-- Copyright 2026 the pg-arrow-cdc authors
--
-- Licensed under the Apache License, Version 2.0 (the "License");
-- you may not use this file except in compliance with the License.
-- You may obtain a copy of the License at
--
--     http://www.apache.org/licenses/LICENSE-2.0
--
-- Unless required by applicable law or agreed to in writing, software
-- distributed under the License is distributed on an "AS IS" BASIS,
-- WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
-- See the License for the specific language governing permissions and
-- limitations under the License.
-- The replication-protocol path: pg_recvlogical drains a slot over a
-- walsender (START_REPLICATION with options), one CopyData message per line.
\set bindir `echo "$W2A_BINDIR"`
\set tmpdir `echo "$W2A_TMPDIR"`
\set recvfile :tmpdir/recv.bin
SELECT 'init' FROM pg_create_logical_replication_slot('wsnd', 'wal2arrow');
CREATE TABLE ws1 (id int PRIMARY KEY, v text);
CREATE TABLE ws2 (id int);
INSERT INTO ws1 VALUES (1, 'a'), (2, 'b');
INSERT INTO ws2 SELECT generate_series(1, 300);
UPDATE ws1 SET v = 'c' WHERE id = 1;
SELECT 'emitted' FROM pg_logical_emit_message(false, 'heartbeat', 'x');
-- the insert position: the message is not flushed yet, so it is past pg_current_wal_lsn()
SELECT pg_current_wal_insert_lsn() AS endpos, current_database() AS db \gset
\setenv W2A_DB :db
\setenv W2A_ENDPOS :endpos
\setenv W2A_RECVFILE :recvfile
\! "$W2A_BINDIR/pg_recvlogical" -d "$W2A_DB" -S wsnd --start --no-loop -E "$W2A_ENDPOS" -f "$W2A_RECVFILE" -o tables=public.ws1 -o messages=on -o compression=zstd && chmod 644 "$W2A_RECVFILE"
-- pg_recvlogical ends each message with a newline
CREATE FUNCTION w2a_render_stream(b bytea) RETURNS SETOF text LANGUAGE plpgsql AS $$
DECLARE pos int := 0; start int := 0; h int; blen int;
BEGIN
  WHILE pos < length(b) LOOP
    IF get_byte(b, pos) = 10 THEN
      RETURN QUERY SELECT w2a_render(substr(b, start + 1, pos - start));
      pos := pos + 1;
      start := pos;
      CONTINUE;
    END IF;
    h := w2a_u32(b, pos + 4);
    blen := w2a_u32(b, pos + h - 8);
    pos := pos + h + blen;
  END LOOP;
END $$;
SELECT * FROM w2a_render_stream(pg_read_binary_file(:'recvfile'));
-- the slot was confirmed up to the end position, past ws2's transaction
SELECT confirmed_flush_lsn >= :'endpos' AS advanced FROM pg_replication_slots WHERE slot_name = 'wsnd';
DROP FUNCTION w2a_render_stream(bytea);
SELECT 'dropped' FROM pg_drop_replication_slot('wsnd');
