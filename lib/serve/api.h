/* api.h - Prometheus' HTTP query API over a store, for mquery serve */
/* SPDX-License-Identifier: MIT */
#ifndef MTK_API_H
#define MTK_API_H

#include "net/auth.h"
#include "net/httpd.h"
#include "promql/promql_eval.h"
#include "query/query.h"
#include "serve/pool.h"
#include "store/tier.h"

struct api_opts {
	/* The lookback, the sample limit and the timeout of every query
	 * (a request's own timeout= may only lower it). */
	struct promql_eval_opts limits;
	struct tier_opts tier;
	const char *version;	/* what /api/v1/status/buildinfo says */
	/* The tokens file (borrowed), or NULL: with it, each request
	 * needs a token, and sees its tenant's series only. */
	const struct auth *auth;
};

/*
 * Answer one request of Prometheus' HTTP API ('arg': the api) from an
 * input of 'pool' (borrowed; it outlives the api): an httpd_fn, safe to
 * call from several threads at once (pool.h says what each request has
 * of its own).  GET arguments and
 * POST forms (application/x-www-form-urlencoded) alike; answers and
 * errors in Prometheus' JSON shapes: {"status":"success","data":...},
 * or {"status":"error","errorType":"bad_data","error":"..."} with 400
 * for a bad argument, 422 for a failed evaluation, 503 past the timeout,
 * 404 for another path, 405 for another method.  Besides: /api/v1/stream,
 * Server-Sent Events of /api/v1/query's answer each step (a streamed
 * reply: the server must be HTTPD_THREADED); /chart, the last range of
 * an answer as SVG; /, the page (page.h) that shows them.  With o->auth, a
 * request without a token of the file gets 401 and a WWW-Authenticate
 * header, whatever it asks; one with a token is answered from the
 * inputs of its tenant.
 */
struct api;

struct api *api_new(struct pool *pool, const struct api_opts *o);
void api_free(struct api *a);
void api_handle(void *arg, const struct httpd_request *rq,
    struct httpd_reply *rp);

#endif
