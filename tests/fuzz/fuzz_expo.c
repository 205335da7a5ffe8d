/* fuzz_expo.c - the Prometheus text format and OpenMetrics, line by line */
/* SPDX-License-Identifier: MIT */
#include <math.h>
#include <string.h>

#include "fuzz.h"
#include "stream/expo.h"

/*
 * The first byte chooses the format (even: Prometheus' text, odd:
 * OpenMetrics); the rest is a document, parsed line by line.  A sample
 * the parser gives is a valid stream sample: written as a stream line
 * and read back, it is the same sample.  A message is one line of plain
 * text.
 */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct expo_parser *p;
	struct errbuf eb = ERRBUF_INIT;
	struct sample s;
	size_t off = 1, len;
	const uint8_t *nl;

	if (size == 0)
		return 0;
	p = expo_parser_new(data[0] % 2 ? EXPO_OPENMETRICS : EXPO_PROMETHEUS);
	while (off <= size) {
		char *line;
		int k;
		nl = memchr(data + off, '\n', size - off);
		len = nl ? (size_t)(nl - (data + off)) : size - off;
		line = malloc(len ? len : 1);
		fuzz_assert(line != NULL);
		memcpy(line, data + off, len);
		k = expo_parse(p, line, len, &s, &eb);
		fuzz_assert(k >= -1 && k <= 1);
		if (k == 1) {
			fuzz_assert(s.name_len > 0 && s.nlabels <= METRIC_LABELS_MAX);
			fuzz_check_sample(&s);
		} else if (k == -1) {
			fuzz_check_message(eb.msg);
		}
		free(line);
		if (nl == NULL)
			break;
		off += len + 1;
	}
	if (expo_end(p, &eb) == -1)
		fuzz_check_message(eb.msg);
	expo_parser_free(p);
	return 0;
}
