-- PostgreSQL 14: numeric holds +-Infinity. Unconstrained numeric travels as
-- text (utf8), so infinities decode as they print, without a mark; numeric with
-- a typmod (decimal128) cannot be infinite, and its NaN is null with mark 2.
SELECT 'init' FROM pg_create_logical_replication_slot('numinf', 'wal2arrow');
CREATE TABLE ni (id int PRIMARY KEY, n numeric, n10 numeric(10,2));
INSERT INTO ni VALUES (1, 'Infinity', 1.5), (2, '-Infinity', 'NaN'), (3, 1.5, 2.25);
SELECT * FROM w2a_get('numinf');
SELECT 'dropped' FROM pg_drop_replication_slot('numinf');
