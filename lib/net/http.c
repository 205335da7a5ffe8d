/* http.c - HTTP requests over libcurl, one or many at once */
/* SPDX-License-Identifier: MIT */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>

#include "base/timestamp.h"
#include "base/xalloc.h"
#include "net/http.h"

#define LIBCURL "libcurl.so.4"

struct http_client {
	void *handle;
	char *agent;
	CURLM *multi;
	CURL *(*easy_init)(void);
	CURLcode (*easy_setopt)(CURL *, CURLoption, ...);
	CURLcode (*easy_getinfo)(CURL *, CURLINFO, ...);
	void (*easy_cleanup)(CURL *);
	const char *(*easy_strerror)(CURLcode);
	struct curl_slist *(*slist_append)(struct curl_slist *, const char *);
	void (*slist_free_all)(struct curl_slist *);
	CURLM *(*multi_init)(void);
	CURLMcode (*multi_add_handle)(CURLM *, CURL *);
	CURLMcode (*multi_remove_handle)(CURLM *, CURL *);
	CURLMcode (*multi_perform)(CURLM *, int *);
	CURLMcode (*multi_poll)(CURLM *, struct curl_waitfd *, unsigned, int,
	    int *);
	CURLMsg *(*multi_info_read)(CURLM *, int *);
	CURLMcode (*multi_cleanup)(CURLM *);
	const char *(*multi_strerror)(CURLMcode);
	CURLU *(*url_new)(void);
	CURLUcode (*url_set)(CURLU *, CURLUPart, const char *, unsigned int);
	CURLUcode (*url_get)(const CURLU *, CURLUPart, char **, unsigned int);
	void (*url_cleanup)(CURLU *);
	void (*mem_free)(void *);
};

struct http_client *
http_client_new(const char *user_agent, struct errbuf *eb)
{
	struct http_client *c = xcalloc(1, sizeof(*c));
	const char *missing = NULL;

	if ((c->handle = dlopen(LIBCURL, RTLD_NOW | RTLD_LOCAL)) == NULL) {
		errbuf_set(eb, "cannot load %s: %s", LIBCURL, dlerror());
		free(c);
		return NULL;
	}
	/* Each pointer set through a void **, as dlsym(3) shows. */
#define LOAD(field, name) \
	if (missing == NULL && \
	    (*(void **)(&c->field) = dlsym(c->handle, name)) == NULL) \
		missing = name
	LOAD(easy_init, "curl_easy_init");
	LOAD(easy_setopt, "curl_easy_setopt");
	LOAD(easy_getinfo, "curl_easy_getinfo");
	LOAD(easy_cleanup, "curl_easy_cleanup");
	LOAD(easy_strerror, "curl_easy_strerror");
	LOAD(slist_append, "curl_slist_append");
	LOAD(slist_free_all, "curl_slist_free_all");
	LOAD(multi_init, "curl_multi_init");
	LOAD(multi_add_handle, "curl_multi_add_handle");
	LOAD(multi_remove_handle, "curl_multi_remove_handle");
	LOAD(multi_perform, "curl_multi_perform");
	LOAD(multi_poll, "curl_multi_poll");
	LOAD(multi_info_read, "curl_multi_info_read");
	LOAD(multi_cleanup, "curl_multi_cleanup");
	LOAD(multi_strerror, "curl_multi_strerror");
	LOAD(url_new, "curl_url");
	LOAD(url_set, "curl_url_set");
	LOAD(url_get, "curl_url_get");
	LOAD(url_cleanup, "curl_url_cleanup");
	LOAD(mem_free, "curl_free");
#undef LOAD
	if (missing || (c->multi = c->multi_init()) == NULL) {
		if (missing)
			errbuf_set(eb, "%s has no %s", LIBCURL, missing);
		else
			errbuf_set(eb, "cannot start libcurl");
		dlclose(c->handle);
		free(c);
		return NULL;
	}
	c->agent = xstrdup(user_agent);
	return c;
}

void
http_client_free(struct http_client *c)
{
	if (c == NULL)
		return;
	c->multi_cleanup(c->multi);
	dlclose(c->handle);
	free(c->agent);
	free(c);
}

void
http_request_release(struct http_request *r)
{
	buf_release(&r->reply);
	free(r->content_type);
	r->content_type = NULL;
	r->status = 0;
	r->seconds = 0;
	r->too_big = 0;
	r->error[0] = '\0';
}

/* Keep the body, up to the request's limit. */
static size_t
keep(char *p, size_t size, size_t n, void *arg)
{
	struct http_request *r = arg;
	size_t len = size * n;

	if (r->max_body && r->reply.len + len > r->max_body) {
		r->too_big = 1;
		if (!r->cut)
			return 0;	/* stops the transfer: an error */
		buf_add(&r->reply, p, r->max_body - r->reply.len);
		return len;
	}
	buf_add(&r->reply, p, len);
	return len;
}

