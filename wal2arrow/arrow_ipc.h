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
 * arrow_ipc.h
 *		A small, exact Arrow IPC writer: column builders, encapsulated
 *		Schema and RecordBatch messages (FlatBuffers metadata + 8-byte
 *		aligned body), optional LZ4_FRAME / ZSTD body compression.
 *
 * Deliberately free of PostgreSQL headers so it can be unit tested and
 * fuzzed alone.  Memory comes from a caller-supplied allocator; every
 * function returns AIPC_OK or an error code and fills an AIpcError.
 * All multi-byte values are written little-endian whatever the host.
 *-------------------------------------------------------------------------
 */
#ifndef WAL2ARROW_ARROW_IPC_H
#define WAL2ARROW_ARROW_IPC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* Return codes. */
#define AIPC_OK			0
#define AIPC_EINVAL		1		/* caller passed something inconsistent */
#define AIPC_ENOMEM		2		/* allocator returned NULL */
#define AIPC_ETOOBIG	3		/* a length does not fit the Arrow format */
#define AIPC_ECODEC		4		/* the compression library failed */

typedef struct AIpcError
{
	int			code;
	char		message[256];
} AIpcError;

/*
 * realloc_fn(ctx, NULL, n) allocates; realloc_fn(ctx, p, n) grows p.  It may
 * return NULL (AIPC_ENOMEM) or not return at all (PostgreSQL's ereport).
 */
typedef struct AIpcAllocator
{
	void	   *(*realloc_fn) (void *ctx, void *ptr, size_t size);
	void		(*free_fn) (void *ctx, void *ptr);
	void	   *ctx;
} AIpcAllocator;

/* A growable byte buffer. */
typedef struct AIpcBuffer
{
	uint8_t    *data;
	size_t		len;
	size_t		cap;
	const AIpcAllocator *alloc;
} AIpcBuffer;

extern void aipc_buffer_init(AIpcBuffer *buf, const AIpcAllocator *alloc);
extern void aipc_buffer_free(AIpcBuffer *buf);
/* The slow path of aipc_buffer_reserve: grows the buffer geometrically. */
extern int	aipc_buffer_grow(AIpcBuffer *buf, size_t extra, AIpcError *err);

/*
 * The helpers below run once per value or per metadata field, so they are
 * inline and cost a compare and a store when the buffer has room.
 */
static inline int
aipc_buffer_reserve(AIpcBuffer *buf, size_t extra, AIpcError *err)
{
	if (extra <= buf->cap - buf->len)
		return AIPC_OK;
	return aipc_buffer_grow(buf, extra, err);
}

static inline int
aipc_buffer_append(AIpcBuffer *buf, const void *data, size_t n, AIpcError *err)
{
	int			rc;

	if (n == 0)
		return AIPC_OK;
	if ((rc = aipc_buffer_reserve(buf, n, err)) != AIPC_OK)
		return rc;
	memcpy(buf->data + buf->len, data, n);
	buf->len += n;
	return AIPC_OK;
}

static inline int
aipc_buffer_append_zeros(AIpcBuffer *buf, size_t n, AIpcError *err)
{
	int			rc;

	if (n == 0)
		return AIPC_OK;
	if ((rc = aipc_buffer_reserve(buf, n, err)) != AIPC_OK)
		return rc;
	memset(buf->data + buf->len, 0, n);
	buf->len += n;
	return AIPC_OK;
}

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define AIPC_HOST_LE 1
#else
#define AIPC_HOST_LE 0
#endif

static inline void
aipc_store_u16(uint8_t *p, uint16_t v)
{
	if (AIPC_HOST_LE)
		memcpy(p, &v, 2);
	else
	{
		p[0] = (uint8_t) v;
		p[1] = (uint8_t) (v >> 8);
	}
}

static inline void
aipc_store_u32(uint8_t *p, uint32_t v)
{
	if (AIPC_HOST_LE)
		memcpy(p, &v, 4);
	else
		for (int i = 0; i < 4; i++)
			p[i] = (uint8_t) (v >> (8 * i));
}

static inline void
aipc_store_u64(uint8_t *p, uint64_t v)
{
	if (AIPC_HOST_LE)
		memcpy(p, &v, 8);
	else
		for (int i = 0; i < 8; i++)
			p[i] = (uint8_t) (v >> (8 * i));
}

/* Arrow logical types we write; values are the FlatBuffers Type union tags. */
typedef enum AIpcType
{
	AIPC_TYPE_INT = 2,
	AIPC_TYPE_FLOAT = 3,
	AIPC_TYPE_BINARY = 4,
	AIPC_TYPE_UTF8 = 5,
	AIPC_TYPE_BOOL = 6,
	AIPC_TYPE_DECIMAL = 7,
	AIPC_TYPE_DATE = 8,
	AIPC_TYPE_TIME = 9,
	AIPC_TYPE_TIMESTAMP = 10,
	AIPC_TYPE_LIST = 12
} AIpcType;

/* org.apache.arrow.flatbuf.TimeUnit / DateUnit / Precision values */
#define AIPC_UNIT_SECOND		0
#define AIPC_UNIT_MILLISECOND	1
#define AIPC_UNIT_MICROSECOND	2
#define AIPC_UNIT_NANOSECOND	3
#define AIPC_DATE_DAY			0
#define AIPC_FLOAT_SINGLE		1
#define AIPC_FLOAT_DOUBLE		2

typedef struct AIpcKeyValue
{
	const char *key;
	const char *value;
} AIpcKeyValue;

