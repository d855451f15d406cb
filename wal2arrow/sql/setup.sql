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
-- Helpers that render wal2arrow messages as text (PROTOCOL.md), without the
-- values that change from run to run (LSNs, xids, times, OIDs).
SET client_min_messages = warning;
CREATE FUNCTION w2a_u32(b bytea, o int) RETURNS bigint LANGUAGE sql IMMUTABLE STRICT AS $$
  SELECT get_byte(b, o)::bigint | (get_byte(b, o + 1)::bigint << 8)
       | (get_byte(b, o + 2)::bigint << 16) | (get_byte(b, o + 3)::bigint << 24) $$;
CREATE FUNCTION w2a_u16(b bytea, o int) RETURNS int LANGUAGE sql IMMUTABLE STRICT AS $$
  SELECT get_byte(b, o) | (get_byte(b, o + 1) << 8) $$;
CREATE FUNCTION w2a_i32(b bytea, o int) RETURNS int LANGUAGE sql IMMUTABLE STRICT AS $$
  SELECT (w2a_u32(b, o) - CASE WHEN w2a_u32(b, o) >= 2147483648 THEN 4294967296 ELSE 0 END)::int $$;
-- FlatBuffers: position of field id of the table at tbl, or NULL when absent
CREATE FUNCTION w2a_fb_field(b bytea, tbl int, id int) RETURNS int LANGUAGE plpgsql IMMUTABLE STRICT AS $$
DECLARE vt int := tbl - w2a_i32(b, tbl); off int;
BEGIN
  IF 4 + 2 * id >= w2a_u16(b, vt) THEN RETURN NULL; END IF;
  off := w2a_u16(b, vt + 4 + 2 * id);
  RETURN CASE WHEN off = 0 THEN NULL ELSE tbl + off END;
END $$;
CREATE FUNCTION w2a_fb_ref(b bytea, p int) RETURNS int LANGUAGE sql IMMUTABLE STRICT AS $$
  SELECT p + w2a_u32(b, p)::int $$;
CREATE FUNCTION w2a_fb_string(b bytea, p int) RETURNS text LANGUAGE sql IMMUTABLE STRICT AS $$
  SELECT convert_from(substr(b, w2a_fb_ref(b, p) + 5, w2a_u32(b, w2a_fb_ref(b, p))::int), 'UTF8') $$;
-- Arrow type of a Field table
CREATE FUNCTION w2a_type(b bytea, f int) RETURNS text LANGUAGE plpgsql IMMUTABLE STRICT AS $$
DECLARE tt int := get_byte(b, w2a_fb_field(b, f, 2)); t int := w2a_fb_ref(b, w2a_fb_field(b, f, 3));
        tz int;
BEGIN
  CASE tt
    WHEN 2 THEN RETURN 'int' || w2a_i32(b, w2a_fb_field(b, t, 0));
    WHEN 3 THEN RETURN CASE w2a_u16(b, w2a_fb_field(b, t, 0)) WHEN 1 THEN 'float32' ELSE 'float64' END;
    WHEN 4 THEN RETURN 'binary';
    WHEN 5 THEN RETURN 'utf8';
    WHEN 6 THEN RETURN 'bool';
    WHEN 7 THEN RETURN format('decimal128(%s,%s)', w2a_i32(b, w2a_fb_field(b, t, 0)), w2a_i32(b, w2a_fb_field(b, t, 1)));
    WHEN 8 THEN RETURN 'date32';
    WHEN 9 THEN RETURN 'time64us';
    WHEN 10 THEN
      tz := w2a_fb_field(b, t, 1);
      RETURN 'timestamp_us' || CASE WHEN tz IS NULL THEN '' ELSE '[' || w2a_fb_string(b, tz) || ']' END;
    WHEN 12 THEN
      RETURN 'list<' || w2a_type(b, w2a_fb_ref(b, w2a_fb_ref(b, w2a_fb_field(b, f, 5)) + 4)) || '>';
    ELSE RETURN 'type' || tt;
  END CASE;
END $$;
-- custom_metadata of a table (field id md_id) as key -> value
CREATE FUNCTION w2a_md(b bytea, tbl int, md_id int, key text) RETURNS text LANGUAGE plpgsql IMMUTABLE STRICT AS $$
DECLARE p int := w2a_fb_field(b, tbl, md_id); v int; kv int;
BEGIN
  IF p IS NULL THEN RETURN NULL; END IF;
  v := w2a_fb_ref(b, p);
  FOR i IN 0 .. w2a_u32(b, v) - 1 LOOP
    kv := w2a_fb_ref(b, v + 4 + 4 * i);
    IF w2a_fb_string(b, w2a_fb_field(b, kv, 0)) = key THEN
      RETURN w2a_fb_string(b, w2a_fb_field(b, kv, 1));
    END IF;
  END LOOP;
  RETURN NULL;
