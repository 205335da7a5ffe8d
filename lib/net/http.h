/* http.h - HTTP requests over libcurl, one or many at once */
/* SPDX-License-Identifier: MIT */
#ifndef MTK_HTTP_H
#define MTK_HTTP_H

#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/errbuf.h"

/*
 * libcurl does the protocol (TLS, redirects refused, gzip, proxies from
 * the environment as curl(1) takes them).  It is loaded with dlopen(3)
 * at the first request: it and its TLS libraries are two dozen shared
 * objects, whose loading tripled the start of programs that never ask.
 *
 * A request is filled by its caller; http_run() performs several at
 * once, each within its own timeout, so that a slow or dead server
 * delays none of the others.
 */

/*
 * How a request speaks TLS, in the words of Prometheus' tls_config.
 * Every field may be NULL (0): libcurl's default.  Only an https URL
 * uses them.
 */
struct http_tls {
	const char *ca_file;	/* trust the CAs of this PEM file, and only them */
	const char *cert_file;	/* a client certificate (PEM) ... */
	const char *key_file;	/* ... and its key (PEM) */
	/*
	 * The name the server's certificate must have, sent as SNI, in
	 * place of the URL's host, which is still the address connected
	 * to and the Host header.
	 */
	const char *server_name;
	int insecure_skip_verify;	/* accept any certificate, any name */
};

struct http_request {
	/* Asked. */
	const char *url;
	const char *method;		/* NULL: GET, or POST with a body */
	const char *const *headers;	/* "Name: value", NULL-terminated; or NULL */
	const char *body;		/* to send, or NULL */
	size_t body_len;
	int64_t timeout_ms;
	const char *bearer_token;	/* or NULL */
	const char *user, *password;	/* basic auth, or NULL */
	size_t max_body;		/* 0: no limit to what is kept */
	int cut;			/* past max_body: keep its first bytes,
					   not an error */
	const struct http_tls *tls;	/* or NULL; borrowed */
	/* Answered. */
	long status;			/* 0: no answer */
	struct buf reply;		/* the body (gzip undone) */
	char *content_type;		/* or NULL; owned */
	long retry_after_s;		/* its Retry-After (seconds), or 0 */
	double seconds;			/* from start to the end */
	int too_big;			/* the body passed max_body: cut */
	char error[256];		/* the transport's error, or "" */
};

/* Release what a request was answered (not what it was asked). */
void http_request_release(struct http_request *r);

struct http_client;

/*
 * A client: libcurl loaded, its connections kept between runs.  NULL
 * with 'eb' when libcurl cannot be loaded.
 */
struct http_client *http_client_new(const char *user_agent,
    struct errbuf *eb);
void http_client_free(struct http_client *c);

/*
 * Perform the 'n' requests at once (what they were answered before is
 * released first).  Returns 0 when they were performed (each has its
 * status, or its error), or -1 with 'eb' when libcurl failed.
 */
int http_run(struct http_client *c, struct http_request *reqs, size_t n,
    struct errbuf *eb);

#endif
