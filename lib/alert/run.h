/* run.h - malert's run: the rules evaluated, the alerts told, its own metrics */
/* SPDX-License-Identifier: MIT */
#ifndef MTK_ALERT_RUN_H
#define MTK_ALERT_RUN_H

#include <stdint.h>
#include <stdio.h>

#include "alert/alert.h"
#include "alert/route.h"
#include "alert/rules.h"
#include "promql/promql_eval.h"

/*
 * One run, from cron or each turn of a loop, does in order:
 *
 *  1. lock and read the alerts' state (alert_state_open());
 *  2. open the store read-only, or read the stream of 'file';
 *  3. evaluate every rule at the run's time (alert_eval()), writing the
 *     transitions to 'events' and what recording rules give to the store
 *     ('record') or as a stream to 'record_out';
 *  4. tell the receivers of 'routes' (notify_run()), silences and
 *     acknowledgements read from STATE.silences, the notices' own state
 *     in STATE.notices;
 *  5. give every alert to each Alertmanager;
 *  6. write the state back, and with 'self_metrics' add the run's own
 *     metrics (mtk_malert_*) to the store, when the store is writable.
 *
 * A writer into the store (for 'record' or the metrics) is opened at the
 * first run that needs it and kept until alert_runner_free(): a loop
 * adds to one log instead of leaving a block behind each turn.
 */
struct alert_run_opts {
	const char *store_dir;		/* the store, unless 'file' */
	const char *file;		/* a stream ("-": standard input) */
	int strict;			/* with 'file': stop at a bad record */
	/*
	 * Only the series labelled tenant="TENANT" read; every alert,
	 * recorded sample and own metric labelled so.  NULL: all.
	 */
	const char *tenant;
	const char *state_path;
	int64_t interval_ms;		/* of groups that give none */
	const struct tmpl_label *external;	/* $externalLabels, sorted */
	size_t nexternal;
	const char *external_url;
	const struct route_config *routes;	/* NULL: no receivers */
	const char *const *alertmanagers;
	size_t nalertmanagers;
	int record;			/* recording rules into the store */
	FILE *record_out;		/* or as a stream here; or NULL */
	int self_metrics;		/* mtk_malert_* into the store */
	struct promql_eval_opts limits;
	FILE *events;			/* the transitions, JSON Lines */
	alert_warn_fn warn;		/* every failure, said */
	void *warn_arg;
};

struct alert_runner;

/* A runner of the rules 'rs' (borrowed, as 'o' is, until freed). */
struct alert_runner *alert_runner_new(const struct rule_set *rs,
    const struct alert_run_opts *o);

/*
 * One run at 'now' (ms), or with 'now_given' 0 over a stream, at the
 * stream's newest sample.  Returns 0, or 1 when anything failed (a rule,
 * a receiver, an Alertmanager, a bad record, damage in the store; each
 * said to 'warn').
 */
int alert_runner_run(struct alert_runner *r, int64_t now, int now_given);

/* Close the store writer, if one was opened.  0, or 1 when that failed. */
int alert_runner_free(struct alert_runner *r);

#endif
