/* ruletest.c - rule unit tests in promtool's format */
/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alert/alert.h"
#include "alert/rules.h"
#include "alert/ruletest.h"
#include "base/yamldoc.h"
#include "base/buf.h"
#include "base/number.h"
#include "base/xalloc.h"
#include "promql/promql_parse.h"
#include "promql/promql_print.h"
#include "query/query.h"
#include "stream/metric.h"
#include "stream/series.h"

/* --- the values notation --- */

#define RULETEST_VALUES_MAX 1000000

static int
number(const char *s, size_t len, double *out)
{
	char tmp[64], *e;

	if (len == 0 || len >= sizeof(tmp))
		return -1;
	memcpy(tmp, s, len);
	tmp[len] = '\0';
	if (strcmp(tmp, "Inf") == 0 || strcmp(tmp, "+Inf") == 0) {
		*out = INFINITY;
		return 0;
	}
	if (strcmp(tmp, "-Inf") == 0) {
		*out = -INFINITY;
		return 0;
	}
	if (strcmp(tmp, "NaN") == 0) {
		*out = NAN;
		return 0;
	}
	*out = strtod(tmp, &e);
	return *e == '\0' && !strpbrk(tmp, "xXpPnNiI") ? 0 : -1;
}

static void
push(double **v, unsigned char **set, size_t *n, size_t *cap, double x,
    int is)
{
	if (*n == *cap) {
		*cap = *cap ? 2 * *cap : 16;
		if (*cap > RULETEST_VALUES_MAX + 1)
			*cap = RULETEST_VALUES_MAX + 1;
		*v = xreallocarray(*v, *cap, sizeof(**v));
		*set = xreallocarray(*set, *cap, sizeof(**set));
	}
	(*v)[*n] = x;
	(*set)[(*n)++] = (unsigned char)is;
}

int
ruletest_values(const char *s, double **v, unsigned char **set, size_t *n,
    char *why, size_t size)
{
	size_t cap = 0;
	const char *p = s;

	*v = NULL;
	*set = NULL;
	*n = 0;
	while (*p) {
		const char *w, *x, *sign = NULL, *q;
		size_t len;
		unsigned long long times = 0;
		double a, b = 0, stale;
		uint64_t bits = PROMQL_STALE_NAN_BITS;
		char *e;
		while (*p == ' ' || *p == '\t' || *p == '\n')
			p++;
		if (*p == '\0')
			break;
		w = p;
		while (*p && *p != ' ' && *p != '\t' && *p != '\n')
			p++;
		len = (size_t)(p - w);
		memcpy(&stale, &bits, 8);
		if (*n >= RULETEST_VALUES_MAX) {
			len = 0;
			goto bad;
		}
		if (len == 5 && memcmp(w, "stale", 5) == 0) {
			push(v, set, n, &cap, stale, 1);
			continue;
		}
		x = NULL;
		for (q = w; q < p; q++)
			if (*q == 'x')
				x = q;
		if (x != NULL) {
			errno = 0;
			times = strtoull(x + 1, &e, 10);
			/* A million values in all: a test of a day at 0.1 s. */
			if (x + 1 == p || e != p || errno ||
			    times > RULETEST_VALUES_MAX - *n)
				goto bad;
		}
		if (len == 1 && *w == '_') {
			push(v, set, n, &cap, 0, 0);
			continue;
		}
		if (x == w + 1 && *w == '_') {
			while (times-- > 0)
				push(v, set, n, &cap, 0, 0);
			continue;
		}
		if (x == NULL) {
			if (number(w, len, &a) == -1)
				goto bad;
			push(v, set, n, &cap, a, 1);
			continue;
		}
		/* a+bxn, a-bxn, axn: the sign after a's first character. */
		for (q = w + 1; q < x; q++)
			if ((*q == '+' || *q == '-') && q[-1] != 'e' && q[-1] != 'E')
				sign = q;
		if (sign == NULL) {
			if (number(w, (size_t)(x - w), &a) == -1)
				goto bad;
		} else if (number(w, (size_t)(sign - w), &a) == -1 ||
		    number(sign + 1, (size_t)(x - sign - 1), &b) == -1) {
			goto bad;
		} else if (*sign == '-') {
			b = -b;
		}
		for (unsigned long long k = 0; k <= times; k++)
			push(v, set, n, &cap, a + (double)k * b, 1);
		continue;
bad:
		snprintf(why, size, "%.*s", (int)(len < 60 ? len : 60), w);
		free(*v);
		free(*set);
		*v = NULL;
		*set = NULL;
		*n = 0;
		return -1;
	}
	return 0;
}

