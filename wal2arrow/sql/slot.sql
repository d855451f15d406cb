-- The plugin loads and a slot can be created, peeked and dropped.
SELECT 'init' FROM pg_create_logical_replication_slot('regress_slot', 'wal2arrow');
SELECT count(*) >= 0 AS ok FROM pg_logical_slot_peek_binary_changes('regress_slot', NULL, NULL);
SELECT 'dropped' FROM pg_drop_replication_slot('regress_slot');
