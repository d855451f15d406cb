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
 * arrow_ipc.c
 *		Arrow IPC writer for wal2arrow: column builders and encapsulated
 *		Schema / RecordBatch messages.
 *
 * The FlatBuffers metadata is written front to back: a table is laid out
 * (vtable first, then the table), its reference fields are left as
 * placeholders and patched once the referenced string, vector or table has
 * been written after it.  FlatBuffers only requires that a uoffset points
 * forward and that scalars are naturally aligned from the buffer start,
 * both of which hold; readers never care in which order objects sit.
 *
 * No PostgreSQL headers here; see arrow_ipc.h.
 *-------------------------------------------------------------------------
 */
#include "arrow_ipc.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <lz4frame.h>
#include <zstd.h>

/* org.apache.arrow.flatbuf constants */
#define FB_METADATA_V5			4
#define FB_HEADER_SCHEMA		1
#define FB_HEADER_RECORD_BATCH	3

#define AIPC_MAX_TABLE_BYTES	128

static int
aipc_fail(AIpcError *err, int code, const char *fmt,...)
	__attribute__((format(printf, 3, 4)));

static int
aipc_fail(AIpcError *err, int code, const char *fmt,...)
{
	va_list		ap;

	if (err)
	{
		err->code = code;
		va_start(ap, fmt);
		vsnprintf(err->message, sizeof(err->message), fmt, ap);
		va_end(ap);
	}
	return code;
}

/* ---------------------------------------------------------------------
 * Growable buffers (the inline fast paths are in arrow_ipc.h)
 * ---------------------------------------------------------------------
 */
void
aipc_buffer_init(AIpcBuffer *buf, const AIpcAllocator *alloc)
{
	buf->data = NULL;
	buf->len = 0;
	buf->cap = 0;
	buf->alloc = alloc;
}

void
aipc_buffer_free(AIpcBuffer *buf)
{
	if (buf->data)
		buf->alloc->free_fn(buf->alloc->ctx, buf->data);
	buf->data = NULL;
	buf->len = 0;
	buf->cap = 0;
}

int
aipc_buffer_grow(AIpcBuffer *buf, size_t extra, AIpcError *err)
{
	size_t		need;
	size_t		cap;
	void	   *p;

	if (extra > SIZE_MAX / 4 - buf->len)
		return aipc_fail(err, AIPC_ETOOBIG,
						 "buffer of %zu bytes cannot grow by %zu bytes",
						 buf->len, extra);
	need = buf->len + extra;
	if (need <= buf->cap)
		return AIPC_OK;
	cap = buf->cap < 64 ? 64 : buf->cap;
	while (cap < need)
		cap *= 2;
	p = buf->alloc->realloc_fn(buf->alloc->ctx, buf->data, cap);
	if (p == NULL)
		return aipc_fail(err, AIPC_ENOMEM,
						 "out of memory growing a buffer to %zu bytes", cap);
	buf->data = p;
	buf->cap = cap;
	return AIPC_OK;
}

static size_t
align8(size_t n)
{
	return (n + 7) & ~(size_t) 7;
}

/* ---------------------------------------------------------------------
 * Forward FlatBuffers builder
 * ---------------------------------------------------------------------
 */
typedef struct FB
{
	AIpcBuffer *buf;
	size_t		base;			/* buffer offset of the flatbuffer's byte 0 */
	int			status;			/* sticky: first error wins, later calls no-op */
	AIpcError  *err;
} FB;

typedef struct FBField
{
	int			id;				/* field id in the .fbs table */
	int			size;			/* 1, 2, 4 or 8 */
	uint64_t	value;			/* scalar value; ignored for references */
	bool		is_ref;			/* uoffset to patch later */
	size_t		slot;			/* out: position of the field */
} FBField;

static size_t
fb_pos(const FB *fb)
{
	return fb->buf->len - fb->base;
}

static void
fb_bytes(FB *fb, const void *p, size_t n)
{
	if (fb->status == AIPC_OK)
		fb->status = aipc_buffer_append(fb->buf, p, n, fb->err);
}

static void
fb_zeros(FB *fb, size_t n)
{
	if (fb->status == AIPC_OK)
		fb->status = aipc_buffer_append_zeros(fb->buf, n, fb->err);
}

/* Pads so that (position + ahead) is a multiple of align. */
static void
fb_align(FB *fb, size_t align, size_t ahead)
{
	size_t		at = (fb_pos(fb) + ahead) % align;

	if (at)
		fb_zeros(fb, align - at);
}

static void
fb_u32(FB *fb, uint32_t v)
{
	uint8_t		b[4];

	aipc_store_u32(b, v);
	fb_bytes(fb, b, 4);
}

/* Points the uoffset at slot to target (both flatbuffer positions). */
static void
fb_patch(FB *fb, size_t slot, size_t target)
{
	if (fb->status != AIPC_OK)
		return;
	aipc_store_u32(fb->buf->data + fb->base + slot, (uint32_t) (target - slot));
}

/*
 * Writes a vtable and its table; returns the table position and stores each
 * field's position in fields[i].slot.  Fields are placed largest first from
 * an 8-aligned table start so every scalar is naturally aligned.
 */
