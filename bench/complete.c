/* complete.c - how long mshell takes to complete a word from a store */
/* SPDX-License-Identifier: MIT */
#include <err.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "shell/complete.h"
#include "shell/shell.h"

/*
 * usage: complete DIR LINE [ROUNDS]
 *
 * Completes LINE (the cursor at its end) over the store DIR, ROUNDS
 * times (default 21): "cold" as the first Tab of a shell (a new session:
 * the store opened, the names read from its index), "warm" as the next
 * ones (the names the session holds).  Prints the medians in ms and the
 * number of words offered.
 */
static double
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

int
main(int argc, char *argv[])
{
	struct shell_opts o = { NULL, NULL, NULL, stdout, stderr, 0, 0, NULL };
	struct completion c;
	struct shell *sh;
	double *cold, *warm, t;
	size_t n = 0;
	int rounds, i;

	if (argc < 3)
		errx(2, "usage: complete DIR LINE [ROUNDS]");
	o.dir = argv[1];
	rounds = argc > 3 ? atoi(argv[3]) : 21;
	if (rounds < 1)
		errx(2, "bad ROUNDS");
	cold = calloc((size_t)rounds, sizeof(*cold));
	warm = calloc((size_t)rounds, sizeof(*warm));
	for (i = 0; i < rounds; i++) {
		t = now_ms();
		sh = shell_new(&o);
		complete_line(sh, argv[2], strlen(argv[2]), &c);
		cold[i] = now_ms() - t;
		n = c.n;
		completion_release(&c);
		t = now_ms();
		complete_line(sh, argv[2], strlen(argv[2]), &c);
		warm[i] = now_ms() - t;
		completion_release(&c);
		shell_free(sh);
	}
	qsort(cold, (size_t)rounds, sizeof(*cold), cmp_double);
	qsort(warm, (size_t)rounds, sizeof(*warm), cmp_double);
	printf("cold %.2f ms  warm %.3f ms  words %zu\n", cold[rounds / 2],
	    warm[rounds / 2], n);
	free(cold);
	free(warm);
	return 0;
}
