/* promql_number.h - numbers as Prometheus (in Go) computes and writes them */
/* SPDX-License-Identifier: MIT */
#ifndef MTK_PROMQL_NUMBER_H
#define MTK_PROMQL_NUMBER_H

#include <stddef.h>

#include "base/buf.h"

/* Go's math.Max and math.Min: NaN wins, +0 above -0. */
double pgo_max(double a, double b);
double pgo_min(double a, double b);

/* Prometheus' quantile of 'n' values (sorted in place), q in [0, 1]. */
double pquantile(double q, double *v, size_t n);

/* Append 'v' as Go's strconv.FormatFloat(v, 'f', -1, 64) writes it. */
void pformat_float(struct buf *out, double v);

#endif
