/* query_int.h - the parts query_run() puts together: raw reads, PromQL */
/* SPDX-License-Identifier: MIT */
#ifndef MTK_QUERY_INT_H
#define MTK_QUERY_INT_H

#include <stdint.h>
#include <stdio.h>

#include "query/query.h"

/* Internal to lib/query: programs ask through query_run() (query.h). */

struct query_opts {
	enum query_what mode;	/* ANSWER (every sample), SERIES, LABELS,
				   LABEL_VALUES */
	const char *selector;	/* NULL: every series */
	const char *label;	/* for QUERY_LABEL_VALUES */
	int64_t start, end;	/* inclusive, milliseconds */
	enum query_format format;
	struct tier_opts tier;	/* which tiers answer */
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
	enum query_format format;
	const char *name;		/* --name: the result's metric name */
	const struct chart_opts *chart;	/* QUERY_FMT_CHART's */
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
    int64_t start, int64_t end, enum query_format format, FILE *fp,
    struct errbuf *eb);

/*
 * --series, --labels, --label-values ('o->mode') over a source (a
 * stream): as query_store() writes them from a store.  Returns 0, or -1
 * with 'eb'.
 */
int query_listing(const struct promql_source *src, const struct query_opts *o,
    FILE *fp, struct errbuf *eb);

#endif
