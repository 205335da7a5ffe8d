/* promql_vector.h - the evaluator's values over its grid, and the state they count against */
/* SPDX-License-Identifier: MIT */
#ifndef MTK_PROMQL_VECTOR_H
#define MTK_PROMQL_VECTOR_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

#include "base/buf.h"
#include "base/errbuf.h"
#include "promql/promql_input.h"
#include "promql/promql_labels.h"
#include "promql/promql_ast.h"

/*
 * What the parts of the evaluator share: the tree walk (promql_eval.c)
 * and the functions (promql_func.c) both take and give these values,
 * count the points they hold against the evaluation's limit, and collect
 * output series with a builder.  Not a public API.
 */

/*
 * A series of the evaluator: labels in the arena, points owned (malloc).
 * In a vector the points lie on the evaluation grid (start, start+step,
 * ..., end), at most one per step; in a matrix they are samples.
 */
struct pseries {
	const char *lbl;
	size_t lbl_len;
	int64_t *t;
	double *v;
	size_t n, cap;
	struct prows *rows;	/* matrix from rolled rows, else NULL */
};

/*
 * What the samples of a matrix series stand for when some are rows of a
 * rolled tier (promql_eval.h, struct promql_rows), owned: per sample
 * the start of its window, the number of samples and, if 'sk_len' is
 * not NULL, the sketch of sk_len[i] bytes at sk + sk_off[i] (none when
 * 0).
 */
struct prows {
	int64_t *from;
	double *count;
	unsigned char *sk;
	size_t *sk_off, *sk_len;
	uint64_t held;		/* what the sketches count as samples */
};

/*
 * A value over the grid: a scalar has one number per step; a vector or
 * matrix a list of series.  A matrix also records the window its function
 * looks at for each step: the 'range_ms' before the reference time, which
 * is the step time (or the @ time) less the offset.
 */
struct pval {
	enum promql_type type;
	struct pseries *s;	/* owned, with what each series owns */
	size_t n, cap;
	double *sc;		/* SCALAR: nsteps values, owned */
	const char *str;	/* STRING: borrowed from the tree */
	size_t str_len;
	/* MATRIX only: */
	int64_t range_ms, offset_ms;
	int has_at;
	int64_t at_ms;
};

/* The state of one evaluation. */
struct pev {
	const struct promql_source *src;
	const struct promql_eval_opts *o;
	struct parena ar;
	int64_t start, end, step;	/* the current grid */
	size_t nsteps;
	int64_t qstart, qend;		/* the query's, for @ start()/end() */
	uint64_t samples;		/* points held now */
	struct timespec deadline;
	int has_deadline;
	unsigned ticks;
	struct errbuf *eb;
	struct buf scratch;
	struct plabels_builder labels;	/* scratch, for making label sets */
};

/*
 * 'a' - 'b' for times and durations in milliseconds, held at the ends of
 * int64 rather than wrapping.  An @ time may be anywhere in int64 (the
 * parser clamps it there); taking the offset, the lookback or a range
 * from it must not overflow.  Prometheus wraps around instead; either
 * way no sample lies there.
 */
static inline int64_t
ptime_sub(int64_t a, int64_t b)
{
	if (b > 0 && a < INT64_MIN + b)
		return INT64_MIN;
	if (b < 0 && a > INT64_MAX + b)
		return INT64_MAX;
	return a - b;
}

/*
 * The time a selector or range function of 'm' looks back from at step
 * time 't': the @ time or 't', less the offset.
 */
static inline int64_t
pval_ref(const struct pval *m, int64_t t)
{
	return ptime_sub(m->has_at ? m->at_ms : t, m->offset_ms);
}

/* The grid time of step 'k', and the step of grid time 't'. */
static inline int64_t
pev_time(const struct pev *ev, size_t k)
{
	return ev->start + (int64_t)k * ev->step;
}

static inline size_t
pev_stepno(const struct pev *ev, int64_t t)
{
	return ev->step ? (size_t)((t - ev->start) / ev->step) : 0;
}

/* Whether 'v' is the stale marker (promql_is_stale(), inline). */
static inline int
pis_stale(double v)
{
	uint64_t bits;

	memcpy(&bits, &v, sizeof(bits));
	return bits == PROMQL_STALE_NAN_BITS;
}

/* Set Prometheus' error for too many points held; returns -1. */
int pev_too_many(struct pev *ev);

/* ptime_after() past 'i', whose time is at most 'limit'. */
size_t ptime_after_far(const int64_t *t, size_t n, size_t i, int64_t limit);

