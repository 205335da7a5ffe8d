/* chart.c - PromQL results as charts for a terminal: lines, bars, a legend */
/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/xalloc.h"
#include "query/chart.h"
#include "query/chart_int.h"
#include "query/render.h"

/* Foreground colours, one a line, in turn. */
static const int colours[] = { 32, 33, 34, 35, 36, 31, 92, 93, 94, 95, 96, 91 };
#define NCOLOURS (sizeof(colours) / sizeof(colours[0]))

/* The dot row (0 at the top, 4 a cell) of 'v'. */
static int
dot_row(const struct chart_axis *a, double v)
{
	double p = (a->hi - v) / (a->hi - a->lo) * 4 * (a->rows - 1) + 1.5;
	double last = 4 * a->rows - 1;

	if (!(p >= 0))		/* NaN too */
		return 0;
	return p > last ? (int)last : (int)floor(p);
}

/* The plot: braille dots and a colour (line number + 1) a cell. */
struct grid {
	int cols, rows;
	uint8_t *dots;
	uint8_t *owner;
	int *mark;		/* a row's line number at the right, or -1 */
};

static void
dot(struct grid *g, int x, int y, int line)
{
	static const uint8_t bit[2][4] = {
		{ 0x01, 0x02, 0x04, 0x40 }, { 0x08, 0x10, 0x20, 0x80 }
	};
	size_t c;

	if (x < 0 || y < 0 || x >= 2 * g->cols || y >= 4 * g->rows)
		return;
	c = (size_t)(y / 4) * (size_t)g->cols + (size_t)(x / 2);
	g->dots[c] |= bit[x % 2][y % 4];
	g->owner[c] = (uint8_t)(line + 1);
}

/* A vertical run of dots at column x between rows y0 and y1. */
static void
run(struct grid *g, int x, int y0, int y1, int line)
{
	int y;

	if (y0 > y1) {
		y = y0;
		y0 = y1;
		y1 = y;
	}
	for (y = y0; y <= y1; y++)
		dot(g, x, y, line);
}

static void
draw_line(struct grid *g, const struct chart_axis *a, const struct chart_line *l,
    int line, int64_t t0, int64_t t1)
{
	int64_t gap = chart_median_gap(l) * 3;
	int px = -1, py = 0, x, y, i;
	size_t j;
	int64_t pt = 0;
	double span = (double)(t1 - t0), w = 2.0 * g->cols - 1;

	for (j = 0; j < l->n; j++) {
		if (!isfinite(l->v[j])) {
			px = -1;
			continue;
		}
		x = (int)lround((double)(l->t[j] - t0) / span * w);
		y = dot_row(a, l->v[j]);
		if (px < 0 || (gap > 0 && l->t[j] - pt > gap)) {
			dot(g, x, y, line);
		} else if (x == px) {
			run(g, x, py, y, line);
		} else {
			/* Each column from px+1 to x: from where the line was
			 * to where it is, interpolated. */
			int prev = py;
			for (i = px + 1; i <= x; i++) {
				int yi = (int)lround(py + (double)(y - py) *
				    (i - px) / (x - px));
				run(g, i, prev, yi, line);
				prev = yi;
			}
		}
		px = x;
		py = y;
		pt = l->t[j];
	}
	if (px >= 0) {
		int row = py / 4;
		if (g->mark[row] < 0)
			g->mark[row] = line;
	}
}

static void
colour_on(struct buf *b, const struct chart_opts *o, int line)
{
	if (o->color)
		buf_addf(b, "\033[%dm", colours[(size_t)line % NCOLOURS]);
}

static void
colour_off(struct buf *b, const struct chart_opts *o)
{
	if (o->color)
		buf_adds(b, "\033[0m");
}

static void
spaces(struct buf *b, int n)
{
	while (n-- > 0)
		buf_addch(b, ' ');
}

/* Append code point 'c' (< 0x10000) as UTF-8. */
static void
utf8(struct buf *b, unsigned c)
{
	if (c < 0x80) {
		buf_addch(b, (char)c);
	} else if (c < 0x800) {
		buf_addch(b, (char)(0xc0 | c >> 6));
		buf_addch(b, (char)(0x80 | (c & 0x3f)));
	} else {
		buf_addch(b, (char)(0xe0 | c >> 12));
		buf_addch(b, (char)(0x80 | (c >> 6 & 0x3f)));
		buf_addch(b, (char)(0x80 | (c & 0x3f)));
	}
}

