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
 * wal2arrow.c
 *		Logical decoding output plugin that writes changes as Apache Arrow
 *		record batches inside small binary frames (see PROTOCOL.md).
 *
 * How: each decoded transaction becomes B, then for each relation an S frame
 * (Arrow schema, once per session and shape) and R frames (Arrow record
 * batches of consecutive changes), T and M frames where they occur, and C.
 * Frames are collected in a pending buffer and written at commit, or earlier
 * once the buffer holds W2A_WRITE_BYTES (or batch_bytes if smaller), so a
 * small transaction costs a single CopyData message and a large one decodes
 * in bounded memory.  A per-relation cache holds the Arrow schema, per-column
 * converters and the batch builders, which are emptied and reused from batch
 * to batch; relcache invalidations only mark entries stale and they are
 * rebuilt on next use.  Schema, converters, builders, the append of a value
 * and the R encoding are relation.c's, which the snapshot function
 * (snapshot.c) uses too.
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/detoast.h"
#include "access/htup_details.h"
#include "catalog/pg_class.h"
#include "fmgr.h"
#include "parser/scansup.h"
#include "replication/logical.h"
#include "replication/output_plugin.h"
#include "utils/builtins.h"
#include "utils/hsearch.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/relcache.h"
#include "utils/syscache.h"

#include "arrow_ipc.h"
#include "compat.h"
#include "convert.h"
#include "frame.h"
#include "relation.h"

PG_MODULE_MAGIC;

/* Largest message: a StringInfo (ctx->out) holds at most MaxAllocSize - 1
 * bytes, and the walsender puts its own header in front. */
#define W2A_MAX_MESSAGE		((size_t) MaxAllocSize - 1024)

/*
 * Buffers are kept between batches and transactions (allocating and
 * page-faulting them afresh costs more than a small transaction's encoding):
 * a relation's batch builders while they hold at most W2A_KEEP_BUILDER_BYTES,
 * all relations' together at most W2A_KEEP_ALL_BUILDERS_BYTES; the pending
 * frames and compression scratch while they hold at most W2A_KEEP_BUFFER_BYTES.
 * What a large batch or transaction grew beyond that is freed after it.
 */
#define W2A_KEEP_BUILDER_BYTES		((size_t) 4 * 1024 * 1024)
#define W2A_KEEP_ALL_BUILDERS_BYTES	((size_t) 16 * 1024 * 1024)
#define W2A_KEEP_BUFFER_BYTES		((size_t) 4 * 1024 * 1024)

/*
 * Pending frames are written once they hold this much: a message of this size
 * costs the walsender no more per byte than a larger one, and every message
 * is copied twice more (ctx->out, libpq's send buffer), both of which keep
 * the largest message's size allocated for the rest of the session.
 */
#define W2A_WRITE_BYTES		((size_t) 1024 * 1024)

/* Report progress every this many skipped changes, as pgoutput does. */
#define W2A_PROGRESS_EVERY	100

/* Microseconds between the PostgreSQL and Unix epochs. */
#define W2A_EPOCH_SHIFT_USECS \
	((int64) (POSTGRES_EPOCH_JDATE - UNIX_EPOCH_JDATE) * USECS_PER_DAY)

/* A schema-qualified name from the options; rel == NULL means "schema.*". */
typedef struct W2AName
{
	char	   *nsp;
	char	   *rel;
} W2AName;

/* Option columns.<schema>.<table>: the columns to send for one table. */
typedef struct W2AProjection
{
	W2AName		table;
	List	   *columns;		/* of char *, folded like identifiers */
} W2AProjection;

/* Plugin state, hung off ctx->output_plugin_private. */
typedef struct W2AData
{
	MemoryContext cache_cxt;	/* relation cache, lives as long as ctx */
	MemoryContext buffer_cxt;	/* pending, scratch and marks, kept across transactions */
	MemoryContext change_cxt;	/* reset around every change */
	HTAB	   *relcache;		/* W2ARelation by relid */

	/* options */
	List	   *tables;			/* of W2AName; NIL = every table */
	List	   *projections;	/* of W2AProjection */
	int			batch_rows;
	int			batch_bytes;
	AIpcCodec	codec;
	int			compression_level;
	AIpcCompressor compressor;	/* codec context, made once per session */
	bool		messages;
	bool		coalesce_frames;
	bool		convert_encoding;	/* db encoding is not UTF8/SQL_ASCII */

	/* the encoder's allocator for buffer_cxt (huge allocations allowed) */
	AIpcAllocator buffer_alloc;
	size_t		builders_kept;	/* builder capacity kept by all relations */

	/* transaction */
	bool		begin_written;	/* B frame is in pending (or sent) */
	uint64		txn_rows;		/* rows in R frames so far */
	int			skipped_changes;	/* since the last progress report */
	AIpcBuffer	pending;		/* whole frames not yet written */
	AIpcBuffer	scratch;		/* compressed bodies */

	/* the open batch (in batch.rel->builders), if batch.rel != NULL */
	W2ABatch	batch;
} W2AData;

