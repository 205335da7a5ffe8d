/* query.c - the parts query_run() puts together: raw reads, listings, PromQL */
/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/strmap.h"
#include "stream/jsonl.h"
#include "promql/promql_parse.h"
#include "query/query_int.h"
#include "query/render.h"
#include "query/output.h"
#include "query/promql_output.h"
#include "base/timeparse.h"
#include "store/tier.h"
#include "stream/series.h"
#include "base/xalloc.h"

struct selector {
	const struct matcher *m;
	size_t n;
};

static int
cmp_strp(const void *a, const void *b)
{
	const char *const *x = a, *const *y = b;

	return strcmp(*x, *y);
}

/* Write the strings of 'set' to 'out', sorted, one per line. */
static int
write_sorted(const struct strmap *set, struct output *out, struct errbuf *eb)
{
	size_t n = strmap_count(set), i;
	const char **v = xmalloc((n ? n : 1) * sizeof(*v));
	int rc = 0;

	for (i = 0; i < n; i++)
		v[i] = strmap_str(set, (uint32_t)i, NULL);
	qsort(v, n, sizeof(*v), cmp_strp);
	for (i = 0; i < n && rc == 0; i++)
		rc = output_text(out, v[i], strlen(v[i]), eb);
	free(v);
	return rc;
}

/*
 * Label names or values, from the store's index where it can: sorted,
 * each once.
 */
static int
query_labels(struct store_reader *r, const struct query_opts *o,
    const struct selector *sel, struct output *out, struct errbuf *eb)
{
	struct strmap *set = strmap_new();
	int rc = -1;

	if (store_labels(r, o->mode == QUERY_LABELS ? NULL : o->label, sel->m,
	    sel->n, set, eb) == 0)
		rc = write_sorted(set, out, eb);
	strmap_free(set);
	return rc;
}

/*
 * The metadata of an OpenMetrics family, before its first sample: a
 * counter's family is its name without "_total" (a counter named
 * otherwise is of unknown type there, as are mtk's observations), with
 * its help.
 */
static void
om_family(struct buf *b, const struct sample *m)
{
	size_t fl = m->name_len, i;
	const char *type = "unknown";

	if (m->type == METRIC_GAUGE) {
		type = "gauge";
	} else if (m->type == METRIC_COUNTER && fl > 6 &&
	    memcmp(m->name + fl - 6, "_total", 6) == 0) {
		type = "counter";
		fl -= 6;
	}
	buf_adds(b, "# TYPE ");
	buf_add(b, m->name, fl);
	buf_addch(b, ' ');
	buf_adds(b, type);
	buf_addch(b, '\n');
	if (m->help_len == 0)
		return;
	buf_adds(b, "# HELP ");
	buf_add(b, m->name, fl);
	buf_addch(b, ' ');
	for (i = 0; i < m->help_len; i++) {
		if (m->help[i] == '\\' || m->help[i] == '"')
			buf_addch(b, '\\');
		if (m->help[i] == '\n')
			buf_adds(b, "\\n");
		else
			buf_addch(b, m->help[i]);
	}
	buf_addch(b, '\n');
}

static int
om_flush(FILE *fp, struct buf *b, struct errbuf *eb)
{
	if (b->len && fwrite(b->p, 1, b->len, fp) != b->len)
		return errbuf_set(eb, "write error: %s", strerror(errno));
	buf_reset(b);
	return 0;
}

int
query_store(struct store *st, const struct query_opts *o, FILE *fp,
    struct errbuf *eb)
{
	struct promql_node *sel = NULL;
	struct store_reader *r = NULL;
	struct store_iter *it = NULL;
	struct output *out = output_new(fp, o->format);
	struct selector ctx = { NULL, 0 };
	struct label labels[METRIC_LABELS_MAX];
	struct store_series ss;
	struct buf line = BUF_INIT, om = BUF_INIT;
	int rc = -1, n;

