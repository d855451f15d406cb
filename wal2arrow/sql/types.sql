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
-- The type map (PROTOCOL.md section 4) and value marks for values a native
-- Arrow type cannot hold.
SELECT 'init' FROM pg_create_logical_replication_slot('types', 'wal2arrow');
CREATE DOMAIN w2a_posint AS int CHECK (VALUE > 0);
CREATE TYPE w2a_mood AS ENUM ('sad', 'happy');
CREATE TABLE ty (id int PRIMARY KEY, b bool, i2 int2, i8 int8, f4 float4, f8 float8,
  n numeric, n10 numeric(10,2), n38 numeric(38,10), n40 numeric(40,2),
  vc varchar(10), bp char(5), nm name, js json, jb jsonb, x xml, u uuid, ip inet,
  iv interval, m money, ba bytea, d date, t time, ts timestamp, tz timestamptz, tt timetz,
  ia int[], na numeric(5,2)[], md int[], r int4range, o oid, c "char",
  dom w2a_posint, e w2a_mood, g int GENERATED ALWAYS AS (id * 2) STORED);
INSERT INTO ty VALUES (1, true, -32768, 9223372036854775807, 'NaN', '-Infinity',
  -0.5, 'NaN', 1234567890123456789012345678.0123456789, 1e37,
  'héllo', 'ab', 'nm', '{"a":1}', '{"b": 2}', '<x/>', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11',
  '10.0.0.1/8', '1 day 2 hours', 12.34, '\xdeadbeef', 'infinity', '24:00:00',
  '294276-12-31 23:59:59', '-infinity', '12:00+02', '{1,NULL,3}', '{1.5,NaN}',
  '{{1,2},{3,4}}', '[1,5)', 42, 'x', 7, 'happy');
INSERT INTO ty (id) VALUES (2);
SELECT * FROM w2a_get('types');
SELECT 'dropped' FROM pg_drop_replication_slot('types');