/* The relation cache of the active decoding session, for the invalidation
 * callbacks, which PostgreSQL cannot hand a context pointer that outlives it. */
static HTAB *w2a_active_relcache = NULL;
static bool w2a_callbacks_registered = false;

extern void _PG_output_plugin_init(OutputPluginCallbacks *cb);

static void w2a_startup(LogicalDecodingContext *ctx, OutputPluginOptions *opt,
						bool is_init);
static void w2a_shutdown(LogicalDecodingContext *ctx);
static void w2a_begin(LogicalDecodingContext *ctx, ReorderBufferTXN *txn);
static void w2a_change(LogicalDecodingContext *ctx, ReorderBufferTXN *txn,
					   Relation relation, ReorderBufferChange *change);
static void w2a_truncate(LogicalDecodingContext *ctx, ReorderBufferTXN *txn,
						 int nrelations, Relation relations[],
						 ReorderBufferChange *change);
static void w2a_message(LogicalDecodingContext *ctx, ReorderBufferTXN *txn,
						XLogRecPtr message_lsn, bool transactional,
						const char *prefix, Size message_size,
						const char *message);
static void w2a_commit(LogicalDecodingContext *ctx, ReorderBufferTXN *txn,
					   XLogRecPtr commit_lsn);

static void parse_options(W2AData *data, List *options);
static W2ARelation *get_relation(LogicalDecodingContext *ctx, W2AData *data,
								 Relation relation);
static void flush_batch(LogicalDecodingContext *ctx, W2AData *data);
static void write_pending(LogicalDecodingContext *ctx, W2AData *data,
						  bool last_write);

void
_PG_output_plugin_init(OutputPluginCallbacks *cb)
{
	cb->startup_cb = w2a_startup;
	cb->begin_cb = w2a_begin;
	cb->change_cb = w2a_change;
	cb->truncate_cb = w2a_truncate;
	cb->message_cb = w2a_message;
	cb->commit_cb = w2a_commit;
	cb->shutdown_cb = w2a_shutdown;
}

/* ---------------------------------------------------------------------
 * Small helpers
 * ---------------------------------------------------------------------
 */

static int64
unix_usecs(TimestampTz t)
{
	return t + W2A_EPOCH_SHIFT_USECS;
}

/* ---------------------------------------------------------------------
 * Startup, options, shutdown
 * ---------------------------------------------------------------------
 */
static void
w2a_invalidate_relcache(Datum arg, Oid relid)
{
	W2ARelation *entry;

	if (w2a_active_relcache == NULL)
		return;
	if (OidIsValid(relid))
	{
		entry = hash_search(w2a_active_relcache, &relid, HASH_FIND, NULL);
		if (entry)
			entry->valid = false;
	}
	else
	{
		HASH_SEQ_STATUS seq;

		hash_seq_init(&seq, w2a_active_relcache);
		while ((entry = hash_seq_search(&seq)) != NULL)
			entry->valid = false;
	}
}

/* A schema was renamed: names in every entry may be stale. */
static void
w2a_invalidate_namespace(Datum arg, int cacheid, uint32 hashvalue)
{
	w2a_invalidate_relcache(arg, InvalidOid);
}

/*
 * The session's memory is going away (shutdown or error): forget the cache
 * and free the codec context, which the codec library malloc'd.
 */
static void
w2a_end_session(void *arg)
{
	W2AData    *data = arg;

	if (w2a_active_relcache == data->relcache)
		w2a_active_relcache = NULL;
	aipc_compressor_end(&data->compressor);
}

