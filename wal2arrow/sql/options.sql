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
-- Options are parsed strictly; every error names the option.
SELECT 'init' FROM pg_create_logical_replication_slot('opts', 'wal2arrow');
SELECT count(*) FROM pg_logical_slot_peek_binary_changes('opts', NULL, NULL,
  'format_version', '1', 'tables', 'public.a, "My Schema"."T,1"""', 'columns.public.a', 'x, "Y"',
  'batch_rows', '100', 'batch_bytes', '65536', 'compression', 'zstd', 'compression_level', '3',
  'messages', 'on', 'coalesce_frames', 'false');
SELECT count(*) FROM pg_logical_slot_peek_binary_changes('opts', NULL, NULL, 'nonsense', '1');
SELECT count(*) FROM pg_logical_slot_peek_binary_changes('opts', NULL, NULL, 'batch_rows', '1', 'batch_rows', '2');
SELECT count(*) FROM pg_logical_slot_peek_binary_changes('opts', NULL, NULL, 'batch_rows', '0');
SELECT count(*) FROM pg_logical_slot_peek_binary_changes('opts', NULL, NULL, 'batch_rows', '12abc');
SELECT count(*) FROM pg_logical_slot_peek_binary_changes('opts', NULL, NULL, 'batch_bytes', '10');
SELECT count(*) FROM pg_logical_slot_peek_binary_changes('opts', NULL, NULL, 'compression', 'gzip');
SELECT count(*) FROM pg_logical_slot_peek_binary_changes('opts', NULL, NULL, 'compression', 'lz4', 'compression_level', '20');
SELECT count(*) FROM pg_logical_slot_peek_binary_changes('opts', NULL, NULL, 'messages', 'maybe');
SELECT count(*) FROM pg_logical_slot_peek_binary_changes('opts', NULL, NULL, 'format_version', '2');
SELECT count(*) FROM pg_logical_slot_peek_binary_changes('opts', NULL, NULL, 'tables', 'orders');
SELECT count(*) FROM pg_logical_slot_peek_binary_changes('opts', NULL, NULL, 'tables', 'public.a public.b');
SELECT count(*) FROM pg_logical_slot_peek_binary_changes('opts', NULL, NULL, 'tables', '"unterminated.x');
SELECT count(*) FROM pg_logical_slot_peek_binary_changes('opts', NULL, NULL, 'tables', 'public.a,');
SELECT count(*) FROM pg_logical_slot_peek_binary_changes('opts', NULL, NULL, 'columns.public', 'a');
SELECT count(*) FROM pg_logical_slot_peek_binary_changes('opts', NULL, NULL, 'columns.public.a', 'x', 'columns.PUBLIC.A', 'y');
SELECT count(*) FROM pg_logical_slot_peek_binary_changes('opts', NULL, NULL, 'columns.public.a', '');
-- columns: the tables in the value, so names longer than an option name may be
SELECT count(*) FROM pg_logical_slot_peek_binary_changes('opts', NULL, NULL, 'columns', 'public.a: x, "Y"; "My Schema"."T,1""": "c;:d" ;');
SELECT count(*) FROM pg_logical_slot_peek_binary_changes('opts', NULL, NULL, 'columns', 'public.a x');
SELECT count(*) FROM pg_logical_slot_peek_binary_changes('opts', NULL, NULL, 'columns', 'public.a: x', 'columns.public.a', 'y');
SELECT count(*) FROM pg_logical_slot_peek_binary_changes('opts', NULL, NULL, 'columns', 'public.a: x', 'columns', 'public.b: y');
SELECT 'dropped' FROM pg_drop_replication_slot('opts');
