/* fuzz_statsd.c - StatsD packets, aggregated and flushed */
/* SPDX-License-Identifier: MIT */
#include <math.h>
#include <string.h>

#include "fuzz.h"
#include "collect/statsd.h"

/*
 * The input is packets separated by NUL bytes, fed at increasing times
 * and flushed twice.  Whatever they hold, every sample flushed is a
 * valid stream sample (it writes and reads back), no counter is below
 * zero, and a message is one line of text.
 */
struct check {
	int flush;
};

static int
add(void *ctx, const struct sample *s, struct errbuf *eb)
{
	(void)ctx;
	(void)eb;
	fuzz_check_sample(s);
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
	struct statsd_opts o = { 10000, 20000, NULL, 0, 0 };
	struct statsd *sd = statsd_new(&o);
	struct check c = { 0 };
	struct ingest_sink sink = { add, commit, NULL, NULL, &c };
	struct errbuf eb = ERRBUF_INIT;
	const uint8_t *p = data, *end = data + size;
	int64_t now = 1700000000000;

	while (p < end) {
		const uint8_t *z = memchr(p, '\0', (size_t)(end - p));
		size_t n = (size_t)((z ? z : end) - p);
		if (statsd_feed(sd, (const char *)p, n, now++, &eb) > 0)
			fuzz_check_message(eb.msg);
		p = z ? z + 1 : end;
	}
	fuzz_assert(statsd_flush(sd, now + 1000, &sink, &eb) == 0);
	fuzz_assert(statsd_flush(sd, now + 30000, &sink, &eb) == 0);
	fuzz_assert(c.flush == 2);
	statsd_free(sd);
	return 0;
}
