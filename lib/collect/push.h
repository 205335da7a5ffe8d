/* push.h - samples pushed over HTTP, in the stream or the text formats */
/* SPDX-License-Identifier: MIT */
#ifndef MTK_PUSH_H
#define MTK_PUSH_H

#include <stddef.h>

#include "base/buf.h"
#include "collect/statsd.h"
#include "net/auth.h"
#include "net/httpd.h"
#include "stream/ingest.h"

/*
 * The handler of an HTTP listener (net/httpd.h):
 *
 *  POST /api/v1/push   a batch of samples: stream lines (the default,
 *                      application/x-ndjson), the Prometheus text format
 *                      (text/plain) or OpenMetrics
 *                      (application/openmetrics-text), or as ?format=
 *                      jsonl|prometheus|openmetrics|influx says; gzip
 *                      when Content-Encoding says so.  ?format=statsd:
 *                      StatsD lines, added up by 'statsd' (counters as
 *                      increments) and written at its flushes.  204 with the samples
 *                      taken in X-Mtk-Accepted; 400 naming the first bad
 *                      line and why, the good lines of the batch kept
 *                      all the same; 413 past the size limit (nothing
 *                      kept); 401 without a known token when tokens
 *                      are asked; 429 with Retry-After when the
 *                      tenant is over its rate; 503 when the output
 *                      failed.
 *  POST /write         InfluxDB 1.x's: the line protocol (stream/influx.h),
 *                      ?precision=, errors as {"error": "..."}.
 *  GET /healthz        200 "ok".
 *  GET /metrics        the listener's counters, in the text format.
 *
 * A sample without a timestamp gets the time its request arrived; the
 * labels of 'labels' go over its own.  Requests are handled in the
 * server's thread: the output is taken under a lock, which push_sink()
 * shares with another source of the same output.
 */
struct push_opts {
	const char *const *labels;	/* "NAME=VALUE" */
	size_t nlabels;
	size_t max_body;		/* the limit, for its message */
	const struct auth *auth;	/* tokens to tenants, or NULL: none */
	double rate, burst;		/* samples/s and bucket of a tenant
					   the tokens file gives none; 0:
					   no limit, burst 0: 'rate' */
	/* StatsD lines (?format=statsd) are added up here, or refused. */
	struct statsd *statsd;
	/* More of /metrics: text format written to 'out', or NULL. */
	void (*more_metrics)(void *arg, struct buf *out);
	void *more_arg;
};

struct push;

struct push *push_new(const struct push_opts *o, const struct ingest_sink *out);
void push_free(struct push *p);

/* A sink into the same output, under the same lock. */
void push_sink(struct push *p, struct ingest_sink *out);

/* The handler, 'arg' a struct push. */
void push_handle(void *arg, const struct httpd_request *rq,
    struct httpd_reply *rp);

#endif
