/* t_wal.c - the write-ahead log: what is written is read back, in order */
/* SPDX-License-Identifier: MIT */
#include <fcntl.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <xxhash.h>

#include "base/buf.h"
#include "base/varint.h"
#include "store/wal.h"
#include "stream/matcher.h"
#include "stream/series.h"
#include "tap.h"

static char dir[] = "/tmp/t_wal.XXXXXX";
static char path[4096];

/* What a reader saw: series by ref, samples in order. */
struct seen {
	size_t nseries, nsamples;
	uint64_t last_ref;
	int skip_odd;		/* return WAL_SKIP for odd refs */
	uint64_t need;		/* the visitor's signature bits */
	uint32_t *id;		/* samples: the id, ts and value seen */
	int64_t *ts;
	double *v;
	size_t cap;
	int order_ok;		/* each series' timestamps rise */
	int64_t *last_ts;	/* by id */
};

static int64_t
on_series(void *ctx, uint64_t ref, enum metric_type type, const char *key,
    size_t keylen, const char *unit, size_t unit_len, const char *help,
    size_t help_len)
{
	struct seen *s = ctx;

	(void)type, (void)key, (void)keylen, (void)unit, (void)unit_len;
	(void)help, (void)help_len;
	s->nseries++;
	s->last_ref = ref;
	if (s->skip_odd && ref % 2)
		return WAL_SKIP;
	return (int64_t)ref;
}

static int
on_sample(void *ctx, uint32_t id, int64_t ts, double v)
{
	struct seen *s = ctx;

	if (s->nsamples == s->cap) {
		s->cap = s->cap ? 2 * s->cap : 1024;
		s->id = realloc(s->id, s->cap * sizeof(*s->id));
		s->ts = realloc(s->ts, s->cap * sizeof(*s->ts));
		s->v = realloc(s->v, s->cap * sizeof(*s->v));
	}
	s->id[s->nsamples] = id;
	s->ts[s->nsamples] = ts;
	s->v[s->nsamples] = v;
	s->nsamples++;
	return 0;
}

static int
read_back(struct seen *s, struct wal_read_stats *st, struct errbuf *eb)
{
	struct wal_visitor v = { on_series, on_sample, s, s->need };

	return wal_read(path, &v, st, eb);
}

static void
seen_free(struct seen *s)
{
	free(s->id);
	free(s->ts);
	free(s->v);
	memset(s, 0, sizeof(*s));
}

static struct wal *
fresh(void)
{
	struct errbuf eb = ERRBUF_INIT;
	struct wal *w;

	unlink(path);
	if ((w = wal_create(path, 7, &eb)) == NULL) {
		printf("Bail out! %s\n", eb.msg);
		exit(1);
	}
	return w;
}

/* Write 'len' bytes as the file at 'path'. */
static void
put_file(const void *p, size_t len)
{
	FILE *f = fopen(path, "wb");

	if (f == NULL || fwrite(p, 1, len, f) != len || fclose(f) != 0) {
		printf("Bail out! cannot write %s\n", path);
		exit(1);
	}
}

/* A log of version 'ver' with one record holding 'payload'. */
static void
put_log(int ver, const struct buf *payload)
{
	struct buf f = BUF_INIT;
	unsigned char h[16];

	memcpy(h, "MTKWAL\0", 7);
	h[7] = (unsigned char)ver;
	le64_put(h + 8, 1);
	buf_add(&f, h, 16);
	le32_put(h, (uint32_t)payload->len);
	le32_put(h + 4, ver == 1 ? XXH32(payload->p, payload->len, 0) :
	    (uint32_t)XXH3_64bits(payload->p, payload->len));
	buf_add(&f, h, 8);
	buf_add(&f, payload->p, payload->len);
	put_file(f.p, f.len);
	buf_release(&f);
}

static void
add_series(struct buf *b, int ver, unsigned ref, const char *key)
{
	buf_addch(b, 'S');
	buf_add_varint(b, ref);
	buf_addch(b, 0);
	if (ver >= 3)
		buf_add(b, "\377\377\377\377\377\377\377\377", 8);
	buf_add_varint(b, strlen(key));
	buf_add(b, key, strlen(key));
	buf_addch(b, 0);
	buf_addch(b, 0);
}

