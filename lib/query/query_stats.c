/* query_stats.c - mquery --stats: count, min, avg, max and quantiles per series */
/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "stream/jsonl.h"
#include "base/number.h"
#include "query/chart.h"
#include "query/output.h"
#include "query/render.h"
#include "promql/promql_number.h"
#include "query/query_view.h"
#include "base/sketch.h"
#include "base/xalloc.h"

#define CHUNK (64 * 1024)
#define NCOLS 8			/* the series, then the statistics */

/* Names in JSON Lines (and CSV), headings in a table. */
static const char *const col_names[NCOLS] = {
	"series", "count", "min", "avg", "max", "p50", "p95", "p99"
};
static const char *const col_heads[NCOLS + 1] = {
	"SERIES", "COUNT", "MIN", "AVG", "MAX", "P50", "P95", "P99", "TREND"
};
static const double quantiles[3] = { 0.5, 0.95, 0.99 };

struct stats_ctx {
	enum query_format f;
	FILE *fp;
	struct buf out;		/* pending output */
	struct buf rows;	/* scratch */
	struct render_table table;
	double *tmp;		/* the values of one series, to sort */
	size_t tmpcap;
	double *vals;		/* a raw series' values, stale markers out */
	size_t valscap;
	struct sketch *acc, *one;	/* for rolled rows */
	int64_t mint;		/* rows of windows from then on */
	int64_t start, end;	/* the range, for the sparklines */
};

/*
 * The statistics of the 'n' values at 'v' (n > 0, in time order) into
 * 'out' (NCOLS - 1 values), each as its PromQL *_over_time() function
 * computes it, so that the two agree to the bit: min and max pass over
 * NaN (NaN only when every value is), the average is avg_over_time()'s
 * own, the quantiles come from one sort.
 */
static void
stats_compute(struct stats_ctx *c, const double *v, size_t n, double *out)
{
	double min = v[0], max = v[0];
	size_t i;

	for (i = 0; i < n; i++) {
		double x = v[i];
		if (x < min || isnan(min))
			min = x;
		if (x > max || isnan(max))
			max = x;
	}
	c->tmp = xgrow(c->tmp, &c->tmpcap, n, sizeof(double));
	memcpy(c->tmp, v, n * sizeof(double));
	psort_values(c->tmp, n);
	out[0] = (double)n;
	out[1] = min;
	out[2] = promql_avg_over_time(v, n);
	out[3] = max;
	for (i = 0; i < 3; i++)
		out[4 + i] = pquantile_sorted(quantiles[i], c->tmp, n);
}

static int
flush_out(struct stats_ctx *c, struct errbuf *eb)
{
	if (c->out.len && fwrite(c->out.p, 1, c->out.len, c->fp) != c->out.len)
		return errbuf_set(eb, "write error: %s", strerror(errno));
	buf_reset(&c->out);
	return 0;
}

