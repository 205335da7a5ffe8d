/* timestamp.h - millisecond timestamps and durations: parse, format, now */
/* SPDX-License-Identifier: MIT */
#ifndef MTK_TIMESTAMP_H
#define MTK_TIMESTAMP_H

#include <stddef.h>
#include <stdint.h>

/*
 * The range of timestamps the stream accepts: years 0001 to 9999, in
 * milliseconds since the Unix epoch (what RFC 3339 can write).
 */
#define TS_MIN (-62135596800000LL)	/* 0001-01-01T00:00:00Z */
#define TS_MAX (253402300799999LL)	/* 9999-12-31T23:59:59.999Z */

/* Enough for time_format_rfc3339() output plus NUL. */
#define TS_BUFSZ 32

/* The current wall-clock time in milliseconds since the epoch. */
int64_t ts_now(void);

/*
 * Parse an RFC 3339 date-time of 'len' bytes ("2026-11-22T10:00:00.5Z",
 * "2026-11-22t10:00:00+01:00"; 'T', 't' or a space between date and time;
 * any number of fraction digits, truncated to milliseconds).  Returns 0
 * and stores milliseconds since the epoch in '*ms', or -1 when 's' is not
 * such a date-time or names an impossible date.
 */
int ts_parse_rfc3339(const char *s, size_t len, int64_t *ms);

/*
 * Write 'ms' as RFC 3339 in UTC into 'out' (TS_BUFSZ bytes):
 * "2026-11-22T10:00:00Z", or with ".500" milliseconds when not whole
 * seconds.  Returns the length.
 */
size_t ts_format_rfc3339(char *out, int64_t ms);

/*
 * The same in the local time zone of the process (TZ, tzset(3)), with
 * its offset: "2026-11-22T11:00:00+01:00", or "Z" where the offset is
 * zero.  Returns the length.
 */
size_t ts_format_local(char *out, int64_t ms);

/*
 * Parse a duration: a Prometheus duration ("15s", "1h30m", "500ms"; units
 * ms s m h d w y, largest first, each at most once) or a plain decimal
 * number of seconds ("15", "0.5"; no sign or exponent).  The grammar of
 * every program's durations: see timeparse.h.  Returns 0 and stores milliseconds in
 * '*ms', or -1 for anything else (including overflow).
 */
int ts_parse_duration(const char *s, int64_t *ms);

/*
 * The index of the first of the 'n' increasing timestamps 'ts' that is
 * at or after 't' ('n' when none is).
 */
size_t ts_lower_bound(const int64_t *ts, size_t n, int64_t t);

/* qsort(3) order of int64_t times: -1, 0 or 1. */
int ts_cmp(const void *a, const void *b);

#endif
