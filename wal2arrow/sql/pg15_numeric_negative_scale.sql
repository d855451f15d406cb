-- PostgreSQL 15: numeric(p,s) with a negative scale rounds to tens, hundreds,
-- ...; decimal128 has no negative scale, so the column travels as text.
SELECT 'init' FROM pg_create_logical_replication_slot('negscale', 'wal2arrow');
CREATE TABLE ns (id int PRIMARY KEY, nneg numeric(5,-2));
INSERT INTO ns VALUES (1, 12345);
SELECT * FROM w2a_get('negscale');
SELECT 'dropped' FROM pg_drop_replication_slot('negscale');
