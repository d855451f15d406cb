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
 * relation.c
 *		A relation's Arrow schema, builders, value append and R frame
 *		encoding, shared by the stream (wal2arrow.c) and the snapshot
 *		function (snapshot.c).
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "access/sysattr.h"
#include "catalog/pg_class.h"
#include "catalog/pg_index.h"
#include "mb/pg_wchar.h"
#include "nodes/bitmapset.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/relcache.h"
#include "utils/syscache.h"

#include "compat.h"
#include "relation.h"

void *
w2a_realloc(void *cxt, void *ptr, size_t size)
{
	if (ptr == NULL)
		return MemoryContextAllocHuge((MemoryContext) cxt, size);
	return repalloc_huge(ptr, size);
}

void
w2a_free(void *cxt, void *ptr)
{
	pfree(ptr);
}

void
w2a_check(int rc, const AIpcError *err, const W2ARelation *rel)
{
	if (rc == AIPC_OK)
		return;
	ereport(ERROR,
			(errcode(rc == AIPC_ETOOBIG ? ERRCODE_PROGRAM_LIMIT_EXCEEDED :
					 rc == AIPC_ENOMEM ? ERRCODE_OUT_OF_MEMORY :
					 ERRCODE_INTERNAL_ERROR),
			 rel ? errmsg("wal2arrow could not encode a change of table \"%s.%s\"",
						  rel->nspname, rel->relname)
			 : errmsg("wal2arrow could not encode a frame"),
			 errdetail("%s", err->message)));
}

char *
w2a_to_utf8(bool convert_encoding, const char *s)
{
	if (convert_encoding)
		return pg_server_to_any(s, strlen(s), PG_UTF8);
	return pstrdup(s);
}

bool
w2a_convert_encoding(void)
{
	int			encoding = GetDatabaseEncoding();

	return encoding != PG_UTF8 && encoding != PG_SQL_ASCII;
}

void
w2a_check_format_version(int v, const char *what)
{
	if (v < W2A_MIN_FORMAT_VERSION || v > W2A_MAX_FORMAT_VERSION)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("%s %d is not supported by this wal2arrow", what, v),
				 errdetail("This wal2arrow writes format versions %d to %d.",
						   W2A_MIN_FORMAT_VERSION, W2A_MAX_FORMAT_VERSION),
				 errhint("Install a wal2arrow that matches the connector.")));
}

bool
w2a_parse_codec(const char *s, AIpcCodec *codec)
{
	if (pg_strcasecmp(s, "none") == 0)
		*codec = AIPC_CODEC_NONE;
	else if (pg_strcasecmp(s, "lz4") == 0)
		*codec = AIPC_CODEC_LZ4_FRAME;
	else if (pg_strcasecmp(s, "zstd") == 0)
		*codec = AIPC_CODEC_ZSTD;
	else
		return false;
	return true;
}

/* ---------------------------------------------------------------------
 * Schema
 * ---------------------------------------------------------------------
 */
static bool
projection_has(const List *proj, const char *col)
{
	const ListCell *lc;

	foreach(lc, proj)
		if (strcmp((char *) lfirst(lc), col) == 0)
			return true;
	return false;
}

/* attnum -> 1-based position in the primary key, 0 if not a member. */
static int16 *
primary_key_positions(Relation relation, int natts)
{
	int16	   *pos = palloc0(sizeof(int16) * (natts + 1));
	Oid			pkoid = W2A_PRIMARY_KEY_INDEX(relation);
	HeapTuple	tup;

	if (!OidIsValid(pkoid))
		return pos;
	tup = SearchSysCache1(INDEXRELID, ObjectIdGetDatum(pkoid));
	if (!HeapTupleIsValid(tup))
		return pos;
	{
		Form_pg_index idx = (Form_pg_index) GETSTRUCT(tup);

		for (int k = 0; k < idx->indnkeyatts; k++)
		{
			AttrNumber	a = idx->indkey.values[k];

			if (a > 0 && a <= natts)
				pos[a] = (int16) (k + 1);
		}
	}
	ReleaseSysCache(tup);
	return pos;
}

static void
add_kv(AIpcKeyValue *kv, int *n, const char *key, const char *value)
{
	kv[*n].key = key;
	kv[*n].value = value;
	(*n)++;
}

void
w2a_relation_names(W2ARelation *entry, Relation relation, bool convert_encoding)
{
	entry->nspname = w2a_to_utf8(convert_encoding,
								 get_namespace_name(RelationGetNamespace(relation)));
	entry->relname = w2a_to_utf8(convert_encoding, RelationGetRelationName(relation));
	entry->natts = RelationGetDescr(relation)->natts;
	entry->replident = relation->rd_rel->relreplident;
}

