/* t_schedule.c - unit tests for the fixed-interval schedule */
/* SPDX-License-Identifier: MIT */
#include <signal.h>
#include <unistd.h>

#include "base/schedule.h"
#include "tap.h"

static double
since_ms(int64_t t0)
{
	return (double)(schedule_now() - t0) / 1e6;
}

int
main(void)
{
	struct schedule s;
	sigset_t none;
	int64_t t0, t1;
	double ms;
	int i;

	sigemptyset(&none);
	t0 = schedule_now();
	/*
	 * Generous bounds: the suite runs in parallel on loaded machines,
	 * and a sleep may end late; it never ends early.
	 */
	schedule_init(&s, 100);
	for (i = 0; i < 4; i++) {
		usleep(80000);		/* work shorter than the interval */
		schedule_wait(&s, &none);
	}
	ms = since_ms(t0);
	ok(ms >= 399 && ms < 600, "work does not make it drift: 4 x 100ms "
	    "in %.1fms", ms);

	t0 = schedule_now();
	schedule_init(&s, 200);
	usleep(450000);			/* two deadlines and more missed */
	t1 = schedule_now();
	schedule_wait(&s, &none);
	ok(since_ms(t1) < 100, "late by two steps: goes at once (%.1fms)",
	    since_ms(t1));
	schedule_wait(&s, &none);
	ms = since_ms(t0);
	ok(ms >= 599 && (int)ms % 200 < 120, "then keeps to the old grid "
	    "(%.1fms)", ms);

	t0 = schedule_now();
	schedule_init(&s, 0);
	for (i = 0; i < 1000; i++)
		schedule_wait(&s, &none);
	ok(since_ms(t0) < 100, "interval 0: back to back");
	return done_testing();
}