static void
w2a_startup(LogicalDecodingContext *ctx, OutputPluginOptions *opt, bool is_init)
{
	W2AData    *data;
	HASHCTL		hctl;
	MemoryContextCallback *forget;

	data = MemoryContextAllocZero(ctx->context, sizeof(W2AData));
	data->cache_cxt = AllocSetContextCreate(ctx->context, "wal2arrow relation cache",
											ALLOCSET_DEFAULT_SIZES);
	data->buffer_cxt = AllocSetContextCreate(ctx->context, "wal2arrow buffers",
											 ALLOCSET_DEFAULT_SIZES);
	data->change_cxt = AllocSetContextCreate(ctx->context, "wal2arrow change",
											 ALLOCSET_DEFAULT_SIZES);

	/* defaults, PROTOCOL.md section 5 */
	data->tables = NIL;
	data->projections = NIL;
	data->batch_rows = 8192;
	data->batch_bytes = 8 * 1024 * 1024;
	data->codec = AIPC_CODEC_NONE;
	data->compression_level = 0;
	data->messages = false;
	data->coalesce_frames = true;
	data->convert_encoding = w2a_convert_encoding();

	{
		MemoryContext old = MemoryContextSwitchTo(ctx->context);

		parse_options(data, ctx->output_plugin_options);
		MemoryContextSwitchTo(old);
	}

	data->buffer_alloc = (AIpcAllocator) {w2a_realloc, w2a_free, data->buffer_cxt};
	aipc_buffer_init(&data->pending, &data->buffer_alloc);
	aipc_buffer_init(&data->scratch, &data->buffer_alloc);
	aipc_compressor_init(&data->compressor, data->codec, data->compression_level);
	data->batch.marks_cxt = data->buffer_cxt;

	memset(&hctl, 0, sizeof(hctl));
	hctl.keysize = sizeof(Oid);
	hctl.entrysize = sizeof(W2ARelation);
	hctl.hcxt = data->cache_cxt;
	data->relcache = hash_create("wal2arrow relations", 64, &hctl,
								 HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
	w2a_active_relcache = data->relcache;
	/*
	 * Runs when the cache goes: at shutdown, or when an ERROR unwinds an SQL
	 * decoding call, which never reaches the shutdown callback.
	 */
	forget = MemoryContextAlloc(data->cache_cxt, sizeof(MemoryContextCallback));
	forget->func = w2a_end_session;
	forget->arg = data;
	MemoryContextRegisterResetCallback(data->cache_cxt, forget);
	if (!w2a_callbacks_registered)
	{
		CacheRegisterRelcacheCallback(w2a_invalidate_relcache, (Datum) 0);
		CacheRegisterSyscacheCallback(NAMESPACEOID, w2a_invalidate_namespace, (Datum) 0);
		w2a_callbacks_registered = true;
	}

	ctx->output_plugin_private = data;
	opt->output_type = OUTPUT_PLUGIN_BINARY_OUTPUT;
	opt->receive_rewrites = false;
}

static void
w2a_shutdown(LogicalDecodingContext *ctx)
{
	W2AData    *data = ctx->output_plugin_private;

	/* the reset callback clears w2a_active_relcache */
	MemoryContextDelete(data->cache_cxt);
	data->relcache = NULL;
}

static const char *const w2a_option_names[] = {
	"format_version", "tables", "batch_rows", "batch_bytes", "compression",
	"compression_level", "messages", "coalesce_frames", "columns",
};
#define W2A_NOPTIONS lengthof(w2a_option_names)

static const char *
option_value(DefElem *elem)
{
	if (elem->arg == NULL || strVal(elem->arg) == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("option \"%s\" of wal2arrow requires a value", elem->defname)));
	return strVal(elem->arg);
}

static int
option_int(DefElem *elem, int min, int max)
{
	const char *s = option_value(elem);
	char	   *end;
	long		v;

	errno = 0;
	v = strtol(s, &end, 10);
	while (*end == ' ')
		end++;
	if (errno != 0 || end == s || *end != '\0' || v < min || v > max)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid value \"%s\" for option \"%s\" of wal2arrow", s, elem->defname),
				 errdetail("Expected an integer between %d and %d.", min, max)));
	return (int) v;
}

static bool
option_bool(DefElem *elem)
{
	bool		v;

	if (elem->arg == NULL)
		return true;			/* a bare boolean option means on */
	if (!parse_bool(strVal(elem->arg), &v))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid value \"%s\" for option \"%s\" of wal2arrow",
						strVal(elem->arg), elem->defname),
				 errdetail("Expected a boolean: on, off, true, false, yes, no, 1 or 0.")));
	return v;
}

static void
bad_name_list(const char *option, const char *value, const char *why)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("invalid value \"%s\" for option \"%s\" of wal2arrow: %s",
					value, option, why),
			 errhint("Write names as in SQL, separated by commas: public.orders, \"Sales\".\"Q1, 2024\". "
					 "Double-quote names with upper case, commas, dots, quotes or spaces, doubling any \" inside.")));
}

/*
 * Reads one identifier at *p: "quoted" (with "" for ") or bare (folded to
 * lower case, ending at , . " or white space).  *star is set for a bare *.
 */
static char *
read_identifier(const char **p, const char *option, const char *value, bool *star)
{
	const char *s = *p;
	StringInfoData buf;

	*star = false;
	while (scanner_isspace(*s))
		s++;
	if (*s == '"')
	{
		initStringInfo(&buf);
		for (s++;; s++)
		{
			if (*s == '\0')
				bad_name_list(option, value, "unterminated quoted name");
			if (*s == '"')
			{
				if (s[1] != '"')
					break;
				s++;
			}
			appendStringInfoChar(&buf, *s);
		}
		s++;
		if (buf.len == 0)
			bad_name_list(option, value, "empty quoted name");
		*p = s;
		return buf.data;
	}
	else
	{
		const char *start = s;

		while (*s && *s != ',' && *s != '.' && *s != '"' && *s != ':' && *s != ';' &&
			   !scanner_isspace(*s))
			s++;
		if (s == start)
			bad_name_list(option, value, "a name is missing");
		*p = s;
		if (s - start == 1 && *start == '*')
		{
			*star = true;
			return NULL;
		}
		return downcase_truncate_identifier(start, (int) (s - start), false);
	}
}

