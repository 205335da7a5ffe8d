/* promql_output.c - write PromQL results: table, CSV, stream lines, Prometheus JSON, OpenMetrics */
/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "stream/jsonl.h"
#include "base/number.h"
#include "base/strmap.h"
#include "promql/promql_number.h"
#include "query/chart.h"
#include "query/promql_output.h"
#include "query/render.h"
#include "base/timestamp.h"
#include "base/xalloc.h"

#define CHUNK (64 * 1024)

void
promql_format_time(struct buf *out, int64_t ms)
{
	char *p;
	uint64_t a;
	unsigned f;

	/* Written in place: every point of an answer has one. */
	if (out->cap - out->len < NUMBER_BUFSZ + 5)
		buf_grow(out, NUMBER_BUFSZ + 5);
	p = out->p + out->len;
	if (ms < 0) {
		*p++ = '-';
		a = (uint64_t)0 - (uint64_t)ms;
	} else {
		a = (uint64_t)ms;
	}
	/* Whole seconds, then always three digits of milliseconds, if any. */
	p += number_format_i64(p, (int64_t)(a / 1000));
	if ((f = (unsigned)(a % 1000)) != 0) {
		*p++ = '.';
		*p++ = (char)('0' + f / 100);
		*p++ = (char)('0' + f / 10 % 10);
		*p++ = (char)('0' + f % 10);
	}
	*p = '\0';
	out->len = (size_t)(p - out->p);
}

/* The metric name of 'rs' ('name' overrides), or NULL. */
static const char *
series_name(const struct promql_rseries *rs, const char *name)
{
	size_t i;

	if (name)
		return name;
	for (i = 0; i < rs->nlabels; i++)
		if (strcmp(rs->labels[i].name, "__name__") == 0)
			return rs->labels[i].value;
	return NULL;
}

/* Fill 'm' with the name and labels (but __name__) of 'rs'. */
static void
series_sample(const struct promql_rseries *rs, const char *name,
    struct sample *m, struct label *labels)
{
	size_t i, k = 0;

	memset(m, 0, sizeof(*m));
	m->name = name ? name : "";
	m->name_len = strlen(m->name);
	for (i = 0; i < rs->nlabels && k < METRIC_LABELS_MAX; i++) {
		if (strcmp(rs->labels[i].name, "__name__") == 0)
			continue;
		labels[k].name = rs->labels[i].name;
		labels[k].name_len = (uint32_t)rs->labels[i].name_len;
		labels[k].value = rs->labels[i].value;
		labels[k].value_len = (uint32_t)rs->labels[i].value_len;
		k++;
	}
	m->labels = labels;
	m->nlabels = k;
	m->type = METRIC_GAUGE;
}

/* PromQL's form of a series (render_series()). */
static void
series_text(struct buf *b, const struct promql_rseries *rs, const char *name)
{
	struct label labels[METRIC_LABELS_MAX];
	struct sample m;

	series_sample(rs, series_name(rs, name), &m, labels);
	render_series(b, &m);
}

static int
flush(FILE *fp, struct buf *b, struct errbuf *eb)
{
	if (b->len && fwrite(b->p, 1, b->len, fp) != b->len) {
		buf_reset(b);
		return errbuf_set(eb, "write error: %s", strerror(errno));
	}
	buf_reset(b);
	return 0;
}

static int
no_name(const struct promql_rseries *rs, struct errbuf *eb)
{
	struct buf b = BUF_INIT;

	series_text(&b, rs, NULL);
	errbuf_set(eb, "result series '%s' has no metric name: name it with --name",
	    b.p);
	buf_release(&b);
	return -1;
}

static void
json_value(struct buf *b, int64_t t, double v)
{
	buf_addch(b, '[');
	promql_format_time(b, t);
	buf_adds(b, ",\"");
	pformat_float(b, v);
	buf_adds(b, "\"]");
}

