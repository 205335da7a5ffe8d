/* t_timeparse.c - times, durations and steps from the command line */
/* SPDX-License-Identifier: MIT */
#include <string.h>

#include "tap.h"
#include "base/timeparse.h"
#include "base/timestamp.h"

#define NOW 1795341600000LL	/* 2026-11-22T10:00:00Z */

int
main(void)
{
	static const struct {
		const char *in;
		int rc;
		long long ms;
	} times[] = {
		{ "now", 0, NOW },
		{ "now-1h", 0, NOW - 3600000 },
		{ "now+30m", 0, NOW + 1800000 },
		{ "now-1h30m", 0, NOW - 5400000 },
		{ "now-90", 0, NOW - 90000 },
		{ "now-0.5", 0, NOW - 500 },
		{ "-1h", 0, NOW - 3600000 },
		{ "+30m", 0, NOW + 1800000 },
		{ "-500ms", 0, NOW - 500 },
		{ "-1y", 0, NOW - 31536000000LL },
		{ "1732233600", 0, 1732233600000LL },
		{ "1732233600.5", 0, 1732233600500LL },
		{ "1732233600.123", 0, 1732233600123LL },
		{ "1732233600.1234", 0, 1732233600123LL },
		{ "1732233600.1235", 0, 1732233600124LL },
		{ "1732233600.9999", 0, 1732233601000LL },
		{ "1732233600.", 0, 1732233600000LL },
		{ "0", 0, 0 },
		{ "-1.5", 0, -1500 },
		{ "-15", 0, -15000 },
		{ "2026-11-22T10:00:00Z", 0, NOW },
		{ "2026-11-22T10:00:00.250Z", 0, NOW + 250 },
		{ "2026-11-22T11:00:00+01:00", 0, NOW },
		{ "253402300799", 0, 253402300799000LL },
		{ "253402300800", -1, 0 },	/* year 10000 */
		{ "-62135596800", 0, TS_MIN },
		{ "-62135596801", -1, 0 },
		{ "99999999999999999999999", -1, 0 },
		{ "", -1, 0 },
		{ "now-", -1, 0 },
		{ "now-1x", -1, 0 },
		{ "now 1h", -1, 0 },
		{ "nowish", -1, 0 },
		{ "yesterday", -1, 0 },
		{ "1h", 0, NOW - 3600000 },
		{ "7d", 0, NOW - 7 * 86400000LL },
		{ "1h30m", 0, NOW - 5400000 },
		{ "15", 0, 15000 },
		{ "now15m", -1, 0 },
		{ "7x", -1, 0 },
		{ "1d-", -1, 0 },
		{ "--1h", -1, 0 },
		{ "1e9", -1, 0 },
		{ "12:00", -1, 0 },
		{ "2026-11-22", -1, 0 },
		{ "now-1s1m", -1, 0 },
		{ "now-10000y", -1, 0 },
	};
	static const struct {
		const char *in;
		int rc;
		long long ms;
	} steps[] = {
		{ "15s", 0, 15000 }, { "1m30s", 0, 90000 }, { "15", 0, 15000 },
		{ "0.5", 0, 500 }, { "1ms", 0, 1 }, { "1h", 0, 3600000 },
		{ "0", -1, 0 }, { "0s", -1, 0 }, { "-1", -1, 0 }, { "", -1, 0 },
		{ "abc", -1, 0 }, { "15x", -1, 0 }, { "0.0001", -1, 0 },
	};
	struct errbuf eb = ERRBUF_INIT;
	int64_t ms;
	size_t i;

	for (i = 0; i < sizeof(times) / sizeof(times[0]); i++) {
		int rc;
		ms = 0;
		rc = timeparse_time(times[i].in, NOW, &ms, &eb);
		ok(rc == times[i].rc && (rc == -1 || ms == times[i].ms),
		    "time '%s' -> %d %lld", times[i].in, rc, (long long)ms);
	}
	for (i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		int rc;
		ms = 0;
		rc = timeparse_step(steps[i].in, &ms, &eb);
		ok(rc == steps[i].rc && (rc == -1 || ms == steps[i].ms),
		    "step '%s' -> %d %lld", steps[i].in, rc, (long long)ms);
	}
	/* Absolute times: what timeparse_time() reads without 'now'. */
	for (i = 0; i < sizeof(times) / sizeof(times[0]); i++) {
		const char *in = times[i].in;
		int rel = strncmp(in, "now", 3) == 0 || *in == '+' ||
		    strpbrk(in, "smhdwy") != NULL;
		int want = rel ? -1 : times[i].rc, rc;
		ms = 0;
		rc = timeparse_absolute(in, &ms);
		ok(rc == want && (rc == -1 || ms == times[i].ms),
		    "absolute time '%s' -> %d %lld", in, rc, (long long)ms);
	}
	timeparse_time("yesterday", NOW, &ms, &eb);
	is_str(eb.msg, "invalid time 'yesterday': expected RFC 3339, Unix "
	    "seconds, 'now', or a relative time like 'now-1h', '-1h' or '1h' "
	    "(an hour ago)", "time message");
	ok(timeparse_duration("7d", &ms, &eb) == 0 && ms == 7 * 86400000LL,
	    "duration 7d");
	ok(timeparse_duration("0", &ms, &eb) == 0 && ms == 0, "duration 0");
	ok(timeparse_duration("-7d", &ms, &eb) == -1, "duration -7d");
	is_str(eb.msg, "invalid duration '-7d': expected one like '15s' or "
	    "'1h30m', or a number of seconds", "duration message");
	timeparse_step("0s", &ms, &eb);
	is_str(eb.msg, "invalid step '0s': zero or negative query resolution "
	    "step widths are not accepted", "zero step message");
	timeparse_step("x", &ms, &eb);
	is_str(eb.msg, "invalid step 'x': expected a duration like '15s' or a "
	    "number of seconds", "bad step message");
	return done_testing();
}
