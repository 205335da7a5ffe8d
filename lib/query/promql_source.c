/* promql_source.c - where the evaluator reads series: the store, or memory */
/* SPDX-License-Identifier: MIT */
#include <stdlib.h>
#include <string.h>

#include "store/head.h"
#include "stream/matcher.h"
#include "query/promql_source.h"
#include "store/rollup.h"
#include "stream/series.h"
#include "store/store.h"
#include "store/tier.h"
#include "base/timestamp.h"
#include "base/xalloc.h"

/* The store: one reader per selection (promql_source.h). */

/* The column of a rolled row that answers 'use' (promql_eval.h). */
static enum rollup_agg
use_agg(enum promql_use use, enum rollup_agg dflt)
{
	switch (use) {
	case PROMQL_USE_MIN: return ROLLUP_AGG_MIN;
	case PROMQL_USE_MAX: return ROLLUP_AGG_MAX;
	case PROMQL_USE_SUM: return ROLLUP_AGG_SUM;
	case PROMQL_USE_AVG: return ROLLUP_AGG_SUM;
	case PROMQL_USE_LAST: return ROLLUP_AGG_LAST;
	case PROMQL_USE_COUNT: return ROLLUP_AGG_COUNT;
	case PROMQL_USE_STATS: return ROLLUP_AGG_AVG;
	case PROMQL_USE_VALUE:
	case PROMQL_USE_QUANTILE:
		break;
	}
	return dflt;
}

/* Per-sample windows, counts and sketches of a series (promql_rows). */
struct rows_buf {
	int64_t *from;
	double *count, *min, *max, *sum;
	const unsigned char **sk;
	size_t *sk_len;
	size_t cap;
};

/*
 * Fill 'rb' for the 'n' samples at 'ts' read with 'plan', of which those
 * at the times of 'ro' are its rows (the spans of a plan cover disjoint
 * times, so a row and a raw sample never share a time).
 */
static void
rows_fill(struct rows_buf *rb, const struct rollup *ro, const int64_t *ts,
    const double *v, size_t n, const struct store_span *plan, size_t nplan,
    enum promql_use use)
{
	int sketches = use == PROMQL_USE_QUANTILE || use == PROMQL_USE_STATS;
	int stats = use == PROMQL_USE_STATS;
	size_t i, j = 0;

	if (n > rb->cap) {
		rb->cap = n;
		rb->from = xreallocarray(rb->from, n, sizeof(*rb->from));
		rb->count = xreallocarray(rb->count, n, sizeof(*rb->count));
		rb->min = xreallocarray(rb->min, n, sizeof(*rb->min));
		rb->max = xreallocarray(rb->max, n, sizeof(*rb->max));
		rb->sum = xreallocarray(rb->sum, n, sizeof(*rb->sum));
		rb->sk = xreallocarray(rb->sk, n, sizeof(*rb->sk));
		rb->sk_len = xreallocarray(rb->sk_len, n, sizeof(*rb->sk_len));
	}
	for (i = 0; i < n; i++) {
		while (j < ro->n && ro->t[j] < ts[i])
			j++;
		rb->sk[i] = NULL;
		rb->sk_len[i] = 0;
		if (j == ro->n || ro->t[j] != ts[i]) {
			rb->from[i] = ts[i];
			rb->count[i] = 1;
			if (stats)
				rb->min[i] = rb->max[i] = rb->sum[i] = v[i];
			continue;
		}
		rb->from[i] = ts[i] - tier_width(plan, nplan, ts[i]);
		rb->count[i] = ro->col[ROLLUP_COUNT][j];
		if (stats) {
			rb->min[i] = ro->col[ROLLUP_MIN][j];
			rb->max[i] = ro->col[ROLLUP_MAX][j];
			rb->sum[i] = ro->col[ROLLUP_SUM][j];
		}
		if (sketches && (ro->flags & ROLLUP_F_SKETCH)) {
			rb->sk[i] = (const unsigned char *)ro->sk.p + ro->sk_off[j];
			rb->sk_len[i] = ro->sk_len[j];
		}
	}
}

