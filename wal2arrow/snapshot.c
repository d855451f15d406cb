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
 * snapshot.c
 *		wal2arrow_snapshot(): a chunk of a table as the frames the stream
 *		writes (PROTOCOL.md section 7).
 *
 * How: the caller's query runs through a read-only SPI cursor, opened at the
 * first call and fetched a bounded number of rows at a time.  Each call
 * returns one bytea of whole frames: the S frame (first call only), one R
 * frame of at most batch_rows rows / about batch_bytes bytes and the K frame
 * with the key column texts of those rows.  Schema, converters, builders,
 * value append and R encoding are the stream's (relation.c); external TOAST
 * values are fetched one row at a time instead of being marked.
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/detoast.h"
#include "access/htup_details.h"
#include "access/relation.h"
#include "catalog/pg_class.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "funcapi.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "nodes/execnodes.h"
#include "utils/acl.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/plancache.h"
#include "utils/portal.h"
#include "utils/rel.h"

#include "compat.h"
#include "relation.h"

PG_FUNCTION_INFO_V1(wal2arrow_snapshot);

/* Rows fetched from the cursor at a time (their TOASTed values stay pointers). */
#define W2A_SNAPSHOT_FETCH_ROWS		256

/* Key and compression buffers larger than this are freed after a message. */
#define W2A_SNAPSHOT_KEEP_BYTES		((size_t) 4 * 1024 * 1024)

/* Argument positions, as in wal2arrow--1.0.sql */
#define ARG_REL				0
#define ARG_COLUMNS			1
#define ARG_QUERY			2
#define ARG_PARAMS			3
#define ARG_BATCH_ROWS		4
#define ARG_BATCH_BYTES		5
#define ARG_COMPRESSION		6
#define ARG_FORMAT_VERSION	7

/* Closes the cursor when the caller stops early; lives in fn_mcxt. */
typedef struct W2ACursorGuard
{
	char	   *portal_name;	/* NULL once closed */
} W2ACursorGuard;

/* State across calls, in the SRF's multi-call context. */
typedef struct W2ASnapshot
{
	MemoryContext cxt;
	MemoryContext row_cxt;		/* reset after every row */
	MemoryContext carry_cxt;	/* rows fetched but not yet in a batch */
	bool		convert_encoding;
	int			batch_rows;
	int			batch_bytes;

	W2ARelation rel;
	W2ABatch	batch;
	AIpcAllocator alloc;		/* on cxt */
	AIpcCompressor compressor;
	AIpcBuffer	scratch;		/* compressed bodies */
	AIpcBuffer	keys;			/* K body of the open batch */

	W2ACursorGuard *guard;
	TupleDesc	desc;			/* the query's result */
	int			nkeys;			/* result columns after the projected ones */
	FmgrInfo   *key_out;		/* their output functions */
	Datum	   *values;
	bool	   *nulls;

	HeapTuple  *carry;
	int			ncarry;
	int			carry_pos;

	uint64		rows_sent;		/* rows in R frames returned so far */
	bool		schema_sent;
	bool		done;			/* the cursor is exhausted and closed */
} W2ASnapshot;

static void
snapshot_context(void *arg)
{
	errcontext("wal2arrow_snapshot() of table %s", (const char *) arg);
}

static void
end_compressor(void *arg)
{
	aipc_compressor_end((AIpcCompressor *) arg);
}

static void
close_cursor(W2ACursorGuard *guard)
{
	Portal		portal;

	if (guard->portal_name == NULL)
		return;
	portal = GetPortalByName(guard->portal_name);
	guard->portal_name = NULL;
	if (PortalIsValid(portal) && portal->status != PORTAL_ACTIVE)
		SPI_cursor_close(portal);
}

/* ExprContext shutdown: the caller stopped before the last row. */
static void
close_cursor_callback(Datum arg)
{
	close_cursor((W2ACursorGuard *) DatumGetPointer(arg));
}

static void
null_argument(const char *name)
{
	ereport(ERROR,
			(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
			 errmsg("argument %s of wal2arrow_snapshot() must not be null", name)));
}