/* Write (or, for a table, keep) the row of one series: statistics 'st'. */
static int
stats_write(struct stats_ctx *c, const struct sample *m, const double *st,
    const int64_t *t, const double *v, size_t n, struct errbuf *eb)
{
	char num[NUMBER_BUFSZ];
	size_t i, len, start;

	switch (c->f) {
	case QUERY_FMT_JSONL:
		buf_addch(&c->out, '{');
		if (m->name_len > 0) {
			buf_adds(&c->out, "\"name\":");
			jsonl_quote(&c->out, m->name, m->name_len);
			buf_addch(&c->out, ',');
		}
		buf_adds(&c->out, "\"labels\":{");
		for (i = 0; i < m->nlabels; i++) {
			if (i > 0)
				buf_addch(&c->out, ',');
			jsonl_quote(&c->out, m->labels[i].name,
			    m->labels[i].name_len);
			buf_addch(&c->out, ':');
			jsonl_quote(&c->out, m->labels[i].value,
			    m->labels[i].value_len);
		}
		buf_addch(&c->out, '}');
		for (i = 0; i < NCOLS - 1; i++) {
			/* JSON has no NaN or infinity: strings, as in a stream. */
			int q = !isfinite(st[i]);
			buf_addf(&c->out, ",\"%s\":%s", col_names[i + 1],
			    q ? "\"" : "");
			buf_add(&c->out, num, number_format(num, st[i]));
			if (q)
				buf_addch(&c->out, '"');
		}
		buf_adds(&c->out, "}\n");
		break;
	case QUERY_FMT_CSV:
		start = c->rows.len;
		render_series(&c->rows, m);
		render_csv_field(&c->out, c->rows.p + start, c->rows.len - start);
		buf_reset(&c->rows);
		for (i = 0; i < NCOLS - 1; i++) {
			buf_addch(&c->out, ',');
			buf_add(&c->out, num, number_format(num, st[i]));
		}
		buf_addch(&c->out, '\n');
		break;
	default:
		buf_reset(&c->rows);
		render_series(&c->rows, m);
		render_table_cell(&c->table, c->rows.p, c->rows.len);
		for (i = 0; i < NCOLS - 1; i++) {
			len = number_format(num, st[i]);
			render_table_cell(&c->table, num, len);
		}
		buf_reset(&c->rows);
		chart_sparkline(&c->rows, t, v, n, c->start, c->end,
		    QUERY_TREND_WIDTH);
		while (c->rows.len && c->rows.p[c->rows.len - 1] == ' ')
			c->rows.len--;	/* the last column: no trailing blanks */
		render_table_cell(&c->table, c->rows.p, c->rows.len);
		break;
	}
	return c->out.len >= CHUNK ? flush_out(c, eb) : 0;
}

/*
 * The row of one series with 'n' values (none: no row); 'nt' samples
 * at 't', 'tv' for its sparkline.
 */
static int
stats_row(struct stats_ctx *c, const struct sample *m, const double *v,
    size_t n, const int64_t *t, const double *tv, size_t nt,
    struct errbuf *eb)
{
	double st[NCOLS - 1];

	if (n == 0)
		return 0;
	stats_compute(c, v, n, st);
	return stats_write(c, m, st, t, tv, nt, eb);
}

/*
 * The statistics of samples some of which stand for the windows of
 * rolled rows ('r', promql_eval.h), those whose windows start at
 * c->mint or later: counts add up, min and max of the rows' min and
 * max, the average of the sums over the counts, the quantiles from the
 * rows' sketches merged (a row without one counts its average as many
 * times as it has samples), within the sketch's error.  Returns the
 * number of samples.
 */
static double
stats_rows(struct stats_ctx *c, const double *v, size_t n,
    const struct promql_rows *r, double *out)
{
	double count = 0, sum = 0, min = NAN, max = NAN;
	size_t i;
	int q;

	if (c->acc == NULL) {
		c->acc = sketch_new();
		c->one = sketch_new();
	}
	sketch_reset(c->acc);
	for (i = 0; i < n; i++) {
		/* Rows only for windows wholly in the range. */
		if (promql_is_stale(v[i]) || r->from[i] < c->mint)
			continue;
		count += r->count[i];
		sum += r->sum[i];
		if (r->min[i] < min || isnan(min))
			min = r->min[i];
		if (r->max[i] > max || isnan(max))
			max = r->max[i];
		if (r->sk && r->sk_len[i] && sketch_decode(c->one, r->sk[i],
		    r->sk_len[i]) == 0)
			sketch_merge(c->acc, c->one);
		else
			sketch_add_n(c->acc, v[i], (uint64_t)r->count[i]);
	}
	out[0] = count;
	out[1] = min;
	out[2] = sum / count;
	out[3] = max;
	for (q = 0; q < 3; q++)
		out[4 + q] = sketch_count(c->acc) ?
		    sketch_quantile(c->acc, quantiles[q]) : NAN;
	return count;
}

/*
 * A series of a bare selector: its samples, stale markers left out, or,
 * where some stand for rolled rows, the statistics of those rows.
 */
static int
stats_series(void *arg, const struct sample *m, const int64_t *ts,
    const double *v, size_t n, const struct promql_rows *rows,
    struct errbuf *eb)
{
	struct stats_ctx *c = arg;
	double st[NCOLS - 1];
	size_t i, k = 0;

