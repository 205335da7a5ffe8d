/* timeparse.c - times and durations as every command line writes them */
/* SPDX-License-Identifier: MIT */
#include <string.h>

#include "base/timeparse.h"
#include "base/timestamp.h"

/*
 * [-]digits[.digits] as milliseconds, rounded half away from zero like
 * Prometheus' math.Round of the fraction.  Exact: no float in between.
 * Returns 0, or -1 for other text or a value outside TS_MIN..TS_MAX.
 */
static int
unix_seconds(const char *s, int64_t *ms)
{
	const int64_t limit = TS_MAX / 1000 + 1;
	int neg = *s == '-', frac = 0, i;
	int64_t secs = 0, v;

	s += neg;
	if (*s < '0' || *s > '9')
		return -1;
	for (; *s >= '0' && *s <= '9'; s++)
		if ((secs = secs * 10 + (*s - '0')) > limit)
			return -1;
	if (*s == '.') {
		for (s++, i = 0; *s >= '0' && *s <= '9'; s++, i++) {
			if (i < 3)
				frac = frac * 10 + (*s - '0');
			else if (i == 3 && *s >= '5')
				frac++;
		}
		for (; i < 3; i++)
			frac *= 10;
	}
	if (*s != '\0')
		return -1;
	v = secs * 1000 + frac;
	*ms = neg ? -v : v;
	return *ms < TS_MIN || *ms > TS_MAX ? -1 : 0;
}

/* "now", "now±dur", "±dur" and "dur" (the last two with a unit). */
static int
relative(const char *s, int64_t now_ms, int64_t *ms)
{
	int now = strncmp(s, "now", 3) == 0, sign = -1;
	int64_t d;

	if (now && s[3] == '\0') {
		*ms = now_ms;
		return 0;
	}
	s += now ? 3 : 0;
	if (*s == '+' || *s == '-')
		sign = *s++ == '-' ? -1 : 1;
	else if (now)
		return -1;	/* "now15m" */
	/* Without "now", "-15" and "15" are Unix seconds, not durations. */
	if (!now && strpbrk(s, "smhdwy") == NULL)
		return -1;
	if (ts_parse_duration(s, &d) == -1 || d > TS_MAX - TS_MIN)
		return -1;
	*ms = now_ms + sign * d;
	return *ms < TS_MIN || *ms > TS_MAX ? -1 : 0;
}

int
timeparse_time(const char *s, int64_t now_ms, int64_t *ms, struct errbuf *eb)
{
	if (relative(s, now_ms, ms) == 0 || unix_seconds(s, ms) == 0 ||
	    ts_parse_rfc3339(s, strlen(s), ms) == 0)
		return 0;
	return errbuf_set(eb, "invalid time '%s': expected RFC 3339, Unix "
	    "seconds, 'now', or a relative time like 'now-1h', '-1h' or '1h' "
	    "(an hour ago)", s);
}

int
timeparse_absolute(const char *s, int64_t *ms)
{
	return unix_seconds(s, ms) == 0 ||
	    ts_parse_rfc3339(s, strlen(s), ms) == 0 ? 0 : -1;
}

int
timeparse_duration(const char *s, int64_t *ms, struct errbuf *eb)
{
	if (ts_parse_duration(s, ms) == -1)
		return errbuf_set(eb, "invalid duration '%s': expected one "
		    "like '15s' or '1h30m', or a number of seconds", s);
	return 0;
}

int
timeparse_step(const char *s, int64_t *ms, struct errbuf *eb)
{
	if (ts_parse_duration(s, ms) == -1)
		return errbuf_set(eb, "invalid step '%s': expected a duration "
		    "like '15s' or a number of seconds", s);
	if (*ms <= 0)
		return errbuf_set(eb, "invalid step '%s': zero or negative "
		    "query resolution step widths are not accepted", s);
	return 0;
}
