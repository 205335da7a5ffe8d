/* alert.h - rules evaluated at an instant, with the alerts' state between runs */
/* SPDX-License-Identifier: MIT */
#ifndef MTK_ALERT_H
#define MTK_ALERT_H

#include <stdint.h>
#include <stdio.h>

#include "alert/rules.h"
#include "alert/template.h"
#include "base/buf.h"
#include "base/errbuf.h"
#include "promql/promql_input.h"
#include "stream/ingest.h"
#include "store/store.h"

/*
 * An evaluation does what Prometheus' rule manager does at one instant
 * (rules/alerting.go, 2.42), so that 'for', 'keep_firing_for' and
 * resolution behave across runs of a cron job as in a Prometheus that
 * never stopped:
 *
 *  - each sample of an alerting rule's result is an alert, its labels
 *    the sample's (without __name__), the rule's labels (templates) over
 *    them, and alertname; two with one labelset fail the rule;
 *  - a new alert is pending from now; it fires once it has been pending
 *    for 'for' (at once without); one no longer in the result resolves
 *    (a pending one is forgotten), unless it fired and 'keep_firing_for'
 *    has not passed since it left the result;
 *  - past the group's 'limit' of alerts, the rule fails and forgets them.
 *
 * A run long after the previous one of its group (more than twice the
 * group's interval: the machine slept, cron stopped) saw nothing of the
 * gap.  Then a pending alert starts its 'for' again from now, and a
 * firing alert absent from the result keeps firing until the next run,
 * which resolves it if it is still absent: a gap neither fires nor
 * resolves anything by itself.
 *
 * Transitions are written to 'events' as JSON Lines: "firing" when an
 * alert fires, "resolved" when a firing one resolves, with its labels,
 * annotations, value, startsAt and endsAt (RFC 3339), group and rule.
 */

struct alert_state;

/*
 * Read the state file 'path' (a missing one is an empty state), holding
 * 'path'.lock until alert_state_close(): a second run waits for the
 * first.  Returns the state, or NULL with 'eb'.
 */
struct alert_state *alert_state_open(const char *path, struct errbuf *eb);

/* A state in memory only, saved nowhere (rule tests). */
struct alert_state *alert_state_new(void);

/* Write the state back, atomically (a new file renamed over). */
int alert_state_save(struct alert_state *s, struct errbuf *eb);

/* Release the lock and the memory. */
void alert_state_close(struct alert_state *s);

/* A receiver's notices, sent and failed, counted across runs. */
struct alert_tally {
	char *receiver;
	uint64_t sent, failed;
};

/* Count a notice to 'receiver' that was sent ('ok') or failed. */
void alert_state_tally(struct alert_state *s, const char *receiver, int ok);

/* Every receiver's counters, in name order: '*n' of them, borrowed. */
const struct alert_tally *alert_state_tallies(const struct alert_state *s,
    size_t *n);

/* The alerts held, by state, for messages and self-metrics. */
void alert_state_counts(const struct alert_state *s, size_t *pending,
    size_t *firing);

/* An alert, borrowed from its state until the next evaluation. */
struct alert_firing {
	const struct tmpl_label *labels, *annotations;	/* sorted */
	size_t nlabels, nannotations;
	double value;
	int firing;			/* else resolved */
	int64_t starts_at, ends_at;	/* ends_at: 0 while firing */
};

/*
 * The alerts to notify about: every firing alert, and every resolved
 * one still kept (15 minutes).  A new array (free(3) it) of '*n'.
 */
struct alert_firing *alert_state_notices(const struct alert_state *s,
    size_t *n);

/*
 * The alerts to give an Alertmanager now, as its API v2 takes them (a
 * JSON array, appended to 'out'), as Prometheus sends them: every
 * firing alert, valid until 'now' + 'valid_ms' (so that it resolves
 * them by itself if the runs stop), and every resolved alert kept, with
 * its end.  Returns how many.
 */
size_t alert_state_alertmanager(const struct alert_state *s, int64_t now,
    int64_t valid_ms, const char *generator_url, struct buf *out);

/* Append labels 'l' (sorted) as a JSON object: {"name":"value",...}. */
void alert_json_labels(struct buf *b, const struct tmpl_label *l, size_t n);

/*
 * The alerts of rules named 'alertname' that fire in 's': a new array
 * (free(3) it) of '*n'.
 */
struct alert_firing *alert_state_firing(const struct alert_state *s,
    const char *alertname, size_t *n);

struct alert_opts {
	int64_t now;			/* the evaluation time, ms */
	int64_t interval_ms;		/* of a group without 'interval' */
	const struct tmpl_label *external;	/* $externalLabels */
	size_t nexternal;
	const char *external_url;
	struct ingest_sink *record;	/* recording rules' samples; NULL: dropped */
	struct promql_eval_opts limits;	/* lookback, samples, timeout */
	int no_gaps;			/* no gap rule (rule tests) */
	/*
	 * Every alert and recorded sample labelled tenant="TENANT", the
	 * result's or the rule's own tenant label replaced; NULL: none.
	 */
	const char *tenant;
};

struct alert_stats {
	uint64_t rules, failed;		/* evaluated, and failed */
	uint64_t firing, resolved;	/* events written */
	uint64_t recorded;		/* samples of recording rules */
};

/* Called with each rule that failed: "group "g", rule "r": why". */
typedef void (*alert_warn_fn)(void *arg, const char *msg);

/*
 * Evaluate every rule of 'rs' at o->now over store 'st' or stream
 * 'stream' (one of them), updating 's' and writing events to 'events'.
 * A rule that fails is reported to 'warn' and counted, its alerts left
 * as they were.  Returns 0, or -1 with 'eb' (a write error).
 */
int alert_eval(const struct rule_set *rs, struct alert_state *s,
    struct store *st, const struct promql_source *stream,
    const struct alert_opts *o, FILE *events, struct alert_stats *stats,
    alert_warn_fn warn, void *arg, struct errbuf *eb);

#endif