/* --- a test file --- */

struct report {
	FILE *out;
	const char *test;	/* the test's name, or "" */
	int failed;
};

static void __attribute__((format(printf, 2, 3)))
fail(struct report *rp, const char *fmt, ...)
{
	va_list ap;

	if (!rp->failed)
		fprintf(rp->out, "  FAILED:\n");
	rp->failed = 1;
	fprintf(rp->out, "    ");
	if (rp->test[0])
		fprintf(rp->out, "name: %s, ", rp->test);
	va_start(ap, fmt);
	vfprintf(rp->out, fmt, ap);
	va_end(ap);
	fputc('\n', rp->out);
}

/* A series in PromQL's notation, as a sorted label set text "a=b,c=d". */
static int
series_text(const char *s, struct buf *out, struct buf *key, struct errbuf *eb)
{
	struct promql_node *n = NULL;
	struct label labels[METRIC_LABELS_MAX];
	struct sample smp;
	const char *name = NULL;
	size_t i, nl = 0;

	buf_reset(out);
	if (key)
		buf_reset(key);
	if (*s == '\0' || strcmp(s, "{}") == 0)
		return 0;
	if (promql_parse_selector(s, &n, eb) == -1)
		return -1;
	for (i = 0; i < n->vs.nmatchers; i++) {
		const struct matcher *m = &n->vs.matchers[i];
		if (m->op != MATCHER_EQ) {
			promql_free(n);
			return errbuf_set(eb, "%s: only '=' in a series", s);
		}
		if (m->is_name) {
			name = m->value;
			continue;
		}
		if (nl == METRIC_LABELS_MAX || m->value_len == 0)
			continue;
		labels[nl].name = m->name;
		labels[nl].name_len = (uint32_t)m->name_len;
		labels[nl].value = m->value;
		labels[nl++].value_len = (uint32_t)m->value_len;
	}
	memset(&smp, 0, sizeof(smp));
	smp.name = name ? name : "";
	smp.name_len = strlen(smp.name);
	smp.labels = labels;
	smp.nlabels = nl;
	if (name && metric_check(&smp, eb) == -1) {
		promql_free(n);
		return -1;
	}
	if (!name) {
		/* A result without a name: sorted by hand. */
		for (i = 1; i < nl; i++)
			for (size_t j = i; j > 0 &&
			    strcmp(labels[j - 1].name, labels[j].name) > 0; j--) {
				struct label t = labels[j];
				labels[j] = labels[j - 1];
				labels[j - 1] = t;
			}
	}
	if (name) {
		buf_adds(out, "__name__=");
		buf_adds(out, name);
	}
	for (i = 0; i < smp.nlabels; i++) {
		if (out->len)
			buf_addch(out, ',');
		buf_add(out, smp.labels[i].name, smp.labels[i].name_len);
		buf_addch(out, '=');
		buf_add(out, smp.labels[i].value, smp.labels[i].value_len);
	}
	if (key && name)
		series_key(key, &smp);
	promql_free(n);
	return 0;
}

