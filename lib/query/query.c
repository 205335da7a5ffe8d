/* query.c - answer a query: raw samples, series and labels, or PromQL */
/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "stream/jsonl.h"
#include "promql/promql_parse.h"
#include "query/query.h"
#include "store/tier.h"
#include "stream/series.h"
#include "base/xalloc.h"

struct selector {
	const struct matcher *m;
	size_t n;
};

/* A sorted set of strings, for label names and values. */
struct strset {
	char **v;
	size_t n, cap;
};

static void
strset_add(struct strset *s, const char *str, size_t len)
{
	s->v = xgrow(s->v, &s->cap, s->n + 1, sizeof(*s->v));
	s->v[s->n++] = xstrndup(str, len);
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int
strset_write(struct strset *s, struct output *out, struct errbuf *eb)
{
	size_t i;
	int rc = 0;

	qsort(s->v, s->n, sizeof(*s->v), cmp_str);
	for (i = 0; i < s->n && rc == 0; i++)
		if (i == 0 || strcmp(s->v[i], s->v[i - 1]) != 0)
			rc = output_text(out, s->v[i], strlen(s->v[i]), eb);
	/* Only now: each string was compared with the one before it. */
	for (i = 0; i < s->n; i++)
		free(s->v[i]);
	free(s->v);
	return rc;
}

/* The series as JSON, in the shape of Prometheus' series API. */
static void
series_json(struct buf *b, const struct sample *m)
{
	size_t i;

	buf_adds(b, "{\"__name__\":");
	jsonl_quote(b, m->name, m->name_len);
	for (i = 0; i < m->nlabels; i++) {
		buf_addch(b, ',');
		jsonl_quote(b, m->labels[i].name, m->labels[i].name_len);
		buf_addch(b, ':');
		jsonl_quote(b, m->labels[i].value, m->labels[i].value_len);
	}
	buf_addch(b, '}');
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
	struct strset set = { NULL, 0, 0 };
	struct store_series ss;
	struct buf line = BUF_INIT;
	size_t i;
	int rc = -1, n;

	if (o->selector) {
		if (promql_parse_selector(o->selector, &sel, eb) == -1)
			goto out;
		ctx.m = sel->vs.matchers;
		ctx.n = sel->vs.nmatchers;
	}
	if ((r = tier_reader_open(st, tier_get(st), o->start, o->end, NULL, NULL,
	    eb)) == NULL ||
	    (it = store_select(r, ctx.m, ctx.n, eb)) == NULL)
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
		case QUERY_SAMPLES:
			if (output_series(out, &m, ss.ts, ss.v, ss.n, eb) == -1)
				goto out;
			break;
		case QUERY_SERIES:
			buf_reset(&line);
			if (o->format == OUTPUT_JSONL)
				series_json(&line, &m);
			else
				output_series_name(&line, &m);
			if (output_text(out, line.p, line.len, eb) == -1)
				goto out;
			break;
		case QUERY_LABELS:
			strset_add(&set, "__name__", 8);
			for (i = 0; i < m.nlabels; i++)
				strset_add(&set, m.labels[i].name,
				    m.labels[i].name_len);
			break;
		case QUERY_LABEL_VALUES:
			if (strcmp(o->label, "__name__") == 0)
				strset_add(&set, m.name, m.name_len);
			for (i = 0; i < m.nlabels; i++)
				if (strcmp(m.labels[i].name, o->label) == 0)
					strset_add(&set, m.labels[i].value,
					    m.labels[i].value_len);
			break;
		}
	}
	if (n == -1)
		goto out;
	if ((o->mode == QUERY_LABELS || o->mode == QUERY_LABEL_VALUES) &&
	    strset_write(&set, out, eb) == -1) {
		set.v = NULL;
		goto out;
	}
	set.v = NULL;
	set.n = 0;
	rc = output_finish(out, eb);
out:
	for (i = 0; i < set.n; i++)
		free(set.v[i]);
	free(set.v);
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
	rc = promql_result_write(fp, r, o->format, o->name, eb);
out:
	promql_result_free(r);
	promql_free(expr);
	return rc;
}

/* Collects raw series from a source for query_raw(). */
struct raw_ctx {
	FILE *fp;
	enum promql_format format;
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
	if (c->format == PROMQL_FMT_OPENMETRICS) {
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

static enum output_format
plain_format(enum promql_format f)
{
	switch (f) {
	case PROMQL_FMT_CSV: return OUTPUT_CSV;
	case PROMQL_FMT_JSONL: return OUTPUT_JSONL;
	default: return OUTPUT_TABLE;
	}
}

int
query_raw(const struct promql_source *src, const char *selector,
    int64_t start, int64_t end, enum promql_format format, FILE *fp,
    struct errbuf *eb)
{
	struct promql_node *sel = NULL;
	struct raw_ctx c = { fp, format, NULL, BUF_INIT, eb, 0 };
	int rc = -1;

	if (promql_parse_selector(selector, &sel, eb) == -1)
		goto out;
	c.out = output_new(fp, plain_format(format));
	if (src->select(src->ctx, sel->vs.matchers, sel->vs.nmatchers, start,
	    end, PROMQL_USE_VALUE, raw_emit, &c, eb) == -1 || c.failed)
		goto out;
	if (format == PROMQL_FMT_OPENMETRICS) {
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

int
query_store_openmetrics(struct store *st, const struct query_opts *o,
    FILE *fp, struct errbuf *eb)
{
	struct promql_source src;

	promql_source_store(&src, st);
	return query_raw(&src, o->selector, o->start, o->end,
	    PROMQL_FMT_OPENMETRICS, fp, eb);
}

int
query_load_stream(struct promql_memsrc *ms, const char *path, int strict,
    query_warn_fn warn, void *arg, uint64_t *bad, struct errbuf *eb)
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