static void
json_metric(struct buf *b, const struct promql_rseries *rs, const char *name)
{
	size_t i;
	int first = 1;

	buf_adds(b, "{\"metric\":{");
	if (name) {
		buf_adds(b, "\"__name__\":");
		jsonl_quote(b, name, strlen(name));
		first = 0;
	}
	for (i = 0; i < rs->nlabels; i++) {
		if (name && strcmp(rs->labels[i].name, "__name__") == 0)
			continue;
		if (!first)
			buf_addch(b, ',');
		first = 0;
		jsonl_quote(b, rs->labels[i].name, rs->labels[i].name_len);
		buf_addch(b, ':');
		jsonl_quote(b, rs->labels[i].value, rs->labels[i].value_len);
	}
	buf_adds(b, "},");
}

static int
write_prom_json(FILE *fp, struct buf *b, const struct promql_result *r,
    const char *name, struct errbuf *eb)
{
	size_t i, j;
	int matrix = r->range || r->type == PROMQL_TYPE_MATRIX;

	if (r->type == PROMQL_TYPE_STRING) {
		buf_adds(b, "{\"resultType\":\"string\",\"result\":[");
		promql_format_time(b, r->t);
		buf_addch(b, ',');
		jsonl_quote(b, r->string, r->string_len);
		buf_adds(b, "]}\n");
		return flush(fp, b, eb);
	}
	if (r->type == PROMQL_TYPE_SCALAR && !r->range) {
		buf_adds(b, "{\"resultType\":\"scalar\",\"result\":");
		json_value(b, r->t, r->n && r->series[0].n ? r->series[0].v[0] : NAN);
		buf_adds(b, "}\n");
		return flush(fp, b, eb);
	}
	buf_adds(b, matrix ? "{\"resultType\":\"matrix\",\"result\":[" :
	    "{\"resultType\":\"vector\",\"result\":[");
	for (i = 0; i < r->n; i++) {
		const struct promql_rseries *rs = &r->series[i];
		if (i > 0)
			buf_addch(b, ',');
		json_metric(b, rs, name);
		if (matrix) {
			buf_adds(b, "\"values\":[");
			for (j = 0; j < rs->n; j++) {
				if (j > 0)
					buf_addch(b, ',');
				json_value(b, rs->t[j], rs->v[j]);
			}
			buf_addch(b, ']');
		} else {
			buf_adds(b, "\"value\":");
			json_value(b, rs->t[0], rs->v[0]);
		}
		buf_addch(b, '}');
		if (b->len >= CHUNK && flush(fp, b, eb) == -1)
			return -1;
	}
	buf_adds(b, "]}\n");
	return flush(fp, b, eb);
}

static void
om_value(struct buf *b, double v)
{
	char num[NUMBER_BUFSZ];

	if (isnan(v))
		buf_adds(b, "NaN");
	else if (isinf(v))
		buf_adds(b, v > 0 ? "+Inf" : "-Inf");
	else
		buf_add(b, num, number_format(num, v));
}

int
promql_om_series(struct buf *out, const struct sample *m, const int64_t *ts,
    const double *v, size_t n, struct errbuf *eb)
{
	struct buf head = BUF_INIT;
	size_t i, j;

	if (!metric_name_is_prom(m->name, m->name_len))
		return errbuf_set(eb, "metric name '%.*s' cannot be written in OpenMetrics",
		    (int)m->name_len, m->name);
	buf_add(&head, m->name, m->name_len);
	for (i = 0; i < m->nlabels; i++) {
		const struct label *l = &m->labels[i];
		buf_addch(&head, i ? ',' : '{');
		buf_add(&head, l->name, l->name_len);
		buf_adds(&head, "=\"");
		for (j = 0; j < l->value_len; j++) {
			char c = l->value[j];
			if (c == '"' || c == '\\')
				buf_addch(&head, '\\');
			if (c == '\n')
				buf_adds(&head, "\\n");
			else
				buf_addch(&head, c);
		}
		buf_addch(&head, '"');
	}
	if (m->nlabels)
		buf_addch(&head, '}');
	for (i = 0; i < n; i++) {
		buf_add(out, head.p, head.len);
		buf_addch(out, ' ');
		om_value(out, v[i]);
		buf_addch(out, ' ');
		promql_format_time(out, ts[i]);
		buf_addch(out, '\n');
	}
	buf_release(&head);
	return 0;
}

