/* promql_func.c - the PromQL functions, as Prometheus 2.42 computes them */
/* SPDX-License-Identifier: MIT */
#define PCRE2_CODE_UNIT_WIDTH 8

#include <math.h>
#include <pcre2.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/sketch.h"
#include "base/xalloc.h"
#include "promql/promql_func.h"
#include "promql/promql_number.h"
#include "promql/promql_vector.h"
#include "stream/metric.h"
#include "stream/regex_expand.h"

/*
 * Each function is an entry of the registry at the end of this file,
 * with one of three kinds of implementation (promql_func.h): a window
 * function, a point function, or a call.
 */

/*
 * Range-vector functions see one window at a time: the samples of one
 * series in [range_start, range_end] at step time 't_eval'.  They return
 * 1 with the value in '*out', 0 for no value, -1 for an error.
 */
struct pwindow {
	const int64_t *t;
	const double *v;
	size_t n;
	const struct prows *rows;	/* of a rolled tier, or NULL */
	size_t off;			/* of t[0] in 'rows' */
	struct sketch *sk[2];		/* scratch, with 'rows' */
	int64_t range_start, range_end, range_ms;
	int64_t t_eval;
	double arg[2];		/* scalar arguments at this step */
	struct pev *ev;
	double *tmp;		/* scratch of at least n values */
	/*
	 * Whether some sample of the window may be below the one before it
	 * (a counter reset): 0 only when known not to be, which the
	 * evaluator notes for functions with PROMQL_FUNC_RESETS.
	 */
	int maybe_reset;
};

/* Neumaier's compensated sum, as Prometheus' kahanSumInc(). */
static void
kahan_inc(double inc, double *sum, double *c)
{
	double t = *sum + inc;

	if (fabs(*sum) >= fabs(inc))
		*c += (*sum - t) + inc;
	else
		*c += (inc - t) + *sum;
	*sum = t;
}

/*
 * rate(), increase() and delta(): the change over the window, corrected
 * for counter resets, extrapolated towards the window's ends when the
 * first and last samples are close enough to them (within 1.1 times the
 * average interval), else by half an interval; a counter is not
 * extrapolated below zero.
 */
static int
extrapolated_rate(const struct pwindow *w, double *out, int counter, int rate)
{
	double result, prev, dstart, dend, sampled, avg, thr, ext, factor;
	size_t i, n = w->n;

	if (n < 2)
		return 0;
	result = w->v[n - 1] - w->v[0];
	/* Without a reset in the window, the loop would add nothing. */
	if (counter && w->maybe_reset) {
		prev = w->v[0];
		for (i = 1; i < n; i++) {
			if (w->v[i] < prev)
				result += prev;
			prev = w->v[i];
		}
	}
	dstart = (double)(w->t[0] - w->range_start) / 1000;
	dend = (double)(w->range_end - w->t[n - 1]) / 1000;
	sampled = (double)(w->t[n - 1] - w->t[0]) / 1000;
	avg = sampled / (double)(n - 1);
	if (counter && result > 0 && w->v[0] >= 0) {
		double dzero = sampled * (w->v[0] / result);
		if (dzero < dstart)
			dstart = dzero;
	}
	thr = avg * 1.1;
	ext = sampled;
	ext += dstart < thr ? dstart : avg / 2;
	ext += dend < thr ? dend : avg / 2;
	factor = ext / sampled;
	if (rate)
		factor /= (double)w->range_ms / 1000;
	*out = result * factor;
	return 1;
}

static int f_rate(const struct pwindow *w, double *o) { return extrapolated_rate(w, o, 1, 1); }
static int f_increase(const struct pwindow *w, double *o) { return extrapolated_rate(w, o, 1, 0); }
static int f_delta(const struct pwindow *w, double *o) { return extrapolated_rate(w, o, 0, 0); }

static int
instant_value(const struct pwindow *w, double *out, int rate)
{
	double last, prev, v;
	int64_t dt;

	if (w->n < 2)
		return 0;
	last = w->v[w->n - 1];
	prev = w->v[w->n - 2];
	v = rate && last < prev ? last : last - prev;
	dt = w->t[w->n - 1] - w->t[w->n - 2];
	if (dt == 0)
		return 0;
	if (rate)
		v /= (double)dt / 1000;
	*out = v;
	return 1;
}

static int f_irate(const struct pwindow *w, double *o) { return instant_value(w, o, 1); }
static int f_idelta(const struct pwindow *w, double *o) { return instant_value(w, o, 0); }

/* Least squares over the window, x in seconds from 'at'. */
static void
linear_regression(const struct pwindow *w, int64_t at, double *slope,
    double *intercept)
{
	double n = 0, sx = 0, sy = 0, sxy = 0, sx2 = 0, cov, var;
	size_t i;

	for (i = 0; i < w->n; i++) {
		double x = (double)(w->t[i] - at) / 1e3;
		n += 1;
		sy += w->v[i];
		sx += x;
		sxy += x * w->v[i];
		sx2 += x * x;
	}
	cov = sxy - sx * sy / n;
	var = sx2 - sx * sx / n;
	*slope = cov / var;
	*intercept = sy / n - *slope * sx / n;
}

static int
f_deriv(const struct pwindow *w, double *out)
{
	double icpt;

	if (w->n < 2)
		return 0;
	linear_regression(w, w->t[0], out, &icpt);
	return 1;
}

static int
f_predict_linear(const struct pwindow *w, double *out)
{
	double slope, icpt;

	if (w->n < 2)
		return 0;
	linear_regression(w, w->t_eval, &slope, &icpt);
	*out = slope * w->arg[0] + icpt;
	return 1;
}

static int
f_holt_winters(const struct pwindow *w, double *out)
{
	double sf = w->arg[0], tf = w->arg[1], s0 = 0, s1, b, x, y;
	size_t i;

	if (!(sf > 0 && sf < 1))
		return errbuf_set(w->ev->eb, "invalid smoothing factor. Expected: 0 < sf < 1, got: %f", sf);
	if (!(tf > 0 && tf < 1))
		return errbuf_set(w->ev->eb, "invalid trend factor. Expected: 0 < tf < 1, got: %f", tf);
	if (w->n < 2)
		return 0;
	s1 = w->v[0];
	b = w->v[1] - w->v[0];
	for (i = 1; i < w->n; i++) {
		x = sf * w->v[i];
		if (i > 1)
			b = tf * (s1 - s0) + (1 - tf) * b;
		y = (1 - sf) * (s1 + b);
		s0 = s1;
		s1 = x + y;
	}
	*out = s1;
	return 1;
}

static int
f_resets(const struct pwindow *w, double *out)
{
	size_t i, r = 0;

	for (i = 1; w->maybe_reset && i < w->n; i++)
		if (w->v[i] < w->v[i - 1])
			r++;
	*out = (double)r;
	return 1;
}

static int
f_changes(const struct pwindow *w, double *out)
{
	size_t i, c = 0;

	for (i = 1; i < w->n; i++)
		if (w->v[i] != w->v[i - 1] &&
		    !(isnan(w->v[i]) && isnan(w->v[i - 1])))
			c++;
	*out = (double)c;
	return 1;
}