static int
int_argument(FunctionCallInfo fcinfo, int n, const char *name, int min, int max)
{
	int			v;

	if (PG_ARGISNULL(n))
		null_argument(name);
	v = PG_GETARG_INT32(n);
	if (v < min || v > max)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid value %d for argument %s of wal2arrow_snapshot()", v, name),
				 errdetail("Expected an integer between %d and %d.", min, max)));
	return v;
}

/* The elements of a one-dimensional text[] argument (NULL elements allowed). */
static void
text_array(ArrayType *arr, const char *name, Datum **elems, bool **nulls, int *n)
{
	if (ARR_NDIM(arr) > 1)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("argument %s of wal2arrow_snapshot() must be a one-dimensional array",
						name)));
	deconstruct_array(arr, TEXTOID, -1, false, 'i', elems, nulls, n);
}

/* The projected columns (List of char *), checked against the table. */
static List *
projection_argument(ArrayType *arr, Relation relation)
{
	Datum	   *elems;
	bool	   *nulls;
	int			n;
	List	   *cols = NIL;

	text_array(arr, "columns", &elems, &nulls, &n);
	if (n == 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("argument columns of wal2arrow_snapshot() is empty"),
				 errhint("Name at least one column of table %s, or pass NULL for every column.",
						 RelationGetRelationName(relation))));
	for (int i = 0; i < n; i++)
	{
		char	   *name;
		AttrNumber	attnum;
		ListCell   *lc;

		if (nulls[i])
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("argument columns of wal2arrow_snapshot() holds a NULL at position %d",
							i + 1)));
		name = TextDatumGetCString(elems[i]);
		attnum = get_attnum(RelationGetRelid(relation), name);
		if (attnum == InvalidAttrNumber || attnum < 0)
			ereport(ERROR,
					(errcode(ERRCODE_UNDEFINED_COLUMN),
					 errmsg("column \"%s\" of table \"%s\" does not exist", name,
							RelationGetRelationName(relation)),
					 errhint("Argument columns of wal2arrow_snapshot() takes the table's "
							 "column names exactly as in pg_attribute (not folded).")));
		if (W2A_ATT_IS_VIRTUAL(TupleDescAttr(RelationGetDescr(relation), attnum - 1)))
			ereport(ERROR,
					(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
					 errmsg("column \"%s\" of table \"%s\" is a virtual generated column", name,
							RelationGetRelationName(relation)),
					 errdetail("Virtual generated columns are not stored, so the stream "
							   "never sends them; leave it out of argument columns.")));
		foreach(lc, cols)
			if (strcmp((char *) lfirst(lc), name) == 0)
				ereport(ERROR,
						(errcode(ERRCODE_DUPLICATE_COLUMN),
						 errmsg("argument columns of wal2arrow_snapshot() names column \"%s\" twice",
								name)));
		cols = lappend(cols, name);
	}
	return cols;
}

/*
 * Checks the query's result columns against the projected table columns
 * (same types, in attribute order) and prepares the key columns' output.
 */
static void
check_result(W2ASnapshot *st, TupleDesc result, Relation relation)
{
	TupleDesc	desc = RelationGetDescr(relation);
	const char *relname = RelationGetRelationName(relation);

	for (int i = 0; i < st->rel.ncols; i++)
	{
		Form_pg_attribute att = TupleDescAttr(desc, st->rel.cols[i].attidx);

		if (i >= result->natts)
			ereport(ERROR,
					(errcode(ERRCODE_DATATYPE_MISMATCH),
					 errmsg("the query of wal2arrow_snapshot() returns %d column(s), but table \"%s\" "
							"has %d projected column(s)", result->natts, relname, st->rel.ncols),
					 errdetail("No result column for column \"%s\" (type %s).",
							   NameStr(att->attname), format_type_be(att->atttypid)),
					 errhint("The query must return the projected columns of the table in "
							 "attribute order, then the key columns.")));
		if (TupleDescAttr(result, i)->atttypid != att->atttypid)
			ereport(ERROR,
					(errcode(ERRCODE_DATATYPE_MISMATCH),
					 errmsg("result column %d (\"%s\") of the query of wal2arrow_snapshot() has "
							"type %s, but column \"%s\" of table \"%s\" has type %s",
							i + 1, NameStr(TupleDescAttr(result, i)->attname),
							format_type_be(TupleDescAttr(result, i)->atttypid),
							NameStr(att->attname), relname, format_type_be(att->atttypid)),
					 errhint("The query must return the projected columns of the table in "
							 "attribute order, then the key columns.")));
	}
	st->nkeys = result->natts - st->rel.ncols;
	st->key_out = palloc0(sizeof(FmgrInfo) * Max(st->nkeys, 1));
	for (int j = 0; j < st->nkeys; j++)
	{
		Oid			func;
		bool		isvarlena;

		getTypeOutputInfo(TupleDescAttr(result, st->rel.ncols + j)->atttypid, &func, &isvarlena);
		fmgr_info_cxt(func, &st->key_out[j], st->cxt);
	}
	st->desc = CreateTupleDescCopy(result);
	st->values = palloc(sizeof(Datum) * Max(result->natts, 1));
	st->nulls = palloc(sizeof(bool) * Max(result->natts, 1));
}

