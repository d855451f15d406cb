/*
 * Copyright 2026 the pg-arrow-cdc authors
 *
 * Licensed under the Apache License, Version 2.0 (the "License");
 * you may not use this file except in compliance with the License.
 * You may obtain a copy of the License at
 *
 *     http://www.apache.org/licenses/LICENSE-2.0
 *
 * Unless required by applicable law or agreed to in writing, software
 * distributed under the License is distributed on an "AS IS" BASIS,
 * WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
 * See the License for the specific language governing permissions and
 * limitations under the License.
 */

/*-------------------------------------------------------------------------
 * frame.c
 *		One writer per wal2arrow frame kind (PROTOCOL.md section 2), using
 *		the named offsets of frame.h.
 *-------------------------------------------------------------------------
 */
#include "frame.h"

#include <stdio.h>

static uint32_t
load_u32(const uint8_t *p)
{
	return (uint32_t) p[0] | (uint32_t) p[1] << 8 | (uint32_t) p[2] << 16 |
		(uint32_t) p[3] << 24;
}

static uint64_t
load_u64(const uint8_t *p)
{
	return (uint64_t) load_u32(p) | (uint64_t) load_u32(p + 4) << 32;
}

/*
 * Appends a header of header_len bytes (common part filled, the rest zero)
 * and sets *start to its offset in out.
 */
static int
frame_start(AIpcBuffer *out, char kind, size_t header_len, size_t *start,
			AIpcError *err)
{
	int			rc;
	uint8_t    *p;

	if (header_len > UINT32_MAX)
	{
		err->code = AIPC_ETOOBIG;
		snprintf(err->message, sizeof(err->message),
				 "a '%c' frame header of %zu bytes does not fit its u32 length", kind,
				 header_len);
		return AIPC_ETOOBIG;
	}
	*start = out->len;
	if ((rc = aipc_buffer_append_zeros(out, header_len, err)) != AIPC_OK)
		return rc;
	p = out->data + *start;
	p[W2A_FRAME_MAGIC] = 'W';
	p[W2A_FRAME_MAGIC + 1] = 'A';
	p[W2A_FRAME_VERSION] = W2A_PROTOCOL_VERSION;
	p[W2A_FRAME_KIND] = (uint8_t) kind;
	aipc_store_u32(p + W2A_FRAME_HEADER_LENGTH, (uint32_t) header_len);
	return AIPC_OK;
}

void
w2a_frame_end(AIpcBuffer *out, size_t start)
{
	uint8_t    *p = out->data + start;
	uint32_t	h = load_u32(p + W2A_FRAME_HEADER_LENGTH);

	aipc_store_u64(p + h - W2A_BODY_LENGTH_SIZE, (uint64_t) (out->len - start - h));
}

size_t
w2a_frame_length(const uint8_t *f)
{
	uint32_t	h = load_u32(f + W2A_FRAME_HEADER_LENGTH);

	return h + (size_t) load_u64(f + h - W2A_BODY_LENGTH_SIZE);
}

int
w2a_write_begin(AIpcBuffer *out, uint32_t xid, uint64_t final_lsn,
				int64_t commit_time, AIpcError *err)
{
	size_t		start;
	uint8_t    *p;
	int			rc;

	if ((rc = frame_start(out, W2A_KIND_BEGIN, W2A_BEGIN_H, &start, err)) != AIPC_OK)
		return rc;
	p = out->data + start;
	aipc_store_u32(p + W2A_BEGIN_XID, xid);
	aipc_store_u64(p + W2A_BEGIN_FINAL_LSN, final_lsn);
	aipc_store_u64(p + W2A_BEGIN_COMMIT_TIME, (uint64_t) commit_time);
	w2a_frame_end(out, start);
	return AIPC_OK;
}

