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

/*
 * Unit tests for arrow_ipc.c, no server needed.
 *
 * Builds a schema and record batches covering every Arrow type wal2arrow
 * writes, and compares the bytes with the golden files in test/golden/.
 * Compressed batches are checked by decompressing each buffer (codec output
 * may differ between library versions, so their bytes are not golden); a
 * batch that compression does not shrink must come out plain.
 *
 *	unittest_arrow_ipc GOLDEN_DIR [--update]
 *
 * The golden files were cross-checked once with Arrow Java 18.3.0
 * (test/java/ReadArrowFiles.java, see test/README.md).
 *
 * frames_*.w2a are whole wal2arrow messages written by frame.c, the writers
 * the plugin uses, around these schemas and batches; the connector's
 * GoldenFramesTest reads them with its production decoder and checks every
 * value, so the C writer and the Java reader cannot drift apart unseen.
 */
#include "../arrow_ipc.h"
#include "../frame.h"

#include <lz4frame.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zstd.h>

static int	failures = 0;

#define CHECK(cond, ...) do { \
	if (!(cond)) { \
		fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__); \
		fprintf(stderr, __VA_ARGS__); \
		fputc('\n', stderr); \
		failures++; \
	} \
} while (0)

#define OK(call) do { \
	AIpcError e_; \
	memset(&e_, 0, sizeof(e_)); \
	(void) e_; \
	int rc_ = (call); \
	if (rc_ != AIPC_OK) { \
		fprintf(stderr, "FAIL %s:%d: %s returned %d: %s\n", __FILE__, __LINE__, #call, rc_, err.message); \
		exit(1); \
	} \
} while (0)

static void *
test_realloc(void *ctx, void *p, size_t n)
{
	(void) ctx;
	return realloc(p, n);
}

static void
test_free(void *ctx, void *p)
{
	(void) ctx;
	free(p);
}

static const AIpcAllocator alloc = {test_realloc, test_free, NULL};
static AIpcError err;

static uint32_t
le32(const uint8_t *p)
{
	return (uint32_t) p[0] | (uint32_t) p[1] << 8 | (uint32_t) p[2] << 16 | (uint32_t) p[3] << 24;
}

static uint64_t
le64(const uint8_t *p)
{
	return (uint64_t) le32(p) | (uint64_t) le32(p + 4) << 32;
}

/* Compares buf with golden file dir/name, or writes it with --update. */
static void
golden(const char *dir, const char *name, const AIpcBuffer *buf, int update)
{
	char		path[1024];
	FILE	   *f;
	uint8_t    *want;
	long		n;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (update)
	{
		f = fopen(path, "wb");
		CHECK(f != NULL, "cannot write %s", path);
		if (f)
		{
			fwrite(buf->data, 1, buf->len, f);
			fclose(f);
		}
		return;
	}
	f = fopen(path, "rb");
	CHECK(f != NULL, "cannot read golden file %s", path);
	if (!f)
		return;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	want = malloc((size_t) n + 1);
	CHECK(fread(want, 1, (size_t) n, f) == (size_t) n, "short read %s", path);
	fclose(f);
	CHECK((size_t) n == buf->len, "%s: expected %ld bytes but produced %zu", name, n, buf->len);
	if ((size_t) n == buf->len)
	{
		for (long i = 0; i < n; i++)
			if (want[i] != buf->data[i])
			{
				CHECK(0, "%s: first difference at byte %ld: expected 0x%02x, produced 0x%02x",
					  name, i, want[i], buf->data[i]);
				break;
			}
	}
	free(want);
}

/* ---- the test schema: one field per Arrow type wal2arrow writes ---- */
static const AIpcKeyValue op_md[] = {{"wal2arrow.op", "true"}};
static const AIpcKeyValue id_md[] = {
	{"wal2arrow.type_oid", "23"}, {"wal2arrow.primary_key", "1"}};
static const AIpcField item_utf8 = {.name = "item", .nullable = true, .type = AIPC_TYPE_UTF8};
static const AIpcField item_dec = {.name = "item", .nullable = true, .type = AIPC_TYPE_DECIMAL,
.precision = 5,.scale = 2,.bit_width = 128};

static const AIpcField fields[] = {
	{.name = "__op", .type = AIPC_TYPE_INT, .bit_width = 8, .is_signed = true,
	.metadata = op_md, .n_metadata = 1},
	{.name = "id", .nullable = true, .type = AIPC_TYPE_INT, .bit_width = 32,
	.is_signed = true, .metadata = id_md, .n_metadata = 2},
	{.name = "small", .nullable = true, .type = AIPC_TYPE_INT, .bit_width = 16, .is_signed = true},
	{.name = "big", .nullable = true, .type = AIPC_TYPE_INT, .bit_width = 64, .is_signed = true},
	{.name = "flag", .nullable = true, .type = AIPC_TYPE_BOOL},
	{.name = "f4", .nullable = true, .type = AIPC_TYPE_FLOAT, .unit = AIPC_FLOAT_SINGLE},
	{.name = "f8", .nullable = true, .type = AIPC_TYPE_FLOAT, .unit = AIPC_FLOAT_DOUBLE},
	{.name = "amount", .nullable = true, .type = AIPC_TYPE_DECIMAL, .precision = 10, .scale = 2, .bit_width = 128},
	{.name = "name", .nullable = true, .type = AIPC_TYPE_UTF8},
	{.name = "raw", .nullable = true, .type = AIPC_TYPE_BINARY},
	{.name = "d", .nullable = true, .type = AIPC_TYPE_DATE, .unit = AIPC_DATE_DAY},
	{.name = "t", .nullable = true, .type = AIPC_TYPE_TIME, .unit = AIPC_UNIT_MICROSECOND, .bit_width = 64},
	{.name = "ts", .nullable = true, .type = AIPC_TYPE_TIMESTAMP, .unit = AIPC_UNIT_MICROSECOND},
	{.name = "tstz", .nullable = true, .type = AIPC_TYPE_TIMESTAMP, .unit = AIPC_UNIT_MICROSECOND, .timezone = "UTC"},
	{.name = "tags", .nullable = true, .type = AIPC_TYPE_LIST, .children = &item_utf8, .n_children = 1},
	{.name = "amounts", .nullable = true, .type = AIPC_TYPE_LIST, .children = &item_dec, .n_children = 1},
};
#define NFIELDS ((int) (sizeof(fields) / sizeof(fields[0])))