int
main(void)
{
	struct errbuf eb = ERRBUF_INIT;
	struct wal_read_stats st;
	struct seen s = { 0 };
	struct wal *w;
	struct buf b = BUF_INIT;
	char key[64];
	size_t i, bad;
	double nan_v;
	uint64_t nan_bits = 0x7ff8000000000abcULL;

	if (mkdtemp(dir) == NULL)
		return 1;
	snprintf(path, sizeof(path), "%s/1.wal", dir);

	/* Samples of three series, interleaved, over two commits. */
	w = fresh();
	memcpy(&nan_v, &nan_bits, 8);
	wal_add_series(w, 0, METRIC_GAUGE, "a", 1, NULL, 0, NULL, 0);
	wal_add_series(w, 1, METRIC_COUNTER, "b\0k\0v", 5, "seconds", 7,
	    "help", 4);
	wal_add_sample(w, 0, -5, 1.5);
	wal_add_sample(w, 1, INT64_MAX, nan_v);
	wal_add_sample(w, 0, INT64_MIN, -0.0);
	ok(wal_pending(w) > 0, "queued entries pending");
	ok(wal_commit(w, 1, &eb) == 0, "commit");
	is_int(wal_pending(w), 0, "nothing pending after a commit");
	wal_add_series(w, 2, METRIC_GAUGE, "c", 1, NULL, 0, NULL, 0);
	wal_add_sample(w, 2, 10, 3);
	wal_add_sample(w, 1, 11, 4);
	ok(wal_commit(w, 0, &eb) == 0, "second commit");
	wal_close(w, 0);
	ok(read_back(&s, &st, &eb) == 0, "read back: %s", eb.msg);
	is_int(st.records, 2, "two records");
	is_int(st.seq, 7, "sequence number");
	is_int(st.valid_bytes, st.file_bytes, "all of it valid");
	is_int(s.nseries, 3, "three series");
	is_int(s.nsamples, 5, "five samples");
	ok(s.nsamples == 5 && s.id[0] == 0 && s.ts[0] == -5 && s.v[0] == 1.5 &&
	    s.id[1] == 1 && s.ts[1] == INT64_MAX &&
	    memcmp(&s.v[1], &nan_bits, 8) == 0 &&
	    s.id[2] == 0 && s.ts[2] == INT64_MIN && signbit(s.v[2]) &&
	    s.id[3] == 2 && s.ts[3] == 10 && s.v[3] == 3 &&
	    s.id[4] == 1 && s.ts[4] == 11 && s.v[4] == 4,
	    "every sample back in order, bit for bit (NaN payload, -0, "
	    "the int64 limits)");
	seen_free(&s);

	/* A reader after some series gets only theirs. */
	s.skip_odd = 1;
	ok(read_back(&s, &st, &eb) == 0, "read back, skipping");
	ok(s.nsamples == 3 && s.id[0] == 0 && s.id[1] == 0 && s.id[2] == 2,
	    "samples of skipped series passed by");
	seen_free(&s);

	/*
	 * Signatures: a reader after host="h3" is not shown most other
	 * series, and never one that matches.
	 */
	{
		struct matcher mt[2];
		size_t matching = 0, missing = 0;
		matcher_init(&mt[0], MATCHER_EQ, "__name__", "up", 2, &eb);
		matcher_init(&mt[1], MATCHER_EQ, "host", "h3", 2, &eb);
		w = fresh();
		for (i = 0; i < 1000; i++) {
			int n = snprintf(key, sizeof(key), "%s%chost%ch%zu",
			    i % 2 ? "up" : "down", 0, 0, i % 10);
			wal_add_series(w, i, METRIC_GAUGE, key, (size_t)n,
			    NULL, 0, NULL, 0);
			wal_add_sample(w, i, 1, 1);
			if (series_key_matches(key, (size_t)n, mt, 2)) {
				matching++;
				missing += (series_key_sig(key, (size_t)n) &
				    series_matchers_sig(mt, 2)) !=
				    series_matchers_sig(mt, 2);
			}
		}
		ok(wal_commit(w, 0, &eb) == 0, "commit");
		wal_close(w, 0);
		s.need = series_matchers_sig(mt, 2);
		ok(read_back(&s, &st, &eb) == 0, "read with a signature");
		is_int(matching, 100, "100 series match");
		is_int(missing, 0, "each has the bits of the matchers");
		ok(s.nseries >= 100 && s.nseries < 200, "%zu of 1,000 series "
		    "shown to the reader", s.nseries);
		seen_free(&s);
		matcher_release(&mt[0]);
		matcher_release(&mt[1]);
	}

	/*
	 * Queued between two commits, 500,000 samples and 100,000 series
	 * (a writer starting a new log after a flush queues all it holds):
	 * records stay under the reader's limit.
	 */
	w = fresh();
	for (i = 0; i < 100000; i++) {
		int n = snprintf(key, sizeof(key),
		    "some_metric_name%c" "host%ch%zu%c" "instance%c%zu",
		    0, 0, i % 100, 0, 0, i);
		wal_add_series(w, i, METRIC_GAUGE, key, (size_t)n, NULL, 0,
		    NULL, 0);
	}
	for (i = 0; i < 500000; i++)
		wal_add_sample(w, i % 100000, (int64_t)(i / 100000), (double)i);
	ok(wal_commit(w, 0, &eb) == 0, "one commit of 500,000 samples");
	wal_close(w, 0);
	ok(read_back(&s, &st, &eb) == 0, "read back: %s", eb.msg);
	ok(st.records > 2, "split into records (%llu)",
	    (unsigned long long)st.records);
	is_int(s.nseries, 100000, "every series");
	is_int(s.nsamples, 500000, "every sample");
	bad = 0;
	for (i = 0; i < s.nsamples; i++)
		bad += s.id[i] != i % 100000 || s.v[i] != (double)i ||
		    s.ts[i] != (int64_t)(i / 100000);
	is_int(bad, 0, "in order");
	seen_free(&s);

	/* A torn tail costs only the last record. */
	{
		int fd = open(path, O_WRONLY);
		off_t size = lseek(fd, 0, SEEK_END);
		ok(fd >= 0 && ftruncate(fd, size - 1) == 0, "cut one byte");
		close(fd);
	}
	ok(read_back(&s, &st, &eb) == 0, "torn log read");
	ok(s.nsamples > 0 && s.nsamples < 500000, "all but the torn record "
	    "(%zu samples)", s.nsamples);
	ok(st.valid_bytes < st.file_bytes, "valid prefix ends before the tail");
	seen_free(&s);

	/* Version 2 logs, one 'D' entry per sample, are still read. */
	buf_reset(&b);
	add_series(&b, 2, 3, "old");
	buf_addch(&b, 'D');
	buf_add_varint(&b, 3);
	buf_add_varint(&b, zigzag(-42));
	{
		unsigned char v8[8];
		double d = 2.5;
		uint64_t bits;
		memcpy(&bits, &d, 8);
		le64_put(v8, bits);
		buf_add(&b, v8, 8);
	}
	put_log(2, &b);
	ok(read_back(&s, &st, &eb) == 0, "version 2 read: %s", eb.msg);
	ok(s.nsamples == 1 && s.id[0] == 3 && s.ts[0] == -42 && s.v[0] == 2.5,
	    "its sample");
	seen_free(&s);
	put_log(1, &b);
	ok(read_back(&s, &st, &eb) == 0 && s.nsamples == 1,
	    "version 1 (XXH32) read");
	seen_free(&s);
	/* ... but a 'D' entry is not part of version 3. */
	put_log(3, &b);
	ok(read_back(&s, &st, &eb) == -1 && strstr(eb.msg, "malformed"),
	    "a 'D' entry in a version 3 log is malformed: %s", eb.msg);
	seen_free(&s);

	/* A batch naming an undefined series, or longer than its record. */
	buf_reset(&b);
	add_series(&b, 3, 0, "x");
	buf_addch(&b, 'B');
	buf_add_varint(&b, 1);
	buf_add(&b, "\5\0\0\0" "\0\0\0\0\0\0\0\0" "\0\0\0\0\0\0\0\0", 20);
	put_log(3, &b);
	ok(read_back(&s, &st, &eb) == -1 &&
	    strstr(eb.msg, "undefined series"), "undefined ref: %s", eb.msg);
	seen_free(&s);
	buf_reset(&b);
	add_series(&b, 3, 0, "x");
	buf_addch(&b, 'B');
	buf_add_varint(&b, 2);
	buf_add(&b, "\0\0\0\0" "\0\0\0\0\0\0\0\0" "\0\0\0\0\0\0\0\0", 20);
	put_log(3, &b);
	ok(read_back(&s, &st, &eb) == -1 && s.nsamples == 0,
	    "a batch longer than its record: %s", eb.msg);
	seen_free(&s);
	put_log(2, &b);
	ok(read_back(&s, &st, &eb) == -1,
	    "a 'B' entry is not part of version 2");
	seen_free(&s);

	buf_release(&b);
	unlink(path);
	rmdir(dir);
	return done_testing();
}
