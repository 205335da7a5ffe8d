/* schedule.h - a fixed-interval schedule on the monotonic clock */
/* SPDX-License-Identifier: MIT */
#ifndef MTK_SCHEDULE_H
#define MTK_SCHEDULE_H

#include <signal.h>
#include <stdint.h>

/*
 * Deadlines every 'step' nanoseconds from the start, on CLOCK_MONOTONIC,
 * so that work done between them does not make the schedule drift.  A
 * caller that falls behind by a whole step or more skips the deadlines it
 * missed instead of running them back to back.  Caller-allocated; no
 * release needed.
 */
struct schedule {
	int64_t next;		/* the next deadline, ns */
	int64_t step;		/* ns; 0 runs back to back */
};

/* Start a schedule of 'interval_ms' milliseconds, from now. */
void schedule_init(struct schedule *s, int64_t interval_ms);

/*
 * Sleep until the next deadline, then move it one step on.  Signals not
 * in 'waitmask' (see ppoll(2)) are let in only while sleeping, so one
 * blocked while working ends the sleep at once.  Returns 0 at the
 * deadline, or -1 when a signal handler ran (errno EINTR): the caller
 * checks its flag and calls again to sleep on.
 */
int schedule_wait(struct schedule *s, const sigset_t *waitmask);

/* CLOCK_MONOTONIC in nanoseconds. */
int64_t schedule_now(void);

#endif
