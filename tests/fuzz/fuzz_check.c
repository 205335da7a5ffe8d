/* fuzz_check.c - Monitoring Plugins ranges, and the line a check prints */
/* SPDX-License-Identifier: MIT */
#include <math.h>
#include <string.h>

#include "fuzz.h"
#include "alert/check.h"

/*
 * The input is a threshold range and, after a NUL, a label.  A range
 * that parses is ordered and alerts as the guidelines say; the line
 * written with the label (any bytes) is one line, with one '|' before
 * the performance data.
 */
static const double probes[] = { -INFINITY, -1e300, -10, -1, -0.5, 0, 0.5,
	1, 9.99, 10, 10.01, 20, 1e300, INFINITY };

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct errbuf eb = ERRBUF_INIT;
	struct check_range r, none;
	struct check_item item;
	char *s = malloc(size + 1), *out = NULL, *bar;
	const char *label;
	size_t i, len = 0;
	FILE *fp;

	fuzz_assert(s != NULL);
	memcpy(s, data, size);
	s[size] = '\0';
	label = s + strlen(s) + (strlen(s) < size);
	memset(&none, 0, sizeof(none));
	if (check_range_parse(s, &r, &eb) == 0) {
		fuzz_assert(r.set && !isnan(r.lo) && !isnan(r.hi) && r.lo <= r.hi);
		fuzz_assert(strcmp(r.text, s) == 0);
		for (i = 0; i < sizeof(probes) / sizeof(probes[0]); i++) {
			double v = probes[i];
			int in = v >= r.lo && v <= r.hi;
			fuzz_assert(check_range_alerts(&r, v) == (r.inside ? in : !in));
		}
		fuzz_assert(check_value_state(&none, &r, NAN) == CHECK_UNKNOWN);
	} else {
		fuzz_assert(eb.msg[0] != '\0' && !r.set);
	}
	item.label = label;
	item.value = 1;
	item.state = check_value_state(&r, &r, 1);
	fp = open_memstream(&out, &len);
	fuzz_assert(fp != NULL);
	fuzz_assert(check_write(fp, label, item.state, &item, 1, &r, &none,
	    NULL, &eb) == 0);
	fclose(fp);
	fuzz_assert(len > 0 && out[len - 1] == '\n');
	fuzz_assert(memchr(out, '\n', len - 1) == NULL);
	fuzz_assert(memchr(out, '\r', len) == NULL);
	fuzz_assert((bar = strchr(out, '|')) != NULL && bar[1] == ' ');
	free(out);
	free(s);
	return 0;
}
