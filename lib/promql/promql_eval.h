/* promql_eval.h - evaluate PromQL over any source of series */
/* SPDX-License-Identifier: MIT */
#ifndef MTK_PROMQL_EVAL_H
#define MTK_PROMQL_EVAL_H

#include <stddef.h>
#include <stdint.h>

#include "base/errbuf.h"
#include "promql/promql_func.h"
#include "promql/promql_input.h"
#include "promql/promql_parse.h"


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


#endif