static const AIpcKeyValue schema_md[] = {
	{"wal2arrow.namespace", "public"}, {"wal2arrow.table", "t\xc3\xa9st"}};

static void
decimal_le(uint8_t out[16], int64_t unscaled)
{
	uint64_t	lo = (uint64_t) unscaled;
	uint64_t	hi = unscaled < 0 ? UINT64_MAX : 0;

	for (int i = 0; i < 8; i++)
	{
		out[i] = (uint8_t) (lo >> (8 * i));
		out[8 + i] = (uint8_t) (hi >> (8 * i));
	}
}

/* Column builders for the schema above; 4 rows with nulls in most columns. */
static AIpcColumn cols[NFIELDS];
static AIpcColumn children[2];

static void
build_columns(void)
{
	uint8_t		dec[16];

	for (int i = 0; i < NFIELDS; i++)
	{
		const AIpcField *f = &fields[i];
		AIpcLayout	layout = AIPC_LAYOUT_FIXED;
		int			width = 0;
		AIpcColumn *child = NULL;

		switch (f->type)
		{
			case AIPC_TYPE_INT:
				width = f->bit_width / 8;
				break;
			case AIPC_TYPE_FLOAT:
				width = f->unit == AIPC_FLOAT_SINGLE ? 4 : 8;
				break;
			case AIPC_TYPE_DECIMAL:
				width = 16;
				break;
			case AIPC_TYPE_DATE:
				width = 4;
				break;
			case AIPC_TYPE_TIME:
			case AIPC_TYPE_TIMESTAMP:
				width = 8;
				break;
			case AIPC_TYPE_BOOL:
				width = 0;
				break;
			case AIPC_TYPE_UTF8:
			case AIPC_TYPE_BINARY:
				layout = AIPC_LAYOUT_VARLEN;
				break;
			case AIPC_TYPE_LIST:
				layout = AIPC_LAYOUT_LIST;
				child = &children[i == NFIELDS - 1 ? 1 : 0];
				if (i == NFIELDS - 1)
					OK(aipc_column_init(child, AIPC_LAYOUT_FIXED, 16, NULL, &alloc, &err));
				else
					OK(aipc_column_init(child, AIPC_LAYOUT_VARLEN, 0, NULL, &alloc, &err));
				break;
		}
		OK(aipc_column_init(&cols[i], layout, width, child, &alloc, &err));
	}

	/* __op: +I, -U, +U, -D */
	for (int r = 0; r < 4; r++)
		OK(aipc_column_append_int(&cols[0], r, &err));
	/* id: 1, 2, NULL, -2147483648 */
	OK(aipc_column_append_int(&cols[1], 1, &err));
	OK(aipc_column_append_int(&cols[1], 2, &err));
	OK(aipc_column_append_null(&cols[1], &err));
	OK(aipc_column_append_int(&cols[1], INT32_MIN, &err));
	/* small: no nulls, so no validity buffer */
	OK(aipc_column_append_int(&cols[2], -1, &err));
	OK(aipc_column_append_int(&cols[2], 32767, &err));
	OK(aipc_column_append_int(&cols[2], -32768, &err));
	OK(aipc_column_append_int(&cols[2], 0, &err));
	/* big */
	OK(aipc_column_append_int(&cols[3], INT64_MAX, &err));
	OK(aipc_column_append_int(&cols[3], INT64_MIN, &err));
	OK(aipc_column_append_null(&cols[3], &err));
	OK(aipc_column_append_int(&cols[3], 42, &err));
	/* flag */
	OK(aipc_column_append_bool(&cols[4], true, &err));
	OK(aipc_column_append_bool(&cols[4], false, &err));
	OK(aipc_column_append_null(&cols[4], &err));
	OK(aipc_column_append_bool(&cols[4], true, &err));
	/* f4, f8: NaN and infinities pass through as IEEE values */
	OK(aipc_column_append_float4(&cols[5], 1.5f, &err));
	OK(aipc_column_append_float4(&cols[5], NAN, &err));
	OK(aipc_column_append_float4(&cols[5], INFINITY, &err));
	OK(aipc_column_append_null(&cols[5], &err));
	OK(aipc_column_append_float8(&cols[6], -0.25, &err));
	OK(aipc_column_append_float8(&cols[6], -INFINITY, &err));
	OK(aipc_column_append_null(&cols[6], &err));
	OK(aipc_column_append_float8(&cols[6], 1e300, &err));
	/* amount: 123.45, -0.01, NULL, 99999999.99 */
	decimal_le(dec, 12345);
	OK(aipc_column_append_fixed(&cols[7], dec, &err));
	decimal_le(dec, -1);
	OK(aipc_column_append_fixed(&cols[7], dec, &err));
	OK(aipc_column_append_null(&cols[7], &err));
	decimal_le(dec, 9999999999LL);
	OK(aipc_column_append_fixed(&cols[7], dec, &err));
	/* name */
	OK(aipc_column_append_bytes(&cols[8], "alpha", 5, &err));
	OK(aipc_column_append_bytes(&cols[8], "", 0, &err));
	OK(aipc_column_append_null(&cols[8], &err));
	OK(aipc_column_append_bytes(&cols[8], "\xc3\xa9t\xc3\xa9", 5, &err));
	/* raw */
	OK(aipc_column_append_bytes(&cols[9], "\x00\x01\xff", 3, &err));
	OK(aipc_column_append_null(&cols[9], &err));
	OK(aipc_column_append_bytes(&cols[9], "", 0, &err));
	OK(aipc_column_append_bytes(&cols[9], "x", 1, &err));
	/* d: 2000-01-01 = 10957, infinity sentinels */
	OK(aipc_column_append_int(&cols[10], 10957, &err));
	OK(aipc_column_append_int(&cols[10], INT32_MAX, &err));
	OK(aipc_column_append_int(&cols[10], INT32_MIN, &err));
	OK(aipc_column_append_null(&cols[10], &err));
	/* t: 12:34:56.789012 */
	OK(aipc_column_append_int(&cols[11], 45296789012LL, &err));
	OK(aipc_column_append_null(&cols[11], &err));
	OK(aipc_column_append_int(&cols[11], 0, &err));
	OK(aipc_column_append_int(&cols[11], 86400000000LL, &err));
	/* ts, tstz: 2000-01-01 00:00:00 = 946684800000000 */
	for (int c = 12; c <= 13; c++)
	{
		OK(aipc_column_append_int(&cols[c], 946684800000000LL, &err));
		OK(aipc_column_append_int(&cols[c], INT64_MAX, &err));
		OK(aipc_column_append_null(&cols[c], &err));
		OK(aipc_column_append_int(&cols[c], -1, &err));
	}
	/* tags: ["a", null], [], null, ["bc"] */
	OK(aipc_column_append_bytes(cols[14].child, "a", 1, &err));
	OK(aipc_column_append_null(cols[14].child, &err));
	OK(aipc_column_list_end(&cols[14], &err));
	OK(aipc_column_list_end(&cols[14], &err));
	OK(aipc_column_append_null(&cols[14], &err));
	OK(aipc_column_append_bytes(cols[14].child, "bc", 2, &err));
	OK(aipc_column_list_end(&cols[14], &err));
	/* amounts: [1.00], null, [], [-2.50, null] */
	decimal_le(dec, 100);
	OK(aipc_column_append_fixed(cols[15].child, dec, &err));
	OK(aipc_column_list_end(&cols[15], &err));
	OK(aipc_column_append_null(&cols[15], &err));
	OK(aipc_column_list_end(&cols[15], &err));
	decimal_le(dec, -250);
	OK(aipc_column_append_fixed(cols[15].child, dec, &err));
	OK(aipc_column_append_null(cols[15].child, &err));
	OK(aipc_column_list_end(&cols[15], &err));
}

