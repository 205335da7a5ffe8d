/* promql_func.c - the PromQL functions, as Prometheus 2.42 computes them */
/* SPDX-License-Identifier: MIT */
#define PCRE2_CODE_UNIT_WIDTH 8

#include <math.h>
#include <pcre2.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "stream/metric.h"
#include "promql/promql_int.h"
#include "base/sketch.h"
#include "base/xalloc.h"

/*
 * Range-vector functions see one window at a time: the samples of one
 * series in [range_start, range_end] at step time 't'.  They return 1
 * with the value in '*out', 0 for no value, -1 for an error.
 */
struct rwin {
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
};

typedef int (*rfunc)(const struct rwin *w, double *out);

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
extrapolated_rate(const struct rwin *w, double *out, int counter, int rate)
{
	double result, prev, dstart, dend, sampled, avg, thr, ext, factor;
	size_t i, n = w->n;

	if (n < 2)
		return 0;
	result = w->v[n - 1] - w->v[0];
	if (counter) {
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

static int f_rate(const struct rwin *w, double *o) { return extrapolated_rate(w, o, 1, 1); }
static int f_increase(const struct rwin *w, double *o) { return extrapolated_rate(w, o, 1, 0); }
static int f_delta(const struct rwin *w, double *o) { return extrapolated_rate(w, o, 0, 0); }

static int
instant_value(const struct rwin *w, double *out, int rate)
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

static int f_irate(const struct rwin *w, double *o) { return instant_value(w, o, 1); }
static int f_idelta(const struct rwin *w, double *o) { return instant_value(w, o, 0); }

/* Least squares over the window, x in seconds from 'at'. */
static void
linear_regression(const struct rwin *w, int64_t at, double *slope,
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
f_deriv(const struct rwin *w, double *out)
{
	double icpt;

	if (w->n < 2)
		return 0;
	linear_regression(w, w->t[0], out, &icpt);
	return 1;
}

static int
f_predict_linear(const struct rwin *w, double *out)
{
	double slope, icpt;

	if (w->n < 2)
		return 0;
	linear_regression(w, w->t_eval, &slope, &icpt);
	*out = slope * w->arg[0] + icpt;
	return 1;
}

static int
f_holt_winters(const struct rwin *w, double *out)
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
f_resets(const struct rwin *w, double *out)
{
	size_t i, r = 0;

	for (i = 1; i < w->n; i++)
		if (w->v[i] < w->v[i - 1])
			r++;
	*out = (double)r;
	return 1;
}

static int
f_changes(const struct rwin *w, double *out)
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
rows_avg(const struct rwin *w, double *out)
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
f_avg_over_time(const struct rwin *w, double *out)
{
	if (w->rows)
		return rows_avg(w, out);
	*out = promql_avg_over_time(w->v, w->n);
	return 1;
}

static int
f_sum_over_time(const struct rwin *w, double *out)
{
	double sum = 0, c = 0;
	size_t i;

	for (i = 0; i < w->n; i++)
		kahan_inc(w->v[i], &sum, &c);
	*out = isinf(sum) ? sum : sum + c;
	return 1;
}

static int
f_count_over_time(const struct rwin *w, double *out)
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
f_max_over_time(const struct rwin *w, double *out)
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
f_min_over_time(const struct rwin *w, double *out)
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
stdvar(const struct rwin *w)
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

static int f_stdvar_over_time(const struct rwin *w, double *o) { *o = stdvar(w); return 1; }
static int f_stddev_over_time(const struct rwin *w, double *o) { *o = sqrt(stdvar(w)); return 1; }

/*
 * Over rows of a rolled tier: the quantile of the windows' sketches
 * merged, within the sketch's relative error (sketch.h) of the raw
 * data's; a row without a sketch stands for its count of its value.
 */
static int
rows_quantile(const struct rwin *w, double *out)
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
f_quantile_over_time(const struct rwin *w, double *out)
{
	if (w->rows)
		return rows_quantile(w, out);
	memcpy(w->tmp, w->v, w->n * sizeof(double));
	*out = pquantile(w->arg[0], w->tmp, w->n);
	return 1;
}

static int
f_mad_over_time(const struct rwin *w, double *out)
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
f_last_over_time(const struct rwin *w, double *out)
{
	*out = w->v[w->n - 1];
	return 1;
}

static int
f_present_over_time(const struct rwin *w, double *out)
{
	(void)w;
	*out = 1;
	return 1;
}

/* Evaluate argument 'i' as a scalar per step (NaN when left out). */
static int
scalar_arg(struct pev *ev, const struct promql_node *n, size_t i,
    struct pval *out)
{
	size_t k;

	if (i < n->call.nargs)
		return pev_eval(ev, n->call.args[i], out);
	out->type = PROMQL_TYPE_SCALAR;
	out->sc = xreallocarray(NULL, ev->nsteps ? ev->nsteps : 1, sizeof(double));
	for (k = 0; k < ev->nsteps; k++)
		out->sc[k] = NAN;
	return 0;
}

/*
 * Apply 'fn' to the windows of the matrix argument 'mi' at each step.
 * The output keeps the input's order; the metric name goes (but for
 * last_over_time), and two outputs with the same labels are an error.
 */
static int
range_call(struct pev *ev, const struct promql_node *n, size_t mi, rfunc fn,
    enum promql_use use, struct pval *out)
{
	struct pval m = { 0 }, a[2] = { { 0 }, { 0 } };
	struct pbuilder b;
	const char *name = n->call.func->name;
	int keep_name = strcmp(name, "last_over_time") == 0;
	size_t i, k, na = 0, maxn = 0, before;
	double *tmp = NULL;
	struct sketch *sk[2] = { NULL, NULL };
	int ret = -1, r;

	out->type = PROMQL_TYPE_VECTOR;
	pbuilder_init(&b, out);
	for (i = 0; i < n->call.nargs && na < 2; i++)
		if (i != mi && scalar_arg(ev, n, i, &a[na++]) == -1)
			goto out;
	if (pev_eval_matrix(ev, n->call.args[mi], use, &m) == -1)
		goto out;
	if (use == PROMQL_USE_QUANTILE) {
		sk[0] = sketch_new();
		sk[1] = sketch_new();
	}
	for (i = 0; i < m.n; i++)
		if (m.s[i].n > maxn)
			maxn = m.s[i].n;
	tmp = xreallocarray(NULL, maxn ? maxn : 1, sizeof(*tmp));
	for (i = 0; i < m.n; i++) {
		struct pseries *s = &m.s[i];
		size_t lo = 0, hi = 0, oi = (size_t)-1;
		for (k = 0; k < ev->nsteps; k++) {
			int64_t t = pev_time(ev, k), ref, from;
			struct rwin w;
			double v;
			ref = pval_ref(&m, t);
			from = ptime_sub(ref, m.range_ms);
			while (hi < s->n && s->t[hi] <= ref)
				hi++;
			/* Rows: only the windows wholly in the range. */
			while (lo < hi && (s->rows ? s->rows->from[lo] :
			    s->t[lo]) < from)
				lo++;
			if (lo == hi)
				continue;
			w.t = s->t + lo;
			w.v = s->v + lo;
			w.n = hi - lo;
			w.rows = s->rows;
			w.off = lo;
			w.sk[0] = sk[0];
			w.sk[1] = sk[1];
			w.range_start = from;
			w.range_end = ref;
			w.range_ms = m.range_ms;
			w.t_eval = t;
			w.arg[0] = na > 0 ? a[0].sc[k] : 0;
			w.arg[1] = na > 1 ? a[1].sc[k] : 0;
			w.ev = ev;
			w.tmp = tmp;
			if ((r = fn(&w, &v)) == -1)
				goto out;
			if (r == 0)
				continue;
			if (oi == (size_t)-1) {
				const char *lbl = s->lbl;
				size_t len = s->lbl_len;
				if (!keep_name)
					lbl = pev_drop_name(ev, lbl, len, &len);
				before = out->n;
				oi = pbuilder_series(ev, &b, lbl, len);
				if (out->n == before) {
					errbuf_set(ev->eb, "vector cannot contain metrics with the same labelset");
					goto out;
				}
			}
			if (pbuilder_push(ev, &b, oi, t, v) == -1)
				goto out;
		}
		pseries_release(ev, s);
		if (pev_check_time(ev) == -1)
			goto out;
	}
	ret = pbuilder_finish(ev, &b);
out:
	if (ret == -1) {
		free(b.slots);
		free(b.unsorted);
	}
	free(tmp);
	sketch_free(sk[0]);
	sketch_free(sk[1]);
	pval_release(ev, &m);
	pval_release(ev, &a[0]);
	pval_release(ev, &a[1]);
	return ret;
}

/* The labels absent() gives: those of the selector's equality matchers. */
static const char *
absent_labels(struct pev *ev, const struct promql_node *arg, size_t *len)
{
	const struct promql_node *vs = punparen(arg);
	struct plb *b = &ev->lb;
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
		    plb_get(b, m->name, strlen(m->name), &vl) == NULL)
			plb_set(b, m->name, strlen(m->name), m->value,
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
			plb_del(b, m->name);
	}
	return pev_encode(ev, b, len);
}

static int
absent_over_time(struct pev *ev, const struct promql_node *n, struct pval *out)
{
	struct pval m = { 0 };
	unsigned char *seen = xcalloc(ev->nsteps ? ev->nsteps : 1, 1);
	struct pseries *s = NULL;
	const char *lbl;
	size_t i, k, len;
	int ret = -1;

	out->type = PROMQL_TYPE_VECTOR;
	if (pev_eval(ev, n->call.args[0], &m) == -1)
		goto out;
	for (i = 0; i < m.n; i++) {
		struct pseries *ms = &m.s[i];
		size_t lo = 0, hi = 0;
		for (k = 0; k < ev->nsteps; k++) {
			int64_t ref = pval_ref(&m, pev_time(ev, k));
			while (hi < ms->n && ms->t[hi] <= ref)
				hi++;
			while (lo < hi && ms->t[lo] < ptime_sub(ref, m.range_ms))
				lo++;
			if (lo < hi)
				seen[k] = 1;
		}
	}
	lbl = absent_labels(ev, n->call.args[0], &len);
	for (k = 0; k < ev->nsteps; k++) {
		if (seen[k])
			continue;
		if (s == NULL)
			s = pval_add(out, lbl, len);
		if (pseries_push(ev, s, pev_time(ev, k), 1) == -1)
			goto out;
	}
	ret = 0;
out:
	free(seen);
	pval_release(ev, &m);
	return ret;
}

/*
 * Functions of instant vectors, applied point by point.
 */
enum ffn {
	F_ABS, F_CEIL, F_FLOOR, F_EXP, F_SQRT, F_LN, F_LOG2, F_LOG10, F_SGN,
	F_SIN, F_COS, F_TAN, F_ASIN, F_ACOS, F_ATAN, F_SINH, F_COSH, F_TANH,
	F_ASINH, F_ACOSH, F_ATANH, F_DEG, F_RAD, F_ROUND, F_CLAMP,
	F_CLAMP_MIN, F_CLAMP_MAX, F_DAY_OF_MONTH, F_DAY_OF_WEEK,
	F_DAY_OF_YEAR, F_DAYS_IN_MONTH, F_HOUR, F_MINUTE, F_MONTH, F_YEAR,
	F_TIMESTAMP
};

static int
is_leap(int64_t y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* Go's time.Unix(int64(v), 0).UTC() fields, for the date functions. */
static double
date_part(enum ffn f, double v)
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
	case F_DAY_OF_MONTH: return (double)d;
	case F_DAY_OF_WEEK: {
		int64_t w = (days + 4) % 7;	/* 1970-01-01 was a Thursday */
		return (double)(w < 0 ? w + 7 : w);
	}
	case F_DAY_OF_YEAR: {
		int64_t yd = d, i;
		for (i = 1; i < m; i++)
			yd += mdays[i - 1] + (i == 2 && is_leap(y));
		return (double)yd;
	}
	case F_DAYS_IN_MONTH:
		return (double)(mdays[m - 1] + (m == 2 && is_leap(y)));
	case F_HOUR: return (double)(sod / 3600);
	case F_MINUTE: return (double)(sod / 60 % 60);
	case F_MONTH: return (double)m;
	case F_YEAR: return (double)y;
	default: return NAN;
	}
}

static double
apply(enum ffn f, double v, double a, double b, int *keep)
{
	*keep = 1;
	switch (f) {
	case F_ABS: return fabs(v);
	case F_CEIL: return ceil(v);
	case F_FLOOR: return floor(v);
	case F_EXP: return exp(v);
	case F_SQRT: return sqrt(v);
	case F_LN: return log(v);
	case F_LOG2: return log2(v);
	case F_LOG10: return log10(v);
	case F_SGN: return v < 0 ? -1 : v > 0 ? 1 : v;
	case F_SIN: return sin(v);
	case F_COS: return cos(v);
	case F_TAN: return tan(v);
	case F_ASIN: return asin(v);
	case F_ACOS: return acos(v);
	case F_ATAN: return atan(v);
	case F_SINH: return sinh(v);
	case F_COSH: return cosh(v);
	case F_TANH: return tanh(v);
	case F_ASINH: return asinh(v);
	case F_ACOSH: return acosh(v);
	case F_ATANH: return atanh(v);
	case F_DEG: return v * 180 / M_PI;
	case F_RAD: return v * M_PI / 180;
	case F_ROUND: {
		double inv = 1.0 / a;
		return floor(v * inv + 0.5) / inv;
	}
	case F_CLAMP:
		if (b < a) {
			*keep = 0;
			return 0;
		}
		return pgo_max(a, pgo_min(b, v));
	case F_CLAMP_MIN: return pgo_max(a, v);
	case F_CLAMP_MAX: return pgo_min(a, v);
	default: return date_part(f, v);
	}
}

static int
pointwise(struct pev *ev, const struct promql_node *n, enum ffn f,
    struct pval *out)
{
	struct pval in = { 0 }, a = { 0 }, b = { 0 };
	struct pbuilder bl;
	size_t i, j;
	int ret = -1, nargs = (int)n->call.nargs;

	out->type = PROMQL_TYPE_VECTOR;
	pbuilder_init(&bl, out);
	if (f == F_ROUND && nargs < 2) {
		if (scalar_arg(ev, n, 1, &a) == -1)
			goto out;
		for (j = 0; j < ev->nsteps; j++)
			a.sc[j] = 1;
	}
	if (nargs > 1 && pev_eval(ev, n->call.args[1], &a) == -1)
		goto out;
	if (nargs > 2 && pev_eval(ev, n->call.args[2], &b) == -1)
		goto out;
	if (nargs == 0) {
		/* A date function of the step time, without labels. */
		struct pseries *s = pval_add(out, "", 0);
		for (j = 0; j < ev->nsteps; j++) {
			int64_t t = pev_time(ev, j), sec = t / 1000;
			if (pseries_push(ev, s, t, date_part(f, (double)sec)) == -1)
				goto out;
		}
		ret = 0;
		goto out;
	}
	if (f == F_TIMESTAMP &&
	    punparen(n->call.args[0])->kind == PROMQL_VECTOR_SELECTOR) {
		if (pev_eval_timestamp(ev, punparen(n->call.args[0]), &in) == -1)
			goto out;
	} else if (pev_eval(ev, n->call.args[0], &in) == -1) {
		goto out;
	}
	for (i = 0; i < in.n; i++) {
		struct pseries *s = &in.s[i];
		size_t len, oi = (size_t)-1;
		const char *lbl = pev_drop_name(ev, s->lbl, s->lbl_len, &len);
		for (j = 0; j < s->n; j++) {
			size_t k = pev_stepno(ev, s->t[j]);
			int keep;
			double v;
			if (f == F_TIMESTAMP) {
				v = punparen(n->call.args[0])->kind ==
				    PROMQL_VECTOR_SELECTOR ? s->v[j] :
				    (double)s->t[j] / 1000;
				keep = 1;
			} else {
				v = apply(f, s->v[j], a.sc ? a.sc[k] : 0,
				    b.sc ? b.sc[k] : 0, &keep);
			}
			if (!keep)
				continue;
			if (oi == (size_t)-1)
				oi = pbuilder_series(ev, &bl, lbl, len);
			if (pbuilder_push(ev, &bl, oi, s->t[j], v) == -1)
				goto out;
		}
		pseries_release(ev, s);
	}
	ret = pbuilder_finish(ev, &bl);
	bl.slots = NULL;
out:
	free(bl.slots);
	free(bl.unsorted);
	pval_release(ev, &in);
	pval_release(ev, &a);
	pval_release(ev, &b);
	return ret;
}

/*
 * label_replace() and label_join(): new labels, the same points.
 */

/*
 * Go's regexp.Expand() of 'tmpl' ('len' bytes, then a NUL) with the
 * groups of a match.
 */
static void
expand(struct buf *out, const char *tmpl, size_t len, const char *subj,
    const PCRE2_SIZE *ov, uint32_t ngroups, const pcre2_code *re)
{
	const char *p = tmpl, *end = tmpl + len;

	/* Past 'end' is the NUL, which ends a name and is no '$' or brace. */
	while (p < end) {
		const char *s = p, *name;
		size_t nl;
		int brace = 0;
		long num = -1;
		if (*p != '$') {
			buf_addch(out, *p++);
			continue;
		}
		p++;
		if (*p == '$') {
			buf_addch(out, '$');
			p++;
			continue;
		}
		if (*p == '{') {
			brace = 1;
			p++;
		}
		name = p;
		while ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || *p == '_' ||
		    (unsigned char)*p >= 0x80)
			p++;
		nl = (size_t)(p - name);
		if (nl == 0 || (brace && *p != '}')) {
			/* Malformed: the '$' is text. */
			buf_addch(out, '$');
			p = s + 1;
			continue;
		}
		if (brace)
			p++;
		if (name[0] >= '0' && name[0] <= '9' && !(name[0] == '0' && nl > 1)) {
			size_t i;
			num = 0;
			for (i = 0; i < nl; i++) {
				if (name[i] < '0' || name[i] > '9' || num >= 100000000) {
					num = -1;
					break;
				}
				num = num * 10 + (name[i] - '0');
			}
		}
		if (num < 0) {
			char *nm = xstrndup(name, nl);
			int g = pcre2_substring_number_from_name(re, (PCRE2_SPTR)nm);
			free(nm);
			num = g > 0 ? g : -1;
		}
		if (num >= 0 && (uint32_t)num < ngroups &&
		    ov[2 * num] != PCRE2_UNSET)
			buf_add(out, subj + ov[2 * num], ov[2 * num + 1] - ov[2 * num]);
	}
}

