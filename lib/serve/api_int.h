/* api_int.h - what api.c shares with the endpoints of other files (live.c) */
/* SPDX-License-Identifier: MIT */
#ifndef MTK_API_INT_H
#define MTK_API_INT_H

#include <stdint.h>

#include "base/buf.h"
#include "net/httpd.h"
#include "query/query.h"
#include "serve/api.h"

/* Internal to lib/serve: mquery serve asks through api.h. */

#define ARGS_MAX 256

/* Read-only once made, but for the pool, which has its own lock. */
struct api {
	struct pool *pool;
	struct api_opts o;
};

/* A request's arguments: its query's, then its form's. */
struct args {
	const char *k[ARGS_MAX], *v[ARGS_MAX];
	size_t n;
	char *form;		/* the form, decoded in place */
};

/* The first value of argument 'name', or NULL. */
const char *api_arg(const struct args *a, const char *name);

/* The argument 'query', or NULL when there is none (400 replied). */
const char *api_need_query(const struct args *a, struct httpd_reply *rp);

/* Reply Prometheus' error: {"status":"error","errorType":...}. */
void api_error(struct httpd_reply *rp, int status, const char *type,
    const char *msg);

/* A duration: seconds, or as PromQL writes one ("15s").  0, or -1. */
int api_duration(const char *s, int64_t *ms);

/* A whole number as Go's strconv.Atoi takes one: 0, or -1. */
int api_int(const char *s, long *out);

/* A request of 'what' with the api's limits and tiers, and the
 * request's own shorter timeout=. */
void api_request(struct api *a, struct query_request *rq,
    enum query_what what, const struct args *args);

/*
 * Run 'rq' over 'in', appending what it writes to 'out'.  Returns 0, or
 * -1 with the error replied: 400 for a bad expression, 503 past the
 * timeout, 422 for other failures.
 */
int api_run(struct query_input *in, struct query_request *rq,
    struct buf *out, struct httpd_reply *rp);

/* /api/v1/query ('range' 0) and /api/v1/query_range ('range' 1). */
void api_query(struct api *a, struct query_input *in,
    const struct args *args, int range, struct httpd_reply *rp);

/* live.c: /chart, an SVG image; /api/v1/stream, Server-Sent Events. */
void api_chart(struct api *a, struct query_input *in,
    const struct args *args, struct httpd_reply *rp);
void api_stream(struct api *a, size_t tenant, const struct args *args,
    struct httpd_reply *rp);

#endif
