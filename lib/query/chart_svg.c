/* chart_svg.c - PromQL results as SVG images: lines or stacked areas, a legend */
/* SPDX-License-Identifier: MIT */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/xalloc.h"
#include "query/chart.h"
#include "query/chart_int.h"

/* A line's colour, in turn. */
static const char *const palette[] = { "#1f77b4", "#ff7f0e", "#2ca02c",
	"#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22",
	"#17becf" };
#define NPALETTE (sizeof(palette) / sizeof(palette[0]))

#define FONT_W 7.0		/* about the width of a character, 12 px */
#define ROW_H 18		/* a legend row */

/* Append 's' ('len' bytes) with what XML must have escaped, escaped. */
static void
xml_text(struct buf *b, const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		switch (c) {
		case '&': buf_adds(b, "&amp;"); break;
		case '<': buf_adds(b, "&lt;"); break;
		case '>': buf_adds(b, "&gt;"); break;
		case '"': buf_adds(b, "&quot;"); break;
		default:
			/* XML 1.0 has no control characters but these. */
			if (c < 0x20 && c != '\t' && c != '\n')
				buf_addch(b, '?');
			else
				buf_addch(b, (char)c);
		}
	}
}

/* 's' cut to at most 'max' characters (not bytes), "…" at the cut. */
static void
xml_text_cut(struct buf *b, const char *s, size_t len, size_t max)
{
	size_t i, chars = 0;

	for (i = 0; i < len; i++) {
		if (((unsigned char)s[i] & 0xc0) != 0x80 && ++chars > max) {
			/* Room for the ellipsis: back one character. */
			size_t j = i;
			while (j > 0 && ((unsigned char)s[--j] & 0xc0) == 0x80)
				;
			xml_text(b, s, j);
			buf_adds(b, "\xe2\x80\xa6");
			return;
		}
	}
	xml_text(b, s, len);
}

struct frame {
	double x0, y0, w, h;		/* the plot, in pixels */
	int64_t t0, t1;
	struct chart_axis a;
};

static double
px_x(const struct frame *f, int64_t t)
{
	return f->x0 + (double)(t - f->t0) / (double)(f->t1 - f->t0) * f->w;
}

static double
px_y(const struct frame *f, double v)
{
	double y = f->y0 + (f->a.hi - v) / (f->a.hi - f->a.lo) * f->h;

	/* Out of the axis (never, but for rounding) or not a number: its edge. */
	if (!(y >= f->y0))
		return f->y0;
	return y > f->y0 + f->h ? f->y0 + f->h : y;
}