/* schema.table or schema.* at *p. */
static W2AName *
read_qualified_name(const char **p, const char *option, const char *value,
					bool allow_star)
{
	W2AName    *name = palloc0(sizeof(W2AName));
	bool		star;

	name->nsp = read_identifier(p, option, value, &star);
	if (star)
		bad_name_list(option, value, "a schema name cannot be *");
	while (scanner_isspace(**p))
		(*p)++;
	if (**p != '.')
		bad_name_list(option, value, psprintf("table name \"%s\" must be schema-qualified", name->nsp));
	(*p)++;
	name->rel = read_identifier(p, option, value, &star);
	if (star && !allow_star)
		bad_name_list(option, value, "a table name cannot be * here");
	while (scanner_isspace(**p))
		(*p)++;
	return name;
}

static bool
name_equal(const W2AName *a, const W2AName *b)
{
	if (strcmp(a->nsp, b->nsp) != 0)
		return false;
	if (a->rel == NULL || b->rel == NULL)
		return a->rel == b->rel;
	return strcmp(a->rel, b->rel) == 0;
}

static void
parse_tables(W2AData *data, DefElem *elem)
{
	const char *value = option_value(elem);
	const char *p = value;

	for (;;)
	{
		data->tables = lappend(data->tables,
							   read_qualified_name(&p, elem->defname, value, true));
		if (*p == '\0')
			break;
		if (*p != ',')
			bad_name_list(elem->defname, value, "expected a comma between names");
		p++;
	}
}

/*
 * Adds the projection of proj->table: the column names at *p, up to the end of
 * the value or (when stop is not '\0') the stop character outside quotes.
 */
static void
add_projection(W2AData *data, W2AProjection *proj, const char *option,
			   const char *value, const char **pp, char stop)
{
	const char *p = *pp;
	ListCell   *lc;

	foreach(lc, data->projections)
	{
		if (name_equal(&((W2AProjection *) lfirst(lc))->table, &proj->table))
			ereport(ERROR,
					(errcode(ERRCODE_SYNTAX_ERROR),
					 errmsg("conflicting or redundant options"),
					 errdetail("Option \"%s\" names table %s.%s again.",
							   option, proj->table.nsp, proj->table.rel)));
	}
	for (;;)
	{
		bool		star;
		char	   *col = read_identifier(&p, option, value, &star);

		if (star)
			bad_name_list(option, value, "a column name cannot be *");
		proj->columns = lappend(proj->columns, col);
		while (scanner_isspace(*p))
			p++;
		if (*p == '\0' || (stop != '\0' && *p == stop))
			break;
		if (*p != ',')
			bad_name_list(option, value, "expected a comma between column names");
		p++;
	}
	*pp = p;
	data->projections = lappend(data->projections, proj);
}

/* Option columns.<schema>.<table>: the table is in the option's name. */
static void
parse_projection(W2AData *data, DefElem *elem)
{
	const char *tp = elem->defname + strlen("columns.");
	const char *value = option_value(elem);
	const char *p = value;
	W2AProjection *proj = palloc0(sizeof(W2AProjection));

	proj->table = *read_qualified_name(&tp, elem->defname, elem->defname, false);
	if (*tp != '\0')
		bad_name_list(elem->defname, elem->defname,
					  "the option name must be columns.<schema>.<table>");
	add_projection(data, proj, elem->defname, value, &p, '\0');
}

/*
 * Option columns: "<schema>.<table>: <column>, ...; <schema>.<table>: ...".
 * Names travel in the value, which unlike an option name is not cut at 63
 * bytes by the replication command's parser.
 */
static void
parse_columns(W2AData *data, DefElem *elem)
{
	const char *value = option_value(elem);
	const char *p = value;

	for (;;)
	{
		W2AProjection *proj = palloc0(sizeof(W2AProjection));

		proj->table = *read_qualified_name(&p, elem->defname, value, false);
		if (*p != ':')
			bad_name_list(elem->defname, value,
						  "expected ':' between a table and its column names");
		p++;
		add_projection(data, proj, elem->defname, value, &p, ';');
		if (*p == '\0')
			break;
		p++;					/* the ';' */
		while (scanner_isspace(*p))
			p++;
		if (*p == '\0')
			break;
	}
}

