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
-- Replica identities, absent columns and unchanged TOAST values.
SELECT 'init' FROM pg_create_logical_replication_slot('ident', 'wal2arrow');
CREATE TABLE ti (id int PRIMARY KEY, big text, small text);
ALTER TABLE ti ALTER COLUMN big SET STORAGE EXTERNAL;
INSERT INTO ti VALUES (1, repeat('x', 10000), 'a'), (2, repeat('y', 10000), 'b');
-- DEFAULT: +U alone, big unchanged and not in the WAL -> mark 1 on column 2
UPDATE ti SET small = 'a2' WHERE id = 1;
-- key change: -U with the key only, +U
UPDATE ti SET id = 3 WHERE id = 2;
-- FULL: -U with every column, +U with big taken from the old tuple (no mark)
ALTER TABLE ti REPLICA IDENTITY FULL;
UPDATE ti SET small = 'a3' WHERE id = 1;
DELETE FROM ti WHERE id = 3;
-- USING INDEX
CREATE UNIQUE INDEX ti_small ON ti (small);
ALTER TABLE ti ALTER COLUMN small SET NOT NULL;
ALTER TABLE ti REPLICA IDENTITY USING INDEX ti_small;
UPDATE ti SET small = 'a4' WHERE id = 1;
-- NOTHING: a DELETE still yields a -D row, every column absent
ALTER TABLE ti REPLICA IDENTITY NOTHING;
DELETE FROM ti WHERE id = 1;
SELECT * FROM w2a_get('ident');
SELECT 'dropped' FROM pg_drop_replication_slot('ident');
