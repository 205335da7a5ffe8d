/* query.h - answer a query: raw samples, series and labels, or PromQL */
/* SPDX-License-Identifier: MIT */
#ifndef MTK_QUERY_H
#define MTK_QUERY_H

#include <stdint.h>
#include <stdio.h>

#include "base/errbuf.h"
#include "query/output.h"
#include "promql/promql_eval.h"
#include "query/promql_output.h"
#include "store/store.h"

enum query_mode {
	QUERY_SAMPLES,		/* every sample of every matching series */
	QUERY_SERIES,		/* the matching series, one per line */
	QUERY_LABELS,		/* the label names they use */
	QUERY_LABEL_VALUES	/* the values of one label */
};

struct query_opts {
	enum query_mode mode;
	const char *selector;	/* NULL: every series */
	const char *label;	/* for QUERY_LABEL_VALUES */
	int64_t start, end;	/* inclusive, milliseconds */
	enum output_format format;
};

/*
 * Answer 'o' from store 'st', writing to 'fp'.  Returns 0, or -1 with
 * the reason in 'eb' (a bad selector, a corrupt block, a write error).
 */
int query_store(struct store *st, const struct query_opts *o, FILE *fp,
    struct errbuf *eb);

/*
 * PromQL evaluation.
 */
struct query_eval_opts {
	const char *expr;
	struct promql_eval_opts eval;	/* the time range, limits */
	enum promql_format format;
	const char *name;		/* --name: the result's metric name */
};

/*
 * Parse and evaluate 'o->expr' over 'src' and write the result to 'fp'.
 * Returns 0, or -1 with the reason in 'eb' (a parse error
 * "1:5: parse error: ...", an evaluation error, a write error).
 */
int query_eval(const struct promql_source *src, const struct query_eval_opts *o,
    FILE *fp, struct errbuf *eb);

/*
 * Write the raw samples in [start, end] of the series selected by
 * 'selector' from 'src' (no type, unit or help: a source does not keep
 * them), in 'format'.  Returns 0, or -1 with 'eb'.
 */
int query_raw(const struct promql_source *src, const char *selector,
    int64_t start, int64_t end, enum promql_format format, FILE *fp,
    struct errbuf *eb);

/*
 * Write the raw samples of store 'st' selected by 'o' (mode
 * QUERY_SAMPLES) as OpenMetrics text, "# EOF" last.  Returns 0, or -1
 * with 'eb'.
 */
int query_store_openmetrics(struct store *st, const struct query_opts *o,
    FILE *fp, struct errbuf *eb);

/*
 * Called for each bad record of a stream: 'msg' is "name:line: reason".
 */
typedef void (*query_warn_fn)(void *arg, const char *msg);

/*
 * Read the stream 'path' ("-": standard input) into 'ms'.  Bad records
 * go to 'warn' and are counted in '*bad'; with 'strict' the first one
 * stops the reading.  Returns 0, or -1 with 'eb' (cannot open or read,
 * or a bad record under 'strict').
 */
int query_load_stream(struct promql_memsrc *ms, const char *path, int strict,
    query_warn_fn warn, void *arg, uint64_t *bad, struct errbuf *eb);

#endif
