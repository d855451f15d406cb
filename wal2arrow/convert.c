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
 * convert.c
 *		PostgreSQL values -> Arrow column values for wal2arrow.
 *
 * The type map is PROTOCOL.md section 4.  Everything that is not mapped to
 * a native Arrow type goes through the type's output function into Utf8, so
 * every storable value has a conversion; values a native type cannot hold
 * (numeric NaN in a Decimal128, timestamps past the int64 microsecond range,
 * multi-dimensional arrays) become a null plus a value mark.
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "common/int.h"
#include "datatype/timestamp.h"
#include "mb/pg_wchar.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/date.h"
#include "utils/lsyscache.h"
#include "utils/numeric.h"
#include "utils/timestamp.h"

#include "compat.h"
#include "convert.h"

/* microseconds and days between the PostgreSQL (2000) and Unix epochs */
#define W2A_EPOCH_SHIFT_DAYS	(POSTGRES_EPOCH_JDATE - UNIX_EPOCH_JDATE)
#define W2A_EPOCH_SHIFT_USECS	((int64) W2A_EPOCH_SHIFT_DAYS * USECS_PER_DAY)

#define W2A_DECIMAL_MAX_PRECISION 38

static void
set_arrow(W2AConverter *conv, AIpcType type, AIpcLayout layout, int width)
{
	conv->arrow_type = type;
	conv->layout = layout;
	conv->value_width = width;
}