	if (o->selector) {
		if (promql_parse_selector(o->selector, &sel, eb) == -1)
			goto out;
		ctx.m = sel->vs.matchers;
		ctx.n = sel->vs.nmatchers;
	}
	if ((r = tier_reader_open(st, &o->tier, o->start, o->end, NULL, NULL,
	    eb)) == NULL)
		goto out;
	if (o->mode == QUERY_LABELS || o->mode == QUERY_LABEL_VALUES) {
		if (query_labels(r, o, &ctx, out, eb) == 0)
			rc = output_finish(out, eb);
		goto out;
	}
	if ((it = store_select(r, ctx.m, ctx.n, eb)) == NULL)
		goto out;
	while ((n = store_iter_next(it, &ss, eb)) == 1) {
		struct sample m = { .type = ss.type, .unit = ss.unit,
			.help = ss.help };
		if (series_key_decode(ss.key, ss.keylen, &m, labels) == -1) {
			errbuf_set(eb, "corrupt series key in the store");
			goto out;
		}
		m.unit_len = m.unit ? strlen(m.unit) : 0;
		m.help_len = m.help ? strlen(m.help) : 0;
		switch (o->mode) {
		case QUERY_ANSWER:
			if (o->format != QUERY_FMT_OPENMETRICS) {
				if (output_series(out, &m, ss.ts, ss.v, ss.n,
				    eb) == -1)
					goto out;
				break;
			}
			/* Series come by name: each family's together. */
			if (line.len == 0 || line.len != m.name_len + 1 ||
			    memcmp(line.p, m.name, m.name_len) != 0) {
				buf_reset(&line);
				buf_add(&line, m.name, m.name_len + 1);
				om_family(&om, &m);
			}
			if (promql_om_series(&om, &m, ss.ts, ss.v, ss.n,
			    eb) == -1 || (om.len >= 65536 &&
			    om_flush(fp, &om, eb) == -1))
				goto out;
			break;
		case QUERY_SERIES:
			buf_reset(&line);
			if (o->format == QUERY_FMT_JSONL)
				render_series_json(&line, &m);
			else
				render_series(&line, &m);
			if (output_text(out, line.p, line.len, eb) == -1)
				goto out;
			break;
		default:
			break;	/* query_labels() */
		}
	}
	if (n == -1)
		goto out;
	if (o->format == QUERY_FMT_OPENMETRICS) {
		buf_adds(&om, "# EOF\n");
		if (om_flush(fp, &om, eb) == -1)
			goto out;
	}
	rc = output_finish(out, eb);
out:
	buf_release(&om);
	buf_release(&line);
	output_free(out);
	store_iter_free(it);
	store_reader_close(r);
	promql_free(sel);
	return rc;
}

int
query_eval(const struct promql_source *src, const struct query_eval_opts *o,
    FILE *fp, struct errbuf *eb)
{
	struct promql_node *expr = NULL;
	struct promql_result *r = NULL;
	int rc = -1;

	if (promql_parse(o->expr, &expr, eb) == -1)
		goto out;
	if ((r = promql_eval(expr, src, &o->eval, eb)) == NULL)
		goto out;
	if (o->format == QUERY_FMT_CHART && o->chart)
		rc = chart_write(fp, chart_render, r, o->name, o->chart, eb);
	else if (o->format == QUERY_FMT_SVG && o->chart)
		rc = chart_write(fp, chart_svg, r, o->name, o->chart, eb);
	else
		rc = promql_result_write(fp, r, o->format, o->name, eb);
out:
	promql_result_free(r);
	promql_free(expr);
	return rc;
}

/* Collects raw series from a source for query_raw(). */
struct raw_ctx {
	FILE *fp;
	enum query_format format;
	struct output *out;
	struct buf om;
	struct errbuf *eb;
	int failed;
};

static int
raw_emit(void *arg, const char *key, size_t keylen, const int64_t *ts,
    const double *v, size_t n, const struct promql_rows *rows)
{
	struct raw_ctx *c = arg;
	struct label labels[METRIC_LABELS_MAX];
	struct sample m = { .type = METRIC_GAUGE };

	(void)rows;
	if (series_key_decode(key, keylen, &m, labels) == -1) {
		c->failed = 1;
		return errbuf_set(c->eb, "corrupt series key");
	}
	if (c->format == QUERY_FMT_OPENMETRICS) {
		if (promql_om_series(&c->om, &m, ts, v, n, c->eb) == -1 ||
		    (c->om.len > 65536 && fwrite(c->om.p, 1, c->om.len,
		    c->fp) != c->om.len)) {
			c->failed = 1;
			return -1;
		}
		if (c->om.len > 65536)
			buf_reset(&c->om);
		return 0;
	}
	if (output_series(c->out, &m, ts, v, n, c->eb) == -1) {
		c->failed = 1;
		return -1;
	}
	return 0;
}

