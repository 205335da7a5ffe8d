/* seeds.c - write the seed block and WAL files of the fuzz corpora */
/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "query/output.h"
#include "stream/jsonl.h"
#include "stream/series.h"
#include "store/block.h"
#include "store/rollup.h"
#include "store/wal.h"

/*
 * usage: seeds DIR
 *
 * Writes DIR/block/raw.blk and DIR/block/rolled.blk with block_writer_*(),
 * DIR/wal/small.wal with wal_create() and wal_commit(), and
 * DIR/csv/mquery.csv with mquery's CSV writer (output_series()): small
 * valid files for the fuzzers to mutate, written by the code of today,
 * so that the corpora follow the formats (make fuzz runs this first).
 * The same files seed fuzz_block_sum and fuzz_wal_sum.
 */

/* The series, in key order (block_writer_add() wants them so). */
static const char *const lines[] = {
	("{\"name\":\"node_cpu_seconds_total\",\"type\":\"counter\",\"value\":0,"
	    "\"unit\":\"seconds\",\"help\":\"CPU time\","
	    "\"labels\":{\"cpu\":\"0\",\"mode\":\"idle\"}}"),
	("{\"name\":\"node_cpu_seconds_total\",\"type\":\"counter\",\"value\":0,"
	    "\"labels\":{\"cpu\":\"0\",\"mode\":\"user\"}}"),
	"{\"name\":\"node_load1\",\"value\":0,\"labels\":{\"host\":\"a\"}}",
	"{\"name\":\"node_load1\",\"value\":0,\"labels\":{\"host\":\"b\"}}",
	"{\"name\":\"req\",\"type\":\"histogram\",\"value\":0}",
};
#define NSERIES (sizeof(lines) / sizeof(lines[0]))
#define NPOINTS 40
#define T0 1700000000000LL

static int
fail(const char *what, const char *msg)
{
	fprintf(stderr, "seeds: %s: %s\n", what, msg);
	return 1;
}

/* Parse line 'k' into '*s' and its key into 'key'. */
static void
series(struct jsonl_parser *ps, size_t k, struct sample *s, struct buf *key)
{
	struct errbuf eb = ERRBUF_INIT;

	if (jsonl_parse(ps, lines[k], strlen(lines[k]), s, &eb) == -1) {
		fprintf(stderr, "seeds: line %zu: %s\n", k, eb.msg);
		exit(1);
	}
	buf_reset(key);
	series_key(key, s);
}

static void
points(size_t k, int64_t *ts, double *v)
{
	size_t i;

	for (i = 0; i < NPOINTS; i++) {
		ts[i] = T0 + (int64_t)i * 15000 + (int64_t)k;
		v[i] = k < 2 ? 10.0 * (double)i : (double)((i * 7 + k) % 11) / 4;
	}
}

/* Move the block written to 'from' to 'to'. */
static int
place(const char *from, const char *to)
{
	if (rename(from, to) == -1)
		return fail(to, strerror(errno));
	return 0;
}

static int
write_blocks(const char *dir)
{
	struct jsonl_parser *ps = jsonl_parser_new(JSONL_SLOW_ONLY);
	struct errbuf eb = ERRBUF_INIT;
	struct block_writer *bw;
	struct block_source src[2] = { { T0 - 7200000, 42 }, { T0, 43 } };
	struct rollup r = ROLLUP_INIT;
	struct buf key = BUF_INIT;
	struct sample s;
	char path[PATH_MAX], to[PATH_MAX];
	int64_t ts[NPOINTS];
	double v[NPOINTS];
	size_t k;
	int rc = 1;

	if ((bw = block_writer_new(dir, 7, &eb)) == NULL)
		goto out;
	for (k = 0; k < NSERIES; k++) {
		series(ps, k, &s, &key);
		points(k, ts, v);
		if (block_writer_add(bw, key.p, key.len, s.type, s.unit, s.help,
		    ts, v, NPOINTS, &eb) == -1) {
			block_writer_abort(bw);
			goto out;
		}
	}
	if (block_writer_finish(bw, path, &eb) == -1)
		goto out;
	snprintf(to, sizeof(to), "%s/raw.blk", dir);
	if (place(path, to) != 0)
		goto out_msg;

	if ((bw = block_writer_new_rolled(dir, 8, 60000, src, 2, &eb)) == NULL)
		goto out;
	for (k = 0; k < NSERIES; k++) {
		series(ps, k, &s, &key);
		points(k, ts, v);
		/* Counters keep first and inc; the histogram a sketch. */
		rollup_reset(&r, s.type == METRIC_COUNTER ? ROLLUP_F_COUNTER :
		    s.type == METRIC_HISTOGRAM ? ROLLUP_F_SKETCH : 0);
		rollup_from_samples(&r, ts, v, NPOINTS, 60000);
		if (block_writer_add_rollup(bw, key.p, key.len, s.type, s.unit,
		    s.help, &r, &eb) == -1) {
			block_writer_abort(bw);
			goto out;
		}
	}
	if (block_writer_finish(bw, path, &eb) == -1)
		goto out;
	snprintf(to, sizeof(to), "%s/rolled.blk", dir);
	if (place(path, to) != 0)
		goto out_msg;
	rc = 0;
	goto out_msg;
out:
	fail(dir, eb.msg);
out_msg:
	rollup_release(&r);
	buf_release(&key);
	jsonl_parser_free(ps);
	return rc;
}

