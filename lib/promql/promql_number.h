/* promql_number.h - numbers as Prometheus (in Go) computes and writes them */
/* SPDX-License-Identifier: MIT */
#ifndef MTK_PROMQL_NUMBER_H
#define MTK_PROMQL_NUMBER_H

#include <stddef.h>

#include "base/buf.h"

/*
 * The larger and the smaller of 'a' and 'b' as Go's math.Max and
 * math.Min have them (and so clamp() and its kin): an infinity of the
 * right sign wins, then NaN, and +0 is above -0.
 */
double pnum_max(double a, double b);
double pnum_min(double a, double b);

/* Prometheus' quantile of 'n' values (sorted in place), q in [0, 1]. */
double pquantile(double q, double *v, size_t n);

/* Sort 'n' values as Go's sort.Float64s does: ascending, NaN first. */
void psort_values(double *v, size_t n);

/* pquantile() of values sorted already: n > 0, q in [0, 1]. */
double pquantile_sorted(double q, const double *v, size_t n);

/* Append 'v' as Go's strconv.FormatFloat(v, 'f', -1, 64) writes it. */
void pformat_float(struct buf *out, double v);

#endif
