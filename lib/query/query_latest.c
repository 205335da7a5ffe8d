/* query_latest.c - mquery --latest: the newest sample of each series */
/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/buf.h"
#include "base/number.h"
#include "base/strmap.h"
#include "base/timestamp.h"
#include "promql/promql_parse.h"
#include "query/chart.h"
#include "query/output.h"
#include "query/query_view.h"
#include "query/render.h"
#include "stream/series.h"
#include "base/xalloc.h"

#define CHUNK (64 * 1024)

/*
 * CSV and JSONL look as raw samples do (output.h: the stored type, unit
 * and help kept); OpenMetrics as a raw dump; Prometheus JSON is a vector
 * written by promql_result_write(), every value at the time of its
 * sample.  For that one and for a table the series are kept until the
 * end: their keys one after the other in 'keys', and their samples.
 *
 * A table has the columns of raw samples and a sparkline of the hour up
 * to the time (TREND): a second selection over the hour draws those of
 * the series kept into 'sparks', finding each by its key in 'ids',
 * whose numbers 'row' turns into the series' own.
 */
struct latest_ctx {
	enum query_format f;
	FILE *fp;
	struct output *out;	/* CSV, JSONL */
	struct buf b;		/* OpenMetrics, a table: pending */
	struct buf keys;	/* Prometheus JSON, a table: the series' keys */
	struct strmap *ids;	/* a table: the series' keys, numbered */
	size_t *row;		/* of each number */
	struct buf key;		/* scratch */
	struct buf sparks;	/* a table: the sparklines */
	int64_t trend0, t;	/* a table: the sparklines' range */
	struct latest_series {
		size_t off, len;	/* of the key in 'keys' */
		int64_t t;
		double v;
		size_t spark, spark_len;	/* in 'sparks' */
	} *s;
	size_t n, cap;
};

/*
 * A series of the hour: the sparkline of its samples, if it is one of
 * the table's.
 */
static int
trend_series(void *arg, const struct sample *meta, const int64_t *ts,
    const double *v, size_t n, const struct promql_rows *rows,
    struct errbuf *eb)
{
	struct latest_ctx *c = arg;
	struct latest_series *ls;
	long id;

	(void)rows;
	(void)eb;
	buf_reset(&c->key);
	series_key(&c->key, meta);
	id = strmap_find(c->ids, c->key.p, c->key.len,
	    strmap_hash(c->key.p, c->key.len));
	if (id < 0)
		return 0;	/* new since the first selection */
	ls = &c->s[c->row[id]];
	ls->spark = c->sparks.len;
	chart_sparkline(&c->sparks, ts, v, n, c->trend0, c->t,
	    QUERY_TREND_WIDTH);
	while (c->sparks.len > ls->spark &&
	    c->sparks.p[c->sparks.len - 1] == ' ')
		c->sparks.len--;	/* the last column: no trailing blanks */
	ls->spark_len = c->sparks.len - ls->spark;
	return 0;
}

static int
table_flush(void *arg, struct errbuf *eb)
{
	struct latest_ctx *c = arg;

	if (c->b.len && fwrite(c->b.p, 1, c->b.len, c->fp) != c->b.len)
		return errbuf_set(eb, "write error: %s", strerror(errno));
	buf_reset(&c->b);
	return 0;
}

/*
 * The table of the series kept in 'c', their sparklines drawn first
 * (not past QUERY_LATEST_TREND_MAX series: then without TREND) from
 * 'selector' read again in 'st' or 'src'.  Returns 0, or -1 with 'eb'.
 */
static int
write_table(struct latest_ctx *c, struct store *st,
    const struct promql_source *src, const char *selector,
    struct errbuf *eb)
{
	static const char *const heads[4] = { "SERIES", "TIME", "VALUE",
		"TREND" };
	struct render_table table;
	struct label labels[METRIC_LABELS_MAX];
	char num[NUMBER_BUFSZ], tbuf[TS_BUFSZ];
	int trend = c->n <= QUERY_LATEST_TREND_MAX, created;
	size_t i;
	int rc;

