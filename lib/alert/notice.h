/* notice.h - a group's notice as its receiver takes it on standard input */
/* SPDX-License-Identifier: MIT */
#ifndef MTK_NOTICE_H
#define MTK_NOTICE_H

#include <stddef.h>
#include <stdint.h>

#include "alert/alert.h"
#include "alert/route.h"
#include "base/buf.h"

/*
 * A notice tells a receiver of the alerts of one group: the firing ones,
 * and those that resolved since it was last told.  Its receiver's
 * 'format' says what the command reads, so that a mail transfer agent or
 * curl(1) can be the command itself:
 *
 *  webhook    Alertmanager's webhook body (JSON: version "4", groupKey,
 *             status, receiver, groupLabels, commonLabels,
 *             commonAnnotations, externalURL, alerts)
 *  mail       a message for 'sendmail -t': From, To, Subject
 *             ("[FIRING:2] HighLoad web (page)", as Alertmanager's),
 *             Date, MIME headers, and a plain text body listing each
 *             alert with its labels, annotations and times
 *  slack      a Slack or Mattermost incoming webhook's body, {"text":...}
 *             in their markup
 *  pagerduty  a PagerDuty Events API v2 event: trigger while the group
 *             fires, resolve when it does not, deduplicated by a hash of
 *             the group key, severity from a common 'severity' label
 *             (critical, error, warning or info; else error)
 *
 * Label values are the alert's: header fields have control characters
 * replaced and non-ASCII text encoded (RFC 2047), so no label can add a
 * header or a recipient.
 */
struct notice {
	const struct route_receiver *rv;
	const char *group_key;
	const struct tmpl_label *glabels;	/* the group's labels */
	size_t nglabels;
	const struct alert_firing *a;	/* the alerts, as 'idx' picks them */
	const size_t *idx;
	size_t n, nfiring;
	const char *external_url;	/* or NULL */
	int64_t now;			/* ms: a mail's Date */
};

/* Append notice 'nt' to 'out' in its receiver's format. */
void notice_format(struct buf *out, const struct notice *nt);

#endif
