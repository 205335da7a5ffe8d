/* query.h - the front door of every query: a request, planned and answered */
/* SPDX-License-Identifier: MIT */
#ifndef MTK_QUERY_H
#define MTK_QUERY_H

#include <stdint.h>
#include <stdio.h>

#include "base/errbuf.h"
#include "query/chart.h"
#include "query/output.h"
#include "promql/promql_eval.h"
#include "query/promql_source.h"
#include "query/promql_output.h"
#include "store/store.h"

/*
 * The front door of every query: what a program asks (a request), one
 * call that plans and answers it (query_run()), written in one of the
 * formats of format.h.  mquery, malert, mshell and the HTTP API all ask
 * here; the parts it calls are in query_int.h and query_view.h.
 */

/* What is asked of the expression. */
enum query_what {
	QUERY_ANSWER,		/* raw samples of a bare selector, else PromQL */
	QUERY_SERIES,		/* the matching series, one per line */
	QUERY_LABELS,		/* the label names they use */
	QUERY_LABEL_VALUES,	/* the values of one label */
	QUERY_LATEST,		/* the newest sample, or the instant value */
	QUERY_STATS,		/* count, min, avg, max, quantiles per series */
	QUERY_FOLLOW		/* the live view, until '*stop' */
};

/* Which times the asker gave, rather than took by default. */
enum {
	QUERY_GIVEN_TIME = 1 << 0,	/* 'time': an instant query was asked */
	QUERY_GIVEN_START = 1 << 1,	/* 'start': a range was asked */
	QUERY_GIVEN_END = 1 << 2,	/* 'end' */
	QUERY_GIVEN_STREAM = 1 << 3	/* the answer comes from a stream */
};

struct query_request {
	enum query_what what;
	const char *expr;	/* a selector or PromQL; NULL: every series
				   (SERIES, LABELS, LABEL_VALUES only) */
	const char *label;	/* LABEL_VALUES: the label's name */
	int64_t start, end;	/* the range, inclusive, ms */
	int64_t time;		/* the time of an instant query, ms */
	int64_t step;		/* ms; 0: none given */
	unsigned given;		/* QUERY_GIVEN_* */
	enum query_format format;
	const char *name;	/* the metric name of every result series */
	/* The lookback, --max-samples and --timeout (its times ignored). */
	struct promql_eval_opts limits;
	struct tier_opts tier;	/* which tiers answer (tier.h) */
	/* FOLLOW ends, returning 0, once this is set (by a signal handler). */
	const volatile sig_atomic_t *stop;
	/* Readers kept between queries of one moment, or NULL (promql_source.h). */
	struct query_cache *cache;
	/* QUERY_FMT_CHART: its size, colours, title (chart.h). */
	struct chart_opts chart;
};

#define QUERY_REQUEST_INIT { .what = QUERY_ANSWER, .limits = PROMQL_EVAL_OPTS_INIT, \
	.tier = TIER_OPTS_INIT, .chart = CHART_OPTS_INIT }

/*
 * Whether 'rq' can be asked at all: NULL if so, else why not, a static
 * string fit for a usage error ("--latest takes --time, not --start, ...").
 */
const char *query_request_conflict(const struct query_request *rq);

/*
 * Parse the expression of 'rq' (a selector for a listing), so that a
 * syntax error is told before any input is read.  Returns 0, or -1 with
 * the error ("1:5: parse error: ...") in 'eb'.
 */
int query_request_parse(const struct query_request *rq, struct errbuf *eb);

/*
 * Answer 'rq' from store 'st', or, when 'st' is NULL, from 'stream' (a
 * stream read into memory: promql_source.h), writing to 'fp'; all
 * borrowed.  The plan (mquery(1), "Raw samples or PromQL"): a bare
 * selector without an instant time or a step is answered with its raw
 * samples, anything else is evaluated; an expression over a range with
 * no step gets Prometheus graph's (about 250 points, at least 1 s); the
 * tiers follow the step and the lookback the tiers.  Damaged files of
 * 'st' are passed over and noted on it (store_damage()).  Returns 0, or
 * -1 with 'eb' (a parse or evaluation error, a write error).
 */