static size_t
fb_table(FB *fb, FBField *fields, int n)
{
	uint8_t		tbl[AIPC_MAX_TABLE_BYTES];
	uint16_t	offs[16];
	int			nslots = 0;
	size_t		cur = 4;
	size_t		vt_pos;
	size_t		tbl_pos;
	size_t		tbl_size;

	memset(offs, 0, sizeof(offs));
	memset(tbl, 0, sizeof(tbl));
	for (int size = 8; size >= 1; size /= 2)
	{
		for (int i = 0; i < n; i++)
		{
			if (fields[i].size != size)
				continue;
			cur = (cur + size - 1) & ~(size_t) (size - 1);
			offs[fields[i].id] = (uint16_t) cur;
			if (fields[i].is_ref)
				memset(tbl + cur, 0, 4);
			else
				for (int b = 0; b < size; b++)
					tbl[cur + b] = (uint8_t) (fields[i].value >> (8 * b));
			fields[i].slot = cur;	/* relative for now */
			cur += size;
		}
	}
	for (int i = 0; i < n; i++)
		if (fields[i].id + 1 > nslots)
			nslots = fields[i].id + 1;
	tbl_size = (cur + 3) & ~(size_t) 3;

	/* vtable: [vtable bytes][table bytes][field offsets...] */
	fb_align(fb, 2, 0);
	vt_pos = fb_pos(fb);
	{
		uint8_t		vt[4 + 2 * 16];

		aipc_store_u16(vt, (uint16_t) (4 + 2 * nslots));
		aipc_store_u16(vt + 2, (uint16_t) tbl_size);
		for (int s = 0; s < nslots; s++)
			aipc_store_u16(vt + 4 + 2 * s, offs[s]);
		fb_bytes(fb, vt, 4 + 2 * nslots);
	}
	fb_align(fb, 8, 0);
	tbl_pos = fb_pos(fb);
	aipc_store_u32(tbl, (uint32_t) (tbl_pos - vt_pos));	/* soffset > 0 */
	fb_bytes(fb, tbl, tbl_size);
	for (int i = 0; i < n; i++)
		fields[i].slot += tbl_pos;
	return tbl_pos;
}

static size_t
fb_string(FB *fb, const char *s)
{
	size_t		n = strlen(s);
	size_t		pos;

	fb_align(fb, 4, 0);
	pos = fb_pos(fb);
	fb_u32(fb, (uint32_t) n);
	fb_bytes(fb, s, n);
	fb_zeros(fb, 1);
	return pos;
}

/* A vector of n uoffsets, all placeholders; element i sits at pos + 4 + 4i. */
static size_t
fb_ref_vector(FB *fb, int n)
{
	size_t		pos;

	fb_align(fb, 4, 0);
	pos = fb_pos(fb);
	fb_u32(fb, (uint32_t) n);
	fb_zeros(fb, (size_t) n * 4);
	return pos;
}

/*
 * Starts a vector of n structs of two int64 each (FieldNode, Buffer) and
 * returns where its 16 * n bytes go (to be filled at once, before the buffer
 * can move), or NULL on error.  *pos gets the vector's position.
 */
static uint8_t *
fb_pair_vector(FB *fb, int n, size_t *pos)
{
	uint8_t    *p;

	fb_align(fb, 8, 4);
	*pos = fb_pos(fb);
	fb_u32(fb, (uint32_t) n);
	if (fb->status == AIPC_OK)
		fb->status = aipc_buffer_reserve(fb->buf, 16 * (size_t) n, fb->err);
	if (fb->status != AIPC_OK)
		return NULL;
	p = fb->buf->data + fb->buf->len;
	fb->buf->len += 16 * (size_t) n;
	return p;
}

static void
fb_key_values(FB *fb, size_t slot, const AIpcKeyValue *kv, int n)
{
	size_t		vec = fb_ref_vector(fb, n);

	fb_patch(fb, slot, vec);
	for (int i = 0; i < n; i++)
	{
		FBField		f[2] = {
			{.id = 0, .size = 4, .is_ref = true},
			{.id = 1, .size = 4, .is_ref = true},
		};
		size_t		t = fb_table(fb, f, 2);

		fb_patch(fb, vec + 4 + 4 * (size_t) i, t);
		fb_patch(fb, f[0].slot, fb_string(fb, kv[i].key));
		fb_patch(fb, f[1].slot, fb_string(fb, kv[i].value));
	}
}