/* The query must be one plain SELECT: no data-modifying WITH, no FOR UPDATE. */
static void
check_read_only(SPIPlanPtr plan)
{
	ListCell   *lc;
	ListCell   *lq;

	foreach(lc, SPI_plan_get_plan_sources(plan))
	{
		CachedPlanSource *ps = lfirst(lc);

		foreach(lq, ps->query_list)
		{
			Query	   *q = lfirst_node(Query, lq);

			if (q->commandType != CMD_SELECT || q->utilityStmt != NULL ||
				q->hasModifyingCTE || q->rowMarks != NIL)
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("the query of wal2arrow_snapshot() must be a read-only SELECT"),
						 errhint("Leave out data-modifying WITH and FOR UPDATE/SHARE.")));
		}
	}
}

/*
 * First call: checks the arguments, builds the relation's schema and
 * converters as the stream does, and opens the cursor (inside the caller's
 * SPI connection).
 */
static void
snapshot_start(FunctionCallInfo fcinfo, W2ASnapshot *st)
{
	Oid			relid;
	Relation	relation;
	char	   *query;
	List	   *projection = NIL;
	AIpcCodec	codec;
	char	   *codec_name;
	int			nargs = 0;
	Oid		   *argtypes = NULL;
	Datum	   *argvalues = NULL;
	char	   *argnulls = NULL;
	SPIPlanPtr	plan;
	Portal		portal;
	AIpcBuffer	msg;
	MemoryContextCallback *cb;
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;

	/* the version first: a newer connector learns what this library writes */
	w2a_check_format_version(int_argument(fcinfo, ARG_FORMAT_VERSION, "format_version",
										  INT_MIN, INT_MAX), "format_version");
	if (PG_ARGISNULL(ARG_REL))
		null_argument("rel");
	if (PG_ARGISNULL(ARG_QUERY))
		null_argument("query");
	st->batch_rows = int_argument(fcinfo, ARG_BATCH_ROWS, "batch_rows", 1, 10000000);
	st->batch_bytes = int_argument(fcinfo, ARG_BATCH_BYTES, "batch_bytes",
								   1024, 256 * 1024 * 1024);
	if (PG_ARGISNULL(ARG_COMPRESSION))
		null_argument("compression");
	codec_name = text_to_cstring(PG_GETARG_TEXT_PP(ARG_COMPRESSION));
	if (!w2a_parse_codec(codec_name, &codec))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid value \"%s\" for argument compression of wal2arrow_snapshot()",
						codec_name),
				 errdetail("Expected one of none, lz4, zstd.")));
	query = text_to_cstring(PG_GETARG_TEXT_PP(ARG_QUERY));
	if (!PG_ARGISNULL(ARG_PARAMS))
	{
		Datum	   *elems;
		bool	   *nulls;

		text_array(PG_GETARG_ARRAYTYPE_P(ARG_PARAMS), "params", &elems, &nulls, &nargs);
		argtypes = palloc(sizeof(Oid) * Max(nargs, 1));
		argvalues = elems;
		argnulls = palloc(sizeof(char) * Max(nargs, 1));
		for (int i = 0; i < nargs; i++)
		{
			argtypes[i] = TEXTOID;
			argnulls[i] = nulls[i] ? 'n' : ' ';
		}
	}

	/* privileges before the lock, as for any table a user names */
	relid = PG_GETARG_OID(ARG_REL);
	if (pg_class_aclcheck(relid, GetUserId(), ACL_SELECT) != ACLCHECK_OK &&
		pg_attribute_aclcheck_all(relid, GetUserId(), ACL_SELECT, ACLMASK_ANY) != ACLCHECK_OK)
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("permission denied for table %s", get_rel_name(relid)),
				 errhint("wal2arrow_snapshot() reads as its caller: GRANT SELECT on the table "
						 "to the connector's user.")));
	relation = try_relation_open(relid, AccessShareLock);
	if (relation == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_TABLE),
				 errmsg("table with OID %u does not exist", relid)));
	if (relation->rd_rel->relkind != RELKIND_RELATION)
		ereport(ERROR,
				(errcode(ERRCODE_WRONG_OBJECT_TYPE),
				 errmsg("\"%s\" is not a table", RelationGetRelationName(relation)),
				 relation->rd_rel->relkind == RELKIND_PARTITIONED_TABLE ?
				 errdetail("The stream reports the rows of a partitioned table under its "
						   "leaf partitions; read each leaf partition.") : 0));
	if (!PG_ARGISNULL(ARG_COLUMNS))
		projection = projection_argument(PG_GETARG_ARRAYTYPE_P(ARG_COLUMNS), relation);

	/* the schema, converters and builders, exactly as the stream builds them */
	st->convert_encoding = w2a_convert_encoding();
	st->rel.relid = relid;
	st->rel.entry_cxt = st->cxt;
	w2a_relation_names(&st->rel, relation, st->convert_encoding);
	w2a_relation_columns(&st->rel, relation, st->convert_encoding, projection);
	st->rel.schema_version = 1;
	aipc_buffer_init(&msg, &st->alloc);
	w2a_relation_schema(&st->rel, st->rel.schema_version, &msg);
	st->rel.schema_msg = msg.data;
	st->rel.schema_len = msg.len;
	st->rel.valid = true;
	st->rel.emit = true;
	w2a_relation_builders(&st->rel);
	st->batch.marks_cxt = st->cxt;

	aipc_compressor_init(&st->compressor, codec, 0);
	cb = palloc(sizeof(MemoryContextCallback));
	cb->func = end_compressor;
	cb->arg = &st->compressor;
	MemoryContextRegisterResetCallback(st->cxt, cb);
	aipc_buffer_init(&st->scratch, &st->alloc);
	aipc_buffer_init(&st->keys, &st->alloc);

	plan = SPI_prepare_cursor(query, nargs, argtypes, CURSOR_OPT_NO_SCROLL);
	if (plan == NULL)
		elog(ERROR, "wal2arrow_snapshot: SPI_prepare_cursor failed: %s",
			 SPI_result_code_string(SPI_result));
	check_read_only(plan);
	portal = SPI_cursor_open(NULL, plan, argvalues, argnulls, true);
	/* SPI returns in its own memory, which goes at SPI_finish */
	MemoryContextSwitchTo(st->cxt);
	st->guard = MemoryContextAllocZero(fcinfo->flinfo->fn_mcxt, sizeof(W2ACursorGuard));
	st->guard->portal_name = MemoryContextStrdup(fcinfo->flinfo->fn_mcxt, portal->name);
	if (rsinfo && IsA(rsinfo, ReturnSetInfo) && rsinfo->econtext)
		RegisterExprContextCallback(rsinfo->econtext, close_cursor_callback,
									PointerGetDatum(st->guard));
	check_result(st, portal->tupDesc, relation);
	relation_close(relation, NoLock);	/* the lock stays until the transaction ends */
}

