/* httpd.h - a small HTTP server over libmicrohttpd, whole requests to a callback */
/* SPDX-License-Identifier: MIT */
#ifndef MTK_HTTPD_H
#define MTK_HTTPD_H

#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/errbuf.h"

/*
 * libmicrohttpd serves HTTP/1.1 on one address from a thread of its own
 * (loaded with dlopen(3) when a server is opened, so that programs that
 * never serve do not load it and its TLS libraries).  A request's body
 * is gathered whole, up to 'max_body' bytes; the callback is then
 * called and fills the reply: in that thread, one request at a time,
 * or, with HTTPD_THREADED, in a thread of the connection's own, so that
 * the callback runs for several requests at once and must be safe for
 * that.  A body past the limit is not kept: the callback sees 'too_big'.
 * Connections idle for 30 seconds are closed; at most 256 at once; a
 * request's line and headers fit in 64 KiB (else 431, from the library).
 */
struct httpd_request {
	const char *method, *path;
	const char *content_type, *content_encoding, *authorization;
	const char *format;		/* the query's format=, or NULL */
	const char *precision;		/* the query's precision=, or NULL */
	/* Every argument of the query, decoded: 2 * 'nargs' strings, a
	 * name then its value (NULL for none), in the order sent. */
	const char *const *args;
	size_t nargs;
	const char *body;
	size_t len;
	int too_big;
};

/*
 * A streamed body (Server-Sent Events, say), for an HTTPD_THREADED
 * server only: 'more' appends the next part to 'out' and returns the
 * milliseconds to wait before it is called again, or -1 to end the
 * body (after sending what it appended).  It is called at once, then
 * in the connection's thread each time its wait is over, until it ends,
 * the client goes away or the server is closed (which ends every wait
 * at once).  'done' (may be NULL) is then called with 'arg', in every
 * case, once.
 */
struct httpd_stream {
	int64_t (*more)(void *arg, struct buf *out);
	void (*done)(void *arg);
	void *arg;
};

struct httpd_reply {
	int status;			/* 200 when left alone */
	const char *content_type;	/* "text/plain; charset=utf-8" */
	struct buf body;		/* the body, unless 'stream' is set */
	char header[2][128];		/* one header: name, value; or "" */
	struct httpd_stream stream;	/* a streamed body, if 'more' is set */
};

typedef void (*httpd_fn)(void *arg, const struct httpd_request *rq,
    struct httpd_reply *rp);

struct httpd;

/* Flags of httpd_open(). */
enum {
	HTTPD_THREADED = 1 << 0	/* a thread per connection */
};

/*
 * Serve on 'addr' ("host:port"; port 0 takes a free one), as 'flags'
 * (HTTPD_*) say.  NULL with 'eb' when it cannot (the library missing,
 * the address taken).
 */
struct httpd *httpd_open(const char *addr, size_t max_body, unsigned flags,
    httpd_fn fn, void *arg, struct errbuf *eb);

/* The address served, "host:port". */
const char *httpd_address(const struct httpd *h);

/*
 * Stop serving (requests under way finish first, streams end at their
 * next wait) and free.
 */
void httpd_close(struct httpd *h);

#endif
