/* alertmanager.c - alerts pushed to a Prometheus Alertmanager (API v2) */
/* SPDX-License-Identifier: MIT */
#include <stdio.h>
#include <string.h>

#include "alert/alertmanager.h"
#include "base/buf.h"
#include "net/http.h"

int
alertmanager_post(const char *url, const char *body, size_t len,
    int64_t timeout_ms, struct errbuf *eb)
{
	static const char *const headers[] = {
		"Content-Type: application/json", NULL
	};
	struct http_request r;
	struct http_client *c;
	struct buf full = BUF_INIT;
	int ret = -1;

	if ((c = http_client_new("malert/" MTK_VERSION, eb)) == NULL)
		return -1;
	buf_adds(&full, url);
	while (full.len && full.p[full.len - 1] == '/')
		full.len--;
	buf_adds(&full, "/api/v2/alerts");
	memset(&r, 0, sizeof(r));
	r.url = full.p;
	r.headers = headers;
	r.body = body;
	r.body_len = len;
	r.timeout_ms = timeout_ms;
	r.max_body = 300;	/* a reply is kept for a message only */
	r.cut = 1;
	if (http_run(c, &r, 1, eb) == 0) {
		if (r.status == 0)
			errbuf_set(eb, "%s: %s", full.p, r.error);
		else if (r.status < 200 || r.status > 299)
			errbuf_set(eb, "%s: HTTP %ld: %.*s", full.p, r.status,
			    (int)r.reply.len, r.reply.p ? r.reply.p : "");
		else
			ret = 0;
	}
	http_request_release(&r);
	http_client_free(c);
	buf_release(&full);
	return ret;
}