/* Walks an encapsulated message's prefix; returns the body offset. */
static size_t
check_envelope(const AIpcBuffer *b, uint64_t *body_len)
{
	uint32_t	mlen;

	CHECK(b->len >= 8, "message too short");
	CHECK(le32(b->data) == 0xFFFFFFFFu, "expected continuation marker");
	mlen = le32(b->data + 4);
	CHECK((8 + mlen) % 8 == 0, "metadata length %u not padded to 8", mlen);
	/* Message.bodyLength: root -> table; find via vtable slot 3 */
	{
		const uint8_t *fbuf = b->data + 8;
		uint32_t	root = le32(fbuf);
		const uint8_t *tbl = fbuf + root;
		int32_t		soff = (int32_t) le32(tbl);
		const uint8_t *vt = tbl - soff;
		uint16_t	vtsize = (uint16_t) (vt[0] | vt[1] << 8);
		uint16_t	off = vtsize > 10 ? (uint16_t) (vt[10] | vt[11] << 8) : 0;

		*body_len = off ? le64(tbl + off) : 0;
		CHECK(root % 8 == 0, "root table not 8-aligned (%u)", root);
		CHECK(((size_t) (tbl - fbuf)) % 8 == 0, "table not aligned");
	}
	CHECK(8 + mlen + *body_len == b->len, "expected %llu bytes, found %zu",
		  (unsigned long long) (8 + mlen + *body_len), b->len);
	return 8 + mlen;
}

/* Minimal FlatBuffers reading, enough to find RecordBatch.buffers. */
static const uint8_t *
fb_field_ptr(const uint8_t *tbl, int id)
{
	const uint8_t *vt = tbl - (int32_t) le32(tbl);
	uint16_t	vtsize = (uint16_t) (vt[0] | vt[1] << 8);
	uint16_t	off;

	if (4 + 2 * id >= vtsize)
		return NULL;
	off = (uint16_t) (vt[4 + 2 * id] | vt[5 + 2 * id] << 8);
	return off ? tbl + off : NULL;
}

static const uint8_t *
fb_deref(const uint8_t *p)
{
	return p + le32(p);
}

/* Returns the RecordBatch.buffers vector (count, then offset/length pairs). */
static const uint8_t *
batch_buffers(const AIpcBuffer *b)
{
	const uint8_t *msg = fb_deref(b->data + 8);
	const uint8_t *rb = fb_deref(fb_field_ptr(msg, 2));

	return fb_deref(fb_field_ptr(rb, 2));
}

/*
 * Decompresses every buffer of a compressed batch and compares it with the
 * same buffer of the uncompressed batch.
 */
static int	compare_buffers(const AIpcBuffer *plain, const AIpcBuffer *packed, AIpcCodec codec);

static void
check_compressed(const AIpcBuffer *plain, const AIpcBuffer *packed, AIpcCodec codec)
{
	CHECK(compare_buffers(plain, packed, codec) > 0, "no buffer was compressed");
}

static void
check_compressed_any(const AIpcBuffer *plain, const AIpcBuffer *packed, AIpcCodec codec)
{
	(void) compare_buffers(plain, packed, codec);
}

/* RecordBatch.compression, or NULL when the batch went plain. */
static const uint8_t *
batch_compression(const AIpcBuffer *b)
{
	const uint8_t *msg = fb_deref(b->data + 8);
	const uint8_t *rb = fb_deref(fb_field_ptr(msg, 2));
	const uint8_t *c = fb_field_ptr(rb, 3);

	return c ? fb_deref(c) : NULL;
}

