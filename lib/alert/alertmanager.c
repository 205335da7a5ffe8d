/* alertmanager.c - alerts pushed to a Prometheus Alertmanager (API v2) */
/* SPDX-License-Identifier: MIT */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "alert/alertmanager.h"
#include "base/buf.h"

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
	struct curl_slist *hdr = NULL;
	struct buf full = BUF_INIT, reply = BUF_INIT;
	char err[CURL_ERROR_SIZE] = "";
	CURL *c;
	CURLcode rc;
	long status = 0;
	int ret = -1;

	if ((c = curl_easy_init()) == NULL)
		return errbuf_set(eb, "%s: cannot start libcurl", url);
	buf_adds(&full, url);
	while (full.len && full.p[full.len - 1] == '/')
		full.len--;
	buf_adds(&full, "/api/v2/alerts");
	buf_addch(&full, '\0');
	hdr = curl_slist_append(hdr, "Content-Type: application/json");
	curl_easy_setopt(c, CURLOPT_URL, full.p);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdr);
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, (long)timeout_ms);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, err);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, keep_reply);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &reply);
	curl_easy_setopt(c, CURLOPT_USERAGENT, "malert/" MTK_VERSION);
	if ((rc = curl_easy_perform(c)) != CURLE_OK) {
		errbuf_set(eb, "%s: %s", full.p, err[0] ? err :
		    curl_easy_strerror(rc));
	} else if (curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status),
	    status < 200 || status > 299) {
		buf_addch(&reply, '\0');
		errbuf_set(eb, "%s: HTTP %ld: %s", full.p, status, reply.p);
	} else {
		ret = 0;
	}
	curl_slist_free_all(hdr);
	curl_easy_cleanup(c);
	buf_release(&full);
	buf_release(&reply);
	return ret;
}
