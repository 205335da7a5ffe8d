/* tier.h - which tiers answer a query: choosing and stitching them */
/* SPDX-License-Identifier: MIT */
#ifndef MTK_TIER_H
#define MTK_TIER_H

#include <stddef.h>
#include <stdint.h>

#include "base/errbuf.h"
#include "store/rollup.h"
#include "store/store.h"

/*
 * How a query reads the store.  With 'tier' TIER_AUTO, the tier is the
 * coarsest whose resolution is not coarser than 'step' (raw when 'step'
 * is 0), and where it has no data for part of the range (not rolled yet,
 * or past its retention) the other tiers fill in: finer ones first, then
 * coarser ones.  With TIER_EXACT, the raw tier wherever it holds the
 * range, whatever the step, the rolled tiers filling in only past its
 * retention: Prometheus' answers wherever raw samples are kept.  With a
 * forced tier, only that tier is read.
 */
#define TIER_AUTO (-1)
#define TIER_EXACT (-2)

struct tier_opts {
	int tier;		/* enum store_tier, TIER_AUTO or TIER_EXACT */
	enum rollup_agg agg;	/* what rolled rows give (rollup.h) */
	int archive;		/* also read mroll's archives */
	int64_t step;		/* ms; 0: full resolution */
};

#define TIER_OPTS_INIT { TIER_AUTO, ROLLUP_AGG_AUTO, 0, 0 }

/* Parse "raw", "1m", "5m", "1h", "auto" or "exact".  Returns 0, or -1. */
int tier_parse(const char *s, int *tier);

/* The most spans a plan has. */
#define TIER_MAX_SPANS (2 * STORE_NTIERS + 2)

/*
 * The spans to read for [mint, maxt], over disjoint times: at most
 * TIER_MAX_SPANS of them, into 'out'; their number in '*n'.  Returns 0,
 * or -1 with 'eb'.
 */
int tier_plan(struct store *st, const struct tier_opts *o, int64_t mint,
    int64_t maxt, struct store_span *out, size_t *n, struct errbuf *eb);

/*
 * Open a reader of [mint, maxt] as 'o' says (tier_plan(), the aggregate,
 * the archives).  If 'plan' is not NULL, it gets the spans read (room
 * for TIER_MAX_SPANS), their number in '*nplan'.  Returns a new reader,
 * or NULL with 'eb'.
 */
struct store_reader *tier_reader_open(struct store *st,
    const struct tier_opts *o, int64_t mint, int64_t maxt,
    struct store_span *plan, size_t *nplan, struct errbuf *eb);

/*
 * The width of the window of a point at time 't' read with 'plan': the
 * resolution of the tier of the span holding 't', 0 for raw samples.
 */
int64_t tier_width(const struct store_span *plan, size_t nplan, int64_t t);

/*
 * The lookback a query of [mint, maxt] needs with 'o': at least the
 * resolution of the coarsest tier it reads there (tier_plan()), so that
 * every evaluation time finds the row of the window before it; at least
 * 'lookback'.  Returns it, or -1 with 'eb'.
 */
int64_t tier_lookback(struct store *st, const struct tier_opts *o,
    int64_t mint, int64_t maxt, int64_t lookback, struct errbuf *eb);

#endif