static void
legend(struct buf *out, const struct promql_result *r, const char *name,
    const struct chart_line *ln, size_t nl, enum chart_unit u,
    const struct chart_opts *o)
{
	static const char *const heads[] = { "series", "min", "avg", "max",
		"last" };
	struct render_table t;
	struct buf tb = BUF_INIT, cell = BUF_INIT;
	size_t i, row = 0;
	const char *p, *e;

	(void)r;
	/* The labels every line has alike, once. */
	if (nl > 1 && ln[0].rs) {
		chart_series_text(&cell, ln[0].rs, name, ln, nl, 0, 1);
		if (cell.len > 2 || (cell.len && cell.p[0] != '{')) {
			buf_adds(out, "  ");
			buf_add(out, cell.p, cell.len);
			buf_addch(out, '\n');
		}
	}
	render_table_init(&t, 5, 0x1e, heads);
	for (i = 0; i < nl; i++) {
		size_t k;
		buf_reset(&cell);
		if (ln[i].rs == NULL)
			buf_addf(&cell, "other %zu series (sum)", ln[i].folded);
		else
			chart_series_text(&cell, ln[i].rs, name, ln, nl, nl > 1, 0);
		render_table_cell(&t, cell.p, cell.len);
		for (k = 0; k < 4; k++) {
			double v = k == 0 ? ln[i].min : k == 1 ? ln[i].avg :
			    k == 2 ? ln[i].max : ln[i].last;
			buf_reset(&cell);
			chart_value(&cell, v, u, v, 0);
			render_table_cell(&t, cell.p, cell.len);
		}
	}
	render_table_write(&t, &tb, NULL, NULL, NULL);
	render_table_release(&t);
	/* Each row after the header behind its line's number, coloured. */
	for (p = tb.p; p && p < tb.p + tb.len; p = e + 1) {
		e = memchr(p, '\n', (size_t)(tb.p + tb.len - p));
		if (e == NULL)
			e = tb.p + tb.len;
		if (row == 0) {
			buf_adds(out, "     ");
		} else {
			colour_on(out, o, (int)row - 1);
			buf_addf(out, "%3zu ", row);
			utf8(out, 0x25a0);	/* a black square */
			colour_off(out, o);
		}
		buf_addch(out, ' ');
		buf_add(out, p, (size_t)(e - p));
		buf_addch(out, '\n');
		row++;
	}
	buf_release(&tb);
	buf_release(&cell);
}

