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
-- PostgreSQL 14: numeric holds +-Infinity. Unconstrained numeric travels as
-- text (utf8), so infinities decode as they print, without a mark; numeric with
-- a typmod (decimal128) cannot be infinite, and its NaN is null with mark 2.
SELECT 'init' FROM pg_create_logical_replication_slot('numinf', 'wal2arrow');
CREATE TABLE ni (id int PRIMARY KEY, n numeric, n10 numeric(10,2));
INSERT INTO ni VALUES (1, 'Infinity', 1.5), (2, '-Infinity', 'NaN'), (3, 1.5, 2.25);
SELECT * FROM w2a_get('numinf');
SELECT 'dropped' FROM pg_drop_replication_slot('numinf');
