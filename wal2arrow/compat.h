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
 * compat.h
 *		Every PG_VERSION_NUM difference wal2arrow cares about, in one place.
 *
 * Built with -Werror and tested (pg_regress, connector ITCases) against
 * PostgreSQL 13, 15, 17 and 18 (tools/pg-image.sh).  The branches for 14
 * and 16 follow those versions' server headers but are untested here: no
 * Debian suite carries them.
 *-------------------------------------------------------------------------
 */
#ifndef WAL2ARROW_COMPAT_H
#define WAL2ARROW_COMPAT_H

#include "postgres.h"
#include "replication/logical.h"
#include "replication/reorderbuffer.h"
#include "utils/relcache.h"

#if PG_VERSION_NUM < 130000
#error "wal2arrow needs PostgreSQL 13 or later"
#endif

/* The varlena macros (VARATT_IS_EXTERNAL, SET_VARSIZE) left postgres.h in 16. */
#if PG_VERSION_NUM >= 160000
#include "varatt.h"
#endif

/*
 * The columns of a relation's replica identity key (offset by
 * FirstLowInvalidHeapAttributeNumber).  14 added RelationGetIdentityKeyBitmap;
 * 13's pgoutput asks the relcache's general function for the same set.
 */
#if PG_VERSION_NUM >= 140000
#define W2A_IDENTITY_KEY_BITMAP(rel)	RelationGetIdentityKeyBitmap(rel)
#else
#define W2A_IDENTITY_KEY_BITMAP(rel) \
	RelationGetIndexAttrBitmap((rel), INDEX_ATTR_BITMAP_IDENTITY_KEY)
#endif

/*
 * The primary key's index.  18 added deferrable_ok; before, a deferrable
 * primary key was never returned, and false keeps that on every version.
 */
#if PG_VERSION_NUM >= 180000
#define W2A_PRIMARY_KEY_INDEX(rel)	RelationGetPrimaryKeyIndex((rel), false)
#else
#define W2A_PRIMARY_KEY_INDEX(rel)	RelationGetPrimaryKeyIndex(rel)
#endif

/* numeric gained +-Infinity in 14; before that no numeric is infinite. */
#if PG_VERSION_NUM >= 140000
#define W2A_NUMERIC_IS_INF(num)	numeric_is_inf(num)
#else
#define W2A_NUMERIC_IS_INF(num)	false
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