/* String argument 'i' of call 'n': its bytes, which may hold NULs. */
static const char *
str_arg(const struct promql_node *n, size_t i, size_t *len)
{
	const struct promql_node *a = punparen(n->call.args[i]);

	*len = a->string.len;
	return a->string.s;
}

static int
label_func(struct pev *ev, const struct promql_node *n, int join,
    struct pval *out)
{
	struct pval in = { 0 };
	struct pbuilder bl;
	struct buf val = BUF_INIT, re_src = BUF_INIT;
	pcre2_code *re = NULL;
	pcre2_match_data *md = NULL;
	const char *dst, *sep, *tmpl, *src;
	size_t i, j, dst_len, sep_len, tmpl_len, src_len, re_len;
	int ret = -1, err;

	out->type = PROMQL_TYPE_VECTOR;
	pbuilder_init(&bl, out);
	dst = str_arg(n, 1, &dst_len);
	sep = tmpl = str_arg(n, 2, &tmpl_len);
	sep_len = tmpl_len;
	if (!join) {
		PCRE2_SIZE off;
		const char *re_text = str_arg(n, 4, &re_len);
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
			src = str_arg(n, i, &src_len);
			if (!metric_label_name_valid(src, src_len)) {
				errbuf_set(ev->eb, "invalid source label name in label_join(): %s", src);
				goto out;
			}
		}
	}
	if (pev_eval(ev, n->call.args[0], &in) == -1)
		goto out;
	for (i = 0; i < in.n; i++) {
		struct pseries *s = &in.s[i];
		const char *lbl = s->lbl, *v;
		size_t len = s->lbl_len, vl, oi;
		buf_reset(&val);
		if (join) {
			for (j = 3; j < n->call.nargs; j++) {
				if (j > 3)
					buf_add(&val, sep, sep_len);
				src = str_arg(n, j, &src_len);
				if ((v = plabels_get(s->lbl, s->lbl_len, src,
				    src_len, &vl)) != NULL)
					buf_add(&val, v, vl);
			}
		} else {
			src = str_arg(n, 3, &src_len);
			if ((v = plabels_get(s->lbl, s->lbl_len, src, src_len,
			    &vl)) == NULL) {
				v = "";
				vl = 0;
			}
			if (pcre2_match(re, (PCRE2_SPTR)v, vl, 0, 0, md, NULL) < 0)
				goto keep;
			expand(&val, tmpl, tmpl_len, v, pcre2_get_ovector_pointer(md),
			    pcre2_get_ovector_count(md), re);
		}
		plb_from(&ev->lb, s->lbl, s->lbl_len);
		plb_set(&ev->lb, dst, dst_len, val.p ? val.p : "", val.len);
		lbl = pev_encode(ev, &ev->lb, &len);
keep:
		oi = pbuilder_series(ev, &bl, lbl, len);
		for (j = 0; j < s->n; j++)
			if (pbuilder_push(ev, &bl, oi, s->t[j], s->v[j]) == -1)
				goto out;
		pseries_release(ev, s);
	}
	ret = pbuilder_finish(ev, &bl);
	bl.slots = NULL;