/*
 * Returns how many buffers were stored compressed.  A batch without
 * BodyCompression (nothing paid) must equal the plain one byte for byte.
 */
static int
compare_buffers(const AIpcBuffer *plain, const AIpcBuffer *packed, AIpcCodec codec)
{
	uint64_t	plain_body_len;
	uint64_t	packed_body_len;
	size_t		plain_body = check_envelope(plain, &plain_body_len);
	size_t		packed_body = check_envelope(packed, &packed_body_len);
	const uint8_t *pv = batch_buffers(plain);
	const uint8_t *qv = batch_buffers(packed);
	uint32_t	n = le32(pv);
	int			compressed = 0;

	CHECK(n == le32(qv), "buffer counts differ: %u vs %u", n, le32(qv));
	if (batch_compression(packed) == NULL)
	{
		CHECK(plain->len == packed->len && memcmp(plain->data, packed->data, plain->len) == 0,
			  "a batch without BodyCompression differs from the plain one");
		return 0;
	}
	{
		const uint8_t *c = batch_compression(packed);
		const uint8_t *codec_field = fb_field_ptr(c, 0);

		CHECK((codec_field ? *codec_field : 0) == (uint8_t) codec,
			  "BodyCompression.codec %d, expected %d", codec_field ? *codec_field : 0, (int) codec);
	}
	for (uint32_t i = 0; i < n; i++)
	{
		const uint8_t *praw = plain->data + plain_body + le64(pv + 4 + 16 * i);
		uint64_t	plen = le64(pv + 4 + 16 * i + 8);
		const uint8_t *q = packed->data + packed_body + le64(qv + 4 + 16 * i);
		uint64_t	qlen = le64(qv + 4 + 16 * i + 8);
		int64_t		ulen;
		uint8_t    *tmp;

		CHECK(le64(qv + 4 + 16 * i) % 8 == 0, "buffer %u not 8-aligned", i);
		if (plen == 0)
		{
			CHECK(qlen == 0, "empty buffer %u got %llu bytes", i, (unsigned long long) qlen);
			continue;
		}
		ulen = (int64_t) le64(q);
		if (ulen == -1)
		{
			CHECK(qlen == 8 + plen && memcmp(q + 8, praw, plen) == 0,
				  "raw buffer %u differs", i);
			continue;
		}
		CHECK((uint64_t) ulen == plen, "buffer %u: uncompressed length %lld, expected %llu",
			  i, (long long) ulen, (unsigned long long) plen);
		tmp = malloc(plen + 1);
		if (codec == AIPC_CODEC_ZSTD)
			CHECK(ZSTD_decompress(tmp, plen, q + 8, qlen - 8) == plen,
				  "buffer %u: zstd", i);
		else
		{
			LZ4F_dctx  *d;
			size_t		dst = plen;
			size_t		src = qlen - 8;

			LZ4F_createDecompressionContext(&d, LZ4F_VERSION);
			LZ4F_decompress(d, tmp, &dst, q + 8, &src, NULL);
			LZ4F_freeDecompressionContext(d);
			CHECK(dst == plen && src == qlen - 8, "buffer %u: lz4 sizes", i);
		}
		CHECK(memcmp(tmp, praw, plen) == 0, "buffer %u: decompressed bytes differ", i);
		free(tmp);
		compressed++;
	}
	return compressed;
}

/* Tiny batch: no buffer reaches AIPC_COMPRESS_MIN_BUFFER, so it goes plain. */
static void
check_compressed_small(const AIpcBuffer *plain, const AIpcBuffer *packed)
{
	uint64_t	len;

	check_envelope(packed, &len);
	CHECK(batch_compression(packed) == NULL, "a tiny batch carries BodyCompression");
	CHECK(plain->len == packed->len && memcmp(plain->data, packed->data, plain->len) == 0,
		  "a tiny batch differs from the plain one");
}

/*
 * One compressor reused for many batches of both kinds, as the plugin does
 * for a whole decoding session: a long repetitive buffer is compressed, the
 * short ones beside it stay raw (-1), incompressible bodies go plain, and
 * every batch round-trips.
 */
static void
test_compressor_reuse(void)
{
	for (int codec = 0; codec <= 1; codec++)
	{
		AIpcCompressor comp;
		AIpcBuffer	plain,
					packed,
					scratch;

		aipc_compressor_init(&comp, (AIpcCodec) codec, codec == 0 ? 9 : 3);
		aipc_buffer_init(&plain, &alloc);
		aipc_buffer_init(&packed, &alloc);
		aipc_buffer_init(&scratch, &alloc);
		for (int iter = 0; iter < 40; iter++)
		{
			AIpcColumn	c[2];
			AIpcColumn *p[2] = {&c[0], &c[1]};
			int			nrows = iter % 4 == 0 ? 1 : 50 * iter;
			bool		random_text = iter % 3 == 1;	/* incompressible */
			uint32_t	seed = (uint32_t) iter;

			OK(aipc_column_init(&c[0], AIPC_LAYOUT_FIXED, 1, NULL, &alloc, &err));
			OK(aipc_column_init(&c[1], AIPC_LAYOUT_VARLEN, 0, NULL, &alloc, &err));
			for (int r = 0; r < nrows; r++)
			{
				char		v[16];

				for (int b = 0; b < 16; b++)
				{
					seed = seed * 1103515245u + 12345u;
					v[b] = random_text ? (char) (seed >> 24) : (char) ('a' + b % 3);
				}
				OK(aipc_column_append_int(&c[0], random_text ? (int8_t) (seed >> 16) : r % 4, &err));
				OK(aipc_column_append_bytes(&c[1], v, sizeof(v), &err));
			}
			plain.len = 0;
			packed.len = 0;
			/* (offsets of equal-length strings compress: random = random bytes alone) */
			OK(aipc_write_batch(&plain, p, random_text ? 1 : 2, nrows, NULL, NULL, &err));
			OK(aipc_write_batch(&packed, p, random_text ? 1 : 2, nrows, &comp, &scratch, &err));
			if (nrows == 1 || random_text)
			{
				CHECK(batch_compression(&packed) == NULL,
					  "iter %d: a batch that does not shrink carries BodyCompression", iter);
				(void) compare_buffers(&plain, &packed, (AIpcCodec) codec);
			}
			else
			{
				CHECK(compare_buffers(&plain, &packed, (AIpcCodec) codec) > 0,
					  "iter %d: nothing was compressed", iter);
				CHECK(packed.len < plain.len, "iter %d: compressed batch not smaller", iter);
			}
			aipc_column_free(&c[0]);
			aipc_column_free(&c[1]);
		}
		CHECK(comp.cctx != NULL, "the codec context was not kept");
		aipc_compressor_end(&comp);
		CHECK(comp.cctx == NULL, "the codec context was not freed");
		aipc_buffer_free(&plain);
		aipc_buffer_free(&packed);
		aipc_buffer_free(&scratch);
	}
}

