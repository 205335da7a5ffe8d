/* serve_load.c - load a dashboard's range queries from a Prometheus API */
/* SPDX-License-Identifier: MIT */
#include <ctype.h>
#include <err.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/buf.h"
#include "net/http.h"

/*
 * usage: serve_load URL START END STEP ROUNDS [DIR] <queries
 *
 * Each line of standard input is a PromQL expression, one panel of a
 * dashboard.  A round loads the dashboard twice through URL's
 * /api/v1/query_range (GET, START to END at STEP, kept-alive
 * connections): first one query after the other, each timed alone,
 * then all at once, as Grafana sends a dashboard's panels, timed to the
 * last answer.  Prints, per round,
 *	seq ROUND QUERY SECONDS BYTES
 * for each query and
 *	par ROUND SECONDS
 * for the whole.  Answers are asked without compression (Grafana's
 * client asks for gzip; mquery serve does not compress, and
 * Prometheus' gzip would only add to its time).  With DIR, the answers
 * of the first round are written to DIR/N.json (N from 1).  Exits 1
 * if an answer was not 200 or not a success.
 */

#define MAXQ 64

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Append 's' to 'b' as a form value: unreserved characters as they are. */
static void
form_escape(struct buf *b, const char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (isalnum(c) || strchr("-._~", c))
			buf_addch(b, (char)c);
		else
			buf_addf(b, "%%%02X", c);
	}
}

static void
check(const struct http_request *r, size_t q)
{
	static const char ok[] = "{\"status\":\"success\"";

	if (r->status != 200 || r->reply.len < sizeof(ok) - 1 ||
	    memcmp(r->reply.p, ok, sizeof(ok) - 1) != 0)
		errx(1, "query %zu: HTTP %ld %s: %.*s", q + 1, r->status,
		    r->error, (int)(r->reply.len > 300 ? 300 : r->reply.len),
		    r->reply.p ? r->reply.p : "");
}

/* Write answer 'q' to DIR/N.json. */
static void
save(const char *dir, size_t q, const struct buf *b)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%zu.json", dir, q + 1);
	if ((f = fopen(path, "w")) == NULL ||
	    fwrite(b->p, 1, b->len, f) != b->len || fclose(f) != 0)
		err(1, "%s", path);
}

int
main(int argc, char *argv[])
{
	/* No gzip: the time is the query's, not the compressor's. */
	static const char *const headers[] = { "Accept-Encoding: identity",
		NULL };
	struct errbuf eb = ERRBUF_INIT;
	struct http_client *c;
	struct http_request reqs[MAXQ];
	struct buf urls[MAXQ];
	char line[4096];
	size_t n = 0, q;
	long rounds, r;
	double t0;

	if (argc != 6 && argc != 7)
		errx(2, "usage: serve_load url start end step rounds [dir]");
	rounds = atol(argv[5]);
	memset(urls, 0, sizeof(urls));
	while (fgets(line, sizeof(line), stdin)) {
		line[strcspn(line, "\n")] = '\0';
		if (line[0] == '\0' || line[0] == '#')
			continue;
		if (n == MAXQ)
			errx(1, "more than %d queries", MAXQ);
		buf_addf(&urls[n], "%s/api/v1/query_range?query=", argv[1]);
		form_escape(&urls[n], line);
		buf_addf(&urls[n], "&start=%s&end=%s&step=%s", argv[2], argv[3],
		    argv[4]);
		n++;
	}
	if (n == 0)
		errx(1, "no queries on standard input");
	memset(reqs, 0, sizeof(reqs));
	for (q = 0; q < n; q++) {
		reqs[q].url = urls[q].p;
		reqs[q].headers = headers;
		reqs[q].timeout_ms = 600000;
	}
	if ((c = http_client_new("serve_load", &eb)) == NULL)
		errx(1, "%s", eb.msg);
	for (r = 1; r <= rounds; r++) {
		for (q = 0; q < n; q++) {
			t0 = now();
			if (http_run(c, &reqs[q], 1, &eb) == -1)
				errx(1, "%s", eb.msg);
			printf("seq %ld %zu %.6f %zu\n", r, q + 1, now() - t0,
			    reqs[q].reply.len);
			check(&reqs[q], q);
			if (r == 1 && argc == 7)
				save(argv[6], q, &reqs[q].reply);
		}
		t0 = now();
		if (http_run(c, reqs, n, &eb) == -1)
			errx(1, "%s", eb.msg);
		printf("par %ld %.6f\n", r, now() - t0);
		for (q = 0; q < n; q++)
			check(&reqs[q], q);
		fflush(stdout);
	}
	for (q = 0; q < n; q++) {
		http_request_release(&reqs[q]);
		buf_release(&urls[q]);
	}
	http_client_free(c);
	return 0;
}
