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
-- wal2arrow_snapshot() (PROTOCOL.md section 7): the S and R frames of a chunk are the
-- stream's, byte for byte; K frames carry the key texts; errors name what the caller controls.
SELECT 'init' FROM pg_create_logical_replication_slot('snap', 'wal2arrow');
-- the all-types table of types.sql
CREATE DOMAIN snap_posint AS int CHECK (VALUE > 0);
CREATE TYPE snap_mood AS ENUM ('sad', 'happy');
CREATE TABLE snap_ty (id int PRIMARY KEY, b bool, i2 int2, i8 int8, f4 float4, f8 float8,
  n numeric, n10 numeric(10,2), n38 numeric(38,10), n40 numeric(40,2),
  vc varchar(10), bp char(5), nm name, js json, jb jsonb, x xml, u uuid, ip inet,
  iv interval, m money, ba bytea, d date, t time, ts timestamp, tz timestamptz, tt timetz,
  ia int[], na numeric(5,2)[], md int[], r int4range, o oid, c "char",
  dom snap_posint, e snap_mood, g int GENERATED ALWAYS AS (id * 2) STORED);
BEGIN;
INSERT INTO snap_ty VALUES (1, true, -32768, 9223372036854775807, 'NaN', '-Infinity',
  -0.5, 'NaN', 1234567890123456789012345678.0123456789, 1e37,
  'héllo', 'ab', 'nm', '{"a":1}', '{"b": 2}', '<x/>', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11',
  '10.0.0.1/8', '1 day 2 hours', 12.34, '\xdeadbeef', 'infinity', '24:00:00',
  '294276-12-31 23:59:59', '-infinity', '12:00+02', '{1,NULL,3}', '{1.5,NaN}',
  '{{1,2},{3,4}}', '[1,5)', 42, 'x', 7, 'happy');
INSERT INTO snap_ty (id) VALUES (2);
INSERT INTO snap_ty VALUES (3, false, 1, -1, 1.5, 2.5, 12345678901234567890.5, -99999999.99,
  -1.5, -1e36, '', 'z', '', '[]', '{}', '', '00000000-0000-0000-0000-000000000000',
  '::1', '-3 months', -1, '\x', '1999-12-31', '00:00:01', '1970-01-01', '2000-01-01 00:00+00',
  '00:00-12', '{}', '{NULL}', '{}', 'empty', 0, 'y', 1, 'sad');
COMMIT;
-- the same rows through the stream (one transaction, one batch) and through the function
-- (every column: columns NULL), S and R frames compared byte for byte, compression none
CREATE TEMP TABLE snap_msgs (what text, data bytea);
INSERT INTO snap_msgs SELECT 'stream', string_agg(data, ''::bytea)
  FROM pg_logical_slot_peek_binary_changes('snap', NULL, NULL, 'tables', 'public.snap_ty');
INSERT INTO snap_msgs SELECT 'snapshot', string_agg(m, ''::bytea) FROM (
  SELECT wal2arrow_snapshot('snap_ty', NULL, 'SELECT t.*, t.id FROM ONLY snap_ty t ORDER BY id',
    NULL, 8192, 8388608, 'none', 1) AS m) x;
SELECT * FROM w2a_same_frames((SELECT data FROM snap_msgs WHERE what = 'stream'),
  (SELECT data FROM snap_msgs WHERE what = 'snapshot'));
SELECT w2a_render(data) FROM snap_msgs WHERE what = 'snapshot';
-- three rows in batches of two: R frames of 2 and 1 rows, first row 0 and 2, in both
TRUNCATE snap_msgs;
INSERT INTO snap_msgs SELECT 'stream', string_agg(data, ''::bytea)
  FROM pg_logical_slot_peek_binary_changes('snap', NULL, NULL, 'tables', 'public.snap_ty',
    'batch_rows', '2');
INSERT INTO snap_msgs SELECT 'snapshot', string_agg(m, ''::bytea) FROM (
  SELECT wal2arrow_snapshot('snap_ty', NULL, 'SELECT t.*, t.id FROM ONLY snap_ty t ORDER BY id',
    NULL, 2, 8388608, 'none', 1) AS m) x;
SELECT * FROM w2a_same_frames((SELECT data FROM snap_msgs WHERE what = 'stream'),
  (SELECT data FROM snap_msgs WHERE what = 'snapshot'));