static void write_compressed_frames(const char *dir);

/* 1000 repetitive rows: compression pays and must round-trip exactly. */
static void
test_compression(const char *dir, int update)
{
	static const AIpcField f2[] = {
		{.name = "n", .nullable = true, .type = AIPC_TYPE_INT, .bit_width = 32, .is_signed = true},
		{.name = "s", .nullable = true, .type = AIPC_TYPE_UTF8},
	};
	AIpcColumn	c[2];
	AIpcColumn *p[2] = {&c[0], &c[1]};
	AIpcBuffer	plain,
				packed,
				scratch,
				schema;

	aipc_buffer_init(&plain, &alloc);
	aipc_buffer_init(&packed, &alloc);
	aipc_buffer_init(&scratch, &alloc);
	aipc_buffer_init(&schema, &alloc);
	OK(aipc_column_init(&c[0], AIPC_LAYOUT_FIXED, 4, NULL, &alloc, &err));
	OK(aipc_column_init(&c[1], AIPC_LAYOUT_VARLEN, 0, NULL, &alloc, &err));
	for (int i = 0; i < 1000; i++)
	{
		if (i % 7 == 3)
			OK(aipc_column_append_null(&c[0], &err));
		else
			OK(aipc_column_append_int(&c[0], i % 10, &err));
		OK(aipc_column_append_bytes(&c[1], "hello, arrow", 12, &err));
	}
	OK(aipc_write_record_batch(&plain, p, 2, 1000, AIPC_CODEC_NONE, 0, NULL, &err));
	OK(aipc_write_record_batch(&packed, p, 2, 1000, AIPC_CODEC_ZSTD, 0, &scratch, &err));
	check_compressed(&plain, &packed, AIPC_CODEC_ZSTD);
	CHECK(packed.len < plain.len / 4, "zstd did not shrink the body: %zu vs %zu", packed.len, plain.len);
	if (update)
	{
		OK(aipc_write_schema(&schema, f2, 2, NULL, 0, &err));
		golden(dir, "schema_two.arrows", &schema, 1);
		golden(dir, "batch_two_zstd.arrows", &packed, 1);
	}
	packed.len = 0;
	OK(aipc_write_record_batch(&packed, p, 2, 1000, AIPC_CODEC_LZ4_FRAME, 0, &scratch, &err));
	check_compressed(&plain, &packed, AIPC_CODEC_LZ4_FRAME);
	CHECK(packed.len < plain.len / 2, "lz4 did not shrink the body: %zu vs %zu", packed.len, plain.len);
	if (update)
	{
		golden(dir, "batch_two_lz4.arrows", &packed, 1);
		write_compressed_frames(dir);
	}
	aipc_column_free(&c[0]);
	aipc_column_free(&c[1]);
	aipc_buffer_free(&plain);
	aipc_buffer_free(&packed);
	aipc_buffer_free(&scratch);
	aipc_buffer_free(&schema);
}

/*
 * Randomised batches: random layouts, lengths and nulls.  Checks that every
 * buffer is 8-aligned, inside the body and in order, that node lengths and
 * null counts are right, and that both codecs round-trip buffer by buffer.
 */