static int
write_wal(const char *dir)
{
	struct jsonl_parser *ps = jsonl_parser_new(JSONL_SLOW_ONLY);
	struct errbuf eb = ERRBUF_INIT;
	struct buf key = BUF_INIT;
	struct sample s;
	struct wal *w;
	char path[PATH_MAX];
	int64_t ts[NPOINTS];
	double v[NPOINTS];
	size_t k, i;
	int rc = 1;

	snprintf(path, sizeof(path), "%s/small.wal", dir);
	unlink(path);
	if ((w = wal_create(path, 5, &eb)) == NULL)
		goto out;
	/* A record per batch of samples, the series defined as they come. */
	for (i = 0; i < 4; i++) {
		for (k = 0; k < NSERIES; k++) {
			points(k, ts, v);
			if (i == k % 4) {
				series(ps, k, &s, &key);
				wal_add_series(w, k, s.type, key.p, key.len,
				    s.unit, s.unit_len, s.help, s.help_len);
			}
			if (i >= k % 4)
				wal_add_sample(w, k, ts[i], v[i]);
		}
		if (wal_commit(w, 0, &eb) == -1) {
			wal_close(w, 1);
			goto out;
		}
	}
	wal_close(w, 0);
	rc = 0;
out:
	if (rc != 0)
		fail(path, eb.msg);
	buf_release(&key);
	jsonl_parser_free(ps);
	return rc;
}

/* The series of 'lines' and two odd ones, as mquery -o csv writes them. */
static int
write_csv(const char *dir)
{
	static const char *const odd[] = {
		"{\"name\":\"weird.name\",\"value\":0,"
		    "\"labels\":{\"job\":\"a,b\",\"x\":\"q\\\"z\\\\n\"}}",
		"{\"name\":\"t\",\"value\":0,\"labels\":{\"l\":\"\\u00e9\\t'`\"}}",
	};
	struct jsonl_parser *ps = jsonl_parser_new(JSONL_SLOW_ONLY);
	struct errbuf eb = ERRBUF_INIT;
	struct buf key = BUF_INIT;
	struct output *o = NULL;
	struct sample s;
	char path[PATH_MAX];
	int64_t ts[NPOINTS];
	double v[NPOINTS];
	FILE *fp;
	size_t k;
	int rc = 1;

	snprintf(path, sizeof(path), "%s/mquery.csv", dir);
	if ((fp = fopen(path, "w")) == NULL)
		return fail(path, strerror(errno));
	o = output_new(fp, QUERY_FMT_CSV);
	for (k = 0; k < NSERIES + sizeof(odd) / sizeof(odd[0]); k++) {
		if (k < NSERIES) {
			series(ps, k, &s, &key);
		} else if (jsonl_parse(ps, odd[k - NSERIES],
		    strlen(odd[k - NSERIES]), &s, &eb) == -1) {
			goto out;
		}
		points(k, ts, v);
		if (k == NSERIES) {
			v[0] = NAN;
			v[1] = INFINITY;
			v[2] = -INFINITY;
		}
		/* Three points a series: enough to mutate. */
		if (output_series(o, &s, ts, v, 3, &eb) == -1)
			goto out;
	}
	if (output_finish(o, &eb) == -1)
		goto out;
	rc = 0;
out:
	output_free(o);
	if (fclose(fp) == EOF && rc == 0)
		return fail(path, strerror(errno));
	if (rc != 0)
		fail(path, eb.msg);
	buf_release(&key);
	jsonl_parser_free(ps);
	return rc;
}

int
main(int argc, char *argv[])
{
	char dir[PATH_MAX];

	if (argc != 2) {
		fprintf(stderr, "usage: seeds dir\n");
		return 2;
	}
	snprintf(dir, sizeof(dir), "%s/block", argv[1]);
	if ((mkdir(argv[1], 0777) == -1 && errno != EEXIST) ||
	    (mkdir(dir, 0777) == -1 && errno != EEXIST))
		return fail(dir, strerror(errno));
	if (write_blocks(dir) != 0)
		return 1;
	snprintf(dir, sizeof(dir), "%s/wal", argv[1]);
	if (mkdir(dir, 0777) == -1 && errno != EEXIST)
		return fail(dir, strerror(errno));
	if (write_wal(dir) != 0)
		return 1;
	snprintf(dir, sizeof(dir), "%s/csv", argv[1]);
	if (mkdir(dir, 0777) == -1 && errno != EEXIST)
		return fail(dir, strerror(errno));
	return write_csv(dir);
}