/*
 * Over rows of a rolled tier the values are the windows' sums and
 * 'rows->count' their sizes (a plain sample: itself and 1).
 */
static int
rows_avg(const struct pwindow *w, double *out)
{
	double sum = 0, c = 0, count = 0;
	size_t i;

	for (i = 0; i < w->n; i++) {
		kahan_inc(w->v[i], &sum, &c);
		count += w->rows->count[w->off + i];
	}
	*out = (isinf(sum) ? sum : sum + c) / count;
	return 1;
}

double
promql_avg_over_time(const double *v, size_t n)
{
	double sum = 0, c = 0, mean = 0, count = 0;
	size_t i;

	/*
	 * The compensated sum over the count: within rounding of Prometheus'
	 * running mean, and without its two divisions per sample.  The
	 * running mean where the sum is infinite (an Inf among the values,
	 * or an overflow), for its answers there.
	 */
	for (i = 0; i < n; i++)
		kahan_inc(v[i], &sum, &c);
	if (!isinf(sum))
		return (sum + c) / (double)n;
	for (i = 0; i < n; i++) {
		double x = v[i];
		count++;
		if (isinf(mean)) {
			if (isinf(x) && (mean > 0) == (x > 0))
				continue;
			if (!isinf(x) && !isnan(x))
				continue;
		}
		mean += x / count - mean / count;
	}
	return mean;
}

static int
f_avg_over_time(const struct pwindow *w, double *out)
{
	if (w->rows)
		return rows_avg(w, out);
	*out = promql_avg_over_time(w->v, w->n);
	return 1;
}

static int
f_sum_over_time(const struct pwindow *w, double *out)
{
	double sum = 0, c = 0;
	size_t i;

	for (i = 0; i < w->n; i++)
		kahan_inc(w->v[i], &sum, &c);
	*out = isinf(sum) ? sum : sum + c;
	return 1;
}

static int
f_count_over_time(const struct pwindow *w, double *out)
{
	double count = 0;
	size_t i;

	if (w->rows == NULL) {
		*out = (double)w->n;
		return 1;
	}
	for (i = 0; i < w->n; i++)
		count += w->rows->count[w->off + i];
	*out = count;
	return 1;
}

static int
f_max_over_time(const struct pwindow *w, double *out)
{
	double m = w->v[0];
	size_t i;

	for (i = 0; i < w->n; i++)
		if (w->v[i] > m || isnan(m))
			m = w->v[i];
	*out = m;
	return 1;
}

static int
f_min_over_time(const struct pwindow *w, double *out)
{
	double m = w->v[0];
	size_t i;

	for (i = 0; i < w->n; i++)
		if (w->v[i] < m || isnan(m))
			m = w->v[i];
	*out = m;
	return 1;
}

static double
stdvar(const struct pwindow *w)
{
	double count = 0, mean = 0, cmean = 0, aux = 0, caux = 0;
	size_t i;

	for (i = 0; i < w->n; i++) {
		double v = w->v[i], delta;
		count++;
		delta = v - (mean + cmean);
		kahan_inc(delta / count, &mean, &cmean);
		kahan_inc(delta * (v - (mean + cmean)), &aux, &caux);
	}
	return (aux + caux) / count;
}

static int f_stdvar_over_time(const struct pwindow *w, double *o) { *o = stdvar(w); return 1; }
static int f_stddev_over_time(const struct pwindow *w, double *o) { *o = sqrt(stdvar(w)); return 1; }

/*
 * Over rows of a rolled tier: the quantile of the windows' sketches
 * merged, within the sketch's relative error (sketch.h) of the raw
 * data's; a row without a sketch stands for its count of its value.
 */
static int
rows_quantile(const struct pwindow *w, double *out)
{
	const struct prows *r = w->rows;
	double q = w->arg[0];
	size_t i, k;

	if (isnan(q) || q < 0 || q > 1) {
		*out = isnan(q) ? NAN : q < 0 ? -INFINITY : INFINITY;
		return 1;
	}
	sketch_reset(w->sk[0]);
	for (i = 0; i < w->n; i++) {
		k = w->off + i;
		if (r->sk_len && r->sk_len[k]) {
			if (sketch_decode(w->sk[1], r->sk + r->sk_off[k],
			    r->sk_len[k]) == -1)
				return errbuf_set(w->ev->eb, "corrupt sketch in a rolled row");
			sketch_merge(w->sk[0], w->sk[1]);
		} else
			sketch_add_n(w->sk[0], w->v[i], (uint64_t)r->count[k]);
	}
	if (sketch_count(w->sk[0]) == 0)
		*out = NAN;
	else
		*out = sketch_quantile(w->sk[0], q);
	return 1;
}

static int
f_quantile_over_time(const struct pwindow *w, double *out)
{
	if (w->rows)
		return rows_quantile(w, out);
	memcpy(w->tmp, w->v, w->n * sizeof(double));
	*out = pquantile(w->arg[0], w->tmp, w->n);
	return 1;
}

static int
f_mad_over_time(const struct pwindow *w, double *out)
{
	double med;
	size_t i;

	memcpy(w->tmp, w->v, w->n * sizeof(double));
	med = pquantile(0.5, w->tmp, w->n);
	for (i = 0; i < w->n; i++)
		w->tmp[i] = fabs(w->v[i] - med);
	*out = pquantile(0.5, w->tmp, w->n);
	return 1;
}

static int
f_last_over_time(const struct pwindow *w, double *out)
{
	*out = w->v[w->n - 1];
	return 1;
}

static int
f_present_over_time(const struct pwindow *w, double *out)
{
	(void)w;
	*out = 1;
	return 1;
}

/*
 * A window function over the series of its range vector, one series at a
 * time (promql_func.h): at each step the samples of the series in that
 * step's window.  The metric name goes (but with PROMQL_FUNC_KEEP_NAME),
 * and two outputs with the same labels are an error.  The output keeps
 * the order of the input series, or their order by labels.
 */
struct pwindows {
	struct pev *ev;
	const struct promql_func *f;
	struct pval *out;
	struct pbuilder b;
	/* The range vector's window, and the scalar arguments per step. */
	int64_t range_ms, offset_ms, at_ms;
	int has_at;
	const struct pval *arg[2];
	size_t narg;
	/* Scratch: values, sketches. */
	double *tmp;
	size_t tmp_cap;
	struct sketch *sk[2];
	/* The input labels of each output series, to order them by. */
	int by_labels;
	const char **in_lbl;
	size_t *in_len, in_cap;
};

struct pwindows *
pwindows_new(struct pev *ev, const struct promql_node *n, struct pval *args,
    const struct pval *matrix, int by_labels, struct pval *out)
{
	struct pwindows *w = xcalloc(1, sizeof(*w));
	size_t i;

	w->ev = ev;
	w->by_labels = by_labels;
	w->f = n->call.func;
	w->out = out;
	out->type = PROMQL_TYPE_VECTOR;
	pbuilder_init(&w->b, out);
	w->range_ms = matrix->range_ms;
	w->offset_ms = matrix->offset_ms;
	w->has_at = matrix->has_at;
	w->at_ms = matrix->at_ms;
	for (i = 0; i < n->call.nargs && w->narg < 2; i++)
		if (args[i].type == PROMQL_TYPE_SCALAR)
			w->arg[w->narg++] = &args[i];
	if (w->f->use == PROMQL_USE_QUANTILE) {
		w->sk[0] = sketch_new();
		w->sk[1] = sketch_new();
	}
	return w;
}

