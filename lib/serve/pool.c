/* pool.c - query inputs for requests answered at once, a set per tenant */
/* SPDX-License-Identifier: MIT */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "base/xalloc.h"
#include "serve/pool.h"
#include "store/store.h"

/* The idle inputs of one tenant. */
struct idle {
	struct query_input **in;
	size_t n, cap;
};

/*
 * 'lock' guards 'inuse' and every idle list; inputs are opened and
 * closed outside it, so that a slow open holds no one else up.
 */
struct pool {
	struct query_input_opts o;
	const struct auth *auth;
	struct block_cache *cache;	/* every store handle's, or NULL */
	size_t ntenants, max, inuse;
	struct idle *idle;	/* one per tenant, or one */
	pthread_mutex_t lock;
	pthread_cond_t freed;
};

static struct query_input *
input_open(struct pool *p, size_t tenant, uint64_t *bad, struct errbuf *eb)
{
	struct query_input_opts o = p->o;
	struct query_input *in = xcalloc(1, sizeof(*in));

	if (p->auth)
		o.tenant = auth_tenant(p->auth, tenant)->name;
	if (query_input_open(in, &o, bad, eb) == -1) {
		free(in);
		return NULL;
	}
	if (in->st && p->cache)
		store_use_cache(in->st, p->cache);
	return in;
}

struct pool *
pool_new(const struct query_input_opts *o, const struct auth *auth,
    size_t max, struct block_cache *cache, uint64_t *bad, struct errbuf *eb)
{
	struct pool *p;
	struct query_input *in;

	if (auth && (o->file || o->tenant)) {
		errbuf_set(eb, "tokens name the tenants of a store: not with "
		    "a stream or a tenant");
		return NULL;
	}
	p = xcalloc(1, sizeof(*p));
	p->o = *o;
	p->auth = auth;
	p->cache = cache;
	p->ntenants = auth ? auth_ntenants(auth) : 0;
	p->max = o->file || max < 1 ? 1 : max;
	p->idle = xcalloc(p->ntenants ? p->ntenants : 1, sizeof(*p->idle));
	pthread_mutex_init(&p->lock, NULL);
	pthread_cond_init(&p->freed, NULL);
	if ((in = input_open(p, 0, bad, eb)) == NULL) {
		pool_free(p);
		return NULL;
	}
	/* mtk.conf's unknown settings are told once, not at every open. */
	p->o.warn = NULL;
	p->inuse = 1;
	pool_give(p, 0, in);
	return p;
}

void
pool_free(struct pool *p)
{
	size_t i, j;

	if (p == NULL)
		return;
	for (i = 0; i < (p->ntenants ? p->ntenants : 1); i++) {
		for (j = 0; j < p->idle[i].n; j++) {
			query_input_close(p->idle[i].in[j]);
			free(p->idle[i].in[j]);
		}
		free(p->idle[i].in);
	}
	free(p->idle);
	pthread_cond_destroy(&p->freed);
	pthread_mutex_destroy(&p->lock);
	free(p);
}

struct query_input *
pool_take(struct pool *p, size_t tenant, struct errbuf *eb)
{
	struct idle *l = &p->idle[tenant];
	struct query_input *in = NULL;
	uint64_t bad = 0;

	pthread_mutex_lock(&p->lock);
	while (p->inuse >= p->max)
		pthread_cond_wait(&p->freed, &p->lock);
	p->inuse++;
	if (l->n)
		in = l->in[--l->n];
	pthread_mutex_unlock(&p->lock);
	/* A stream has its one input, which is never closed. */
	if (in == NULL && (in = input_open(p, tenant, &bad, eb)) == NULL) {
		pthread_mutex_lock(&p->lock);
		p->inuse--;
		pthread_cond_signal(&p->freed);
		pthread_mutex_unlock(&p->lock);
	}
	return in;
}

void
pool_give(struct pool *p, size_t tenant, struct query_input *in)
{
	struct idle *l = &p->idle[tenant];

	pthread_mutex_lock(&p->lock);
	l->in = xgrow(l->in, &l->cap, l->n + 1, sizeof(*l->in));
	l->in[l->n++] = in;
	p->inuse--;
	pthread_cond_signal(&p->freed);
	pthread_mutex_unlock(&p->lock);
}
