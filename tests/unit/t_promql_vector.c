/* t_promql_vector.c - the evaluator's shared pieces: finding window ends, reserving points */
/* SPDX-License-Identifier: MIT */
#include <stdlib.h>
#include <string.h>

#include "promql/promql_vector.h"
#include "tap.h"

/* What ptime_after() must find, the slow way. */
static size_t
after_slow(const int64_t *t, size_t n, size_t i, int64_t limit)
{
	while (i < n && t[i] <= limit)
		i++;
	return i;
}

static size_t
from_slow(const int64_t *t, size_t n, size_t i, int64_t from)
{
	while (i < n && t[i] < from)
		i++;
	return i;
}

/*
 * Every start and limit over arrays of several lengths, with repeated
 * times and gaps, near and far (the doubling and bisection past 32).
 */
static void
test_window_ends(void)
{
	static const size_t lens[] = { 0, 1, 2, 31, 32, 33, 40, 100, 1000 };
	int64_t t[1000];
	size_t l, n, i, bad_after = 0, bad_from = 0, cases = 0;
	int64_t limit;

	for (l = 0; l < sizeof(lens) / sizeof(lens[0]); l++) {
		n = lens[l];
		for (i = 0; i < n; i++)	/* 0 0 2 3 3 5 6 6 8 ... */
			t[i] = (int64_t)(i - (i % 3 == 1));
		for (i = 0; i <= n; i++)
			for (limit = -2; limit <= (int64_t)n + 2; limit++) {
				cases++;
				if (ptime_after(t, n, i, limit) !=
				    after_slow(t, n, i, limit))
					bad_after++;
				if (ptime_from(t, n, i, limit) !=
				    from_slow(t, n, i, limit))
					bad_from++;
			}
	}
	ok(cases > 500000, "%zu cases", cases);
	is_int(bad_after, 0, "ptime_after() finds the first time past the limit");
	is_int(bad_from, 0, "ptime_from() finds the first time at or after it");
	t[0] = INT64_MIN;
	t[1] = INT64_MAX;
	is_int(ptime_after(t, 2, 0, INT64_MIN), 1, "the least time");
	is_int(ptime_after(t, 2, 0, INT64_MAX), 2, "the greatest time");
	is_int(ptime_from(t, 2, 0, INT64_MIN), 0, "from the least time");
	is_int(ptime_from(t, 2, 0, INT64_MAX), 1, "from the greatest time");
}

static void
test_time_sub(void)
{
	is_int(ptime_sub(INT64_MIN + 5, 10) == INT64_MIN, 1, "held at the least time");
	is_int(ptime_sub(INT64_MAX - 5, -10) == INT64_MAX, 1, "held at the greatest");
	is_int(ptime_sub(100, 300000) == -299900, 1, "else a difference");
	is_int(ptime_sub(INT64_MIN, INT64_MIN) == 0, 1, "even of the ends");
}

static void
test_reserve(void)
{
	struct promql_eval_opts o = PROMQL_EVAL_OPTS_INIT;
	struct pev ev;
	struct pseries s;
	size_t i;
	int rc = 0;

	memset(&ev, 0, sizeof(ev));
	memset(&s, 0, sizeof(s));
	ev.o = &o;
	pseries_reserve(&s, 10);
	ok(s.cap == 10 && s.n == 0, "room for 10");
	for (i = 0; i < 25; i++)
		rc |= pseries_push(&ev, &s, (int64_t)i, (double)i);
	ok(rc == 0 && s.n == 25 && s.cap >= 25 && s.t[24] == 24 && s.v[24] == 24,
	    "then grown as points come");
	is_int(ev.samples, 25, "each point held");
	pseries_release(&ev, &s);
	is_int(ev.samples, 0, "and let go");
}

int
main(void)
{
	test_window_ends();
	test_time_sub();
	test_reserve();
	return done_testing();
}