int
pwindows_series(struct pwindows *w, const struct pseries *s)
{
	struct pev *ev = w->ev;
	const struct promql_func *f = w->f;
	int resets = (f->flags & PROMQL_FUNC_RESETS) != 0, r;
	const double *a0 = w->narg > 0 ? w->arg[0]->sc : NULL;
	const double *a1 = w->narg > 1 ? w->arg[1]->sc : NULL;
	struct pwindow win;
	struct pseries *o = NULL;
	const int64_t *from_t;
	size_t k, lo = 0, hi = 0, last_reset = 0, before, oi;

	if (s->n == 0)
		return 0;
	w->tmp = xgrow(w->tmp, &w->tmp_cap, s->n, sizeof(*w->tmp));
	win.rows = s->rows;
	win.sk[0] = w->sk[0];
	win.sk[1] = w->sk[1];
	win.range_ms = w->range_ms;
	win.ev = ev;
	win.tmp = w->tmp;
	win.maybe_reset = 1;
	win.arg[0] = win.arg[1] = 0;
	/* Rows: only the windows wholly in the range. */
	from_t = s->rows ? s->rows->from : s->t;
	for (k = 0; k < ev->nsteps; k++) {
		int64_t t = pev_time(ev, k), ref, from;
		double v;

		/* A long series is long to go through: the timeout and a
		 * cancel are looked at within it, not only after it. */
		if (pev_check_time(ev) == -1)
			return -1;
		ref = ptime_sub(w->has_at ? w->at_ms : t, w->offset_ms);
		from = ptime_sub(ref, w->range_ms);
		if (resets) {
			/* Note the last sample below the one before it. */
			double prev = s->v[hi > 0 ? hi - 1 : 0];
			for (; hi < s->n && s->t[hi] <= ref; hi++) {
				double x = s->v[hi];
				last_reset = x < prev ? hi : last_reset;
				prev = x;
			}
		} else {
			hi = ptime_after(s->t, s->n, hi, ref);
		}
		lo = ptime_from(from_t, hi, lo, from);
		if (lo >= hi)
			continue;
		win.t = s->t + lo;
		win.v = s->v + lo;
		win.n = hi - lo;
		win.off = lo;
		win.range_start = from;
		win.range_end = ref;
		win.t_eval = t;
		if (resets)
			win.maybe_reset = last_reset > lo;
		if (a0 != NULL)
			win.arg[0] = a0[k];
		if (a1 != NULL)
			win.arg[1] = a1[k];
		if ((r = f->window(&win, &v)) == -1)
			return -1;
		if (r == 0)
			continue;
		if (o == NULL) {
			const char *lbl = s->lbl;
			size_t len = s->lbl_len;
			if (!(f->flags & PROMQL_FUNC_KEEP_NAME))
				lbl = pev_drop_name(ev, lbl, len, &len);
			before = w->out->n;
			oi = pbuilder_series(ev, &w->b, lbl, len);
			if (w->out->n == before)
				return errbuf_set(ev->eb, "vector cannot contain metrics with the same labelset");
			w->in_lbl = xgrow(w->in_lbl, &w->in_cap, w->out->n,
			    sizeof(*w->in_lbl));
			w->in_len = xreallocarray(w->in_len, w->in_cap,
			    sizeof(*w->in_len));
			w->in_lbl[oi] = s->lbl;
			w->in_len[oi] = s->lbl_len;
			o = &w->out->s[oi];
			pseries_reserve(o, ev->nsteps - k);
		}
		/* A new series, one point a step: no need for the builder's checks. */
		if (pseries_push(ev, o, t, v) == -1)
			return -1;
	}
	return pev_check_time(ev);
}

static int
cmp_input(const void *a, const void *b, void *arg)
{
	const struct pwindows *w = arg;
	size_t x = *(const size_t *)a, y = *(const size_t *)b;

	return plabels_cmp(w->in_lbl[x], w->in_len[x], w->in_lbl[y],
	    w->in_len[y]);
}

/* Sort the output series by the labels of their input series. */
static void
order_by_input(struct pwindows *w)
{
	struct pval *out = w->out;
	size_t i, *idx;
	struct pseries *s;

	for (i = 1; i < out->n; i++)
		if (plabels_cmp(w->in_lbl[i - 1], w->in_len[i - 1],
		    w->in_lbl[i], w->in_len[i]) > 0)
			break;
	if (i >= out->n)
		return;
	idx = xreallocarray(NULL, out->n, sizeof(*idx));
	for (i = 0; i < out->n; i++)
		idx[i] = i;
	qsort_r(idx, out->n, sizeof(*idx), cmp_input, w);
	s = xreallocarray(NULL, out->n, sizeof(*s));
	for (i = 0; i < out->n; i++)
		s[i] = out->s[idx[i]];
	memcpy(out->s, s, out->n * sizeof(*s));
	free(s);
	free(idx);
}

int
pwindows_end(struct pwindows *w, int ok)
{
	int rc = -1;

	if (ok && (rc = pbuilder_finish(w->ev, &w->b)) == 0 && w->by_labels)
		order_by_input(w);
	if (rc == -1)
		pbuilder_abort(&w->b);
	free(w->tmp);
	sketch_free(w->sk[0]);
	sketch_free(w->sk[1]);
	free(w->in_lbl);
	free(w->in_len);
	free(w);
	return rc;
}

/*
 * A window function over a range vector already evaluated (a subquery's,
 * say): its series in their order, each released once done with.
 */
static int
range_call(struct pev *ev, const struct promql_node *n, struct pval *args,
    struct pval *out)
{
	struct pval *m = NULL;
	struct pwindows *w;
	size_t i;
	int ok = 1;

	for (i = 0; i < n->call.nargs; i++)
		if (args[i].type == PROMQL_TYPE_MATRIX)
			m = &args[i];
	w = pwindows_new(ev, n, args, m, 0, out);
	for (i = 0; ok && i < m->n; i++) {
		ok = pwindows_series(w, &m->s[i]) == 0;
		pseries_release(ev, &m->s[i]);
	}
	return pwindows_end(w, ok);
}

