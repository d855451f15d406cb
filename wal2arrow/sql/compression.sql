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
-- LZ4_FRAME / ZSTD bodies: repetitive columns compress, tiny ones are stored
-- raw (uncompressed length -1) so the ops stay readable here.
SELECT 'init' FROM pg_create_logical_replication_slot('comp', 'wal2arrow');
CREATE TABLE cz (id int PRIMARY KEY, v text);
INSERT INTO cz VALUES (1, 'one');
INSERT INTO cz SELECT g, repeat('abc', 100) FROM generate_series(2, 2001) g;
SELECT * FROM w2a_peek('comp', 'compression', 'lz4');
SELECT * FROM w2a_peek('comp', 'compression', 'zstd', 'compression_level', '5');
-- compressed messages are much smaller than plain ones
SELECT sum(length(data)) > 500000 AS plain_large,
       (SELECT sum(length(data)) FROM pg_logical_slot_peek_binary_changes('comp', NULL, NULL, 'compression', 'zstd')) < 20000 AS zstd_small,
       (SELECT sum(length(data)) FROM pg_logical_slot_peek_binary_changes('comp', NULL, NULL, 'compression', 'lz4')) < 40000 AS lz4_small
  FROM pg_logical_slot_peek_binary_changes('comp', NULL, NULL);
SELECT 'dropped' FROM pg_drop_replication_slot('comp');