static int
store_select_series(void *ctx, const struct matcher *m, size_t n,
    int64_t mint, int64_t maxt, enum promql_use use, promql_emit_fn emit,
    void *arg, struct errbuf *eb)
{
	struct query_store_source *qs = ctx;
	struct store *st = qs->st;
	struct tier_opts o = qs->tier;
	struct store_span plan[TIER_MAX_SPANS];
	struct store_reader *r = NULL;
	struct store_iter *it = NULL;
	struct store_series ss;
	struct rows_buf rb = { 0 };
	const struct rollup *ro;
	size_t nplan;
	int rc = -1, got;

	o.agg = use_agg(use, o.agg);
	if ((r = qs->cache ? query_cache_reader(qs->cache, st, &o, mint, maxt,
	    plan, &nplan, eb) : tier_reader_open(st, &o, mint, maxt, plan,
	    &nplan, eb)) == NULL ||
	    (it = store_select(r, m, n, eb)) == NULL)
		goto out;
	/* Rows are passed on for the *_over_time functions only. */
	if (use == PROMQL_USE_VALUE)
		store_iter_values_only(it);
	while ((got = store_iter_next(it, &ss, eb)) == 1) {
		struct promql_rows rows = { 0 };
		const struct promql_rows *rp = NULL;
		if (use != PROMQL_USE_VALUE &&
		    (ro = store_iter_rollup(it)) != NULL) {
			rows_fill(&rb, ro, ss.ts, ss.v, ss.n, plan, nplan, use);
			rows.from = rb.from;
			rows.count = rb.count;
			if (use == PROMQL_USE_QUANTILE || use == PROMQL_USE_STATS)
				rows.sk = rb.sk, rows.sk_len = rb.sk_len;
			if (use == PROMQL_USE_STATS) {
				rows.min = rb.min;
				rows.max = rb.max;
				rows.sum = rb.sum;
			}
			rp = &rows;
		}
		if (emit(arg, ss.key, ss.keylen, ss.ts, ss.v, ss.n, rp) == -1)
			goto out;
	}
	if (got == 0)
		rc = 0;
out:
	free(rb.from);
	free(rb.count);
	free(rb.min);
	free(rb.max);
	free(rb.sum);
	free(rb.sk);
	free(rb.sk_len);
	store_iter_free(it);
	if (qs->cache == NULL)
		store_reader_close(r);
	return rc;
}

void
query_store_source(struct query_store_source *qs, struct store *st,
    const struct tier_opts *o, struct query_cache *cache)
{
	qs->src.select = store_select_series;
	qs->src.ctx = qs;
	qs->st = st;
	qs->tier = *o;
	qs->cache = cache;
}

/*
 * The readers of a cache: a few plans at most (a rule's range, the
 * lookback), the oldest put out for a new one past QUERY_CACHE_READERS.
 */
#define QUERY_CACHE_READERS 8

struct query_cache {
	struct cached {
		struct store *st;
		struct store_span plan[TIER_MAX_SPANS];
		size_t nplan;
		enum rollup_agg agg;
		int archive;
		struct store_reader *r;
	} slot[QUERY_CACHE_READERS];
	size_t next;		/* the slot to fill next */
};

struct query_cache *
query_cache_new(void)
{
	return xcalloc(1, sizeof(struct query_cache));
}

void
query_cache_clear(struct query_cache *c)
{
	size_t i;

	if (c == NULL)
		return;
	for (i = 0; i < QUERY_CACHE_READERS; i++) {
		store_reader_close(c->slot[i].r);
		memset(&c->slot[i], 0, sizeof(c->slot[i]));
	}
	c->next = 0;
}

void
query_cache_free(struct query_cache *c)
{
	query_cache_clear(c);
	free(c);
}

static int
same_plan(const struct cached *k, struct store *st,
    const struct store_span *plan, size_t n, enum rollup_agg agg, int archive)
{
	size_t i;

	if (k->r == NULL || k->st != st || k->nplan != n || k->agg != agg ||
	    k->archive != archive)
		return 0;
	for (i = 0; i < n; i++)
		if (k->plan[i].tier != plan[i].tier ||
		    k->plan[i].mint != plan[i].mint ||
		    k->plan[i].maxt != plan[i].maxt)
			return 0;
	return 1;
}