/* The labels absent() gives: those of the selector's equality matchers. */
static const char *
absent_labels(struct pev *ev, const struct promql_node *arg, size_t *len)
{
	const struct promql_node *vs = promql_unparen(arg);
	struct plabels_builder *b = &ev->labels;
	size_t i, j;

	b->n = 0;
	if (vs->kind == PROMQL_MATRIX_SELECTOR)
		vs = vs->ms.vs;
	if (vs->kind != PROMQL_VECTOR_SELECTOR)
		return pev_encode(ev, b, len);
	for (i = 0; i < vs->vs.nmatchers; i++) {
		const struct matcher *m = &vs->vs.matchers[i];
		size_t vl;
		if (strcmp(m->name, "__name__") == 0)
			continue;
		if (m->op == MATCHER_EQ &&
		    plabels_builder_get(b, m->name, strlen(m->name),
		    &vl) == NULL)
			plabels_builder_set(b, m->name, strlen(m->name),
			    m->value,
			    m->value_len);
	}
	/* A label matched otherwise too, or twice, is left out. */
	for (i = 0; i < vs->vs.nmatchers; i++) {
		const struct matcher *m = &vs->vs.matchers[i];
		int first_eq = 0;
		if (strcmp(m->name, "__name__") == 0)
			continue;
		if (m->op == MATCHER_EQ) {
			first_eq = 1;
			for (j = 0; j < i; j++)
				if (strcmp(vs->vs.matchers[j].name, m->name) == 0 &&
				    vs->vs.matchers[j].op == MATCHER_EQ)
					first_eq = 0;
		}
		if (!first_eq)
			plabels_builder_del(b, m->name);
	}
	return pev_encode(ev, b, len);
}

/* absent() and absent_over_time(): 1 at the steps 'seen' does not mark. */
static int
absent_at(struct pev *ev, const struct promql_node *n,
    const unsigned char *seen, struct pval *out)
{
	struct pseries *s = NULL;
	const char *lbl;
	size_t k, len;

	out->type = PROMQL_TYPE_VECTOR;
	lbl = absent_labels(ev, n->call.args[0], &len);
	for (k = 0; k < ev->nsteps; k++) {
		if (seen[k])
			continue;
		if (s == NULL)
			s = pval_add(out, lbl, len);
		if (pseries_push(ev, s, pev_time(ev, k), 1) == -1)
			return -1;
	}
	return 0;
}

static int
f_absent(struct pev *ev, const struct promql_node *n, struct pval *args,
    struct pval *out)
{
	unsigned char *seen = xcalloc(ev->nsteps ? ev->nsteps : 1, 1);
	size_t i, k;
	int rc;

	for (i = 0; i < args[0].n; i++)
		for (k = 0; k < args[0].s[i].n; k++)
			seen[pev_stepno(ev, args[0].s[i].t[k])] = 1;
	rc = absent_at(ev, n, seen, out);
	free(seen);
	return rc;
}

static int
f_absent_over_time(struct pev *ev, const struct promql_node *n,
    struct pval *args, struct pval *out)
{
	const struct pval *m = &args[0];
	unsigned char *seen = xcalloc(ev->nsteps ? ev->nsteps : 1, 1);
	size_t i, k;
	int rc;

	for (i = 0; i < m->n; i++) {
		const struct pseries *ms = &m->s[i];
		size_t lo = 0, hi = 0;
		for (k = 0; k < ev->nsteps; k++) {
			int64_t ref = pval_ref(m, pev_time(ev, k));
			while (hi < ms->n && ms->t[hi] <= ref)
				hi++;
			while (lo < hi && ms->t[lo] < ptime_sub(ref, m->range_ms))
				lo++;
			if (lo < hi)
				seen[k] = 1;
		}
	}
	rc = absent_at(ev, n, seen, out);
	free(seen);
	return rc;
}

/*
 * Point functions: of each point of an instant vector, and of the scalar
 * arguments at its step ('narg' of them).  They return 1 with the value
 * in '*out', or 0 to drop the point.
 */
#define POINT(name, expr) \
	static int name(double v, const double *arg, size_t narg, double *out) \
	{ (void)arg; (void)narg; *out = (expr); return 1; }

POINT(f_abs, fabs(v))
POINT(f_ceil, ceil(v))
POINT(f_floor, floor(v))
POINT(f_exp, exp(v))
POINT(f_sqrt, sqrt(v))
POINT(f_ln, log(v))
POINT(f_log2, log2(v))
POINT(f_log10, log10(v))
POINT(f_sgn, v < 0 ? -1 : v > 0 ? 1 : v)
POINT(f_sin, sin(v))
POINT(f_cos, cos(v))
POINT(f_tan, tan(v))
POINT(f_asin, asin(v))
POINT(f_acos, acos(v))
POINT(f_atan, atan(v))
POINT(f_sinh, sinh(v))
POINT(f_cosh, cosh(v))
POINT(f_tanh, tanh(v))
POINT(f_asinh, asinh(v))
POINT(f_acosh, acosh(v))
POINT(f_atanh, atanh(v))
POINT(f_deg, v * 180 / M_PI)
POINT(f_rad, v * M_PI / 180)
POINT(f_clamp_min, pnum_max(arg[0], v))
POINT(f_clamp_max, pnum_min(arg[0], v))

/* round(v, to_nearest = 1), as Prometheus rounds: halves up. */
static int
f_round(double v, const double *arg, size_t narg, double *out)
{
	double inv = 1.0 / (narg > 0 ? arg[0] : 1);

	*out = floor(v * inv + 0.5) / inv;
	return 1;
}

/* clamp(v, min, max): no point at all when max < min. */
static int
f_clamp(double v, const double *arg, size_t narg, double *out)
{
	(void)narg;
	if (arg[1] < arg[0])
		return 0;
	*out = pnum_max(arg[0], pnum_min(arg[1], v));
	return 1;
}