int
query_raw(const struct promql_source *src, const char *selector,
    int64_t start, int64_t end, enum query_format format, FILE *fp,
    struct errbuf *eb)
{
	struct promql_node *sel = NULL;
	struct raw_ctx c = { fp, format, NULL, BUF_INIT, eb, 0 };
	int rc = -1;

	if (promql_parse_selector(selector, &sel, eb) == -1)
		goto out;
	c.out = output_new(fp, format);
	if (src->select(src->ctx, sel->vs.matchers, sel->vs.nmatchers, start,
	    end, PROMQL_USE_VALUE, raw_emit, &c, eb) == -1 || c.failed)
		goto out;
	if (format == QUERY_FMT_OPENMETRICS) {
		buf_adds(&c.om, "# EOF\n");
		if (fwrite(c.om.p, 1, c.om.len, fp) != c.om.len ||
		    fflush(fp) == EOF) {
			errbuf_set(eb, "write error: %s", strerror(errno));
			goto out;
		}
		rc = 0;
	} else {
		rc = output_finish(c.out, eb);
	}
out:
	buf_release(&c.om);
	output_free(c.out);
	promql_free(sel);
	return rc;
}

static void
set_add(struct strmap *m, const char *s, size_t len)
{
	strmap_intern(m, s, len, strmap_hash(s, len), NULL);
}

/* What a listing over a source collects. */
struct listing {
	const struct query_opts *o;
	struct output *out;
	struct strmap *set;
	struct buf line;
	struct errbuf *eb;
	int failed;
};

static int
listing_emit(void *arg, const char *key, size_t keylen, const int64_t *ts,
    const double *v, size_t n, const struct promql_rows *rows)
{
	struct listing *c = arg;
	struct label labels[METRIC_LABELS_MAX];
	struct sample m = { .type = METRIC_GAUGE };
	size_t i;

	(void)ts, (void)v, (void)n, (void)rows;
	if (series_key_decode(key, keylen, &m, labels) == -1) {
		c->failed = 1;
		return errbuf_set(c->eb, "corrupt series key");
	}
	switch (c->o->mode) {
	case QUERY_SERIES:
		buf_reset(&c->line);
		if (c->o->format == QUERY_FMT_JSONL)
			render_series_json(&c->line, &m);
		else
			render_series(&c->line, &m);
		if (output_text(c->out, c->line.p, c->line.len, c->eb) == -1) {
			c->failed = 1;
			return -1;
		}
		break;
	case QUERY_LABELS:
		set_add(c->set, "__name__", 8);
		for (i = 0; i < m.nlabels; i++)
			set_add(c->set, m.labels[i].name,
			    m.labels[i].name_len);
		break;
	default:
		if (strcmp(c->o->label, "__name__") == 0) {
			set_add(c->set, m.name, m.name_len);
			break;
		}
		for (i = 0; i < m.nlabels; i++)
			if (strcmp(m.labels[i].name, c->o->label) == 0)
				set_add(c->set, m.labels[i].value,
				    m.labels[i].value_len);
		break;
	}
	return 0;
}

int
query_listing(const struct promql_source *src, const struct query_opts *o,
    FILE *fp, struct errbuf *eb)
{
	struct promql_node *sel = NULL;
	struct listing c = { o, output_new(fp, o->format), strmap_new(),
		BUF_INIT, eb, 0 };
	int rc = -1;

	if (o->selector && promql_parse_selector(o->selector, &sel, eb) == -1)
		goto out;
	if (src->select(src->ctx, sel ? sel->vs.matchers : NULL,
	    sel ? sel->vs.nmatchers : 0, o->start, o->end, PROMQL_USE_VALUE,
	    listing_emit, &c, eb) == -1 || c.failed)
		goto out;
	if (write_sorted(c.set, c.out, eb) == 0)
		rc = output_finish(c.out, eb);
out:
	buf_release(&c.line);
	strmap_free(c.set);
	output_free(c.out);
	promql_free(sel);
	return rc;
}

