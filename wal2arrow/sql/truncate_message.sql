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
-- TRUNCATE and logical messages.
SELECT 'init' FROM pg_create_logical_replication_slot('tm', 'wal2arrow');
CREATE TABLE tr1 (id int PRIMARY KEY);
CREATE TABLE tr2 (id int PRIMARY KEY, r int REFERENCES tr1);
CREATE SEQUENCE tr_seq;
TRUNCATE tr1, tr2;
TRUNCATE tr1 RESTART IDENTITY CASCADE;
BEGIN;
INSERT INTO tr1 VALUES (1);
SELECT 'emitted' FROM pg_logical_emit_message(true, 'watermark', 'low');
INSERT INTO tr1 VALUES (2);
COMMIT;
SELECT 'emitted' FROM pg_logical_emit_message(false, 'heartbeat', 'beat');
-- A non-transactional message is not flushed by itself, and decoding reads only
-- flushed WAL: commit a catalog-only transaction (which writes no frame) so
-- the message is always part of what the functions below read.
CREATE TABLE tm_flush (id int);
-- messages are off by default
SELECT * FROM w2a_peek('tm');
SELECT * FROM w2a_peek('tm', 'messages', 'on', 'tables', 'public.tr2');
SELECT * FROM w2a_get('tm', 'messages', 'on');
SELECT 'dropped' FROM pg_drop_replication_slot('tm');