static int
is_leap(int64_t y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

enum date_part {
	DATE_DAY_OF_MONTH, DATE_DAY_OF_WEEK, DATE_DAY_OF_YEAR,
	DATE_DAYS_IN_MONTH, DATE_HOUR, DATE_MINUTE, DATE_MONTH, DATE_YEAR
};

/* Go's time.Unix(int64(v), 0).UTC() fields, for the date functions. */
static double
date_part(enum date_part f, double v)
{
	static const int mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int64_t secs, days, z, era, doe, yoe, y, doy, mp, d, m, sod;

	if (isnan(v) || v >= 9.2e18 || v <= -9.2e18)
		return NAN;
	secs = (int64_t)v;
	days = secs / 86400;
	sod = secs % 86400;
	if (sod < 0) {
		sod += 86400;
		days--;
	}
	/* Days to civil date (Howard Hinnant's algorithm). */
	z = days + 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	y = yoe + era * 400;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	d = doy - (153 * mp + 2) / 5 + 1;
	m = mp < 10 ? mp + 3 : mp - 9;
	if (m <= 2)
		y++;
	switch (f) {
	case DATE_DAY_OF_MONTH: return (double)d;
	case DATE_DAY_OF_WEEK: {
		int64_t w = (days + 4) % 7;	/* 1970-01-01 was a Thursday */
		return (double)(w < 0 ? w + 7 : w);
	}
	case DATE_DAY_OF_YEAR: {
		int64_t yd = d, i;
		for (i = 1; i < m; i++)
			yd += mdays[i - 1] + (i == 2 && is_leap(y));
		return (double)yd;
	}
	case DATE_DAYS_IN_MONTH:
		return (double)(mdays[m - 1] + (m == 2 && is_leap(y)));
	case DATE_HOUR: return (double)(sod / 3600);
	case DATE_MINUTE: return (double)(sod / 60 % 60);
	case DATE_MONTH: return (double)m;
	case DATE_YEAR: return (double)y;
	}
	return NAN;
}

POINT(f_day_of_month, date_part(DATE_DAY_OF_MONTH, v))
POINT(f_day_of_week, date_part(DATE_DAY_OF_WEEK, v))
POINT(f_day_of_year, date_part(DATE_DAY_OF_YEAR, v))
POINT(f_days_in_month, date_part(DATE_DAYS_IN_MONTH, v))
POINT(f_hour, date_part(DATE_HOUR, v))
POINT(f_minute, date_part(DATE_MINUTE, v))
POINT(f_month, date_part(DATE_MONTH, v))
POINT(f_year, date_part(DATE_YEAR, v))

#undef POINT

/*
 * A point function over its instant-vector argument (args[0]), the rest
 * of 'args' being scalars; the metric name goes.  Without arguments (the
 * date functions), of the step time, without labels.
 */
static int
point_call(struct pev *ev, const struct promql_node *n, struct pval *args,
    struct pval *out)
{
	const struct promql_func *f = n->call.func;
	struct pbuilder bl;
	double arg[2];
	size_t i, j, k, narg = n->call.nargs > 1 ? n->call.nargs - 1 : 0;
	int ret = -1;

	out->type = PROMQL_TYPE_VECTOR;
	pbuilder_init(&bl, out);
	if (n->call.nargs == 0) {
		struct pseries *s = pval_add(out, "", 0);
		for (j = 0; j < ev->nsteps; j++) {
			int64_t t = pev_time(ev, j);
			double v;
			f->point((double)(t / 1000), arg, 0, &v);
			if (pseries_push(ev, s, t, v) == -1)
				return -1;
		}
		return 0;
	}
	for (i = 0; i < args[0].n; i++) {
		struct pseries *s = &args[0].s[i];
		size_t len, oi = (size_t)-1;
		const char *lbl = pev_drop_name(ev, s->lbl, s->lbl_len, &len);
		for (j = 0; j < s->n; j++) {
			double v;
			k = pev_stepno(ev, s->t[j]);
			arg[0] = narg > 0 ? args[1].sc[k] : 0;
			arg[1] = narg > 1 ? args[2].sc[k] : 0;
			if (!f->point(s->v[j], arg, narg, &v))
				continue;
			if (oi == (size_t)-1)
				oi = pbuilder_series(ev, &bl, lbl, len);
			if (pbuilder_push(ev, &bl, oi, s->t[j], v) == -1)
				goto out;
		}
		pseries_release(ev, s);
	}
	ret = pbuilder_finish(ev, &bl);
out:
	if (ret == -1)
		pbuilder_abort(&bl);
	return ret;
}

/*
 * timestamp(): of a vector selector, the times of its samples (its
 * argument was evaluated so: PROMQL_FUNC_SAMPLE_TIMES); of anything else,
 * the time of each point.  The metric name goes.
 */
static int
f_timestamp(struct pev *ev, const struct promql_node *n, struct pval *args,
    struct pval *out)
{
	int of_samples = promql_is_selector(n->call.args[0]);
	struct pbuilder bl;
	size_t i, j;
	int ret = -1;

	out->type = PROMQL_TYPE_VECTOR;
	pbuilder_init(&bl, out);
	for (i = 0; i < args[0].n; i++) {
		struct pseries *s = &args[0].s[i];
		size_t len, oi;
		const char *lbl = pev_drop_name(ev, s->lbl, s->lbl_len, &len);
		if (s->n == 0)
			continue;
		oi = pbuilder_series(ev, &bl, lbl, len);
		for (j = 0; j < s->n; j++)
			if (pbuilder_push(ev, &bl, oi, s->t[j], of_samples ?
			    s->v[j] : (double)s->t[j] / 1000) == -1)
				goto out;
		pseries_release(ev, s);
	}
	ret = pbuilder_finish(ev, &bl);
out:
	if (ret == -1)
		pbuilder_abort(&bl);
	return ret;
}

/*
 * label_replace() and label_join(): new labels, the same points.
 */

/* String argument 'i': its bytes, which may hold NULs. */
static const char *
str_arg(const struct pval *args, size_t i, size_t *len)
{
	*len = args[i].str_len;
	return args[i].str;
}

/*
 * label_replace(v, dst, replacement, src, regex) and label_join(v, dst,
 * separator, src...): the points of 'v' under new labels.
 */
static int
label_func(struct pev *ev, const struct promql_node *n, struct pval *args,
    int join, struct pval *out)
{
	struct pval *in = &args[0];
	struct pbuilder bl;
	struct buf val = BUF_INIT, re_src = BUF_INIT;
	pcre2_code *re = NULL;
	pcre2_match_data *md = NULL;
	struct regex_template rt = { NULL, 0 };
	const char *dst, *sep, *tmpl, *src;
	size_t i, j, dst_len, sep_len, tmpl_len, src_len, re_len;
	int ret = -1, err;

	out->type = PROMQL_TYPE_VECTOR;
	pbuilder_init(&bl, out);
	dst = str_arg(args, 1, &dst_len);
	sep = tmpl = str_arg(args, 2, &tmpl_len);
	sep_len = tmpl_len;
	if (!join) {
		PCRE2_SIZE off;
		const char *re_text = str_arg(args, 4, &re_len);
		buf_adds(&re_src, "^(?:");
		buf_add(&re_src, re_text, re_len);
		buf_adds(&re_src, ")$");
		re = pcre2_compile((PCRE2_SPTR)re_src.p, re_src.len,
		    PCRE2_UTF | PCRE2_DOLLAR_ENDONLY | PCRE2_MATCH_INVALID_UTF,
		    &err, &off, NULL);
		if (re == NULL) {
			PCRE2_UCHAR msg[256];
			pcre2_get_error_message(err, msg, sizeof(msg));
			errbuf_set(ev->eb, "invalid regular expression in label_replace(): %s", (char *)msg);
			goto out;
		}
		md = pcre2_match_data_create_from_pattern(re, NULL);
		regex_template_compile(&rt, tmpl, tmpl_len, re);
		if (!metric_label_name_valid(dst, dst_len)) {
			errbuf_set(ev->eb, "invalid destination label name in label_replace(): %s", dst);
			goto out;
		}
	} else {
		if (!metric_label_name_valid(dst, dst_len)) {
			errbuf_set(ev->eb, "invalid destination label name in label_join(): %s", dst);
			goto out;
		}
		for (i = 3; i < n->call.nargs; i++) {
			src = str_arg(args, i, &src_len);
			if (!metric_label_name_valid(src, src_len)) {
				errbuf_set(ev->eb, "invalid source label name in label_join(): %s", src);
				goto out;
			}
		}
	}
	for (i = 0; i < in->n; i++) {
		struct pseries *s = &in->s[i];
		const char *lbl = s->lbl, *v;
		size_t len = s->lbl_len, vl, oi;
		buf_reset(&val);
		if (join) {
			for (j = 3; j < n->call.nargs; j++) {
				if (j > 3)
					buf_add(&val, sep, sep_len);
				src = str_arg(args, j, &src_len);
				if ((v = plabels_get(s->lbl, s->lbl_len, src,
				    src_len, &vl)) != NULL)
					buf_add(&val, v, vl);
			}
		} else {
			src = str_arg(args, 3, &src_len);
			if ((v = plabels_get(s->lbl, s->lbl_len, src, src_len,
			    &vl)) == NULL) {
				v = "";
				vl = 0;
			}
			if (pcre2_match(re, (PCRE2_SPTR)v, vl, 0, 0, md, NULL) < 0)
				goto keep;
			regex_template_expand(&val, &rt, v,
			    pcre2_get_ovector_pointer(md),
			    pcre2_get_ovector_count(md));
		}
		plabels_builder_from(&ev->labels, s->lbl, s->lbl_len);
		plabels_builder_set(&ev->labels, dst, dst_len,
		    val.p ? val.p : "", val.len);
		lbl = pev_encode(ev, &ev->labels, &len);
keep:
		oi = pbuilder_series(ev, &bl, lbl, len);
		for (j = 0; j < s->n; j++)
			if (pbuilder_push(ev, &bl, oi, s->t[j], s->v[j]) == -1)
				goto out;
		pseries_release(ev, s);
	}
	ret = pbuilder_finish(ev, &bl);
out:
	if (ret == -1)
		pbuilder_abort(&bl);
	regex_template_free(&rt);
	pcre2_match_data_free(md);
	pcre2_code_free(re);
	buf_release(&val);
	buf_release(&re_src);
	return ret;
}

static int
f_label_replace(struct pev *ev, const struct promql_node *n,
    struct pval *args, struct pval *out)
{
	return label_func(ev, n, args, 0, out);
}

static int
f_label_join(struct pev *ev, const struct promql_node *n, struct pval *args,
    struct pval *out)
{
	return label_func(ev, n, args, 1, out);
}

/*
 * histogram_quantile() over classic buckets: series grouped by their
 * labels but 'le', at each step.
 */
struct bucket {
	double ub, count;
};

static int
cmp_bucket(const void *a, const void *b)
{
	const struct bucket *x = a, *y = b;

	return x->ub < y->ub ? -1 : x->ub > y->ub;
}

static double
bucket_quantile(double q, struct bucket *b, size_t n)
{
	size_t i, k, lo, hi;
	double obs, rank, max, start = 0, end, count;

	if (isnan(q))
		return NAN;
	if (q < 0)
		return -INFINITY;
	if (q > 1)
		return INFINITY;
	qsort(b, n, sizeof(*b), cmp_bucket);
	if (!isinf(b[n - 1].ub) || b[n - 1].ub < 0)
		return NAN;
	/* Merge buckets with the same bound. */
	for (i = 1, k = 0; i < n; i++) {
		if (b[i].ub == b[k].ub)
			b[k].count += b[i].count;
		else
			b[++k] = b[i];
	}
	n = k + 1;
	/* Make the counts monotonic. */
	max = -INFINITY;
	for (i = 0; i < n; i++) {
		if (b[i].count > max)
			max = b[i].count;
		else if (b[i].count < max)
			b[i].count = max;
	}
	if (n < 2)
		return NAN;
	obs = b[n - 1].count;
	if (obs == 0)
		return NAN;
	rank = q * obs;
	/* The first bucket (of all but the last) with count >= rank. */
	lo = 0;
	hi = n - 1;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (b[mid].count >= rank)
			hi = mid;
		else
			lo = mid + 1;
	}
	k = lo;
	if (k == n - 1)
		return b[n - 2].ub;
	if (k == 0 && b[0].ub <= 0)
		return b[0].ub;
	end = b[k].ub;
	count = b[k].count;
	if (k > 0) {
		start = b[k - 1].ub;
		count -= b[k - 1].count;
		rank -= b[k - 1].count;
	}
	return start + (end - start) * (rank / count);
}

