/* t_promql_eval.c - the PromQL evaluator: staleness, windows, extrapolation, matching, NaN */
/* SPDX-License-Identifier: MIT */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "stream/metric.h"
#include "promql/promql_eval.h"
#include "query/promql_source.h"
#include "promql/promql_number.h"
#include "query/promql_output.h"
#include "promql/promql_parse.h"
#include "stream/series.h"
#include "tap.h"

/* Add samples to 'ms' for the series written as a selector: x{a="b"}. */
static void
add(struct promql_memsrc *ms, const char *sel, const double *tv, size_t n)
{
	struct promql_node *node = NULL;
	struct errbuf eb = ERRBUF_INIT;
	struct label labels[METRIC_LABELS_MAX];
	struct sample s = { 0 };
	struct buf key = BUF_INIT;
	size_t i, k = 0;

	if (promql_parse_selector(sel, &node, &eb) == -1) {
		printf("# bad selector %s: %s\n", sel, eb.msg);
		exit(1);
	}
	for (i = 0; i < node->vs.nmatchers; i++) {
		const struct matcher *m = &node->vs.matchers[i];
		if (strcmp(m->name, "__name__") == 0) {
			s.name = m->value;
			s.name_len = m->value_len;
			continue;
		}
		labels[k].name = m->name;
		labels[k].name_len = (uint32_t)strlen(m->name);
		labels[k].value = m->value;
		labels[k].value_len = (uint32_t)m->value_len;
		k++;
	}
	s.labels = labels;
	s.nlabels = k;
	if (metric_check(&s, &eb) == -1) {
		printf("# bad series %s: %s\n", sel, eb.msg);
		exit(1);
	}
	series_key(&key, &s);
	for (i = 0; i < n; i++)
		promql_memsrc_add(ms, key.p, key.len, (int64_t)(tv[2 * i] * 1000),
		    tv[2 * i + 1]);
	buf_release(&key);
	promql_free(node);
}

/* A label value as is, but for a NUL byte, written \x00. */
static void
label_value(struct buf *b, const struct promql_label *l)
{
	size_t i;

	for (i = 0; i < l->value_len; i++)
		if (l->value[i] == '\0')
			buf_adds(b, "\\x00");
		else
			buf_addch(b, l->value[i]);
}

/*
 * Evaluate 'q' as an instant query at 't' seconds (or a range query when
 * 'step' > 0, from 't' to 'end') and write the result compactly:
 * "{a=\"b\"} 1.5 | x 2" for a vector (points as t:v for a range query or
 * a matrix), "scalar 3", or "error: ...".
 */
static char out[4096];

static const char *
run(struct promql_memsrc *ms, const char *q, double t, double end, double step,
    uint64_t max_samples)
{
	struct promql_eval_opts o = PROMQL_EVAL_OPTS_INIT;
	struct promql_source src;
	struct promql_node *node = NULL;
	struct promql_result *r;
	struct errbuf eb = ERRBUF_INIT;
	struct buf b = BUF_INIT;
	size_t i, j, l;

	promql_memsrc_source(ms, &src);
	o.start = (int64_t)(t * 1000);
	o.end = step > 0 ? (int64_t)(end * 1000) : o.start;
	o.step = (int64_t)(step * 1000);
	o.max_samples = max_samples;
	if (promql_parse(q, &node, &eb) == -1 ||
	    (r = promql_eval(node, &src, &o, &eb)) == NULL) {
		snprintf(out, sizeof(out), "error: %s", eb.msg);
		promql_free(node);
		return out;
	}
	if (r->type == PROMQL_TYPE_SCALAR && !r->range) {
		buf_adds(&b, "scalar ");
		pformat_float(&b, r->series[0].v[0]);
	}
	for (i = 0; r->type != PROMQL_TYPE_SCALAR || r->range ? i < r->n : 0; i++) {
		const struct promql_rseries *s = &r->series[i];
		if (i > 0)
			buf_adds(&b, " | ");
		buf_addch(&b, '{');
		for (l = 0; l < s->nlabels; l++) {
			buf_addf(&b, "%s%s=\"", l ? "," : "", s->labels[l].name);
			label_value(&b, &s->labels[l]);
			buf_addch(&b, '"');
		}
		buf_addch(&b, '}');
		for (j = 0; j < s->n; j++) {
			buf_addch(&b, ' ');
			if (r->range || r->type == PROMQL_TYPE_MATRIX) {
				promql_format_time(&b, s->t[j]);
				buf_addch(&b, ':');
			}
			pformat_float(&b, s->v[j]);
		}
	}
	snprintf(out, sizeof(out), "%s", b.p ? b.p : "");
	buf_release(&b);
	promql_result_free(r);
	promql_free(node);
	return out;
}

