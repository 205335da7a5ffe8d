/* fuzz_api.c - Prometheus' HTTP API: any form to any endpoint */
/* SPDX-License-Identifier: MIT */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "serve/api.h"

/* A few series, an hour from 1700000000. */
static const char stream[] =
    "{\"name\":\"x\",\"value\":1,\"ts\":1700000000000,\"labels\":{\"s\":\"a\"}}\n"
    "{\"name\":\"x\",\"value\":5,\"ts\":1700001800000,\"labels\":{\"s\":\"a\"}}\n"
    "{\"name\":\"x\",\"value\":2,\"ts\":1700000000000,\"labels\":{\"s\":\"b\"}}\n"
    "{\"name\":\"up\",\"value\":1,\"ts\":1700003600000,\"labels\":{\"job\":\"j\"}}\n";

/*
 * The first byte picks the endpoint and the method; the rest is the
 * form (a POST body) or, for a GET, the value of one argument (query,
 * match[] or limit, as the first byte says).  The answer is JSON of
 * Prometheus' shape, with a status the API documents.
 */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const paths[] = { "/api/v1/query",
		"/api/v1/query_range", "/api/v1/series", "/api/v1/labels",
		"/api/v1/label/s/values", "/api/v1/status/buildinfo",
		"/api/v1/label//values", "/nothing", "/api/v1/format_query",
		"/api/v1/metadata", "/chart", "/api/v1/stream", "/" };
	static struct api *a;
	struct httpd_request rq;
	struct httpd_reply rp;
	const char *args[4];
	char *body;

	if (a == NULL) {
		struct query_input_opts qo = { NULL, NULL, NULL, 0, NULL, NULL };
		struct api_opts ao = { PROMQL_EVAL_OPTS_INIT, TIER_OPTS_INIT,
			"0", NULL };
		struct errbuf eb = ERRBUF_INIT;
		char path[32];
		uint64_t bad = 0;
		int fd = fuzz_memfile((const uint8_t *)stream,
		    sizeof(stream) - 1, path);
		qo.file = path;
		/* Every query gives up soon: the fuzzer tries many. */
		ao.limits.timeout_ms = 200;
		ao.limits.max_samples = 100000;
		struct pool *pool;
		fuzz_assert(fd != -1 && (pool = pool_new(&qo, NULL, 1, NULL, &bad,
		    &eb)) != NULL);
		a = api_new(pool, &ao);
	}
	if (size < 1)
		return 0;
	body = malloc(size);
	memcpy(body, data + 1, size - 1);
	memset(&rq, 0, sizeof(rq));
	rq.path = paths[data[0] % 13];
	rq.method = data[0] & 8 ? "GET" : "POST";
	rq.content_type = "application/x-www-form-urlencoded";
	rq.body = body;
	rq.len = size - 1;
	if (data[0] & 8) {
		/* One argument, as libmicrohttpd would hand it decoded. */
		body[size - 1] = '\0';
		args[0] = data[0] & 32 ? "limit" : data[0] & 16 ? "query" :
		    "match[]";
		args[1] = body;
		args[2] = "time";
		args[3] = "1700001800";
		rq.args = args;
		rq.nargs = 2;
	}
	memset(&rp, 0, sizeof(rp));
	rp.status = 200;
	api_handle(a, &rq, &rp);
	if (rp.stream.more) {
		/* A stream's first event, as httpd would send it. */
		struct buf ev = BUF_INIT;
		fuzz_assert(rp.status == 200 && rp.stream.more(rp.stream.arg,
		    &ev) >= 0);
		fuzz_assert(ev.len > 20 && memcmp(ev.p, "data: {\"status\":\"",
		    17) == 0 && memcmp(ev.p + ev.len - 2, "\n\n", 2) == 0);
		rp.stream.done(rp.stream.arg);
		buf_release(&ev);
	} else if (rp.status == 200 && strcmp(rq.path, "/") == 0) {
		fuzz_assert(memcmp(rp.body.p, "<!DOCTYPE html>", 15) == 0);
	} else if (rp.status == 200 && strcmp(rq.path, "/chart") == 0) {
		fuzz_assert(strstr(rp.body.p, "<svg") != NULL);
	} else {
		fuzz_assert(rp.body.len > 12 &&
		    memcmp(rp.body.p, "{\"status\":\"", 11) == 0);
	}
	fuzz_assert(rp.status == 200 || rp.status == 400 || rp.status == 404 ||
	    rp.status == 422 || rp.status == 503);
	buf_release(&rp.body);
	free(body);
	return 0;
}