static size_t
fb_type_table(FB *fb, const AIpcField *field)
{
	FBField		f[3];
	int			n = 0;
	bool		tz = false;
	size_t		t;

	switch (field->type)
	{
		case AIPC_TYPE_INT:
			f[n++] = (FBField) {.id = 0, .size = 4, .value = (uint32_t) field->bit_width};
			f[n++] = (FBField) {.id = 1, .size = 1, .value = field->is_signed ? 1 : 0};
			break;
		case AIPC_TYPE_FLOAT:
			f[n++] = (FBField) {.id = 0, .size = 2, .value = (uint16_t) field->unit};
			break;
		case AIPC_TYPE_DECIMAL:
			f[n++] = (FBField) {.id = 0, .size = 4, .value = (uint32_t) field->precision};
			f[n++] = (FBField) {.id = 1, .size = 4, .value = (uint32_t) field->scale};
			f[n++] = (FBField) {.id = 2, .size = 4, .value = 128};
			break;
		case AIPC_TYPE_DATE:
			f[n++] = (FBField) {.id = 0, .size = 2, .value = (uint16_t) field->unit};
			break;
		case AIPC_TYPE_TIME:
			f[n++] = (FBField) {.id = 0, .size = 2, .value = (uint16_t) field->unit};
			f[n++] = (FBField) {.id = 1, .size = 4, .value = (uint32_t) field->bit_width};
			break;
		case AIPC_TYPE_TIMESTAMP:
			f[n++] = (FBField) {.id = 0, .size = 2, .value = (uint16_t) field->unit};
			if (field->timezone)
			{
				f[n++] = (FBField) {.id = 1, .size = 4, .is_ref = true};
				tz = true;
			}
			break;
		case AIPC_TYPE_BINARY:
		case AIPC_TYPE_UTF8:
		case AIPC_TYPE_BOOL:
		case AIPC_TYPE_LIST:
			break;
	}
	t = fb_table(fb, f, n);
	if (tz)
		fb_patch(fb, f[1].slot, fb_string(fb, field->timezone));
	return t;
}

static int
check_field(const AIpcField *field, AIpcError *err)
{
	if (field->name == NULL)
		return aipc_fail(err, AIPC_EINVAL, "expected a field name but found none");
	switch (field->type)
	{
		case AIPC_TYPE_INT:
			if (field->bit_width != 8 && field->bit_width != 16 &&
				field->bit_width != 32 && field->bit_width != 64)
				return aipc_fail(err, AIPC_EINVAL,
								 "field \"%s\": expected Int bit width 8, 16, 32 or 64 but found %d",
								 field->name, (int) field->bit_width);
			break;
		case AIPC_TYPE_DECIMAL:
			if (field->precision < 1 || field->precision > 38 ||
				field->scale < 0 || field->scale > field->precision)
				return aipc_fail(err, AIPC_EINVAL,
								 "field \"%s\": expected Decimal128 precision 1..38 and scale 0..precision but found (%d,%d)",
								 field->name, (int) field->precision, (int) field->scale);
			break;
		case AIPC_TYPE_LIST:
			if (field->n_children != 1 || field->children == NULL)
				return aipc_fail(err, AIPC_EINVAL,
								 "field \"%s\": expected 1 List child but found %d",
								 field->name, field->n_children);
			return check_field(&field->children[0], err);
		default:
			break;
	}
	if (field->type != AIPC_TYPE_LIST && field->n_children != 0)
		return aipc_fail(err, AIPC_EINVAL,
						 "field \"%s\": expected no children but found %d",
						 field->name, field->n_children);
	return AIPC_OK;
}

static void
fb_field(FB *fb, size_t slot, const AIpcField *field)
{
	FBField		f[6];
	int			n = 0;
	size_t		t;
	size_t		vec;

	f[n++] = (FBField) {.id = 0, .size = 4, .is_ref = true};	/* name */
	f[n++] = (FBField) {.id = 1, .size = 1, .value = field->nullable ? 1 : 0};
	f[n++] = (FBField) {.id = 2, .size = 1, .value = (uint8_t) field->type};
	f[n++] = (FBField) {.id = 3, .size = 4, .is_ref = true};	/* type */
	f[n++] = (FBField) {.id = 5, .size = 4, .is_ref = true};	/* children */
	if (field->n_metadata > 0)
		f[n++] = (FBField) {.id = 6, .size = 4, .is_ref = true};
	t = fb_table(fb, f, n);
	fb_patch(fb, slot, t);
	fb_patch(fb, f[0].slot, fb_string(fb, field->name));
	fb_patch(fb, f[3].slot, fb_type_table(fb, field));
	vec = fb_ref_vector(fb, field->n_children);
	fb_patch(fb, f[4].slot, vec);
	for (int i = 0; i < field->n_children; i++)
		fb_field(fb, vec + 4 + 4 * (size_t) i, &field->children[i]);
	if (field->n_metadata > 0)
		fb_key_values(fb, f[5].slot, field->metadata, field->n_metadata);
}

/*
 * Starts an encapsulated message: continuation marker, a length placeholder,
 * the root uoffset and the Message table.  Returns the slot of Message.header.
 */
static size_t
fb_begin_message(FB *fb, AIpcBuffer *out, AIpcError *err,
				 uint8_t header_type, int64_t body_length)
{
	static const uint8_t prefix[8] = {0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 0, 0};
	FBField		f[4] = {
		{.id = 0, .size = 2, .value = FB_METADATA_V5},
		{.id = 1, .size = 1, .value = header_type},
		{.id = 2, .size = 4, .is_ref = true},
		{.id = 3, .size = 8, .value = (uint64_t) body_length},
	};
	size_t		t;

	fb->buf = out;
	fb->err = err;
	fb->status = aipc_buffer_append(out, prefix, sizeof(prefix), err);
	fb->base = out->len;
	fb_u32(fb, 0);				/* root uoffset */
	t = fb_table(fb, f, 4);
	fb_patch(fb, 0, t);
	return f[2].slot;
}