void
w2a_converter_init(W2AConverter *conv, Oid typid, int32 typmod,
				   bool convert_encoding)
{
	Oid			base;
	Oid			elem;

	memset(conv, 0, sizeof(*conv));
	conv->typid = typid;
	base = getBaseTypeAndTypmod(typid, &typmod);
	conv->base_typid = base;
	conv->typmod = typmod;
	conv->convert_encoding = convert_encoding;

	switch (base)
	{
		case BOOLOID:
			conv->kind = W2A_CONV_BOOL;
			set_arrow(conv, AIPC_TYPE_BOOL, AIPC_LAYOUT_FIXED, 0);
			return;
		case INT2OID:
			conv->kind = W2A_CONV_INT2;
			conv->bit_width = 16;
			set_arrow(conv, AIPC_TYPE_INT, AIPC_LAYOUT_FIXED, 2);
			return;
		case INT4OID:
			conv->kind = W2A_CONV_INT4;
			conv->bit_width = 32;
			set_arrow(conv, AIPC_TYPE_INT, AIPC_LAYOUT_FIXED, 4);
			return;
		case INT8OID:
			conv->kind = W2A_CONV_INT8;
			conv->bit_width = 64;
			set_arrow(conv, AIPC_TYPE_INT, AIPC_LAYOUT_FIXED, 8);
			return;
		case FLOAT4OID:
			conv->kind = W2A_CONV_FLOAT4;
			conv->unit = AIPC_FLOAT_SINGLE;
			set_arrow(conv, AIPC_TYPE_FLOAT, AIPC_LAYOUT_FIXED, 4);
			return;
		case FLOAT8OID:
			conv->kind = W2A_CONV_FLOAT8;
			conv->unit = AIPC_FLOAT_DOUBLE;
			set_arrow(conv, AIPC_TYPE_FLOAT, AIPC_LAYOUT_FIXED, 8);
			return;
		case NUMERICOID:
			if (typmod >= (int32) VARHDRSZ)
			{
				/* numeric.c's typmod packing; the scale is an 11-bit signed field */
				int32		p = ((typmod - VARHDRSZ) >> 16) & 0xffff;
				int32		s = (((typmod - VARHDRSZ) & 0x7ff) ^ 1024) - 1024;

				if (p >= 1 && p <= W2A_DECIMAL_MAX_PRECISION && s >= 0 && s <= p)
				{
					conv->kind = W2A_CONV_DECIMAL;
					conv->precision = p;
					conv->scale = s;
					conv->bit_width = 128;
					set_arrow(conv, AIPC_TYPE_DECIMAL, AIPC_LAYOUT_FIXED, 16);
					return;
				}
			}
			break;				/* exact text through numeric_out */
		case TEXTOID:
		case VARCHAROID:
		case BPCHAROID:
		case JSONOID:
		case XMLOID:
			conv->kind = W2A_CONV_TEXT;
			set_arrow(conv, AIPC_TYPE_UTF8, AIPC_LAYOUT_VARLEN, 0);
			return;
		case NAMEOID:
			conv->kind = W2A_CONV_NAME;
			set_arrow(conv, AIPC_TYPE_UTF8, AIPC_LAYOUT_VARLEN, 0);
			return;
		case BYTEAOID:
			conv->kind = W2A_CONV_BYTEA;
			set_arrow(conv, AIPC_TYPE_BINARY, AIPC_LAYOUT_VARLEN, 0);
			return;
		case DATEOID:
			conv->kind = W2A_CONV_DATE;
			conv->unit = AIPC_DATE_DAY;
			set_arrow(conv, AIPC_TYPE_DATE, AIPC_LAYOUT_FIXED, 4);
			return;
		case TIMEOID:
			conv->kind = W2A_CONV_TIME;
			conv->unit = AIPC_UNIT_MICROSECOND;
			conv->bit_width = 64;
			set_arrow(conv, AIPC_TYPE_TIME, AIPC_LAYOUT_FIXED, 8);
			return;
		case TIMESTAMPOID:
		case TIMESTAMPTZOID:
			conv->kind = W2A_CONV_TIMESTAMP;
			conv->unit = AIPC_UNIT_MICROSECOND;
			conv->timezone = base == TIMESTAMPTZOID ? "UTC" : NULL;
			set_arrow(conv, AIPC_TYPE_TIMESTAMP, AIPC_LAYOUT_FIXED, 8);
			return;
		default:
			break;
	}

	elem = get_element_type(base);
	if (OidIsValid(elem))
	{
		conv->kind = W2A_CONV_ARRAY;
		conv->elem_typid = elem;
		get_typlenbyvalalign(elem, &conv->elem_len, &conv->elem_byval,
							 &conv->elem_align);
		conv->elem = palloc(sizeof(W2AConverter));
		/* the column's typmod applies to the elements (numeric(5,2)[]) */
		w2a_converter_init(conv->elem, elem, typmod, convert_encoding);
		set_arrow(conv, AIPC_TYPE_LIST, AIPC_LAYOUT_LIST, 0);
		return;
	}

	{
		Oid			func;
		bool		isvarlena;

		getTypeOutputInfo(base, &func, &isvarlena);
		fmgr_info(func, &conv->out_func);
		conv->kind = W2A_CONV_OUTPUT;
		set_arrow(conv, AIPC_TYPE_UTF8, AIPC_LAYOUT_VARLEN, 0);
	}
}

void
w2a_converter_field(const W2AConverter *conv, AIpcField *field, AIpcField *child)
{
	field->type = conv->arrow_type;
	field->bit_width = conv->bit_width;
	field->is_signed = conv->arrow_type == AIPC_TYPE_INT;
	field->unit = conv->unit;
	field->precision = conv->precision;
	field->scale = conv->scale;
	field->timezone = conv->timezone;
	field->children = NULL;
	field->n_children = 0;
	if (conv->kind == W2A_CONV_ARRAY)
	{
		memset(child, 0, sizeof(*child));
		child->name = "item";
		child->nullable = true;
		w2a_converter_field(conv->elem, child, NULL);
		field->children = child;
		field->n_children = 1;
	}
}

int
w2a_converter_column(const W2AConverter *conv, AIpcColumn *col,
					 const AIpcAllocator *alloc, AIpcError *err)
{
	AIpcColumn *child = NULL;

	if (conv->kind == W2A_CONV_ARRAY)
	{
		int			rc;

		child = palloc(sizeof(AIpcColumn));
		if ((rc = w2a_converter_column(conv->elem, child, alloc, err)) != AIPC_OK)
			return rc;
	}
	return aipc_column_init(col, conv->layout, conv->value_width, child, alloc, err);
}

