/* roll.h - one pass of mroll: roll windows up, expire and archive */
/* SPDX-License-Identifier: MIT */
#ifndef MTK_ROLL_H
#define MTK_ROLL_H

#include <stdint.h>

#include "base/buf.h"
#include "base/errbuf.h"
#include "store/store.h"

/*
 * A pass, in order:
 *
 * 1. Compact the raw windows that are closed (store_compact()).
 * 2. For each rolled tier (1m from raw, 5m from 1m, 1h from 5m), roll
 *    every closed window of the tier whose source changed since it was
 *    rolled.  A tier's windows are ROLL_SPAN(tier) long; a window is
 *    closed once it ended ROLL_GRACE_MS before 'now'.  Each rolled block
 *    records a fingerprint of the source blocks it was made from
 *    (store_reader_fingerprint()); a window is up to date when it has
 *    exactly one block and that block's fingerprint is the source's.
 *    Otherwise its rows are computed again from the source and merged
 *    over the rows already there (so rows whose source expired stay),
 *    written as one new block, and the old blocks removed.  So late
 *    samples are rolled at the next pass, a pass after a crash redoes
 *    what was not finished, and a second pass changes nothing.
 * 3. For each tier, remove (or archive, per mtk.conf) the windows that
 *    ended more than the tier's retention before 'now', once they are
 *    rolled into the next tier.
 * 4. Add mtk_mroll_* metrics to the store (unless told not to).
 * 5. Remove the tombstones (store/tombstone.h) whose deletions no file
 *    holds any more: steps 1 and 2 rewrite what holds deleted data.
 *
 * A damaged block (store_damage()) stops nothing but its own window: a
 * window with a damaged block, in its tier or its source, is neither
 * rolled nor expired, and each damaged file is reported (ROLL_DAMAGED)
 * once the pass is over.
 *
 * One pass runs at a time per store (the lock file DIR/.roll).
 */

#define ROLL_GRACE_MS (10 * 60000LL)

/* Resolution of a rolled tier, in ms (0 for raw). */
int64_t roll_resolution(enum store_tier t);

/* Length of a tier's windows (and blocks), in ms. */
int64_t roll_span(enum store_tier t);

enum roll_kind {
	ROLL_ROLLED,		/* a window rolled into 'tier' */
	ROLL_REMOVED,		/* an expired window removed from 'tier' */
	ROLL_ARCHIVED,		/* an expired window moved to 'path' */
	ROLL_COMPACTED,		/* raw blocks merged */
	ROLL_DAMAGED,		/* a damaged file passed over: 'path', 'reason' */
	ROLL_PURGED		/* a deletion done: 'path' its selector, over
				   [start, end] */
};

/* What a pass did (or, with dry_run, would do), one action at a time. */
struct roll_action {
	enum roll_kind kind;
	enum store_tier tier;
	int64_t start, end;	/* the window, [start, end) */
	uint64_t series;	/* ROLL_ROLLED */
	uint64_t rows;		/* ROLL_ROLLED */
	uint64_t blocks;	/* read (rolled), removed, archived, compacted */
	uint64_t bytes;		/* written (rolled), freed, archived */
	const char *path;	/* ROLL_ARCHIVED: the archive; ROLL_DAMAGED */
	int dry_run;		/* what a pass would do: no series, rows, path */
	const char *reason;	/* ROLL_DAMAGED: what is wrong */
};

typedef void (*roll_report_fn)(void *ctx, const struct roll_action *a);

struct roll_opts {
	int64_t now;		/* ms */
	int dry_run;		/* report, change nothing */
	int wait;		/* wait for a running pass instead of failing */
	int self_metrics;	/* add mtk_mroll_* to the store */
	roll_report_fn report;	/* may be NULL */
	void *ctx;
};

struct roll_stats {
	uint64_t windows[STORE_NTIERS];	/* rolled into each tier */
	uint64_t rows[STORE_NTIERS];
	uint64_t compacted;		/* raw blocks removed by compaction */
	uint64_t removed;		/* expired windows removed */
	uint64_t archived;		/* expired windows archived */
	uint64_t bytes_freed;		/* of blocks removed, archived or not */
	uint64_t bytes_archived;	/* written to archives */
	uint64_t damaged;		/* damaged files passed over */
	uint64_t purged;		/* deletions done, tombstones removed */
	double seconds;
	int dry_run;			/* counts of what a pass would do */
};

/*
 * Run a pass over 'st' and fill 'out'.  Returns 0; 1 when another pass
 * holds the store and 'o->wait' is not set (the reason in 'eb'); -1 with
 * 'eb' on a failure (what was done before it stays done and valid).
 */
int roll_run(struct store *st, const struct roll_opts *o,
    struct roll_stats *out, struct errbuf *eb);

/*
 * Append action 'a' to 'out' as one line: with 'json' a JSON object
 * {"action":"rolled","tier":"1m","start":"...","end":"...",...}, else
 * words ("rolled 1m 2026-11-21T10:00:00Z..12:00:00Z: 1000 series,
 * 120000 rows, 812345 bytes").
 */
void roll_action_format(const struct roll_action *a, int json,
    struct buf *out);

/* Append the human summary of 's' to 'out': one line per tier and total. */
void roll_stats_format(const struct roll_stats *s, struct buf *out);

#endif
