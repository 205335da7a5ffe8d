/* fuzz_influx.c - InfluxDB's line protocol, line by line */
/* SPDX-License-Identifier: MIT */
#include <math.h>
#include <string.h>

#include "fuzz.h"
#include "stream/influx.h"
#include "stream/jsonl.h"

/*
 * The input is lines of the protocol.  Every sample a line gives is a
 * valid stream sample (written and read back, the same name, value and
 * labels), no more of them than the line said, and a message is one
 * line of plain text.
 */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct influx_parser *p = influx_parser_new();
	struct jsonl_parser *jp = jsonl_parser_new(0);
	struct errbuf eb = ERRBUF_INIT;
	struct buf b = BUF_INIT;
	size_t off = 0;

	if (size && data[0] % 3 == 0)
		influx_set_precision(p, "s");
	while (off < size) {
		const uint8_t *nl = memchr(data + off, '\n', size - off);
		size_t len = nl ? (size_t)(nl - (data + off)) : size - off;
		char *line = malloc(len ? len : 1);
		struct sample s, back;
		int k, n = 0;
		fuzz_assert(line != NULL);
		memcpy(line, data + off, len);
		k = influx_parse(p, line, len, &s, &eb);
		if (k == -1) {
			const unsigned char *m;
			for (m = (const unsigned char *)eb.msg; *m; m++)
				fuzz_assert(*m >= 0x20 && *m != 0x7f);
		}
		while (k >= 1) {
			fuzz_assert(++n <= k);
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
			fuzz_assert(back.value == s.value);
			fuzz_assert(back.nlabels == s.nlabels);
			if (!influx_next(p, &s))
				break;
		}
		free(line);
		off += len + 1;
	}
	buf_release(&b);
	jsonl_parser_free(jp);
	influx_parser_free(p);
	return 0;
}