/* Appends text in the database encoding as UTF-8. */
static int
append_text(const W2AConverter *conv, const char *s, size_t len,
			AIpcColumn *col, AIpcError *err)
{
	if (conv->convert_encoding && len > 0)
	{
		char	   *u = pg_server_to_any(s, (int) len, PG_UTF8);

		if (u != s)
			return aipc_column_append_bytes(col, u, strlen(u), err);
	}
	return aipc_column_append_bytes(col, s, len, err);
}

/*
 * numeric_out's plain notation -> 16-byte little-endian two's complement
 * unscaled value at the given scale.  Returns false when the value needs
 * more than `precision` digits or more fraction digits than `scale`.
 */
static bool
decimal_from_text(const char *s, int32 precision, int32 scale, uint8 out[16])
{
	uint32		limb[4] = {0, 0, 0, 0};	/* little-endian base 2^32 */
	bool		neg = false;
	bool		in_fraction = false;
	int			fraction_digits = 0;
	int			significant = 0;

	if (*s == '-')
	{
		neg = true;
		s++;
	}
	else if (*s == '+')
		s++;

	for (;; s++)
	{
		int			digit;

		if (*s == '.' && !in_fraction)
		{
			in_fraction = true;
			continue;
		}
		if (*s == '\0')
			break;
		if (*s < '0' || *s > '9')
			return false;
		digit = *s - '0';
		if (in_fraction)
		{
			if (fraction_digits == scale)
			{
				/* more fraction digits than the scale: only zeros may follow */
				if (digit != 0)
					return false;
				continue;
			}
			fraction_digits++;
		}
		if (significant == 0 && digit == 0)
			continue;
		if (++significant > precision)
			return false;
		{
			uint64		carry = (uint64) digit;

			for (int i = 0; i < 4; i++)
			{
				uint64		v = (uint64) limb[i] * 10 + carry;

				limb[i] = (uint32) v;
				carry = v >> 32;
			}
		}
	}
	for (; fraction_digits < scale; fraction_digits++)
	{
		uint64		carry = 0;

		if (significant > 0 && ++significant > precision)
			return false;
		for (int i = 0; i < 4; i++)
		{
			uint64		v = (uint64) limb[i] * 10 + carry;

			limb[i] = (uint32) v;
			carry = v >> 32;
		}
	}
	if (neg)
	{
		uint64		carry = 1;

		for (int i = 0; i < 4; i++)
		{
			uint64		v = (uint64) (uint32) ~limb[i] + carry;

			limb[i] = (uint32) v;
			carry = v >> 32;
		}
	}
	for (int i = 0; i < 4; i++)
		aipc_store_u32(out + 4 * i, limb[i]);
	return true;
}

static int
append_marked_null(AIpcColumn *col, uint16 *mark, uint16 kind, AIpcError *err)
{
	*mark = kind;
	return aipc_column_append_null(col, err);
}

static int
append_decimal(const W2AConverter *conv, Datum value, AIpcColumn *col,
			   uint16 *mark, AIpcError *err)
{
	Numeric		num = DatumGetNumeric(value);
	char	   *text;
	uint8		bytes[16];

	if (numeric_is_nan(num))
		return append_marked_null(col, mark, W2A_MARK_NAN, err);
	text = DatumGetCString(DirectFunctionCall1(numeric_out, NumericGetDatum(num)));
	if (W2A_NUMERIC_IS_INF(num))
		return append_marked_null(col, mark, text[0] == '-' ?
								  W2A_MARK_NEG_INFINITY : W2A_MARK_POS_INFINITY, err);
	if (!decimal_from_text(text, conv->precision, conv->scale, bytes))
		return append_marked_null(col, mark, W2A_MARK_NOT_REPRESENTABLE, err);
	return aipc_column_append_fixed(col, bytes, err);
}

