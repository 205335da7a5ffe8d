/* promql_input.h - what the evaluator reads: sources of series, and how to evaluate */
/* SPDX-License-Identifier: MIT */
#ifndef MTK_PROMQL_INPUT_H
#define MTK_PROMQL_INPUT_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include "base/errbuf.h"

/*
 * The bottom of the promql layer: the evaluator (promql_eval.h), its
 * shared values (promql_vector.h) and the functions (promql_func.h) all
 * read these, and the query layer's sources (query/promql_source.h)
 * provide them.
 */

struct matcher;

/*
 * What a function asks of the samples of its range vector, which the
 * evaluator passes on to the source of series (promql_eval.h) with the
 * selection.  A source of plain samples ignores it; a source of windowed
 * aggregates (the rolled tiers of a store, rollup.h) gives for each
 * window the aggregate that answers the function exactly: the window's
 * maximum for max_over_time(), its sum and number of samples for
 * avg_over_time(), its sketch for quantile_over_time()...
 * PROMQL_USE_VALUE is the source's default.
 */
enum promql_use {
	PROMQL_USE_VALUE = 0,
	PROMQL_USE_MIN,		/* min_over_time */
	PROMQL_USE_MAX,		/* max_over_time */
	PROMQL_USE_SUM,		/* sum_over_time */
	PROMQL_USE_LAST,	/* last_over_time */
	PROMQL_USE_COUNT,	/* count_over_time: counts */
	PROMQL_USE_AVG,		/* avg_over_time: sums and counts */
	PROMQL_USE_QUANTILE,	/* quantile_over_time: sketches */
	PROMQL_USE_STATS	/* mquery --stats: all of the above */
};

/* Prometheus' stale marker: a NaN with this bit pattern. */
#define PROMQL_STALE_NAN_BITS 0x7ff0000000000002ULL

/* Whether 'v' is the stale marker. */
int promql_is_stale(double v);

/*
 * Of samples that stand for windows (rows of a rolled tier), for each
 * sample: 'from', the start of the window [from, t) it stands for (its
 * own time for a plain sample), so that a range function takes only the
 * windows wholly in its range; 'count', the number of samples it stands
 * for (1 for a plain sample).  With PROMQL_USE_COUNT a row's value is
 * that number too, with PROMQL_USE_AVG the window's sum.  With
 * PROMQL_USE_QUANTILE, when 'sk' is not NULL, the window's encoded
 * sketch (sketch.h) of 'sk_len[i]' bytes, none when 0 (a plain sample,
 * or a series without sketches: the value then stands for all
 * 'count[i]' samples).  With PROMQL_USE_STATS, the value is the
 * average, and 'sk' and 'min', 'max' and 'sum' are there too (a plain
 * sample's are its value).  For PROMQL_USE_VALUE a source gives no
 * rows: the value of a row is then a point at its time (a counter's,
 * say).
 */
struct promql_rows {
	const int64_t *from;
	const double *count;
	const unsigned char *const *sk;
	const size_t *sk_len;
	const double *min, *max, *sum;
};

/*
 * A source of series.  select() calls 'emit' once for every series that
 * satisfies all 'n' matchers and has samples in [mint, maxt]: its key
 * (series.h: the name, then labels sorted by name) and its samples in
 * that range, in increasing time, all borrowed for the call; 'rows' is
 * NULL unless some samples stand for windows (struct promql_rows).
 * 'emit' returns 0, or -1 to stop (the error is then in its own errbuf,
 * and select() returns -1 without touching 'eb').  select() returns 0,
 * or -1 with 'eb' (a corrupt store, say).
 */
typedef int (*promql_emit_fn)(void *arg, const char *key, size_t keylen,
    const int64_t *ts, const double *v, size_t n,
    const struct promql_rows *rows);

struct promql_source {
	int (*select)(void *ctx, const struct matcher *m, size_t n,
	    int64_t mint, int64_t maxt, enum promql_use use,
	    promql_emit_fn emit, void *arg, struct errbuf *eb);
	void *ctx;
};

/* query/promql_source.h has the sources: the store, a stream in memory. */

/* How to evaluate. */
struct promql_eval_opts {
	int64_t start, end;	/* ms; equal for an instant query */
	int64_t step;		/* ms; 0 for an instant query */
	int64_t lookback_ms;	/* default 5m */
	int64_t subquery_step_ms;	/* default for e[r:], 1m */
	uint64_t max_samples;	/* points held at once; 0: no limit */
	int64_t timeout_ms;	/* 0: none */
	/* When set (by a signal handler) the evaluation stops: "query
	 * cancelled".  NULL: never. */
	const volatile sig_atomic_t *cancel;
};

#define PROMQL_EVAL_OPTS_INIT { 0, 0, 0, 300000, 60000, 50000000, 0, NULL }

#endif
