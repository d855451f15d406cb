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
 * frame.h
 *		The wal2arrow frame layout (PROTOCOL.md sections 1 and 2) and one
 *		writer per frame kind.
 *
 * Every offset of PROTOCOL.md is named here once; the names are those of
 * PROTOCOL.md with the prefix W2A_ (the Java reader's WireFormat class uses
 * the same names without it).  Offsets count from the frame's first byte.
 *
 * Like arrow_ipc.h, free of PostgreSQL headers so that the C unit tests can
 * write golden frames with exactly the code the plugin uses.  Writers append
 * one whole frame (or, for R, its header) to an AIpcBuffer and return
 * AIPC_OK or an error code with err filled.
 *-------------------------------------------------------------------------
 */
#ifndef WAL2ARROW_FRAME_H
#define WAL2ARROW_FRAME_H

#include "arrow_ipc.h"

#define W2A_PROTOCOL_VERSION	1

/* Common header (section 1.1) */
#define W2A_FRAME_MAGIC			0	/* 2 bytes 'W' 'A' */
#define W2A_FRAME_VERSION		2	/* u8 */
#define W2A_FRAME_KIND			3	/* u8 */
#define W2A_FRAME_HEADER_LENGTH 4	/* u32 H */
#define W2A_COMMON_H			8	/* bytes of the common header */
#define W2A_BODY_LENGTH_SIZE	8	/* u64 B, at H - 8 */

/* Kind bytes */
#define W2A_KIND_BEGIN		'B'
#define W2A_KIND_SCHEMA		'S'
#define W2A_KIND_ROWS		'R'
#define W2A_KIND_COMMIT		'C'
#define W2A_KIND_TRUNCATE	'T'
#define W2A_KIND_MESSAGE	'M'
#define W2A_KIND_KEYS		'K'	/* written only by wal2arrow_snapshot() */

/* B begin */
#define W2A_BEGIN_XID			8	/* u32 */
#define W2A_BEGIN_FLAGS			12	/* u32, 0 */
#define W2A_BEGIN_FINAL_LSN		16	/* u64 */
#define W2A_BEGIN_COMMIT_TIME	24	/* i64, us since the Unix epoch */
#define W2A_BEGIN_H				40

/* C commit */
#define W2A_COMMIT_XID			8	/* u32 */
#define W2A_COMMIT_FLAGS		12	/* u32, 0 */
#define W2A_COMMIT_LSN			16	/* u64 */
#define W2A_COMMIT_END_LSN		24	/* u64 */
#define W2A_COMMIT_TIME			32	/* i64, us since the Unix epoch */
#define W2A_COMMIT_ROWS			40	/* u64 */
#define W2A_COMMIT_H			56

/* S schema */
#define W2A_SCHEMA_RELID		8	/* u32 */
#define W2A_SCHEMA_VERSION		12	/* u32 */
#define W2A_SCHEMA_H			24

/* R rows: H = W2A_ROWS_H + W2A_MARK_SIZE * N */
#define W2A_ROWS_RELID			8	/* u32 */
#define W2A_ROWS_SCHEMA_VERSION 12	/* u32 */
#define W2A_ROWS_ROW_COUNT		16	/* u32 */
#define W2A_ROWS_MARK_COUNT		20	/* u32 N */
#define W2A_ROWS_FIRST_ROW		24	/* u64 */
#define W2A_ROWS_MARKS			32	/* N value marks */
#define W2A_ROWS_H				40	/* without the marks */
#define W2A_MARK_SIZE			8
#define W2A_MARK_ROW			0	/* u32, within a mark */
#define W2A_MARK_COLUMN			4	/* u16 */
#define W2A_MARK_KIND			6	/* u16 */

/* T truncate */
#define W2A_TRUNCATE_FLAGS		8	/* u32 */
#define W2A_TRUNCATE_COUNT		12	/* u32 */
#define W2A_TRUNCATE_H			24
#define W2A_TRUNCATE_CASCADE			0x1
#define W2A_TRUNCATE_RESTART_IDENTITY	0x2

/* M logical message */
#define W2A_MESSAGE_FLAGS		8	/* u32 */
#define W2A_MESSAGE_XID			12	/* u32 */
#define W2A_MESSAGE_LSN			16	/* u64 */
#define W2A_MESSAGE_PREFIX_LENGTH	24	/* u32 P */
#define W2A_MESSAGE_PAYLOAD_LENGTH	28	/* u32 L */
#define W2A_MESSAGE_H			40
#define W2A_MESSAGE_TRANSACTIONAL	0x1

/* K chunk keys (section 2; written only by the snapshot function, section 7) */
#define W2A_KEYS_ROW_COUNT		8	/* u32 R, the preceding R frame's row count */
#define W2A_KEYS_COLUMN_COUNT	12	/* u32 K */
#define W2A_KEYS_H				24
#define W2A_KEYS_NULL			0xFFFFFFFFu	/* value length of a NULL key */

/* One value mark of an R frame. */
typedef struct W2AMark
{
	uint32_t	row;
	uint16_t	column;
	uint16_t	kind;
} W2AMark;

/* One relation of a T frame (names UTF-8, not terminated on the wire). */
typedef struct W2ATruncatedRelation
{
	uint32_t	relid;
	const char *nspname;
	const char *relname;
} W2ATruncatedRelation;

extern int	w2a_write_begin(AIpcBuffer *out, uint32_t xid, uint64_t final_lsn,
							int64_t commit_time, AIpcError *err);
extern int	w2a_write_commit(AIpcBuffer *out, uint32_t xid, uint64_t commit_lsn,
							 uint64_t end_lsn, int64_t commit_time, uint64_t rows,
							 AIpcError *err);
extern int	w2a_write_schema(AIpcBuffer *out, uint32_t relid, uint32_t schema_version,
							 const uint8_t *schema_msg, size_t schema_len,
							 AIpcError *err);

/*
 * R: w2a_rows_begin appends the header and marks and sets *start; the caller
 * appends the RecordBatch message, then w2a_frame_end stores the body length.
 */
extern int	w2a_rows_begin(AIpcBuffer *out, uint32_t relid, uint32_t schema_version,
						   uint32_t row_count, uint64_t first_row,
						   const W2AMark *marks, uint32_t nmarks, size_t *start,
						   AIpcError *err);
extern int	w2a_write_truncate(AIpcBuffer *out, uint32_t flags,
							   const W2ATruncatedRelation *rels, uint32_t nrels,
							   AIpcError *err);
extern int	w2a_write_message(AIpcBuffer *out, bool transactional, uint32_t xid,
							  uint64_t lsn, const char *prefix, size_t prefix_len,
							  const char *payload, size_t payload_len, AIpcError *err);

/*
 * K: w2a_keys_append_value appends one key value (u32 length, then the bytes;
 * value NULL for a NULL key) to a body under construction, row-major;
 * w2a_write_keys appends the whole frame around such a body.
 */
extern int	w2a_keys_append_value(AIpcBuffer *body, const char *value, size_t len,
								  AIpcError *err);
extern int	w2a_write_keys(AIpcBuffer *out, uint32_t row_count, uint32_t column_count,
						   const uint8_t *body, size_t body_len, AIpcError *err);

/* Stores the body length of the frame at start: everything appended after its header. */
extern void w2a_frame_end(AIpcBuffer *out, size_t start);

/* H + B of the whole frame at f (a frame this module wrote). */
extern size_t w2a_frame_length(const uint8_t *f);

#endif							/* WAL2ARROW_FRAME_H */