static void
parse_options(W2AData *data, List *options)
{
	bool		seen[W2A_NOPTIONS] = {0};
	ListCell   *lc;

	foreach(lc, options)
	{
		DefElem    *elem = lfirst(lc);
		int			opt = -1;

		if (strncmp(elem->defname, "columns.", strlen("columns.")) == 0)
		{
			parse_projection(data, elem);
			continue;
		}
		for (int i = 0; i < (int) W2A_NOPTIONS; i++)
			if (strcmp(elem->defname, w2a_option_names[i]) == 0)
				opt = i;
		if (opt < 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("option \"%s\" is unknown to wal2arrow", elem->defname),
					 errhint("Valid options are format_version, tables, columns, columns.<schema>.<table>, "
							 "batch_rows, batch_bytes, compression, compression_level, "
							 "messages and coalesce_frames.")));
		if (seen[opt])
			ereport(ERROR,
					(errcode(ERRCODE_SYNTAX_ERROR),
					 errmsg("conflicting or redundant options"),
					 errdetail("Option \"%s\" of wal2arrow is given more than once.",
							   elem->defname)));
		seen[opt] = true;

		if (strcmp(elem->defname, "format_version") == 0)
		{
			w2a_check_format_version(option_int(elem, INT_MIN, INT_MAX), "format_version");
		}
		else if (strcmp(elem->defname, "columns") == 0)
			parse_columns(data, elem);
		else if (strcmp(elem->defname, "tables") == 0)
			parse_tables(data, elem);
		else if (strcmp(elem->defname, "batch_rows") == 0)
			data->batch_rows = option_int(elem, 1, 10000000);
		else if (strcmp(elem->defname, "batch_bytes") == 0)
			data->batch_bytes = option_int(elem, 1024, 256 * 1024 * 1024);
		else if (strcmp(elem->defname, "compression") == 0)
		{
			const char *v = option_value(elem);

			if (!w2a_parse_codec(v, &data->codec))
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("invalid value \"%s\" for option \"%s\" of wal2arrow",
								v, elem->defname),
						 errdetail("Expected one of none, lz4, zstd.")));
		}
		else if (strcmp(elem->defname, "compression_level") == 0)
			data->compression_level = option_int(elem, -7, 22);
		else if (strcmp(elem->defname, "messages") == 0)
			data->messages = option_bool(elem);
		else if (strcmp(elem->defname, "coalesce_frames") == 0)
			data->coalesce_frames = option_bool(elem);
	}

	if (data->codec == AIPC_CODEC_LZ4_FRAME &&
		(data->compression_level < 0 || data->compression_level > 12))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid value \"%d\" for option \"compression_level\" of wal2arrow",
						data->compression_level),
				 errdetail("With compression lz4, expected an integer between 0 and 12.")));
}

/* ---------------------------------------------------------------------
 * Relation cache
 * ---------------------------------------------------------------------
 */
static bool
table_selected(const W2AData *data, const char *nsp, const char *rel)
{
	ListCell   *lc;

	if (data->tables == NIL)
		return true;
	foreach(lc, data->tables)
	{
		W2AName    *n = lfirst(lc);

		if (strcmp(n->nsp, nsp) == 0 && (n->rel == NULL || strcmp(n->rel, rel) == 0))
			return true;
	}
	return false;
}

static W2AProjection *
find_projection(const W2AData *data, const char *nsp, const char *rel)
{
	ListCell   *lc;

	foreach(lc, data->projections)
	{
		W2AProjection *p = lfirst(lc);

		if (strcmp(p->table.nsp, nsp) == 0 && strcmp(p->table.rel, rel) == 0)
			return p;
	}
	return NULL;
}


/*
 * (Re)builds a cache entry from the relation as the decoding snapshot sees
 * it: filters, columns, converters, and the encoded Arrow schema.  The schema
 * version only moves when the encoded schema differs from the previous one.
 */
static void
build_relation(W2AData *data, W2ARelation *entry, Relation relation)
{
	MemoryContext cxt = AllocSetContextCreate(data->cache_cxt, "wal2arrow relation",
											  ALLOCSET_SMALL_SIZES);
	MemoryContext old = MemoryContextSwitchTo(cxt);
	char	   *nsp_db = get_namespace_name(RelationGetNamespace(relation));
	char	   *rel_db = RelationGetRelationName(relation);
	W2AProjection *proj;
	AIpcBuffer	msg;
	AIpcAllocator alloc = {w2a_realloc, w2a_free, cxt};
	uint32		version;

	/* the builders were made for the old shape; they go with the old entry_cxt */
	data->builders_kept -= entry->builder_kept;
	entry->builder_kept = 0;
	entry->builder_cxt = NULL;
	entry->builders = NULL;
	entry->builder_ptrs = NULL;

	w2a_relation_names(entry, relation, data->convert_encoding);
	entry->emit = table_selected(data, nsp_db, rel_db);
	entry->ncols = 0;
	entry->cols = NULL;
	entry->identity = NULL;
	entry->fields = NULL;

	if (!entry->emit)
	{
		if (entry->entry_cxt)
			MemoryContextDelete(entry->entry_cxt);
		entry->entry_cxt = cxt;
		entry->schema_msg = NULL;
		entry->schema_len = 0;
		entry->schema_sent = false;
		entry->valid = true;
		MemoryContextSwitchTo(old);
		return;
	}

	proj = find_projection(data, nsp_db, rel_db);
	w2a_relation_columns(entry, relation, data->convert_encoding,
						 proj ? proj->columns : NIL);

	/* encode with the current version; bump it only if the shape moved */
	version = entry->schema_version == 0 ? 1 : entry->schema_version;
	for (int attempt = 0; attempt < 2; attempt++)
	{
		aipc_buffer_init(&msg, &alloc);
		w2a_relation_schema(entry, version, &msg);
		if (entry->schema_msg == NULL)
		{
			entry->schema_sent = false;
			break;
		}
		if (msg.len == entry->schema_len &&
			memcmp(msg.data, entry->schema_msg, msg.len) == 0)
			break;				/* same shape: keep version and sent flag */
		if (attempt == 1)
			break;
		version++;
		entry->schema_sent = false;
	}
	entry->schema_version = version;
	entry->schema_msg = msg.data;
	entry->schema_len = msg.len;

	if (entry->entry_cxt)
		MemoryContextDelete(entry->entry_cxt);
	entry->entry_cxt = cxt;
	entry->valid = true;
	MemoryContextSwitchTo(old);
}

