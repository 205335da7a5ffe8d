/* tombstone.h - deleted series: recorded at once, removed from blocks later */
/* SPDX-License-Identifier: MIT */
#ifndef MTK_TOMBSTONE_H
#define MTK_TOMBSTONE_H

#include <stddef.h>
#include <stdint.h>

#include "base/errbuf.h"
#include "stream/matcher.h"

/*
 * "mstore delete" writes a tombstone, a small JSON file in DIR/tombstones/
 * (mtk-store(5)): the label matchers of the series to delete and a time
 * range.  Every reader loads the tombstones and leaves out the samples
 * and rows they cover, so a deletion shows at once.  The data goes from
 * the files when they are next merged or rolled: a pass of mroll(1)
 * rewrites every window that still holds some, and removes a tombstone
 * once no block, log or archive does.
 */
struct tombstone {
	uint64_t seq;		/* when it was made, as store_seq() */
	struct matcher *m;	/* owned */
	size_t n;
	int64_t mint, maxt;	/* the samples and rows deleted, inclusive */
	char *path;		/* its file */
	char *selector;		/* as the user wrote it, for messages */
};

struct tombstones {
	struct tombstone *v;
	size_t n;
};

#define TOMBSTONES_INIT { NULL, 0 }

struct store;

/*
 * Load the tombstones of 'st' into 't' (which must be empty).  A file
 * that is not a tombstone is an error: a deletion must never be passed
 * over.  Returns 0, or -1 with 'eb'.
 */
int tombstones_load(struct store *st, struct tombstones *t, struct errbuf *eb);
void tombstones_release(struct tombstones *t);

/*
 * Write a tombstone for the series the 'n' matchers 'm' select, in
 * [mint, maxt]; 'selector' is their text.  Synced and renamed into place.
 * Returns 0, or -1 with 'eb'.
 */
int tombstone_write(struct store *st, const struct matcher *m, size_t n,
    const char *selector, int64_t mint, int64_t maxt, struct errbuf *eb);

/*
 * The ranges of the tombstones of 't' that cover series 'key': up to
 * 'max' [mint, maxt] pairs into 'ranges'.  Returns how many there are
 * (which may be more than 'max').
 */
size_t tombstones_match(const struct tombstones *t, const char *key,
    size_t keylen, int64_t (*ranges)[2], size_t max);

/*
 * Remove from 'ts' and 'v' ('*n' samples, in time order) those in the
 * 'nr' ranges; '*n' becomes the number left.
 */
void tombstones_cut(int64_t (*ranges)[2], size_t nr, int64_t *ts, double *v,
    size_t *n);

struct block;

/*
 * Whether block 'b' still holds samples or rows that tombstone 't'
 * deletes: 1 or 0, or -1 with 'eb' (a damaged block).
 */
int tombstone_in_block(struct block *b, const struct tombstone *t,
    struct errbuf *eb);

/*
 * Whether any tombstone of 't' deletes something of block 'b': 1 or 0,
 * or -1 with 'eb'.
 */
int tombstones_in_block(const struct tombstones *t, struct block *b,
    struct errbuf *eb);

#endif
