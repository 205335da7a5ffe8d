/* fuzz_graphite.c - Graphite's plaintext protocol, line by line */
/* SPDX-License-Identifier: MIT */
#include <string.h>

#include "fuzz.h"
#include "stream/graphite.h"

/* Every sample a line gives reads back; a message is one line of text. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct graphite_parser *p = graphite_parser_new();
	struct errbuf eb = ERRBUF_INIT;
	size_t off = 0, len;
	char *line;

	while ((line = fuzz_line(data, size, &off, &len)) != NULL) {
		struct sample s;
		int k;
		k = graphite_parse(p, line, len, &s, &eb);
		if (k == -1)
			fuzz_check_message(eb.msg);
		else if (k == 1)
			fuzz_check_sample(&s);
		free(line);
	}
	graphite_parser_free(p);
	return 0;
}
