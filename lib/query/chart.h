/* chart.h - PromQL results as charts for a terminal: lines, bars, a legend */
/* SPDX-License-Identifier: MIT */
#ifndef MTK_CHART_H
#define MTK_CHART_H

#include <stddef.h>
#include <stdio.h>

#include "base/buf.h"
#include "base/errbuf.h"
#include "promql/promql_eval.h"

/* What the values measure: how the axis and the legend write them. */
enum chart_unit {
	CHART_UNIT_AUTO,	/* guessed by chart_unit_guess() */
	CHART_UNIT_NONE,	/* plain numbers, k M G T above 1000 */
	CHART_UNIT_BYTES,	/* B KiB MiB GiB TiB (powers of 1024) */
	CHART_UNIT_BYTES_RATE,	/* the same, per second */
	CHART_UNIT_SECONDS,	/* µs ms s min h d */
	CHART_UNIT_RATIO,	/* a fraction, written as a percentage */
	CHART_UNIT_CELSIUS
};

struct chart_opts {
	const char *title;	/* the first line (the expression), or NULL */
	int width;		/* columns of the whole chart, at least 40 */
	int height;		/* rows of the plot, at least 5 */
	int color;		/* ANSI colours, one a series; else none */
	size_t top;		/* series drawn; the rest summed as one line */
	enum chart_unit unit;
	int stack;		/* SVG: stacked areas, not lines */
};

#define CHART_OPTS_INIT { NULL, 80, 15, 0, 8, CHART_UNIT_AUTO, 0 }
/* An SVG image's size, in pixels, unless told. */
#define CHART_SVG_WIDTH 800
#define CHART_SVG_HEIGHT 320

/*
 * Append 'r' as a chart to 'out'.  A matrix (a range query, or x[5m])
 * is drawn as lines in braille characters (2 x 4 dots a cell) over a
 * time axis, times in the process's time zone; a vector or a scalar as
 * horizontal bars.  Past 'top' series, the 'top' of the highest average
 * are drawn and the others summed as one line, "other N series".
 * Labels every drawn series has alike are written once, above the
 * legend; the legend gives min, avg, max and last of each line.  With
 * 'color', each line and its legend entry has its colour; without,
 * each line's number is written at the right of its last value.  'name',
 * when not NULL, is the metric name of every series.
 */
void chart_render(struct buf *out, const struct promql_result *r,
    const char *name, const struct chart_opts *o);

/* What draws a chart: chart_render() or chart_svg(). */
typedef void (*chart_draw_fn)(struct buf *out, const struct promql_result *r,
    const char *name, const struct chart_opts *o);

/*
 * Draw 'r' with 'draw' and write it to 'fp'.  Returns 0, or -1 with a
 * write error in 'eb'.
 */
int chart_write(FILE *fp, chart_draw_fn draw, const struct promql_result *r,
    const char *name, const struct chart_opts *o, struct errbuf *eb);

/*
 * Append a sparkline of the 'n' samples at 't', 'v' (in time order):
 * 'width' characters (8 heights, from U+2581 to U+2588), each the
 * average of the finite values of its share of [t0, t1], scaled from
 * the least to the greatest of those; a space where there are none.
 */
void chart_sparkline(struct buf *b, const int64_t *t, const double *v,
    size_t n, int64_t t0, int64_t t1, size_t width);

/*
 * Append 'r' as an SVG image, as rrdtool graph draws one: 'o->width' by
 * 'o->height' pixels (at least 480 by 150) for the title, the range,
 * the plot with its grid and axes, and below, growing the image, a
 * legend row a line with its min, avg, max and last.  A line a series
 * (folded past 'top' as chart_render() folds them), or with 'o->stack'
 * stacked areas, each series on top of those before it (a missing
 * value counts 0).  Text is escaped as XML wants it.
 */
void chart_svg(struct buf *out, const struct promql_result *r,
    const char *name, const struct chart_opts *o);

/*
 * The unit of what 'expr' (and the result's metric name 'name', either
 * may be NULL) gives, by Prometheus' naming conventions: _bytes, a rate
 * of _bytes_total (per second), _seconds (but a rate of _seconds_total
 * is a fraction of a second per second: none), _ratio, _celsius.
 */
enum chart_unit chart_unit_guess(const char *expr, const char *name);

/*
 * Append 'v' in unit 'u' (not AUTO): scaled by 'ref' (the size the
 * prefix is chosen by: 1536 bytes with ref 2e9 is "0.0 GiB"), with as
 * many decimals as a resolution of 'res' needs, or, when 'res' is 0,
 * three significant digits of 'v'.  NaN and infinities as Prometheus
 * writes them.
 */
void chart_value(struct buf *b, double v, enum chart_unit u, double ref,
    double res);

#endif
