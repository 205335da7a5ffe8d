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
	size_t off = 0;

	while (off < size) {
		const uint8_t *nl = memchr(data + off, '\n', size - off);
		size_t len = nl ? (size_t)(nl - (data + off)) : size - off;
		char *line = malloc(len ? len : 1);
		struct sample s;
		int k;
		fuzz_assert(line != NULL);
		memcpy(line, data + off, len);
		k = graphite_parse(p, line, len, &s, &eb);
		if (k == -1)
			fuzz_check_message(eb.msg);
		else if (k == 1)
			fuzz_check_sample(&s);
		free(line);
		off += len + 1;
	}
	graphite_parser_free(p);
	return 0;
}