-- the comparison can fail: other batch boundaries are other R frames
SELECT * FROM w2a_same_frames((SELECT data FROM snap_msgs WHERE what = 'stream'),
  (SELECT string_agg(m, ''::bytea) FROM (SELECT wal2arrow_snapshot('snap_ty', NULL,
    'SELECT t.*, t.id FROM ONLY snap_ty t ORDER BY id', NULL, 1, 8388608, 'none', 1) AS m) x));
-- a projection: the stream's option columns and the function's argument columns
TRUNCATE snap_msgs;
INSERT INTO snap_msgs SELECT 'stream', string_agg(data, ''::bytea)
  FROM pg_logical_slot_peek_binary_changes('snap', NULL, NULL, 'tables', 'public.snap_ty',
    'columns', 'public.snap_ty: ts, id, n10, md, vc');
INSERT INTO snap_msgs SELECT 'snapshot', string_agg(m, ''::bytea) FROM (
  SELECT wal2arrow_snapshot('snap_ty', '{vc,id,n10,ts,md}',
    'SELECT id, n10, vc, ts, md, id FROM ONLY snap_ty WHERE id > $1::int ORDER BY id', '{0}',
    8192, 8388608, 'none', 1) AS m) x;
SELECT * FROM w2a_same_frames((SELECT data FROM snap_msgs WHERE what = 'stream'),
  (SELECT data FROM snap_msgs WHERE what = 'snapshot'));
SELECT w2a_render(data) FROM snap_msgs WHERE what = 'snapshot';
-- compressed: the R frames decompress to the same batch (rendered ops), compressed bytes may differ
SELECT w2a_render(m) FROM (SELECT wal2arrow_snapshot('snap_ty', '{id}',
  'SELECT id FROM ONLY snap_ty ORDER BY id', NULL, 8192, 8388608, 'zstd', 1) AS m) x;
-- a TOASTed 1 MB value arrives whole: the stream carries an insert's value in the WAL, the
-- function reads it from the TOAST table; no value mark, same R frame
CREATE TABLE snap_toast (id int PRIMARY KEY, big text);
INSERT INTO snap_toast SELECT 1, string_agg(md5(i::text), '') FROM generate_series(1, 32768) i;
SELECT length(big), pg_relation_size(reltoastrelid) > 1048576 AS toasted
  FROM snap_toast, pg_class WHERE oid = 'snap_toast'::regclass;
TRUNCATE snap_msgs;
INSERT INTO snap_msgs SELECT 'stream', string_agg(data, ''::bytea)
  FROM pg_logical_slot_peek_binary_changes('snap', NULL, NULL, 'tables', 'public.snap_toast');
INSERT INTO snap_msgs SELECT 'snapshot', string_agg(m, ''::bytea) FROM (
  SELECT wal2arrow_snapshot('snap_toast', NULL, 'SELECT id, big, id FROM ONLY snap_toast',
    NULL, 8192, 8388608, 'none', 1) AS m) x;
SELECT * FROM w2a_same_frames((SELECT data FROM snap_msgs WHERE what = 'stream'),
  (SELECT data FROM snap_msgs WHERE what = 'snapshot'));
SELECT length(frame) > 1048576 AS whole, w2a_u32(frame, 20) AS marks
  FROM w2a_frames((SELECT data FROM snap_msgs WHERE what = 'snapshot')) WHERE kind = 'R';
SELECT 'dropped' FROM pg_drop_replication_slot('snap');
-- a chunk without rows: no message at all
SELECT count(*) FROM (SELECT wal2arrow_snapshot('snap_ty', NULL,
  'SELECT t.*, t.id FROM ONLY snap_ty t WHERE id > $1::int ORDER BY id', '{3}',
  8192, 8388608, 'none', 1)) x;
-- batch_rows 2 on 5 rows: S R K, R K, R K; composite key of a text in a non-C collation,
-- an int and a uuid, in the order of that collation
CREATE TABLE snap_keys (name text COLLATE "und-x-icu", n int, u uuid, v text,
  PRIMARY KEY (name, n, u));
INSERT INTO snap_keys VALUES
  ('Zebra', 1, '00000000-0000-0000-0000-000000000001', 'a'),
  ('apple', 2, '00000000-0000-0000-0000-000000000002', NULL),
  ('Ärger', 3, '00000000-0000-0000-0000-000000000003', 'c'),
  ('zebra', 4, '00000000-0000-0000-0000-000000000004', 'd'),
  ('apple', 1, 'ffffffff-0000-0000-0000-000000000005', 'e');