#define at(ms, q, t) run(ms, q, t, 0, 0, 0)
#define range(ms, q, s, e, st) run(ms, q, s, e, st, 0)

static void
test_staleness(void)
{
	struct promql_memsrc *ms = promql_memsrc_new();
	double stale, tv[10];
	uint64_t bits = PROMQL_STALE_NAN_BITS;

	memcpy(&stale, &bits, sizeof(stale));
	tv[0] = 0; tv[1] = 1;
	tv[2] = 15; tv[3] = 2;
	tv[4] = 30; tv[5] = 3;
	tv[6] = 45; tv[7] = stale;
	tv[8] = 120; tv[9] = 5;
	add(ms, "x{a=\"1\"}", tv, 5);
	is_str(at(ms, "x", 44), "{__name__=\"x\",a=\"1\"} 3", "before the marker: the last value");
	is_str(at(ms, "x", 45), "", "a stale marker ends the series");
	is_str(at(ms, "x", 100), "", "and the lookback does not reach behind it");
	is_str(at(ms, "x", 120), "{__name__=\"x\",a=\"1\"} 5", "a new sample revives it");
	is_str(at(ms, "count_over_time(x[1m])", 60), "{a=\"1\"} 3",
	    "range selectors skip the marker");
	is_str(at(ms, "x[1m]", 60), "{__name__=\"x\",a=\"1\"} 0:1 15:2 30:3",
	    "a matrix leaves the marker out");
	is_str(range(ms, "x", 0, 150, 30), "{__name__=\"x\",a=\"1\"} 0:1 30:3 120:5 150:5",
	    "a range query shows the gap");
	promql_memsrc_free(ms);
}

static void
test_windows(void)
{
	struct promql_memsrc *ms = promql_memsrc_new();
	static const double tv[] = { 0, 0, 15, 1, 30, 2, 45, 3, 60, 4 };

	add(ms, "g", tv, 5);
	is_str(at(ms, "g", 300), "{__name__=\"g\"} 4", "lookback: a sample 5m old is found");
	is_str(at(ms, "g", 360), "{__name__=\"g\"} 4", "lookback: 5m after the last sample");
	is_str(at(ms, "g", 360.001), "", "lookback: not a millisecond more");
	is_str(at(ms, "count_over_time(g[1m])", 60), "{} 5",
	    "a range includes both ends");
	is_str(at(ms, "count_over_time(g[1m])", 60.001), "{} 4",
	    "and drops a sample just outside");
	is_str(at(ms, "g offset 30s", 40), "{__name__=\"g\"} 0", "offset");
	is_str(at(ms, "g @ 31", 1000), "{__name__=\"g\"} 2", "@ pins the time");
	is_str(range(ms, "g @ start()", 30, 90, 30),
	    "{__name__=\"g\"} 30:2 60:2 90:2", "@ start() in a range query");
	is_str(range(ms, "g @ end()", 30, 90, 30),
	    "{__name__=\"g\"} 30:4 60:4 90:4", "@ end() in a range query");
	is_str(at(ms, "count_over_time(vector(1)[2m:1m])", 125), "{} 2",
	    "subquery steps align to multiples of the step");
	is_str(at(ms, "g[1m:15s]", 50), "{__name__=\"g\"} 0:0 15:1 30:2 45:3",
	    "subquery points are the inner expression at each step");
	is_str(at(ms, "timestamp(g)", 50), "{} 45", "timestamp() of a selector: the sample's");
	is_str(at(ms, "timestamp(g + 0)", 50), "{} 50", "timestamp() of an expression: the time");
	is_str(range(ms, "g", 10, 40, 15), "{__name__=\"g\"} 10:0 25:1 40:2",
	    "a range query steps from the start");
	promql_memsrc_free(ms);
}