/* Pads the flatbuffer to 8 and fills in the metadata length. */
static int
fb_end_message(FB *fb)
{
	fb_align(fb, 8, 0);
	if (fb->status != AIPC_OK)
		return fb->status;
	if (fb_pos(fb) > INT32_MAX)
		return aipc_fail(fb->err, AIPC_ETOOBIG,
						 "Arrow message metadata of %zu bytes exceeds the int32 limit",
						 fb_pos(fb));
	aipc_store_u32(fb->buf->data + fb->base - 4, (uint32_t) fb_pos(fb));
	return AIPC_OK;
}

int
aipc_write_schema(AIpcBuffer *out,
				  const AIpcField *fields, int n_fields,
				  const AIpcKeyValue *metadata, int n_metadata,
				  AIpcError *err)
{
	FB			fb;
	FBField		f[3];
	int			n = 0;
	size_t		header_slot;
	size_t		t;
	size_t		vec;
	int			rc;

	if (n_fields < 0 || (n_fields > 0 && fields == NULL))
		return aipc_fail(err, AIPC_EINVAL, "expected a field array but found none");
	for (int i = 0; i < n_fields; i++)
		if ((rc = check_field(&fields[i], err)) != AIPC_OK)
			return rc;

	header_slot = fb_begin_message(&fb, out, err, FB_HEADER_SCHEMA, 0);
	f[n++] = (FBField) {.id = 0, .size = 2, .value = 0};	/* Little endian */
	f[n++] = (FBField) {.id = 1, .size = 4, .is_ref = true};
	if (n_metadata > 0)
		f[n++] = (FBField) {.id = 2, .size = 4, .is_ref = true};
	t = fb_table(&fb, f, n);
	fb_patch(&fb, header_slot, t);
	vec = fb_ref_vector(&fb, n_fields);
	fb_patch(&fb, f[1].slot, vec);
	for (int i = 0; i < n_fields; i++)
		fb_field(&fb, vec + 4 + 4 * (size_t) i, &fields[i]);
	if (n_metadata > 0)
		fb_key_values(&fb, f[2].slot, metadata, n_metadata);
	return fb_end_message(&fb);
}

/* ---------------------------------------------------------------------
 * Column builders
 * ---------------------------------------------------------------------
 */
static int
bitmap_append(AIpcBuffer *bits, int64_t index, bool set, AIpcError *err)
{
	int			rc;

	if ((index & 7) == 0 &&
		(rc = aipc_buffer_append_zeros(bits, 1, err)) != AIPC_OK)
		return rc;
	if (set)
		bits->data[index >> 3] |= (uint8_t) (1u << (index & 7));
	return AIPC_OK;
}

static int
offsets_append(AIpcBuffer *offsets, size_t end, AIpcError *err)
{
	uint8_t		b[4];

	if (end > INT32_MAX)
		return aipc_fail(err, AIPC_ETOOBIG,
						 "column data of %zu bytes or elements exceeds Arrow's int32 offsets",
						 end);
	aipc_store_u32(b, (uint32_t) end);
	return aipc_buffer_append(offsets, b, 4, err);
}

int
aipc_column_init(AIpcColumn *col, AIpcLayout layout, int value_width,
				 AIpcColumn *child, const AIpcAllocator *alloc, AIpcError *err)
{
	memset(col, 0, sizeof(*col));
	if (layout == AIPC_LAYOUT_LIST && child == NULL)
		return aipc_fail(err, AIPC_EINVAL, "expected a List child column but found none");
	if (layout == AIPC_LAYOUT_FIXED && (value_width < 0 || value_width > 32))
		return aipc_fail(err, AIPC_EINVAL,
						 "expected a value width of 0..32 bytes but found %d", value_width);
	col->layout = layout;
	col->value_width = value_width;
	col->child = child;
	aipc_buffer_init(&col->validity, alloc);
	aipc_buffer_init(&col->offsets, alloc);
	aipc_buffer_init(&col->values, alloc);
	if (layout != AIPC_LAYOUT_FIXED)
		return offsets_append(&col->offsets, 0, err);
	return AIPC_OK;
}

void
aipc_column_free(AIpcColumn *col)
{
	aipc_buffer_free(&col->validity);
	aipc_buffer_free(&col->offsets);
	aipc_buffer_free(&col->values);
	if (col->child)
		aipc_column_free(col->child);
}

int
aipc_column_reset(AIpcColumn *col, AIpcError *err)
{
	col->length = 0;
	col->null_count = 0;
	col->has_validity = false;
	col->validity.len = 0;
	col->values.len = 0;
	col->offsets.len = 0;
	if (col->child)
	{
		int			rc = aipc_column_reset(col->child, err);

		if (rc != AIPC_OK)
			return rc;
	}
	if (col->layout != AIPC_LAYOUT_FIXED)
		return offsets_append(&col->offsets, 0, err);
	return AIPC_OK;
}

