/* promql_eval.h - evaluate PromQL over any source of series */
/* SPDX-License-Identifier: MIT */
#ifndef MTK_PROMQL_EVAL_H
#define MTK_PROMQL_EVAL_H

#include <stddef.h>
#include <stdint.h>

#include "base/errbuf.h"
#include "promql/promql_func.h"
#include "promql/promql_parse.h"

struct matcher;
struct store;

/*
 * The semantics are Prometheus 2.42's, so that a query gives the answer
 * Prometheus gives over the same samples:
 *
 * - An instant vector selector takes, at each evaluation time t, the
 *   latest sample in [t - lookback, t] (both ends included, as 2.42 does;
 *   Prometheus 3 left the start out), unless that sample is the stale
 *   marker (PROMQL_STALE_NAN), which ends the series until a new sample.
 * - A range selector x[r] takes the samples in [t - r, t], stale markers
 *   left out.  offset moves t back; @ pins it (start() and end() are the
 *   query's start and end).
 * - A subquery e[r:s] evaluates e at the multiples of s (default: the
 *   evaluation interval, 1m) in [t - r, t].
 * - Step-invariant parts (those under @, and literals) are evaluated once
 *   at the start and repeated, as Prometheus does.
 * - Arithmetic, functions (but last_over_time) and comparisons with bool
 *   drop the metric name; comparisons without bool filter and keep it.
 * - Errors are Prometheus': "vector cannot contain metrics with the same
 *   labelset", "found duplicate series for the match group ...", "multiple
 *   matches for labels: many-to-one matching must be explicit
 *   (group_left/group_right)", the sample limit and the timeout.
 *
 * Native histograms do not exist here: every sample is a float.
 */

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
};

#define PROMQL_EVAL_OPTS_INIT { 0, 0, 0, 300000, 60000, 50000000, 0 }

/*
 * One series of a result: labels as name/value pairs, then points.  Both
 * strings are NUL-terminated; a value may also hold NUL bytes (a PromQL
 * string can put one there), so its length is given.
 */
struct promql_label {
	const char *name, *value;
	size_t name_len, value_len;
};

struct promql_rseries {
	struct promql_label *labels;	/* sorted by name, __name__ included */
	size_t nlabels;
	int64_t *t;
	double *v;
	size_t n;
};

/*
 * The result.  An instant query gives a vector (one point per series, at
 * the evaluation time), a scalar (one series without labels, one point),
 * a string, or a matrix (x[5m]: the samples themselves); a range query a
 * matrix (one series, without labels, for a scalar expression), sorted
 * by labels.  'type' is what the expression evaluates to.
 */
struct promql_result {
	enum promql_type type;
	int range;			/* a range query */
	struct promql_rseries *series;
	size_t n;
	char *string;			/* for a STRING */
	size_t string_len;
	int64_t t;			/* the evaluation time (instant) */
	/* Everything is owned by the result: */
	char *strings;
};

/*
 * Evaluate 'expr' over 'src' as 'o' says.  Returns a new result (free
 * with promql_result_free()), or NULL with the error in 'eb': a range
 * query of a string or range vector ("invalid expression type \"range
 * vector\" for range query, must be Scalar or instant Vector"), an
 * evaluation error, or a source error.
 */
struct promql_result *promql_eval(const struct promql_node *expr,
    const struct promql_source *src, const struct promql_eval_opts *o,
    struct errbuf *eb);

void promql_result_free(struct promql_result *r);

/*
 * avg_over_time() of the 'n' > 0 values at 'v', as the evaluator
 * computes it (mquery --stats agrees with it to the bit).
 */
double promql_avg_over_time(const double *v, size_t n);

/* Whether 'n' is a plain vector selector (perhaps in parentheses). */
int promql_is_selector(const struct promql_node *n);

#endif