static void
test_rate(void)
{
	struct promql_memsrc *ms = promql_memsrc_new();
	static const double even[] = { 0, 0, 15, 15, 30, 30, 45, 45, 60, 60 };
	static const double inner[] = { 10, 10, 25, 25, 40, 40, 55, 55 };
	static const double late[] = { 40, 100, 55, 115 };
	static const double reset[] = { 0, 10, 15, 20, 30, 5, 45, 15 };
	static const double gauge[] = { 0, 50, 15, 40, 30, 30 };
	static const double one[] = { 30, 5 };

	add(ms, "c{s=\"even\"}", even, 5);
	add(ms, "c{s=\"inner\"}", inner, 4);
	add(ms, "c{s=\"late\"}", late, 2);
	add(ms, "c{s=\"reset\"}", reset, 4);
	add(ms, "c{s=\"one\"}", one, 1);
	add(ms, "gauge", gauge, 3);
	is_str(at(ms, "rate(c{s=\"even\"}[1m])", 60), "{s=\"even\"} 1",
	    "rate over a full window");
	is_str(at(ms, "increase(c{s=\"inner\"}[1m])", 60), "{s=\"inner\"} 60",
	    "extrapolated to both ends when close to them");
	is_str(at(ms, "increase(c{s=\"late\"}[1m])", 60), "{s=\"late\"} 27.5",
	    "only half an interval when far from the start");
	is_str(at(ms, "increase(c{s=\"reset\"}[1m])", 45), "{s=\"reset\"} 33.33333333333333",
	    "a counter reset adds the value before it");
	is_str(at(ms, "resets(c{s=\"reset\"}[1m])", 45), "{s=\"reset\"} 1", "resets");
	is_str(at(ms, "increase(c{s=\"one\"}[1m])", 45), "", "one sample: no rate");
	is_str(at(ms, "delta(gauge[1m])", 30), "{} -25",
	    "delta extrapolates a gauge below its values");
	is_str(at(ms, "irate(c{s=\"reset\"}[1m])", 45), "{s=\"reset\"} 0.6666666666666666",
	    "irate: the last two samples");
	is_str(at(ms, "idelta(gauge[1m])", 30), "{} -10", "idelta");
	is_str(at(ms, "deriv(c{s=\"even\"}[1m])", 60), "{s=\"even\"} 1", "deriv");
	is_str(at(ms, "predict_linear(c{s=\"even\"}[1m], 60)", 60),
	    "{s=\"even\"} 120", "predict_linear");
	{
		/* Windows with and without a reset, as a range slides. */
		static const double r2[] = { 0, 10, 15, 20, 30, 5, 45, 15,
		    60, 25, 75, 3, 90, 8, 105, 9, 120, 10, 135, 11 };
		add(ms, "c{s=\"r2\"}", r2, 10);
		is_str(range(ms, "increase(c{s=\"r2\"}[40s])", 0, 150, 15),
		    "{s=\"r2\"} 15:20 30:20 45:20 60:25 75:17.333333333333332 "
		    "90:10.666666666666666 105:8 120:2.6666666666666665 "
		    "135:2.6666666666666665 150:2.6666666666666665", "increase() as windows take and drop resets");
		is_str(range(ms, "resets(c{s=\"r2\"}[40s])", 0, 150, 15),
		    "{s=\"r2\"} 0:0 15:0 30:1 45:1 60:0 75:1 90:1 105:0 "
		    "120:0 135:0 150:0", "resets() as they slide");
	}
	promql_memsrc_free(ms);
}

