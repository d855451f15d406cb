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
-- Shape changes bump the schema version and resend S; dropped columns are
-- skipped; names that need quoting work in tables and columns options.
SELECT 'init' FROM pg_create_logical_replication_slot('ddl', 'wal2arrow');
CREATE SCHEMA "My Schema";
CREATE TABLE "My Schema"."Odd.Name, ""q""" (id int PRIMARY KEY, "Mixed Case" text, gone int, keep int);
INSERT INTO "My Schema"."Odd.Name, ""q""" VALUES (1, 'a', 2, 3);
ALTER TABLE "My Schema"."Odd.Name, ""q""" DROP COLUMN gone;
INSERT INTO "My Schema"."Odd.Name, ""q""" VALUES (2, 'b', 4);
ALTER TABLE "My Schema"."Odd.Name, ""q""" ADD COLUMN added date;
BEGIN;
INSERT INTO "My Schema"."Odd.Name, ""q""" VALUES (3, 'c', 5, '2024-01-01');
ALTER TABLE "My Schema"."Odd.Name, ""q""" ALTER COLUMN keep TYPE bigint;
INSERT INTO "My Schema"."Odd.Name, ""q""" VALUES (4, 'd', 6, '2024-01-02');
COMMIT;
-- a relcache invalidation that changes nothing keeps the version
ANALYZE "My Schema"."Odd.Name, ""q""";
INSERT INTO "My Schema"."Odd.Name, ""q""" VALUES (5, 'e', 7, NULL);
SELECT * FROM w2a_peek('ddl', 'tables', '"My Schema"."Odd.Name, ""q"""',
  'columns."My Schema"."Odd.Name, ""q"""', 'id, "Mixed Case", added, nonexistent');
SELECT * FROM w2a_get('ddl', 'tables', '"My Schema".*');
SELECT 'dropped' FROM pg_drop_replication_slot('ddl');
