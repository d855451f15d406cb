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
-- A 1,600-column table and batch_bytes limits.
SELECT 'init' FROM pg_create_logical_replication_slot('wide', 'wal2arrow');
SELECT format('CREATE TABLE wide (%s)', string_agg(format('c%s int', g), ', '))
  FROM generate_series(1, 1600) g \gexec
INSERT INTO wide (c1, c800, c1600) VALUES (1, 800, 1600);
SELECT line FROM w2a_peek('wide') line WHERE line !~ '^ +c[0-9]+ int32 integer$';
-- batch_bytes: a batch is flushed once its buffers reach the limit
CREATE TABLE bb (id int, v text);
INSERT INTO bb SELECT g, repeat('z', 1000) FROM generate_series(1, 10) g;
SELECT * FROM w2a_get('wide', 'tables', 'public.bb', 'batch_bytes', '3000');
SELECT 'dropped' FROM pg_drop_replication_slot('wide');
