/* timeparse.h - query times and steps as the command line writes them */
/* SPDX-License-Identifier: MIT */
#ifndef MTK_TIMEPARSE_H
#define MTK_TIMEPARSE_H

#include <stdint.h>

#include "base/errbuf.h"

/*
 * Parse a query time 's' into milliseconds since the epoch in '*ms'.
 * Accepted, as Prometheus' HTTP API accepts the first two:
 *
 *	2026-11-22T10:00:00Z	RFC 3339 (see ts_parse_rfc3339())
 *	1732233600, 1732233600.5, -1.5
 *				Unix seconds, rounded to the millisecond
 *	now			'now_ms'
 *	now-1h, now+30m, now-90	'now_ms' plus or minus a duration (a
 *				Prometheus duration, or plain seconds)
 *	-1h, +30m		the same without "now"; here the duration
 *				needs its unit, since "-15" is Unix seconds
 *
 * The result must lie in years 0001 to 9999 (TS_MIN..TS_MAX).  Returns 0,
 * or -1 with "invalid time 'x': ..." in 'eb'.
 */
int timeparse_query(const char *s, int64_t now_ms, int64_t *ms,
    struct errbuf *eb);

/*
 * Parse a query resolution step: a Prometheus duration ("15s", "1m30s")
 * or a number of seconds ("15", "0.5"), into milliseconds in '*ms'.  It
 * must be at least 1ms.  Returns 0, or -1 with the reason in 'eb'.
 */
int timeparse_step(const char *s, int64_t *ms, struct errbuf *eb);

#endif