static bool
batch_full(const W2ASnapshot *st)
{
	return st->batch.nrows >= (uint32) st->batch_rows ||
		w2a_batch_size(&st->batch) >= (size_t) st->batch_bytes;
}

/* Appends one result row (projected columns, then key columns). */
static void
append_row(W2ASnapshot *st, HeapTuple tuple)
{
	MemoryContext old = MemoryContextSwitchTo(st->row_cxt);
	AIpcError	err;

	heap_deform_tuple(tuple, st->desc, st->values, st->nulls);
	w2a_batch_append_op(&st->batch, W2A_OP_INSERT);
	for (int i = 0; i < st->rel.ncols; i++)
	{
		Datum		value = st->values[i];

		/* the snapshot has every value: fetch it where the stream would mark it */
		if (!st->nulls[i] && TupleDescAttr(st->desc, i)->attlen == -1 &&
			VARATT_IS_EXTERNAL(DatumGetPointer(value)))
			value = PointerGetDatum(detoast_external_attr((struct varlena *) DatumGetPointer(value)));
		w2a_batch_append_value(&st->batch, i, value, st->nulls[i], W2A_MARK_NONE);
	}
	w2a_batch_end_row(&st->batch);
	for (int j = 0; j < st->nkeys; j++)
	{
		int			k = st->rel.ncols + j;
		int			rc;

		if (st->nulls[k])
			rc = w2a_keys_append_value(&st->keys, NULL, 0, &err);
		else
		{
			char	   *s = OutputFunctionCall(&st->key_out[j], st->values[k]);

			if (st->convert_encoding)
				s = pg_server_to_any(s, strlen(s), PG_UTF8);
			rc = w2a_keys_append_value(&st->keys, s, strlen(s), &err);
		}
		w2a_check(rc, &err, &st->rel);
	}
	MemoryContextSwitchTo(old);
	MemoryContextReset(st->row_cxt);
}