void
w2a_relation_columns(W2ARelation *entry, Relation relation, bool convert_encoding,
					 const List *projection)
{
	TupleDesc	desc = RelationGetDescr(relation);
	Bitmapset  *idkey = NULL;
	int16	   *pkpos;
	AIpcField  *fields;
	AIpcField  *children;
	int			nfields;

	if (entry->replident == REPLICA_IDENTITY_DEFAULT ||
		entry->replident == REPLICA_IDENTITY_INDEX)
		idkey = W2A_IDENTITY_KEY_BITMAP(relation);
	pkpos = primary_key_positions(relation, desc->natts);

	entry->ncols = 0;
	entry->cols = palloc0(sizeof(W2AColumnPlan) * (desc->natts + 1));
	entry->identity = palloc0(sizeof(bool) * (desc->natts + 1));
	fields = palloc0(sizeof(AIpcField) * (desc->natts + 1));
	children = palloc0(sizeof(AIpcField) * (desc->natts + 1));

	fields[0].name = "__op";
	fields[0].nullable = false;
	fields[0].type = AIPC_TYPE_INT;
	fields[0].bit_width = 8;
	fields[0].is_signed = true;
	nfields = 1;

	for (int i = 0; i < desc->natts; i++)
	{
		Form_pg_attribute att = TupleDescAttr(desc, i);
		W2AColumnPlan *plan;
		AIpcField  *f;
		AIpcKeyValue *md;
		int			nmd = 0;
		bool		ident;

		if (att->attisdropped || W2A_ATT_IS_VIRTUAL(att))
			continue;
		if (projection != NIL && !projection_has(projection, NameStr(att->attname)))
			continue;

		plan = &entry->cols[entry->ncols];
		plan->attidx = i;
		w2a_converter_init(&plan->conv, att->atttypid, att->atttypmod, convert_encoding);
		ident = entry->replident == REPLICA_IDENTITY_FULL ||
			bms_is_member(att->attnum - FirstLowInvalidHeapAttributeNumber, idkey);
		entry->identity[entry->ncols] = ident;

		f = &fields[nfields];
		f->name = w2a_to_utf8(convert_encoding, NameStr(att->attname));
		f->nullable = true;
		w2a_converter_field(&plan->conv, f, &children[nfields]);
		md = palloc0(sizeof(AIpcKeyValue) * 10);
		add_kv(md, &nmd, "wal2arrow.attnum", psprintf("%d", att->attnum));
		add_kv(md, &nmd, "wal2arrow.type_oid", psprintf("%u", att->atttypid));
		add_kv(md, &nmd, "wal2arrow.type_name",
			   w2a_to_utf8(convert_encoding,
						   format_type_with_typemod(att->atttypid, att->atttypmod)));
		add_kv(md, &nmd, "wal2arrow.typmod", psprintf("%d", att->atttypmod));
		if (plan->conv.base_typid != att->atttypid)
			add_kv(md, &nmd, "wal2arrow.base_type_oid", psprintf("%u", plan->conv.base_typid));
		if (att->attnotnull)
			add_kv(md, &nmd, "wal2arrow.not_null", "true");
		if (pkpos[att->attnum] > 0)
			add_kv(md, &nmd, "wal2arrow.primary_key", psprintf("%d", pkpos[att->attnum]));
		if (ident)
			add_kv(md, &nmd, "wal2arrow.identity", "true");
		if (att->attgenerated == ATTRIBUTE_GENERATED_STORED)
			add_kv(md, &nmd, "wal2arrow.generated", "stored");
		f->metadata = md;
		f->n_metadata = nmd;
		nfields++;
		entry->ncols++;
	}
	entry->fields = fields;
}

void
w2a_relation_schema(const W2ARelation *entry, uint32 schema_version, AIpcBuffer *msg)
{
	AIpcKeyValue md[6];
	int			n = 0;
	AIpcError	err;

	add_kv(md, &n, "wal2arrow.version", psprintf("%d", W2A_PROTOCOL_VERSION));
	add_kv(md, &n, "wal2arrow.relid", psprintf("%u", entry->relid));
	add_kv(md, &n, "wal2arrow.schema_version", psprintf("%u", schema_version));
	add_kv(md, &n, "wal2arrow.namespace", entry->nspname);
	add_kv(md, &n, "wal2arrow.table", entry->relname);
	add_kv(md, &n, "wal2arrow.replica_identity",
		   entry->replident == REPLICA_IDENTITY_FULL ? "full" :
		   entry->replident == REPLICA_IDENTITY_INDEX ? "index" :
		   entry->replident == REPLICA_IDENTITY_NOTHING ? "nothing" : "default");
	w2a_check(aipc_write_schema(msg, entry->fields, entry->ncols + 1, md, n, &err),
			  &err, entry);
}

