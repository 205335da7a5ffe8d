/* notify.h - notices of alert groups to receivers, with their state */
/* SPDX-License-Identifier: MIT */
#ifndef MTK_NOTIFY_H
#define MTK_NOTIFY_H

#include <stdint.h>

#include "alert/alert.h"
#include "alert/route.h"
#include "alert/silence.h"
#include "base/errbuf.h"

/*
 * After each run, the alerts go down the routing tree (route.h) and
 * gather in groups, one per route and values of its group_by labels.
 * A group is given to its receiver (as Alertmanager's grouping does,
 * one run being one tick):
 *
 *  - when it has an alert that fired since its last notice, or one that
 *    resolved, and group_interval has passed since that notice (for a
 *    group's first notice, group_wait since the group was first seen:
 *    at once by default);
 *  - when it still has firing alerts and repeat_interval has passed;
 *  - when its last notice failed, again at the next run past a backoff
 *    of 1 minute, doubling up to repeat_interval: nothing is lost
 *    because a receiver was down.
 *
 * An alert that a silence (silence.h) or an inhibit rule mutes is left
 * out of the groups; one that an acknowledgement covers, out of the
 * escalation groups.  Each notice sent or failed is counted in the
 * alerts' state by receiver (alert_state_tally()).
 *
 * The receiver's command runs without a shell, with the notice on its
 * standard input in the receiver's format (notice.h), its standard output sent to
 * standard error, and in the environment MALERT_RECEIVER,
 * MALERT_STATUS, MALERT_GROUP_KEY, MALERT_ALERTS (their number) and
 * MALERT_FIRING.  It has 'timeout' to exit 0; else it is killed
 * (SIGTERM, then SIGKILL a second later, its process group) and the
 * notice failed.
 */

struct notify_stats {
	uint64_t sent, failed;
};

/* Called with each failure: "receiver 'x': exit status 3". */
typedef void (*notify_warn_fn)(void *arg, const char *msg);

/*
 * Notify what 's' holds at 'now' through 'routes', the notices' own
 * state kept in file 'path' (read, then written atomically; the caller
 * holds the alerts' state lock).  Returns 0, or -1 with 'eb' (the file
 * cannot be read or written); receivers that fail are only counted and
 * told to 'warn'.
 */
int notify_run(const struct route_config *routes, struct alert_state *s,
    const struct silences *ss, int64_t now, const char *external_url,
    const char *path,
    struct notify_stats *stats, notify_warn_fn warn, void *arg,
    struct errbuf *eb);

#endif