static W2ARelation *
get_relation(LogicalDecodingContext *ctx, W2AData *data, Relation relation)
{
	Oid			relid = RelationGetRelid(relation);
	bool		found;
	W2ARelation *entry;

	entry = hash_search(data->relcache, &relid, HASH_ENTER, &found);
	if (!found)
	{
		memset(((char *) entry) + sizeof(Oid), 0, sizeof(W2ARelation) - sizeof(Oid));
		entry->valid = false;
	}
	if (entry->valid && entry->natts == RelationGetDescr(relation)->natts)
		return entry;
	/* the open batch was built for the old shape */
	if (data->batch.rel == entry)
		flush_batch(ctx, data);
	build_relation(data, entry, relation);
	return entry;
}

/* ---------------------------------------------------------------------
 * Frames
 * ---------------------------------------------------------------------
 */

/* Writes pending frames when they are worth a message of their own. */
static void
maybe_write_pending(LogicalDecodingContext *ctx, W2AData *data)
{
	if (!data->coalesce_frames ||
		data->pending.len >= Min((size_t) data->batch_bytes, W2A_WRITE_BYTES))
		write_pending(ctx, data, false);
}

/*
 * Writes the pending frames as few messages as allowed: all of them in one
 * unless coalesce_frames is off or they would exceed the message limit.
 */
static void
write_pending(LogicalDecodingContext *ctx, W2AData *data, bool last_write)
{
	size_t		pos = 0;
	size_t		len = data->pending.len;

	while (pos < len)
	{
		size_t		end = pos;
		bool		last;

		while (end < len)
		{
			size_t		flen = w2a_frame_length(data->pending.data + end);

			if (end > pos && end - pos + flen > W2A_MAX_MESSAGE)
				break;
			end += flen;
			if (!data->coalesce_frames)
				break;
		}
		last = last_write && end == len;
		OutputPluginPrepareWrite(ctx, last);
		appendBinaryStringInfo(ctx->out, (const char *) data->pending.data + pos, end - pos);
		OutputPluginWrite(ctx, last);
		pos = end;
	}
	data->pending.len = 0;
}

static void
ensure_begin(W2AData *data, ReorderBufferTXN *txn)
{
	AIpcError	err;

	if (data->begin_written)
		return;
	w2a_check(w2a_write_begin(&data->pending, txn->xid, txn->final_lsn,
							  unix_usecs(W2A_TXN_COMMIT_TIME(txn)), &err), &err, NULL);
	data->begin_written = true;
}

static void
write_schema_frame(W2AData *data, W2ARelation *rel)
{
	AIpcError	err;

	w2a_check(w2a_write_schema(&data->pending, rel->relid, rel->schema_version,
							   rel->schema_msg, rel->schema_len, &err), &err, rel);
	rel->schema_sent = true;
}

/*
 * After a flush: empties rel's builders for the next batch, keeping their
 * buffers while that stays within the W2A_KEEP_* limits, else frees them.
 */
static void
recycle_builders(W2AData *data, W2ARelation *rel)
{
	size_t		cap = 0;
	AIpcError	err;

	if (rel->builders == NULL)
		return;
	for (int i = 0; i <= rel->ncols; i++)
		cap += aipc_column_capacity(&rel->builders[i]);
	data->builders_kept -= rel->builder_kept;
	rel->builder_kept = 0;
	if (cap <= W2A_KEEP_BUILDER_BYTES &&
		data->builders_kept + cap <= W2A_KEEP_ALL_BUILDERS_BYTES)
	{
		for (int i = 0; i <= rel->ncols; i++)
			w2a_check(aipc_column_reset(&rel->builders[i], &err), &err, rel);
		rel->builder_kept = cap;
		data->builders_kept += cap;
		return;
	}
	MemoryContextDelete(rel->builder_cxt);
	rel->builder_cxt = NULL;
	rel->builders = NULL;
	rel->builder_ptrs = NULL;
}

/* Makes rel the relation of the open batch, flushing another one first. */
static void
open_batch(LogicalDecodingContext *ctx, W2AData *data, W2ARelation *rel)
{
	if (data->batch.rel == rel)
		return;
	flush_batch(ctx, data);
	if (!rel->schema_sent)
		write_schema_frame(data, rel);
	w2a_batch_open(&data->batch, rel);
}