SELECT w2a_render(m) FROM (SELECT wal2arrow_snapshot('snap_keys', '{v}',
  'SELECT v, name, n, u FROM ONLY snap_keys ORDER BY name, n, u', NULL,
  2, 8388608, 'none', 1) AS m) x;
-- resuming after the last key of the first message, the texts bound back as $n
SELECT w2a_render(m) FROM (SELECT wal2arrow_snapshot('snap_keys', NULL,
  'SELECT name, n, u, v, name, n, u FROM ONLY snap_keys
   WHERE ROW(name, n, u) > ROW($1::text, CAST($2 AS int), CAST($3 AS uuid)) ORDER BY name, n, u',
  '{apple,2,00000000-0000-0000-0000-000000000002}', 2, 8388608, 'none', 1) AS m) x;
-- NULL key values
SELECT w2a_render(m) FROM (SELECT wal2arrow_snapshot('snap_keys', '{n}',
  'SELECT n, v FROM ONLY snap_keys ORDER BY v NULLS FIRST LIMIT 2', NULL,
  10, 8388608, 'none', 1) AS m) x;
-- batch_bytes cuts batches inside one fetch: the rows after the cut come in the next message
CREATE TABLE snap_wide (id int PRIMARY KEY, pad text);
INSERT INTO snap_wide SELECT i, repeat(chr(96 + i), 400) FROM generate_series(1, 10) i;
SELECT r FROM (SELECT w2a_render(m) AS r FROM (SELECT wal2arrow_snapshot('snap_wide', NULL,
  'SELECT id, pad, id FROM ONLY snap_wide ORDER BY id', NULL, 100, 1024, 'none', 1) AS m) x) y
  WHERE r NOT LIKE '    %';
-- in a LATIN1 database, names, values and key texts reach Arrow as UTF-8, as in the stream
\set fnsql `echo "$W2A_FUNCTION_SQL"`
CREATE DATABASE snap_latin1 ENCODING 'LATIN1' LC_COLLATE 'C' LC_CTYPE 'C' TEMPLATE template0;
\c snap_latin1
SET client_encoding = 'UTF8';
SET client_min_messages = warning;
\i :fnsql
RESET client_min_messages;
CREATE TABLE "tëst" ("kéy" text PRIMARY KEY, "cöl" varchar(20));
SELECT 'init' FROM pg_create_logical_replication_slot('snapenc', 'wal2arrow');
INSERT INTO "tëst" VALUES ('clé', 'héllo wörld');
SELECT string_agg(data, ''::bytea) AS enc_stream
  FROM pg_logical_slot_get_binary_changes('snapenc', NULL, NULL) \gset
SELECT m AS enc_snapshot FROM wal2arrow_snapshot('"tëst"', '{kéy,cöl}',
  'SELECT "kéy", "cöl", "kéy" FROM ONLY "tëst"', NULL, 100, 1048576, 'none', 1) AS m \gset
SELECT 'dropped' FROM pg_drop_replication_slot('snapenc');
\c wal2arrow_regression
DROP DATABASE snap_latin1;
SELECT * FROM w2a_same_frames(:'enc_stream'::bytea, :'enc_snapshot'::bytea);
SELECT position(convert_to('clé', 'UTF8') IN m) > 0 AS key_utf8,
       position(convert_to('clé', 'LATIN1') IN m) = 0 AS no_latin1,
       position(convert_to('héllo wörld', 'UTF8') IN m) > 0 AS value_utf8,
       position(convert_to('tëst', 'UTF8') IN m) > 0 AS table_name_utf8
  FROM (SELECT :'enc_snapshot'::bytea AS m) x;