/* One transfer and what it owns until it ends. */
struct transfer {
	CURL *easy;
	struct curl_slist *hdr;
	struct curl_slist *connect_to;
	char *url;		/* the URL asked for, when not the request's */
	char *userpwd;
	int64_t start;
};

/*
 * Speak TLS to server 'name' at the URL's host and port.  libcurl takes
 * the name it sends as SNI and verifies in the certificate from the
 * URL, and has no option for it alone: the URL's host becomes 'name',
 * CURLOPT_CONNECT_TO sends the connection to the URL's host and port
 * still, and the Host header stays the URL's, as with Go's ServerName.
 * 0, or -1 with 'r->error' when the URL or the name does not parse.
 */
static int
server_name(struct http_client *c, struct http_request *r,
    struct transfer *t, const char *name)
{
	CURLU *u = c->url_new();
	char *host = NULL, *port = NULL, *given = NULL, *url = NULL;
	struct buf b = BUF_INIT;
	int rc = -1;

	if (u == NULL)
		return -1;
	if (c->url_set(u, CURLUPART_URL, r->url, 0) != CURLUE_OK ||
	    c->url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK ||
	    c->url_get(u, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT) !=
	    CURLUE_OK) {
		snprintf(r->error, sizeof(r->error), "cannot parse the URL");
		goto out;
	}
	/* A port the URL does not give is not in its Host header. */
	if (c->url_get(u, CURLUPART_PORT, &given, 0) != CURLUE_OK)
		given = NULL;
	if (c->url_set(u, CURLUPART_HOST, name, 0) != CURLUE_OK ||
	    c->url_get(u, CURLUPART_URL, &url, 0) != CURLUE_OK) {
		snprintf(r->error, sizeof(r->error), "'%s' is not a server name",
		    name);
		goto out;
	}
	t->url = xstrdup(url);
	buf_addf(&b, "%s:%s:%s:%s", name, port, host, port);
	t->connect_to = c->slist_append(NULL, b.p);
	buf_reset(&b);
	buf_addf(&b, "Host: %s%s%s", host, given ? ":" : "", given ? given : "");
	t->hdr = c->slist_append(t->hdr, b.p);
	rc = 0;
out:
	c->mem_free(host);
	c->mem_free(port);
	c->mem_free(given);
	c->mem_free(url);
	c->url_cleanup(u);
	buf_release(&b);
	return rc;
}

/* The TLS settings of 'r'.  0, or -1 with 'r->error'. */
static int
set_tls(struct http_client *c, struct http_request *r, struct transfer *t)
{
	const struct http_tls *tls = r->tls;

	if (tls->ca_file) {
		/* Those CAs only: not the system's directory beside them. */
		c->easy_setopt(t->easy, CURLOPT_CAINFO, tls->ca_file);
		c->easy_setopt(t->easy, CURLOPT_CAPATH, (char *)NULL);
	}
	if (tls->cert_file)
		c->easy_setopt(t->easy, CURLOPT_SSLCERT, tls->cert_file);
	if (tls->key_file)
		c->easy_setopt(t->easy, CURLOPT_SSLKEY, tls->key_file);
	if (tls->insecure_skip_verify) {
		c->easy_setopt(t->easy, CURLOPT_SSL_VERIFYPEER, 0L);
		c->easy_setopt(t->easy, CURLOPT_SSL_VERIFYHOST, 0L);
	}
	if (tls->server_name && strncasecmp(r->url, "https://", 8) == 0) {
		if (server_name(c, r, t, tls->server_name) == -1)
			return -1;
		c->easy_setopt(t->easy, CURLOPT_CONNECT_TO, t->connect_to);
	}
	return 0;
}

