/* push_send.c - POST batches of samples in the text format over HTTP */
/* SPDX-License-Identifier: MIT */
#include <err.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/buf.h"
#include "net/http.h"

/*
 * usage: push_send URL BATCHES SIZE
 *
 * POSTs BATCHES bodies of SIZE lines of the Prometheus text format
 * (bench_push{series="N"} VALUE TIMESTAMP, 10,000 series, one minute
 * apart for each) to URL, one after the other on one connection.
 * Prints "samples=N seconds=S" and exits 1 if an answer was not 2xx.
 */
static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int
main(int argc, char *argv[])
{
	static const char *const headers[] = {
		"Content-Type: text/plain; version=0.0.4", NULL
	};
	struct errbuf eb = ERRBUF_INIT;
	struct http_client *c;
	struct http_request r;
	struct buf *bodies;
	long batches, size, b, i, n = 0;
	double t0;

	if (argc != 4)
		errx(2, "usage: push_send url batches size");
	batches = atol(argv[2]);
	size = atol(argv[3]);
	/* Made first: the time is the sending's. */
	bodies = calloc((size_t)batches, sizeof(*bodies));
	for (b = 0; b < batches; b++)
		for (i = 0; i < size; i++, n++)
			buf_addf(&bodies[b], "bench_push{series=\"%ld\"} %ld "
			    "%lld\n", n % 10000, n, 1700000000000LL +
			    (long long)(n / 10000) * 60000);
	if ((c = http_client_new("push_send", &eb)) == NULL)
		errx(1, "%s", eb.msg);
	memset(&r, 0, sizeof(r));
	r.url = argv[1];
	r.headers = headers;
	r.timeout_ms = 60000;
	r.max_body = 4096;
	r.cut = 1;
	t0 = now();
	for (b = 0; b < batches; b++) {
		r.body = bodies[b].p;
		r.body_len = bodies[b].len;
		if (http_run(c, &r, 1, &eb) == -1)
			errx(1, "%s", eb.msg);
		if (r.status < 200 || r.status > 299)
			errx(1, "batch %ld: HTTP %ld %s: %.*s", b, r.status, r.error,
			    (int)r.reply.len, r.reply.p ? r.reply.p : "");
	}
	printf("samples=%ld seconds=%.3f\n", n, now() - t0);
	http_request_release(&r);
	http_client_free(c);
	for (b = 0; b < batches; b++)
		buf_release(&bodies[b]);
	free(bodies);
	return 0;
}
