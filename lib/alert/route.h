/* route.h - where alerts go: a routing tree as Alertmanager's, and receivers */
/* SPDX-License-Identifier: MIT */
#ifndef MTK_ROUTE_H
#define MTK_ROUTE_H

#include <stddef.h>
#include <stdint.h>

#include "alert/template.h"
#include "stream/matcher.h"

/*
 * A routes file (YAML), Alertmanager's routing tree with receivers that
 * run commands:
 *
 *	route:
 *	  receiver: NAME		required at the top; inherited
 *	  group_by: [alertname, ...]	inherited; "..." groups by every label
 *	  group_wait: 0s		inherited: how long a new group waits
 *					for its first notice
 *	  group_interval: 5m		inherited: between two notices of a
 *					group that changed
 *	  repeat_interval: 4h		inherited: between two notices of a
 *					group that did not
 *	  matchers: ['severity="page"', 'team=~"db|ops"']
 *	  match: {label: value}		match_re: {label: regex}
 *	  continue: false
 *	  escalate_to: NAME		inherited, with escalate_after: a
 *	  escalate_after: 30m		second receiver told of the alerts
 *					of a group firing that long
 *	  routes: [ ...more routes... ]
 *	receivers:
 *	  - name: NAME
 *	    command: [PROGRAM, ARG, ...]	run without a shell
 *	    timeout: 10s
 *	    format: webhook		what its standard input is (notice.h):
 *					webhook, mail, slack or pagerduty
 *	    to: ADDRESS, from: ADDRESS	a mail's (to is needed)
 *	    routing_key: KEY		a PagerDuty event's (needed)
 *
 * An alert goes down the tree as in Alertmanager: to the first child
 * route whose matchers all match (and on to the next ones while a
 * matching child says 'continue'), and stays with a route when none of
 * its children takes it.
 */

enum route_format { ROUTE_WEBHOOK, ROUTE_MAIL, ROUTE_SLACK, ROUTE_PAGERDUTY };

struct route_receiver {
	char *name;
	char **argv;		/* NULL-terminated */
	int64_t timeout_ms;
	enum route_format format;
	char *to, *from;	/* format mail; 'from' may be NULL */
	char *routing_key;	/* format pagerduty */
};

struct route {
	struct matcher *m;
	size_t nm;
	int cont;
	const struct route_receiver *receiver;
	char **group_by;	/* NULL-terminated; NULL: not grouped */
	int group_all;		/* group_by: ["..."] */
	int64_t group_wait_ms, group_interval_ms, repeat_interval_ms;
	const struct route_receiver *escalate;	/* or NULL */
	int64_t escalate_after_ms;
	struct route *children;
	size_t nchildren;
	char *id;		/* its path in the tree, "0.2.1" */
};

/*
 * inhibit_rules: [{source_matchers: [...], target_matchers: [...],
 * equal: [label, ...]}]: while an alert matching the source matchers
 * fires, the alerts matching the target matchers that have the same
 * values of the 'equal' labels are muted (not an alert by itself).
 */
struct route_inhibit {
	struct route src, dst;	/* their matchers only */
	char **equal;		/* NULL-terminated */
};

struct route_config {
	struct route root;
	struct route_receiver *receivers;
	size_t nreceivers;
	struct route_inhibit *inhibits;
	size_t ninhibits;
};

/*
 * Read routes file 'path'.  Returns 0, or -1 with "path:line:col: what"
 * in 'msg' (of 'size' bytes).
 */
int route_load(struct route_config *c, const char *path, char *msg,
    size_t size);
void route_free(struct route_config *c);

/*
 * The routes that take an alert with 'labels' (sorted): up to 'max' of
 * them into 'out'.  Returns how many.
 */
size_t route_match(const struct route_config *c, const struct tmpl_label *labels,
    size_t nlabels, const struct route **out, size_t max);

/* A set of labels, as route_inhibited() is given the firing alerts. */
struct route_labels {
	const struct tmpl_label *l;
	size_t n;
};

/*
 * Whether an inhibit rule mutes the alert 'self' of the firing alerts
 * 'firing' (one of them, or not).
 */
int route_inhibited(const struct route_config *c,
    const struct route_labels *firing, size_t nfiring,
    const struct route_labels *self);

#endif