/*
 * Fills one batch: rows carried over from the last fetch first, then rows
 * fetched a bounded number at a time.  Rows fetched beyond a full batch are
 * copied for the next call.  Runs inside an SPI connection.
 */
static void
fill_batch(W2ASnapshot *st)
{
	Portal		portal;

	w2a_batch_open(&st->batch, &st->rel);
	st->keys.len = 0;

	while (st->carry_pos < st->ncarry)
	{
		append_row(st, st->carry[st->carry_pos++]);
		if (batch_full(st))
			return;
	}
	MemoryContextReset(st->carry_cxt);
	st->carry = NULL;
	st->ncarry = st->carry_pos = 0;

	if (st->done)
		return;
	portal = SPI_cursor_find(st->guard->portal_name);
	if (portal == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_CURSOR_STATE),
				 errmsg("the cursor of wal2arrow_snapshot() was closed before its last row"),
				 errhint("Read the function's result in the transaction that started it.")));
	for (;;)
	{
		long		want = Min((long) W2A_SNAPSHOT_FETCH_ROWS,
							   (long) st->batch_rows - (long) st->batch.nrows);
		SPITupleTable *tt;
		uint64		n;

		SPI_cursor_fetch(portal, true, want);
		tt = SPI_tuptable;
		n = SPI_processed;
		if (n < (uint64) want)
		{
			/* forward fetches come back short only at the end */
			SPI_cursor_close(portal);
			st->guard->portal_name = NULL;
			st->done = true;
		}
		for (uint64 i = 0; i < n; i++)
		{
			append_row(st, tt->vals[i]);
			if (batch_full(st) && i + 1 < n)
			{
				MemoryContext old = MemoryContextSwitchTo(st->carry_cxt);

				st->ncarry = (int) (n - i - 1);
				st->carry = palloc(sizeof(HeapTuple) * st->ncarry);
				for (int c = 0; c < st->ncarry; c++)
					st->carry[c] = heap_copytuple(tt->vals[i + 1 + c]);
				st->carry_pos = 0;
				MemoryContextSwitchTo(old);
				break;
			}
		}
		if (tt)
			SPI_freetuptable(tt);
		if (st->done || batch_full(st))
			return;
	}
}

/*
 * One message of the open batch, allocated in cxt (the caller's per-call
 * memory): the S frame if not sent yet, the R frame, the K frame.
 */
