/* tier.c - which tiers answer a query: choosing and stitching them */
/* SPDX-License-Identifier: MIT */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/roll.h"
#include "store/store_int.h"
#include "store/tier.h"
#include "base/timestamp.h"

int64_t
tier_lookback(struct store *st, const struct tier_opts *o, int64_t mint,
    int64_t maxt, int64_t lookback, struct errbuf *eb)
{
	struct store_span sp[TIER_MAX_SPANS];
	int64_t res = 0;
	size_t n, i;

	if (tier_plan(st, o, mint, maxt, sp, &n, eb) == -1)
		return -1;
	for (i = 0; i < n; i++)
		if (sp[i].tier != STORE_TIER_RAW &&
		    roll_resolution(sp[i].tier) > res)
			res = roll_resolution(sp[i].tier);
	return res > lookback ? res : lookback;
}

int
tier_parse(const char *s, int *tier)
{
	int t;

	if (strcmp(s, "auto") == 0) {
		*tier = TIER_AUTO;
		return 0;
	}
	if (strcmp(s, "exact") == 0) {
		*tier = TIER_EXACT;
		return 0;
	}
	for (t = 0; t < STORE_NTIERS; t++)
		if (strcmp(s, store_tier_name((enum store_tier)t)) == 0) {
			*tier = t;
			return 0;
		}
	return -1;
}

static int64_t
align(int64_t t, int64_t span)
{
	int64_t w = t / span * span;

	return t < 0 && w != t ? w - span : w;
}

/*
 * The times tier 't' has data for, [*lo, *hi], from the names of its
 * blocks (and archives): a raw block is named by its first sample, a
 * rolled one by its first row, stamped with the end of its window.
 * Sets *lo > *hi when it has none.
 */
static int
coverage(struct store *st, enum store_tier t, int archive, int64_t *lo,
    int64_t *hi, struct errbuf *eb)
{
	char dir[PATH_MAX];
	char **names;
	size_t n, i;
	int pass;

	*lo = INT64_MAX;
	*hi = INT64_MIN;
	for (pass = 0; pass < 1 + !!archive; pass++) {
		if (pass == 0)
			store_path(st, dir, store_tier_name(t), NULL);
		else
			store_path(st, dir, "archive", store_tier_name(t));
		if (store_list(dir, pass == 0 ? ".blk" : "", &names, &n, eb) == -1)
			return -1;
		for (i = 0; i < n; i++) {
			int64_t first = strtoll(names[i], NULL, 10), w;
			/* Archives are named by the start of their window. */
			if (pass == 1)
				w = first;
			else
				w = align(t == STORE_TIER_RAW ? first : first - 1,
				    roll_span(t));
			if (w < *lo)
				*lo = w;
			if (w + roll_span(t) > *hi)
				*hi = w + roll_span(t);
		}
		store_list_free(names, n);
	}
	if (t == STORE_TIER_RAW) {
		/*
		 * The WALs of running writers hold samples of any time
		 * within the raw retention (writers refuse older ones), up
		 * to now and a little past it: raw covers that too, blocks
		 * or none.
		 */
		int64_t since = ts_now() - st->retention[STORE_TIER_RAW];
		if (since < *lo)
			*lo = since;
		*hi = INT64_MAX;
	}
	return 0;
}

struct gap {
	int64_t lo, hi;		/* inclusive */
};

int
tier_plan(struct store *st, const struct tier_opts *o, int64_t mint,
    int64_t maxt, struct store_span *out, size_t *n, struct errbuf *eb)
{
	struct gap gaps[TIER_MAX_SPANS];
	size_t ngaps = 1, g;
	int order[STORE_NTIERS], norder = 0, t, best = STORE_TIER_RAW, k;

	*n = 0;
	if (o->tier != TIER_AUTO && o->tier != TIER_EXACT) {
		out[0] = (struct store_span){ (enum store_tier)o->tier, mint, maxt };
		*n = 1;
		return 0;
	}
	for (t = STORE_TIER_1M; t < STORE_NTIERS && o->tier == TIER_AUTO; t++)
		if (o->step > 0 && roll_resolution((enum store_tier)t) <= o->step)
			best = t;
	/* The best tier, the finer ones, then the coarser ones. */
	for (t = best; t >= 0; t--)
		order[norder++] = t;
	for (t = best + 1; t < STORE_NTIERS; t++)
		order[norder++] = t;
	gaps[0] = (struct gap){ mint, maxt };
	for (k = 0; k < norder && ngaps > 0; k++) {
		int64_t lo, hi;
		size_t keep = 0;
		struct gap left[TIER_MAX_SPANS];

		if (coverage(st, (enum store_tier)order[k], o->archive, &lo, &hi,
		    eb) == -1)
			return -1;
		for (g = 0; g < ngaps; g++) {
			int64_t a = gaps[g].lo > lo ? gaps[g].lo : lo;
			int64_t b = gaps[g].hi < hi ? gaps[g].hi : hi;
			if (a > b) {
				left[keep++] = gaps[g];
				continue;
			}
			out[(*n)++] = (struct store_span){
				(enum store_tier)order[k], a, b };
			if (gaps[g].lo < a)
				left[keep++] = (struct gap){ gaps[g].lo, a - 1 };
			if (b < gaps[g].hi)
				left[keep++] = (struct gap){ b + 1, gaps[g].hi };
		}
		memcpy(gaps, left, keep * sizeof(*gaps));
		ngaps = keep;
	}
	return 0;
}

struct store_reader *
tier_reader_open(struct store *st, const struct tier_opts *o, int64_t mint,
    int64_t maxt, struct store_span *plan, size_t *nplan, struct errbuf *eb)
{
	struct store_span own[TIER_MAX_SPANS], *sp = plan ? plan : own;
	struct store_reader *r;
	size_t n, i;

	if (tier_plan(st, o, mint, maxt, sp, &n, eb) == -1 ||
	    (r = store_reader_open_spans(st, sp, n, eb)) == NULL)
		return NULL;
	store_reader_set_agg(r, o->agg);
	if (nplan)
		*nplan = n;
	for (i = 0; i < n; i++) {
		if (o->archive && store_reader_add_archives(r, st, sp[i].tier,
		    sp[i].mint, sp[i].maxt, eb) == -1) {
			store_reader_close(r);
			return NULL;
		}
	}
	return r;
}

int64_t
tier_width(const struct store_span *plan, size_t nplan, int64_t t)
{
	size_t i;

	for (i = 0; i < nplan; i++)
		if (plan[i].mint <= t && t <= plan[i].maxt)
			return plan[i].tier == STORE_TIER_RAW ? 0 :
			    roll_resolution(plan[i].tier);
	return 0;
}
