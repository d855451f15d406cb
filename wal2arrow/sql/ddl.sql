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
