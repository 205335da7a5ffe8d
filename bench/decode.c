/* decode.c - benchmark: decode every block of a store tier */
/* SPDX-License-Identifier: MIT */
#include <dirent.h>
#include <err.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "store/block.h"
#include "base/xalloc.h"

/*
 * usage: decode DIR [ROUNDS]
 *
 * Opens every block in DIR (a tier directory such as STORE/raw) and
 * decodes every series, ROUNDS times (default 5), on one core; prints
 * the median samples per second, decompression included.
 */
static double
now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static int
cmpd(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

int
main(int argc, char *argv[])
{
	struct errbuf eb = ERRBUF_INIT;
	struct block **blocks = NULL;
	size_t nb = 0, cap = 0, i, j, tcap = 0, total = 0;
	int rounds = argc > 2 ? atoi(argv[2]) : 5, r;
	double t[64], sink = 0;
	int64_t *ts = NULL;
	double *v = NULL;
	struct dirent *de;
	DIR *d;

	if (argc < 2 || rounds < 1 || rounds > 64)
		errx(2, "usage: decode DIR [ROUNDS]");
	if ((d = opendir(argv[1])) == NULL)
		err(1, "%s", argv[1]);
	while ((de = readdir(d)) != NULL) {
		char path[4096];
		size_t l = strlen(de->d_name);
		if (de->d_name[0] == '.' || l < 4 || strcmp(de->d_name + l - 4, ".blk"))
			continue;
		snprintf(path, sizeof(path), "%s/%s", argv[1], de->d_name);
		blocks = xgrow(blocks, &cap, nb + 1, sizeof(*blocks));
		if ((blocks[nb++] = block_open(path, &eb)) == NULL)
			errx(1, "%s", eb.msg);
	}
	closedir(d);
	for (r = 0; r < rounds; r++) {
		double t0 = now();
		total = 0;
		for (i = 0; i < nb; i++)
			for (j = 0; j < block_nseries(blocks[i]); j++) {
				const struct block_series *bs =
				    block_series(blocks[i], j, &eb);
				size_t n, c2 = tcap;
				if (bs == NULL)
					errx(1, "%s", eb.msg);
				n = bs->n;
				ts = xgrow(ts, &tcap, n, sizeof(*ts));
				v = xgrow(v, &c2, n, sizeof(*v));
				if (block_read(blocks[i], bs, ts, v, &eb) == -1)
					errx(1, "%s", eb.msg);
				sink += v[n - 1];
				total += n;
			}
		t[r] = now() - t0;
	}
	qsort(t, (size_t)rounds, sizeof(*t), cmpd);
	printf("decode  %zu samples in %zu blocks: %.1f M samples/s (median %.3f s)\n",
	    total, nb, (double)total / t[rounds / 2] / 1e6, t[rounds / 2]);
	if (sink == 42)
		puts("");
	for (i = 0; i < nb; i++)
		block_close(blocks[i]);
	free(blocks);
	free(ts);
	free(v);
	return 0;
}
