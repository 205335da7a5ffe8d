/* promql_source.h - where PromQL reads series: the store, or a stream in memory */
/* SPDX-License-Identifier: MIT */
#ifndef MTK_PROMQL_SOURCE_H
#define MTK_PROMQL_SOURCE_H

#include <stddef.h>
#include <stdint.h>

#include "promql/promql_eval.h"
#include "store/store.h"
#include "store/tier.h"

/*
 * The store as a source: one reader per selection, so each selector
 * sees what was committed when it ran, of the tiers and archives 'tier'
 * says (tier.h).  Fill it with query_store_source(), then give
 * &qs->src to the evaluator.
 */
struct query_store_source {
	struct promql_source src;
	struct store *st;		/* borrowed: it outlives the source */
	struct tier_opts tier;
};

/* Make 'qs' read 'st' as 'o' says (copied). */
void query_store_source(struct query_store_source *qs, struct store *st,
    const struct tier_opts *o);

/*
 * An in-memory source: samples added one at a time (as read from a
 * stream), in any order; for a timestamp given twice the last wins.
 */
struct promql_memsrc;

/* Returns a new, empty source; free with promql_memsrc_free(). */
struct promql_memsrc *promql_memsrc_new(void);
void promql_memsrc_free(struct promql_memsrc *ms);

/* Add a sample of the series 'key' (series.h), copied. */
void promql_memsrc_add(struct promql_memsrc *ms, const char *key,
    size_t keylen, int64_t ts, double v);

/* Samples held. */
uint64_t promql_memsrc_samples(const struct promql_memsrc *ms);

/* The newest time of a sample held, INT64_MIN when none is. */
int64_t promql_memsrc_newest(const struct promql_memsrc *ms);

/*
 * Fill 'src' to read 'ms' (borrowed; it must outlive 'src' and take no
 * samples while 'src' is in use).
 */
void promql_memsrc_source(struct promql_memsrc *ms, struct promql_source *src);

#endif