/* Encodes the open batch as an R frame and closes it. */
static void
flush_batch(LogicalDecodingContext *ctx, W2AData *data)
{
	W2ARelation *rel = data->batch.rel;
	uint32		nrows = data->batch.nrows;

	if (rel == NULL)
		return;
	if (nrows > 0)
	{
		size_t		frame_len;

		/* closes the batch first: after an error nothing refers to it */
		frame_len = w2a_batch_encode(&data->batch, &data->pending, data->txn_rows - nrows,
									 &data->compressor, &data->scratch);
		if (frame_len > W2A_MAX_MESSAGE)
			ereport(ERROR,
					(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
					 errmsg("wal2arrow frame too large"),
					 errdetail("A batch of %u row(s) of table \"%s.%s\" needs %zu bytes; "
							   "a replication message holds at most %zu bytes.",
							   nrows, rel->nspname, rel->relname,
							   frame_len, W2A_MAX_MESSAGE),
					 errhint("Use the option compression (lz4 or zstd), or project the large "
							 "column away with columns.%s.%s.",
							 quote_identifier(rel->nspname), quote_identifier(rel->relname))));
	}
	data->batch.rel = NULL;
	recycle_builders(data, rel);
	w2a_batch_clear(&data->batch);
	maybe_write_pending(ctx, data);
}

/*
 * Appends one row to the open batch.  tuple NULL means "no old tuple" (every
 * column absent).  old, for a +U row, is the old tuple to take unchanged
 * TOASTed values from.
 */
static void
append_row(W2AData *data, W2ARelation *rel, TupleDesc desc, int8 op,
		   HeapTuple tuple, HeapTuple old)
{
	Datum	   *values = NULL;
	bool	   *nulls = NULL;
	Datum	   *old_values = NULL;
	bool	   *old_nulls = NULL;

	/* deform once: heap_getattr per column is quadratic past a varlena */
	if (tuple)
	{
		values = palloc(sizeof(Datum) * desc->natts);
		nulls = palloc(sizeof(bool) * desc->natts);
		heap_deform_tuple(tuple, desc, values, nulls);
	}

	w2a_batch_append_op(&data->batch, op);
	for (int i = 0; i < rel->ncols; i++)
	{
		W2AColumnPlan *plan = &rel->cols[i];
		Form_pg_attribute att = TupleDescAttr(desc, plan->attidx);
		Datum		value = (Datum) 0;
		bool		isnull = true;
		uint16		mark = W2A_MARK_NONE;

		if (tuple)
		{
			value = values[plan->attidx];
			isnull = nulls[plan->attidx];
		}
		if (!isnull && att->attlen == -1 &&
			VARATT_IS_EXTERNAL_ONDISK(DatumGetPointer(value)))
		{
			/* unchanged TOAST: not in this WAL record; the old tuple may have it */
			isnull = true;
			mark = W2A_MARK_UNCHANGED_TOAST;
			if (old && old_values == NULL)
			{
				old_values = palloc(sizeof(Datum) * desc->natts);
				old_nulls = palloc(sizeof(bool) * desc->natts);
				heap_deform_tuple(old, desc, old_values, old_nulls);
			}
			if (old && !old_nulls[plan->attidx] &&
				!VARATT_IS_EXTERNAL_ONDISK(DatumGetPointer(old_values[plan->attidx])))
			{
				value = old_values[plan->attidx];
				isnull = false;
				mark = W2A_MARK_NONE;
			}
		}
		w2a_batch_append_value(&data->batch, i, value, isnull, mark);
	}
	w2a_batch_end_row(&data->batch);
	data->txn_rows++;
}

/* ---------------------------------------------------------------------
 * Callbacks
 * ---------------------------------------------------------------------
 */
static void
w2a_begin(LogicalDecodingContext *ctx, ReorderBufferTXN *txn)
{
	W2AData    *data = ctx->output_plugin_private;

	data->begin_written = false;
	data->txn_rows = 0;
	data->skipped_changes = 0;
}

/* A change that produces no output: still let the slot advance now and then. */
static void
skipped_change(LogicalDecodingContext *ctx, W2AData *data)
{
	if (++data->skipped_changes >= W2A_PROGRESS_EVERY)
	{
		W2A_UPDATE_PROGRESS(ctx, false);
		data->skipped_changes = 0;
	}
}