struct table_out {
	FILE *fp;
	struct buf *b;
};

static int
table_flush(void *arg, struct errbuf *eb)
{
	struct table_out *t = arg;

	return flush(t->fp, t->b, eb);
}

/* What a table's TREND column draws: promql_result_write_trend(). */
struct trend_col {
	const struct promql_result *r;
	int64_t t0, t1;
	size_t width;
};

/*
 * Number the series of 'r' by their text ('name' as the table has it)
 * in a new map, its numbers those of the series.  A repeated text (not
 * in a result) keeps the first series.
 */
static struct strmap *
series_map(const struct promql_result *r, const char *name, struct buf *st)
{
	struct strmap *m = strmap_new();
	size_t i;

	for (i = 0; i < r->n; i++) {
		buf_reset(st);
		series_text(st, &r->series[i], name);
		strmap_intern(m, st->p, st->len, strmap_hash(st->p, st->len),
		    NULL);
	}
	return m;
}

/*
 * Add the TREND cell of the series 'rs': the sparkline of the points of
 * the series of tc->r with its text (a scalar's is "{}" there too),
 * found in 'm'; blank when there is none.  'tmp' is scratch.
 */
static void
trend_cell(struct render_table *t, struct buf *tmp,
    const struct trend_col *tc, const struct strmap *m,
    const struct promql_rseries *rs, const char *name)
{
	long id;

	buf_reset(tmp);
	series_text(tmp, rs, name);
	id = strmap_find(m, tmp->p, tmp->len, strmap_hash(tmp->p, tmp->len));
	buf_reset(tmp);
	if (id >= 0) {
		const struct promql_rseries *ts = &tc->r->series[id];
		chart_sparkline(tmp, ts->t, ts->v, ts->n, tc->t0, tc->t1,
		    tc->width);
	}
	while (tmp->len && tmp->p[tmp->len - 1] == ' ')
		tmp->len--;	/* the last column: no trailing blanks */
	render_table_cell(t, tmp->len ? tmp->p : "", tmp->len);
}

/*
 * A table: every row first, to align the columns; with 'tc', the
 * TREND of each series last.
 */
static int
write_table(FILE *fp, struct buf *b, const struct promql_result *r,
    const char *name, const struct trend_col *tc, struct errbuf *eb)
{
	static const char *const heads[4] = { "SERIES", "TIME", "VALUE",
		"TREND" };
	struct render_table t;
	struct table_out to = { fp, b };
	struct buf st = BUF_INIT, num = BUF_INIT;
	struct strmap *trend = tc ? series_map(tc->r, name, &st) : NULL;
	size_t i, j;
	int rc;

	render_table_init(&t, tc ? 4 : 3, 1u << 2, heads);
	for (i = 0; i < r->n; i++) {
		const struct promql_rseries *rs = &r->series[i];
		buf_reset(&st);
		if (r->type == PROMQL_TYPE_SCALAR && !r->range && name == NULL)
			buf_adds(&st, "scalar");
		else
			series_text(&st, rs, name);
		for (j = 0; j < rs->n; j++) {
			char tb[TS_BUFSZ];
			size_t tl = ts_format_local(tb, rs->t[j]);
			buf_reset(&num);
			pformat_float(&num, rs->v[j]);
			render_table_cell(&t, st.p, st.len);
			render_table_cell(&t, tb, tl);
			render_table_cell(&t, num.p, num.len);
			if (trend)
				trend_cell(&t, &num, tc, trend, rs, name);
		}
	}
	rc = render_table_write(&t, b, table_flush, &to, eb);
	if (rc == 0)
		rc = flush(fp, b, eb);
	strmap_free(trend);
	render_table_release(&t);
	buf_release(&st);
	buf_release(&num);
	return rc;
}

int
promql_result_write(FILE *fp, const struct promql_result *r,
    enum query_format f, const char *name, struct errbuf *eb)
{
	struct buf b = BUF_INIT, st = BUF_INIT;
	struct label labels[METRIC_LABELS_MAX];
	struct sample m;
	const char *last = NULL;
	size_t i, j;
	int rc = -1;

