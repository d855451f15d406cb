/*-------------------------------------------------------------------------
 * wal2arrow.c
 *		Logical decoding output plugin emitting Apache Arrow IPC frames.
 *
 * Skeleton: wires every callback; frames are added in later commits.
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "fmgr.h"
#include "replication/logical.h"
#include "replication/output_plugin.h"
#include "utils/memutils.h"

PG_MODULE_MAGIC;

extern void _PG_output_plugin_init(OutputPluginCallbacks *cb);

static void w2a_startup(LogicalDecodingContext *ctx, OutputPluginOptions *opt, bool is_init);
static void w2a_shutdown(LogicalDecodingContext *ctx);
static void w2a_begin(LogicalDecodingContext *ctx, ReorderBufferTXN *txn);
static void w2a_commit(LogicalDecodingContext *ctx, ReorderBufferTXN *txn, XLogRecPtr commit_lsn);
static void w2a_change(LogicalDecodingContext *ctx, ReorderBufferTXN *txn,
					   Relation relation, ReorderBufferChange *change);

void
_PG_output_plugin_init(OutputPluginCallbacks *cb)
{
	cb->startup_cb = w2a_startup;
	cb->begin_cb = w2a_begin;
	cb->change_cb = w2a_change;
	cb->commit_cb = w2a_commit;
	cb->shutdown_cb = w2a_shutdown;
}

static void
w2a_startup(LogicalDecodingContext *ctx, OutputPluginOptions *opt, bool is_init)
{
	(void) ctx;
	(void) is_init;
	opt->output_type = OUTPUT_PLUGIN_BINARY_OUTPUT;
}

static void
w2a_shutdown(LogicalDecodingContext *ctx)
{
	(void) ctx;
}

static void
w2a_begin(LogicalDecodingContext *ctx, ReorderBufferTXN *txn)
{
	(void) ctx;
	(void) txn;
}

static void
w2a_commit(LogicalDecodingContext *ctx, ReorderBufferTXN *txn, XLogRecPtr commit_lsn)
{
	(void) ctx;
	(void) txn;
	(void) commit_lsn;
}

static void
w2a_change(LogicalDecodingContext *ctx, ReorderBufferTXN *txn,
		   Relation relation, ReorderBufferChange *change)
{
	(void) ctx;
	(void) txn;
	(void) relation;
	(void) change;
}
