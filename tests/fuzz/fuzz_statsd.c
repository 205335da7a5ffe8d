/* fuzz_statsd.c - StatsD packets, aggregated and flushed */
/* SPDX-License-Identifier: MIT */
#include <math.h>
#include <string.h>

#include "fuzz.h"
#include "collect/statsd.h"
#include "stream/jsonl.h"

/*
 * The input is packets separated by NUL bytes, fed at increasing times
 * and flushed twice.  Whatever they hold, every sample flushed is a
 * valid stream sample (it writes and reads back), no counter is below
 * zero, and a message is one line of text.
 */
struct check {
	struct jsonl_parser *jp;
	struct buf b;
	int flush;
};

static int
add(void *ctx, const struct sample *s, struct errbuf *eb)
{
	struct check *c = ctx;
	struct sample back;

	buf_reset(&c->b);
	jsonl_format(&c->b, s);
	if (jsonl_parse(c->jp, c->b.p, c->b.len - 1, &back, eb) == -1) {
		fprintf(stderr, "%.*s: %s\n", (int)c->b.len, c->b.p, eb->msg);
		fuzz_assert(!"a sample read back");
	}
	fuzz_assert(back.name_len == s->name_len && back.type == s->type);
	/* Counters only add what is not negative: never below zero. */
	fuzz_assert(s->type != METRIC_COUNTER || !(s->value < 0));
	return 0;
}

static int
commit(void *ctx, struct errbuf *eb)
{
	(void)eb;
	((struct check *)ctx)->flush++;
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct statsd_opts o = { 10000, 20000, NULL, 0 };
	struct statsd *sd = statsd_new(&o);
	struct check c = { jsonl_parser_new(0), BUF_INIT, 0 };
	struct ingest_sink sink = { add, commit, NULL, NULL, &c };
	struct errbuf eb = ERRBUF_INIT;
	const uint8_t *p = data, *end = data + size;
	int64_t now = 1700000000000;

	while (p < end) {
		const uint8_t *z = memchr(p, '\0', (size_t)(end - p));
		size_t n = (size_t)((z ? z : end) - p);
		const unsigned char *m;
		eb.msg[0] = '\0';
		if (statsd_feed(sd, (const char *)p, n, now++, &eb) > 0) {
			fuzz_assert(eb.msg[0] != '\0');
			for (m = (const unsigned char *)eb.msg; *m; m++)
				fuzz_assert(*m >= 0x20 && *m != 0x7f);
		}
		p = z ? z + 1 : end;
	}
	fuzz_assert(statsd_flush(sd, now + 1000, &sink, &eb) == 0);
	fuzz_assert(statsd_flush(sd, now + 30000, &sink, &eb) == 0);
	fuzz_assert(c.flush == 2);
	statsd_free(sd);
	jsonl_parser_free(c.jp);
	buf_release(&c.b);
	return 0;
}
