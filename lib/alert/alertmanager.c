/* alertmanager.c - alerts pushed to a Prometheus Alertmanager (API v2) */
/* SPDX-License-Identifier: MIT */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "alert/alertmanager.h"
#include "base/buf.h"

/*
 * libcurl is loaded with dlopen(3) when an Alertmanager is first
 * called: it and the TLS libraries it needs are two dozen shared
 * objects, whose loading tripled the start of every malert run
 * (a check of one series went from 10 to 29 ms) that never uses them.
 */
#define LIBCURL "libcurl.so.4"

struct curl_lib {
	void *handle;
	CURL *(*easy_init)(void);
	CURLcode (*easy_setopt)(CURL *, CURLoption, ...);
	CURLcode (*easy_perform)(CURL *);
	CURLcode (*easy_getinfo)(CURL *, CURLINFO, ...);
	void (*easy_cleanup)(CURL *);
	const char *(*easy_strerror)(CURLcode);
	struct curl_slist *(*slist_append)(struct curl_slist *, const char *);
	void (*slist_free_all)(struct curl_slist *);
};

/* Load libcurl into 'l' (each pointer set through a void **, as dlsym(3) shows). */
static int
curl_load(struct curl_lib *l, struct errbuf *eb)
{
	const char *missing = NULL;

	if ((l->handle = dlopen(LIBCURL, RTLD_NOW | RTLD_LOCAL)) == NULL)
		return errbuf_set(eb, "cannot load %s: %s", LIBCURL, dlerror());
#define LOAD(field, name) \
	if (missing == NULL && \
	    (*(void **)(&l->field) = dlsym(l->handle, name)) == NULL) \
		missing = name
	LOAD(easy_init, "curl_easy_init");
	LOAD(easy_setopt, "curl_easy_setopt");
	LOAD(easy_perform, "curl_easy_perform");
	LOAD(easy_getinfo, "curl_easy_getinfo");
	LOAD(easy_cleanup, "curl_easy_cleanup");
	LOAD(easy_strerror, "curl_easy_strerror");
	LOAD(slist_append, "curl_slist_append");
	LOAD(slist_free_all, "curl_slist_free_all");
#undef LOAD
	if (missing) {
		errbuf_set(eb, "%s has no %s", LIBCURL, missing);
		dlclose(l->handle);
		l->handle = NULL;
		return -1;
	}
	return 0;
}

/* What it answered, kept short for a message. */
static size_t
keep_reply(char *p, size_t size, size_t n, void *arg)
{
	struct buf *b = arg;
	size_t len = size * n;

	if (b->len < 300)
		buf_add(b, p, len < 300 - b->len ? len : 300 - b->len);
	return len;
}

int
alertmanager_post(const char *url, const char *body, size_t len,
    int64_t timeout_ms, struct errbuf *eb)
{
	struct curl_lib lib = { 0 };
	struct curl_slist *hdr = NULL;
	struct buf full = BUF_INIT, reply = BUF_INIT;
	char err[CURL_ERROR_SIZE] = "";
	CURL *c;
	CURLcode rc;
	long status = 0;
	int ret = -1;

	if (curl_load(&lib, eb) == -1)
		return -1;
	if ((c = lib.easy_init()) == NULL) {
		dlclose(lib.handle);
		return errbuf_set(eb, "%s: cannot start libcurl", url);
	}
	buf_adds(&full, url);
	while (full.len && full.p[full.len - 1] == '/')
		full.len--;
	buf_adds(&full, "/api/v2/alerts");
	buf_addch(&full, '\0');
	hdr = lib.slist_append(hdr, "Content-Type: application/json");
	lib.easy_setopt(c, CURLOPT_URL, full.p);
	lib.easy_setopt(c, CURLOPT_HTTPHEADER, hdr);
	lib.easy_setopt(c, CURLOPT_POSTFIELDS, body);
	lib.easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
	lib.easy_setopt(c, CURLOPT_TIMEOUT_MS, (long)timeout_ms);
	lib.easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	lib.easy_setopt(c, CURLOPT_ERRORBUFFER, err);
	lib.easy_setopt(c, CURLOPT_WRITEFUNCTION, keep_reply);
	lib.easy_setopt(c, CURLOPT_WRITEDATA, &reply);
	lib.easy_setopt(c, CURLOPT_USERAGENT, "malert/" MTK_VERSION);
	if ((rc = lib.easy_perform(c)) != CURLE_OK) {
		errbuf_set(eb, "%s: %s", full.p, err[0] ? err :
		    lib.easy_strerror(rc));
	} else if (lib.easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status),
	    status < 200 || status > 299) {
		buf_addch(&reply, '\0');
		errbuf_set(eb, "%s: HTTP %ld: %s", full.p, status, reply.p);
	} else {
		ret = 0;
	}
	lib.slist_free_all(hdr);
	lib.easy_cleanup(c);
	dlclose(lib.handle);
	buf_release(&full);
	buf_release(&reply);
	return ret;
}
