/* chart_int.h - what the chart renderers share: lines, axes, units, labels */
/* SPDX-License-Identifier: MIT */
#ifndef MTK_CHART_INT_H
#define MTK_CHART_INT_H

#include <stdint.h>
#include <time.h>

#include "base/buf.h"
#include "promql/promql_eval.h"
#include "query/chart.h"

/*
 * chart.c draws for a terminal, chart_svg.c for a browser; both draw
 * what chart_layout.c works out, so that a chart reads the same in both:
 * the same lines folded, the same axes, units and legend.
 */

/* One line to draw: a series of the result, or the sum of the others. */
struct chart_line {
	const struct promql_rseries *rs;	/* NULL: 'folded' others */
	const int64_t *t;
	const double *v;
	size_t n;
	size_t folded;			/* series summed into this one */
	double min, avg, max, last;	/* of its finite values; NaN: none */
};

/* The value axis: from lo to hi, a tick every 'step', 'k' rows apart. */
struct chart_axis {
	double lo, hi, step;
	int rows, k;
};

/* How the time axis writes its labels. */
enum chart_tick {
	CHART_TICK_SECONDS,		/* 13:05:30 */
	CHART_TICK_MINUTES,		/* 13:05 */
	CHART_TICK_DAY_MINUTES,		/* 12-07 13:05 */
	CHART_TICK_DAYS			/* 2026-12-07 */
};

/*
 * The lines to draw of 'r': every series, or past 'top' (0: no limit)
 * the 'top' of the highest average, in the result's order, and one
 * more, the sum of the others at each time ('*sum_t', '*sum_v': its
 * samples, to free).  Each line's statistics are filled in.  Returns
 * the lines (to free), '*nl' of them.
 */
struct chart_line *chart_pick_lines(const struct promql_result *r, size_t top,
    size_t *nl, int64_t **sum_t, double **sum_v);

/* Fill in min, avg, max and last of 'l' from its finite values. */
void chart_line_stats(struct chart_line *l);

/*
 * Round ticks for values from 'lo' to 'hi' over 'height' rows (a tick
 * about every three), in the unit the labels are written in: 'a' gets
 * the axis' ends, its step, its rows (a tick every 'k').
 */
void chart_value_axis(struct chart_axis *a, double lo, double hi, int height,
    enum chart_unit u);

/*
 * What values of unit 'u' about as big as 'ref' are divided by to be
 * written, and the unit they are written in then ('*unit').
 */
double chart_unit_scale(enum chart_unit u, double ref, const char **unit);

/* The label 'name' of 'rs', or NULL. */
const struct promql_label *chart_label_of(const struct promql_rseries *rs,
    const char *name);

/*
 * Append series 'rs' in PromQL form ('name', when not NULL, its metric
 * name), without the labels every one of the 'n' lines 'ln' has alike
 * ('strip'), or those alone ('only').
 */
void chart_series_text(struct buf *b, const struct promql_rseries *rs,
    const char *name, const struct chart_line *ln, size_t n, int strip,
    int only);

/* The median gap between the samples of 'l', or 0. */
int64_t chart_median_gap(const struct chart_line *l);

/* The local time of 'ms' into 'tm'; its offset from UTC in ms. */
int64_t chart_local(int64_t ms, struct tm *tm);

/*
 * The time axis of [t0, t1] over 'cols' characters: a tick every
 * '*every' ms, far enough apart for their labels, written as '*st'
 * says; the first tick, on a round local time, is returned.
 */
int64_t chart_time_axis(int64_t t0, int64_t t1, int cols, int64_t *every,
    enum chart_tick *st);

/* Write the time 'ms' as 'st' says into 'out'.  Returns the length. */
size_t chart_time_text(char *out, size_t sz, int64_t ms, enum chart_tick st);

/* Append the range and zone: "2026-12-07 12:00:00 to 13:00:00 UTC". */
void chart_time_range(struct buf *b, int64_t t0, int64_t t1);

#endif
