/* t_rollup.c - counter increases: exact, rolled up exactly, stored exactly */
/* SPDX-License-Identifier: MIT */
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store/block.h"
#include "base/errbuf.h"
#include "store/rollup.h"
#include "tap.h"

static uint64_t rng = 0x2545f4914f6cdd1dULL;

static uint64_t
rnd(void)
{
	return tap_xorshift(&rng);
}

/* Whether columns 'c' of rows of 'a' and 'b' are the same bit for bit. */
static int
same_col(const struct rollup *a, const struct rollup *b, int c)
{
	return a->n == b->n &&
	    memcmp(a->col[c], b->col[c], a->n * sizeof(double)) == 0;
}

/* The reset-aware increase of v[lo..hi), as the definition adds it up. */
static double
increase(const double *v, size_t lo, size_t hi)
{
	double inc = 0, prev = NAN;
	size_t i;

	for (i = lo; i < hi; i++) {
		if (isnan(v[i]))
			continue;
		if (!isnan(prev))
			inc += v[i] >= prev ? v[i] - prev : v[i];
		prev = v[i];
	}
	return inc;
}

/* Write 'r' to a rolled block in 'dir' and read it back into 'out'. */
static int
block_roundtrip(const char *dir, const struct rollup *r, struct rollup *out)
{
	struct errbuf eb = ERRBUF_INIT;
	struct block_writer *bw;
	struct block *b;
	char path[PATH_MAX];
	int rc;

	if ((bw = block_writer_new_rolled(dir, 1, 60000, NULL, 0, &eb)) == NULL ||
	    block_writer_add_rollup(bw, "c", 2, METRIC_COUNTER, NULL, NULL, r,
	    &eb) == -1 || block_writer_finish(bw, path, &eb) == -1 ||
	    (b = block_open(path, &eb)) == NULL) {
		printf("# %s\n", eb.msg);
		return -1;
	}
	rollup_reset(out, r->flags);
	rc = block_read_rollup(b, block_series(b, 0, &eb), out, &eb);
	if (rc == -1)
		printf("# %s\n", eb.msg);
	block_close(b);
	unlink(path);
	return rc;
}

int
main(void)
{
	enum { N = 2400 };	/* 10 h at 15 s */
	static int64_t ts[N];
	static double v[N];
	struct rollup m1 = ROLLUP_INIT, m5 = ROLLUP_INIT, m5s = ROLLUP_INIT;
	struct rollup back = ROLLUP_INIT;
	char dir[] = "/tmp/t_rollup.XXXXXX";
	size_t i, k, bad;
	double x;
	int c, pass;

	if (mkdtemp(dir) == NULL)
		return 1;
	for (pass = 0; pass < 2; pass++) {
		/* 0: a counter of two decimals; 1: with resets and NaNs. */
		x = 379407.19;
		for (i = 0; i < N; i++) {
			ts[i] = 1767225607000LL + 15000 * (int64_t)i;
			x += (double)(rnd() % 2000) / 100;
			if (pass == 1 && rnd() % 97 == 0)
				x = (double)(rnd() % 100) / 7;
			v[i] = pass == 1 && rnd() % 53 == 0 ? NAN : x;
		}
		rollup_reset(&m1, ROLLUP_F_COUNTER);
		rollup_reset(&m5, ROLLUP_F_COUNTER);
		rollup_reset(&m5s, ROLLUP_F_COUNTER);
		rollup_from_samples(&m1, ts, v, N, 60000);
		rollup_from_samples(&m5s, ts, v, N, 300000);
		rollup_coarsen(&m5, &m1, 300000);

		/* Each row's increase is the definition's, to rounding. */
		for (i = k = bad = 0; k < m1.n; k++) {
			size_t lo = i;
			while (i < N && ts[i] < m1.t[k])
				i++;
			x = increase(v, lo, i);
			if (fabs(m1.col[ROLLUP_INC][k] - x) > 1e-9 * fabs(x) + 1e-9)
				bad++;
		}
		is_int(bad, 0, "pass %d: 1m increases as defined", pass);
		if (pass == 0) {
			for (k = bad = 0; k < m1.n; k++)
				if (m1.col[ROLLUP_INC][k] != m1.col[ROLLUP_LAST][k] -
				    m1.col[ROLLUP_FIRST][k])
					bad++;
			is_int(bad, 0, "without resets, inc is last - first exactly");
			ok(same_col(&m5, &m5s, ROLLUP_INC),
			    "5m increases from 1m rows equal those from samples, bit for bit");
		} else {
			for (k = bad = 0; k < m5.n; k++)
				if (fabs(m5.col[ROLLUP_INC][k] - m5s.col[ROLLUP_INC][k]) >
				    1e-9 * fabs(m5s.col[ROLLUP_INC][k]) + 1e-9)
					bad++;
			is_int(bad, 0, "with resets: 5m from 1m rows as from samples");
		}

		/* Stored and read back: every column bit for bit. */
		ok(block_roundtrip(dir, &m1, &back) == 0, "pass %d: block written and read", pass);
		for (c = 0; c < ROLLUP_NCOLS; c++)
			ok(same_col(&m1, &back, c), "pass %d: column %d back bit for bit", pass, c);
	}

	/* Rows whose increase is not last - first plus a small exact delta. */
	rollup_reset(&m1, ROLLUP_F_COUNTER);
	rollup_from_samples(&m1, ts, v, 40, 60000);
	for (k = 0; k < m1.n; k++) {
		uint64_t bits = rnd();
		memcpy(&x, &bits, sizeof(x));
		m1.col[ROLLUP_INC][k] = isfinite(x) ? x : 1e300;
	}
	ok(block_roundtrip(dir, &m1, &back) == 0 && same_col(&m1, &back, ROLLUP_INC),
	    "arbitrary increases come back bit for bit too");

	rollup_release(&m1);
	rollup_release(&m5);
	rollup_release(&m5s);
	rollup_release(&back);
	rmdir(dir);
	return done_testing();
}
