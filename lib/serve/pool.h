/* pool.h - query inputs for requests answered at once, a set per tenant */
/* SPDX-License-Identifier: MIT */
#ifndef MTK_POOL_H
#define MTK_POOL_H

#include <stddef.h>
#include <stdint.h>

#include "base/errbuf.h"
#include "net/auth.h"
#include "query/query.h"

/*
 * A query input (query.h) is one thread's at a time: its store handle
 * notes the damaged files its readers pass over, and a stream sorts its
 * series at its first selection.  Requests answered at once therefore
 * each take an input of their own from a pool and give it back after:
 * an idle one, or one opened then (up to 'max' in use at once; past
 * that a request waits for one to be given back).  Nothing of an input
 * is shared but the store's files, which any number of readers and
 * writers use at once (store.h).
 *
 * Inputs are kept per tenant: a store handle's restriction to a tenant
 * (store_restrict()) is for all its queries, so the inputs of tenant i
 * of a tokens file (auth.h) are opened restricted to its name, when
 * first asked for.  Without a tokens file there is one set, restricted
 * as o->tenant says.
 *
 * A stream (o->file) is read once, into one input: its requests take
 * turns ('max' is then 1) and it has no tenants.
 */
struct pool;

/*
 * A pool of the inputs that 'o' opens (copied; its strings borrowed, as
 * is 'auth', NULL for none), up to 'max' in use.  The first input is
 * opened now, so that a missing store or a bad stream is told at once;
 * every store handle keeps its decompressed data in 'cache' (borrowed,
 * shared by all: store_use_cache()), unless it is NULL;
 * bad records of a stream are counted in '*bad'.  Returns a new pool
 * (free with pool_free()), or NULL with 'eb'.
 */
struct pool *pool_new(const struct query_input_opts *o,
    const struct auth *auth, size_t max, struct block_cache *cache,
    uint64_t *bad, struct errbuf *eb);

/* Close every input; none may be taken. */
void pool_free(struct pool *p);

/*
 * An input of 'tenant' (auth_check()'s index; 0 without a tokens file),
 * waiting while 'max' are in use.  Safe from any thread.  Returns it
 * (give it back with pool_give()), or NULL with 'eb' when a new one
 * cannot be opened.
 */
struct query_input *pool_take(struct pool *p, size_t tenant,
    struct errbuf *eb);

/* Give back 'in', taken for 'tenant', for the next request. */
void pool_give(struct pool *p, size_t tenant, struct query_input *in);

#endif