int
query_names(struct store *st, const struct promql_source *stream,
    const struct query_request *rq, struct strmap *out, struct errbuf *eb)
{
	struct query_opts o = { rq->what, rq->expr, rq->label, rq->start,
		rq->end, QUERY_FMT_JSONL, rq->tier };
	struct listing c = { &o, NULL, out, BUF_INIT, eb, 0 };
	struct promql_node *sel = NULL;
	struct store_reader *r = NULL;
	const struct matcher *m = NULL;
	size_t n = 0;
	int rc = -1;

	if (rq->what != QUERY_LABELS && rq->what != QUERY_LABEL_VALUES)
		return errbuf_set(eb, "query_names: labels or their values only");
	if ((st == NULL) == (stream == NULL))
		return errbuf_set(eb, "a query reads a store or a stream");
	if (rq->expr) {
		if (promql_parse_selector(rq->expr, &sel, eb) == -1)
			return -1;
		m = sel->vs.matchers;
		n = sel->vs.nmatchers;
	}
	if (st == NULL) {
		if (stream->select(stream->ctx, m, n, rq->start, rq->end,
		    PROMQL_USE_VALUE, listing_emit, &c, eb) == 0 && !c.failed)
			rc = 0;
	} else if ((r = tier_reader_open(st, &rq->tier, rq->start, rq->end,
	    NULL, NULL, eb)) != NULL) {
		rc = store_labels(r, rq->what == QUERY_LABELS ? NULL :
		    rq->label, m, n, out, eb);
	}
	buf_release(&c.line);
	store_reader_close(r);
	promql_free(sel);
	return rc;
}

/* Whether 's' is of 'tenant' (any, when NULL). */
static int
of_tenant(const struct sample *s, const char *tenant)
{
	size_t i, n;

	if (tenant == NULL)
		return 1;
	n = strlen(tenant);
	for (i = 0; i < s->nlabels; i++)
		if (strcmp(s->labels[i].name, "tenant") == 0)
			return s->labels[i].value_len == n &&
			    memcmp(s->labels[i].value, tenant, n) == 0;
	return 0;
}

int
query_load_stream(struct promql_memsrc *ms, const char *path,
    const char *tenant, int strict, query_warn_fn warn, void *arg,
    uint64_t *bad, struct errbuf *eb)
{
	struct jsonl_reader *r;
	struct sample s;
	struct buf key = BUF_INIT;
	int n, rc = -1;

	if ((r = jsonl_reader_open(path, 0, eb)) == NULL)
		return -1;
	while ((n = jsonl_next(r, &s, eb)) != 0) {
		if (n == -1) {
			if (jsonl_reader_failed(r) || strict)
				goto out;
			(*bad)++;
			if (warn)
				warn(arg, eb->msg);
			continue;
		}
		if (!of_tenant(&s, tenant))
			continue;
		buf_reset(&key);
		series_key(&key, &s);
		promql_memsrc_add(ms, key.p, key.len, s.ts, s.value);
	}
	rc = 0;
out:
	buf_release(&key);
	jsonl_reader_free(r);
	return rc;
}

int
query_input_open(struct query_input *in, const struct query_input_opts *o,
    uint64_t *bad, struct errbuf *eb)
{
	memset(in, 0, sizeof(*in));
	in->newest = INT64_MIN;
	if (o->tenant && *o->tenant == '\0')
		return errbuf_set(eb, "an empty tenant");
	if (o->file == NULL) {
		if ((in->st = store_open(o->dir, 0, eb)) == NULL)
			return -1;
		if (store_settings(in->st)->unknown && o->warn)
			o->warn(o->warn_arg, store_settings(in->st)->unknown);
		if (o->tenant && store_restrict(in->st, "tenant", o->tenant,
		    eb) == -1) {
			query_input_close(in);
			return -1;
		}
		return 0;
	}
	in->ms = promql_memsrc_new();
	if (query_load_stream(in->ms, o->file, o->tenant, o->strict, o->warn,
	    o->warn_arg, bad, eb) == -1) {
		query_input_close(in);
		return -1;
	}
	if (promql_memsrc_samples(in->ms) > 0)
		in->newest = promql_memsrc_newest(in->ms);
	promql_memsrc_source(in->ms, &in->src);
	return 0;
}

const struct promql_source *
query_input_stream(const struct query_input *in)
{
	return in->ms ? &in->src : NULL;
}

void
query_input_close(struct query_input *in)
{
	store_close(in->st);
	promql_memsrc_free(in->ms);
	memset(in, 0, sizeof(*in));
}
