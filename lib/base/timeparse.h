/* timeparse.h - times and durations as every program's command line writes them */
/* SPDX-License-Identifier: MIT */
#ifndef MTK_TIMEPARSE_H
#define MTK_TIMEPARSE_H

#include <stdint.h>

#include "base/errbuf.h"

/*
 * One grammar for every program, documented in mtk(7) under "Times and
 * durations".
 *
 * A duration is a Prometheus duration: whole numbers each followed by a
 * unit, largest unit first, each unit at most once ("15s", "1h30m",
 * "500ms"; units ms, s, m, h, d, w = 7d, y = 365d), or a number of
 * seconds ("15", "0.5", rounded to the millisecond).
 *
 * A time is one of:
 *
 *	2026-11-22T10:00:00Z	RFC 3339 (see ts_parse_rfc3339())
 *	1732233600, 1732233600.5, -1.5
 *				Unix seconds, rounded to the millisecond
 *	now			'now_ms'
 *	now-1h, now+30m, now-90	'now_ms' plus or minus a duration
 *	-1h, +30m		the same without "now"; here the duration
 *				needs its unit, since "-15" is Unix seconds
 *	1h, 7d			that long before 'now_ms', as "-7d"; with
 *				its unit too, since "15" is Unix seconds
 *
 * The first two are what Prometheus' HTTP API accepts.  A time must lie
 * in years 0001 to 9999 (TS_MIN..TS_MAX).
 */

/*
 * Parse the time 's' into milliseconds since the epoch in '*ms'.
 * Returns 0, or -1 with "invalid time 'x': ..." in 'eb'.
 */
int timeparse_time(const char *s, int64_t now_ms, int64_t *ms,
    struct errbuf *eb);

/*
 * Parse the absolute time 's', RFC 3339 or Unix seconds (the first two
 * forms above: what a data file holds, where "now" means nothing), into
 * milliseconds since the epoch in '*ms'.  Returns 0, or -1.
 */
int timeparse_absolute(const char *s, int64_t *ms);

/*
 * Parse the duration 's' into milliseconds (zero or more) in '*ms'.
 * Returns 0, or -1 with "invalid duration 'x': ..." in 'eb'.
 */
int timeparse_duration(const char *s, int64_t *ms, struct errbuf *eb);

/*
 * Parse a query resolution step: a duration of at least 1ms, into
 * milliseconds in '*ms'.  Returns 0, or -1 with the reason in 'eb'.
 */
int timeparse_step(const char *s, int64_t *ms, struct errbuf *eb);

#endif