static void
test_matching(void)
{
	struct promql_memsrc *ms = promql_memsrc_new();
	static const double v1[] = { 0, 1 }, v2[] = { 0, 2 }, v3[] = { 0, 3 };

	add(ms, "a{job=\"x\",i=\"1\"}", v1, 1);
	add(ms, "a{job=\"x\",i=\"2\"}", v2, 1);
	add(ms, "b{job=\"x\"}", v3, 1);
	add(ms, "b{job=\"y\"}", v3, 1);
	add(ms, "c{job=\"x\"}", v1, 1);
	is_str(at(ms, "a + on(job) b", 10),
	    "error: multiple matches for labels: many-to-one matching must be explicit (group_left/group_right)",
	    "one-to-one with two on the left");
	is_str(at(ms, "b + on(job) a", 10),
	    "error: found duplicate series for the match group {job=\"x\"} on the right hand-side of the operation: [{__name__=\"a\", i=\"2\", job=\"x\"}, {__name__=\"a\", i=\"1\", job=\"x\"}];many-to-many matching not allowed: matching labels must be unique on one side",
	    "two on the one side");
	is_str(at(ms, "a * on(job) group_left b", 10),
	    "{i=\"1\",job=\"x\"} 3 | {i=\"2\",job=\"x\"} 6", "group_left");
	is_str(at(ms, "b / on(job) group_right a", 10),
	    "{i=\"1\",job=\"x\"} 3 | {i=\"2\",job=\"x\"} 1.5", "group_right");
	is_str(at(ms, "a > on(job) group_left b", 10), "",
	    "a comparison filters");
	is_str(at(ms, "a < 2", 10), "{__name__=\"a\",i=\"1\",job=\"x\"} 1",
	    "a comparison keeps the name");
	is_str(at(ms, "a < bool 2", 10), "{i=\"1\",job=\"x\"} 1 | {i=\"2\",job=\"x\"} 0",
	    "bool drops it");
	is_str(at(ms, "a - a", 10), "{i=\"1\",job=\"x\"} 0 | {i=\"2\",job=\"x\"} 0",
	    "arithmetic drops the name");
	is_str(at(ms, "{__name__=~\"b|c\"} * 1", 10),
	    "error: vector cannot contain metrics with the same labelset",
	    "two series left with the same labels");
	is_str(at(ms, "b and on(job) a", 10), "{__name__=\"b\",job=\"x\"} 3", "and");
	is_str(at(ms, "b unless on(job) a", 10), "{__name__=\"b\",job=\"y\"} 3", "unless");
	is_str(at(ms, "a or b", 10),
	    "{__name__=\"a\",i=\"1\",job=\"x\"} 1 | {__name__=\"a\",i=\"2\",job=\"x\"} 2 | "
	    "{__name__=\"b\",job=\"x\"} 3 | {__name__=\"b\",job=\"y\"} 3",
	    "or: the right where the left has nothing");
	is_str(at(ms, "sum by (job) (a)", 10), "{job=\"x\"} 3", "sum by");
	is_str(at(ms, "count_values(\"v\", b)", 10), "{v=\"3\"} 2", "count_values");
	is_str(at(ms, "topk(1, a)", 10), "{__name__=\"a\",i=\"2\",job=\"x\"} 2", "topk");
	is_str(at(ms, "a", 10), "{__name__=\"a\",i=\"1\",job=\"x\"} 1 | {__name__=\"a\",i=\"2\",job=\"x\"} 2",
	    "a selector's series sorted by labels");
	is_str(run(ms, "sum(a)", 0, 100, 10, 5),
	    "error: query processing would load too many samples into memory in query execution",
	    "--max-samples");
	promql_memsrc_free(ms);
}

static void
test_nan(void)
{
	struct promql_memsrc *ms = promql_memsrc_new();
	double tv[4];

	tv[0] = 0; tv[1] = NAN;
	add(ms, "n{i=\"1\"}", tv, 1);
	tv[1] = 1;
	add(ms, "n{i=\"2\"}", tv, 1);
	tv[1] = INFINITY;
	tv[2] = 15; tv[3] = -INFINITY;
	add(ms, "infs", tv, 2);
	is_str(at(ms, "sum(n)", 10), "{} NaN", "NaN poisons a sum");
	is_str(at(ms, "max(n)", 10), "{} 1", "max passes over NaN");
	is_str(at(ms, "min(n)", 10), "{} 1", "min too");
	is_str(at(ms, "n == n", 10), "{__name__=\"n\",i=\"2\"} 1", "NaN is not equal to itself");
	is_str(at(ms, "n != bool n", 10), "{i=\"1\"} 1 | {i=\"2\"} 0", "NaN != NaN");
	is_str(at(ms, "avg_over_time(infs[1m])", 20), "{} NaN", "Inf and -Inf average to NaN");
	is_str(at(ms, "infs[1m]", 20), "{__name__=\"infs\"} 0:+Inf 15:-Inf", "infinities kept");
	is_str(at(ms, "clamp_min(n, 0)", 10), "{i=\"1\"} NaN | {i=\"2\"} 1", "clamp keeps NaN (Go's math.Max)");
	is_str(at(ms, "topk(1, n)", 10), "{__name__=\"n\",i=\"2\"} 1", "topk prefers numbers to NaN");
	is_str(at(ms, "bottomk(1, n)", 10), "{__name__=\"n\",i=\"2\"} 1", "so does bottomk");
	{
		char name[32];
		int i;
		/* Twenty series: ties, NaNs; topk(2) picks from many. */
		for (i = 1; i <= 20; i++) {
			tv[0] = 0;
			tv[1] = i == 3 || i == 7 ? NAN : i % 5;
			snprintf(name, sizeof(name), "w{i=\"%02d\"}", i);
			add(ms, name, tv, 1);
		}
		is_str(at(ms, "topk(2, w)", 10),
		    "{__name__=\"w\",i=\"04\"} 4 | {__name__=\"w\",i=\"09\"} 4",
		    "topk of many: ties in label order");
		is_str(at(ms, "bottomk(2, w)", 10),
		    "{__name__=\"w\",i=\"05\"} 0 | {__name__=\"w\",i=\"10\"} 0",
		    "bottomk of many");
		is_str(at(ms, "topk(20, w)", 10) + strlen(at(ms, "topk(20, w)", 10)) - 25,
		    "{__name__=\"w\",i=\"07\"} NaN", "NaN last, in label order");
	}
	is_str(at(ms, "changes(n[1m])", 10), "{i=\"1\"} 0 | {i=\"2\"} 0", "changes");
	is_str(at(ms, "1 / 0", 10), "scalar +Inf", "scalar division by zero");
	is_str(at(ms, "-1 % 0", 10), "scalar NaN", "modulo by zero");
	promql_memsrc_free(ms);
}

