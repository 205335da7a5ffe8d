/* timestamp.c - millisecond timestamps and durations */
/* SPDX-License-Identifier: MIT */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/timestamp.h"

int64_t
ts_now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_REALTIME, &t);
	return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/*
 * Days since 1970-01-01 of a proleptic Gregorian date, and back: the
 * era-based algorithms of Howard Hinnant's "chrono-compatible low-level
 * date algorithms", which work for every year without tables or loops.
 */
static int64_t
days_from_civil(int64_t y, unsigned m, unsigned d)
{
	int64_t era;
	unsigned yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned)(y - era * 400);
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

static void
civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
	int64_t era;
	unsigned doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = (unsigned)(z - era * 146097);
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = (int64_t)yoe + era * 400 + (*m <= 2);
}

static int
leap(int64_t y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static unsigned
days_in_month(int64_t y, unsigned m)
{
	static const unsigned char dim[12] =
	    { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	return m == 2 && leap(y) ? 29 : dim[m - 1];
}

/* Read exactly 'n' digits at '*p'; -1 if they are not all digits. */
static int
digits(const char **p, const char *end, int n)
{
	int v = 0;

	if (end - *p < n)
		return -1;
	while (n-- > 0) {
		char c = *(*p)++;
		if (c < '0' || c > '9')
			return -1;
		v = v * 10 + (c - '0');
	}
	return v;
}

int
ts_parse_rfc3339(const char *s, size_t len, int64_t *ms)
{
	const char *p = s, *end = s + len;
	int y, mo, d, h, mi, sec, frac = 0, scale = 100, off = 0;
	int64_t t;

	if ((y = digits(&p, end, 4)) < 0 || p >= end || *p++ != '-' ||
	    (mo = digits(&p, end, 2)) < 0 || p >= end || *p++ != '-' ||
	    (d = digits(&p, end, 2)) < 0 || p >= end ||
	    (*p != 'T' && *p != 't' && *p != ' '))
		return -1;
	p++;
	if ((h = digits(&p, end, 2)) < 0 || p >= end || *p++ != ':' ||
	    (mi = digits(&p, end, 2)) < 0 || p >= end || *p++ != ':' ||
	    (sec = digits(&p, end, 2)) < 0)
		return -1;
	if (p < end && *p == '.') {
		p++;
		if (p >= end || *p < '0' || *p > '9')
			return -1;
		for (; p < end && *p >= '0' && *p <= '9'; p++) {
			frac += (*p - '0') * scale;
			scale /= 10;
		}
	}
	if (p < end && (*p == 'Z' || *p == 'z')) {
		p++;
	} else if (p < end && (*p == '+' || *p == '-')) {
		int sign = *p++ == '-' ? -1 : 1, oh, om;
		if ((oh = digits(&p, end, 2)) < 0 || p >= end ||
		    *p++ != ':' || (om = digits(&p, end, 2)) < 0 ||
		    oh > 23 || om > 59)
			return -1;
		off = sign * (oh * 60 + om);
	} else {
		return -1;
	}
	if (p != end || y < 1 || mo < 1 || mo > 12 || d < 1 ||
	    (unsigned)d > days_in_month(y, (unsigned)mo) || h > 23 ||
	    mi > 59 || sec > 60)
		return -1;
	t = days_from_civil(y, (unsigned)mo, (unsigned)d) * 86400 +
	    h * 3600 + mi * 60 + sec - (int64_t)off * 60;
	t = t * 1000 + frac;
	if (t < TS_MIN || t > TS_MAX)
		return -1;
	*ms = t;
	return 0;
}

size_t
ts_format_rfc3339(char *out, int64_t ms)
{
	int64_t days, secs, y;
	unsigned m, d;
	int msec;

	msec = (int)(ms % 1000);
	secs = ms / 1000;
	if (msec < 0) {
		msec += 1000;
		secs--;
	}
	days = secs / 86400;
	secs %= 86400;
	if (secs < 0) {
		secs += 86400;
		days--;
	}
	civil_from_days(days, &y, &m, &d);
	if (msec)
		return (size_t)snprintf(out, TS_BUFSZ,
		    "%04lld-%02u-%02uT%02d:%02d:%02d.%03dZ", (long long)y, m, d,
		    (int)(secs / 3600), (int)(secs / 60 % 60), (int)(secs % 60),
		    msec);
	return (size_t)snprintf(out, TS_BUFSZ, "%04lld-%02u-%02uT%02d:%02d:%02dZ",
	    (long long)y, m, d, (int)(secs / 3600), (int)(secs / 60 % 60),
	    (int)(secs % 60));
}

size_t
ts_format_local(char *out, int64_t ms)
{
	int64_t secs = ms / 1000 - (ms % 1000 < 0);
	time_t t = (time_t)secs;
	struct tm tm;
	long off;
	size_t n;

	if (localtime_r(&t, &tm) == NULL || tm.tm_gmtoff == 0)
		return ts_format_rfc3339(out, ms);
	/* The wall clock there is UTC moved by the offset; then the offset. */
	off = tm.tm_gmtoff;
	n = ts_format_rfc3339(out, ms + (int64_t)off * 1000) - 1;
	n += (size_t)snprintf(out + n, TS_BUFSZ - n, "%c%02ld:%02ld",
	    off < 0 ? '-' : '+', labs(off) / 3600, labs(off) / 60 % 60);
	return n;
}

int
ts_parse_duration(const char *s, int64_t *ms)
{
	static const struct {
		const char *unit;
		int64_t ms;
	} units[] = {
		{ "y", 365LL * 86400000 }, { "w", 7LL * 86400000 },
		{ "d", 86400000 }, { "h", 3600000 }, { "ms", 1 },
		{ "m", 60000 }, { "s", 1000 },
	};
	/* Order of magnitude of each unit, so "1m1h" is refused. */
	static const int rank[] = { 7, 6, 5, 4, 1, 3, 2 };
	const char *p = s;
	int64_t total = 0;
	int last = 8;
	char *end;

	if (*s == '\0')
		return -1;
	/*
	 * A plain number of seconds, as Prometheus' HTTP API also accepts:
	 * digits with a decimal fraction, no sign, exponent or hex.
	 */
	if (s[0] >= '0' && s[0] <= '9' && s[strspn(s, "0123456789.")] == '\0') {
		double secs = strtod(s, &end);
		if (*end == '\0') {
			if (!isfinite(secs) || secs * 1000 > 9.2e18)
				return -1;
			*ms = (int64_t)llround(secs * 1000);
			return 0;
		}
	}
	while (*p) {
		int64_t n = 0;
		size_t i;
		if (*p < '0' || *p > '9')
			return -1;
		for (; *p >= '0' && *p <= '9'; p++) {
			if (n > (INT64_MAX - 9) / 10)
				return -1;
			n = n * 10 + (*p - '0');
		}
		for (i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
			size_t ul = strlen(units[i].unit);
			/* "ms" is listed before "m", so it wins. */
			if (strncmp(p, units[i].unit, ul) == 0)
				break;
		}
		if (i == sizeof(units) / sizeof(units[0]) || rank[i] >= last)
			return -1;
		last = rank[i];
		p += strlen(units[i].unit);
		if (n > (INT64_MAX - total) / units[i].ms)
			return -1;
		total += n * units[i].ms;
	}
	*ms = total;
	return 0;
}

size_t
ts_lower_bound(const int64_t *ts, size_t n, int64_t t)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (ts[mid] < t)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

int
ts_cmp(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}