/* One field of a schema.  Strings are NUL-terminated UTF-8. */
typedef struct AIpcField
{
	const char *name;
	bool		nullable;
	AIpcType	type;
	int32_t		bit_width;		/* INT: 8/16/32/64; DECIMAL: 128; TIME: 32/64 */
	bool		is_signed;		/* INT */
	int16_t		unit;			/* FLOAT precision; DATE/TIME/TIMESTAMP unit */
	int32_t		precision;		/* DECIMAL */
	int32_t		scale;			/* DECIMAL */
	const char *timezone;		/* TIMESTAMP; NULL = none */
	const struct AIpcField *children;	/* LIST: exactly one */
	int			n_children;
	const AIpcKeyValue *metadata;
	int			n_metadata;
} AIpcField;

/* Appends one encapsulated Schema message to out. */
extern int	aipc_write_schema(AIpcBuffer *out,
							  const AIpcField *fields, int n_fields,
							  const AIpcKeyValue *metadata, int n_metadata,
							  AIpcError *err);

/*
 * Column builder.  Physical layouts:
 *	fixed	validity + values (value_width bytes each; 0 = bit-packed Bool)
 *	varlen	validity + int32 offsets + data (Utf8, Binary)
 *	list	validity + int32 offsets, then the child column
 * The validity bitmap is only materialised once the first null arrives.
 */
typedef enum AIpcLayout
{
	AIPC_LAYOUT_FIXED,
	AIPC_LAYOUT_VARLEN,
	AIPC_LAYOUT_LIST
} AIpcLayout;

typedef struct AIpcColumn
{
	AIpcLayout	layout;
	int			value_width;	/* FIXED: bytes per value, 0 for bits */
	int64_t		length;			/* values appended */
	int64_t		null_count;
	bool		has_validity;	/* bitmap materialised (a null was seen) */
	AIpcBuffer	validity;		/* empty while null_count == 0 */
	AIpcBuffer	offsets;		/* VARLEN / LIST */
	AIpcBuffer	values;			/* FIXED / VARLEN */
	struct AIpcColumn *child;	/* LIST */
} AIpcColumn;

extern int	aipc_column_init(AIpcColumn *col, AIpcLayout layout, int value_width,
							 AIpcColumn *child, const AIpcAllocator *alloc,
							 AIpcError *err);
extern void aipc_column_free(AIpcColumn *col);
extern int	aipc_column_reset(AIpcColumn *col, AIpcError *err);
extern int	aipc_column_append_null(AIpcColumn *col, AIpcError *err);
extern int	aipc_column_append_bool(AIpcColumn *col, bool v, AIpcError *err);
/* value_width bytes, already little-endian */
extern int	aipc_column_append_fixed(AIpcColumn *col, const void *v, AIpcError *err);
extern int	aipc_column_append_int(AIpcColumn *col, int64_t v, AIpcError *err);
extern int	aipc_column_append_float4(AIpcColumn *col, float v, AIpcError *err);
extern int	aipc_column_append_float8(AIpcColumn *col, double v, AIpcError *err);
extern int	aipc_column_append_bytes(AIpcColumn *col, const void *v, size_t n,
									 AIpcError *err);
/* A list value: the elements are appended to col->child, then list_end. */
extern int	aipc_column_list_end(AIpcColumn *col, AIpcError *err);
/* Bytes held in the column's buffers (what a batch body costs, roughly). */
extern size_t aipc_column_size(const AIpcColumn *col);
/* Bytes allocated for the column's buffers (what keeping it costs). */
extern size_t aipc_column_capacity(const AIpcColumn *col);

typedef enum AIpcCodec
{
	AIPC_CODEC_NONE = -1,
	AIPC_CODEC_LZ4_FRAME = 0,	/* org.apache.arrow.flatbuf.CompressionType */
	AIPC_CODEC_ZSTD = 1
} AIpcCodec;

/*
 * A compression session: the codec, its level and the codec library's own
 * context, created on first use (with the library's malloc) and reused for
 * every buffer after, since creating one costs far more than compressing a
 * small buffer.  aipc_compressor_end frees that context; it must be called
 * exactly once, also on error paths.
 */
typedef struct AIpcCompressor
{
	AIpcCodec	codec;			/* AIPC_CODEC_NONE: batches are never compressed */
	int			level;			/* 0 = the codec's default */
	void	   *cctx;			/* ZSTD_CCtx or LZ4F_cctx; NULL until needed */
} AIpcCompressor;

extern void aipc_compressor_init(AIpcCompressor *comp, AIpcCodec codec, int level);
extern void aipc_compressor_end(AIpcCompressor *comp);

/*
 * When compressing a batch (PROTOCOL.md section 3.1): buffers shorter than
 * AIPC_COMPRESS_MIN_BUFFER bytes are stored raw (uncompressed length -1), so
 * are buffers that do not shrink; a batch with no buffer that long, or whose
 * compressed body is not smaller than its plain body, is written without
 * BodyCompression, exactly as with no codec.
 */
#define AIPC_COMPRESS_MIN_BUFFER	256

/*
 * Appends one encapsulated RecordBatch message holding the columns (all of
 * them nrows long).  comp may be NULL (no compression); with a codec,
 * scratch holds the compressed body while it is built.
 */
extern int	aipc_write_batch(AIpcBuffer *out,
							 AIpcColumn *const *cols, int ncols,
							 int64_t nrows,
							 AIpcCompressor *comp,
							 AIpcBuffer *scratch,
							 AIpcError *err);

/* aipc_write_batch with a one-off compressor (tests, one-shot callers). */
extern int	aipc_write_record_batch(AIpcBuffer *out,
									AIpcColumn *const *cols, int ncols,
									int64_t nrows,
									AIpcCodec codec, int level,
									AIpcBuffer *scratch,
									AIpcError *err);

#endif							/* WAL2ARROW_ARROW_IPC_H */
