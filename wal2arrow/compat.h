/*-------------------------------------------------------------------------
 * compat.h
 *		Every PG_VERSION_NUM difference wal2arrow cares about, in one place.
 *
 * Built and tested against PostgreSQL 15.  The branches for 14 and 16-18
 * follow the server headers of those versions but are untested here.
 *-------------------------------------------------------------------------
 */
#ifndef WAL2ARROW_COMPAT_H
#define WAL2ARROW_COMPAT_H

#include "postgres.h"
#include "replication/logical.h"
#include "replication/reorderbuffer.h"

#if PG_VERSION_NUM < 140000
#error "wal2arrow needs PostgreSQL 14 or later"
#endif

/* Commit timestamp of a decoded transaction (moved into a union in 15). */
#if PG_VERSION_NUM >= 150000
#define W2A_TXN_COMMIT_TIME(txn)	((txn)->xact_time.commit_time)
#else
#define W2A_TXN_COMMIT_TIME(txn)	((txn)->commit_time)
#endif

/* OutputPluginUpdateProgress gained skipped_xact in 15. */
#if PG_VERSION_NUM >= 150000
#define W2A_UPDATE_PROGRESS(ctx, skipped)	OutputPluginUpdateProgress((ctx), (skipped))
#else
#define W2A_UPDATE_PROGRESS(ctx, skipped)	OutputPluginUpdateProgress(ctx)
#endif

/* Changes carry plain HeapTuples from 17 on, ReorderBufferTupleBuf before. */
#if PG_VERSION_NUM >= 170000
#define W2A_NEWTUPLE(change)	((change)->data.tp.newtuple)
#define W2A_OLDTUPLE(change)	((change)->data.tp.oldtuple)
#else
#define W2A_NEWTUPLE(change) \
	((change)->data.tp.newtuple ? &(change)->data.tp.newtuple->tuple : NULL)
#define W2A_OLDTUPLE(change) \
	((change)->data.tp.oldtuple ? &(change)->data.tp.oldtuple->tuple : NULL)
#endif

/* Virtual generated columns (18) are not stored, so not in the WAL: skip. */
#ifdef ATTRIBUTE_GENERATED_VIRTUAL
#define W2A_ATT_IS_VIRTUAL(att)	((att)->attgenerated == ATTRIBUTE_GENERATED_VIRTUAL)
#else
#define W2A_ATT_IS_VIRTUAL(att)	false
#endif

#endif							/* WAL2ARROW_COMPAT_H */