static int
start(struct http_client *c, struct http_request *r, struct transfer *t)
{
	size_t i;

	memset(t, 0, sizeof(*t));
	if ((t->easy = c->easy_init()) == NULL)
		return -1;
	for (i = 0; r->headers && r->headers[i]; i++)
		t->hdr = c->slist_append(t->hdr, r->headers[i]);
	if (r->bearer_token) {
		struct buf h = BUF_INIT;
		buf_addf(&h, "Authorization: Bearer %s", r->bearer_token);
		t->hdr = c->slist_append(t->hdr, h.p);
		buf_release(&h);
	}
	if (r->tls && set_tls(c, r, t) == -1)
		return -1;
	c->easy_setopt(t->easy, CURLOPT_URL, t->url ? t->url : r->url);
	c->easy_setopt(t->easy, CURLOPT_HTTPHEADER, t->hdr);
	c->easy_setopt(t->easy, CURLOPT_USERAGENT, c->agent);
	c->easy_setopt(t->easy, CURLOPT_NOSIGNAL, 1L);
	c->easy_setopt(t->easy, CURLOPT_ACCEPT_ENCODING, "");
	c->easy_setopt(t->easy, CURLOPT_ERRORBUFFER, r->error);
	c->easy_setopt(t->easy, CURLOPT_WRITEFUNCTION, keep);
	c->easy_setopt(t->easy, CURLOPT_WRITEDATA, r);
	c->easy_setopt(t->easy, CURLOPT_PRIVATE, r);
	c->easy_setopt(t->easy, CURLOPT_PROTOCOLS_STR, "http,https");
	if (r->timeout_ms > 0)
		c->easy_setopt(t->easy, CURLOPT_TIMEOUT_MS, (long)r->timeout_ms);
	if (r->body) {
		c->easy_setopt(t->easy, CURLOPT_POSTFIELDS, r->body);
		c->easy_setopt(t->easy, CURLOPT_POSTFIELDSIZE_LARGE,
		    (curl_off_t)r->body_len);
	}
	if (r->method)
		c->easy_setopt(t->easy, CURLOPT_CUSTOMREQUEST, r->method);
	if (r->user) {
		size_t n = strlen(r->user) + strlen(r->password ? r->password :
		    "") + 2;
		t->userpwd = xmalloc(n);
		snprintf(t->userpwd, n, "%s:%s", r->user,
		    r->password ? r->password : "");
		c->easy_setopt(t->easy, CURLOPT_USERPWD, t->userpwd);
	}
	t->start = ts_now();
	return 0;
}

static void
finish(struct http_client *c, struct http_request *r, struct transfer *t,
    CURLcode rc)
{
	char *ct = NULL;
	curl_off_t ra = 0;

	r->retry_after_s = 0;
	r->seconds = (double)(ts_now() - t->start) / 1000;
	if (rc == CURLE_OK) {
		c->easy_getinfo(t->easy, CURLINFO_RESPONSE_CODE, &r->status);
		if (c->easy_getinfo(t->easy, CURLINFO_CONTENT_TYPE, &ct) ==
		    CURLE_OK && ct)
			r->content_type = xstrdup(ct);
		if (c->easy_getinfo(t->easy, CURLINFO_RETRY_AFTER, &ra) ==
		    CURLE_OK && ra > 0)
			r->retry_after_s = (long)ra;
		r->error[0] = '\0';
	} else {
		r->status = 0;
		if (r->too_big)
			snprintf(r->error, sizeof(r->error), "the body passed "
			    "%zu bytes", r->max_body);
		else if (r->error[0] == '\0')
			snprintf(r->error, sizeof(r->error), "%s",
			    c->easy_strerror(rc));
	}
}

int
http_run(struct http_client *c, struct http_request *reqs, size_t n,
    struct errbuf *eb)
{
	struct transfer *t = xcalloc(n + 1, sizeof(*t));
	int running = 0, left, rc = 0;
	size_t i;
	CURLMsg *m;

	for (i = 0; i < n; i++) {
		/* The body's room is kept: a scrape loop reuses it each pass. */
		struct buf keep_room = reqs[i].reply;
		buf_reset(&keep_room);
		reqs[i].reply = (struct buf)BUF_INIT;
		http_request_release(&reqs[i]);
		reqs[i].reply = keep_room;
		if (start(c, &reqs[i], &t[i]) == -1 ||
		    c->multi_add_handle(c->multi, t[i].easy) != CURLM_OK) {
			if (reqs[i].error[0] == '\0')
				snprintf(reqs[i].error, sizeof(reqs[i].error),
				    "cannot start the request");
			if (t[i].easy)
				c->easy_cleanup(t[i].easy);
			t[i].easy = NULL;
		}
	}
	do {
		CURLMcode mc = c->multi_perform(c->multi, &running);
		if (mc == CURLM_OK && running)
			mc = c->multi_poll(c->multi, NULL, 0, 1000, NULL);
		if (mc != CURLM_OK) {
			rc = errbuf_set(eb, "libcurl: %s", c->multi_strerror(mc));
			break;
		}
		while ((m = c->multi_info_read(c->multi, &left)) != NULL) {
			struct http_request *r = NULL;
			if (m->msg != CURLMSG_DONE)
				continue;
			c->easy_getinfo(m->easy_handle, CURLINFO_PRIVATE,
			    (char **)&r);
			for (i = 0; i < n; i++)
				if (t[i].easy == m->easy_handle)
					finish(c, r, &t[i], m->data.result);
		}
	} while (running);
	for (i = 0; i < n; i++) {
		if (t[i].easy) {
			c->multi_remove_handle(c->multi, t[i].easy);
			c->easy_cleanup(t[i].easy);
		}
		c->slist_free_all(t[i].hdr);
		c->slist_free_all(t[i].connect_to);
		free(t[i].url);
		free(t[i].userpwd);
	}
	free(t);
	return rc;
}