static void
test_format(void)
{
	static const struct {
		double v;
		const char *s;
	} f[] = {
		{ 0.1, "0.1" }, { 1e21, "1000000000000000000000" }, { 1e-7, "0.0000001" },
		{ -0.0, "-0" }, { 123456789012.5, "123456789012.5" },
		{ 1.7976931348623157e308, NULL }, { 5e-324, NULL }, { -2.5e-5, "-0.000025" },
		{ 4.35e22, "43500000000000000000000" },
	};
	struct buf b = BUF_INIT;
	size_t i;

	for (i = 0; i < sizeof(f) / sizeof(f[0]); i++) {
		buf_reset(&b);
		pformat_float(&b, f[i].v);
		if (f[i].s)
			is_str(b.p, f[i].s, "FormatFloat(%g, 'f', -1)", f[i].v);
		else
			ok(strtod(b.p, NULL) == f[i].v && strchr(b.p, 'e') == NULL,
			    "FormatFloat(%g) reads back, without exponent", f[i].v);
	}
	buf_reset(&b);
	promql_format_time(&b, 1500);
	is_str(b.p, "1.500", "times keep three decimals");
	buf_reset(&b);
	promql_format_time(&b, -1005);
	is_str(b.p, "-1.005", "negative times");
	buf_reset(&b);
	promql_format_time(&b, 1732233600000);
	is_str(b.p, "1732233600", "whole seconds");
	buf_release(&b);
}

static void
test_errors(void)
{
	struct promql_memsrc *ms = promql_memsrc_new();
	static const double tv[] = { 0, 1, 15, 2 };

	add(ms, "g", tv, 2);
	is_str(range(ms, "g[1m]", 0, 60, 15),
	    "error: invalid expression type \"range vector\" for range query, must be Scalar or instant Vector",
	    "a range query of a matrix");
	is_str(at(ms, "holt_winters(g[1m], 1, 0.5)", 20),
	    "error: invalid smoothing factor. Expected: 0 < sf < 1, got: 1.000000", "holt_winters");
	is_str(at(ms, "label_replace(g, \"1\", \"\", \"a\", \"\")", 20),
	    "error: invalid destination label name in label_replace(): 1", "label_replace");
	is_str(at(ms, "topk(scalar(nothing), g)", 20),
	    "error: Scalar value NaN overflows int64", "topk of NaN");
	is_str(at(ms, "\"s\"", 20), "", "a string evaluates");
	promql_memsrc_free(ms);
}

/*
 * Samples count against --max-samples as Prometheus counts them: a
 * selector's samples a series at a time, while its points or windows
 * are computed, then the points that come out.  Prometheus 2.42 with
 * --query.max-samples=6 answers the first three and refuses the last two.
 */
