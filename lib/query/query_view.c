/* query_view.c - what mquery's shortcuts share: the selection, option checks, function names */
/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <string.h>

#include "promql/promql_func.h"
#include "promql/promql_parse.h"
#include "query/query_view.h"
#include "stream/series.h"
#include "store/store.h"

int
query_functions_write(FILE *fp, struct errbuf *eb)
{
	const struct promql_func *f;

	/* The registry is in name order already. */
	for (f = promql_funcs; f->name; f++)
		if (fprintf(fp, "%s\n", f->name) < 0)
			break;
	if (ferror(fp) || fflush(fp) == EOF)
		return errbuf_set(eb, "write error: %s", strerror(errno));
	return 0;
}

int
query_view(struct store *st, const struct promql_source *src,
    const struct query_view_opts *v, const struct query_eval_opts *e,
    FILE *fp, struct errbuf *eb)
{
	switch (v->view) {
	case QUERY_VIEW_LATEST:
		return query_latest(st, src, v, e, fp, eb);
	case QUERY_VIEW_STATS:
		return query_stats(st, src, v, e, fp, eb);
	case QUERY_VIEW_FOLLOW:
		if (st == NULL)
			return errbuf_set(eb, "--follow reads the store, not a stream");
		return query_follow(st, src, v, e, fp, eb);
	case QUERY_VIEW_NONE:
		break;
	}
	return query_eval(src, e, fp, eb);
}

/* What query_select_series() passes through a source's select(). */
struct select_ctx {
	const struct matcher *m;
	size_t n;
	query_series_fn fn;
	void *arg;
	struct errbuf *eb;
	int failed;		/* 'fn' (or a key) stopped the selection */
};

/* One series of the source: decoded, then handed on as a gauge. */
static int
select_emit(void *arg, const char *key, size_t keylen, const int64_t *ts,
    const double *v, size_t n, const struct promql_rows *rows)
{
	struct select_ctx *c = arg;
	struct label labels[METRIC_LABELS_MAX];
	struct sample m = { .type = METRIC_GAUGE };

	if (series_key_decode(key, keylen, &m, labels) == -1) {
		c->failed = 1;
		return errbuf_set(c->eb, "corrupt series key");
	}
	if (c->fn(c->arg, &m, ts, v, n, rows, c->eb) == -1) {
		c->failed = 1;
		return -1;
	}
	return 0;
}

int
query_select_series(struct store *st, const struct promql_source *src,
    const char *selector, int64_t mint, int64_t maxt, enum promql_use use,
    query_series_fn fn, void *arg, struct errbuf *eb)
{
	struct promql_node *sel = NULL;
	struct store_reader *r = NULL;
	struct store_iter *it = NULL;
	struct store_series ss;
	struct label labels[METRIC_LABELS_MAX];
	struct select_ctx c = { NULL, 0, fn, arg, eb, 0 };
	int rc = -1, got;

	if (promql_parse_selector(selector, &sel, eb) == -1)
		goto out;
	c.m = sel->vs.matchers;
	c.n = sel->vs.nmatchers;
	if (st == NULL) {
		/* A source without types: select_emit() calls them gauges. */
		if (src->select(src->ctx, c.m, c.n, mint, maxt, use,
		    select_emit, &c, eb) == -1 || c.failed)
			goto out;
		rc = 0;
		goto out;
	}
	/* The store itself, for the type, unit and help of each series. */
	if ((r = store_reader_open(st, STORE_TIER_RAW, mint, maxt, eb)) == NULL ||
	    (it = store_select(r, c.m, c.n, eb)) == NULL)
		goto out;
	while ((got = store_iter_next(it, &ss, eb)) == 1) {
		struct sample m = { .type = ss.type, .unit = ss.unit,
			.help = ss.help };
		if (series_key_decode(ss.key, ss.keylen, &m, labels) == -1) {
			errbuf_set(eb, "corrupt series key in the store");
			goto out;
		}
		m.unit_len = m.unit ? strlen(m.unit) : 0;
		m.help_len = m.help ? strlen(m.help) : 0;
		if (fn(arg, &m, ss.ts, ss.v, ss.n, NULL, eb) == -1)
			goto out;
	}
	if (got == 0)
		rc = 0;
out:
	store_iter_free(it);
	store_reader_close(r);
	promql_free(sel);
	return rc;
}