/*
 * Go's strconv.ParseFloat of the 'len' bytes at 's', near enough: all of
 * them, no spaces.
 */
static int
parse_le(const char *s, size_t len, double *v)
{
	char num[64], *z, *end;
	int rc;

	if (len == 0 || *s == ' ' || *s == '\t' || *s == '\n' ||
	    memchr(s, '\0', len) != NULL)
		return -1;
	z = len < sizeof(num) ? num : xmalloc(len + 1);
	memcpy(z, s, len);
	z[len] = '\0';
	*v = strtod(z, &end);
	rc = *end == '\0' ? 0 : -1;
	if (z != num)
		free(z);
	return rc;
}

struct hgroup {
	const char *lbl;
	size_t lbl_len;
	size_t out;
	size_t stamp;
	struct bucket *b;
	size_t nb, cap;
};

static int
f_histogram_quantile(struct pev *ev, const struct promql_node *n,
    struct pval *args, struct pval *out)
{
	const struct pval *q = &args[0], *in = &args[1];
	struct pbuilder bl;
	struct hgroup *g = NULL;
	size_t ng = 0, gcap = 0, *gid = NULL, *touched = NULL, nt, i, k;
	double *ub = NULL;
	size_t *cur = NULL;
	int ret = -1;

	out->type = PROMQL_TYPE_VECTOR;
	pbuilder_init(&bl, out);
	(void)n;
	gid = xcalloc(in->n ? in->n : 1, sizeof(*gid));
	ub = xcalloc(in->n ? in->n : 1, sizeof(*ub));
	cur = xcalloc(in->n ? in->n : 1, sizeof(*cur));
	for (i = 0; i < in->n; i++) {
		const char *le, *key, *lbl;
		size_t vl, klen, len, j;
		struct pseries *s = &in->s[i];
		gid[i] = (size_t)-1;
		if ((le = plabels_get(s->lbl, s->lbl_len, "le", 2, &vl)) == NULL ||
		    parse_le(le, vl, &ub[i]) == -1)
			continue;
		plabels_builder_from(&ev->labels, s->lbl, s->lbl_len);
		plabels_builder_del(&ev->labels, "le");
		key = pev_encode(ev, &ev->labels, &klen);
		for (j = 0; j < ng; j++)
			if (g[j].lbl_len == klen && memcmp(g[j].lbl, key, klen) == 0)
				break;
		if (j == ng) {
			plabels_builder_del(&ev->labels, "__name__");
			lbl = pev_encode(ev, &ev->labels, &len);
			g = xgrow(g, &gcap, ng + 1, sizeof(*g));
			memset(&g[ng], 0, sizeof(*g));
			g[ng].lbl = key;
			g[ng].lbl_len = klen;
			g[ng].out = (size_t)-1;
			/* The output labels are kept apart from the key. */
			g[ng].b = NULL;
			g[ng].stamp = 0;
			g[ng].nb = 0;
			g[ng].cap = 0;
			g[ng].out = pbuilder_series(ev, &bl, lbl, len);
			ng++;
		}
		gid[i] = j;
	}
	touched = xcalloc(ng ? ng : 1, sizeof(*touched));
	for (k = 0; k < ev->nsteps; k++) {
		int64_t t = pev_time(ev, k);
		nt = 0;
		for (i = 0; i < in->n; i++) {
			struct pseries *s = &in->s[i];
			struct hgroup *h;
			if (cur[i] >= s->n || s->t[cur[i]] != t)
				continue;
			if (gid[i] != (size_t)-1) {
				h = &g[gid[i]];
				if (h->stamp != k + 1) {
					h->stamp = k + 1;
					h->nb = 0;
					touched[nt++] = gid[i];
				}
				h->b = xgrow(h->b, &h->cap, h->nb + 1, sizeof(*h->b));
				h->b[h->nb].ub = ub[i];
				h->b[h->nb++].count = s->v[cur[i]];
			}
			cur[i]++;
		}
		for (i = 0; i < nt; i++) {
			struct hgroup *h = &g[touched[i]];
			if (pbuilder_push(ev, &bl, h->out, t,
			    bucket_quantile(q->sc[k], h->b, h->nb)) == -1)
				goto out;
		}
	}
	ret = pbuilder_finish(ev, &bl);
	bl.slots = NULL;
	/* Drop groups that never had a point (all were created up front). */
	for (i = k = 0; i < out->n; i++) {
		if (out->s[i].n == 0)
			continue;
		out->s[k++] = out->s[i];
	}
	out->n = k;
out:
	free(bl.slots);
	free(bl.unsorted);
	for (i = 0; i < ng; i++)
		free(g[i].b);
	free(g);
	free(gid);
	free(ub);
	free(cur);
	free(touched);
	return ret;
}

