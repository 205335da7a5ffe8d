/* fuzz_promql_eval.c - the PromQL evaluator over a small fixed stream */
/* SPDX-License-Identifier: MIT */
#include <math.h>
#include <string.h>

#include "fuzz.h"
#include "promql/promql_eval.h"
#include "query/promql_source.h"
#include "stream/jsonl.h"
#include "stream/series.h"

/*
 * The stream: counters (one of them resets), gauges with NaN and the
 * infinities, a histogram's buckets, and a series that stops, every 15
 * seconds for 20 minutes from T0.  Small, so that each input costs about
 * the same, and varied, so that every function has something to chew on.
 */
#define T0 1700000000000LL
#define STEP_MS 15000
#define NSTEPS 80

static const char *const series_lines[] = {
	("{\"name\":\"node_cpu_seconds_total\",\"type\":\"counter\",\"value\":0,"
	    "\"labels\":{\"cpu\":\"0\",\"mode\":\"idle\"}}"),
	("{\"name\":\"node_cpu_seconds_total\",\"type\":\"counter\",\"value\":0,"
	    "\"labels\":{\"cpu\":\"0\",\"mode\":\"user\"}}"),
	("{\"name\":\"node_cpu_seconds_total\",\"type\":\"counter\",\"value\":0,"
	    "\"labels\":{\"cpu\":\"1\",\"mode\":\"idle\"}}"),
	"{\"name\":\"node_load1\",\"value\":0,\"labels\":{\"host\":\"a\"}}",
	"{\"name\":\"node_load1\",\"value\":0,\"labels\":{\"host\":\"b\"}}",
	("{\"name\":\"http_request_duration_seconds_bucket\",\"value\":0,"
	    "\"labels\":{\"job\":\"api\",\"le\":\"0.1\"}}"),
	("{\"name\":\"http_request_duration_seconds_bucket\",\"value\":0,"
	    "\"labels\":{\"job\":\"api\",\"le\":\"1\"}}"),
	("{\"name\":\"http_request_duration_seconds_bucket\",\"value\":0,"
	    "\"labels\":{\"job\":\"api\",\"le\":\"+Inf\"}}"),
	("{\"name\":\"up\",\"value\":1,\"labels\":{\"job\":\"api\","
	    "\"instance\":\"h:9100\"}}"),
};
#define NSERIES (sizeof(series_lines) / sizeof(series_lines[0]))

/* The value of series 'k' at step 'i'. */
static double
value_at(size_t k, int i)
{
	switch (k) {
	case 0: return i < 50 ? 10.0 * i : 3.0 * (i - 50);	/* a reset */
	case 1: return 2.5 * i;
	case 2: return 7.0 * i + 0.25;
	case 3: return i % 17 == 5 ? NAN : (double)(i % 7) / 4;
	case 4: return i == 33 ? INFINITY : i == 34 ? -INFINITY : -(double)i;
	case 5: return 1.0 * i;
	case 6: return 3.0 * i;
	case 7: return 4.0 * i;
	default: return i < 60 ? 1 : 0;
	}
}

static struct promql_memsrc *
make_source(void)
{
	struct promql_memsrc *ms = promql_memsrc_new();
	struct jsonl_parser *ps = jsonl_parser_new(JSONL_SLOW_ONLY);
	struct errbuf eb = ERRBUF_INIT;
	struct buf key = BUF_INIT;
	struct sample s;
	size_t k;
	int i;

	for (k = 0; k < NSERIES; k++) {
		fuzz_assert(jsonl_parse(ps, series_lines[k],
		    strlen(series_lines[k]), &s, &eb) == 0);
		buf_reset(&key);
		series_key(&key, &s);
		/* 'up' stops after 60 steps: a series that goes stale. */
		for (i = 0; i < (k == NSERIES - 1 ? 60 : NSTEPS); i++)
			promql_memsrc_add(ms, key.p, key.len,
			    T0 + (int64_t)i * STEP_MS, value_at(k, i));
	}
	buf_release(&key);
	jsonl_parser_free(ps);
	return ms;
}

/* What any result must look like. */
static void
check_result(const struct promql_result *r, const struct promql_eval_opts *o)
{
	size_t i, j;

	for (i = 0; i < r->n; i++) {
		const struct promql_rseries *s = &r->series[i];
		for (j = 1; j < s->nlabels; j++)
			fuzz_assert(strcmp(s->labels[j - 1].name,
			    s->labels[j].name) < 0);
		for (j = 0; j < s->n; j++) {
			fuzz_assert(j == 0 || s->t[j - 1] < s->t[j]);
			if (r->range)
				fuzz_assert(s->t[j] >= o->start &&
				    s->t[j] <= o->end);
		}
	}
}

static void
run(const struct promql_node *n, const struct promql_source *src,
    int64_t start, int64_t end, int64_t step)
{
	struct promql_eval_opts o = PROMQL_EVAL_OPTS_INIT;
	struct errbuf eb = ERRBUF_INIT;
	struct promql_result *r;

	o.start = start;
	o.end = end;
	o.step = step;
	/* Bounds, so that a huge range costs an error, not the run. */
	o.max_samples = 200000;
	o.timeout_ms = 5000;
	if ((r = promql_eval(n, src, &o, &eb)) == NULL) {
		fuzz_assert(eb.msg[0] != '\0');
		return;
	}
	check_result(r, &o);
	promql_result_free(r);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct promql_memsrc *ms;
	struct promql_source src;
	struct promql_node *n = NULL;
	struct errbuf eb = ERRBUF_INIT;
	char *expr = malloc(size + 1);

	fuzz_assert(expr != NULL);
	memcpy(expr, data, size);
	expr[size] = '\0';
	if (promql_parse(expr, &n, &eb) == -1) {
		free(expr);
		return 0;
	}
	ms = make_source();
	promql_memsrc_source(ms, &src);
	/* An instant query, then a range query over the stream and past it. */
	run(n, &src, T0 + 600000, T0 + 600000, 0);
	run(n, &src, T0 - 60000, T0 + 1500000, 60000);
	promql_memsrc_free(ms);
	promql_free(n);
	free(expr);
	return 0;
}