-- (the relation OID is another database's: not rendered)
SELECT r FROM w2a_render(:'enc_snapshot'::bytea) r WHERE r NOT LIKE '  S %' AND r NOT LIKE '  R %';
-- a caller that stops early leaves no cursor behind
BEGIN;
SELECT length(m) > 0 FROM (SELECT wal2arrow_snapshot('snap_wide', NULL,
  'SELECT *, id FROM ONLY snap_wide ORDER BY id', NULL, 1, 1024, 'none', 1) AS m) x LIMIT 1;
SELECT count(*) AS open_cursors FROM pg_cursors;
COMMIT;
-- errors
SELECT wal2arrow_snapshot('snap_ty', '{id}', 'SELECT id::bigint FROM snap_ty', NULL,
  10, 1048576, 'none', 1);
SELECT wal2arrow_snapshot('snap_ty', '{id,vc}', 'SELECT id FROM snap_ty', NULL,
  10, 1048576, 'none', 1);
SELECT wal2arrow_snapshot('snap_ty', '{id,nope}', 'SELECT id FROM snap_ty', NULL,
  10, 1048576, 'none', 1);
SELECT wal2arrow_snapshot('snap_ty', '{ID}', 'SELECT id FROM snap_ty', NULL,
  10, 1048576, 'none', 1);
SELECT wal2arrow_snapshot('snap_ty', '{id,id}', 'SELECT id FROM snap_ty', NULL,
  10, 1048576, 'none', 1);
SELECT wal2arrow_snapshot('snap_ty', '{}', 'SELECT id FROM snap_ty', NULL,
  10, 1048576, 'none', 1);
SELECT wal2arrow_snapshot('snap_ty', '{id}', 'SELECT id FROM snap_ty', NULL,
  10, 1048576, 'brotli', 1);
SELECT wal2arrow_snapshot('snap_ty', '{id}', 'SELECT id FROM snap_ty', NULL,
  0, 1048576, 'none', 1);
SELECT wal2arrow_snapshot('snap_ty', '{id}', 'SELECT id FROM snap_ty', NULL,
  10, 100, 'none', 1);
SELECT wal2arrow_snapshot('snap_ty', '{id}', 'SELECT id FROM snap_ty', NULL,
  10, 1048576, 'none', 2);
SELECT wal2arrow_snapshot('snap_ty', '{id}', 'SELECT id FROM snap_ty', NULL,
  10, 1048576, 'none', NULL);
SELECT wal2arrow_snapshot(NULL, '{id}', 'SELECT id FROM snap_ty', NULL,
  10, 1048576, 'none', 1);
SELECT wal2arrow_snapshot('snap_ty_pkey', NULL, 'SELECT 1', NULL, 10, 1048576, 'none', 1);
CREATE VIEW snap_view AS SELECT id FROM snap_ty;
SELECT wal2arrow_snapshot('snap_view', NULL, 'SELECT id FROM snap_view', NULL,
  10, 1048576, 'none', 1);
CREATE TABLE snap_parted (id int) PARTITION BY RANGE (id);
SELECT wal2arrow_snapshot('snap_parted', NULL, 'SELECT id FROM snap_parted', NULL,
  10, 1048576, 'none', 1);
-- the query runs read-only, as the caller
SELECT wal2arrow_snapshot('snap_ty', '{id}',
  'WITH d AS (DELETE FROM snap_ty RETURNING id) SELECT id FROM d', NULL, 10, 1048576, 'none', 1);
SELECT wal2arrow_snapshot('snap_ty', '{id}', 'SELECT id FROM snap_ty FOR UPDATE', NULL,
  10, 1048576, 'none', 1);
SELECT wal2arrow_snapshot('snap_ty', '{id}', 'DELETE FROM snap_ty RETURNING id', NULL,
  10, 1048576, 'none', 1);
SELECT count(*) FROM snap_ty;
SELECT wal2arrow_snapshot('snap_ty', '{id}', 'SELECT id FROM snap_ty WHERE id = $2::int', '{1}',
  10, 1048576, 'none', 1);
CREATE ROLE snap_reader;
CREATE TABLE snap_secret (id int, s text);
GRANT SELECT (id) ON snap_secret TO snap_reader;
SET ROLE snap_reader;
SELECT wal2arrow_snapshot('snap_ty', '{id}', 'SELECT id FROM snap_ty', NULL, 10, 1048576, 'none', 1);
SELECT count(*) FROM (SELECT wal2arrow_snapshot('snap_secret', '{id}',
  'SELECT id FROM snap_secret', NULL, 10, 1048576, 'none', 1)) x;
SELECT wal2arrow_snapshot('snap_secret', NULL, 'SELECT s FROM snap_secret', NULL,
  10, 1048576, 'none', 1);
RESET ROLE;
DROP TABLE snap_secret;
DROP ROLE snap_reader;