static void
test_random(void)
{
	uint32_t	seed = 12345;

#define RND() (seed = seed * 1103515245u + 12345u, (seed >> 16) & 0x7fff)
	for (int iter = 0; iter < 200; iter++)
	{
		int			ncols = 1 + RND() % 6;
		int64_t		nrows = RND() % 300;
		AIpcColumn	c[6];
		AIpcColumn	kids[6];
		AIpcColumn *p[6];
		AIpcBuffer	plain,
					packed,
					scratch;
		int64_t		nulls[6] = {0};
		uint64_t	body_len;
		size_t		body;
		const uint8_t *bufs;
		uint64_t	prev_end = 0;

		for (int i = 0; i < ncols; i++)
		{
			int			kind = RND() % 4;

			p[i] = &c[i];
			if (kind == 0)
				OK(aipc_column_init(&c[i], AIPC_LAYOUT_FIXED, 0, NULL, &alloc, &err));
			else if (kind == 1)
				OK(aipc_column_init(&c[i], AIPC_LAYOUT_FIXED, 1 << (RND() % 5), NULL, &alloc, &err));
			else if (kind == 2)
				OK(aipc_column_init(&c[i], AIPC_LAYOUT_VARLEN, 0, NULL, &alloc, &err));
			else
			{
				OK(aipc_column_init(&kids[i], AIPC_LAYOUT_FIXED, 8, NULL, &alloc, &err));
				OK(aipc_column_init(&c[i], AIPC_LAYOUT_LIST, 0, &kids[i], &alloc, &err));
			}
			for (int64_t r = 0; r < nrows; r++)
			{
				if (RND() % 5 == 0)
				{
					OK(aipc_column_append_null(&c[i], &err));
					nulls[i]++;
					continue;
				}
				if (kind == 0)
					OK(aipc_column_append_bool(&c[i], RND() & 1, &err));
				else if (kind == 1)
				{
					uint8_t		v[16];

					for (int b = 0; b < 16; b++)
						v[b] = (uint8_t) (RND() % 4);
					OK(aipc_column_append_fixed(&c[i], v, &err));
				}
				else if (kind == 2)
				{
					char		v[64];
					int			n = RND() % 64;

					memset(v, 'a' + RND() % 3, (size_t) n);
					OK(aipc_column_append_bytes(&c[i], v, (size_t) n, &err));
				}
				else
				{
					int			n = RND() % 4;

					for (int e = 0; e < n; e++)
						OK(aipc_column_append_int(c[i].child, RND() % 7, &err));
					OK(aipc_column_list_end(&c[i], &err));
				}
			}
			CHECK(c[i].length == nrows && c[i].null_count == nulls[i], "column %d counts", i);
		}
		aipc_buffer_init(&plain, &alloc);
		aipc_buffer_init(&packed, &alloc);
		aipc_buffer_init(&scratch, &alloc);
		OK(aipc_write_record_batch(&plain, p, ncols, nrows, AIPC_CODEC_NONE, 0, NULL, &err));
		body = check_envelope(&plain, &body_len);
		bufs = batch_buffers(&plain);
		for (uint32_t b = 0; b < le32(bufs); b++)
		{
			uint64_t	off = le64(bufs + 4 + 16 * b);
			uint64_t	len = le64(bufs + 12 + 16 * b);

			CHECK(off % 8 == 0 && off >= prev_end && off + len <= body_len,
				  "iter %d buffer %u at %llu+%llu (body %llu)", iter, b,
				  (unsigned long long) off, (unsigned long long) len,
				  (unsigned long long) body_len);
			prev_end = off + len;
		}
		CHECK(body + body_len == plain.len, "iter %d: body length", iter);
		for (int codec = 0; codec <= 1 && nrows > 0; codec++)
		{
			packed.len = 0;
			OK(aipc_write_record_batch(&packed, p, ncols, nrows, (AIpcCodec) codec, 0, &scratch, &err));
			check_compressed_any(&plain, &packed, (AIpcCodec) codec);
		}
		for (int i = 0; i < ncols; i++)
			aipc_column_free(&c[i]);
		aipc_buffer_free(&plain);
		aipc_buffer_free(&packed);
		aipc_buffer_free(&scratch);
	}
#undef RND
}

static void
test_errors(void)
{
	AIpcBuffer	out;
	AIpcField	bad = {.name = "x", .type = AIPC_TYPE_DECIMAL, .precision = 39};
	AIpcColumn	c;

	aipc_buffer_init(&out, &alloc);
	CHECK(aipc_write_schema(&out, &bad, 1, NULL, 0, &err) == AIPC_EINVAL,
		  "decimal(39) accepted");
	CHECK(strstr(err.message, "expected Decimal128 precision") != NULL, "message: %s", err.message);
	OK(aipc_column_init(&c, AIPC_LAYOUT_VARLEN, 0, NULL, &alloc, &err));
	CHECK(aipc_column_append_int(&c, 1, &err) == AIPC_EINVAL, "int into varlen accepted");
	CHECK(aipc_column_append_bytes(&c, "x", (size_t) INT32_MAX + 1, &err) == AIPC_ETOOBIG,
		  "2 GB value accepted");
	aipc_column_free(&c);
	aipc_buffer_free(&out);
}

/* ---- golden frames: whole messages as the plugin writes them ---- */
#define GOLDEN_XID			745
#define GOLDEN_FINAL_LSN	UINT64_C(0x16B3748)
#define GOLDEN_END_LSN		UINT64_C(0x16B3778)
#define GOLDEN_TIME			INT64_C(1700000000123456)
#define GOLDEN_RELID		16385
#define GOLDEN_RELID_TWO	16386

static const AIpcKeyValue frame_schema_md[] = {
	{"wal2arrow.version", "1"}, {"wal2arrow.relid", "16385"},
	{"wal2arrow.schema_version", "1"}, {"wal2arrow.namespace", "public"},
	{"wal2arrow.table", "t\xc3\xa9st"}, {"wal2arrow.replica_identity", "default"}};
static const AIpcKeyValue frame_two_md[] = {
	{"wal2arrow.version", "1"}, {"wal2arrow.relid", "16386"},
	{"wal2arrow.schema_version", "3"}, {"wal2arrow.namespace", "My Schema"},
	{"wal2arrow.table", "two"}, {"wal2arrow.replica_identity", "full"}};

/* Marks on null values of the all-types batch, sorted by row, then column. */
static const W2AMark golden_marks[] = {
	{1, 9, 1},					/* raw: unchanged TOAST */
	{2, 7, 2},					/* amount: NaN */
	{2, 8, 1},					/* name: unchanged TOAST */
	{2, 12, 5},					/* ts: not representable */
};

static const W2ATruncatedRelation golden_truncated[] = {
	{GOLDEN_RELID, "public", "t\xc3\xa9st"},
	{16390, "My Schema", "Odd.Name, \"q\""},
};

/* B and S of the all-types relation. */
static void
frames_open(AIpcBuffer *out)
{
	AIpcBuffer	schema;

	aipc_buffer_init(&schema, &alloc);
	OK(aipc_write_schema(&schema, fields, NFIELDS, frame_schema_md, 6, &err));
	OK(w2a_write_begin(out, GOLDEN_XID, GOLDEN_FINAL_LSN, GOLDEN_TIME, &err));
	OK(w2a_write_schema(out, GOLDEN_RELID, 1, schema.data, schema.len, &err));
	aipc_buffer_free(&schema);
}