/* sort() and sort_desc(): reorder an instant vector; NaN goes last. */
static int
cmp_sort(const void *a, const void *b, void *arg)
{
	const struct pseries *x = a, *y = b;
	double u = x->v[0], w = y->v[0];
	int desc = *(const int *)arg;

	if (isnan(u) || isnan(w))
		return isnan(u) - isnan(w);
	if (u == w)
		return 0;
	return (u < w) == !desc ? -1 : 1;
}

/* Take the value of 'in' into 'out', leaving 'in' empty. */
static void
take(struct pval *in, struct pval *out)
{
	*out = *in;
	memset(in, 0, sizeof(*in));
}

/* Instant queries only: a range query's points keep the order of series. */
static int
sort_call(struct pev *ev, struct pval *args, int desc, struct pval *out)
{
	take(&args[0], out);
	if (ev->nsteps == 1 && out->n > 1)
		qsort_r(out->s, out->n, sizeof(*out->s), cmp_sort, &desc);
	return 0;
}

static int
f_sort(struct pev *ev, const struct promql_node *n, struct pval *args,
    struct pval *out)
{
	(void)n;
	return sort_call(ev, args, 0, out);
}

static int
f_sort_desc(struct pev *ev, const struct promql_node *n, struct pval *args,
    struct pval *out)
{
	(void)n;
	return sort_call(ev, args, 1, out);
}

/* A scalar of 'v' at every step, or of the step time (seconds) if NaN. */
static int
scalar_steps(struct pev *ev, double v, struct pval *out)
{
	size_t k;

	out->type = PROMQL_TYPE_SCALAR;
	out->sc = xreallocarray(NULL, ev->nsteps ? ev->nsteps : 1,
	    sizeof(double));
	for (k = 0; k < ev->nsteps; k++)
		out->sc[k] = isnan(v) ? (double)pev_time(ev, k) / 1000 : v;
	return 0;
}

static int
f_pi(struct pev *ev, const struct promql_node *n, struct pval *args,
    struct pval *out)
{
	(void)n;
	(void)args;
	return scalar_steps(ev, M_PI, out);
}

static int
f_time(struct pev *ev, const struct promql_node *n, struct pval *args,
    struct pval *out)
{
	(void)n;
	(void)args;
	return scalar_steps(ev, NAN, out);
}

/* vector(s): one series without labels. */
static int
f_vector(struct pev *ev, const struct promql_node *n, struct pval *args,
    struct pval *out)
{
	struct pseries *s;
	size_t k;

	(void)n;
	out->type = PROMQL_TYPE_VECTOR;
	s = pval_add(out, "", 0);
	for (k = 0; k < ev->nsteps; k++)
		if (pseries_push(ev, s, pev_time(ev, k), args[0].sc[k]) == -1)
			return -1;
	return 0;
}

/* scalar(v): the value of a lone point, else NaN, at each step. */
static int
f_scalar(struct pev *ev, const struct promql_node *n, struct pval *args,
    struct pval *out)
{
	const struct pval *a = &args[0];
	size_t *cnt, i, k;

	(void)n;
	out->type = PROMQL_TYPE_SCALAR;
	out->sc = xreallocarray(NULL, ev->nsteps ? ev->nsteps : 1,
	    sizeof(double));
	cnt = xcalloc(ev->nsteps ? ev->nsteps : 1, sizeof(*cnt));
	for (i = 0; i < a->n; i++)
		for (k = 0; k < a->s[i].n; k++) {
			size_t st = pev_stepno(ev, a->s[i].t[k]);
			cnt[st]++;
			out->sc[st] = a->s[i].v[k];
		}
	for (k = 0; k < ev->nsteps; k++)
		if (cnt[k] != 1)
			out->sc[k] = NAN;
	free(cnt);
	return 0;
}

/* histogram_count() and the like: of native histograms, of which none. */
static int
f_native_histogram(struct pev *ev, const struct promql_node *n,
    struct pval *args, struct pval *out)
{
	(void)ev;
	(void)n;
	(void)args;
	out->type = PROMQL_TYPE_VECTOR;
	return 0;
}

/*
 * The registry: the functions of Prometheus 2.42, in name order
 * (promql_func_lookup() searches it by bisection).  mad_over_time came
 * later (2.52); it is here because mtk evaluates it.  For the use of
 * each range function on rolled rows, see enum promql_use.
 */
#define S PROMQL_TYPE_SCALAR
#define V PROMQL_TYPE_VECTOR
#define M PROMQL_TYPE_MATRIX
#define STR PROMQL_TYPE_STRING
#define WINDOW(f, u) .use = (u), .window = (f)

