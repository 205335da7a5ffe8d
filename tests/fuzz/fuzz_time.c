/* fuzz_time.c - the time and duration parsers */
/* SPDX-License-Identifier: MIT */
#include <string.h>

#include "fuzz.h"
#include "base/timeparse.h"
#include "base/timestamp.h"

/* "now" for timeparse_time(): an ordinary one and the two extremes. */
static const int64_t nows[] = { 1700000000000LL, TS_MIN, TS_MAX, 0 };

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct errbuf eb = ERRBUF_INIT;
	char *s = malloc(size + 1), out[TS_BUFSZ];
	int64_t ms, again;
	size_t i, n;

	fuzz_assert(s != NULL);
	memcpy(s, data, size);
	s[size] = '\0';

	/*
	 * RFC 3339, from the exact bytes (the stream's "ts" strings may hold
	 * NUL): in range, and what ts_format_rfc3339() writes of it parses
	 * back to it.
	 */
	if (ts_parse_rfc3339((const char *)data, size, &ms) == 0) {
		fuzz_assert(ms >= TS_MIN && ms <= TS_MAX);
		n = ts_format_rfc3339(out, ms);
		fuzz_assert(n > 0 && n < TS_BUFSZ && strlen(out) == n);
		fuzz_assert(ts_parse_rfc3339(out, n, &again) == 0);
		fuzz_assert(again == ms);
	}
	if (ts_parse_duration(s, &ms) == 0)
		fuzz_assert(ms >= 0);
	if (timeparse_duration(s, &ms, &eb) == 0)
		fuzz_assert(ms >= 0);
	else
		fuzz_assert(eb.msg[0] != '\0');
	if (timeparse_step(s, &ms, &eb) == 0)
		fuzz_assert(ms >= 1);
	for (i = 0; i < sizeof(nows) / sizeof(nows[0]); i++) {
		if (timeparse_time(s, nows[i], &ms, &eb) == 0)
			fuzz_assert(ms >= TS_MIN && ms <= TS_MAX);
		else
			fuzz_assert(eb.msg[0] != '\0');
	}
	free(s);
	return 0;
}
