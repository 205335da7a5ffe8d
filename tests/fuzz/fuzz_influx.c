/* fuzz_influx.c - InfluxDB's line protocol, line by line */
/* SPDX-License-Identifier: MIT */
#include <string.h>

#include "fuzz.h"
#include "stream/influx.h"

/*
 * Every sample a line gives reads back, no more of them than the line
 * said; a message is one line of plain text.  The first byte of the
 * input picks the precision.
 */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct influx_parser *p = influx_parser_new();
	struct errbuf eb = ERRBUF_INIT;
	size_t off = 0, len;
	char *line;

	if (size && data[0] % 3 == 0)
		influx_set_precision(p, "s");
	while ((line = fuzz_line(data, size, &off, &len)) != NULL) {
		struct sample s;
		int k, n = 0;
		if ((k = influx_parse(p, line, len, &s, &eb)) == -1)
			fuzz_check_message(eb.msg);
		while (k >= 1) {
			fuzz_assert(++n <= k);
			fuzz_check_sample(&s);
			if (!influx_next(p, &s))
				break;
		}
		free(line);
	}
	influx_parser_free(p);
	return 0;
}
