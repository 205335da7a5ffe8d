/* promql_func.h - the PromQL functions: one registry of names, signatures and implementations */
/* SPDX-License-Identifier: MIT */
#ifndef MTK_PROMQL_FUNC_H
#define MTK_PROMQL_FUNC_H

#include <stddef.h>

#include "promql/promql_ast.h"
#include "promql/promql_input.h"


struct pev;
struct pseries;
struct pval;
struct pwindow;
struct pwindows;

/* What the evaluator must know of a function besides its signature. */
enum {
	/*
	 * Its value depends on the evaluation time even when its arguments
	 * do not (time(), hour(), predict_linear()...): never step
	 * invariant, as Prometheus' preprocessExpr() has it.
	 */
	PROMQL_FUNC_TIME = 1 << 0,
	/* Its output keeps the metric name (last_over_time). */
	PROMQL_FUNC_KEEP_NAME = 1 << 1,
	/*
	 * A vector selector as its argument gives the times of its samples,
	 * in seconds, for values (timestamp()).
	 */
	PROMQL_FUNC_SAMPLE_TIMES = 1 << 2,
	/*
	 * Its windows look for counter resets: the evaluator notes them as
	 * it reads the samples, so that a window known to hold none is not
	 * searched (rate, increase, resets).
	 */
	PROMQL_FUNC_RESETS = 1 << 3
};

/*
 * A function of the language, one entry of the registry.  The parser
 * reads its signature: the types of its arguments, and how many may be
 * left out or added.  'variadic' is 0 when exactly 'nargs' are taken;
 * n > 0 when the last argument is optional and up to n-1 more of the
 * last type may follow (so "round" takes 1 or 2); -1 when the last
 * argument may be left out or repeated without limit ("label_join").
 *
 * The evaluator reads the rest: 'use', what the function needs of the
 * samples of its range-vector argument when they come from a rolled tier
 * (promql_eval.h), and 'flags'; and it calls the implementation, which
 * is one of three forms (promql_func.c):
 *
 * - 'window', a range function, called for each series and step with
 *   the samples in that step's window (rate, max_over_time...);
 * - 'point', a function of each point of an instant vector and of the
 *   scalar arguments at its step (abs, clamp, hour...);
 * - 'call', any other, given the call and its arguments' values.
 */
struct promql_func {
	const char *name;
	enum promql_type args[5];
	int nargs;
	int variadic;
	enum promql_type ret;
	enum promql_use use;
	unsigned flags;			/* PROMQL_FUNC_* */
	int (*window)(const struct pwindow *w, double *out);
	int (*point)(double v, const double *arg, size_t narg, double *out);
	int (*call)(struct pev *ev, const struct promql_node *n,
	    struct pval *args, struct pval *out);
};

/* All functions, in name order, ending with a NULL name. */
extern const struct promql_func promql_funcs[];

/* Look up a function by name ('len' bytes).  Returns it, or NULL. */
const struct promql_func *promql_func_lookup(const char *name, size_t len);

/*
 * A window function applied to the series of its range vector one at a
 * time, as a source gives them, so that their samples need not be kept:
 * pwindows_new(), then pwindows_series() for each series, then
 * pwindows_end().  'n' is the call, 'args' its evaluated arguments but
 * the range vector, of which 'matrix' gives only the range, offset and @
 * (all borrowed until the end); the result goes to 'out', its series in
 * the order their input series came in, or, with 'by_labels', in the
 * order of their input series' labels.  Returns a new state.
 */
struct pwindows *pwindows_new(struct pev *ev, const struct promql_node *n,
    struct pval *args, const struct pval *matrix, int by_labels,
    struct pval *out);

/*
 * Apply the function to the series 's' (borrowed for the call).  Returns
 * 0, or -1 with 'ev->eb'.
 */
int pwindows_series(struct pwindows *w, const struct pseries *s);

/*
 * Finish 'out' (when 'ok') and free 'w'.  Returns 0, or -1 with
 * 'ev->eb' (or when not 'ok').
 */
int pwindows_end(struct pwindows *w, int ok);

/*
 * Evaluate the call 'n' of a function whose arguments the caller has
 * evaluated into 'args' (one per argument of the call; each owned by the
 * caller, which releases them after; a function may take the points of
 * its instant-vector argument).  Returns 0, or -1 with 'ev->eb'.
 */
int promql_func_eval(struct pev *ev, const struct promql_node *n,
    struct pval *args, struct pval *out);

/*
 * avg_over_time() of the 'n' > 0 values at 'v', as the evaluator
 * computes it (mquery --stats agrees with it to the bit).
 */
double promql_avg_over_time(const double *v, size_t n);

#endif
