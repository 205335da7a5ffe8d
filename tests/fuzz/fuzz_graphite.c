/* fuzz_graphite.c - Graphite's plaintext protocol, line by line */
/* SPDX-License-Identifier: MIT */
#include <math.h>
#include <string.h>

#include "fuzz.h"
#include "stream/graphite.h"
#include "stream/jsonl.h"

/*
 * Every sample a line gives is a valid stream sample (written and read
 * back: the same name, value and labels); a message is one line of
 * plain text.
 */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct graphite_parser *p = graphite_parser_new();
	struct jsonl_parser *jp = jsonl_parser_new(0);
	struct errbuf eb = ERRBUF_INIT;
	struct buf b = BUF_INIT;
	size_t off = 0;

	while (off < size) {
		const uint8_t *nl = memchr(data + off, '\n', size - off);
		size_t len = nl ? (size_t)(nl - (data + off)) : size - off;
		char *line = malloc(len ? len : 1);
		struct sample s, back;
		int k;
		fuzz_assert(line != NULL);
		memcpy(line, data + off, len);
		k = graphite_parse(p, line, len, &s, &eb);
		if (k == -1) {
			const unsigned char *m;
			for (m = (const unsigned char *)eb.msg; *m; m++)
				fuzz_assert(*m >= 0x20 && *m != 0x7f);
		} else if (k == 1) {
			if (!s.has_ts) {
				s.has_ts = 1;
				s.ts = 0;
			}
			buf_reset(&b);
			jsonl_format(&b, &s);
			if (jsonl_parse(jp, b.p, b.len - 1, &back, &eb) == -1) {
				fprintf(stderr, "%.*s: %s\n", (int)b.len, b.p, eb.msg);
				fuzz_assert(!"a sample read back");
			}
			fuzz_assert(back.name_len == s.name_len &&
			    memcmp(back.name, s.name, s.name_len) == 0);
			fuzz_assert((isnan(back.value) && isnan(s.value)) ||
			    back.value == s.value);
			fuzz_assert(back.nlabels == s.nlabels && back.ts == s.ts);
		}
		free(line);
		off += len + 1;
	}
	buf_release(&b);
	jsonl_parser_free(jp);
	graphite_parser_free(p);
	return 0;
}