int
w2a_write_commit(AIpcBuffer *out, uint32_t xid, uint64_t commit_lsn,
				 uint64_t end_lsn, int64_t commit_time, uint64_t rows,
				 AIpcError *err)
{
	size_t		start;
	uint8_t    *p;
	int			rc;

	if ((rc = frame_start(out, W2A_KIND_COMMIT, W2A_COMMIT_H, &start, err)) != AIPC_OK)
		return rc;
	p = out->data + start;
	aipc_store_u32(p + W2A_COMMIT_XID, xid);
	aipc_store_u64(p + W2A_COMMIT_LSN, commit_lsn);
	aipc_store_u64(p + W2A_COMMIT_END_LSN, end_lsn);
	aipc_store_u64(p + W2A_COMMIT_TIME, (uint64_t) commit_time);
	aipc_store_u64(p + W2A_COMMIT_ROWS, rows);
	w2a_frame_end(out, start);
	return AIPC_OK;
}

int
w2a_write_schema(AIpcBuffer *out, uint32_t relid, uint32_t schema_version,
				 const uint8_t *schema_msg, size_t schema_len, AIpcError *err)
{
	size_t		start;
	uint8_t    *p;
	int			rc;

	if ((rc = frame_start(out, W2A_KIND_SCHEMA, W2A_SCHEMA_H, &start, err)) != AIPC_OK)
		return rc;
	p = out->data + start;
	aipc_store_u32(p + W2A_SCHEMA_RELID, relid);
	aipc_store_u32(p + W2A_SCHEMA_VERSION, schema_version);
	if ((rc = aipc_buffer_append(out, schema_msg, schema_len, err)) != AIPC_OK)
		return rc;
	w2a_frame_end(out, start);
	return AIPC_OK;
}

int
w2a_rows_begin(AIpcBuffer *out, uint32_t relid, uint32_t schema_version,
			   uint32_t row_count, uint64_t first_row,
			   const W2AMark *marks, uint32_t nmarks, size_t *start,
			   AIpcError *err)
{
	uint8_t    *p;
	int			rc;

	rc = frame_start(out, W2A_KIND_ROWS,
					 W2A_ROWS_H + W2A_MARK_SIZE * (size_t) nmarks, start, err);
	if (rc != AIPC_OK)
		return rc;
	p = out->data + *start;
	aipc_store_u32(p + W2A_ROWS_RELID, relid);
	aipc_store_u32(p + W2A_ROWS_SCHEMA_VERSION, schema_version);
	aipc_store_u32(p + W2A_ROWS_ROW_COUNT, row_count);
	aipc_store_u32(p + W2A_ROWS_MARK_COUNT, nmarks);
	aipc_store_u64(p + W2A_ROWS_FIRST_ROW, first_row);
	for (uint32_t i = 0; i < nmarks; i++)
	{
		uint8_t    *m = p + W2A_ROWS_MARKS + W2A_MARK_SIZE * (size_t) i;

		aipc_store_u32(m + W2A_MARK_ROW, marks[i].row);
		aipc_store_u16(m + W2A_MARK_COLUMN, marks[i].column);
		aipc_store_u16(m + W2A_MARK_KIND, marks[i].kind);
	}
	return AIPC_OK;
}

/* Appends a u32 length and the bytes of s (no terminator). */
static int
append_name(AIpcBuffer *out, const char *s, AIpcError *err)
{
	uint8_t		b[4];
	size_t		n = strlen(s);
	int			rc;

	aipc_store_u32(b, (uint32_t) n);
	if ((rc = aipc_buffer_append(out, b, sizeof(b), err)) != AIPC_OK)
		return rc;
	return aipc_buffer_append(out, s, n, err);
}

