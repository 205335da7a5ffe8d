/* t_timestamp.c - RFC 3339 and duration parsing and formatting */
/* SPDX-License-Identifier: MIT */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tap.h"
#include "base/timestamp.h"

int
main(void)
{
	static const struct {
		const char *in;
		int rc;
		long long ms;
	} rfc[] = {
		{ "1970-01-01T00:00:00Z", 0, 0 },
		{ "2026-11-22T10:00:00.5Z", 0, 1795341600500LL },
		{ "2026-11-22t10:00:00.123456z", 0, 1795341600123LL },
		{ "2026-11-22 11:30:00+01:30", 0, 1795341600000LL },
		{ "2026-11-22T05:00:00-05:00", 0, 1795341600000LL },
		{ "1969-12-31T23:59:59.999Z", 0, -1 },
		{ "2024-02-29T00:00:00Z", 0, 1709164800000LL },
		{ "0001-01-01T00:00:00Z", 0, TS_MIN },
		{ "9999-12-31T23:59:59.999Z", 0, TS_MAX },
		{ "2023-02-29T00:00:00Z", -1, 0 },
		{ "2026-13-01T00:00:00Z", -1, 0 },
		{ "2026-11-22T24:00:00Z", -1, 0 },
		{ "2026-11-22T10:00:00", -1, 0 },
		{ "2026-11-22T10:00Z", -1, 0 },
		{ "2026-11-22T10:00:00.Z", -1, 0 },
		{ "2026-11-22T10:00:00+1:00", -1, 0 },
		{ "2026-11-22T10:00:00Zjunk", -1, 0 },
		{ "0000-01-01T00:00:00Z", -1, 0 },
		{ "", -1, 0 },
	};
	static const struct {
		const char *in;
		int rc;
		long long ms;
	} dur[] = {
		{ "15s", 0, 15000 }, { "1h30m", 0, 5400000 }, { "500ms", 0, 500 },
		{ "1d", 0, 86400000 }, { "2w", 0, 1209600000 },
		{ "1y", 0, 31536000000LL }, { "1m1s1ms", 0, 61001 },
		{ "15", 0, 15000 }, { "0.5", 0, 500 }, { "0", 0, 0 },
		{ "1s1m", -1, 0 }, { "1m1m", -1, 0 }, { "s", -1, 0 },
		{ "1x", -1, 0 }, { "", -1, 0 }, { "-1s", -1, 0 }, { "1.5s", -1, 0 },
		{ "99999999999999999999s", -1, 0 },
		{ "1e3", -1, 0 }, { "0x10", -1, 0 }, { "1.5.2", -1, 0 },
		{ ".5", -1, 0 }, { "inf", -1, 0 }, { "15.", 0, 15000 },
	};
	char out[TS_BUFSZ];
	size_t i;

	for (i = 0; i < sizeof(rfc) / sizeof(rfc[0]); i++) {
		int64_t ms = 0;
		int rc = ts_parse_rfc3339(rfc[i].in, strlen(rfc[i].in), &ms);
		ok(rc == rfc[i].rc && (rc == -1 || ms == rfc[i].ms),
		    "rfc3339 '%s' -> %d %lld", rfc[i].in, rc, (long long)ms);
	}
	for (i = 0; i < sizeof(dur) / sizeof(dur[0]); i++) {
		int64_t ms = 0;
		int rc = ts_parse_duration(dur[i].in, &ms);
		ok(rc == dur[i].rc && (rc == -1 || ms == dur[i].ms),
		    "duration '%s' -> %d %lld", dur[i].in, rc, (long long)ms);
	}
	ts_format_rfc3339(out, 1795341600500LL);
	is_str(out, "2026-11-22T10:00:00.500Z", "format with milliseconds");
	ts_format_rfc3339(out, -1);
	is_str(out, "1969-12-31T23:59:59.999Z", "format before the epoch");
	ts_format_rfc3339(out, TS_MIN);
	is_str(out, "0001-01-01T00:00:00Z", "format year 1");

	/* Local time: the zone of TZ, its offset, "Z" for none. */
	setenv("TZ", "XXX-1:30", 1);
	tzset();
	ts_format_local(out, 1795341600500LL);
	is_str(out, "2026-11-22T11:30:00.500+01:30", "local, east");
	setenv("TZ", "XXX5", 1);
	tzset();
	ts_format_local(out, 1795341600000LL);
	is_str(out, "2026-11-22T05:00:00-05:00", "local, west");
	ts_format_local(out, -1);
	is_str(out, "1969-12-31T18:59:59.999-05:00", "local, before the epoch");
	setenv("TZ", "UTC0", 1);
	tzset();
	ts_format_local(out, 1795341600000LL);
	is_str(out, "2026-11-22T10:00:00Z", "local, UTC");

	/* Every day from year 1 to 9999 formats and parses back. */
	{
		int bad = 0;
		for (int64_t t = TS_MIN; t <= TS_MAX; t += 86400000LL + 1234) {
			int64_t back;
			size_t n = ts_format_rfc3339(out, t);
			if (ts_parse_rfc3339(out, n, &back) == -1 || back != t)
				bad++;
		}
		is_int(bad, 0, "format and parse agree for every day of 1..9999");
	}
	ok(ts_now() > 1700000000000LL, "ts_now() is a current time");
	return done_testing();
}