/* A mapping of strings as sorted "name=value,..." text ("" if none). */
static void
map_text(struct yamldoc *d, yaml_node_t *m, const char *extra_name,
    const char *extra_value, struct buf *out)
{
	struct tmpl_label l[256];
	size_t n = 0, i;
	yaml_node_pair_t *pr;

	if (m && m->type == YAML_MAPPING_NODE)
		for (pr = m->data.mapping.pairs.start;
		    pr < m->data.mapping.pairs.top && n < 255; pr++) {
			const char *k = yamldoc_scalar(yamldoc_node(d, pr->key));
			const char *v = yamldoc_scalar(yamldoc_node(d, pr->value));
			if (k && v) {
				l[n].name = k;
				l[n++].value = v;
			}
		}
	if (extra_name) {
		l[n].name = extra_name;
		l[n++].value = extra_value;
	}
	for (i = 1; i < n; i++)
		for (size_t j = i; j > 0 && strcmp(l[j - 1].name, l[j].name) > 0;
		    j--) {
			struct tmpl_label t = l[j];
			l[j] = l[j - 1];
			l[j - 1] = t;
		}
	buf_reset(out);
	for (i = 0; i < n; i++) {
		if (i)
			buf_addch(out, ',');
		buf_adds(out, l[i].name);
		buf_addch(out, '=');
		buf_adds(out, l[i].value);
	}
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static char *
buf_string(const struct buf *b)
{
	char *s = xmalloc(b->len + 1);

	memcpy(s, b->len ? b->p : "", b->len);
	s[b->len] = '\0';
	return s;
}

/* Two sorted lists of strings, and a message of both when they differ. */
static int
same_lists(char **a, size_t na, char **b, size_t nb, struct buf *msg)
{
	size_t i;

	if (na > 1)
		qsort(a, na, sizeof(*a), cmp_str);
	if (nb > 1)
		qsort(b, nb, sizeof(*b), cmp_str);
	buf_reset(msg);
	buf_adds(msg, "\n        exp: [");
	for (i = 0; i < na; i++)
		buf_addf(msg, "%s{%s}", i ? ", " : "", a[i]);
	buf_adds(msg, "]\n        got: [");
	for (i = 0; i < nb; i++)
		buf_addf(msg, "%s{%s}", i ? ", " : "", b[i]);
	buf_adds(msg, "]");
	if (na != nb)
		return 0;
	for (i = 0; i < na; i++)
		if (strcmp(a[i], b[i]) != 0)
			return 0;
	return 1;
}


/* Recording rules' samples go into the test's series. */
static int
mem_add(void *ctx, const struct sample *s, struct errbuf *eb)
{
	struct buf key = BUF_INIT;

	(void)eb;
	series_key(&key, s);
	promql_memsrc_add(ctx, key.p, key.len, s->ts, s->value);
	buf_release(&key);
	return 0;
}

static int
mem_commit(void *ctx, struct errbuf *eb)
{
	(void)ctx;
	(void)eb;
	return 0;
}

struct warn_ctx {
	struct report *rp;
	int64_t ts;
};

static void
rule_warn(void *arg, const char *msg)
{
	struct warn_ctx *w = arg;

	fail(w->rp, "rule failed at %llds: %s", (long long)(w->ts / 1000), msg);
}

/* A duration field of 'm' ('dflt' when absent). */
static int
duration(struct yamldoc *d, yaml_node_t *m, const char *name, int64_t dflt,
    int64_t *ms, struct report *rp)
{
	yaml_node_t *v = yamldoc_field(d, m, name);
	const char *s;

	*ms = dflt;
	if (v == NULL || yamldoc_is_null(v))
		return 0;
	if ((s = yamldoc_scalar(v)) == NULL || rules_duration(s, ms) == -1) {
		fail(rp, "%s: not a valid duration", name);
		return -1;
	}
	return 0;
}

struct alert_test {
	int64_t at;
	yaml_node_t *node;
};

static int
cmp_at(const void *a, const void *b)
{
	const struct alert_test *x = a, *y = b;

	return (x->at > y->at) - (x->at < y->at);
}

/* Check one alert_rule_test against the state now. */
static void
check_alerts(struct yamldoc *d, struct alert_test *t,
    const struct alert_state *st, struct report *rp)
{
	yaml_node_t *an = yamldoc_field(d, t->node, "alertname");
	const char *name = an ? yamldoc_scalar(an) : NULL;
	yaml_node_t *exp = yamldoc_field(d, t->node, "exp_alerts");
	struct alert_firing *f;
	struct buf a = BUF_INIT, b = BUF_INIT, msg = BUF_INIT;
	char **want = NULL, **got;
	size_t nwant = 0, ngot, i;
	yaml_node_item_t *it;

	if (name == NULL) {
		fail(rp, "an alert_rule_test without alertname");
		return;
	}
	if (exp && exp->type == YAML_SEQUENCE_NODE)
		for (it = exp->data.sequence.items.start;
		    it < exp->data.sequence.items.top; it++) {
			yaml_node_t *e = yamldoc_node(d, *it);
			map_text(d, yamldoc_field(d, e, "exp_labels"), "alertname",
			    name, &a);
			map_text(d, yamldoc_field(d, e, "exp_annotations"), NULL,
			    NULL, &b);
			buf_adds(&a, "} {");
			buf_add(&a, b.p, b.len);
			want = xreallocarray(want, nwant + 1, sizeof(*want));
			want[nwant++] = buf_string(&a);
		}
	f = alert_state_firing(st, name, &ngot);
	got = xcalloc(ngot + 1, sizeof(*got));
	for (i = 0; i < ngot; i++) {
		size_t k;
		buf_reset(&a);
		for (k = 0; k < f[i].nlabels; k++)
			buf_addf(&a, "%s%s=%s", k ? "," : "", f[i].labels[k].name,
			    f[i].labels[k].value);
		buf_adds(&a, "} {");
		for (k = 0; k < f[i].nannotations; k++)
			buf_addf(&a, "%s%s=%s", k ? "," : "",
			    f[i].annotations[k].name, f[i].annotations[k].value);
		got[i] = buf_string(&a);
	}
	if (!same_lists(want, nwant, got, ngot, &msg)) {
		buf_addch(&msg, '\0');
		fail(rp, "alertname: %s, time: %llds, %s", name,
		    (long long)(t->at / 1000), msg.p);
	}
	free(f);
	xfree_strv(want, nwant);
	xfree_strv(got, ngot);
	buf_release(&a);
	buf_release(&b);
	buf_release(&msg);
}

/* Check one promql_expr_test over the series as they are now. */
static void
check_expr(struct yamldoc *d, yaml_node_t *t, const struct promql_source *src,
    struct report *rp)
{
	struct query_request rq = QUERY_REQUEST_INIT;
	struct errbuf eb = ERRBUF_INIT;
	struct promql_result *r;
	yaml_node_t *exp = yamldoc_field(d, t, "exp_samples"), *v;
	struct buf a = BUF_INIT, msg = BUF_INIT;
	char **want = NULL, **got = NULL, num[NUMBER_BUFSZ];
	size_t nwant = 0, ngot = 0, i;
	const char *expr = yamldoc_field(d, t, "expr") ?
	    yamldoc_scalar(yamldoc_field(d, t, "expr")) : NULL;
	int64_t at;
	yaml_node_item_t *it;

	if (expr == NULL || duration(d, t, "eval_time", 0, &at, rp) == -1) {
		if (expr == NULL)
			fail(rp, "a promql_expr_test without expr");
		return;
	}
	if (exp && exp->type == YAML_SEQUENCE_NODE)
		for (it = exp->data.sequence.items.start;
		    it < exp->data.sequence.items.top; it++) {
			yaml_node_t *e = yamldoc_node(d, *it);
			const char *ls = yamldoc_field(d, e, "labels") ?
			    yamldoc_scalar(yamldoc_field(d, e, "labels")) : "";
			double val;
			v = yamldoc_field(d, e, "value");
			if (ls == NULL || v == NULL || yamldoc_scalar(v) == NULL ||
			    number(yamldoc_scalar(v), strlen(yamldoc_scalar(v)),
			    &val) == -1) {
				fail(rp, "expr: %s: a sample without labels or a "
				    "number as value", expr);
				goto out;
			}
			if (series_text(ls, &a, NULL, &eb) == -1) {
				fail(rp, "expr: %s: %s", expr, eb.msg);
				goto out;
			}
			number_format(num, val);
			buf_addf(&a, "} %s", num);
			want = xreallocarray(want, nwant + 1, sizeof(*want));
			want[nwant++] = buf_string(&a);
		}
	rq.expr = expr;
	rq.time = rq.start = rq.end = at;
	rq.given = QUERY_GIVEN_TIME | QUERY_GIVEN_STREAM;
	if ((r = query_result(NULL, src, &rq, &eb)) == NULL) {
		fail(rp, "expr: %s, time: %llds, err: %s", expr,
		    (long long)(at / 1000), eb.msg);
		goto out;
	}
	got = xcalloc(r->n + 1, sizeof(*got));
	for (i = 0; i < r->n; i++) {
		const struct promql_rseries *rs = &r->series[i];
		size_t k;
		if (rs->n == 0)
			continue;
		buf_reset(&a);
		for (k = 0; k < rs->nlabels; k++)
			buf_addf(&a, "%s%s=%s", k ? "," : "", rs->labels[k].name,
			    rs->labels[k].value);
		number_format(num, rs->v[rs->n - 1]);
		buf_addf(&a, "} %s", num);
		got[ngot++] = buf_string(&a);
	}
	promql_result_free(r);
	if (!same_lists(want, nwant, got, ngot, &msg)) {
		buf_addch(&msg, '\0');
		fail(rp, "expr: %s, time: %llds, %s", expr,
		    (long long)(at / 1000), msg.p);
	}
out:
	xfree_strv(want, nwant);
	xfree_strv(got, ngot);
	buf_release(&a);
	buf_release(&msg);
}

/* One test group of the file. */
static void
run_test(struct yamldoc *d, yaml_node_t *tg, const struct rule_set *rs,
    int64_t eval_ms, uint64_t max_evals, struct report *rp)
{
	struct promql_memsrc *ms = promql_memsrc_new();
	struct promql_source src;
	struct alert_state *st = alert_state_new();
	struct alert_opts ao;
	struct alert_stats stats;
	struct ingest_sink sink = { mem_add, mem_commit, NULL, NULL, NULL };
	struct tmpl_label ext[64];
	struct alert_test *at = NULL;
	size_t nat = 0, next = 0, next_n = 0;
	struct buf text = BUF_INIT, key = BUF_INIT;
	struct errbuf eb = ERRBUF_INIT;
	yaml_node_t *n;
	yaml_node_item_t *it;
	yaml_node_pair_t *pr;
	int64_t interval, maxt = 0, ts;
	FILE *events = fopen("/dev/null", "w");
	struct warn_ctx wc = { rp, 0 };

	if (events == NULL) {
		fail(rp, "cannot open /dev/null: %s", strerror(errno));
		goto out;
	}
	/*
	 * promtool 2.42 takes a missing interval for 0: every value at time
	 * 0, the first one stored (the others are duplicates it refuses).
	 */
	if (duration(d, tg, "interval", 0, &interval, rp) == -1)
		goto out;
	/* The input series, one value per interval from 0. */
	if ((n = yamldoc_field(d, tg, "input_series")) != NULL &&
	    n->type == YAML_SEQUENCE_NODE)
		for (it = n->data.sequence.items.start;
		    it < n->data.sequence.items.top; it++) {
			yaml_node_t *e = yamldoc_node(d, *it);
			const char *series = yamldoc_field(d, e, "series") ?
			    yamldoc_scalar(yamldoc_field(d, e, "series")) : NULL;
			const char *vals = yamldoc_field(d, e, "values") ?
			    yamldoc_scalar(yamldoc_field(d, e, "values")) : "";
			double *v;
			unsigned char *set;
			size_t nv, k;
			char why[80];
			if (series == NULL || vals == NULL ||
			    series_text(series, &text, &key, &eb) == -1 ||
			    key.len == 0) {
				fail(rp, "input series %s: %s", series ? series : "?",
				    eb.msg[0] ? eb.msg : "a series needs a name");
				goto out;
			}
			if (ruletest_values(vals, &v, &set, &nv, why,
			    sizeof(why)) == -1) {
				fail(rp, "input series %s: bad value '%s'", series,
				    why);
				goto out;
			}
			for (k = 0; k < nv; k++) {
				if (!set[k])
					continue;
				promql_memsrc_add(ms, key.p, key.len,
				    (int64_t)k * interval, v[k]);
				if (interval == 0)
					break;
			}
			free(v);
			free(set);
		}
	promql_memsrc_source(ms, &src);
	memset(&ao, 0, sizeof(ao));
	ao.interval_ms = eval_ms;
	ao.no_gaps = 1;
	ao.record = &sink;
	ao.limits = (struct promql_eval_opts)PROMQL_EVAL_OPTS_INIT;
	sink.ctx = ms;
	if ((n = yamldoc_field(d, tg, "external_labels")) != NULL &&
	    n->type == YAML_MAPPING_NODE)
		for (pr = n->data.mapping.pairs.start;
		    pr < n->data.mapping.pairs.top && ao.nexternal < 64; pr++) {
			const char *k = yamldoc_scalar(yamldoc_node(d, pr->key));
			const char *v = yamldoc_scalar(yamldoc_node(d, pr->value));
			if (k && v) {
				ext[ao.nexternal].name = k;
				ext[ao.nexternal++].value = v;
			}
		}
	ao.external = ext;
	if ((n = yamldoc_field(d, tg, "external_url")) != NULL)
		ao.external_url = yamldoc_scalar(n);
	/* The alert tests, by time; the last time to evaluate. */
	if ((n = yamldoc_field(d, tg, "alert_rule_test")) != NULL &&
	    n->type == YAML_SEQUENCE_NODE)
		for (it = n->data.sequence.items.start;
		    it < n->data.sequence.items.top; it++) {
			at = xreallocarray(at, nat + 1, sizeof(*at));
			at[nat].node = yamldoc_node(d, *it);
			if (duration(d, at[nat].node, "eval_time", 0, &at[nat].at,
			    rp) == -1)
				goto out;
			if (at[nat].at > maxt)
				maxt = at[nat].at;
			nat++;
		}
	if (nat)
		qsort(at, nat, sizeof(*at), cmp_at);
	if ((n = yamldoc_field(d, tg, "promql_expr_test")) != NULL &&
	    n->type == YAML_SEQUENCE_NODE)
		for (it = n->data.sequence.items.start;
		    it < n->data.sequence.items.top; it++) {
			int64_t t;
			if (duration(d, yamldoc_node(d, *it), "eval_time", 0, &t,
			    rp) == -1)
				goto out;
			if (t > maxt)
				maxt = t;
			next_n++;
		}
	if ((uint64_t)(maxt / eval_ms) >= max_evals) {
		buf_reset(&text);
		promql_print_duration(&text, maxt);
		fail(rp, "eval_time %.*s needs %llu evaluations of the rules, "
		    "more than the %llu allowed", (int)text.len, text.p,
		    (unsigned long long)(maxt / eval_ms) + 1,
		    (unsigned long long)max_evals);
		goto out;
	}
	/* Every evaluation interval from 0; the alert tests on the way. */
	for (ts = 0; ts <= maxt; ts += eval_ms) {
		memset(&stats, 0, sizeof(stats));
		ao.now = wc.ts = ts;
		if (alert_eval(rs, st, NULL, &src, &ao, events, &stats, rule_warn,
		    &wc, &eb) == -1) {
			fail(rp, "%s", eb.msg);
			goto out;
		}
		while (next < nat && at[next].at < ts + eval_ms) {
			if (at[next].at >= ts)
				check_alerts(d, &at[next], st, rp);
			next++;
		}
	}
	if (next_n) {
		n = yamldoc_field(d, tg, "promql_expr_test");
		for (it = n->data.sequence.items.start;
		    it < n->data.sequence.items.top; it++)
			check_expr(d, yamldoc_node(d, *it), &src, rp);
	}
out:
	if (events)
		fclose(events);
	free(at);
	buf_release(&text);
	buf_release(&key);
	alert_state_close(st);
	promql_memsrc_free(ms);
}

int
ruletest_run(const char *path, uint64_t max_evals, FILE *out)
{
	struct report rp = { out, "", 0 };
	struct yamldoc d;
	struct rule_set rs;
	yaml_node_t *n;
	yaml_node_item_t *it;
	char msg[512], dir[PATH_MAX];
	const char *slash = strrchr(path, '/');
	int64_t eval_ms = 60000;
	size_t i;

	memset(&rs, 0, sizeof(rs));
	fprintf(out, "Unit Testing:  %s\n", path);
	if (yamldoc_load(&d, path, msg, sizeof(msg)) == -1) {
		fail(&rp, "%s: %s", path, msg);
		return 1;
	}
	snprintf(dir, sizeof(dir), "%.*s", slash ? (int)(slash - path) : 1,
	    slash ? path : ".");
	if (d.root == NULL || d.root->type != YAML_MAPPING_NODE) {
		fail(&rp, "%s: not a test file (a mapping with rule_files and "
		    "tests)", path);
		goto out;
	}
	if (duration(&d, d.root, "evaluation_interval", 60000, &eval_ms,
	    &rp) == -1 || eval_ms <= 0)
		goto out;
	/* As promtool: the rules are read for the tests, and only then. */
	n = yamldoc_field(&d, d.root, "tests");
	if (n == NULL || n->type != YAML_SEQUENCE_NODE ||
	    n->data.sequence.items.start == n->data.sequence.items.top)
		goto out;
	if ((n = yamldoc_field(&d, d.root, "rule_files")) != NULL &&
	    n->type == YAML_SEQUENCE_NODE)
		for (it = n->data.sequence.items.start;
		    it < n->data.sequence.items.top; it++) {
			const char *f = yamldoc_scalar(yamldoc_node(&d, *it));
			char full[PATH_MAX];
			if (f == NULL)
				continue;
			snprintf(full, sizeof(full), "%s%s%s", *f == '/' ? "" : dir,
			    *f == '/' ? "" : "/", f);
			rules_load(&rs, full);
		}
	if (rs.nerrors) {
		for (i = 0; i < rs.nerrors; i++)
			fail(&rp, "%s", rs.errors[i]);
		goto out;
	}
	if ((n = yamldoc_field(&d, d.root, "tests")) != NULL &&
	    n->type == YAML_SEQUENCE_NODE)
		for (it = n->data.sequence.items.start;
		    it < n->data.sequence.items.top; it++) {
			yaml_node_t *tg = yamldoc_node(&d, *it);
			yaml_node_t *nm = yamldoc_field(&d, tg, "name");
			rp.test = nm && yamldoc_scalar(nm) ? yamldoc_scalar(nm) : "";
			run_test(&d, tg, &rs, eval_ms, max_evals, &rp);
		}
	rp.test = "";
out:
	if (!rp.failed)
		fprintf(out, "  SUCCESS\n");
	fputc('\n', out);
	rules_free(&rs);
	yamldoc_free(&d);
	return rp.failed;
}