static void
draw_lines(struct buf *out, const struct promql_result *r, const char *name,
    const struct chart_opts *o, enum chart_unit u)
{
	struct chart_line *ln;
	struct grid g;
	struct chart_axis a;
	struct buf lab = BUF_INIT;
	int64_t *st;
	double *sv, lo = INFINITY, hi = -INFINITY;
	int64_t t0 = INT64_MAX, t1 = INT64_MIN, every, first;
	enum chart_tick fmt = CHART_TICK_MINUTES;
	size_t nl, i, c;
	int axisw = 0, row, col, width = o->width < 40 ? 40 : o->width;
	int height = o->height < 5 ? 5 : o->height, cur, *tickcol, blank;
	char tbuf[64];

	ln = chart_pick_lines(r, o->top, &nl, &st, &sv);
	for (i = 0; i < nl; i++) {
		if (ln[i].n) {
			t0 = ln[i].t[0] < t0 ? ln[i].t[0] : t0;
			t1 = ln[i].t[ln[i].n - 1] > t1 ? ln[i].t[ln[i].n - 1] : t1;
		}
		if (ln[i].min < lo)
			lo = ln[i].min;
		if (ln[i].max > hi)
			hi = ln[i].max;
	}
	if (t0 > t1) {
		buf_adds(out, "(no samples)\n");
		goto out;
	}
	if (t1 == t0)
		t1 = t0 + 1000;
	chart_value_axis(&a, lo, hi, height, u);
	for (row = 0; row < a.rows; row += a.k) {
		size_t l0 = lab.len;
		chart_value(&lab, a.hi - row / a.k * a.step, u,
		    fmax(fabs(a.lo), fabs(a.hi)), a.step);
		if ((int)render_width(lab.p + l0, lab.len - l0) > axisw)
			axisw = (int)render_width(lab.p + l0, lab.len - l0);
		buf_addch(&lab, '\0');
	}
	g.rows = a.rows;
	g.cols = width - axisw - 4;
	if (g.cols < 10)
		g.cols = 10;
	g.dots = xcalloc((size_t)g.cols * (size_t)g.rows, 1);
	g.owner = xcalloc((size_t)g.cols * (size_t)g.rows, 1);
	g.mark = xcalloc((size_t)g.rows, sizeof(*g.mark));
	for (row = 0; row < g.rows; row++)
		g.mark[row] = -1;
	for (i = 0; i < nl; i++)
		draw_line(&g, &a, &ln[i], (int)i, t0, t1);

	if (o->title) {
		buf_adds(out, o->title);
		buf_adds(out, "  ");
	}
	chart_time_range(out, t0, t1);
	buf_addch(out, '\n');
	for (row = 0, cur = -1; row < g.rows; row++) {
		const char *l = lab.p;
		int k;
		if (row % a.k == 0) {
			for (k = 0; k < row / a.k; k++)
				l += strlen(l) + 1;
			spaces(out, axisw - (int)render_width(l, strlen(l)));
			buf_adds(out, l);
			buf_adds(out, " \xe2\x94\xa4");		/* ┤ */
		} else {
			spaces(out, axisw);
			buf_adds(out, " \xe2\x94\x82");		/* │ */
		}
		/* Blanks written only before what follows them: no trailing ones. */
		for (col = 0, blank = 0; col < g.cols; col++) {
			c = (size_t)row * (size_t)g.cols + (size_t)col;
			if (g.dots[c] == 0) {
				blank++;
				continue;
			}
			if (o->color && g.owner[c] - 1 != cur) {
				colour_off(out, o);
				cur = g.owner[c] - 1;
				spaces(out, blank);
				blank = 0;
				colour_on(out, o, cur);
			}
			spaces(out, blank);
			blank = 0;
			utf8(out, 0x2800u + g.dots[c]);
		}
		if (cur >= 0) {
			colour_off(out, o);
			cur = -1;
		}
		if (g.mark[row] >= 0 && nl > 1) {
			spaces(out, blank + 1);
			colour_on(out, o, g.mark[row]);
			buf_addf(out, "%d", g.mark[row] + 1);
			colour_off(out, o);
		}
		buf_addch(out, '\n');
	}
	/* The time axis: ticks, then their labels. */
	first = chart_time_axis(t0, t1, g.cols, &every, &fmt);
	tickcol = xcalloc((size_t)g.cols, sizeof(*tickcol));
	for (int64_t t = first; t <= t1; t += every) {
		col = (int)lround((double)(t - t0) / (double)(t1 - t0) *
		    (g.cols - 1));
		if (col >= 0 && col < g.cols)
			tickcol[col] = 1;
	}
	spaces(out, axisw);
	buf_adds(out, " \xe2\x94\x94");				/* └ */
	for (col = 0; col < g.cols; col++)
		buf_adds(out, tickcol[col] ? "\xe2\x94\xac" : "\xe2\x94\x80");
	buf_addch(out, '\n');
	spaces(out, axisw + 2);
	for (col = 0, row = 0; col < g.cols; col++) {
		if (tickcol[col] && col >= row) {
			int64_t t = t0 + (int64_t)llround((double)col /
			    (g.cols - 1) * (double)(t1 - t0));
			size_t n;
			/* The tick's own time, not the column's rounding. */
			t = ((t + every / 2 - first) / every) * every + first;
			n = chart_time_text(tbuf, sizeof(tbuf), t, fmt);
			if (col + (int)n > g.cols + 3)
				break;
			spaces(out, col - row);
			buf_add(out, tbuf, n);
			row = col + (int)n;
		}
	}
	buf_addch(out, '\n');
	free(tickcol);
	legend(out, r, name, ln, nl, u, o);
	free(g.dots);
	free(g.owner);
	free(g.mark);
out:
	buf_release(&lab);
	free(ln);
	free(st);
	free(sv);
}

void
chart_sparkline(struct buf *b, const int64_t *t, const double *v, size_t n,
    int64_t t0, int64_t t1, size_t width)
{
	double sum[64], lo = INFINITY, hi = -INFINITY;
	size_t cnt[64], i, k;

	if (width > 64)
		width = 64;
	if (width == 0)
		return;
	memset(sum, 0, sizeof(sum));
	memset(cnt, 0, sizeof(cnt));
	if (t1 <= t0)
		t1 = t0 + 1;
	for (i = 0; i < n; i++) {
		if (!isfinite(v[i]) || t[i] < t0 || t[i] > t1)
			continue;
		k = (size_t)((double)(t[i] - t0) / (double)(t1 - t0) *
		    (double)width);
		k = k >= width ? width - 1 : k;
		sum[k] += v[i];
		cnt[k]++;
	}
	for (k = 0; k < width; k++) {
		if (cnt[k] == 0)
			continue;
		sum[k] /= (double)cnt[k];
		lo = fmin(lo, sum[k]);
		hi = fmax(hi, sum[k]);
	}
	for (k = 0; k < width; k++) {
		double h;
		if (cnt[k] == 0) {
			buf_addch(b, ' ');
			continue;
		}
		/* All alike: the middle; else 0..7 from the least. */
		h = hi > lo && isfinite(hi - lo) ? (sum[k] - lo) / (hi - lo) * 7 :
		    3;
		utf8(b, 0x2581u + (unsigned)lround(fmin(fmax(h, 0), 7)));
	}
}

