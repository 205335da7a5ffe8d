/* query_latest.c - mquery --latest: the newest sample of each series */
/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "query/output.h"
#include "query/query_view.h"
#include "stream/series.h"
#include "base/xalloc.h"

#define CHUNK (64 * 1024)

/*
 * Table, CSV and JSONL look as raw samples do (output.h: the stored
 * type, unit and help kept); OpenMetrics as a raw dump; Prometheus JSON
 * is a vector written by promql_result_write(), every value at the
 * time of its sample.  For that one the series are kept until the end:
 * their keys one after the other in 'keys', and their samples.
 */
struct latest_ctx {
	enum query_format f;
	FILE *fp;
	struct output *out;	/* table, CSV, JSONL */
	struct buf b;		/* OpenMetrics, pending */
	struct buf keys;	/* Prometheus JSON: the series' keys */
	struct latest_series {
		size_t off, len;	/* of the key in 'keys' */
		int64_t t;
		double v;
	} *s;
	size_t n, cap;
};

static int
latest_series(void *arg, const struct sample *meta, const int64_t *ts,
    const double *v, size_t n, const struct promql_rows *rows,
    struct errbuf *eb)
{
	struct latest_ctx *c = arg;
	size_t last = n - 1, off;

	(void)rows;	/* asked for values */
	/* A stale marker ends the series, as for an instant selector. */
	if (n == 0 || promql_is_stale(v[last]))
		return 0;
	switch (c->f) {
	case QUERY_FMT_OPENMETRICS:
		if (promql_om_series(&c->b, meta, ts + last, v + last, 1, eb) == -1)
			return -1;
		if (c->b.len >= CHUNK) {
			if (fwrite(c->b.p, 1, c->b.len, c->fp) != c->b.len)
				return errbuf_set(eb, "write error: %s",
				    strerror(errno));
			buf_reset(&c->b);
		}
		return 0;
	case QUERY_FMT_PROM_JSON:
		off = c->keys.len;
		series_key(&c->keys, meta);
		c->s = xgrow(c->s, &c->cap, c->n + 1, sizeof(*c->s));
		c->s[c->n].off = off;
		c->s[c->n].len = c->keys.len - off;
		c->s[c->n].t = ts[last];
		c->s[c->n].v = v[last];
		c->n++;
		return 0;
	default:
		return output_series(c->out, meta, ts + last, v + last, 1, eb);
	}
}

/* Insert '*l' into the 'n' labels at 'v', keeping them sorted by name. */
static void
label_insert(struct promql_label *v, size_t n, const struct promql_label *l)
{
	size_t i = n;

	while (i > 0 && strcmp(v[i - 1].name, l->name) > 0) {
		v[i] = v[i - 1];
		i--;
	}
	v[i] = *l;
}

/*
 * Prometheus' vector of the series kept in 'c'.  The result takes the
 * key bytes, whose NULs end every name and value.
 */
static int
write_prom_json(struct latest_ctx *c, int64_t t, const char *name,
    struct errbuf *eb)
{
	struct promql_result *r = xcalloc(1, sizeof(*r));
	struct label labels[METRIC_LABELS_MAX];
	size_t i, j;
	int rc;

	r->type = PROMQL_TYPE_VECTOR;
	r->t = t;
	r->strings = c->keys.p;
	buf_init(&c->keys);
	r->series = xcalloc(c->n ? c->n : 1, sizeof(*r->series));
	for (i = 0; i < c->n; i++) {
		struct promql_rseries *rs = &r->series[i];
		struct sample m = { 0 };
		struct promql_label l = { "__name__", NULL, 8, 0 };
		series_key_decode(r->strings + c->s[i].off, c->s[i].len, &m,
		    labels);
		rs->labels = xreallocarray(NULL, m.nlabels + 1,
		    sizeof(*rs->labels));
		l.value = m.name;
		l.value_len = m.name_len;
		label_insert(rs->labels, 0, &l);
		for (j = 0; j < m.nlabels; j++) {
			l.name = labels[j].name;
			l.name_len = labels[j].name_len;
			l.value = labels[j].value;
			l.value_len = labels[j].value_len;
			label_insert(rs->labels, j + 1, &l);
		}
		rs->nlabels = m.nlabels + 1;
		rs->t = xmemdup(&c->s[i].t, sizeof(int64_t));
		rs->v = xmemdup(&c->s[i].v, sizeof(double));
		rs->n = 1;
		r->n++;
	}
	rc = promql_result_write(c->fp, r, QUERY_FMT_PROM_JSON, name, eb);
	promql_result_free(r);
	return rc;
}

int
query_latest(struct store *st, const struct promql_source *src,
    const struct query_view_opts *v, const struct query_eval_opts *e,
    FILE *fp, struct errbuf *eb)
{
	struct latest_ctx c = { .f = e->format, .fp = fp };
	struct query_eval_opts instant = *e;
	int64_t t = e->eval.start;
	int rc = -1;

	if (!v->raw) {
		/* An expression: simply its instant value at 't'. */
		instant.eval.end = t;
		instant.eval.step = 0;
		return query_eval(src, &instant, fp, eb);
	}
	if (c.f == QUERY_FMT_TABLE)
		c.out = output_new(fp, QUERY_FMT_TABLE);
	else if (c.f == QUERY_FMT_CSV)
		c.out = output_new(fp, QUERY_FMT_CSV);
	else if (c.f == QUERY_FMT_JSONL)
		c.out = output_new(fp, QUERY_FMT_JSONL);
	/* The window of an instant selector: both ends included, as in 2.42. */
	if (query_select_series(st, src, e->expr, t - e->eval.lookback_ms, t,
	    PROMQL_USE_VALUE, latest_series, &c, eb) == -1)
		goto out;
	if (c.out) {
		rc = output_finish(c.out, eb);
	} else if (c.f == QUERY_FMT_PROM_JSON) {
		rc = write_prom_json(&c, t, e->name, eb);
	} else {
		buf_adds(&c.b, "# EOF\n");
		if (fwrite(c.b.p, 1, c.b.len, fp) != c.b.len || fflush(fp) == EOF)
			errbuf_set(eb, "write error: %s", strerror(errno));
		else
			rc = 0;
	}
out:
	output_free(c.out);
	buf_release(&c.b);
	buf_release(&c.keys);
	free(c.s);
	return rc;
}