	if (trend) {
		c->ids = strmap_new();
		c->row = xreallocarray(NULL, c->n ? c->n : 1, sizeof(*c->row));
		for (i = 0; i < c->n; i++) {
			const char *k = c->keys.p + c->s[i].off;
			uint32_t id = strmap_intern(c->ids, k, c->s[i].len,
			    strmap_hash(k, c->s[i].len), &created);
			/* A source gives each series once: no repeats. */
			if (created)
				c->row[id] = i;
		}
		if (query_select_series(st, src, selector, c->trend0, c->t,
		    PROMQL_USE_VALUE, trend_series, c, eb) == -1)
			return -1;
	}
	render_table_init(&table, trend ? 4 : 3, 1u << 2, heads);
	for (i = 0; i < c->n; i++) {
		struct sample m = { 0 };
		series_key_decode(c->keys.p + c->s[i].off, c->s[i].len, &m,
		    labels);
		buf_reset(&c->key);
		render_series(&c->key, &m);
		render_table_cell(&table, c->key.p, c->key.len);
		render_table_cell(&table, tbuf, ts_format_local(tbuf, c->s[i].t));
		render_table_cell(&table, num, number_format(num, c->s[i].v));
		if (trend && c->s[i].spark_len > 0)
			render_table_cell(&table, c->sparks.p + c->s[i].spark,
			    c->s[i].spark_len);
		else if (trend)
			render_table_cell(&table, "", 0);
	}
	rc = render_table_write(&table, &c->b, table_flush, c, eb) == 0 &&
	    table_flush(c, eb) == 0 ? 0 : -1;
	render_table_release(&table);
	return rc;
}

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
	case QUERY_FMT_TABLE:
	case QUERY_FMT_PROM_JSON:
		off = c->keys.len;
		series_key(&c->keys, meta);
		c->s = xgrow(c->s, &c->cap, c->n + 1, sizeof(*c->s));
		c->s[c->n] = (struct latest_series){ off, c->keys.len - off,
			ts[last], v[last], 0, 0 };
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

/*
 * The table of the instant query 'e' with a TREND: the sparklines of the
 * series of the range query over the hour up to its time, at one point
 * for each character of the sparkline.  Not for more than
 * QUERY_LATEST_TREND_MAX series, nor when the range query fails (past
 * the limits of 'e', say, or its timeout, which the two queries share):
 * then the table has no TREND.
 */
static int
expr_table(const struct promql_source *src, const struct query_eval_opts *e,
    FILE *fp, struct errbuf *eb)
{
	struct promql_eval_opts o = e->eval;
	struct promql_node *expr = NULL;
	struct promql_result *r = NULL, *tr = NULL;
	struct errbuf teb = ERRBUF_INIT;
	struct timespec t0, t1;
	int rc = -1;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (promql_parse(e->expr, &expr, eb) == -1 ||
	    (r = promql_eval(expr, src, &e->eval, eb)) == NULL)
		goto out;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	o.start = e->eval.start - QUERY_LATEST_TREND_MS;
	o.end = e->eval.start;
	o.step = QUERY_LATEST_TREND_MS / QUERY_TREND_WIDTH;
	if (o.timeout_ms > 0)
		o.timeout_ms -= (t1.tv_sec - t0.tv_sec) * 1000 +
		    (t1.tv_nsec - t0.tv_nsec) / 1000000;
	if ((r->type == PROMQL_TYPE_VECTOR || r->type == PROMQL_TYPE_SCALAR) &&
	    r->n <= QUERY_LATEST_TREND_MAX &&
	    (e->eval.timeout_ms == 0 || o.timeout_ms > 0))
		tr = promql_eval(expr, src, &o, &teb);
	if (tr)
		rc = promql_result_write_trend(fp, r, tr, o.start, o.end,
		    QUERY_TREND_WIDTH, e->name, eb);
	else
		rc = promql_result_write(fp, r, QUERY_FMT_TABLE, e->name, eb);
out:
	promql_result_free(tr);
	promql_result_free(r);
	promql_free(expr);
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
		if (c.f == QUERY_FMT_TABLE)
			return expr_table(src, &instant, fp, eb);
		return query_eval(src, &instant, fp, eb);
	}
	if (c.f == QUERY_FMT_CSV)
		c.out = output_new(fp, QUERY_FMT_CSV);
	else if (c.f == QUERY_FMT_JSONL)
		c.out = output_new(fp, QUERY_FMT_JSONL);
	c.trend0 = t - QUERY_LATEST_TREND_MS;
	c.t = t;
	/* The window of an instant selector: both ends included, as in 2.42. */
	if (query_select_series(st, src, e->expr, t - e->eval.lookback_ms, t,
	    PROMQL_USE_VALUE, latest_series, &c, eb) == -1)
		goto out;
	if (c.f == QUERY_FMT_TABLE) {
		if (write_table(&c, st, src, e->expr, eb) == 0) {
			if (fflush(fp) == EOF)
				errbuf_set(eb, "write error: %s", strerror(errno));
			else
				rc = 0;
		}
	} else if (c.out) {
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
	strmap_free(c.ids);
	free(c.row);
	buf_release(&c.key);
	buf_release(&c.sparks);
	buf_release(&c.b);
	buf_release(&c.keys);
	free(c.s);
	return rc;
}