out:
	free(bl.slots);
	free(bl.unsorted);
	pcre2_match_data_free(md);
	pcre2_code_free(re);
	buf_release(&val);
	buf_release(&re_src);
	pval_release(ev, &in);
	return ret;
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
histogram_quantile(struct pev *ev, const struct promql_node *n,
    struct pval *out)
{
	struct pval q = { 0 }, in = { 0 };
	struct pbuilder bl;
	struct hgroup *g = NULL;
	size_t ng = 0, gcap = 0, *gid = NULL, *touched = NULL, nt, i, k;
	double *ub = NULL;
	size_t *cur = NULL;
	int ret = -1;

	out->type = PROMQL_TYPE_VECTOR;
	pbuilder_init(&bl, out);
	if (pev_eval(ev, n->call.args[0], &q) == -1 ||
	    pev_eval(ev, n->call.args[1], &in) == -1)
		goto out;
	gid = xcalloc(in.n ? in.n : 1, sizeof(*gid));
	ub = xcalloc(in.n ? in.n : 1, sizeof(*ub));
	cur = xcalloc(in.n ? in.n : 1, sizeof(*cur));
	for (i = 0; i < in.n; i++) {
		const char *le, *key, *lbl;
		size_t vl, klen, len, j;
		struct pseries *s = &in.s[i];
		gid[i] = (size_t)-1;
		if ((le = plabels_get(s->lbl, s->lbl_len, "le", 2, &vl)) == NULL ||
		    parse_le(le, vl, &ub[i]) == -1)
			continue;
		plb_from(&ev->lb, s->lbl, s->lbl_len);
		plb_del(&ev->lb, "le");
		key = pev_encode(ev, &ev->lb, &klen);
		for (j = 0; j < ng; j++)
			if (g[j].lbl_len == klen && memcmp(g[j].lbl, key, klen) == 0)
				break;
		if (j == ng) {
			plb_del(&ev->lb, "__name__");
			lbl = pev_encode(ev, &ev->lb, &len);
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
		for (i = 0; i < in.n; i++) {
			struct pseries *s = &in.s[i];
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
			    bucket_quantile(q.sc[k], h->b, h->nb)) == -1)
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
	pval_release(ev, &q);
	pval_release(ev, &in);
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

static int
eval_sort(struct pev *ev, const struct promql_node *n, int desc,
    struct pval *out)
{
	if (pev_eval(ev, n->call.args[0], out) == -1)
		return -1;
	if (ev->nsteps == 1 && out->n > 1)
		qsort_r(out->s, out->n, sizeof(*out->s), cmp_sort, &desc);
	return 0;
}

int
pfunc_call(struct pev *ev, const struct promql_node *n, struct pval *out)
{
	static const struct {
		const char *name;
		rfunc fn;
		enum promql_use use;	/* what it needs of rolled rows */
	} ranged[] = {
		{ "avg_over_time", f_avg_over_time, PROMQL_USE_AVG },
		{ "changes", f_changes, PROMQL_USE_VALUE },
		{ "count_over_time", f_count_over_time, PROMQL_USE_COUNT },
		{ "delta", f_delta, PROMQL_USE_VALUE },
		{ "deriv", f_deriv, PROMQL_USE_VALUE },
		{ "holt_winters", f_holt_winters, PROMQL_USE_VALUE },
		{ "idelta", f_idelta, PROMQL_USE_VALUE },
		{ "increase", f_increase, PROMQL_USE_VALUE },
		{ "irate", f_irate, PROMQL_USE_VALUE },
		{ "last_over_time", f_last_over_time, PROMQL_USE_LAST },
		{ "mad_over_time", f_mad_over_time, PROMQL_USE_VALUE },
		{ "max_over_time", f_max_over_time, PROMQL_USE_MAX },
		{ "min_over_time", f_min_over_time, PROMQL_USE_MIN },
		{ "predict_linear", f_predict_linear, PROMQL_USE_VALUE },
		{ "present_over_time", f_present_over_time, PROMQL_USE_VALUE },
		{ "quantile_over_time", f_quantile_over_time, PROMQL_USE_QUANTILE },
		{ "rate", f_rate, PROMQL_USE_VALUE },
		{ "resets", f_resets, PROMQL_USE_VALUE },
		{ "stddev_over_time", f_stddev_over_time, PROMQL_USE_VALUE },
		{ "stdvar_over_time", f_stdvar_over_time, PROMQL_USE_VALUE },
		{ "sum_over_time", f_sum_over_time, PROMQL_USE_SUM },
	};
	static const struct {
		const char *name;
		enum ffn f;
	} point[] = {
		{ "abs", F_ABS }, { "acos", F_ACOS }, { "acosh", F_ACOSH },
		{ "asin", F_ASIN }, { "asinh", F_ASINH }, { "atan", F_ATAN },
		{ "atanh", F_ATANH }, { "ceil", F_CEIL }, { "clamp", F_CLAMP },
		{ "clamp_max", F_CLAMP_MAX }, { "clamp_min", F_CLAMP_MIN },
		{ "cos", F_COS }, { "cosh", F_COSH },
		{ "day_of_month", F_DAY_OF_MONTH }, { "day_of_week", F_DAY_OF_WEEK },
		{ "day_of_year", F_DAY_OF_YEAR },
		{ "days_in_month", F_DAYS_IN_MONTH }, { "deg", F_DEG },
		{ "exp", F_EXP }, { "floor", F_FLOOR }, { "hour", F_HOUR },
		{ "ln", F_LN }, { "log10", F_LOG10 }, { "log2", F_LOG2 },
		{ "minute", F_MINUTE }, { "month", F_MONTH }, { "rad", F_RAD },
		{ "round", F_ROUND }, { "sgn", F_SGN }, { "sin", F_SIN },
		{ "sinh", F_SINH }, { "sqrt", F_SQRT }, { "tan", F_TAN },
		{ "tanh", F_TANH }, { "timestamp", F_TIMESTAMP }, { "year", F_YEAR },
	};
	const char *name = n->call.func->name;
	struct pval a = { 0 };
	size_t i, k;

	for (i = 0; i < PNELEM(ranged); i++)
		if (strcmp(name, ranged[i].name) == 0) {
			size_t mi = strcmp(name, "quantile_over_time") == 0;
			return range_call(ev, n, mi, ranged[i].fn,
			    ranged[i].use, out);
		}
	for (i = 0; i < PNELEM(point); i++)
		if (strcmp(name, point[i].name) == 0)
			return pointwise(ev, n, point[i].f, out);
	if (strcmp(name, "time") == 0 || strcmp(name, "pi") == 0) {
		out->type = PROMQL_TYPE_SCALAR;
		out->sc = xreallocarray(NULL, ev->nsteps ? ev->nsteps : 1,
		    sizeof(double));
		for (k = 0; k < ev->nsteps; k++)
			out->sc[k] = name[0] == 'p' ? M_PI :
			    (double)pev_time(ev, k) / 1000;
		return 0;
	}
	if (strcmp(name, "vector") == 0) {
		struct pseries *s;
		if (pev_eval(ev, n->call.args[0], &a) == -1)
			goto fail;
		out->type = PROMQL_TYPE_VECTOR;
		s = pval_add(out, "", 0);
		for (k = 0; k < ev->nsteps; k++)
			if (pseries_push(ev, s, pev_time(ev, k), a.sc[k]) == -1)
				goto fail;
		pval_release(ev, &a);
		return 0;
	}
	if (strcmp(name, "scalar") == 0) {
		size_t *cnt;
		if (pev_eval(ev, n->call.args[0], &a) == -1)
			goto fail;
		out->type = PROMQL_TYPE_SCALAR;
		out->sc = xreallocarray(NULL, ev->nsteps ? ev->nsteps : 1,
		    sizeof(double));
		cnt = xcalloc(ev->nsteps ? ev->nsteps : 1, sizeof(*cnt));
		for (i = 0; i < a.n; i++)
			for (k = 0; k < a.s[i].n; k++) {
				size_t st = pev_stepno(ev, a.s[i].t[k]);
				cnt[st]++;
				out->sc[st] = a.s[i].v[k];
			}
		for (k = 0; k < ev->nsteps; k++)
			if (cnt[k] != 1)
				out->sc[k] = NAN;
		free(cnt);
		pval_release(ev, &a);
		return 0;
	}
	if (strcmp(name, "sort") == 0 || strcmp(name, "sort_desc") == 0)
		return eval_sort(ev, n, name[4] == '_', out);
	if (strcmp(name, "label_replace") == 0)
		return label_func(ev, n, 0, out);
	if (strcmp(name, "label_join") == 0)
		return label_func(ev, n, 1, out);
	if (strcmp(name, "histogram_quantile") == 0)
		return histogram_quantile(ev, n, out);
	if (strcmp(name, "absent_over_time") == 0)
		return absent_over_time(ev, n, out);
	if (strcmp(name, "absent") == 0) {
		const char *lbl;
		size_t len;
		unsigned char *seen;
		struct pseries *s = NULL;
		if (pev_eval(ev, n->call.args[0], &a) == -1)
			goto fail;
		seen = xcalloc(ev->nsteps ? ev->nsteps : 1, 1);
		for (i = 0; i < a.n; i++)
			for (k = 0; k < a.s[i].n; k++)
				seen[pev_stepno(ev, a.s[i].t[k])] = 1;
		pval_release(ev, &a);
		lbl = absent_labels(ev, n->call.args[0], &len);
		out->type = PROMQL_TYPE_VECTOR;
		for (k = 0; k < ev->nsteps; k++) {
			if (seen[k])
				continue;
			if (s == NULL)
				s = pval_add(out, lbl, len);
			if (pseries_push(ev, s, pev_time(ev, k), 1) == -1) {
				free(seen);
				return -1;
			}
		}
		free(seen);
		return 0;
	}
	if (strncmp(name, "histogram_", 10) == 0) {
		/* Native histograms only: nothing here has one. */
		for (i = 0; i < n->call.nargs; i++) {
			if (pev_eval(ev, n->call.args[i], &a) == -1)
				goto fail;
			pval_release(ev, &a);
		}
		out->type = PROMQL_TYPE_VECTOR;
		return 0;
	}
	return errbuf_set(ev->eb, "function '%s' is not implemented", name);
fail:
	pval_release(ev, &a);
	return -1;
}
