/* load.h - the benchmark converters' common first step */
/* SPDX-License-Identifier: MIT */
#ifndef MTK_BENCH_LOAD_H
#define MTK_BENCH_LOAD_H

#include <err.h>

#include "base/buf.h"
#include "store/head.h"
#include "stream/jsonl.h"
#include "stream/series.h"

/*
 * Read the stream on standard input into a new head, one series per key
 * (series.h), samples in the order read.  Exits at the first bad line:
 * the benchmarks feed generated streams only.
 */
static inline struct head *
load_stdin(void)
{
	struct errbuf eb = ERRBUF_INIT;
	struct jsonl_reader *r = jsonl_reader_new(0, "<stdin>", 0);
	struct head *h = head_new();
	struct buf key = BUF_INIT;
	struct sample s;
	int rc, created;

	while ((rc = jsonl_next(r, &s, &eb)) != 0) {
		if (rc == -1)
			errx(1, "%s", eb.msg);
		buf_reset(&key);
		series_key(&key, &s);
		head_append(h, head_series_get(h, key.p, key.len,
		    series_hash(key.p, key.len), s.type, NULL, 0, NULL, 0,
		    &created), s.ts, s.value);
	}
	buf_release(&key);
	jsonl_reader_free(r);
	return h;
}

#endif