/* validity_next's slow path: a null, or a column that already had one. */
static int
validity_slow(AIpcColumn *col, bool valid, AIpcError *err)
{
	int			rc;

	if (!valid && !col->has_validity)
	{
		/* first null: materialise the bitmap, all earlier values valid */
		size_t		nbytes = (size_t) (col->length + 7) / 8;

		if ((rc = aipc_buffer_reserve(&col->validity, nbytes + 1, err)) != AIPC_OK)
			return rc;
		memset(col->validity.data, 0xFF, nbytes);
		if (col->length & 7)
			col->validity.data[nbytes - 1] = (uint8_t) ((1u << (col->length & 7)) - 1);
		col->validity.len = nbytes;
		col->has_validity = true;
	}
	return bitmap_append(&col->validity, col->length, valid, err);
}

/* Records validity for the value about to be appended at col->length. */
static inline int
validity_next(AIpcColumn *col, bool valid, AIpcError *err)
{
	if (valid && !col->has_validity)
		return AIPC_OK;
	return validity_slow(col, valid, err);
}

int
aipc_column_append_null(AIpcColumn *col, AIpcError *err)
{
	int			rc;

	if ((rc = validity_next(col, false, err)) != AIPC_OK)
		return rc;
	switch (col->layout)
	{
		case AIPC_LAYOUT_FIXED:
			if (col->value_width == 0)
				rc = bitmap_append(&col->values, col->length, false, err);
			else
				rc = aipc_buffer_append_zeros(&col->values, (size_t) col->value_width, err);
			break;
		case AIPC_LAYOUT_VARLEN:
			rc = offsets_append(&col->offsets, col->values.len, err);
			break;
		case AIPC_LAYOUT_LIST:
			rc = offsets_append(&col->offsets, (size_t) col->child->length, err);
			break;
	}
	if (rc != AIPC_OK)
		return rc;
	col->length++;
	col->null_count++;
	return AIPC_OK;
}

static int
check_layout(const AIpcColumn *col, AIpcLayout layout, int width, AIpcError *err)
{
	if (col->layout != layout || (width >= 0 && col->value_width != width))
		return aipc_fail(err, AIPC_EINVAL,
						 "expected a column of layout %d width %d but found layout %d width %d",
						 (int) layout, width, (int) col->layout, col->value_width);
	return AIPC_OK;
}

int
aipc_column_append_bool(AIpcColumn *col, bool v, AIpcError *err)
{
	int			rc;

	if ((rc = check_layout(col, AIPC_LAYOUT_FIXED, 0, err)) != AIPC_OK ||
		(rc = validity_next(col, true, err)) != AIPC_OK ||
		(rc = bitmap_append(&col->values, col->length, v, err)) != AIPC_OK)
		return rc;
	col->length++;
	return AIPC_OK;
}

int
aipc_column_append_fixed(AIpcColumn *col, const void *v, AIpcError *err)
{
	int			rc;

	if (col->layout != AIPC_LAYOUT_FIXED || col->value_width == 0)
		return check_layout(col, AIPC_LAYOUT_FIXED, 1, err);
	if ((rc = validity_next(col, true, err)) != AIPC_OK ||
		(rc = aipc_buffer_append(&col->values, v, (size_t) col->value_width, err)) != AIPC_OK)
		return rc;
	col->length++;
	return AIPC_OK;
}

int
aipc_column_append_int(AIpcColumn *col, int64_t v, AIpcError *err)
{
	uint8_t		b[8];

	if (col->layout != AIPC_LAYOUT_FIXED || col->value_width == 0 ||
		col->value_width > 8)
		return check_layout(col, AIPC_LAYOUT_FIXED, 8, err);
	aipc_store_u64(b, (uint64_t) v);	/* low bytes first: truncation = narrowing */
	return aipc_column_append_fixed(col, b, err);
}

int
aipc_column_append_float4(AIpcColumn *col, float v, AIpcError *err)
{
	uint32_t	u;
	uint8_t		b[4];
	int			rc;

	if ((rc = check_layout(col, AIPC_LAYOUT_FIXED, 4, err)) != AIPC_OK)
		return rc;
	memcpy(&u, &v, 4);
	aipc_store_u32(b, u);
	return aipc_column_append_fixed(col, b, err);
}

int
aipc_column_append_float8(AIpcColumn *col, double v, AIpcError *err)
{
	uint64_t	u;
	uint8_t		b[8];
	int			rc;

	if ((rc = check_layout(col, AIPC_LAYOUT_FIXED, 8, err)) != AIPC_OK)
		return rc;
	memcpy(&u, &v, 8);
	aipc_store_u64(b, u);
	return aipc_column_append_fixed(col, b, err);
}

int
aipc_column_append_bytes(AIpcColumn *col, const void *v, size_t n, AIpcError *err)
{
	int			rc;

	if ((rc = check_layout(col, AIPC_LAYOUT_VARLEN, -1, err)) != AIPC_OK)
		return rc;
	if (n > (size_t) INT32_MAX - col->values.len)
		return aipc_fail(err, AIPC_ETOOBIG,
						 "a value of %zu bytes does not fit a batch column already holding %zu bytes (Arrow int32 offsets)",
						 n, col->values.len);
	if ((rc = validity_next(col, true, err)) != AIPC_OK ||
		(rc = aipc_buffer_append(&col->values, v, n, err)) != AIPC_OK ||
		(rc = offsets_append(&col->offsets, col->values.len, err)) != AIPC_OK)
		return rc;
	col->length++;
	return AIPC_OK;
}