END $$;
-- One S frame body (starting at body) as lines
CREATE FUNCTION w2a_schema(b bytea, body int) RETURNS SETOF text LANGUAGE plpgsql IMMUTABLE STRICT AS $$
DECLARE msg int := w2a_fb_ref(b, body + 8); sch int; v int; f int;
BEGIN
  sch := w2a_fb_ref(b, w2a_fb_field(b, msg, 2));
  RETURN NEXT format('    schema %s.%s identity=%s',
    w2a_md(b, sch, 2, 'wal2arrow.namespace'), w2a_md(b, sch, 2, 'wal2arrow.table'),
    w2a_md(b, sch, 2, 'wal2arrow.replica_identity'));
  v := w2a_fb_ref(b, w2a_fb_field(b, sch, 1));
  FOR i IN 0 .. w2a_u32(b, v) - 1 LOOP
    f := w2a_fb_ref(b, v + 4 + 4 * i);
    RETURN NEXT format('    %s %s%s%s%s%s%s', w2a_fb_string(b, w2a_fb_field(b, f, 0)), w2a_type(b, f),
      ' ' || w2a_md(b, f, 6, 'wal2arrow.type_name'),
      ' pk' || w2a_md(b, f, 6, 'wal2arrow.primary_key'),
      CASE WHEN w2a_md(b, f, 6, 'wal2arrow.identity') = 'true' THEN ' identity' ELSE '' END,
      CASE WHEN w2a_md(b, f, 6, 'wal2arrow.not_null') = 'true' THEN ' not_null' ELSE '' END,
      ' ' || w2a_md(b, f, 6, 'wal2arrow.generated'));
  END LOOP;
END $$;
-- The __op values of an R frame body, or "compressed"
CREATE FUNCTION w2a_ops(b bytea, body int, nrows int) RETURNS text LANGUAGE plpgsql IMMUTABLE STRICT AS $$
DECLARE msg int := w2a_fb_ref(b, body + 8); rb int; bufs int; data int; res text := '';
BEGIN
  rb := w2a_fb_ref(b, w2a_fb_field(b, msg, 2));
  bufs := w2a_fb_ref(b, w2a_fb_field(b, rb, 2));
  data := body + 8 + w2a_u32(b, body + 4)::int + w2a_u32(b, bufs + 4 + 16)::int;
  IF w2a_fb_field(b, rb, 3) IS NOT NULL THEN
    IF w2a_u32(b, data) <> 4294967295 THEN RETURN 'compressed'; END IF;
    data := data + 8;
  END IF;
  FOR i IN 0 .. nrows - 1 LOOP
    res := res || ' ' || (ARRAY['+I', '-U', '+U', '-D'])[get_byte(b, data + i) + 1];
  END LOOP;
  RETURN ltrim(res);
END $$;
-- One message (one or more frames) as lines
CREATE FUNCTION w2a_render(b bytea) RETURNS SETOF text LANGUAGE plpgsql IMMUTABLE STRICT AS $$
DECLARE pos int := 0; kind text; h int; blen int; kinds text := ''; lines text[] := '{}';
        nm int; marks text; rel text; p int; n int; kl bigint;
