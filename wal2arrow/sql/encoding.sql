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
-- Text and names reach Arrow as UTF-8 whatever the database encoding.
CREATE DATABASE w2a_latin1 ENCODING 'LATIN1' LC_COLLATE 'C' LC_CTYPE 'C' TEMPLATE template0;
\c w2a_latin1
SET client_encoding = 'UTF8';
CREATE TABLE "tëst" ("cöl" text, n name, v varchar(20));
SELECT 'init' FROM pg_create_logical_replication_slot('enc', 'wal2arrow');
INSERT INTO "tëst" VALUES ('héllo wörld', 'nämé', 'çà');
SELECT position(convert_to('héllo wörld', 'UTF8') IN data) > 0 AS text_utf8,
       position(convert_to('héllo wörld', 'LATIN1') IN data) = 0 AS no_latin1,
       position(convert_to('nämé', 'UTF8') IN data) > 0 AS name_utf8,
       position(convert_to('çà', 'UTF8') IN data) > 0 AS varchar_utf8,
       position(convert_to('tëst', 'UTF8') IN data) > 0 AS table_name_utf8,
       position(convert_to('cöl', 'UTF8') IN data) > 0 AS column_name_utf8
  FROM pg_logical_slot_get_binary_changes('enc', NULL, NULL);
SELECT 'dropped' FROM pg_drop_replication_slot('enc');
\c wal2arrow_regression
DROP DATABASE w2a_latin1;
