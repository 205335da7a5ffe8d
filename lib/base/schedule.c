/* schedule.c - a fixed-interval schedule on the monotonic clock */
/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <poll.h>
#include <time.h>

#include "base/schedule.h"

int64_t
schedule_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

void
schedule_init(struct schedule *s, int64_t interval_ms)
{
	s->step = interval_ms > 0 ? interval_ms * 1000000 : 0;
	s->next = schedule_now() + s->step;
}

int
schedule_wait(struct schedule *s, const sigset_t *waitmask)
{
	struct timespec rel;
	int64_t now;

	/* Missed whole steps are skipped, not made up for. */
	now = schedule_now();
	if (s->step > 0 && now >= s->next + s->step)
		s->next += (now - s->next) / s->step * s->step;
	while ((now = schedule_now()) < s->next) {
		rel.tv_sec = (time_t)((s->next - now) / 1000000000);
		rel.tv_nsec = (long)((s->next - now) % 1000000000);
		/*
		 * ppoll() sleeps with 'waitmask' in place atomically: a
		 * signal that came while it was blocked is taken now.
		 */
		if (ppoll(NULL, 0, &rel, waitmask) == -1 && errno == EINTR)
			return -1;
	}
	s->next += s->step;
	return 0;
}