	if (r->type == PROMQL_TYPE_STRING && f != QUERY_FMT_PROM_JSON) {
		if (f == QUERY_FMT_JSONL || f == QUERY_FMT_OPENMETRICS) {
			errbuf_set(eb, "a string result cannot be written as %s",
			    f == QUERY_FMT_JSONL ? "jsonl" : "openmetrics");
			goto out;
		}
		buf_add(&b, r->string, r->string_len);
		buf_addch(&b, '\n');
		rc = flush(fp, &b, eb);
		goto out;
	}
	switch (f) {
	case QUERY_FMT_PROM_JSON:
		rc = write_prom_json(fp, &b, r, name, eb);
		goto out;
	case QUERY_FMT_TABLE:
		rc = write_table(fp, &b, r, name, NULL, eb);
		goto out;
	case QUERY_FMT_CHART: {
		struct chart_opts co = CHART_OPTS_INIT;
		rc = chart_write(fp, chart_render, r, name, &co, eb);
		goto out;
	}
	case QUERY_FMT_SVG: {
		struct chart_opts co = CHART_OPTS_INIT;
		co.width = CHART_SVG_WIDTH;
		co.height = CHART_SVG_HEIGHT;
		rc = chart_write(fp, chart_svg, r, name, &co, eb);
		goto out;
	}
	case QUERY_FMT_CSV:
		buf_adds(&b, "series,timestamp,value\n");
		for (i = 0; i < r->n; i++) {
			const struct promql_rseries *rs = &r->series[i];
			buf_reset(&st);
			series_text(&st, rs, name);
			for (j = 0; j < rs->n; j++) {
				render_csv_field(&b, st.p, st.len);
				buf_addf(&b, ",%lld,", (long long)rs->t[j]);
				pformat_float(&b, rs->v[j]);
				buf_addch(&b, '\n');
			}
			if (b.len >= CHUNK && flush(fp, &b, eb) == -1)
				goto out;
		}
		rc = flush(fp, &b, eb);
		goto out;
	case QUERY_FMT_JSONL:
	case QUERY_FMT_OPENMETRICS:
		for (i = 0; i < r->n; i++) {
			const struct promql_rseries *rs = &r->series[i];
			const char *nm = series_name(rs, name);
			/*
			 * A stream line may go without a name, to be read (by
			 * grep, jq, awk) but not stored: mstore refuses it.
			 */
			if (nm == NULL && f == QUERY_FMT_OPENMETRICS) {
				no_name(rs, eb);
				goto out;
			}
			series_sample(rs, nm, &m, labels);
			if (f == QUERY_FMT_OPENMETRICS) {
				if (last == NULL || strcmp(last, nm) != 0)
					buf_addf(&b, "# TYPE %s unknown\n", nm);
				last = nm;
				if (promql_om_series(&b, &m, rs->t, rs->v, rs->n,
				    eb) == -1)
					goto out;
			} else {
				m.has_ts = 1;
				for (j = 0; j < rs->n; j++) {
					m.ts = rs->t[j];
					m.value = rs->v[j];
					jsonl_format(&b, &m);
				}
			}
			if (b.len >= CHUNK && flush(fp, &b, eb) == -1)
				goto out;
		}
		if (f == QUERY_FMT_OPENMETRICS)
			buf_adds(&b, "# EOF\n");
		rc = flush(fp, &b, eb);
		goto out;
	}
out:
	buf_release(&b);
	buf_release(&st);
	if (rc == 0 && fflush(fp) == EOF)
		rc = errbuf_set(eb, "write error: %s", strerror(errno));
	return rc;
}

int
promql_result_write_trend(FILE *fp, const struct promql_result *r,
    const struct promql_result *trend, int64_t t0, int64_t t1,
    size_t width, const char *name, struct errbuf *eb)
{
	struct trend_col tc = { trend, t0, t1, width };
	struct buf b = BUF_INIT;
	int rc;

	rc = write_table(fp, &b, r, name, &tc, eb);
	buf_release(&b);
	if (rc == 0 && fflush(fp) == EOF)
		rc = errbuf_set(eb, "write error: %s", strerror(errno));
	return rc;
}