/* A vector or a scalar: a bar a series, from zero. */
static void
draw_bars(struct buf *out, const struct promql_result *r, const char *name,
    const struct chart_opts *o, enum chart_unit u)
{
	struct chart_line *ln = xcalloc(r->n ? r->n : 1, sizeof(*ln));
	struct buf *text = xcalloc(r->n ? r->n : 1, sizeof(*text));
	struct buf *val = xcalloc(r->n ? r->n : 1, sizeof(*val));
	int labw = 0, valw = 0, bar, width = o->width < 40 ? 40 : o->width;
	double max = 0;
	size_t i;

	for (i = 0; i < r->n; i++) {
		ln[i].rs = &r->series[i];
		ln[i].v = r->series[i].v;
		ln[i].n = r->series[i].n;
		chart_line_stats(&ln[i]);
		if (isfinite(ln[i].last) && fabs(ln[i].last) > max)
			max = fabs(ln[i].last);
	}
	for (i = 0; i < r->n; i++) {
		int w;
		buf_init(&text[i]);
		buf_init(&val[i]);
		if (r->type == PROMQL_TYPE_SCALAR)
			buf_adds(&text[i], "scalar");
		else
			chart_series_text(&text[i], ln[i].rs, name, ln, r->n,
			    r->n > 1, 0);
		chart_value(&val[i], ln[i].last, u, ln[i].last, 0);
		w = (int)render_width(text[i].p, text[i].len);
		labw = w > labw ? w : labw;
		w = (int)render_width(val[i].p, val[i].len);
		valw = w > valw ? w : valw;
	}
	if (r->n > 1 && r->type != PROMQL_TYPE_SCALAR) {
		struct buf c = BUF_INIT;
		chart_series_text(&c, ln[0].rs, name, ln, r->n, 0, 1);
		if (c.len > 2 || (c.len && c.p[0] != '{'))
			buf_addf(out, "%.*s\n", (int)c.len, c.p);
		buf_release(&c);
	}
	if (labw > width / 2)
		labw = width / 2;
	bar = width - labw - valw - 3;
	if (bar < 10)
		bar = 10;
	for (i = 0; i < r->n; i++) {
		double v = ln[i].last;
		int w = (int)render_width(text[i].p, text[i].len), eighths, k;
		buf_add(out, text[i].p, text[i].len);
		spaces(out, labw - w + 1);
		eighths = isfinite(v) && max > 0 ?
		    (int)lround(fabs(v) / max * bar * 8) : 0;
		colour_on(out, o, (int)i);
		for (k = 0; k < eighths / 8; k++)
			utf8(out, 0x2588);		/* full block */
		if (eighths % 8)
			utf8(out, 0x2590 - (unsigned)(eighths % 8));
		colour_off(out, o);
		spaces(out, bar - eighths / 8 - (eighths % 8 != 0) + 1);
		spaces(out, valw - (int)render_width(val[i].p, val[i].len));
		buf_add(out, val[i].p, val[i].len);
		buf_addch(out, '\n');
		buf_release(&text[i]);
		buf_release(&val[i]);
	}
	free(text);
	free(val);
	free(ln);
}

void
chart_render(struct buf *out, const struct promql_result *r,
    const char *name, const struct chart_opts *o)
{
	enum chart_unit u = o->unit;

	if (r->type == PROMQL_TYPE_STRING) {
		buf_add(out, r->string, r->string_len);
		buf_addch(out, '\n');
		return;
	}
	if (u == CHART_UNIT_AUTO) {
		const struct promql_label *l = r->n ?
		    chart_label_of(&r->series[0], "__name__") : NULL;
		u = chart_unit_guess(o->title, name ? name : l ? l->value : NULL);
	}
	if (r->n == 0) {
		buf_adds(out, "(no series)\n");
		return;
	}
	if (r->range || r->type == PROMQL_TYPE_MATRIX)
		draw_lines(out, r, name, o, u);
	else
		draw_bars(out, r, name, o, u);
}

int
chart_write(FILE *fp, chart_draw_fn draw, const struct promql_result *r,
    const char *name, const struct chart_opts *o, struct errbuf *eb)
{
	struct buf b = BUF_INIT;
	int rc = 0;

	draw(&b, r, name, o);
	if ((b.len && fwrite(b.p, 1, b.len, fp) != b.len) || fflush(fp) == EOF)
		rc = errbuf_set(eb, "write error: %s", strerror(errno));
	buf_release(&b);
	return rc;
}