BEGIN
  WHILE pos < length(b) LOOP
    IF get_byte(b, pos) <> 87 OR get_byte(b, pos + 1) <> 65 OR get_byte(b, pos + 2) <> 1 THEN
      RAISE EXCEPTION 'bad frame header at %', pos;
    END IF;
    kind := chr(get_byte(b, pos + 3));
    h := w2a_u32(b, pos + 4);
    blen := w2a_u32(b, pos + h - 8);
    kinds := kinds || ' ' || kind;
    IF kind IN ('S', 'R') THEN
      rel := w2a_u32(b, pos + 8)::oid::regclass::text;
    END IF;
    CASE kind
      WHEN 'S' THEN
        lines := lines || format('  S %s v%s', rel, w2a_u32(b, pos + 12));
        lines := lines || ARRAY(SELECT w2a_schema(b, pos + h));
      WHEN 'R' THEN
        nm := w2a_u32(b, pos + 20);
        marks := '';
        FOR i IN 0 .. nm - 1 LOOP
          marks := marks || format(' (%s,%s,%s)', w2a_u32(b, pos + 32 + 8 * i),
                                   w2a_u16(b, pos + 36 + 8 * i), w2a_u16(b, pos + 38 + 8 * i));
        END LOOP;
        lines := lines || format('  R %s v%s rows=%s first=%s ops=%s%s', rel, w2a_u32(b, pos + 12),
          w2a_u32(b, pos + 16), w2a_u32(b, pos + 24),
          w2a_ops(b, pos + h, w2a_u32(b, pos + 16)::int),
          CASE WHEN nm > 0 THEN ' marks=' || ltrim(marks) ELSE '' END);
      WHEN 'C' THEN
        lines := lines || format('  C rows=%s', w2a_u32(b, pos + 40));
      WHEN 'T' THEN
        p := pos + h; marks := '';
        FOR i IN 1 .. w2a_u32(b, pos + 12) LOOP
          n := w2a_u32(b, p + 4);
          marks := marks || ' ' || convert_from(substr(b, p + 9, n), 'UTF8') || '.';
          p := p + 8 + n;
          n := w2a_u32(b, p);
          marks := marks || convert_from(substr(b, p + 5, n), 'UTF8');
          p := p + 4 + n;
        END LOOP;
        lines := lines || format('  T flags=%s%s', w2a_u32(b, pos + 8), marks);
      WHEN 'M' THEN
        lines := lines || format('  M transactional=%s prefix=%s payload=%s', w2a_u32(b, pos + 8),
          convert_from(substr(b, pos + h + 1, w2a_u32(b, pos + 24)::int), 'UTF8'),
          encode(substr(b, pos + h + 1 + w2a_u32(b, pos + 24)::int, w2a_u32(b, pos + 28)::int), 'escape'));
      WHEN 'K' THEN
        p := pos + h; marks := '';
        FOR r IN 1 .. w2a_u32(b, pos + 8) LOOP
          marks := marks || ' (';
          FOR c IN 1 .. w2a_u32(b, pos + 12) LOOP
            kl := w2a_u32(b, p);
            IF c > 1 THEN marks := marks || ','; END IF;
            IF kl = 4294967295 THEN
              marks := marks || 'NULL';
              p := p + 4;
            ELSE
              marks := marks || convert_from(substr(b, p + 5, kl::int), 'UTF8');
              p := p + 4 + kl::int;
            END IF;
          END LOOP;
          marks := marks || ')';
        END LOOP;
        IF p <> pos + h + blen THEN RAISE EXCEPTION 'K body of % bytes, keys end at %', blen, p - pos - h; END IF;
        lines := lines || format('  K rows=%s keys=%s%s', w2a_u32(b, pos + 8), w2a_u32(b, pos + 12), marks);
      WHEN 'B' THEN NULL;
      ELSE RAISE EXCEPTION 'unknown frame kind %', kind;
    END CASE;
    pos := pos + h + blen;
  END LOOP;
  RETURN NEXT 'message:' || kinds;
  RETURN QUERY SELECT unnest(lines);
END $$;
-- Consumes a slot's changes and renders them
CREATE FUNCTION w2a_get(slot name, VARIADIC opts text[] DEFAULT '{}') RETURNS SETOF text
LANGUAGE plpgsql AS $$
DECLARE r record;
BEGIN
  FOR r IN SELECT data FROM pg_logical_slot_get_binary_changes(slot, NULL, NULL, VARIADIC opts) LOOP
    RETURN QUERY SELECT w2a_render(r.data);
  END LOOP;
END $$;
CREATE FUNCTION w2a_peek(slot name, VARIADIC opts text[] DEFAULT '{}') RETURNS SETOF text
LANGUAGE plpgsql AS $$
DECLARE r record;
BEGIN
  FOR r IN SELECT data FROM pg_logical_slot_peek_binary_changes(slot, NULL, NULL, VARIADIC opts) LOOP
    RETURN QUERY SELECT w2a_render(r.data);
  END LOOP;
END $$;
-- The frames of one or more messages, in order
CREATE FUNCTION w2a_frames(b bytea) RETURNS TABLE (n int, kind text, frame bytea)
LANGUAGE plpgsql IMMUTABLE STRICT AS $$
DECLARE pos int := 0; h int; blen int;
BEGIN
  n := 0;
  WHILE pos < length(b) LOOP
    h := w2a_u32(b, pos + 4);
    blen := w2a_u32(b, pos + h - 8);
    n := n + 1;
    kind := chr(get_byte(b, pos + 3));
    frame := substr(b, pos + 1, h + blen);
    RETURN NEXT;
    pos := pos + h + blen;
  END LOOP;
END $$;
-- S and R frames of two message sequences (the stream's, the snapshot function's) side by side,
-- by kind and order: equal or not
CREATE FUNCTION w2a_same_frames(stream bytea, snap bytea) RETURNS TABLE (kind text, n int, equal bool)
LANGUAGE sql AS $$
  SELECT kind, n, coalesce(s.frame = f.frame, false)
  FROM (SELECT kind, frame, row_number() OVER (PARTITION BY kind ORDER BY n)::int AS n
        FROM w2a_frames(stream) WHERE kind IN ('S', 'R')) s
  FULL JOIN (SELECT kind, frame, row_number() OVER (PARTITION BY kind ORDER BY n)::int AS n
        FROM w2a_frames(snap) WHERE kind IN ('S', 'R')) f USING (kind, n)
  ORDER BY kind DESC, n $$;
RESET client_min_messages;
