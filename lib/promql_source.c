/* promql_source.c - where the evaluator reads series: the store, or memory */
/* SPDX-License-Identifier: MIT */
#include <stdlib.h>
#include <string.h>

#include "head.h"
#include "matcher.h"
#include "promql_eval.h"
#include "series.h"
#include "store.h"
#include "tier.h"
#include "timestamp.h"
#include "xalloc.h"

/*
 * The store: one reader per selection, of the tiers tier_get() says, so
 * each selector sees what was committed when it ran.
 */
struct match_ctx {
	const struct matcher *m;
	size_t n;
};

static int
match_key(void *ctx, const char *key, size_t keylen)
{
	const struct match_ctx *c = ctx;

	return series_key_matches(key, keylen, c->m, c->n);
}

static int
store_select_series(void *ctx, const struct matcher *m, size_t n,
    int64_t mint, int64_t maxt, promql_emit_fn emit, void *arg,
    struct errbuf *eb)
{
	struct store *st = ctx;
	struct match_ctx mc = { m, n };
	struct store_reader *r = NULL;
	struct store_iter *it = NULL;
	struct store_series ss;
	int rc = -1, got;

	if ((r = tier_reader_open(st, tier_get(st), mint, maxt, NULL,
	    eb)) == NULL ||
	    (it = store_select(r, match_key, &mc, eb)) == NULL)
		goto out;
	while ((got = store_iter_next(it, &ss, eb)) == 1)
		if (emit(arg, ss.key, ss.keylen, ss.ts, ss.v, ss.n) == -1)
			goto out;
	if (got == 0)
		rc = 0;
out:
	store_iter_free(it);
	store_reader_close(r);
	return rc;
}

void
promql_source_store(struct promql_source *src, struct store *st)
{
	src->select = store_select_series;
	src->ctx = st;
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
};

struct promql_memsrc *
promql_memsrc_new(void)
{
	struct promql_memsrc *ms = xcalloc(1, sizeof(*ms));

	ms->h = head_new();
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
}

uint64_t
promql_memsrc_samples(const struct promql_memsrc *ms)
{
	return ms->samples;
}

static int
mem_select(void *ctx, const struct matcher *m, size_t n, int64_t mint,
    int64_t maxt, promql_emit_fn emit, void *arg, struct errbuf *eb)
{
	struct promql_memsrc *ms = ctx;
	size_t i, ns = head_nseries(ms->h);

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
		    b - a) == -1)
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