int
aipc_column_list_end(AIpcColumn *col, AIpcError *err)
{
	int			rc;

	if ((rc = check_layout(col, AIPC_LAYOUT_LIST, -1, err)) != AIPC_OK ||
		(rc = validity_next(col, true, err)) != AIPC_OK ||
		(rc = offsets_append(&col->offsets, (size_t) col->child->length, err)) != AIPC_OK)
		return rc;
	col->length++;
	return AIPC_OK;
}

size_t
aipc_column_size(const AIpcColumn *col)
{
	size_t		n = col->validity.len + col->offsets.len + col->values.len;

	if (col->child)
		n += aipc_column_size(col->child);
	return n;
}

size_t
aipc_column_capacity(const AIpcColumn *col)
{
	size_t		n = col->validity.cap + col->offsets.cap + col->values.cap;

	if (col->child)
		n += aipc_column_capacity(col->child);
	return n;
}

/* ---------------------------------------------------------------------
 * Record batches
 * ---------------------------------------------------------------------
 */
typedef struct BodyPart
{
	const uint8_t *data;
	size_t		len;
	int64_t		offset;			/* in the body, as the Buffer entry says */
	int64_t		stored;			/* bytes in the body, as the Buffer entry says */
} BodyPart;

static void
count_column(const AIpcColumn *col, int *nodes, int *buffers)
{
	(*nodes)++;
	*buffers += col->layout == AIPC_LAYOUT_VARLEN ? 3 : 2;
	if (col->layout == AIPC_LAYOUT_LIST)
		count_column(col->child, nodes, buffers);
}

/* Collects the column's buffers in Arrow's order (children after parents). */
static void
collect_parts(const AIpcColumn *col, BodyPart *parts, int *np)
{
	parts[*np].data = col->validity.data;
	parts[*np].len = col->has_validity ? (size_t) (col->length + 7) / 8 : 0;
	(*np)++;
	if (col->layout != AIPC_LAYOUT_FIXED)
	{
		parts[*np].data = col->offsets.data;
		parts[*np].len = col->offsets.len;
		(*np)++;
	}
	if (col->layout != AIPC_LAYOUT_LIST)
	{
		parts[*np].data = col->values.data;
		parts[*np].len = col->layout == AIPC_LAYOUT_FIXED && col->value_width == 0
			? (size_t) (col->length + 7) / 8 : col->values.len;
		(*np)++;
	}
	else
		collect_parts(col->child, parts, np);
}

/* Writes the column's FieldNodes (16 bytes each) at *p, in the same order. */
static void
write_nodes(const AIpcColumn *col, uint8_t **p)
{
	aipc_store_u64(*p, (uint64_t) col->length);
	aipc_store_u64(*p + 8, (uint64_t) col->null_count);
	*p += 16;
	if (col->layout == AIPC_LAYOUT_LIST)
		write_nodes(col->child, p);
}

void
aipc_compressor_init(AIpcCompressor *comp, AIpcCodec codec, int level)
{
	comp->codec = codec;
	comp->level = level;
	comp->cctx = NULL;
}

void
aipc_compressor_end(AIpcCompressor *comp)
{
	if (comp->cctx == NULL)
		return;
	if (comp->codec == AIPC_CODEC_ZSTD)
		ZSTD_freeCCtx((ZSTD_CCtx *) comp->cctx);
	else
		LZ4F_freeCompressionContext((LZ4F_cctx *) comp->cctx);
	comp->cctx = NULL;
}

/* Compresses src into dst (capacity cap); *clen gets the frame's length. */
static int
compress_frame(AIpcCompressor *comp, uint8_t *dst, size_t cap,
			   const uint8_t *src, size_t len, size_t *clen, AIpcError *err)
{
	if (comp->codec == AIPC_CODEC_ZSTD)
	{
		size_t		n;

		if (comp->cctx == NULL && (comp->cctx = ZSTD_createCCtx()) == NULL)
			return aipc_fail(err, AIPC_ENOMEM, "out of memory for a zstd context");
		n = ZSTD_compressCCtx((ZSTD_CCtx *) comp->cctx, dst, cap, src, len,
							  comp->level != 0 ? comp->level : 1);
		if (ZSTD_isError(n))
			return aipc_fail(err, AIPC_ECODEC, "zstd compression failed: %s",
							 ZSTD_getErrorName(n));
		*clen = n;
	}
	else
	{
		LZ4F_preferences_t prefs;
		LZ4F_cctx  *cctx;
		size_t		n;
		size_t		pos;

		if (comp->cctx == NULL)
		{
			LZ4F_cctx  *made = NULL;

			n = LZ4F_createCompressionContext(&made, LZ4F_VERSION);
			if (LZ4F_isError(n))
				return aipc_fail(err, AIPC_ENOMEM, "cannot create an LZ4 context: %s",
								 LZ4F_getErrorName(n));
			comp->cctx = made;
		}
		cctx = (LZ4F_cctx *) comp->cctx;
		memset(&prefs, 0, sizeof(prefs));
		prefs.frameInfo.blockMode = LZ4F_blockIndependent;
		prefs.compressionLevel = comp->level;
		n = LZ4F_compressBegin(cctx, dst, cap, &prefs);
		if (LZ4F_isError(n))
			goto lz4_error;
		pos = n;
		n = LZ4F_compressUpdate(cctx, dst + pos, cap - pos, src, len, NULL);
		if (LZ4F_isError(n))
			goto lz4_error;
		pos += n;
		n = LZ4F_compressEnd(cctx, dst + pos, cap - pos, NULL);
		if (LZ4F_isError(n))
			goto lz4_error;
		*clen = pos + n;
		return AIPC_OK;
lz4_error:
		return aipc_fail(err, AIPC_ECODEC, "LZ4 frame compression failed: %s",
						 LZ4F_getErrorName(n));
	}
	return AIPC_OK;
}

