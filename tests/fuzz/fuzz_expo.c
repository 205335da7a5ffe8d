/* fuzz_expo.c - the Prometheus text format and OpenMetrics, line by line */
/* SPDX-License-Identifier: MIT */
#include <math.h>
#include <string.h>

#include "fuzz.h"
#include "stream/expo.h"
#include "stream/jsonl.h"

/*
 * The first byte chooses the format (even: Prometheus' text, odd:
 * OpenMetrics); the rest is a document, parsed line by line.  A sample
 * the parser gives is a valid stream sample: written as a stream line
 * and read back, it is the same sample.  A message is one line of plain
 * text.
 */
static void
check_message(const char *msg)
{
	const unsigned char *p;

	fuzz_assert(msg[0] != '\0');
	for (p = (const unsigned char *)msg; *p != '\0'; p++)
		fuzz_assert(*p >= 0x20 && *p != 0x7f);
}

static void
same(const struct sample *a, const struct sample *b)
{
	size_t i;

	fuzz_assert(a->name_len == b->name_len &&
	    memcmp(a->name, b->name, a->name_len) == 0);
	fuzz_assert(a->type == b->type);
	fuzz_assert((isnan(a->value) && isnan(b->value)) || a->value == b->value);
	fuzz_assert(a->has_ts == b->has_ts && (!a->has_ts || a->ts == b->ts));
	fuzz_assert(a->nlabels == b->nlabels);
	for (i = 0; i < a->nlabels; i++) {
		fuzz_assert(strcmp(a->labels[i].name, b->labels[i].name) == 0);
		fuzz_assert(a->labels[i].value_len == b->labels[i].value_len);
		fuzz_assert(memcmp(a->labels[i].value, b->labels[i].value,
		    a->labels[i].value_len) == 0);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct expo_parser *p;
	struct jsonl_parser *jp;
	struct errbuf eb = ERRBUF_INIT;
	struct buf b = BUF_INIT;
	struct sample s, back;
	size_t off = 1, len;
	const uint8_t *nl;

	if (size == 0)
		return 0;
	p = expo_parser_new(data[0] % 2 ? EXPO_OPENMETRICS : EXPO_PROMETHEUS);
	jp = jsonl_parser_new(0);
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
			if (!s.has_ts) {
				/* As a reader stamps it. */
				s.has_ts = 1;
				s.ts = 0;
			}
			buf_reset(&b);
			jsonl_format(&b, &s);
			fuzz_assert(b.len > 0 && b.p[b.len - 1] == '\n');
			if (jsonl_parse(jp, b.p, b.len - 1, &back, &eb) == -1) {
				fprintf(stderr, "%.*s: %s\n", (int)b.len, b.p, eb.msg);
				fuzz_assert(!"a sample read back");
			}
			same(&s, &back);
		} else if (k == -1) {
			check_message(eb.msg);
		}
		free(line);
		if (nl == NULL)
			break;
		off += len + 1;
	}
	if (expo_end(p, &eb) == -1)
		check_message(eb.msg);
	buf_release(&b);
	jsonl_parser_free(jp);
	expo_parser_free(p);
	return 0;
}
