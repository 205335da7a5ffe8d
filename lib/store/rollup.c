/* rollup.c - the aggregates of a series over fixed windows of time */
/* SPDX-License-Identifier: MIT */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "store/rollup.h"
#include "base/sketch.h"
#include "base/xalloc.h"

void
rollup_release(struct rollup *r)
{
	int c;

	free(r->t);
	for (c = 0; c < ROLLUP_NCOLS; c++)
		free(r->col[c]);
	buf_release(&r->sk);
	free(r->sk_off);
	free(r->sk_len);
	memset(r, 0, sizeof(*r));
}

void
rollup_reset(struct rollup *r, unsigned flags)
{
	r->flags = flags;
	r->n = 0;
	buf_reset(&r->sk);
}

void
rollup_reserve(struct rollup *r, size_t n)
{
	size_t cap = r->cap;
	int c;

	if (n <= r->cap)
		return;
	r->t = xgrow(r->t, &cap, n, sizeof(*r->t));
	for (c = 0; c < ROLLUP_NCOLS; c++)
		r->col[c] = xreallocarray(r->col[c], cap, sizeof(double));
	r->sk_off = xreallocarray(r->sk_off, cap, sizeof(size_t));
	r->sk_len = xreallocarray(r->sk_len, cap, sizeof(size_t));
	r->cap = cap;
}

/* A new row at time 't'; its columns are the caller's to fill. */
static size_t
add_row(struct rollup *r, int64_t t)
{
	rollup_reserve(r, r->n + 1);
	r->t[r->n] = t;
	r->sk_off[r->n] = r->sk.len;
	r->sk_len[r->n] = 0;
	return r->n++;
}

void
rollup_copy_row(struct rollup *dst, const struct rollup *src, size_t i)
{
	size_t j = add_row(dst, src->t[i]);
	int c;

	for (c = 0; c < ROLLUP_NCOLS; c++)
		dst->col[c][j] = (src->flags & ROLLUP_F_COUNTER) ||
		    c < ROLLUP_BASE_COLS ? src->col[c][i] : NAN;
	if ((src->flags & ROLLUP_F_SKETCH) && src->sk_len[i]) {
		buf_add(&dst->sk, src->sk.p + src->sk_off[i], src->sk_len[i]);
		dst->sk_len[j] = src->sk_len[i];
	}
}

void
rollup_move_row(struct rollup *r, size_t to, size_t from)
{
	int c;

	if (to == from)
		return;
	r->t[to] = r->t[from];
	for (c = 0; c < ROLLUP_NCOLS; c++)
		r->col[c][to] = r->col[c][from];
	r->sk_off[to] = r->sk_off[from];
	r->sk_len[to] = r->sk_len[from];
}

/* The end of the window of 'res' ms holding 't'. */
static int64_t
window_end(int64_t t, int64_t res)
{
	int64_t w = t / res * res;

	if (t < 0 && w != t)
		w -= res;
	return w + res;
}

/* Increase of a counter from 'prev' to 'cur': a drop is a reset. */
static double
counter_step(double prev, double cur)
{
	return cur >= prev ? cur - prev : cur;
}

/* min/max as min_over_time: NaN only when nothing else was seen. */
static double
fmin_nan(double a, double b)
{
	return isnan(a) || b < a ? b : a;
}

static double
fmax_nan(double a, double b)
{
	return isnan(a) || b > a ? b : a;
}

static void
put_sketch(struct rollup *r, size_t row, const struct sketch *sk)
{
	size_t before = r->sk.len;

	sketch_encode(sk, &r->sk);
	r->sk_off[row] = before;
	r->sk_len[row] = r->sk.len - before;
}