/* An R frame around an encoded RecordBatch message. */
static void
frames_rows(AIpcBuffer *out, uint32_t relid, uint32_t version, uint32_t rows,
			uint64_t first_row, const W2AMark *marks, uint32_t nmarks,
			const AIpcBuffer *batch)
{
	size_t		start;

	OK(w2a_rows_begin(out, relid, version, rows, first_row, marks, nmarks, &start, &err));
	OK(aipc_buffer_append(out, batch->data, batch->len, &err));
	w2a_frame_end(out, start);
}

/*
 * frames_all_types.w2a: B, S, R (the all-types batch with marks), R (the
 * empty batch), T, transactional M, C, then a non-transactional M.
 */
static void
test_frames(const char *dir, int update, const AIpcBuffer *plain,
			const AIpcBuffer *empty)
{
	AIpcBuffer	out;
	static const char payload[] = {0x00, (char) 0xff, 'x'};

	aipc_buffer_init(&out, &alloc);
	frames_open(&out);
	frames_rows(&out, GOLDEN_RELID, 1, 4, 0, golden_marks, 4, plain);
	frames_rows(&out, GOLDEN_RELID, 1, 0, 4, NULL, 0, empty);
	OK(w2a_write_truncate(&out, W2A_TRUNCATE_CASCADE | W2A_TRUNCATE_RESTART_IDENTITY,
						  golden_truncated, 2, &err));
	OK(w2a_write_message(&out, true, GOLDEN_XID, UINT64_C(0x16B3760), "pfx", 3,
						 payload, sizeof(payload), &err));
	OK(w2a_write_commit(&out, GOLDEN_XID, GOLDEN_FINAL_LSN, GOLDEN_END_LSN, GOLDEN_TIME, 4,
						&err));
	OK(w2a_write_message(&out, false, 0, UINT64_C(0x16B3900), "", 0, "hello", 5, &err));

	/* the framing rule of PROTOCOL.md 1: H + B of each frame walks to the end */
	{
		size_t		pos = 0;
		int			n = 0;

		while (pos < out.len)
		{
			CHECK(out.data[pos] == 'W' && out.data[pos + 1] == 'A', "magic at %zu", pos);
			pos += w2a_frame_length(out.data + pos);
			n++;
		}
		CHECK(pos == out.len && n == 8, "framing: %d frames ending at %zu of %zu", n, pos,
			  out.len);
	}
	golden(dir, "frames_all_types.w2a", &out, update);
	aipc_buffer_free(&out);
}

/*
 * K (chunk keys): written only by the snapshot function, so not in the golden
 * files the connector's GoldenFramesTest reads; checked here byte for byte
 * against PROTOCOL.md's layout.
 */
static void
test_keys_frame(void)
{
	static const uint8_t want[] = {
		'W', 'A', 1, 'K', 24, 0, 0, 0,	/* common header, H = 24 */
		2, 0, 0, 0,				/* KEYS_ROW_COUNT */
		2, 0, 0, 0,				/* KEYS_COLUMN_COUNT */
		22, 0, 0, 0, 0, 0, 0, 0,	/* body length */
		5, 0, 0, 0, 'a', 'p', 'p', 'l', 'e',	/* row 0: "apple", 7 */
		1, 0, 0, 0, '7',
		0xff, 0xff, 0xff, 0xff,	/* row 1: NULL, "" */
		0, 0, 0, 0,
	};
	AIpcBuffer	body,
				out;
	size_t		pos = 0;

	aipc_buffer_init(&body, &alloc);
	aipc_buffer_init(&out, &alloc);
	OK(w2a_keys_append_value(&body, "apple", 5, &err));
	OK(w2a_keys_append_value(&body, "7", 1, &err));
	OK(w2a_keys_append_value(&body, NULL, 0, &err));
	OK(w2a_keys_append_value(&body, "", 0, &err));
	/* behind another frame, as in a message: offsets count from the frame */
	OK(w2a_write_begin(&out, GOLDEN_XID, GOLDEN_FINAL_LSN, GOLDEN_TIME, &err));
	pos = out.len;
	OK(w2a_write_keys(&out, 2, 2, body.data, body.len, &err));
	CHECK(out.len - pos == sizeof(want), "K frame: %zu bytes, expected %zu", out.len - pos,
		  sizeof(want));
	if (out.len - pos == sizeof(want))
		CHECK(memcmp(out.data + pos, want, sizeof(want)) == 0, "K frame bytes differ");
	CHECK(w2a_frame_length(out.data + pos) == sizeof(want), "K frame length %zu",
		  w2a_frame_length(out.data + pos));
	CHECK(le32(out.data + pos + W2A_KEYS_ROW_COUNT) == 2 &&
		  le32(out.data + pos + W2A_KEYS_COLUMN_COUNT) == 2 &&
		  le64(out.data + pos + W2A_KEYS_H - W2A_BODY_LENGTH_SIZE) == body.len,
		  "K header fields");

	/* a K frame without keys: zero columns, empty body */
	out.len = 0;
	OK(w2a_write_keys(&out, 3, 0, NULL, 0, &err));
	CHECK(out.len == W2A_KEYS_H && out.data[W2A_FRAME_KIND] == W2A_KIND_KEYS &&
		  le32(out.data + W2A_KEYS_ROW_COUNT) == 3 && w2a_frame_length(out.data) == W2A_KEYS_H,
		  "K frame without key columns");
	aipc_buffer_free(&body);
	aipc_buffer_free(&out);
}

/*
 * frames_compressed.w2a, written with --update only (codec output varies):
 * B, S of relation "My Schema".two (schema version 3): __op, n int4 (i % 10,
 * null when i % 7 == 3), s text ('hello, arrow'); 1000 +I rows once with zstd
 * and once with lz4; C.
 */
