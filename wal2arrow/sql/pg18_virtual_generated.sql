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
-- PostgreSQL 18: virtual generated columns are computed on read, never stored,
-- so never in the WAL: the schema leaves them out; stored ones stay, marked.
SELECT 'init' FROM pg_create_logical_replication_slot('virt', 'wal2arrow');
CREATE TABLE vg (id int PRIMARY KEY, a int,
  v int GENERATED ALWAYS AS (a * 10) VIRTUAL,
  s int GENERATED ALWAYS AS (a * 100) STORED,
  b text);
INSERT INTO vg (id, a, b) VALUES (1, 2, 'x');
UPDATE vg SET a = 3 WHERE id = 1;
DELETE FROM vg WHERE id = 1;
SELECT * FROM w2a_get('virt');
-- the virtual column named in a projection is absent, like a column that does not exist
INSERT INTO vg (id, a, b) VALUES (2, 4, 'y');
SELECT * FROM w2a_get('virt', 'columns.public.vg', 'id, v, b');
SELECT 'dropped' FROM pg_drop_replication_slot('virt');