static void
test_sample_limit(void)
{
	struct promql_memsrc *ms = promql_memsrc_new();
	static const double tv[] = { 0, 1, 15, 2, 30, 3, 45, 4 };

	add(ms, "x{s=\"a\"}", tv, 4);
	add(ms, "x{s=\"b\"}", tv, 4);
	is_str(run(ms, "sum(count_over_time(x[1m]))", 50, 0, 0, 6), "{} 8",
	    "8 samples in all, 4 at a time");
	is_str(run(ms, "count_over_time(x[1m])", 50, 0, 0, 6),
	    "{s=\"a\"} 4 | {s=\"b\"} 4", "and the 2 points out");
	is_str(run(ms, "sum(x)", 50, 0, 0, 6), "{} 8",
	    "an instant selector's samples a series at a time");
	is_str(run(ms, "x[1m]", 50, 0, 0, 6),
	    "error: query processing would load too many samples into memory in query execution",
	    "a range vector holds them all");
	is_str(run(ms, "sum(count_over_time(x[1m])) + sum(count_over_time(x[1m]))",
	    50, 0, 0, 6), "error: query processing would load too many samples into memory in query execution",
	    "the points of one side count while the other is read");
	promql_memsrc_free(ms);
}

/*
 * The order of series does not depend on the order a source gives them
 * in: by labels, where an upper-case label name sorts before __name__
 * though a series key puts the name first.
 */
static void
test_order(void)
{
	struct promql_memsrc *ms = promql_memsrc_new();
	static const double tv[] = { 0, 1, 15, 2, 30, 5 };

	add(ms, "a{A=\"2\"}", tv, 3);
	add(ms, "b{A=\"1\"}", tv, 3);
	add(ms, "c{A=\"1\",B=\"9\"}", tv, 3);
	is_str(at(ms, "{__name__=~\"a|b\"}", 30),
	    "{A=\"1\",__name__=\"b\"} 5 | {A=\"2\",__name__=\"a\"} 5",
	    "a selector: by labels");
	is_str(at(ms, "rate({__name__=~\"a|b|c\"}[1m])", 30),
	    "{A=\"1\",B=\"9\"} 0.08333333333333333 | {A=\"1\"} 0.08333333333333333 | "
	    "{A=\"2\"} 0.08333333333333333",
	    "a range function: by the labels of its input (B before __name__)");
	is_str(at(ms, "last_over_time({__name__=~\"a|b\"}[1m])", 30),
	    "{A=\"1\",__name__=\"b\"} 5 | {A=\"2\",__name__=\"a\"} 5",
	    "last_over_time() keeps the name, and the order");
	is_str(at(ms, "sum by (A) ({__name__=~\"a|b|c\"})", 30),
	    "{A=\"1\"} 10 | {A=\"2\"} 5", "groups in the order of their first series");
	is_str(at(ms, "sum by (__name__) ({__name__=~\"a|b|c\"} offset 15s) or "
	    "sum by (__name__) ({__name__=~\"a|b|c\"})", 30),
	    "{__name__=\"c\"} 2 | {__name__=\"b\"} 2 | {__name__=\"a\"} 2",
	    "an aggregation's groups by their first series");
	is_str(range(ms, "sum by (A) ({__name__=~\"a|b|c\"})", 0, 30, 15),
	    "{A=\"1\"} 0:2 15:4 30:10 | {A=\"2\"} 0:1 15:2 30:5",
	    "a range query's groups");
	promql_memsrc_free(ms);
}

/*
 * What fuzzing found.  A NUL in a string of the query is a byte like any
 * other, in label values too (Prometheus carries it: {job="a\x00b"}).
 */