int query_run(struct store *st, const struct promql_source *stream,
    const struct query_request *rq, FILE *fp, struct errbuf *eb);

/*
 * Evaluate the PromQL expression of 'rq' (QUERY_ANSWER; an instant
 * query at rq->time, or a range with a step), planned as query_run()
 * plans an evaluation, and hand back the result instead of writing it,
 * for programs that act on values (malert).  Returns a new result (free
 * with promql_result_free()), or NULL with 'eb'.
 */
struct promql_result *query_result(struct store *st,
    const struct promql_source *stream, const struct query_request *rq,
    struct errbuf *eb);

/*
 * The label names (rq->what QUERY_LABELS) or the values of label
 * rq->label (QUERY_LABEL_VALUES; "__name__": the metric names) of the
 * series of the selector rq->expr (NULL: every series) with samples in
 * [rq->start, rq->end], added to 'out' (each once, unordered), for a
 * program that completes words rather than prints them (mshell).  From
 * store 'st' (its index, where it can) or 'stream'.  Returns 0, or -1
 * with 'eb'.
 */
struct strmap;
int query_names(struct store *st, const struct promql_source *stream,
    const struct query_request *rq, struct strmap *out, struct errbuf *eb);

/*
 * Say how 'rq' (QUERY_ANSWER) would be answered, without answering it:
 * the expression as PromQL prints it, raw samples or an evaluation (its
 * times, step and lookback), the tiers of 'st' read and their times (or
 * that a stream is read), and the parsed tree (promql_print_tree()), to
 * 'fp'.  Returns 0, or -1 with 'eb'.
 */
int query_explain(struct store *st, const struct promql_source *stream,
    const struct query_request *rq, FILE *fp, struct errbuf *eb);

/*
 * Write the names of the PromQL functions (promql_funcs[], the parser's
 * table) to 'fp', one per line, sorted, for shell completion.  Returns
 * 0, or -1 with a write error in 'eb'.
 */
int query_functions_write(FILE *fp, struct errbuf *eb);

/*
 * Called for each bad record of a stream: 'msg' is "name:line: reason".
 */
typedef void (*query_warn_fn)(void *arg, const char *msg);

/*
 * Read the stream 'path' ("-": standard input) into 'ms', only the
 * series of 'tenant' (tenant="T") unless it is NULL.  Bad records go
 * to 'warn' and are counted in '*bad'; with 'strict' the first one
 * stops the reading.  Returns 0, or -1 with 'eb' (cannot open or read,
 * or a bad record under 'strict').
 */
int query_load_stream(struct promql_memsrc *ms, const char *path,
    const char *tenant, int strict, query_warn_fn warn, void *arg,
    uint64_t *bad, struct errbuf *eb);

/*
 * What a program queries: a store, or a stream read into memory.  Open
 * with query_input_open(); the store or the stream's source then goes
 * to query_run() or query_result().
 */
struct query_input {
	struct store *st;		/* the store, or NULL */
	struct promql_memsrc *ms;	/* the stream, or NULL */
	struct promql_source src;	/* the stream's source */
	int64_t newest;			/* its newest sample; INT64_MIN: none */
};

struct query_input_opts {
	const char *dir;		/* the store */
	const char *file;		/* or a stream file, "-": standard input */
	const char *tenant;		/* see only its series; NULL: all */
	int strict;			/* a bad record of the stream stops */
	query_warn_fn warn;		/* told bad records, or NULL */
	void *warn_arg;
};

/*
 * With o->file, read it into 'in' as query_load_stream() does; else open
 * the store o->dir read-only, an unknown setting of its mtk.conf told to
 * 'warn'.  With o->tenant, every query of 'in' sees only the series
 * labelled tenant="TENANT" (store_restrict()): it is the input's, not
 * each query's, so none can ask past it.  Returns 0, or -1 with 'eb'
 * ('in' then closed).
 */
int query_input_open(struct query_input *in, const struct query_input_opts *o,
    uint64_t *bad, struct errbuf *eb);

/* The stream's source for query_run(), or NULL when it is a store. */
const struct promql_source *query_input_stream(const struct query_input *in);

void query_input_close(struct query_input *in);

#endif