static int
append_array(const W2AConverter *conv, Datum value, AIpcColumn *col,
			 uint16 *mark, AIpcError *err)
{
	ArrayType  *arr = DatumGetArrayTypeP(value);
	Datum	   *elems;
	bool	   *nulls;
	int			n;
	int			rc;

	if (ARR_NDIM(arr) > 1)
		return append_marked_null(col, mark, W2A_MARK_NOT_REPRESENTABLE, err);
	deconstruct_array(arr, conv->elem_typid, conv->elem_len, conv->elem_byval,
					  conv->elem_align, &elems, &nulls, &n);
	for (int i = 0; i < n; i++)
	{
		uint16		elem_mark = W2A_MARK_NONE;

		if (nulls[i])
			rc = aipc_column_append_null(col->child, err);
		else
			rc = w2a_convert_append(conv->elem, elems[i], col->child, &elem_mark, err);
		if (rc != AIPC_OK)
			return rc;
		if (elem_mark != W2A_MARK_NONE && *mark == W2A_MARK_NONE)
			*mark = elem_mark;
	}
	return aipc_column_list_end(col, err);
}

int
w2a_convert_append(const W2AConverter *conv, Datum value, AIpcColumn *col,
				   uint16 *mark, AIpcError *err)
{
	switch (conv->kind)
	{
		case W2A_CONV_BOOL:
			return aipc_column_append_bool(col, DatumGetBool(value), err);
		case W2A_CONV_INT2:
			return aipc_column_append_int(col, DatumGetInt16(value), err);
		case W2A_CONV_INT4:
			return aipc_column_append_int(col, DatumGetInt32(value), err);
		case W2A_CONV_INT8:
			return aipc_column_append_int(col, DatumGetInt64(value), err);
		case W2A_CONV_FLOAT4:
			return aipc_column_append_float4(col, DatumGetFloat4(value), err);
		case W2A_CONV_FLOAT8:
			return aipc_column_append_float8(col, DatumGetFloat8(value), err);
		case W2A_CONV_DECIMAL:
			return append_decimal(conv, value, col, mark, err);
		case W2A_CONV_TEXT:
			{
				struct varlena *v = PG_DETOAST_DATUM_PACKED(value);

				return append_text(conv, VARDATA_ANY(v), VARSIZE_ANY_EXHDR(v), col, err);
			}
		case W2A_CONV_NAME:
			{
				const char *s = NameStr(*DatumGetName(value));

				return append_text(conv, s, strnlen(s, NAMEDATALEN), col, err);
			}
		case W2A_CONV_BYTEA:
			{
				struct varlena *v = PG_DETOAST_DATUM_PACKED(value);

				return aipc_column_append_bytes(col, VARDATA_ANY(v),
												VARSIZE_ANY_EXHDR(v), err);
			}
		case W2A_CONV_DATE:
			{
				DateADT		d = DatumGetDateADT(value);

				/* ±infinity keep their INT32_MIN/MAX sentinels */
				if (DATE_NOT_FINITE(d))
					return aipc_column_append_int(col, d, err);
				return aipc_column_append_int(col, (int64) d + W2A_EPOCH_SHIFT_DAYS, err);
			}
		case W2A_CONV_TIME:
			return aipc_column_append_int(col, DatumGetTimeADT(value), err);
		case W2A_CONV_TIMESTAMP:
			{
				int64		ts = DatumGetInt64(value);
				int64		unix_us;

				if (TIMESTAMP_NOT_FINITE(ts))
					return aipc_column_append_int(col, ts, err);
				if (pg_add_s64_overflow(ts, W2A_EPOCH_SHIFT_USECS, &unix_us) ||
					unix_us == PG_INT64_MAX)
					return append_marked_null(col, mark, W2A_MARK_NOT_REPRESENTABLE, err);
				return aipc_column_append_int(col, unix_us, err);
			}
		case W2A_CONV_ARRAY:
			return append_array(conv, value, col, mark, err);
		case W2A_CONV_OUTPUT:
			{
				char	   *s = OutputFunctionCall((FmgrInfo *) &conv->out_func, value);

				return append_text(conv, s, strlen(s), col, err);
			}
	}
	return AIPC_EINVAL;			/* unreachable */
}
