/* chart.c - PromQL results as charts for a terminal: lines, bars, a legend */
/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/xalloc.h"
#include "query/chart.h"
#include "query/render.h"

#define MS_MIN (60 * 1000LL)
#define MS_HOUR (60 * MS_MIN)
#define MS_DAY (24 * MS_HOUR)

/* Foreground colours, one a line, in turn. */
static const int colours[] = { 32, 33, 34, 35, 36, 31, 92, 93, 94, 95, 96, 91 };
#define NCOLOURS (sizeof(colours) / sizeof(colours[0]))

/* One line to draw: a series of the result, or the sum of the others. */
struct line {
	const struct promql_rseries *rs;	/* NULL: 'folded' others */
	const int64_t *t;
	const double *v;
	size_t n;
	size_t folded;			/* series summed into this one */
	double min, avg, max, last;	/* of its finite values; NaN: none */
};

static int
suffix_is(const char *s, size_t len, const char *suf)
{
	size_t n = strlen(suf);

	return len >= n && memcmp(s + len - n, suf, n) == 0;
}

/* Whether 'expr' has an identifier ending in 'suf' (followed by no more of one). */
static int
has_name_ending(const char *expr, const char *suf)
{
	const char *p = expr;
	size_t n = strlen(suf);

	while ((p = strstr(p, suf)) != NULL) {
		char c = p[n];
		p += n;
		if (!(c == '_' || c == ':' || (c >= 'a' && c <= 'z') ||
		    (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')))
			return 1;
	}
	return 0;
}

enum chart_unit
chart_unit_guess(const char *expr, const char *name)
{
	int rate = expr && (strstr(expr, "rate(") || strstr(expr, "deriv("));

	if (name && *name) {
		size_t len = strlen(name);
		if (suffix_is(name, len, "_bytes"))
			return CHART_UNIT_BYTES;
		if (suffix_is(name, len, "_seconds"))
			return CHART_UNIT_SECONDS;
		if (suffix_is(name, len, "_ratio"))
			return CHART_UNIT_RATIO;
		if (suffix_is(name, len, "_celsius"))
			return CHART_UNIT_CELSIUS;
	}
	if (expr == NULL)
		return CHART_UNIT_NONE;
	if (has_name_ending(expr, "_bytes_total"))
		return rate ? CHART_UNIT_BYTES_RATE : CHART_UNIT_BYTES;
	if (has_name_ending(expr, "_bytes"))
		return CHART_UNIT_BYTES;
	if (has_name_ending(expr, "_seconds_total"))
		return rate ? CHART_UNIT_NONE : CHART_UNIT_SECONDS;
	if (has_name_ending(expr, "_seconds"))
		return CHART_UNIT_SECONDS;
	if (has_name_ending(expr, "_ratio"))
		return CHART_UNIT_RATIO;
	if (has_name_ending(expr, "_celsius"))
		return CHART_UNIT_CELSIUS;
	return CHART_UNIT_NONE;
}

/* Decimals that write 'res' (> 0) exactly enough, at most 6. */
static int
decimals_for(double res)
{
	int d;

	for (d = 0; d < 6; d++) {
		double s = res * pow(10, d);
		if (fabs(s - round(s)) < 1e-6 * s)
			return d;
	}
	return 6;
}

/*
 * What values of unit 'u' about as big as 'ref' are divided by to be
 * written, and the unit they are written in then.
 */
static double
unit_scale(enum chart_unit u, double ref, const char **unit)
{
	static const char *const iec[] = { "B", "KiB", "MiB", "GiB", "TiB",
		"PiB", "EiB" };
	static const char *const si[] = { "", "k", "M", "G", "T", "P", "E" };
	double f = 1;
	int k;

	*unit = "";
	ref = isfinite(ref) ? fabs(ref) : 0;
	switch (u) {
	case CHART_UNIT_BYTES:
	case CHART_UNIT_BYTES_RATE:
		for (k = 0; k < 6 && ref / f >= 1024; k++)
			f *= 1024;
		*unit = iec[k];
		break;
	case CHART_UNIT_SECONDS:
		if (ref >= 2 * 86400)
			f = 86400, *unit = "d";
		else if (ref >= 2 * 3600)
			f = 3600, *unit = "h";
		else if (ref >= 120)
			f = 60, *unit = "min";
		else if (ref >= 1 || ref == 0)
			*unit = "s";
		else if (ref >= 1e-3)
			f = 1e-3, *unit = "ms";
		else
			f = 1e-6, *unit = "µs";
		break;
	case CHART_UNIT_RATIO:
		f = 0.01, *unit = "%";
		break;
	case CHART_UNIT_CELSIUS:
		*unit = "°C";
		break;
	case CHART_UNIT_AUTO:
	case CHART_UNIT_NONE:
		for (k = 0; k < 6 && ref / f >= 1000; k++)
			f *= 1000;
		*unit = si[k];
		break;
	}
	return f;
}

void
chart_value(struct buf *b, double v, enum chart_unit u, double ref, double res)
{
	const char *unit;
	double f;
	int d;

	if (isnan(v)) {
		buf_adds(b, "NaN");
		return;
	}
	if (isinf(v)) {
		buf_adds(b, v > 0 ? "+Inf" : "-Inf");
		return;
	}
	f = unit_scale(u, ref, &unit);
	v /= f;
	if (res > 0) {
		d = decimals_for(res / f);
	} else if (v == 0) {
		d = 0;
	} else {
		/* floor(log10()) of a value below 1e6 and not 0: -324..5 */
		d = fabs(v) < 1e6 ? 2 - (int)floor(log10(fabs(v))) : 0;
		d = d < 0 ? 0 : d > 6 ? 6 : d;
	}
	if (!(fabs(v) < 1e6))	/* past the last prefix, or scaled to inf */
		buf_addf(b, "%.3g", v);
	else
		buf_addf(b, "%.*f", d, v);
	if (*unit) {
		if (u != CHART_UNIT_RATIO && u != CHART_UNIT_CELSIUS)
			buf_addch(b, ' ');
		buf_adds(b, unit);
	}
	if (u == CHART_UNIT_BYTES_RATE)
		buf_adds(b, "/s");
}

/* The value of label 'name' of 'rs', or NULL. */
static const struct promql_label *
label_of(const struct promql_rseries *rs, const char *name)
{
	size_t i;

	for (i = 0; i < rs->nlabels; i++)
		if (strcmp(rs->labels[i].name, name) == 0)
			return &rs->labels[i];
	return NULL;
}

/* Whether label 'l' is on every drawn series alike (more than one). */
static int
common(const struct promql_label *l, const struct line *ln, size_t n)
{
	size_t i, drawn = 0;

	for (i = 0; i < n; i++) {
		const struct promql_label *o;
		if (ln[i].rs == NULL)
			continue;
		drawn++;
		o = label_of(ln[i].rs, l->name);
		if (o == NULL || o->value_len != l->value_len ||
		    memcmp(o->value, l->value, l->value_len) != 0)
			return 0;
	}
	return drawn > 1;
}

/*
 * Append series 'rs' in PromQL form, without the labels every drawn line
 * has alike ('strip'), or those alone ('only').
 */
static void
series_text(struct buf *b, const struct promql_rseries *rs, const char *name,
    const struct line *ln, size_t n, int strip, int only)
{
	struct label labels[METRIC_LABELS_MAX];
	struct sample m;
	const struct promql_label *nl = label_of(rs, "__name__");
	size_t i, k = 0;

	memset(&m, 0, sizeof(m));
	m.name = name ? name : nl ? nl->value : "";
	if (nl && !name && ((strip && common(nl, ln, n)) ||
	    (only && !common(nl, ln, n))))
		m.name = "";
	m.name_len = strlen(m.name);
	for (i = 0; i < rs->nlabels && k < METRIC_LABELS_MAX; i++) {
		const struct promql_label *l = &rs->labels[i];
		int c;
		if (strcmp(l->name, "__name__") == 0)
			continue;
		c = common(l, ln, n);
		if ((strip && c) || (only && !c))
			continue;
		labels[k].name = l->name;
		labels[k].name_len = (uint32_t)l->name_len;
		labels[k].value = l->value;
		labels[k].value_len = (uint32_t)l->value_len;
		k++;
	}
	m.labels = labels;
	m.nlabels = k;
	render_series(b, &m);
}

static void
line_stats(struct line *l)
{
	double sum = 0;
	size_t i, n = 0;

	l->min = l->max = l->avg = l->last = NAN;
	for (i = 0; i < l->n; i++) {
		double v = l->v[i];
		if (!isfinite(v))
			continue;
		if (n == 0 || v < l->min)
			l->min = v;
		if (n == 0 || v > l->max)
			l->max = v;
		sum += v;
		n++;
		l->last = v;
	}
	if (n)
		l->avg = sum / (double)n;
}

struct tv {
	int64_t t;
	double v;
};

static int
tv_cmp(const void *a, const void *b)
{
	const struct tv *x = a, *y = b;

	return x->t < y->t ? -1 : x->t > y->t;
}

static int
avg_desc(const void *a, const void *b)
{
	const struct line *x = a, *y = b;
	double p = isnan(x->avg) ? -INFINITY : x->avg;
	double q = isnan(y->avg) ? -INFINITY : y->avg;

	return p > q ? -1 : p < q;
}

static int
by_order(const void *a, const void *b)
{
	const struct line *x = a, *y = b;

	return x->rs < y->rs ? -1 : x->rs > y->rs;
}

/*
 * The lines to draw of 'r': every series, or past 'top' the 'top' of
 * the highest average (in the result's order) and one more, the sum of
 * the others at each time ('*sum_t', '*sum_v': its samples, to free).
 */
static struct line *
pick_lines(const struct promql_result *r, size_t top, size_t *nl,
    int64_t **sum_t, double **sum_v)
{
	struct line *ln = xcalloc(r->n ? r->n : 1, sizeof(*ln));
	struct tv *all;
	size_t i, j, k, n = 0;

	*sum_t = NULL;
	*sum_v = NULL;
	for (i = 0; i < r->n; i++) {
		ln[i].rs = &r->series[i];
		ln[i].t = r->series[i].t;
		ln[i].v = r->series[i].v;
		ln[i].n = r->series[i].n;
		line_stats(&ln[i]);
	}
	if (top == 0 || r->n <= top) {
		*nl = r->n;
		return ln;
	}
	qsort(ln, r->n, sizeof(*ln), avg_desc);
	for (i = top; i < r->n; i++)
		n += ln[i].n;
	all = xcalloc(n ? n : 1, sizeof(*all));
	for (i = top, k = 0; i < r->n; i++)
		for (j = 0; j < ln[i].n; j++)
			if (isfinite(ln[i].v[j])) {
				all[k].t = ln[i].t[j];
				all[k++].v = ln[i].v[j];
			}
	qsort(all, k, sizeof(*all), tv_cmp);
	*sum_t = xcalloc(k ? k : 1, sizeof(**sum_t));
	*sum_v = xcalloc(k ? k : 1, sizeof(**sum_v));
	for (i = 0, n = 0; i < k; i++) {
		if (n && (*sum_t)[n - 1] == all[i].t) {
			(*sum_v)[n - 1] += all[i].v;
			continue;
		}
		(*sum_t)[n] = all[i].t;
		(*sum_v)[n++] = all[i].v;
	}
	free(all);
	qsort(ln, top, sizeof(*ln), by_order);
	ln[top].folded = r->n - top;
	ln[top].rs = NULL;
	ln[top].t = *sum_t;
	ln[top].v = *sum_v;
	ln[top].n = n;
	line_stats(&ln[top]);
	*nl = top + 1;
	return ln;
}

/* The value axis: from lo to hi, a tick every 'step', 'k' rows apart. */
struct axis {
	double lo, hi, step;
	int rows, k;
};

static void
value_axis(struct axis *a, double lo, double hi, int height, enum chart_unit u)
{
	static const double nice[] = { 1, 2, 2.5, 5, 10 };
	int want = (height - 1) / 3, n;
	double raw, mag, f;
	const char *unit;
	size_t i;

	if (want < 2)
		want = 2;
	if (!(lo <= hi)) {
		lo = 0;
		hi = 1;
	}
	if (lo == hi) {
		double d = lo == 0 ? 1 : fabs(lo) / 10;
		lo -= d;
		hi += d;
		if (lo < 0 && lo + d >= 0)
			lo = 0;
	}
	/* Round steps in the unit the labels are written in: 0.5 GiB. */
	f = unit_scale(u, fmax(fabs(lo), fabs(hi)), &unit);
	raw = (hi - lo) / f / want;
	mag = pow(10, floor(log10(raw)));
	for (i = 0; i < sizeof(nice) / sizeof(nice[0]); i++)
		if (nice[i] * mag >= raw * (1 - 1e-9))
			break;
	a->step = nice[i < 5 ? i : 4] * mag * f;
	a->lo = floor(lo / a->step) * a->step;
	a->hi = ceil(hi / a->step) * a->step;
	if (a->hi <= a->lo)
		a->hi = a->lo + a->step;
	n = (int)fmin(fmax((a->hi - a->lo) / a->step, -1), 1000);
	if (!isfinite(a->hi - a->lo) || n < 1 || n > want + 4) {
		/* Past what doubles can round (near DBL_MAX, subnormal):
		 * the range as it is, in 'want' steps. */
		a->lo = fmax(lo, -DBL_MAX / 4);
		a->hi = fmin(hi, DBL_MAX / 4);
		a->step = (a->hi - a->lo) / want;
		if (!(a->step > 0) || !isfinite(a->step)) {
			a->lo = -1;
			a->hi = 1;
			a->step = 2.0 / want;
		}
		n = want;
	} else {
		n = (int)lround((a->hi - a->lo) / a->step);
	}
	a->k = (height - 1) / n;
	if (a->k < 1)
		a->k = 1;
	a->rows = n * a->k + 1;
}

/* The dot row (0 at the top, 4 a cell) of 'v'. */
static int
dot_row(const struct axis *a, double v)
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

static int
dcmp(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

/* The median gap between the samples of 'l', or 0. */
static int64_t
median_gap(const struct line *l)
{
	int64_t *d, m;
	size_t i;

	if (l->n < 2)
		return 0;
	d = xcalloc(l->n - 1, sizeof(*d));
	for (i = 1; i < l->n; i++)
		d[i - 1] = l->t[i] - l->t[i - 1];
	qsort(d, l->n - 1, sizeof(*d), dcmp);
	m = d[(l->n - 1) / 2];
	free(d);
	return m;
}

static void
draw_line(struct grid *g, const struct axis *a, const struct line *l,
    int line, int64_t t0, int64_t t1)
{
	int64_t gap = median_gap(l) * 3;
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

/* The local time of 'ms' into 'tm'; its offset from UTC in ms. */
static int64_t
local(int64_t ms, struct tm *tm)
{
	time_t s = (time_t)(ms >= 0 ? ms / 1000 : (ms - 999) / 1000);

	localtime_r(&s, tm);
	return (int64_t)tm->tm_gmtoff * 1000;
}

/* How the time axis writes its labels. */
enum tick_style { TICK_SECONDS, TICK_MINUTES, TICK_DAY_MINUTES, TICK_DAYS };

static size_t
time_text(char *out, size_t sz, int64_t ms, enum tick_style st)
{
	struct tm tm;

	local(ms, &tm);
	switch (st) {
	case TICK_SECONDS: return strftime(out, sz, "%H:%M:%S", &tm);
	case TICK_MINUTES: return strftime(out, sz, "%H:%M", &tm);
	case TICK_DAY_MINUTES: return strftime(out, sz, "%m-%d %H:%M", &tm);
	case TICK_DAYS: return strftime(out, sz, "%Y-%m-%d", &tm);
	}
	return 0;
}

/* The time axis: a tick every 'every' ms, labels written as 'st' says. */
static void
time_axis(int64_t t0, int64_t t1, int cols, int64_t *every,
    enum tick_style *st)
{
	static const int64_t steps[] = { 1000, 2000, 5000, 10000, 15000, 30000,
		MS_MIN, 2 * MS_MIN, 5 * MS_MIN, 10 * MS_MIN, 15 * MS_MIN,
		30 * MS_MIN, MS_HOUR, 2 * MS_HOUR, 3 * MS_HOUR, 6 * MS_HOUR,
		12 * MS_HOUR, MS_DAY, 2 * MS_DAY, 7 * MS_DAY, 14 * MS_DAY,
		30 * MS_DAY, 91 * MS_DAY, 365 * MS_DAY };
	size_t i;
	int width;

	for (i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		int64_t s = steps[i];
		if (s < 60000)
			*st = TICK_SECONDS, width = 8;
		else if (s >= MS_DAY)
			*st = TICK_DAYS, width = 10;
		else if (t1 - t0 > MS_DAY)
			*st = TICK_DAY_MINUTES, width = 11;
		else
			*st = TICK_MINUTES, width = 5;
		*every = s;
		if ((double)s / (double)(t1 - t0) * (cols - 1) >= width + 3)
			return;
	}
}

/* The time range and zone: "2026-12-07 12:00 to 13:00 UTC". */
static void
time_range(struct buf *b, int64_t t0, int64_t t1)
{
	char x[64], y[64];
	struct tm a, z;

	local(t0, &a);
	local(t1, &z);
	strftime(x, sizeof(x), "%Y-%m-%d %H:%M:%S", &a);
	if (a.tm_year == z.tm_year && a.tm_yday == z.tm_yday)
		strftime(y, sizeof(y), "%H:%M:%S %Z", &z);
	else
		strftime(y, sizeof(y), "%Y-%m-%d %H:%M:%S %Z", &z);
	buf_addf(b, "%s to %s", x, y);
}

static void
legend(struct buf *out, const struct promql_result *r, const char *name,
    const struct line *ln, size_t nl, enum chart_unit u,
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
		series_text(&cell, ln[0].rs, name, ln, nl, 0, 1);
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
			series_text(&cell, ln[i].rs, name, ln, nl, nl > 1, 0);
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
	struct line *ln;
	struct grid g;
	struct axis a;
	struct buf lab = BUF_INIT;
	int64_t *st;
	double *sv, lo = INFINITY, hi = -INFINITY;
	int64_t t0 = INT64_MAX, t1 = INT64_MIN, every, first;
	enum tick_style fmt = TICK_MINUTES;
	size_t nl, i, c;
	int axisw = 0, row, col, width = o->width < 40 ? 40 : o->width;
	int height = o->height < 5 ? 5 : o->height, cur, *tickcol, blank;
	char tbuf[64];

	ln = pick_lines(r, o->top, &nl, &st, &sv);
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
	value_axis(&a, lo, hi, height, u);
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
	time_range(out, t0, t1);
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
	time_axis(t0, t1, g.cols, &every, &fmt);
	{
		struct tm tm;
		int64_t off = local(t0, &tm);
		first = ((t0 + off) / every + ((t0 + off) % every != 0)) *
		    every - off;
	}
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
			n = time_text(tbuf, sizeof(tbuf), t, fmt);
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
	struct line *ln = xcalloc(r->n ? r->n : 1, sizeof(*ln));
	struct buf *text = xcalloc(r->n ? r->n : 1, sizeof(*text));
	struct buf *val = xcalloc(r->n ? r->n : 1, sizeof(*val));
	int labw = 0, valw = 0, bar, width = o->width < 40 ? 40 : o->width;
	double max = 0;
	size_t i;

	for (i = 0; i < r->n; i++) {
		ln[i].rs = &r->series[i];
		ln[i].v = r->series[i].v;
		ln[i].n = r->series[i].n;
		line_stats(&ln[i]);
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
			series_text(&text[i], ln[i].rs, name, ln, r->n,
			    r->n > 1, 0);
		chart_value(&val[i], ln[i].last, u, ln[i].last, 0);
		w = (int)render_width(text[i].p, text[i].len);
		labw = w > labw ? w : labw;
		w = (int)render_width(val[i].p, val[i].len);
		valw = w > valw ? w : valw;
	}
	if (r->n > 1 && r->type != PROMQL_TYPE_SCALAR) {
		struct buf c = BUF_INIT;
		series_text(&c, ln[0].rs, name, ln, r->n, 0, 1);
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
		    label_of(&r->series[0], "__name__") : NULL;
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
chart_write(FILE *fp, const struct promql_result *r, const char *name,
    const struct chart_opts *o, struct errbuf *eb)
{
	struct buf b = BUF_INIT;
	int rc = 0;

	chart_render(&b, r, name, o);
	if ((b.len && fwrite(b.p, 1, b.len, fp) != b.len) || fflush(fp) == EOF)
		rc = errbuf_set(eb, "write error: %s", strerror(errno));
	buf_release(&b);
	return rc;
}