	if (rows)
		return stats_rows(c, v, n, rows, st) > 0 ?
		    stats_write(c, m, st, ts, v, n, eb) : 0;
	c->vals = xgrow(c->vals, &c->valscap, n, sizeof(double));
	for (i = 0; i < n; i++)
		if (!promql_is_stale(v[i]))
			c->vals[k++] = v[i];
	return stats_row(c, m, c->vals, k, ts, v, n, eb);
}

/* The points of each series of a range query's result 'r'. */
static int
stats_result(struct stats_ctx *c, const struct promql_result *r,
    const char *name, struct errbuf *eb)
{
	struct label labels[METRIC_LABELS_MAX];
	size_t i, j;

	for (i = 0; i < r->n; i++) {
		const struct promql_rseries *rs = &r->series[i];
		struct sample m = { .name = name ? name : "" };
		for (j = 0; j < rs->nlabels; j++) {
			const struct promql_label *l = &rs->labels[j];
			if (strcmp(l->name, "__name__") == 0) {
				if (name == NULL)
					m.name = l->value;
				continue;
			}
			if (m.nlabels == METRIC_LABELS_MAX)
				break;
			labels[m.nlabels].name = l->name;
			labels[m.nlabels].name_len = (uint32_t)l->name_len;
			labels[m.nlabels].value = l->value;
			labels[m.nlabels].value_len = (uint32_t)l->value_len;
			m.nlabels++;
		}
		m.name_len = strlen(m.name);
		m.labels = labels;
		if (stats_row(c, &m, rs->v, rs->n, rs->t, rs->v, rs->n,
		    eb) == -1)
			return -1;
	}
	return 0;
}

static int
table_flush(void *arg, struct errbuf *eb)
{
	return flush_out(arg, eb);
}

static int
stats_finish(struct stats_ctx *c, struct errbuf *eb)
{
	if (render_table_write(&c->table, &c->out, table_flush, c, eb) == -1)
		return -1;
	if (flush_out(c, eb) == -1)
		return -1;
	if (fflush(c->fp) == EOF)
		return errbuf_set(eb, "write error: %s", strerror(errno));
	return 0;
}

int
query_stats(struct store *st, const struct promql_source *src,
    const struct query_view_opts *v, const struct query_eval_opts *e,
    FILE *fp, struct errbuf *eb)
{
	struct stats_ctx c = { .f = e->format, .fp = fp, .start = v->start,
		.end = v->end };
	struct promql_node *expr = NULL;
	struct promql_result *r = NULL;
	struct promql_eval_opts o = e->eval;
	size_t i;
	int rc = -1;

	/* The series left, the figures right. */
	render_table_init(&c.table, NCOLS + 1, ((1u << NCOLS) - 1) & ~1u,
	    col_heads);
	if (c.f == QUERY_FMT_CSV) {
		for (i = 0; i < NCOLS; i++)
			buf_addf(&c.out, "%s%s", i ? "," : "", col_names[i]);
		buf_addch(&c.out, '\n');
	}
	(void)st;	/* the source reads it, tiers and all, not only raw */
	if (v->raw) {
		c.mint = v->start;
		if (query_select_series(NULL, src, e->expr, v->start, v->end,
		    PROMQL_USE_STATS, stats_series, &c, eb) == -1)
			goto out;
	} else {
		/* A range query; without a step, Prometheus graph's. */
		o.start = v->start;
		o.end = v->end;
		if (o.step == 0) {
			o.step = (o.end - o.start) / 250 / 1000 * 1000;
			if (o.step < 1000)
				o.step = 1000;
		}
		if (promql_parse(e->expr, &expr, eb) == -1 ||
		    (r = promql_eval(expr, src, &o, eb)) == NULL ||
		    stats_result(&c, r, e->name, eb) == -1)
			goto out;
	}
	rc = stats_finish(&c, eb);
out:
	promql_result_free(r);
	promql_free(expr);
	buf_release(&c.out);
	buf_release(&c.rows);
	render_table_release(&c.table);
	free(c.tmp);
	free(c.vals);
	sketch_free(c.acc);
	sketch_free(c.one);
	return rc;
}