static int
t_cmp(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

/*
 * For stacked areas: the times of every line, sorted, once each, and
 * for each line its value at each of them (0 where it has none), on top
 * of those before it ('cum', nl + 1 rows of '*nt': row 0 all zeros).
 */
static double *
stack_values(const struct chart_line *ln, size_t nl, int64_t **times,
    size_t *nt)
{
	int64_t *t;
	double *cum;
	size_t i, j, k, n = 0, m;

	for (i = 0; i < nl; i++)
		n += ln[i].n;
	t = xcalloc(n ? n : 1, sizeof(*t));
	for (i = 0, k = 0; i < nl; i++)
		for (j = 0; j < ln[i].n; j++)
			t[k++] = ln[i].t[j];
	qsort(t, n, sizeof(*t), t_cmp);
	for (i = 0, m = 0; i < n; i++)
		if (m == 0 || t[m - 1] != t[i])
			t[m++] = t[i];
	cum = xcalloc((nl + 1) * (m ? m : 1), sizeof(*cum));
	for (i = 0; i < nl; i++) {
		double *below = cum + i * m, *row = cum + (i + 1) * m;
		memcpy(row, below, m * sizeof(*row));
		for (j = 0, k = 0; j < ln[i].n; j++) {
			while (k < m && t[k] < ln[i].t[j])
				k++;
			if (k < m && isfinite(ln[i].v[j]))
				row[k] += ln[i].v[j];
		}
	}
	*times = t;
	*nt = m;
	return cum;
}

/* The lines: a path each, broken where samples are missing. */
static void
svg_lines(struct buf *out, const struct frame *f, const struct chart_line *ln,
    size_t nl)
{
	size_t i, j;

	for (i = 0; i < nl; i++) {
		int64_t gap = chart_median_gap(&ln[i]) * 3, pt = 0;
		int pen = 0;
		buf_addf(out, "<path fill=\"none\" stroke=\"%s\" "
		    "stroke-width=\"1.5\" stroke-linejoin=\"round\" d=\"",
		    palette[i % NPALETTE]);
		for (j = 0; j < ln[i].n; j++) {
			if (!isfinite(ln[i].v[j])) {
				pen = 0;
				continue;
			}
			buf_addf(out, "%s%.1f %.1f ",
			    pen && !(gap > 0 && ln[i].t[j] - pt > gap) ?
			    "L" : "M", px_x(f, ln[i].t[j]),
			    px_y(f, ln[i].v[j]));
			pen = 1;
			pt = ln[i].t[j];
		}
		buf_adds(out, "\"/>\n");
	}
}

/* Stacked areas: each line's band between those below and itself. */
static void
svg_areas(struct buf *out, const struct frame *f, const int64_t *t,
    const double *cum, size_t nt, size_t nl)
{
	size_t i, k;

	for (i = 0; i < nl; i++) {
		const double *below = cum + i * nt, *top = cum + (i + 1) * nt;
		buf_addf(out, "<path fill=\"%s\" fill-opacity=\"0.75\" "
		    "stroke=\"%s\" stroke-width=\"1\" d=\"",
		    palette[i % NPALETTE], palette[i % NPALETTE]);
		for (k = 0; k < nt; k++)
			buf_addf(out, "%s%.1f %.1f ", k ? "L" : "M",
			    px_x(f, t[k]), px_y(f, top[k]));
		for (k = nt; k-- > 0;)
			buf_addf(out, "L%.1f %.1f ", px_x(f, t[k]),
			    px_y(f, below[k]));
		buf_adds(out, "Z\"/>\n");
	}
}

void
chart_svg(struct buf *out, const struct promql_result *r, const char *name,
    const struct chart_opts *o)
{
	static const char *const heads[] = { "min", "avg", "max", "last" };
	struct chart_line *ln = NULL;
	struct frame f;
	struct buf lab = BUF_INIT, txt = BUF_INIT;
	int64_t *st = NULL, *times = NULL, every, tick;
	double *sv = NULL, *cum = NULL, lo = INFINITY, hi = -INFINITY, v;
	enum chart_unit u = o->unit;
	enum chart_tick style;
	size_t nl = 0, nt = 0, i, k, maxlab = 0;
	int w = o->width < 480 ? 480 : o->width;
	int h = o->height < 150 ? 150 : o->height, legend_h, rows;
	char tb[64];

	if (u == CHART_UNIT_AUTO) {
		const struct promql_label *l = r->n ?
		    chart_label_of(&r->series[0], "__name__") : NULL;
		u = chart_unit_guess(o->title, name ? name : l ? l->value :
		    NULL);
	}
	f.t0 = INT64_MAX;
	f.t1 = INT64_MIN;
	if (r->type != PROMQL_TYPE_STRING)
		ln = chart_pick_lines(r, o->top, &nl, &st, &sv);
	for (i = 0; i < nl; i++) {
		if (ln[i].n) {
			f.t0 = ln[i].t[0] < f.t0 ? ln[i].t[0] : f.t0;
			f.t1 = ln[i].t[ln[i].n - 1] > f.t1 ?
			    ln[i].t[ln[i].n - 1] : f.t1;
		}
		lo = fmin(lo, ln[i].min);
		hi = fmax(hi, ln[i].max);
	}
	if (f.t0 > f.t1)
		f.t0 = f.t1 = 0;
	if (f.t1 == f.t0)
		f.t1 = f.t0 + 1000;
	if (o->stack && nl) {
		cum = stack_values(ln, nl, &times, &nt);
		lo = 0;
		hi = -INFINITY;
		for (k = 0; k < nt; k++)
			hi = fmax(hi, cum[nl * nt + k]);
		for (i = 0; i < (nl + 1) * nt; i++)
			lo = fmin(lo, cum[i]);
	}
	/* A tick about every 40 pixels of the plot's height. */
	chart_value_axis(&f.a, lo, hi, 3 * (h - 70) / 40 + 1, u);
	for (k = 0; f.a.lo + (double)k * f.a.step <= f.a.hi * (1 + 1e-12) +
	    1e-300 && k < 64; k++) {
		size_t l0 = lab.len;
		chart_value(&lab, f.a.lo + (double)k * f.a.step, u,
		    fmax(fabs(f.a.lo), fabs(f.a.hi)), f.a.step);
		if (lab.len - l0 > maxlab)
			maxlab = lab.len - l0;
		buf_addch(&lab, '\0');
	}
	rows = (int)k;
	f.x0 = 16 + FONT_W * (double)maxlab;
	f.y0 = 36;
	f.w = w - f.x0 - 20;
	f.h = h - f.y0 - 36;
	legend_h = nl ? (int)(nl + 2) * ROW_H : 0;

	buf_addf(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	    "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" "
	    "height=\"%d\" viewBox=\"0 0 %d %d\" font-family=\"sans-serif\" "
	    "font-size=\"12\">\n", w, h + legend_h, w, h + legend_h);
	buf_addf(out, "<rect width=\"%d\" height=\"%d\" fill=\"#ffffff\"/>\n",
	    w, h + legend_h);
	/* The title, and the range below it. */
	buf_addf(out, "<text x=\"%d\" y=\"18\" text-anchor=\"middle\" "
	    "font-size=\"14\" font-weight=\"bold\">", w / 2);
	if (o->title)
		xml_text_cut(out, o->title, strlen(o->title),
		    (size_t)(w / 8));
	buf_adds(out, "</text>\n");
	buf_reset(&txt);
	chart_time_range(&txt, f.t0, f.t1);
	buf_addf(out, "<text x=\"%d\" y=\"31\" text-anchor=\"middle\" "
	    "fill=\"#666666\" font-size=\"10\">", w / 2);
	xml_text(out, txt.p, txt.len);
	buf_adds(out, "</text>\n");

	/* The grid and the value axis. */
	buf_adds(out, "<g stroke=\"#e5e5e5\" stroke-width=\"1\">\n");
	for (k = 0; k < (size_t)rows; k++) {
		double y = px_y(&f, f.a.lo + (double)k * f.a.step);
		buf_addf(out, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" "
		    "y2=\"%.1f\"/>\n", f.x0, y, f.x0 + f.w, y);
	}
	tick = chart_time_axis(f.t0, f.t1, (int)(f.w / FONT_W), &every,
	    &style);
	for (int64_t t = tick; t <= f.t1; t += every)
		buf_addf(out, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" "
		    "y2=\"%.1f\"/>\n", px_x(&f, t), f.y0, px_x(&f, t),
		    f.y0 + f.h);
	buf_adds(out, "</g>\n<g fill=\"#333333\">\n");
	{
		const char *l = lab.p;
		for (k = 0; k < (size_t)rows; k++, l += strlen(l) + 1) {
			buf_addf(out, "<text x=\"%.1f\" y=\"%.1f\" "
			    "text-anchor=\"end\">", f.x0 - 6,
			    px_y(&f, f.a.lo + (double)k * f.a.step) + 4);
			xml_text(out, l, strlen(l));
			buf_adds(out, "</text>\n");
		}
	}
	for (int64_t t = tick; t <= f.t1; t += every) {
		size_t n = chart_time_text(tb, sizeof(tb), t, style);
		buf_addf(out, "<text x=\"%.1f\" y=\"%.1f\" "
		    "text-anchor=\"middle\">", px_x(&f, t), f.y0 + f.h + 16);
		xml_text(out, tb, n);
		buf_adds(out, "</text>\n");
	}
	buf_adds(out, "</g>\n");
	buf_addf(out, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" "
	    "height=\"%.1f\" fill=\"none\" stroke=\"#999999\"/>\n",
	    f.x0, f.y0, f.w, f.h);

	/* The lines, or the areas. */
	buf_adds(out, "<g class=\"series\">\n");
	if (cum)
		svg_areas(out, &f, times, cum, nt, nl);
	else
		svg_lines(out, &f, ln, nl);
	buf_adds(out, "</g>\n");

	/* The legend: a row a line, its figures right. */
	if (nl) {
		double y = h + 4, sx = w - 4 * 80 - 20;
		/* The series' text up to the first figure (8 characters at
		 * least, past which it is cut). */
		size_t room = sx > 40 + 8 * FONT_W ?
		    (size_t)((sx - 40) / FONT_W) : 8;
		buf_adds(out, "<g class=\"legend\" fill=\"#333333\">\n");
		if (nl > 1 && ln[0].rs) {
			buf_reset(&txt);
			chart_series_text(&txt, ln[0].rs, name, ln, nl, 0, 1);
			if (txt.len > 2 || (txt.len && txt.p[0] != '{')) {
				buf_addf(out, "<text x=\"20\" y=\"%.1f\">", y);
				xml_text_cut(out, txt.p, txt.len, room);
				buf_adds(out, "</text>\n");
			}
		}
		for (k = 0; k < 4; k++)
			buf_addf(out, "<text x=\"%.1f\" y=\"%.1f\" "
			    "text-anchor=\"end\" font-weight=\"bold\">%s</text>\n",
			    sx + 80 * (double)(k + 1), y, heads[k]);
		for (i = 0; i < nl; i++) {
			y += ROW_H;
			buf_reset(&txt);
			if (ln[i].rs == NULL)
				buf_addf(&txt, "other %zu series (sum)",
				    ln[i].folded);
			else
				chart_series_text(&txt, ln[i].rs, name, ln, nl,
				    nl > 1, 0);
			buf_addf(out, "<rect x=\"20\" y=\"%.1f\" width=\"10\" "
			    "height=\"10\" fill=\"%s\"/>\n", y - 9,
			    palette[i % NPALETTE]);
			buf_addf(out, "<text x=\"36\" y=\"%.1f\">", y);
			xml_text_cut(out, txt.p, txt.len, room);
			buf_adds(out, "</text>\n");
			for (k = 0; k < 4; k++) {
				v = k == 0 ? ln[i].min : k == 1 ? ln[i].avg :
				    k == 2 ? ln[i].max : ln[i].last;
				buf_reset(&txt);
				chart_value(&txt, v, u, v, 0);
				buf_addf(out, "<text x=\"%.1f\" y=\"%.1f\" "
				    "text-anchor=\"end\">",
				    sx + 80 * (double)(k + 1), y);
				xml_text(out, txt.p, txt.len);
				buf_adds(out, "</text>\n");
			}
		}
		buf_adds(out, "</g>\n");
	}
	buf_adds(out, "</svg>\n");
	buf_release(&lab);
	buf_release(&txt);
	free(ln);
	free(st);
	free(sv);
	free(times);
	free(cum);
}
