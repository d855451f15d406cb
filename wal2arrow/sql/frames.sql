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
-- Frame sequence of small transactions, coalescing, batching, empty transactions.
SELECT 'init' FROM pg_create_logical_replication_slot('frames', 'wal2arrow');
CREATE TABLE f1 (id int PRIMARY KEY, v text);
CREATE TABLE f2 (id int PRIMARY KEY);
INSERT INTO f1 VALUES (1, 'a'), (2, 'b');
UPDATE f1 SET v = 'c' WHERE id = 1;
DELETE FROM f1 WHERE id = 2;
BEGIN;
INSERT INTO f1 VALUES (3, 'x');
INSERT INTO f2 VALUES (1);
INSERT INTO f1 VALUES (4, 'y');
COMMIT;
-- every frame of a transaction in one message, a schema once per session
SELECT * FROM w2a_peek('frames');
-- one frame per message
SELECT * FROM w2a_peek('frames', 'coalesce_frames', 'off');
-- batches of at most 2 rows, numbered within the transaction
SELECT 'skip' FROM pg_logical_slot_get_binary_changes('frames', NULL, NULL);
INSERT INTO f1 SELECT g, 'v' FROM generate_series(10, 14) g;
SELECT * FROM w2a_get('frames', 'batch_rows', '2');
-- a transaction that touches no selected table writes nothing
INSERT INTO f2 VALUES (2);
SELECT * FROM w2a_get('frames', 'tables', 'public.f1');
-- tables: schema.* and projections
INSERT INTO f1 VALUES (20, 'p');
INSERT INTO f2 VALUES (3);
SELECT * FROM w2a_peek('frames', 'tables', 'public.*', 'columns.public.f1', 'id');
SELECT * FROM w2a_get('frames', 'tables', 'public.f2, public.nonexistent');
SELECT 'dropped' FROM pg_drop_replication_slot('frames');
