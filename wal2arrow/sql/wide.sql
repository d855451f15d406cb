-- A 1,600-column table and batch_bytes limits.
SELECT 'init' FROM pg_create_logical_replication_slot('wide', 'wal2arrow');
SELECT format('CREATE TABLE wide (%s)', string_agg(format('c%s int', g), ', '))
  FROM generate_series(1, 1600) g \gexec
INSERT INTO wide (c1, c800, c1600) VALUES (1, 800, 1600);
SELECT line FROM w2a_peek('wide') line WHERE line !~ '^ +c[0-9]+ int32 integer$';
-- batch_bytes: a batch is flushed once its buffers reach the limit
CREATE TABLE bb (id int, v text);
INSERT INTO bb SELECT g, repeat('z', 1000) FROM generate_series(1, 10) g;
SELECT * FROM w2a_get('wide', 'tables', 'public.bb', 'batch_bytes', '3000');
SELECT 'dropped' FROM pg_drop_replication_slot('wide');