const struct promql_func promql_funcs[] = {
	{ "abs", { V }, 1, 0, V, .point = f_abs },
	{ "absent", { V }, 1, 0, V, .call = f_absent },
	{ "absent_over_time", { M }, 1, 0, V, .call = f_absent_over_time },
	{ "acos", { V }, 1, 0, V, .point = f_acos },
	{ "acosh", { V }, 1, 0, V, .point = f_acosh },
	{ "asin", { V }, 1, 0, V, .point = f_asin },
	{ "asinh", { V }, 1, 0, V, .point = f_asinh },
	{ "atan", { V }, 1, 0, V, .point = f_atan },
	{ "atanh", { V }, 1, 0, V, .point = f_atanh },
	{ "avg_over_time", { M }, 1, 0, V,
	    WINDOW(f_avg_over_time, PROMQL_USE_AVG) },
	{ "ceil", { V }, 1, 0, V, .point = f_ceil },
	{ "changes", { M }, 1, 0, V, WINDOW(f_changes, PROMQL_USE_VALUE) },
	{ "clamp", { V, S, S }, 3, 0, V, .point = f_clamp },
	{ "clamp_max", { V, S }, 2, 0, V, .point = f_clamp_max },
	{ "clamp_min", { V, S }, 2, 0, V, .point = f_clamp_min },
	{ "cos", { V }, 1, 0, V, .point = f_cos },
	{ "cosh", { V }, 1, 0, V, .point = f_cosh },
	{ "count_over_time", { M }, 1, 0, V,
	    WINDOW(f_count_over_time, PROMQL_USE_COUNT) },
	{ "day_of_month", { V }, 1, 1, V, .point = f_day_of_month,
	    .flags = PROMQL_FUNC_TIME },
	{ "day_of_week", { V }, 1, 1, V, .point = f_day_of_week,
	    .flags = PROMQL_FUNC_TIME },
	{ "day_of_year", { V }, 1, 1, V, .point = f_day_of_year,
	    .flags = PROMQL_FUNC_TIME },
	{ "days_in_month", { V }, 1, 1, V, .point = f_days_in_month,
	    .flags = PROMQL_FUNC_TIME },
	{ "deg", { V }, 1, 0, V, .point = f_deg },
	{ "delta", { M }, 1, 0, V, WINDOW(f_delta, PROMQL_USE_VALUE) },
	{ "deriv", { M }, 1, 0, V, WINDOW(f_deriv, PROMQL_USE_VALUE) },
	{ "exp", { V }, 1, 0, V, .point = f_exp },
	{ "floor", { V }, 1, 0, V, .point = f_floor },
	{ "histogram_count", { V }, 1, 0, V, .call = f_native_histogram },
	{ "histogram_fraction", { S, S, V }, 3, 0, V,
	    .call = f_native_histogram },
	{ "histogram_quantile", { S, V }, 2, 0, V,
	    .call = f_histogram_quantile },
	{ "histogram_sum", { V }, 1, 0, V, .call = f_native_histogram },
	{ "holt_winters", { M, S, S }, 3, 0, V,
	    WINDOW(f_holt_winters, PROMQL_USE_VALUE) },
	{ "hour", { V }, 1, 1, V, .point = f_hour, .flags = PROMQL_FUNC_TIME },
	{ "idelta", { M }, 1, 0, V, WINDOW(f_idelta, PROMQL_USE_VALUE) },
	{ "increase", { M }, 1, 0, V, WINDOW(f_increase, PROMQL_USE_VALUE),
	    .flags = PROMQL_FUNC_RESETS },
	{ "irate", { M }, 1, 0, V, WINDOW(f_irate, PROMQL_USE_VALUE) },
	{ "label_join", { V, STR, STR, STR }, 4, -1, V, .call = f_label_join },
	{ "label_replace", { V, STR, STR, STR, STR }, 5, 0, V,
	    .call = f_label_replace },
	{ "last_over_time", { M }, 1, 0, V,
	    WINDOW(f_last_over_time, PROMQL_USE_LAST),
	    .flags = PROMQL_FUNC_KEEP_NAME },
	{ "ln", { V }, 1, 0, V, .point = f_ln },
	{ "log10", { V }, 1, 0, V, .point = f_log10 },
	{ "log2", { V }, 1, 0, V, .point = f_log2 },
	{ "mad_over_time", { M }, 1, 0, V,
	    WINDOW(f_mad_over_time, PROMQL_USE_VALUE) },
	{ "max_over_time", { M }, 1, 0, V,
	    WINDOW(f_max_over_time, PROMQL_USE_MAX) },
	{ "min_over_time", { M }, 1, 0, V,
	    WINDOW(f_min_over_time, PROMQL_USE_MIN) },
	{ "minute", { V }, 1, 1, V, .point = f_minute,
	    .flags = PROMQL_FUNC_TIME },
	{ "month", { V }, 1, 1, V, .point = f_month, .flags = PROMQL_FUNC_TIME },
	{ "pi", { 0 }, 0, 0, S, .call = f_pi },
	{ "predict_linear", { M, S }, 2, 0, V,
	    WINDOW(f_predict_linear, PROMQL_USE_VALUE),
	    .flags = PROMQL_FUNC_TIME },
	{ "present_over_time", { M }, 1, 0, V,
	    WINDOW(f_present_over_time, PROMQL_USE_VALUE) },
	{ "quantile_over_time", { S, M }, 2, 0, V,
	    WINDOW(f_quantile_over_time, PROMQL_USE_QUANTILE) },
	{ "rad", { V }, 1, 0, V, .point = f_rad },
	{ "rate", { M }, 1, 0, V, WINDOW(f_rate, PROMQL_USE_VALUE),
	    .flags = PROMQL_FUNC_RESETS },
	{ "resets", { M }, 1, 0, V, WINDOW(f_resets, PROMQL_USE_VALUE),
	    .flags = PROMQL_FUNC_RESETS },
	{ "round", { V, S }, 2, 1, V, .point = f_round },
	{ "scalar", { V }, 1, 0, S, .call = f_scalar },
	{ "sgn", { V }, 1, 0, V, .point = f_sgn },
	{ "sin", { V }, 1, 0, V, .point = f_sin },
	{ "sinh", { V }, 1, 0, V, .point = f_sinh },
	{ "sort", { V }, 1, 0, V, .call = f_sort },
	{ "sort_desc", { V }, 1, 0, V, .call = f_sort_desc },
	{ "sqrt", { V }, 1, 0, V, .point = f_sqrt },
	{ "stddev_over_time", { M }, 1, 0, V,
	    WINDOW(f_stddev_over_time, PROMQL_USE_VALUE) },
	{ "stdvar_over_time", { M }, 1, 0, V,
	    WINDOW(f_stdvar_over_time, PROMQL_USE_VALUE) },
	{ "sum_over_time", { M }, 1, 0, V,
	    WINDOW(f_sum_over_time, PROMQL_USE_SUM) },
	{ "tan", { V }, 1, 0, V, .point = f_tan },
	{ "tanh", { V }, 1, 0, V, .point = f_tanh },
	{ "time", { 0 }, 0, 0, S, .call = f_time, .flags = PROMQL_FUNC_TIME },
	{ "timestamp", { V }, 1, 0, V, .call = f_timestamp,
	    .flags = PROMQL_FUNC_TIME | PROMQL_FUNC_SAMPLE_TIMES },
	{ "vector", { S }, 1, 0, V, .call = f_vector },
	{ "year", { V }, 1, 1, V, .point = f_year, .flags = PROMQL_FUNC_TIME },
	{ .name = NULL },
};

#undef S
#undef V
#undef M
#undef STR
#undef WINDOW

const struct promql_func *
promql_func_lookup(const char *name, size_t len)
{
	size_t lo = 0, hi = PNELEM(promql_funcs) - 1;	/* without the NULL */

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const char *f = promql_funcs[mid].name;
		int c = strncmp(f, name, len);
		if (c == 0)
			c = f[len] != '\0';	/* a longer name sorts later */
		if (c == 0)
			return &promql_funcs[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

int
promql_func_eval(struct pev *ev, const struct promql_node *n,
    struct pval *args, struct pval *out)
{
	const struct promql_func *f = n->call.func;

	if (f->window)
		return range_call(ev, n, args, out);
	if (f->point)
		return point_call(ev, n, args, out);
	return f->call(ev, n, args, out);
}
