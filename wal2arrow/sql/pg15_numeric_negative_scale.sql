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
-- PostgreSQL 15: numeric(p,s) with a negative scale rounds to tens, hundreds,
-- ...; decimal128 has no negative scale, so the column travels as text.
SELECT 'init' FROM pg_create_logical_replication_slot('negscale', 'wal2arrow');
CREATE TABLE ns (id int PRIMARY KEY, nneg numeric(5,-2));
INSERT INTO ns VALUES (1, 12345);
SELECT * FROM w2a_get('negscale');
SELECT 'dropped' FROM pg_drop_replication_slot('negscale');