/*
 * Appends one buffer to scratch as Arrow stores it compressed: the
 * uncompressed length (int64) and the codec's frame, or -1 and the raw bytes
 * when the buffer is short or compressing does not pay; then pads to 8.
 * Sets part->offset and part->stored (the length without the padding).
 */
static int
compress_part(AIpcCompressor *comp, AIpcBuffer *scratch, BodyPart *part,
			  AIpcError *err)
{
	size_t		start = scratch->len;
	size_t		clen = SIZE_MAX;
	int			rc;

	part->offset = (int64_t) start;
	part->stored = 0;
	if (part->len == 0)
		return AIPC_OK;
	if (part->len >= AIPC_COMPRESS_MIN_BUFFER)
	{
		size_t		bound;

		if (comp->codec == AIPC_CODEC_ZSTD)
			bound = ZSTD_compressBound(part->len);
		else
		{
			LZ4F_preferences_t prefs;

			memset(&prefs, 0, sizeof(prefs));
			prefs.frameInfo.blockMode = LZ4F_blockIndependent;
			prefs.compressionLevel = comp->level;
			bound = LZ4F_compressFrameBound(part->len, &prefs);
		}
		if ((rc = aipc_buffer_reserve(scratch, 8 + bound + 8, err)) != AIPC_OK ||
			(rc = compress_frame(comp, scratch->data + start + 8, bound,
								 part->data, part->len, &clen, err)) != AIPC_OK)
			return rc;
	}
	if (clen < part->len)
	{
		aipc_store_u64(scratch->data + start, (uint64_t) part->len);
		scratch->len = start + 8 + clen;
	}
	else
	{
		/* short or not worth it: -1 then the raw bytes, as Arrow Java does */
		if ((rc = aipc_buffer_reserve(scratch, 8 + part->len + 8, err)) != AIPC_OK)
			return rc;
		aipc_store_u64(scratch->data + start, UINT64_MAX);
		memcpy(scratch->data + start + 8, part->data, part->len);
		scratch->len = start + 8 + part->len;
	}
	part->stored = (int64_t) (scratch->len - start);
	return aipc_buffer_append_zeros(scratch, align8(scratch->len) - scratch->len, err);
}

/*
 * Compresses the parts into scratch.  Returns AIPC_OK with *use set when the
 * batch is worth sending compressed (PROTOCOL.md section 3.1), with *use
 * false (and the parts' offsets untouched) when it is not.
 */
static int
compress_body(AIpcCompressor *comp, AIpcBuffer *scratch, BodyPart *parts,
			  int n_parts, size_t plain_len, bool *use, AIpcError *err)
{
	bool		any_long = false;
	int			rc;

	*use = false;
	for (int i = 0; i < n_parts && !any_long; i++)
		any_long = parts[i].len >= AIPC_COMPRESS_MIN_BUFFER;
	if (!any_long)
		return AIPC_OK;
	scratch->len = 0;
	for (int i = 0; i < n_parts; i++)
		if ((rc = compress_part(comp, scratch, &parts[i], err)) != AIPC_OK)
			return rc;
	if (scratch->len < plain_len)
		*use = true;
	else
	{
		/* not smaller: lay the parts out plainly again */
		size_t		at = 0;

		for (int i = 0; i < n_parts; i++)
		{
			parts[i].offset = (int64_t) at;
			parts[i].stored = (int64_t) parts[i].len;
			at = align8(at + parts[i].len);
		}
	}
	return AIPC_OK;
}

/* Buffers described on the stack up to this many (tables up to ~40 columns). */
#define AIPC_STACK_PARTS	128