/*
 * The first index from 'i' on of the 'n' increasing times at 't' whose
 * time is past 'limit' ('n' if none).  Windows move by a few samples a
 * step in a range query, by a whole series in an instant query: a step
 * at a time, or by doubling and bisection when far.
 */
static inline size_t
ptime_after(const int64_t *t, size_t n, size_t i, int64_t limit)
{
	if (n - i > 32 && t[i + 32] <= limit)
		return ptime_after_far(t, n, i + 32, limit);
	while (i < n && t[i] <= limit)
		i++;
	return i;
}

/* The first index from 'i' on whose time is 'from' or later. */
static inline size_t
ptime_from(const int64_t *t, size_t n, size_t i, int64_t from)
{
	if (n - i > 32 && t[i + 32] < from)
		return ptime_after_far(t, n, i + 32, from - 1);
	while (i < n && t[i] < from)
		i++;
	return i;
}

/* Count 'n' more points held; -1 with Prometheus' error past the limit. */
static inline int
pev_hold(struct pev *ev, size_t n)
{
	ev->samples += n;
	if (ev->o->max_samples && ev->samples > ev->o->max_samples)
		return pev_too_many(ev);
	return 0;
}

/* Stop when the time is up: 0, or -1 with the error. */
int pev_check_time(struct pev *ev);

/* Make room in 's' for one more point. */
void pseries_grow(struct pseries *s);

/*
 * Make room in 's' for 'n' more points at once, when they are known to
 * come (a point per step of the grid, at most).
 */
void pseries_reserve(struct pseries *s, size_t n);

/* Append a point to 's', growing its arrays (and the held count). */
static inline int
pseries_push(struct pev *ev, struct pseries *s, int64_t t, double v)
{
	if (s->n == s->cap)
		pseries_grow(s);
	s->t[s->n] = t;
	s->v[s->n++] = v;
	return pev_hold(ev, 1);
}

/* Free the points of 's' and forget them from the held count. */
void pseries_release(struct pev *ev, struct pseries *s);

/* Append a new empty series with labels 'lbl' (arena) to 'pv'. */
struct pseries *pval_add(struct pval *pv, const char *lbl, size_t len);

/* Free what 'pv' owns (and forget its points) and leave it empty. */
void pval_release(struct pev *ev, struct pval *pv);

/*
 * Collects output series by label set, in order of first appearance.
 * Appending two points for one series at the same time is the error
 * "vector cannot contain metrics with the same labelset"; points may come
 * out of time order (two inputs with the same output labels), and are
 * sorted by pbuilder_finish().
 */
struct pbuilder {
	struct pval *out;
	size_t *slots;		/* hash table of out->s indexes + 1 */
	size_t nslots;
	unsigned char *unsorted;
	size_t unsorted_cap;
};

void pbuilder_init(struct pbuilder *b, struct pval *out);

/* The index in out->s of the series with labels 'lbl', added if new. */
size_t pbuilder_series(struct pev *ev, struct pbuilder *b, const char *lbl,
    size_t len);

/* Mark series 'i' as having taken a point out of order. */
void pbuilder_unsorted(struct pbuilder *b, size_t i);

/* Append (t, v) to series 'i'.  Returns 0, or -1 with 'ev->eb'. */
static inline int
pbuilder_push(struct pev *ev, struct pbuilder *b, size_t i, int64_t t,
    double v)
{
	struct pseries *s = &b->out->s[i];

	if (s->n > 0 && s->t[s->n - 1] >= t) {
		if (s->t[s->n - 1] == t)
			return errbuf_set(ev->eb, "vector cannot contain metrics with the same labelset");
		pbuilder_unsorted(b, i);
	}
	return pseries_push(ev, s, t, v);
}

/* Sort series that took points out of order.  Returns 0, or -1. */
int pbuilder_finish(struct pev *ev, struct pbuilder *b);

/* The label set of 'lbl' without __name__, in the arena. */
const char *pev_drop_name(struct pev *ev, const char *lbl, size_t len,
    size_t *outlen);

/* Store 'b' encoded in the arena; returns the set, its length in '*len'. */
const char *pev_encode(struct pev *ev, struct plabels_builder *b, size_t *len);

/* Free the builder's tables without finishing (on an error path). */
void pbuilder_abort(struct pbuilder *b);

#define PNELEM(a) (sizeof(a) / sizeof((a)[0]))

#endif