static void
test_nul(void)
{
	struct promql_memsrc *ms = promql_memsrc_new();
	static const double tv[] = { 0, 1 };

	add(ms, "y{a=\"x\"}", tv, 1);
	add(ms, "z{a=\"x\"}", tv, 1);
	add(ms, "z", tv, 1);
	is_str(at(ms, "absent(x{job=\"a\\000b\",k=\"v\"})", 1700000000),
	    "{job=\"a\\x00b\",k=\"v\"} 1", "absent(): a NUL in a matcher's value");
	is_str(at(ms, "absent_over_time(x{job=\"a\\x00b\",k=\"v\"}[5m])", 1700000000),
	    "{job=\"a\\x00b\",k=\"v\"} 1", "absent_over_time() too");
	is_str(at(ms, "absent(x{job=\"\\x00\"})", 10),
	    "{job=\"\\x00\"} 1", "a value of one NUL is not empty");
	is_str(at(ms, "label_replace(y, \"b\", \"$1\\x00$1\", \"a\", \"(.*)\")", 10),
	    "{__name__=\"y\",a=\"x\",b=\"x\\x00x\"} 1", "label_replace() writes a NUL");
	is_str(at(ms, "label_join(y, \"b\", \"\\x00\", \"a\", \"a\")", 10),
	    "{__name__=\"y\",a=\"x\",b=\"x\\x00x\"} 1", "label_join() joins with one");
	is_str(range(ms, "label_replace(vector(1), \"a\", \"x\\x00\", \"\", \"\") or "
	    "label_replace(vector(2), \"a\", \"x\", \"\", \"\") or "
	    "label_replace(vector(3), \"a\", \"x\\x01\", \"\", \"\")", 0, 0, 1),
	    "{a=\"x\"} 0:2 | {a=\"x\\x00\"} 0:1 | {a=\"x\x01\"} 0:3",
	    "sorted as Prometheus sorts: a prefix first, then by bytes");
	is_str(range(ms, "z or on(__name__) y or on(__name__) vector(0)", 0, 0, 1),
	    "{} 0:0 | {__name__=\"y\",a=\"x\"} 0:1 | {__name__=\"z\"} 0:1 | "
	    "{__name__=\"z\",a=\"x\"} 0:1", "fewer labels first");
	is_str(at(ms, "label_replace(y, \"a\", \"\\x00\", \"\", \"\") + on(a) "
	    "label_replace(y, \"a\", \"\\x00\", \"\", \"\")", 10),
	    "{a=\"\\x00\"} 2", "matched on a NUL value");
	promql_memsrc_free(ms);
}

/*
 * An @ time is clamped to the int64 milliseconds when parsed; the
 * lookback, offset and range taken from it must not overflow (Prometheus
 * wraps around and finds nothing there either).
 */
static void
test_time_limits(void)
{
	struct promql_memsrc *ms = promql_memsrc_new();
	static const double tv[] = { 0, 1, 15, 2 };

	add(ms, "x", tv, 2);
	is_str(at(ms, "x @ -9223372036854775", 10), "", "@ near the least time");
	is_str(at(ms, "x @ -9223372036854775808", 10),
	    "error: 1:1: parse error: timestamp out of bounds for @ modifier: -9223372036854775808.000000",
	    "@ past the least time: an error, as in Prometheus");
	is_str(at(ms, "x @ 9223372036854775 offset -1m", 10), "", "@ and a negative offset");
	is_str(at(ms, "x @ -9223372036854775 offset 1y", 10), "", "@ and an offset");
	is_str(at(ms, "count_over_time(x[5m] @ -9223372036854775)", 10), "",
	    "a range before the least time");
	is_str(at(ms, "count_over_time(x[5m] @ 9223372036854775 offset -1m)", 10), "",
	    "a range after the last");
	is_str(at(ms, "absent_over_time(x[5m] @ -9223372036854775)", 10), "{} 1",
	    "absent_over_time() there");
	is_str(at(ms, "count_over_time(x[5m:1m] @ -9223372036854775)", 10), "",
	    "a subquery before the least time");
	is_str(at(ms, "count_over_time(x[5m:1m] @ 9223372036854775 offset -1m)", 10), "",
	    "a subquery after the last");
	is_str(at(ms, "x[5m:1m] @ -9223372036854775", 10), "",
	    "a subquery's own steps there");
	is_str(run(ms, "count_over_time(vector(time())[1y:1ms])", 10, 0, 0, 50000000),
	    "error: query processing would load too many samples into memory in query execution",
	    "a subquery of more steps than --max-samples");
	is_str(at(ms, "timestamp(x @ 15 offset -1m)", 10), "{} 15", "an offset ahead");
	is_str(at(ms, "x @ 15", 10), "{__name__=\"x\"} 2", "still found in range");
	promql_memsrc_free(ms);
}

int
main(void)
{
	test_staleness();
	test_windows();
	test_rate();
	test_matching();
	test_nan();
	test_format();
	test_errors();
	test_sample_limit();
	test_order();
	test_nul();
	test_time_limits();
	return done_testing();
}
