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
 * Many queries of one moment (a run of alert rules): the store readers
 * they open are kept and used again by the queries that plan the same
 * tiers and times, and a running writer's log is read once for all of
 * them.  What is written after a reader is opened is not seen: clear
 * the cache to see it (after writing what recording rules give).
 */
struct query_cache;
struct query_cache *query_cache_new(void);
void query_cache_clear(struct query_cache *c);
void query_cache_free(struct query_cache *c);

/*
 * The store as a source: one reader per selection, so each selector
 * sees what was committed when it ran, of the tiers and archives 'tier'
 * says (tier.h), unless a cache keeps them.  Fill it with
 * query_store_source(), then give &qs->src to the evaluator.
 */
struct query_store_source {
	struct promql_source src;
	struct store *st;		/* borrowed: it outlives the source */
	struct tier_opts tier;
	struct query_cache *cache;	/* borrowed, or NULL */
};

/*
 * Make 'qs' read 'st' as 'o' says (copied).  With 'cache' (above),
 * readers come from it and stay in it.
 */
void query_store_source(struct query_store_source *qs, struct store *st,
    const struct tier_opts *o, struct query_cache *cache);

/*
 * The reader of a cache for 'st' planned as 'o' over [mint, maxt]: one
 * already open for the same plan, or a new one kept there.  Borrowed
 * from the cache; NULL with 'eb'.
 */
struct store_reader *query_cache_reader(struct query_cache *c,
    struct store *st, const struct tier_opts *o, int64_t mint, int64_t maxt,
    struct store_span *plan, size_t *nplan, struct errbuf *eb);

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
