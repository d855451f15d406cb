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
 * convert.h
 *		PostgreSQL type -> Arrow type mapping and per-value conversion.
 *
 * A W2AConverter is resolved once per column when a relation's cache entry
 * is built (type lookups, output functions, domain and array resolution);
 * converting a value is then a switch on its kind.
 *-------------------------------------------------------------------------
 */
#ifndef WAL2ARROW_CONVERT_H
#define WAL2ARROW_CONVERT_H

#include "postgres.h"
#include "fmgr.h"

#include "arrow_ipc.h"

/* Value marks, PROTOCOL.md section 2 ("R" frames). */
#define W2A_MARK_NONE				0
#define W2A_MARK_UNCHANGED_TOAST	1
#define W2A_MARK_NAN				2
#define W2A_MARK_POS_INFINITY		3
#define W2A_MARK_NEG_INFINITY		4
#define W2A_MARK_NOT_REPRESENTABLE	5

typedef enum W2AConvKind
{
	W2A_CONV_BOOL,
	W2A_CONV_INT2,
	W2A_CONV_INT4,
	W2A_CONV_INT8,
	W2A_CONV_FLOAT4,
	W2A_CONV_FLOAT8,
	W2A_CONV_DECIMAL,			/* numeric(p,s) -> Decimal128 */
	W2A_CONV_TEXT,				/* varlena holding text in the db encoding */
	W2A_CONV_NAME,
	W2A_CONV_BYTEA,
	W2A_CONV_DATE,
	W2A_CONV_TIME,
	W2A_CONV_TIMESTAMP,			/* timestamp and timestamptz */
	W2A_CONV_ARRAY,				/* one-dimensional array -> List */
	W2A_CONV_OUTPUT				/* anything else: output function -> Utf8 */
} W2AConvKind;

typedef struct W2AConverter
{
	W2AConvKind kind;
	Oid			typid;			/* the column's type, maybe a domain */
	Oid			base_typid;		/* after domains are stripped */
	int32		typmod;
	bool		convert_encoding;	/* db encoding is neither UTF8 nor SQL_ASCII */

	/* Arrow side */
	AIpcType	arrow_type;
	int32		bit_width;
	int16		unit;
	int32		precision;
	int32		scale;
	const char *timezone;
	AIpcLayout	layout;
	int			value_width;

	FmgrInfo	out_func;		/* W2A_CONV_OUTPUT */

	/* W2A_CONV_ARRAY */
	Oid			elem_typid;
	int16		elem_len;
	bool		elem_byval;
	char		elem_align;
	struct W2AConverter *elem;
} W2AConverter;

/* Resolves typid/typmod; allocations go to the current memory context. */
extern void w2a_converter_init(W2AConverter *conv, Oid typid, int32 typmod,
							   bool convert_encoding);

/* Fills the type part of an Arrow field (child = storage for a List child). */
extern void w2a_converter_field(const W2AConverter *conv, AIpcField *field,
								AIpcField *child);

/* Creates the column builder(s) for a converter. */
extern int	w2a_converter_column(const W2AConverter *conv, AIpcColumn *col,
								 const AIpcAllocator *alloc, AIpcError *err);

/*
 * Appends one non-null value.  When the value cannot be written as such it
 * appends a null and sets *mark (W2A_MARK_*).  Returns an AIPC_* code.
 */
extern int	w2a_convert_append(const W2AConverter *conv, Datum value,
							   AIpcColumn *col, uint16 *mark, AIpcError *err);

#endif							/* WAL2ARROW_CONVERT_H */