void
rollup_from_samples(struct rollup *r, const int64_t *ts, const double *v,
    size_t n, int64_t res)
{
	struct sketch *sk = NULL;
	size_t i = 0;

	if (r->flags & ROLLUP_F_SKETCH)
		sk = sketch_new();
	while (i < n) {
		int64_t end = window_end(ts[i], res);
		double sum = 0, mn = NAN, mx = NAN, first = NAN, prev = NAN;
		double drops = 0;
		size_t row, k = 0;

		if (sk)
			sketch_reset(sk);
		for (; i < n && ts[i] < end; i++, k++) {
			sum += v[i];
			mn = fmin_nan(mn, v[i]);
			mx = fmax_nan(mx, v[i]);
			if (!isnan(v[i])) {
				if (isnan(first))
					first = v[i];
				else if (v[i] < prev)
					drops += prev;	/* a reset */
				prev = v[i];
			}
			if (sk)
				sketch_add(sk, v[i]);
		}
		row = add_row(r, end);
		r->col[ROLLUP_COUNT][row] = (double)k;
		r->col[ROLLUP_SUM][row] = sum;
		r->col[ROLLUP_MIN][row] = mn;
		r->col[ROLLUP_MAX][row] = mx;
		/* A counter's last is its last value that is not NaN. */
		r->col[ROLLUP_LAST][row] = (r->flags & ROLLUP_F_COUNTER) &&
		    !isnan(prev) ? prev : v[i - 1];
		r->col[ROLLUP_FIRST][row] = first;
		r->col[ROLLUP_INC][row] = isnan(first) ? NAN :
		    (prev - first) + drops;
		if (sk)
			put_sketch(r, row, sk);
	}
	sketch_free(sk);
}

void
rollup_coarsen(struct rollup *dst, const struct rollup *src, int64_t res)
{
	struct sketch *acc = NULL, *one = NULL;
	size_t i = 0;

	if (src->flags & ROLLUP_F_SKETCH) {
		acc = sketch_new();
		one = sketch_new();
	}
	while (i < src->n) {
		/* A row stamped t holds [t - res', t): its window ends by t. */
		int64_t end = window_end(src->t[i] - 1, res);
		double cnt = 0, sum = 0, mn = NAN, mx = NAN, first = NAN;
		double drops = 0, last = NAN, prevlast = NAN;
		size_t row;

		if (acc)
			sketch_reset(acc);
		for (; i < src->n && src->t[i] <= end; i++) {
			const double *const *c = (const double *const *)src->col;
			cnt += c[ROLLUP_COUNT][i];
			sum += c[ROLLUP_SUM][i];
			mn = fmin_nan(mn, c[ROLLUP_MIN][i]);
			mx = fmax_nan(mx, c[ROLLUP_MAX][i]);
			if (!(src->flags & ROLLUP_F_COUNTER))
				last = c[ROLLUP_LAST][i];
			else if (!isnan(c[ROLLUP_FIRST][i])) {
				if (isnan(first))
					first = c[ROLLUP_FIRST][i];
				else if (c[ROLLUP_FIRST][i] < prevlast)
					drops += prevlast;	/* a reset */
				/* The row's own drops. */
				drops += c[ROLLUP_INC][i] -
				    (c[ROLLUP_LAST][i] - c[ROLLUP_FIRST][i]);
				prevlast = last = c[ROLLUP_LAST][i];
			} else if (isnan(first)) {
				last = c[ROLLUP_LAST][i];	/* all NaN so far */
			}
			if (acc && src->sk_len[i] && sketch_decode(one,
			    (const unsigned char *)src->sk.p + src->sk_off[i],
			    src->sk_len[i]) == 0)
				sketch_merge(acc, one);
		}
		row = add_row(dst, end);
		dst->col[ROLLUP_COUNT][row] = cnt;
		dst->col[ROLLUP_SUM][row] = sum;
		dst->col[ROLLUP_MIN][row] = mn;
		dst->col[ROLLUP_MAX][row] = mx;
		dst->col[ROLLUP_LAST][row] = last;
		dst->col[ROLLUP_FIRST][row] = first;
		dst->col[ROLLUP_INC][row] = isnan(first) ? NAN :
		    (last - first) + drops;
		if (acc)
			put_sketch(dst, row, acc);
	}
	sketch_free(acc);
	sketch_free(one);
}

static const char *const agg_names[] = {
	"auto", "avg", "min", "max", "sum", "count", "last", "p50", "p95",
	"p99", "counter"
};

int
rollup_agg_parse(const char *s, enum rollup_agg *out)
{
	int a;

	for (a = ROLLUP_AGG_AVG; a <= ROLLUP_AGG_COUNTER; a++)
		if (strcmp(s, agg_names[a]) == 0) {
			*out = (enum rollup_agg)a;
			return 0;
		}
	return -1;
}

const char *
rollup_agg_name(enum rollup_agg a)
{
	return agg_names[a];
}

