/* chart_layout.c - what every chart works out: lines, axes, units, labels */
/* SPDX-License-Identifier: MIT */
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/xalloc.h"
#include "query/chart.h"
#include "query/chart_int.h"
#include "query/render.h"

#define MS_MIN (60 * 1000LL)
#define MS_HOUR (60 * MS_MIN)
#define MS_DAY (24 * MS_HOUR)


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
double
chart_unit_scale(enum chart_unit u, double ref, const char **unit)
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
	f = chart_unit_scale(u, ref, &unit);
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
const struct promql_label *
chart_label_of(const struct promql_rseries *rs, const char *name)
{
	size_t i;

	for (i = 0; i < rs->nlabels; i++)
		if (strcmp(rs->labels[i].name, name) == 0)
			return &rs->labels[i];
	return NULL;
}

/* Whether label 'l' is on every drawn series alike (more than one). */
static int
common(const struct promql_label *l, const struct chart_line *ln, size_t n)
{
	size_t i, drawn = 0;

	for (i = 0; i < n; i++) {
		const struct promql_label *o;
		if (ln[i].rs == NULL)
			continue;
		drawn++;
		o = chart_label_of(ln[i].rs, l->name);
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
void
chart_series_text(struct buf *b, const struct promql_rseries *rs, const char *name,
    const struct chart_line *ln, size_t n, int strip, int only)
{
	struct label labels[METRIC_LABELS_MAX];
	struct sample m;
	const struct promql_label *nl = chart_label_of(rs, "__name__");
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

void
chart_line_stats(struct chart_line *l)
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
	const struct chart_line *x = a, *y = b;
	double p = isnan(x->avg) ? -INFINITY : x->avg;
	double q = isnan(y->avg) ? -INFINITY : y->avg;

	return p > q ? -1 : p < q;
}

static int
by_order(const void *a, const void *b)
{
	const struct chart_line *x = a, *y = b;

	return x->rs < y->rs ? -1 : x->rs > y->rs;
}

/*
 * The lines to draw of 'r': every series, or past 'top' the 'top' of
 * the highest average (in the result's order) and one more, the sum of
 * the others at each time ('*sum_t', '*sum_v': its samples, to free).
 */
struct chart_line *
chart_pick_lines(const struct promql_result *r, size_t top, size_t *nl,
    int64_t **sum_t, double **sum_v)
{
	struct chart_line *ln = xcalloc(r->n ? r->n : 1, sizeof(*ln));
	struct tv *all;
	size_t i, j, k, n = 0;

	*sum_t = NULL;
	*sum_v = NULL;
	for (i = 0; i < r->n; i++) {
		ln[i].rs = &r->series[i];
		ln[i].t = r->series[i].t;
		ln[i].v = r->series[i].v;
		ln[i].n = r->series[i].n;
		chart_line_stats(&ln[i]);
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
	chart_line_stats(&ln[top]);
	*nl = top + 1;
	return ln;
}


void
chart_value_axis(struct chart_axis *a, double lo, double hi, int height, enum chart_unit u)
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
	f = chart_unit_scale(u, fmax(fabs(lo), fabs(hi)), &unit);
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

static int
dcmp(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

/* The median gap between the samples of 'l', or 0. */
int64_t
chart_median_gap(const struct chart_line *l)
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

/* The local time of 'ms' into 'tm'; its offset from UTC in ms. */
int64_t
chart_local(int64_t ms, struct tm *tm)
{
	time_t s = (time_t)(ms >= 0 ? ms / 1000 : (ms - 999) / 1000);

	localtime_r(&s, tm);
	return (int64_t)tm->tm_gmtoff * 1000;
}


size_t
chart_time_text(char *out, size_t sz, int64_t ms, enum chart_tick st)
{
	struct tm tm;

	chart_local(ms, &tm);
	switch (st) {
	case CHART_TICK_SECONDS: return strftime(out, sz, "%H:%M:%S", &tm);
	case CHART_TICK_MINUTES: return strftime(out, sz, "%H:%M", &tm);
	case CHART_TICK_DAY_MINUTES: return strftime(out, sz, "%m-%d %H:%M", &tm);
	case CHART_TICK_DAYS: return strftime(out, sz, "%Y-%m-%d", &tm);
	}
	return 0;
}

/* The time axis: a tick every 'every' ms, labels written as 'st' says. */
int64_t
chart_time_axis(int64_t t0, int64_t t1, int cols, int64_t *every,
    enum chart_tick *st)
{
	struct tm tm;
	int64_t off;
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
			*st = CHART_TICK_SECONDS, width = 8;
		else if (s >= MS_DAY)
			*st = CHART_TICK_DAYS, width = 10;
		else if (t1 - t0 > MS_DAY)
			*st = CHART_TICK_DAY_MINUTES, width = 11;
		else
			*st = CHART_TICK_MINUTES, width = 5;
		*every = s;
		if ((double)s / (double)(t1 - t0) * (cols - 1) >= width + 3)
			break;
	}
	/* On a round local time: a day's ticks at midnight. */
	off = chart_local(t0, &tm);
	return ((t0 + off) / *every + ((t0 + off) % *every != 0)) * *every -
	    off;
}

/* The time range and zone: "2026-12-07 12:00 to 13:00 UTC". */
void
chart_time_range(struct buf *b, int64_t t0, int64_t t1)
{
	char x[64], y[64];
	struct tm a, z;

	chart_local(t0, &a);
	chart_local(t1, &z);
	strftime(x, sizeof(x), "%Y-%m-%d %H:%M:%S", &a);
	if (a.tm_year == z.tm_year && a.tm_yday == z.tm_yday)
		strftime(y, sizeof(y), "%H:%M:%S %Z", &z);
	else
		strftime(y, sizeof(y), "%Y-%m-%d %H:%M:%S %Z", &z);
	buf_addf(b, "%s to %s", x, y);
}