int
aipc_write_batch(AIpcBuffer *out, AIpcColumn *const *cols, int ncols,
				 int64_t nrows, AIpcCompressor *comp, AIpcBuffer *scratch,
				 AIpcError *err)
{
	const AIpcAllocator *alloc = out->alloc;
	int			n_nodes = 0;
	int			n_parts = 0;
	BodyPart	stack_parts[AIPC_STACK_PARTS];
	BodyPart   *parts = stack_parts;
	size_t		plain_len = 0;
	size_t		body_len;
	bool		compressed = false;
	int			rc = AIPC_OK;
	FB			fb;
	FBField		f[4];
	int			nf = 0;
	size_t		header_slot;
	size_t		vec;
	uint8_t    *p;

	if (ncols < 0 || nrows < 0 || (ncols > 0 && cols == NULL))
		return aipc_fail(err, AIPC_EINVAL, "expected columns and a row count but found none");
	if (comp != NULL && comp->codec != AIPC_CODEC_NONE && scratch == NULL)
		return aipc_fail(err, AIPC_EINVAL, "expected a scratch buffer for compression");
	for (int i = 0; i < ncols; i++)
	{
		if (cols[i]->length != nrows)
			return aipc_fail(err, AIPC_EINVAL,
							 "column %d: expected %lld values but found %lld",
							 i, (long long) nrows, (long long) cols[i]->length);
		count_column(cols[i], &n_nodes, &n_parts);
	}
	if (n_parts > AIPC_STACK_PARTS)
	{
		parts = alloc->realloc_fn(alloc->ctx, NULL, sizeof(BodyPart) * (size_t) n_parts);
		if (parts == NULL)
			return aipc_fail(err, AIPC_ENOMEM, "out of memory for %d Arrow buffers", n_parts);
	}
	n_parts = 0;
	for (int i = 0; i < ncols; i++)
		collect_parts(cols[i], parts, &n_parts);

	/* plain body layout: every buffer 8-aligned */
	for (int i = 0; i < n_parts; i++)
	{
		parts[i].offset = (int64_t) plain_len;
		parts[i].stored = (int64_t) parts[i].len;
		plain_len = align8(plain_len + parts[i].len);
	}
	body_len = plain_len;
	if (comp != NULL && comp->codec != AIPC_CODEC_NONE)
	{
		if ((rc = compress_body(comp, scratch, parts, n_parts, plain_len,
								&compressed, err)) != AIPC_OK)
			goto done;
		if (compressed)
			body_len = scratch->len;
	}

	/*
	 * The metadata's size is known but for a few bytes of padding: reserve it
	 * and the body at once, so that writing them never reallocates.
	 */
	if ((rc = aipc_buffer_reserve(out, 256 + 16 * (size_t) (n_nodes + n_parts) + body_len,
								  err)) != AIPC_OK)
		goto done;
	header_slot = fb_begin_message(&fb, out, err, FB_HEADER_RECORD_BATCH,
								   (int64_t) body_len);
	f[nf++] = (FBField) {.id = 0, .size = 8, .value = (uint64_t) nrows};
	f[nf++] = (FBField) {.id = 1, .size = 4, .is_ref = true};
	f[nf++] = (FBField) {.id = 2, .size = 4, .is_ref = true};
	if (compressed)
		f[nf++] = (FBField) {.id = 3, .size = 4, .is_ref = true};
	fb_patch(&fb, header_slot, fb_table(&fb, f, nf));
	if ((p = fb_pair_vector(&fb, n_nodes, &vec)) != NULL)
	{
		fb_patch(&fb, f[1].slot, vec);
		for (int i = 0; i < ncols; i++)
			write_nodes(cols[i], &p);
	}
	if ((p = fb_pair_vector(&fb, n_parts, &vec)) != NULL)
	{
		fb_patch(&fb, f[2].slot, vec);
		for (int i = 0; i < n_parts; i++, p += 16)
		{
			aipc_store_u64(p, (uint64_t) parts[i].offset);
			aipc_store_u64(p + 8, (uint64_t) parts[i].stored);
		}
	}
	if (compressed)
	{
		FBField		c[2] = {
			{.id = 0, .size = 1, .value = (uint8_t) comp->codec},
			{.id = 1, .size = 1, .value = 0},	/* BUFFER */
		};

		fb_patch(&fb, f[3].slot, fb_table(&fb, c, 2));
	}
	if ((rc = fb_end_message(&fb)) != AIPC_OK)
		goto done;

	if (compressed)
		rc = aipc_buffer_append(out, scratch->data, scratch->len, err);
	else if ((rc = aipc_buffer_reserve(out, body_len, err)) == AIPC_OK)
	{
		size_t		body_start = out->len;

		for (int i = 0; i < n_parts; i++)
		{
			size_t		at = body_start + (size_t) parts[i].offset;

			memset(out->data + out->len, 0, at - out->len);
			if (parts[i].len)
				memcpy(out->data + at, parts[i].data, parts[i].len);
			out->len = at + parts[i].len;
		}
		memset(out->data + out->len, 0, body_start + body_len - out->len);
		out->len = body_start + body_len;
	}

done:
	if (parts != stack_parts)
		alloc->free_fn(alloc->ctx, parts);
	return rc;
}

int
aipc_write_record_batch(AIpcBuffer *out, AIpcColumn *const *cols, int ncols,
						int64_t nrows, AIpcCodec codec, int level,
						AIpcBuffer *scratch, AIpcError *err)
{
	AIpcCompressor comp;
	int			rc;

	aipc_compressor_init(&comp, codec, level);
	rc = aipc_write_batch(out, cols, ncols, nrows, &comp, scratch, err);
	aipc_compressor_end(&comp);
	return rc;
}