static void
write_compressed_frames(const char *dir)
{
	static const AIpcField f3[] = {
		{.name = "__op", .type = AIPC_TYPE_INT, .bit_width = 8, .is_signed = true},
		{.name = "n", .nullable = true, .type = AIPC_TYPE_INT, .bit_width = 32, .is_signed = true},
		{.name = "s", .nullable = true, .type = AIPC_TYPE_UTF8},
	};
	AIpcColumn	c[3];
	AIpcColumn *p[3] = {&c[0], &c[1], &c[2]};
	AIpcBuffer	out,
				schema,
				batch,
				scratch;

	aipc_buffer_init(&out, &alloc);
	aipc_buffer_init(&schema, &alloc);
	aipc_buffer_init(&batch, &alloc);
	aipc_buffer_init(&scratch, &alloc);
	OK(aipc_column_init(&c[0], AIPC_LAYOUT_FIXED, 1, NULL, &alloc, &err));
	OK(aipc_column_init(&c[1], AIPC_LAYOUT_FIXED, 4, NULL, &alloc, &err));
	OK(aipc_column_init(&c[2], AIPC_LAYOUT_VARLEN, 0, NULL, &alloc, &err));
	for (int i = 0; i < 1000; i++)
	{
		OK(aipc_column_append_int(&c[0], 0, &err));
		if (i % 7 == 3)
			OK(aipc_column_append_null(&c[1], &err));
		else
			OK(aipc_column_append_int(&c[1], i % 10, &err));
		OK(aipc_column_append_bytes(&c[2], "hello, arrow", 12, &err));
	}
	OK(aipc_write_schema(&schema, f3, 3, frame_two_md, 6, &err));

	OK(w2a_write_begin(&out, GOLDEN_XID, GOLDEN_FINAL_LSN, GOLDEN_TIME, &err));
	OK(w2a_write_schema(&out, GOLDEN_RELID_TWO, 3, schema.data, schema.len, &err));
	OK(aipc_write_record_batch(&batch, p, 3, 1000, AIPC_CODEC_ZSTD, 0, &scratch, &err));
	CHECK(batch_compression(&batch) != NULL, "1000-row zstd batch not compressed");
	frames_rows(&out, GOLDEN_RELID_TWO, 3, 1000, 0, NULL, 0, &batch);
	batch.len = 0;
	OK(aipc_write_record_batch(&batch, p, 3, 1000, AIPC_CODEC_LZ4_FRAME, 0, &scratch, &err));
	CHECK(batch_compression(&batch) != NULL, "1000-row lz4 batch not compressed");
	frames_rows(&out, GOLDEN_RELID_TWO, 3, 1000, 1000, NULL, 0, &batch);
	OK(w2a_write_commit(&out, GOLDEN_XID, GOLDEN_FINAL_LSN, GOLDEN_END_LSN, GOLDEN_TIME,
						2000, &err));
	golden(dir, "frames_compressed.w2a", &out, 1);
	for (int i = 0; i < 3; i++)
		aipc_column_free(&c[i]);
	aipc_buffer_free(&out);
	aipc_buffer_free(&schema);
	aipc_buffer_free(&batch);
	aipc_buffer_free(&scratch);
}

int
main(int argc, char **argv)
{
	const char *dir = argc > 1 ? argv[1] : "test/golden";
	int			update = argc > 2 && strcmp(argv[2], "--update") == 0;
	AIpcBuffer	schema,
				plain,
				lz4,
				zstd,
				scratch,
				empty;
	AIpcColumn *ptrs[NFIELDS];

	aipc_buffer_init(&schema, &alloc);
	aipc_buffer_init(&plain, &alloc);
	aipc_buffer_init(&lz4, &alloc);
	aipc_buffer_init(&zstd, &alloc);
	aipc_buffer_init(&scratch, &alloc);
	aipc_buffer_init(&empty, &alloc);

	OK(aipc_write_schema(&schema, fields, NFIELDS, schema_md, 2, &err));
	golden(dir, "schema_all_types.arrows", &schema, update);

	build_columns();
	for (int i = 0; i < NFIELDS; i++)
		ptrs[i] = &cols[i];
	OK(aipc_write_record_batch(&plain, ptrs, NFIELDS, 4, AIPC_CODEC_NONE, 0, NULL, &err));
	golden(dir, "batch_all_types.arrows", &plain, update);

	OK(aipc_write_record_batch(&lz4, ptrs, NFIELDS, 4, AIPC_CODEC_LZ4_FRAME, 0, &scratch, &err));
	OK(aipc_write_record_batch(&zstd, ptrs, NFIELDS, 4, AIPC_CODEC_ZSTD, 0, &scratch, &err));
	if (update)
	{
		/* for the Java cross-check only; not compared (codec versions vary) */
		golden(dir, "batch_all_types_lz4.arrows", &lz4, 1);
		golden(dir, "batch_all_types_zstd.arrows", &zstd, 1);
	}

	/* after reset, a zero-row batch is still well formed */
	for (int i = 0; i < NFIELDS; i++)
		OK(aipc_column_reset(&cols[i], &err));
	OK(aipc_write_record_batch(&empty, ptrs, NFIELDS, 0, AIPC_CODEC_NONE, 0, NULL, &err));
	golden(dir, "batch_empty.arrows", &empty, update);
	test_frames(dir, update, &plain, &empty);
	test_keys_frame();

	test_errors();
	test_random();

	/* tiny buffers: nothing pays, every buffer is stored raw with -1 */
	check_compressed_small(&plain, &zstd);
	check_compressed_small(&plain, &lz4);
	test_compression(dir, update);
	test_compressor_reuse();

	for (int i = 0; i < NFIELDS; i++)
		aipc_column_free(&cols[i]);
	aipc_buffer_free(&schema);
	aipc_buffer_free(&plain);
	aipc_buffer_free(&lz4);
	aipc_buffer_free(&zstd);
	aipc_buffer_free(&scratch);
	aipc_buffer_free(&empty);

	if (failures)
	{
		fprintf(stderr, "%d failure(s)\n", failures);
		return 1;
	}
	printf("arrow_ipc unit tests: ok%s\n", update ? " (golden files written)" : "");
	return 0;
}
