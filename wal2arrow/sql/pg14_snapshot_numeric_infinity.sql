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
-- PostgreSQL 14: numeric +-Infinity and NaN read by wal2arrow_snapshot() are the stream's
-- frames byte for byte: infinities of unconstrained numeric as text, NaN of a decimal128
-- column (and of a list element) as a null with mark 2.
SELECT 'init' FROM pg_create_logical_replication_slot('snapinf', 'wal2arrow');
CREATE TABLE sni (id int PRIMARY KEY, n numeric, n10 numeric(10,2), na numeric(5,2)[]);
INSERT INTO sni VALUES (1, 'Infinity', 'NaN', '{1.5,NaN}'), (2, '-Infinity', 1.5, '{NaN}'),
  (3, 'NaN', -2.25, NULL);
CREATE TEMP TABLE sni_msgs (what text, data bytea);
INSERT INTO sni_msgs SELECT 'stream', string_agg(data, ''::bytea)
  FROM pg_logical_slot_get_binary_changes('snapinf', NULL, NULL, 'tables', 'public.sni');
INSERT INTO sni_msgs SELECT 'snapshot', string_agg(m, ''::bytea) FROM (
  SELECT wal2arrow_snapshot('sni', NULL, 'SELECT *, id FROM ONLY sni ORDER BY id', NULL,
    100, 1048576, 'none', 1) AS m) x;
SELECT * FROM w2a_same_frames((SELECT data FROM sni_msgs WHERE what = 'stream'),
  (SELECT data FROM sni_msgs WHERE what = 'snapshot'));
SELECT w2a_render(data) FROM sni_msgs WHERE what = 'snapshot';
SELECT 'dropped' FROM pg_drop_replication_slot('snapinf');
