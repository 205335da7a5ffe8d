/* fuzz_stream_slow.c - the stream's reference parser, on jansson */
/* SPDX-License-Identifier: MIT */
#include <string.h>
#include <unistd.h>

#include "fuzz.h"
#include "stream/jsonl.h"

/*
 * A message says what is wrong in the stream's words: one line of plain
 * text (what it quotes escaped: no newline, no terminal escape), never
 * jansson's files or flags (mtk-stream(5)), unless it quotes them from
 * the line itself.
 */
static void
check_message(const char *msg, const char *line, size_t len)
{
	const unsigned char *p;

	fuzz_assert(msg[0] != '\0');
	for (p = (const unsigned char *)msg; *p != '\0'; p++)
		fuzz_assert(*p >= 0x20 && *p != 0x7f);
	fuzz_assert(strstr(msg, "end of file") == NULL ||
	    memmem(line, len, "end of file", 11) != NULL);
	fuzz_assert(strstr(msg, "JSON_") == NULL ||
	    memmem(line, len, "JSON_", 5) != NULL);
}

static void
parse_line(struct jsonl_parser *ps, const uint8_t *p, size_t len)
{
	char *line = malloc(len ? len : 1);
	struct errbuf eb = ERRBUF_INIT;
	struct buf b = BUF_INIT;
	struct sample s;

	fuzz_assert(line != NULL);
	memcpy(line, p, len);
	if (jsonl_parse(ps, line, len, &s, &eb) == 0) {
		fuzz_assert(s.name != NULL && s.nlabels <= METRIC_LABELS_MAX);
		jsonl_format(&b, &s);
		buf_release(&b);
	} else {
		check_message(eb.msg, line, len);
	}
	free(line);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct jsonl_parser *ps = jsonl_parser_new(JSONL_SLOW_ONLY);
	struct jsonl_reader *r;
	struct errbuf eb = ERRBUF_INIT;
	struct sample s;
	const uint8_t *nl;
	size_t off = 0, len;
	char path[32];
	int fd, rc;

	parse_line(ps, data, size);
	for (;;) {
		nl = memchr(data + off, '\n', size - off);
		len = nl != NULL ? (size_t)(nl - (data + off)) : size - off;
		parse_line(ps, data + off, len);
		if (nl == NULL)
			break;
		off += len + 1;
	}
	jsonl_parser_free(ps);

	if ((fd = fuzz_memfile(data, size, path)) == -1)
		return 0;
	r = jsonl_reader_new(fd, "fuzz", JSONL_SLOW_ONLY);
	while ((rc = jsonl_next(r, &s, &eb)) != 0)
		if (rc == -1)
			check_message(eb.msg, (const char *)data, size);
	jsonl_reader_free(r);
	close(fd);
	return 0;
}
