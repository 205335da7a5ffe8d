/* fuzz_stream_diff.c - the stream's two parsers must agree on every line */
/* SPDX-License-Identifier: MIT */
#include <string.h>

#include "fuzz.h"
#include "stream/jsonl.h"
#include "stream/series.h"

/*
 * jsonl.h promises that the fast path and jansson give the same sample
 * for every line, and the same message for every line refused (the fast
 * path hands what it does not take to jansson).  Each line of the input
 * goes to a parser with the fast path (twice: the second time perhaps as
 * a known line) and to one without it, as tests/unit/t_jsonl.c does with
 * generated lines.
 */
static void
compare(struct jsonl_parser *f, struct jsonl_parser *j, const char *line,
    size_t len)
{
	struct errbuf ef = ERRBUF_INIT, ej = ERRBUF_INIT;
	struct buf a = BUF_INIT, b = BUF_INIT;
	struct sample sf, sj;
	int rf, rj;

	rf = jsonl_parse(f, line, len, &sf, &ef);
	rj = jsonl_parse(j, line, len, &sj, &ej);
	fuzz_assert(rf == rj);
	if (rf == -1) {
		fuzz_assert(strcmp(ef.msg, ej.msg) == 0);
		return;
	}
	jsonl_format(&a, &sf);
	jsonl_format(&b, &sj);
	fuzz_assert(strcmp(a.p, b.p) == 0);
	fuzz_assert(sf.has_ts == sj.has_ts && (!sf.has_ts || sf.ts == sj.ts));
	fuzz_assert(memcmp(&sf.value, &sj.value, sizeof(double)) == 0);
	fuzz_assert((sf.unit == NULL) == (sj.unit == NULL));
	fuzz_assert((sf.help == NULL) == (sj.help == NULL));
	if (sf.key != NULL) {
		buf_reset(&a);
		series_key(&a, &sf);
		fuzz_assert(a.len == sf.key_len &&
		    memcmp(a.p, sf.key, a.len) == 0);
		fuzz_assert(sf.key_hash == 0 ||
		    sf.key_hash == series_hash(sf.key, sf.key_len));
	}
	buf_release(&a);
	buf_release(&b);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct jsonl_parser *f = jsonl_parser_new(0);
	struct jsonl_parser *j = jsonl_parser_new(JSONL_SLOW_ONLY);
	const uint8_t *nl;
	size_t off = 0, len;
	char *line;

	for (;;) {
		nl = memchr(data + off, '\n', size - off);
		len = nl != NULL ? (size_t)(nl - (data + off)) : size - off;
		/* Exactly the line's size, so ASan sees any read past it. */
		line = malloc(len ? len : 1);
		fuzz_assert(line != NULL);
		memcpy(line, data + off, len);
		compare(f, j, line, len);
		compare(f, j, line, len);
		free(line);
		if (nl == NULL)
			break;
		off += len + 1;
	}
	jsonl_parser_free(f);
	jsonl_parser_free(j);
	return 0;
}
