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

\echo Use "CREATE EXTENSION wal2arrow" to load this file. \quit

-- A chunk of a table as wal2arrow frames (PROTOCOL.md section 7): the rows of
-- query, which returns the projected columns of rel, then key columns.
-- Runs as its caller (not SECURITY DEFINER); EXECUTE stays granted to PUBLIC.
CREATE FUNCTION wal2arrow_snapshot(
    rel            regclass,
    columns        text[],
    query          text,
    params         text[],
    batch_rows     integer,
    batch_bytes    integer,
    compression    text,
    format_version integer)
RETURNS SETOF bytea
AS 'MODULE_PATHNAME', 'wal2arrow_snapshot'
LANGUAGE C VOLATILE PARALLEL UNSAFE;