struct store_reader *
query_cache_reader(struct query_cache *c, struct store *st,
    const struct tier_opts *o, int64_t mint, int64_t maxt,
    struct store_span *plan, size_t *nplan, struct errbuf *eb)
{
	struct store_span sp[TIER_MAX_SPANS];
	struct cached *k;
	size_t n, i;

	if (tier_plan(st, o, mint, maxt, sp, &n, eb) == -1)
		return NULL;
	for (i = 0; i < QUERY_CACHE_READERS; i++)
		if (same_plan(&c->slot[i], st, sp, n, o->agg, o->archive)) {
			memcpy(plan, sp, n * sizeof(*sp));
			*nplan = n;
			return c->slot[i].r;
		}
	k = &c->slot[c->next];
	c->next = (c->next + 1) % QUERY_CACHE_READERS;
	store_reader_close(k->r);
	memset(k, 0, sizeof(*k));
	if ((k->r = tier_reader_open(st, o, mint, maxt, plan, nplan, eb)) == NULL)
		return NULL;
	store_reader_whole_logs(k->r);
	k->st = st;
	memcpy(k->plan, plan, *nplan * sizeof(*plan));
	k->nplan = *nplan;
	k->agg = o->agg;
	k->archive = o->archive;
	return k->r;
}

/*
 * Memory: a head (head.h) keyed by series, each series sorted (last
 * write wins) before the first selection.
 */
struct promql_memsrc {
	struct head *h;
	int sorted;
	uint32_t *order;	/* series numbers in key order, once sorted */
	uint64_t samples;
	int64_t newest;		/* the newest time added */
};

struct promql_memsrc *
promql_memsrc_new(void)
{
	struct promql_memsrc *ms = xcalloc(1, sizeof(*ms));

	ms->h = head_new();
	ms->newest = INT64_MIN;
	return ms;
}

void
promql_memsrc_free(struct promql_memsrc *ms)
{
	if (ms == NULL)
		return;
	head_free(ms->h);
	free(ms->order);
	free(ms);
}

void
promql_memsrc_add(struct promql_memsrc *ms, const char *key, size_t keylen,
    int64_t ts, double v)
{
	int created;
	uint32_t id = head_series_get(ms->h, key, keylen,
	    series_hash(key, keylen), METRIC_GAUGE, NULL, 0, NULL, 0, &created);

	head_append(ms->h, id, ts, v);
	ms->sorted = 0;
	ms->samples++;
	if (ts > ms->newest)
		ms->newest = ts;
}

int64_t
promql_memsrc_newest(const struct promql_memsrc *ms)
{
	return ms->newest;
}

uint64_t
promql_memsrc_samples(const struct promql_memsrc *ms)
{
	return ms->samples;
}

static int
mem_select(void *ctx, const struct matcher *m, size_t n, int64_t mint,
    int64_t maxt, enum promql_use use, promql_emit_fn emit, void *arg,
    struct errbuf *eb)
{
	struct promql_memsrc *ms = ctx;
	size_t i, ns = head_nseries(ms->h);

	(void)use;
	(void)eb;
	if (!ms->sorted) {
		for (i = 0; i < ns; i++)
			head_series_sort(ms->h, (uint32_t)i);
		free(ms->order);
		ms->order = head_sorted(ms->h);
		ms->sorted = 1;
	}
	for (i = 0; i < ns; i++) {
		struct head_series *s = head_series(ms->h, ms->order[i]);
		const char *key = head_key(ms->h, s);
		size_t a, b;
		if (!series_key_matches(key, s->keylen, m, n))
			continue;
		a = ts_lower_bound(s->ts, s->n, mint);
		b = ts_lower_bound(s->ts, s->n, maxt == INT64_MAX ? maxt : maxt + 1);
		if (b > a && emit(arg, key, s->keylen, s->ts + a, s->v + a,
		    b - a, NULL) == -1)
			return -1;
	}
	return 0;
}

void
promql_memsrc_source(struct promql_memsrc *ms, struct promql_source *src)
{
	src->select = mem_select;
	src->ctx = ms;
}