static bytea *
batch_message(W2ASnapshot *st, MemoryContext cxt)
{
	AIpcAllocator alloc = {w2a_realloc, w2a_free, cxt};
	AIpcBuffer	out;
	AIpcError	err;
	uint32		nrows = st->batch.nrows;

	aipc_buffer_init(&out, &alloc);
	w2a_check(aipc_buffer_reserve(&out, VARHDRSZ + W2A_SCHEMA_H + st->rel.schema_len +
								  W2A_ROWS_H + W2A_MARK_SIZE * (size_t) st->batch.nmarks +
								  w2a_batch_size(&st->batch) + 1024 +
								  W2A_KEYS_H + st->keys.len, &err), &err, &st->rel);
	w2a_check(aipc_buffer_append_zeros(&out, VARHDRSZ, &err), &err, &st->rel);
	if (!st->schema_sent)
		w2a_check(w2a_write_schema(&out, st->rel.relid, st->rel.schema_version,
								   st->rel.schema_msg, st->rel.schema_len, &err), &err, &st->rel);
	w2a_batch_encode(&st->batch, &out, st->rows_sent, &st->compressor, &st->scratch);
	w2a_check(w2a_write_keys(&out, nrows, (uint32) st->nkeys, st->keys.data, st->keys.len,
							 &err), &err, &st->rel);
	if (out.len > MaxAllocSize)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("wal2arrow frame too large"),
				 errdetail("A batch of %u row(s) of table \"%s.%s\" needs %zu bytes; "
						   "a bytea holds at most %zu bytes.",
						   nrows, st->rel.nspname, st->rel.relname, out.len,
						   (size_t) MaxAllocSize),
				 errhint("Use a smaller batch_bytes, compression lz4 or zstd, or leave the "
						 "large column out of argument columns.")));
	SET_VARSIZE(out.data, out.len);

	st->schema_sent = true;
	st->rows_sent += nrows;
	w2a_batch_clear(&st->batch);
	if (st->keys.cap > W2A_SNAPSHOT_KEEP_BYTES)
		aipc_buffer_free(&st->keys);
	if (st->scratch.cap > W2A_SNAPSHOT_KEEP_BYTES)
		aipc_buffer_free(&st->scratch);
	st->scratch.len = 0;
	return (bytea *) out.data;
}

Datum
wal2arrow_snapshot(PG_FUNCTION_ARGS)
{
	MemoryContext caller_cxt = CurrentMemoryContext;
	FuncCallContext *funcctx;
	W2ASnapshot *st;
	ErrorContextCallback errcb;
	bytea	   *message = NULL;

	errcb.callback = snapshot_context;
	errcb.arg = PG_ARGISNULL(ARG_REL) ? "(null)" :
		DatumGetCString(DirectFunctionCall1(regclassout, PG_GETARG_DATUM(ARG_REL)));
	errcb.previous = error_context_stack;
	error_context_stack = &errcb;

	if (SRF_IS_FIRSTCALL())
	{
		MemoryContext old;

		funcctx = SRF_FIRSTCALL_INIT();
		old = MemoryContextSwitchTo(funcctx->multi_call_memory_ctx);
		st = palloc0(sizeof(W2ASnapshot));
		st->cxt = funcctx->multi_call_memory_ctx;
		st->row_cxt = AllocSetContextCreate(st->cxt, "wal2arrow_snapshot row",
											ALLOCSET_DEFAULT_SIZES);
		st->carry_cxt = AllocSetContextCreate(st->cxt, "wal2arrow_snapshot carried rows",
											  ALLOCSET_DEFAULT_SIZES);
		st->alloc = (AIpcAllocator) {w2a_realloc, w2a_free, st->cxt};
		funcctx->user_fctx = st;

		if (SPI_connect() != SPI_OK_CONNECT)
			elog(ERROR, "wal2arrow_snapshot: SPI_connect failed");
		/* allocations of the first call go to the multi-call context */
		MemoryContextSwitchTo(st->cxt);
		snapshot_start(fcinfo, st);
		MemoryContextSwitchTo(old);
	}
	else
	{
		funcctx = SRF_PERCALL_SETUP();
		st = funcctx->user_fctx;
		if (SPI_connect() != SPI_OK_CONNECT)
			elog(ERROR, "wal2arrow_snapshot: SPI_connect failed");
	}

	fill_batch(st);
	if (SPI_finish() != SPI_OK_FINISH)
		elog(ERROR, "wal2arrow_snapshot: SPI_finish failed");
	if (st->batch.nrows > 0)
		message = batch_message(st, caller_cxt);
	MemoryContextSwitchTo(caller_cxt);

	error_context_stack = errcb.previous;
	if (message == NULL)
		SRF_RETURN_DONE(funcctx);
	SRF_RETURN_NEXT(funcctx, PointerGetDatum(message));
}