int
w2a_write_truncate(AIpcBuffer *out, uint32_t flags,
				   const W2ATruncatedRelation *rels, uint32_t nrels,
				   AIpcError *err)
{
	size_t		start;
	uint8_t    *p;
	int			rc;

	if ((rc = frame_start(out, W2A_KIND_TRUNCATE, W2A_TRUNCATE_H, &start, err)) != AIPC_OK)
		return rc;
	p = out->data + start;
	aipc_store_u32(p + W2A_TRUNCATE_FLAGS, flags);
	aipc_store_u32(p + W2A_TRUNCATE_COUNT, nrels);
	for (uint32_t i = 0; i < nrels; i++)
	{
		uint8_t		b[4];

		aipc_store_u32(b, rels[i].relid);
		if ((rc = aipc_buffer_append(out, b, sizeof(b), err)) != AIPC_OK ||
			(rc = append_name(out, rels[i].nspname, err)) != AIPC_OK ||
			(rc = append_name(out, rels[i].relname, err)) != AIPC_OK)
			return rc;
	}
	w2a_frame_end(out, start);
	return AIPC_OK;
}

int
w2a_write_message(AIpcBuffer *out, bool transactional, uint32_t xid,
				  uint64_t lsn, const char *prefix, size_t prefix_len,
				  const char *payload, size_t payload_len, AIpcError *err)
{
	size_t		start;
	uint8_t    *p;
	int			rc;

	if (prefix_len > UINT32_MAX || payload_len > UINT32_MAX)
	{
		err->code = AIPC_ETOOBIG;
		snprintf(err->message, sizeof(err->message),
				 "a logical message of %zu + %zu bytes does not fit the u32 lengths",
				 prefix_len, payload_len);
		return AIPC_ETOOBIG;
	}
	if ((rc = frame_start(out, W2A_KIND_MESSAGE, W2A_MESSAGE_H, &start, err)) != AIPC_OK)
		return rc;
	p = out->data + start;
	aipc_store_u32(p + W2A_MESSAGE_FLAGS, transactional ? W2A_MESSAGE_TRANSACTIONAL : 0);
	aipc_store_u32(p + W2A_MESSAGE_XID, xid);
	aipc_store_u64(p + W2A_MESSAGE_LSN, lsn);
	aipc_store_u32(p + W2A_MESSAGE_PREFIX_LENGTH, (uint32_t) prefix_len);
	aipc_store_u32(p + W2A_MESSAGE_PAYLOAD_LENGTH, (uint32_t) payload_len);
	if ((rc = aipc_buffer_append(out, prefix, prefix_len, err)) != AIPC_OK ||
		(rc = aipc_buffer_append(out, payload, payload_len, err)) != AIPC_OK)
		return rc;
	w2a_frame_end(out, start);
	return AIPC_OK;
}

int
w2a_keys_append_value(AIpcBuffer *body, const char *value, size_t len,
					  AIpcError *err)
{
	uint8_t		b[4];
	int			rc;

	if (value != NULL && len >= W2A_KEYS_NULL)
	{
		err->code = AIPC_ETOOBIG;
		snprintf(err->message, sizeof(err->message),
				 "a key value of %zu bytes does not fit its u32 length", len);
		return AIPC_ETOOBIG;
	}
	aipc_store_u32(b, value == NULL ? W2A_KEYS_NULL : (uint32_t) len);
	if ((rc = aipc_buffer_append(body, b, sizeof(b), err)) != AIPC_OK)
		return rc;
	return value == NULL ? AIPC_OK : aipc_buffer_append(body, value, len, err);
}

int
w2a_write_keys(AIpcBuffer *out, uint32_t row_count, uint32_t column_count,
			   const uint8_t *body, size_t body_len, AIpcError *err)
{
	size_t		start;
	uint8_t    *p;
	int			rc;

	if ((rc = frame_start(out, W2A_KIND_KEYS, W2A_KEYS_H, &start, err)) != AIPC_OK)
		return rc;
	p = out->data + start;
	aipc_store_u32(p + W2A_KEYS_ROW_COUNT, row_count);
	aipc_store_u32(p + W2A_KEYS_COLUMN_COUNT, column_count);
	if ((rc = aipc_buffer_append(out, body, body_len, err)) != AIPC_OK)
		return rc;
	w2a_frame_end(out, start);
	return AIPC_OK;
}
