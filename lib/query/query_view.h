/* query_view.h - mquery's shortcuts: the latest values, statistics, a live view */
/* SPDX-License-Identifier: MIT */
#ifndef MTK_QUERY_VIEW_H
#define MTK_QUERY_VIEW_H

#include <signal.h>
#include <stdint.h>
#include <stdio.h>

#include "base/errbuf.h"
#include "stream/metric.h"
#include "promql/promql_eval.h"
#include "query/promql_output.h"
#include "query/query_int.h"

/*
 * Three ways of looking at a selector or a PromQL expression that a
 * shell user wants more often than a dump of samples (mquery(1) has the
 * user's side).  In each, a "raw" query is a bare series selector looked
 * at through its stored samples; anything else is PromQL, evaluated.
 *
 * QUERY_VIEW_LATEST: for a selector, the newest sample of each series in
 *   [t - lookback, t] (t: the instant query's time), at its own time,
 *   unless that sample is a stale marker; for an expression, its
 *   instant value at t.  Every query_format.  A table ends in a
 *   sparkline of each series over [t - QUERY_LATEST_TREND_MS, t], read
 *   in a second pass (none past QUERY_LATEST_TREND_MAX series): of its
 *   samples, or of the points of the expression's range query at
 *   QUERY_LATEST_TREND_MS / QUERY_TREND_WIDTH steps.
 * QUERY_VIEW_STATS: per series, the count, minimum, average, maximum and
 *   the 0.5, 0.95 and 0.99 quantiles of the values in [start, end]: of
 *   the samples (stale markers left out) for a selector, of the points
 *   of the range query for an expression.  They are those of
 *   count_over_time(), min_over_time(), avg_over_time(), max_over_time()
 *   and quantile_over_time() over the same values.  Table, CSV or JSONL
 *   (one JSON object per series).
 * QUERY_VIEW_FOLLOW: the live view of a store, until '*stop' is set.  For
 *   a selector, every sample once, in time order per series, as it
 *   appears; for an expression, its value at each multiple of the step
 *   as the clock passes it.  Table, CSV or JSONL, flushed per batch.
 */
enum query_view {
	QUERY_VIEW_NONE = 0,
	QUERY_VIEW_LATEST,
	QUERY_VIEW_STATS,
	QUERY_VIEW_FOLLOW
};

/* The TREND column of LATEST and STATS tables: a sparkline this wide. */
#define QUERY_TREND_WIDTH 16

/*
 * LATEST's sparklines: of the hour up to the time, for at most this many
 * series (reading an hour of each costs several times what reading the
 * lookback does).
 */
#define QUERY_LATEST_TREND_MS (60 * 60 * 1000)
#define QUERY_LATEST_TREND_MAX 10000

/* The step of --follow for an expression when none is given. */
#define QUERY_FOLLOW_STEP_MS 15000

/* How often --follow reads the store for a selector. */
#define QUERY_FOLLOW_POLL_MS 1000

struct query_view_opts {
	enum query_view view;
	int raw;		/* the expression is a bare selector: samples */
	int64_t start, end;	/* the range of STATS; FOLLOW's start */
	int history;		/* FOLLOW: a start was given (else: now) */
	int64_t step;		/* the --step given, or 0 */
	/* FOLLOW: set (by a signal handler) to end the view, then 0 is returned. */
	const volatile sig_atomic_t *stop;
};

/*
 * Show 'e->expr' the way 'v' says, read from 'src', writing to 'fp'
 * (both borrowed).  'st', when not NULL, is the store behind 'src': raw
 * samples then keep their type, unit and help (jsonl), and FOLLOW needs
 * it.  'e' gives the format, --name, the lookback and the limits; for
 * LATEST, e->eval.start is the time; for STATS of an expression
 * e->eval.step is the step, or 0 to take Prometheus graph's.  Returns
 * 0, or -1 with the reason in 'eb' (a parse or evaluation error, a
 * corrupt store, a write error).
 */
int query_view(struct store *st, const struct promql_source *src,
    const struct query_view_opts *v, const struct query_eval_opts *e,
    FILE *fp, struct errbuf *eb);

/* The views one by one, as query_view() calls them (FOLLOW needs 'st'). */
int query_latest(struct store *st, const struct promql_source *src,
    const struct query_view_opts *v, const struct query_eval_opts *e,
    FILE *fp, struct errbuf *eb);
int query_stats(struct store *st, const struct promql_source *src,
    const struct query_view_opts *v, const struct query_eval_opts *e,
    FILE *fp, struct errbuf *eb);
int query_follow(struct store *st, const struct promql_source *src,
    const struct query_view_opts *v, const struct query_eval_opts *e,
    FILE *fp, struct errbuf *eb);

/*
 * The selection shared by the views.  Calls 'fn' once per series that
 * 'selector' matches and that has samples in [mint, maxt], in key
 * order, with its name and labels in 'meta' (type, unit and help too
 * when 'st' is given, else a gauge) and its samples, all borrowed for
 * the call.  'fn' returns 0, or -1 with 'eb' to stop.  Reads the raw
 * tier of 'st' when given ('rows' then NULL), else 'src', asked for
 * 'use' (promql_eval.h: what samples that stand for rolled rows give,
 * described in 'rows').  Returns 0, or -1 with 'eb'.
 */
typedef int (*query_series_fn)(void *arg, const struct sample *meta,
    const int64_t *ts, const double *v, size_t n,
    const struct promql_rows *rows, struct errbuf *eb);

int query_select_series(struct store *st, const struct promql_source *src,
    const char *selector, int64_t mint, int64_t maxt, enum promql_use use,
    query_series_fn fn, void *arg, struct errbuf *eb);

#endif