unsigned
rollup_agg_cols(enum rollup_agg agg, unsigned flags)
{
	/* As rollup_values() resolves them. */
	if (agg == ROLLUP_AGG_AUTO)
		agg = flags & ROLLUP_F_COUNTER ? ROLLUP_AGG_COUNTER :
		    ROLLUP_AGG_AVG;
	if (agg == ROLLUP_AGG_COUNTER && !(flags & ROLLUP_F_COUNTER))
		agg = ROLLUP_AGG_LAST;
	switch (agg) {
	case ROLLUP_AGG_AVG:
		return 1u << ROLLUP_SUM | 1u << ROLLUP_COUNT;
	case ROLLUP_AGG_MIN: return 1u << ROLLUP_MIN;
	case ROLLUP_AGG_MAX: return 1u << ROLLUP_MAX;
	case ROLLUP_AGG_SUM: return 1u << ROLLUP_SUM;
	case ROLLUP_AGG_COUNT: return 1u << ROLLUP_COUNT;
	case ROLLUP_AGG_LAST: return 1u << ROLLUP_LAST;
	case ROLLUP_AGG_COUNTER:
		return 1u << ROLLUP_FIRST | 1u << ROLLUP_LAST |
		    1u << ROLLUP_INC;
	default:
		return ROLLUP_SKETCH_BIT;
	}
}

void
rollup_values(const struct rollup *r, enum rollup_agg agg, double *out)
{
	struct sketch *sk = NULL;
	double q = 0, c = 0, prev = NAN;

	/* prev: the last value of the previous row with a first value. */
	size_t i;

	if (agg == ROLLUP_AGG_AUTO)
		agg = r->flags & ROLLUP_F_COUNTER ? ROLLUP_AGG_COUNTER :
		    ROLLUP_AGG_AVG;
	if (agg == ROLLUP_AGG_COUNTER && !(r->flags & ROLLUP_F_COUNTER))
		agg = ROLLUP_AGG_LAST;
	switch (agg) {
	case ROLLUP_AGG_P50: q = 0.5; break;
	case ROLLUP_AGG_P95: q = 0.95; break;
	case ROLLUP_AGG_P99: q = 0.99; break;
	default: break;
	}
	if (q > 0 && (r->flags & ROLLUP_F_SKETCH))
		sk = sketch_new();
	for (i = 0; i < r->n; i++) {
		double *const *col = r->col;
		switch (agg) {
		case ROLLUP_AGG_AVG:
			out[i] = col[ROLLUP_SUM][i] / col[ROLLUP_COUNT][i];
			break;
		case ROLLUP_AGG_MIN: out[i] = col[ROLLUP_MIN][i]; break;
		case ROLLUP_AGG_MAX: out[i] = col[ROLLUP_MAX][i]; break;
		case ROLLUP_AGG_SUM: out[i] = col[ROLLUP_SUM][i]; break;
		case ROLLUP_AGG_COUNT: out[i] = col[ROLLUP_COUNT][i]; break;
		case ROLLUP_AGG_LAST: out[i] = col[ROLLUP_LAST][i]; break;
		case ROLLUP_AGG_COUNTER:
			if (isnan(col[ROLLUP_FIRST][i])) {
				out[i] = isnan(prev) ? NAN : c;
				break;
			}
			if (isnan(prev))
				c = col[ROLLUP_LAST][i];
			else
				c += counter_step(prev, col[ROLLUP_FIRST][i]) +
				    col[ROLLUP_INC][i];
			prev = col[ROLLUP_LAST][i];
			out[i] = c;
			break;
		default:
			out[i] = NAN;
			if (sk && r->sk_len[i] && sketch_decode(sk,
			    (const unsigned char *)r->sk.p + r->sk_off[i],
			    r->sk_len[i]) == 0)
				out[i] = sketch_quantile(sk, q);
			break;
		}
	}
	if (agg == ROLLUP_AGG_COUNTER && !isnan(prev)) {
		/*
		 * Anchored at the end: the last row gives the counter's own
		 * last value, so raw samples after the rows carry on from it
		 * (a query stitching older rows to newer samples sees no
		 * drop, and no false reset, where they meet).
		 */
		double shift = prev - c;
		for (i = 0; i < r->n; i++)
			out[i] += shift;
	}
	sketch_free(sk);
}
