/* post.h - one HTTP POST over a plain connection, for a program that sends once */
/* SPDX-License-Identifier: MIT */
#ifndef MTK_POST_H
#define MTK_POST_H

#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/errbuf.h"

/*
 * A script that runs 'mpush gauge ...' once per event pays for every
 * millisecond of its start; loading libcurl and its TLS libraries takes
 * several times what the rest of the run does.  For an http:// URL
 * (never https) and one request, this writes the request on a socket
 * and reads the answer: HTTP/1.1, "Connection: close", the answer's
 * body read until the server closes or Content-Length says (chunked
 * bodies are not undone: only the status matters, and the first line of
 * a message).  Everything else goes through net/http.h.
 */
struct post_answer {
	int status;		/* 0: no answer (see 'eb') */
	long retry_after_s;	/* Retry-After in seconds, or 0 */
	struct buf body;	/* at most 64 KiB of it */
};

/*
 * POST 'len' bytes at 'body' to 'url' (http://HOST[:PORT]/PATH), with
 * the header lines of 'headers' (NULL-terminated "Name: value"; or
 * NULL), within 'timeout_ms' for the whole exchange.  Returns 0 with
 * '*a' filled (release a->body), or -1 with 'eb': a URL that is not
 * http://, no connection, a timeout, no HTTP answer.
 */
int post_plain(const char *url, const char *const *headers, const char *body,
    size_t len, int64_t timeout_ms, struct post_answer *a, struct errbuf *eb);

/*
 * The answer as read so far, 'in' ('len' bytes): whether it is whole
 * (its head, and as much body as its Content-Length says; without one,
 * the server's closing ends it).
 */
int post_answer_complete(const char *in, size_t len);

/*
 * Read the answer 'in' into '*a' (release a->body): its status line,
 * Retry-After in seconds, and at most 64 KiB of its body.  0, or -1 when
 * it is not an HTTP/1.x answer with a head.
 */
int post_answer_parse(const char *in, size_t len, struct post_answer *a);

#endif
