/* fuzz_stream_fast.c - the stream's hand-written fast parser */
/* SPDX-License-Identifier: MIT */
#include <string.h>
#include <unistd.h>

#include "fuzz.h"
#include "stream/jsonl.h"
#include "stream/series.h"

/*
 * Check what the fast path accepted: a sample that passed metric_check()
 * (sorted, unique, valid labels), that writes out, and whose key, when
 * the parser hands one out, is the sample's key exactly.
 */
static void
check_sample(const struct sample *s)
{
	struct buf b = BUF_INIT;
	size_t i;

	fuzz_assert(s->name != NULL && s->name_len > 0 &&
	    s->name_len <= METRIC_NAME_MAX &&
	    strlen(s->name) == s->name_len);
	fuzz_assert(s->nlabels <= METRIC_LABELS_MAX);
	for (i = 0; i < s->nlabels; i++) {
		fuzz_assert(s->labels[i].value_len > 0);
		fuzz_assert(i == 0 || strcmp(s->labels[i - 1].name,
		    s->labels[i].name) < 0);
	}
	jsonl_format(&b, s);
	fuzz_assert(b.len > 0 && b.p[b.len - 1] == '\n');
	if (s->key != NULL) {
		buf_reset(&b);
		series_key(&b, s);
		fuzz_assert(b.len == s->key_len &&
		    memcmp(b.p, s->key, b.len) == 0);
		fuzz_assert(s->key_hash == 0 ||
		    s->key_hash == series_hash(s->key, s->key_len));
	}
	buf_release(&b);
}

/* Parse 'len' bytes at 'p' in a buffer of exactly that size. */
static void
parse_line(struct jsonl_parser *ps, const uint8_t *p, size_t len)
{
	char *line = malloc(len ? len : 1);
	struct sample s;

	fuzz_assert(line != NULL);
	memcpy(line, p, len);
	if (jsonl_parse_fast(ps, line, len, &s) == 1)
		check_sample(&s);
	free(line);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct jsonl_parser *ps = jsonl_parser_new(0);
	struct jsonl_parser *nk = jsonl_parser_new(JSONL_NO_KNOWN);
	struct jsonl_reader *r;
	struct errbuf eb = ERRBUF_INIT;
	struct sample s;
	const uint8_t *nl;
	size_t off = 0, len;
	char path[32];
	int fd, rc;

	/* The whole input as one line, then line by line. */
	parse_line(nk, data, size);
	for (;;) {
		nl = memchr(data + off, '\n', size - off);
		len = nl != NULL ? (size_t)(nl - (data + off)) : size - off;
		parse_line(ps, data + off, len);
		/* Again: now perhaps one of the known lines. */
		parse_line(ps, data + off, len);
		if (nl == NULL)
			break;
		off += len + 1;
	}
	jsonl_parser_free(ps);
	jsonl_parser_free(nk);

	/* The reader: lines, blank lines, the last line without '\n'. */
	if ((fd = fuzz_memfile(data, size, path)) == -1)
		return 0;
	r = jsonl_reader_new(fd, "fuzz", 0);
	while ((rc = jsonl_next(r, &s, &eb)) != 0) {
		if (rc == 1) {
			fuzz_assert(s.has_ts);
			check_sample(&s);
		} else {
			fuzz_assert(eb.msg[0] != '\0');
		}
	}
	jsonl_reader_free(r);
	close(fd);
	return 0;
}
