/* promql_number.c - numbers as Prometheus (in Go) computes and writes them */
/* SPDX-License-Identifier: MIT */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/number.h"
#include "promql/promql_input.h"
#include "promql/promql_number.h"

double
pnum_max(double a, double b)
{
	if (isinf(a) && a > 0)
		return a;
	if (isinf(b) && b > 0)
		return b;
	if (isnan(a) || isnan(b))
		return NAN;
	if (a == 0 && a == b)
		return signbit(a) ? b : a;
	return a > b ? a : b;
}

double
pnum_min(double a, double b)
{
	if (isinf(a) && a < 0)
		return a;
	if (isinf(b) && b < 0)
		return b;
	if (isnan(a) || isnan(b))
		return NAN;
	if (a == 0 && a == b)
		return signbit(a) ? a : b;
	return a < b ? a : b;
}

/* Ascending, NaN first: Go's sort.Float64s, as Prometheus sorts. */
static int
cmp_nan_first(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	if (isnan(x))
		return isnan(y) ? 0 : -1;
	if (isnan(y))
		return 1;
	return x < y ? -1 : x > y;
}

double
pquantile(double q, double *v, size_t n)
{
	if (n == 0)
		return NAN;
	if (q < 0)
		return -INFINITY;
	if (q > 1)
		return INFINITY;
	if (isnan(q))
		return NAN;
	psort_values(v, n);
	return pquantile_sorted(q, v, n);
}

void
psort_values(double *v, size_t n)
{
	qsort(v, n, sizeof(*v), cmp_nan_first);
}

double
pquantile_sorted(double q, const double *v, size_t n)
{
	double rank, lo, hi, w;

	rank = q * (double)(n - 1);
	lo = fmax(0, floor(rank));
	hi = fmin((double)n - 1, lo + 1);
	w = rank - floor(rank);
	return v[(size_t)lo] * (1 - w) + v[(size_t)hi] * w;
}

void
pformat_float(struct buf *out, double v)
{
	char num[NUMBER_BUFSZ], digits[NUMBER_BUFSZ], *at;
	const char *p, *e;
	size_t nd = 0, i, n;
	long exp10, point;

	/* Written in place: every point of an answer has one. */
	if (out->cap - out->len < NUMBER_BUFSZ)
		buf_grow(out, NUMBER_BUFSZ);
	at = out->p + out->len;
	n = number_format(at, v);
	if (isnan(v) || isinf(v) || memchr(at, 'e', n) == NULL) {
		out->len += n;
		return;
	}
	memcpy(num, at, n + 1);
	*at = '\0';
	e = strchr(num, 'e');
	/* Rewrite d.ddde±x without the exponent. */
	p = num;
	if (*p == '-') {
		buf_addch(out, '-');
		p++;
	}
	point = -1;
	for (; p < e; p++) {
		if (*p == '.')
			point = (long)nd;
		else
			digits[nd++] = *p;
	}
	if (point < 0)
		point = (long)nd;
	exp10 = strtol(e + 1, NULL, 10);
	point += exp10;
	while (nd > 1 && digits[nd - 1] == '0' && (long)nd > point)
		nd--;
	if (point <= 0) {
		buf_adds(out, "0.");
		for (i = 0; i < (size_t)-point; i++)
			buf_addch(out, '0');
		buf_add(out, digits, nd);
	} else if ((size_t)point >= nd) {
		buf_add(out, digits, nd);
		for (i = nd; i < (size_t)point; i++)
			buf_addch(out, '0');
	} else {
		buf_add(out, digits, (size_t)point);
		buf_addch(out, '.');
		buf_add(out, digits + point, nd - (size_t)point);
	}
}

int
promql_is_stale(double v)
{
	uint64_t bits;

	memcpy(&bits, &v, sizeof(bits));
	return bits == PROMQL_STALE_NAN_BITS;
}