static void
w2a_change(LogicalDecodingContext *ctx, ReorderBufferTXN *txn,
		   Relation relation, ReorderBufferChange *change)
{
	W2AData    *data = ctx->output_plugin_private;
	MemoryContext old;
	W2ARelation *rel;
	TupleDesc	desc = RelationGetDescr(relation);
	HeapTuple	newtuple = W2A_NEWTUPLE(change);
	HeapTuple	oldtuple = W2A_OLDTUPLE(change);
	bool		full;

	MemoryContextReset(data->change_cxt);
	old = MemoryContextSwitchTo(data->change_cxt);

	rel = get_relation(ctx, data, relation);
	if (!rel->emit)
	{
		MemoryContextSwitchTo(old);
		MemoryContextReset(data->change_cxt);
		skipped_change(ctx, data);
		return;
	}
	ensure_begin(data, txn);
	open_batch(ctx, data, rel);

	switch (change->action)
	{
		case REORDER_BUFFER_CHANGE_INSERT:
			if (newtuple)
				append_row(data, rel, desc, W2A_OP_INSERT, newtuple, NULL);
			break;
		case REORDER_BUFFER_CHANGE_UPDATE:
			if (oldtuple)
				append_row(data, rel, desc, W2A_OP_UPDATE_BEFORE, oldtuple, NULL);
			if (newtuple)
				append_row(data, rel, desc, W2A_OP_UPDATE_AFTER, newtuple, oldtuple);
			break;
		case REORDER_BUFFER_CHANGE_DELETE:
			append_row(data, rel, desc, W2A_OP_DELETE, oldtuple, NULL);
			break;
		default:
			elog(ERROR, "wal2arrow: unexpected change action %d", (int) change->action);
	}

	MemoryContextSwitchTo(old);
	MemoryContextReset(data->change_cxt);

	full = data->batch.nrows >= (uint32) data->batch_rows ||
		w2a_batch_size(&data->batch) >= (size_t) data->batch_bytes;
	if (full)
		flush_batch(ctx, data);
}

static void
w2a_truncate(LogicalDecodingContext *ctx, ReorderBufferTXN *txn,
			 int nrelations, Relation relations[], ReorderBufferChange *change)
{
	W2AData    *data = ctx->output_plugin_private;
	MemoryContext old;
	W2ATruncatedRelation *rels;
	uint32		n = 0;

	MemoryContextReset(data->change_cxt);
	old = MemoryContextSwitchTo(data->change_cxt);
	rels = palloc(sizeof(W2ATruncatedRelation) * Max(nrelations, 1));
	for (int i = 0; i < nrelations; i++)
	{
		W2ARelation *rel = get_relation(ctx, data, relations[i]);

		if (rel->emit)
		{
			rels[n].relid = rel->relid;
			rels[n].nspname = rel->nspname;
			rels[n].relname = rel->relname;
			n++;
		}
	}
	if (n > 0)
	{
		uint32		flags = 0;
		AIpcError	err;

		ensure_begin(data, txn);
		flush_batch(ctx, data);
		if (change->data.truncate.cascade)
			flags |= W2A_TRUNCATE_CASCADE;
		if (change->data.truncate.restart_seqs)
			flags |= W2A_TRUNCATE_RESTART_IDENTITY;
		w2a_check(w2a_write_truncate(&data->pending, flags, rels, n, &err), &err, NULL);
		maybe_write_pending(ctx, data);
	}
	MemoryContextSwitchTo(old);
	MemoryContextReset(data->change_cxt);
	if (n == 0)
		skipped_change(ctx, data);
}

static void
w2a_message(LogicalDecodingContext *ctx, ReorderBufferTXN *txn,
			XLogRecPtr message_lsn, bool transactional,
			const char *prefix, Size message_size, const char *message)
{
	W2AData    *data = ctx->output_plugin_private;
	size_t		plen = strlen(prefix);
	AIpcError	err;

	if (!data->messages)
		return;
	if (plen + message_size + W2A_MESSAGE_H > W2A_MAX_MESSAGE)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("wal2arrow frame too large"),
				 errdetail("A logical message with prefix \"%s\" of %zu bytes does not fit "
						   "a replication message of at most %zu bytes.",
						   prefix, (size_t) message_size, W2A_MAX_MESSAGE)));
	if (transactional)
	{
		ensure_begin(data, txn);
		flush_batch(ctx, data);
	}
	w2a_check(w2a_write_message(&data->pending, transactional,
								txn ? txn->xid : InvalidTransactionId, message_lsn,
								prefix, plen, message, message_size, &err), &err, NULL);
	if (transactional)
		maybe_write_pending(ctx, data);
	else
		write_pending(ctx, data, true);
}

static void
w2a_commit(LogicalDecodingContext *ctx, ReorderBufferTXN *txn, XLogRecPtr commit_lsn)
{
	W2AData    *data = ctx->output_plugin_private;

	/* an empty transaction writes nothing but lets the slot move on */
	W2A_UPDATE_PROGRESS(ctx, !data->begin_written);
	if (data->begin_written)
	{
		AIpcError	err;

		flush_batch(ctx, data);
		w2a_check(w2a_write_commit(&data->pending, txn->xid, commit_lsn, txn->end_lsn,
								   unix_usecs(W2A_TXN_COMMIT_TIME(txn)), data->txn_rows,
								   &err), &err, NULL);
		write_pending(ctx, data, true);
	}

	/* keep the buffers for the next transaction unless this one grew them big */
	data->pending.len = 0;
	data->scratch.len = 0;
	if (data->pending.cap > W2A_KEEP_BUFFER_BYTES)
		aipc_buffer_free(&data->pending);
	if (data->scratch.cap > W2A_KEEP_BUFFER_BYTES)
		aipc_buffer_free(&data->scratch);
	data->batch.rel = NULL;
	data->begin_written = false;
	data->txn_rows = 0;
}
