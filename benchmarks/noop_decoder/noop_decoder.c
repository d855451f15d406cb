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
 * noop_decoder.c
 *		A logical decoding output plugin that writes nothing.
 *
 * Benchmarks only: draining a slot through it measures what every plugin pays
 * before its own work starts (reading the WAL, the reorder buffer, the
 * walsender loop), the floor that no output plugin can beat. Every callback
 * returns at once; skipped transactions report progress so the slot's
 * confirmed position still advances and pg_recvlogical --endpos can stop.
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "replication/logical.h"
#include "replication/output_plugin.h"

PG_MODULE_MAGIC;

extern void _PG_output_plugin_init(OutputPluginCallbacks *cb);

static void noop_startup(LogicalDecodingContext *ctx, OutputPluginOptions *opt,
						 bool is_init);
static void noop_begin(LogicalDecodingContext *ctx, ReorderBufferTXN *txn);
static void noop_change(LogicalDecodingContext *ctx, ReorderBufferTXN *txn,
						Relation relation, ReorderBufferChange *change);
static void noop_commit(LogicalDecodingContext *ctx, ReorderBufferTXN *txn,
						XLogRecPtr commit_lsn);

void
_PG_output_plugin_init(OutputPluginCallbacks *cb)
{
	cb->startup_cb = noop_startup;
	cb->begin_cb = noop_begin;
	cb->change_cb = noop_change;
	cb->commit_cb = noop_commit;
}

static void
noop_startup(LogicalDecodingContext *ctx, OutputPluginOptions *opt, bool is_init)
{
	/* Options are accepted and ignored, so one command line serves every plugin. */
	opt->output_type = OUTPUT_PLUGIN_BINARY_OUTPUT;
}

static void
noop_begin(LogicalDecodingContext *ctx, ReorderBufferTXN *txn)
{
}

static void
noop_change(LogicalDecodingContext *ctx, ReorderBufferTXN *txn,
			Relation relation, ReorderBufferChange *change)
{
}

static void
noop_commit(LogicalDecodingContext *ctx, ReorderBufferTXN *txn,
			XLogRecPtr commit_lsn)
{
	/* Nothing was written: say so, so the walsender may send a keepalive. */
	OutputPluginUpdateProgress(ctx, true);
}