/* ---------------------------------------------------------------------
 * Batches
 * ---------------------------------------------------------------------
 */
void
w2a_relation_builders(W2ARelation *rel)
{
	MemoryContext old;
	AIpcAllocator *alloc;
	AIpcError	err;

	rel->builder_cxt = AllocSetContextCreate(rel->entry_cxt, "wal2arrow batch builders",
											 ALLOCSET_DEFAULT_SIZES);
	old = MemoryContextSwitchTo(rel->builder_cxt);
	alloc = palloc(sizeof(AIpcAllocator));
	*alloc = (AIpcAllocator) {w2a_realloc, w2a_free, rel->builder_cxt};
	rel->builders = palloc0(sizeof(AIpcColumn) * (rel->ncols + 1));
	rel->builder_ptrs = palloc(sizeof(AIpcColumn *) * (rel->ncols + 1));
	w2a_check(aipc_column_init(&rel->builders[0], AIPC_LAYOUT_FIXED, 1, NULL,
							   alloc, &err), &err, rel);
	rel->builder_ptrs[0] = &rel->builders[0];
	for (int i = 0; i < rel->ncols; i++)
	{
		w2a_check(w2a_converter_column(&rel->cols[i].conv, &rel->builders[i + 1],
									   alloc, &err), &err, rel);
		rel->builder_ptrs[i + 1] = &rel->builders[i + 1];
	}
	MemoryContextSwitchTo(old);
}

void
w2a_batch_open(W2ABatch *b, W2ARelation *rel)
{
	if (rel->builders == NULL)
		w2a_relation_builders(rel);
	else if (rel->builders[0].length != 0)
	{
		/* left half-filled by an error in an earlier call: start afresh */
		AIpcError	err;

		for (int i = 0; i <= rel->ncols; i++)
			w2a_check(aipc_column_reset(&rel->builders[i], &err), &err, rel);
	}
	b->nmarks = 0;
	b->nrows = 0;
	b->rel = rel;
}

void
w2a_batch_append_op(W2ABatch *b, int8 op)
{
	AIpcError	err;

	w2a_check(aipc_column_append_int(&b->rel->builders[0], op, &err), &err, b->rel);
}

static void
add_mark(W2ABatch *b, int column, uint16 kind)
{
	if (b->nmarks == b->marks_cap)
	{
		if (b->marks == NULL)
		{
			b->marks_cap = 64;
			b->marks = MemoryContextAlloc(b->marks_cxt, sizeof(W2AMark) * b->marks_cap);
		}
		else
		{
			b->marks_cap *= 2;
			b->marks = repalloc_huge(b->marks, sizeof(W2AMark) * b->marks_cap);
		}
	}
	b->marks[b->nmarks].row = b->nrows;
	b->marks[b->nmarks].column = (uint16) column;
	b->marks[b->nmarks].kind = kind;
	b->nmarks++;
}

void
w2a_batch_append_value(W2ABatch *b, int i, Datum value, bool isnull, uint16 mark)
{
	W2ARelation *rel = b->rel;
	AIpcColumn *col = &rel->builders[i + 1];
	AIpcError	err;
	int			rc;

	if (isnull)
		rc = aipc_column_append_null(col, &err);
	else
		rc = w2a_convert_append(&rel->cols[i].conv, value, col, &mark, &err);
	w2a_check(rc, &err, rel);
	if (mark != W2A_MARK_NONE)
		add_mark(b, i + 1, mark);
}

size_t
w2a_batch_size(const W2ABatch *b)
{
	size_t		n = 0;

	for (int i = 0; i <= b->rel->ncols; i++)
		n += aipc_column_size(&b->rel->builders[i]);
	return n + W2A_MARK_SIZE * (size_t) b->nmarks;
}

size_t
w2a_batch_encode(W2ABatch *b, AIpcBuffer *out, uint64 first_row,
				 AIpcCompressor *compressor, AIpcBuffer *scratch)
{
	W2ARelation *rel = b->rel;
	AIpcError	err;
	size_t		start;

	b->rel = NULL;
	w2a_check(w2a_rows_begin(out, rel->relid, rel->schema_version, b->nrows, first_row,
							 b->marks, (uint32) b->nmarks, &start, &err), &err, rel);
	w2a_check(aipc_write_batch(out, rel->builder_ptrs, rel->ncols + 1, b->nrows,
							   compressor, scratch, &err), &err, rel);
	w2a_frame_end(out, start);
	return out->len - start;
}

void
w2a_batch_clear(W2ABatch *b)
{
	if (b->marks_cap > 4096)
	{
		pfree(b->marks);
		b->marks = NULL;
		b->marks_cap = 0;
	}
	b->nmarks = 0;
	b->nrows = 0;
}
