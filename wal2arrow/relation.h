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
 * relation.h
 *		What the output plugin's stream and the snapshot function share: a
 *		relation's Arrow schema and converters (with projection and the
 *		UTF-8 name conversion), its batch builders, the append of a value
 *		and the encoding of an R frame.
 *
 * Both callers go through these functions only, so a row reads the same
 * from a snapshot as from the stream (the type map itself is convert.c).
 *-------------------------------------------------------------------------
 */
#ifndef WAL2ARROW_RELATION_H
#define WAL2ARROW_RELATION_H

#include "postgres.h"
#include "nodes/pg_list.h"
#include "utils/rel.h"

#include "arrow_ipc.h"
#include "convert.h"
#include "frame.h"

/* The wire format versions this library writes (option / argument format_version). */
#define W2A_MIN_FORMAT_VERSION	1
#define W2A_MAX_FORMAT_VERSION	1

/* Flink RowKind bytes in the __op column */
#define W2A_OP_INSERT			0
#define W2A_OP_UPDATE_BEFORE	1
#define W2A_OP_UPDATE_AFTER		2
#define W2A_OP_DELETE			3

/* One emitted table column. */
typedef struct W2AColumnPlan
{
	int			attidx;			/* 0-based index into the tuple descriptor */
	W2AConverter conv;
} W2AColumnPlan;

/*
 * One relation as wal2arrow sends it.  The stream keeps these in its relation
 * cache (keyed by relid); the snapshot function makes one per call.
 */
typedef struct W2ARelation
{
	Oid			relid;			/* hash key, must be first */
	bool		valid;			/* stream: false once a relcache invalidation hits */
	bool		emit;			/* stream: passes the tables option */
	int			natts;			/* tuple descriptor size the plan was built for */
	char	   *nspname;		/* UTF-8, for T frames and errors */
	char	   *relname;
	char		replident;		/* pg_class.relreplident */
	int			ncols;			/* emitted table columns, __op excluded */
	W2AColumnPlan *cols;
	bool	   *identity;		/* per emitted column: in the replica identity */
	AIpcField  *fields;			/* ncols + 1 Arrow fields, [0] is __op */
	uint32		schema_version; /* stream: 1 + number of shape changes this session */
	bool		schema_sent;	/* stream: S frame of this version written */
	uint8	   *schema_msg;		/* encoded Arrow Schema message */
	size_t		schema_len;
	MemoryContext entry_cxt;	/* everything above hangs off it */

	/* batch builders, kept from batch to batch; NULL until the first batch */
	MemoryContext builder_cxt;	/* child of entry_cxt: goes when it is rebuilt */
	AIpcColumn *builders;		/* ncols + 1, [0] is __op */
	AIpcColumn **builder_ptrs;
	size_t		builder_kept;	/* stream: capacity counted in its builders_kept */
} W2ARelation;

/* An open batch: rows appended to rel's builders, and their value marks. */
typedef struct W2ABatch
{
	W2ARelation *rel;			/* NULL: no open batch */
	uint32		nrows;
	W2AMark    *marks;
	int			nmarks;
	int			marks_cap;
	MemoryContext marks_cxt;	/* where marks is allocated */
} W2ABatch;

/* AIpcAllocator functions over a MemoryContext (huge allocations allowed). */
extern void *w2a_realloc(void *cxt, void *ptr, size_t size);
extern void w2a_free(void *cxt, void *ptr);

/* Turns an encoder error into an ERROR naming the table (rel may be NULL). */
extern void w2a_check(int rc, const AIpcError *err, const W2ARelation *rel);

/* Text in the database encoding -> palloc'd UTF-8. */
extern char *w2a_to_utf8(bool convert_encoding, const char *s);

/* Does the database encoding need converting to UTF-8? */
extern bool w2a_convert_encoding(void);

/* ERRORs unless this library writes format version v; names the option or argument. */
extern void w2a_check_format_version(int v, const char *what);

/* "none" | "lz4" | "zstd" (any case) -> codec; false if none of them. */
extern bool w2a_parse_codec(const char *s, AIpcCodec *codec);

/*
 * Fills entry's names (UTF-8), natts and replica identity from relation.
 * Allocations go to the current memory context.
 */
extern void w2a_relation_names(W2ARelation *entry, Relation relation,
							   bool convert_encoding);

/*
 * Fills entry's columns, converters, identity flags and Arrow fields from
 * relation: every stored column, or (projection not NIL) those whose
 * pg_attribute name is in projection (a List of char *, database encoding),
 * in attribute order.  Allocations go to the current memory context.
 */
extern void w2a_relation_columns(W2ARelation *entry, Relation relation,
								 bool convert_encoding, const List *projection);

/* Encodes entry's Arrow Schema message, metadata for schema_version, into msg. */
extern void w2a_relation_schema(const W2ARelation *entry, uint32 schema_version,
								AIpcBuffer *msg);

/* Creates rel's batch builders in a context of their own under rel->entry_cxt. */
extern void w2a_relation_builders(W2ARelation *rel);

/* Opens a batch of rel (its builders empty) in b. */
extern void w2a_batch_open(W2ABatch *b, W2ARelation *rel);

/* Appends the __op value of a new row. */
extern void w2a_batch_append_op(W2ABatch *b, int8 op);

/*
 * Appends the value of emitted column i (0-based, __op excluded) of the row
 * being appended: a null with mark when isnull and mark != W2A_MARK_NONE, an
 * SQL NULL when isnull, else the converted value (and its mark if any).
 */
extern void w2a_batch_append_value(W2ABatch *b, int i, Datum value, bool isnull,
								   uint16 mark);

/* Ends the row being appended. */
static inline void
w2a_batch_end_row(W2ABatch *b)
{
	b->nrows++;
}

/* Bytes the open batch holds so far. */
extern size_t w2a_batch_size(const W2ABatch *b);

/*
 * Appends the open batch as an R frame (first row ordinal first_row) to out,
 * closes it (b->rel = NULL, first: after an error nothing refers to a
 * half-encoded batch) and returns the frame's length.  Rows and marks stay
 * counted until w2a_batch_clear; the builders keep their rows until the next
 * w2a_batch_open or the caller resets them.
 */
extern size_t w2a_batch_encode(W2ABatch *b, AIpcBuffer *out, uint64 first_row,
							   AIpcCompressor *compressor, AIpcBuffer *scratch);

/* Forgets the batch's rows and marks (not the builders' contents). */
extern void w2a_batch_clear(W2ABatch *b);

#endif							/* WAL2ARROW_RELATION_H */
