/* live.c - a query watched: /chart draws it, /api/v1/stream sends it at each step */
/* SPDX-License-Identifier: MIT */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/errbuf.h"
#include "base/timestamp.h"
#include "base/xalloc.h"
#include "serve/api_int.h"
#include "serve/pool.h"

/*
 * /chart: the answer over the last 'range' (default 1h) drawn as an
 * SVG image of 'width' x 'height' pixels (chart.h), for the page.
 */
void
api_chart(struct api *a, struct query_input *in, const struct args *args,
    struct httpd_reply *rp)
{
	struct query_request rq;
	struct buf data = BUF_INIT;
	const char *q, *range = api_arg(args, "range");
	const char *w = api_arg(args, "width"), *h = api_arg(args, "height");
	int64_t ms = 3600000, now = ts_now();
	long width = CHART_SVG_WIDTH, height = CHART_SVG_HEIGHT;

	api_request(a, &rq, QUERY_ANSWER, args);
	if ((q = api_need_query(args, rp)) == NULL)
		return;
	if ((range && (api_duration(range, &ms) == -1 || ms <= 0 ||
	    ms > 366 * 86400000LL)) ||
	    (w && (api_int(w, &width) == -1 || width < 100 || width > 4000)) ||
	    (h && (api_int(h, &height) == -1 || height < 100 ||
	    height > 4000))) {
		api_error(rp, 400, "bad_data", "invalid parameter: range is "
		    "a duration up to a year, width and height from 100 to "
		    "4000 pixels");
		return;
	}
	rq.expr = rq.chart.title = q;
	rq.format = QUERY_FMT_SVG;
	rq.chart.width = (int)width;
	rq.chart.height = (int)height;
	rq.start = now - ms;
	rq.end = rq.time = now;
	rq.given = QUERY_GIVEN_START | QUERY_GIVEN_END;
	if (api_run(in, &rq, &data, rp) == 0) {
		buf_reset(&rp->body);
		buf_add(&rp->body, data.p, data.len);
		rp->content_type = "image/svg+xml";
	}
	buf_release(&data);
}

/* A stream of /api/v1/stream: what each of its events asks. */
struct live {
	struct api *a;
	size_t tenant;
	char *query, *timeout;
	int64_t step;
};

/*
 * One event: the answer of /api/v1/query at this time, each of its
 * lines a "data:" line (it has one).  The next is due a step after
 * this one began.
 */
static int64_t
live_more(void *arg, struct buf *out)
{
	struct live *l = arg;
	struct httpd_reply rp;
	struct errbuf eb = ERRBUF_INIT;
	struct query_input *in;
	struct args args;
	char t[32];
	const char *p, *e, *end;
	int64_t now = ts_now(), spent;

	memset(&rp, 0, sizeof(rp));
	memset(&args, 0, sizeof(args));
	snprintf(t, sizeof(t), "%.3f", (double)now / 1000);
	args.k[args.n] = "query";
	args.v[args.n++] = l->query;
	args.k[args.n] = "time";
	args.v[args.n++] = t;
	if (l->timeout) {
		args.k[args.n] = "timeout";
		args.v[args.n++] = l->timeout;
	}
	if ((in = pool_take(l->a->pool, l->tenant, &eb)) == NULL) {
		api_error(&rp, 500, "internal", eb.msg);
	} else {
		api_query(l->a, in, &args, 0, &rp);
		pool_give(l->a->pool, l->tenant, in);
	}
	end = rp.body.p + rp.body.len;
	for (p = rp.body.p; p && p < end; p = e + 1) {
		if ((e = memchr(p, '\n', (size_t)(end - p))) == NULL)
			e = end;
		buf_adds(out, "data: ");
		buf_add(out, p, (size_t)(e - p));
		buf_addch(out, '\n');
	}
	buf_addch(out, '\n');
	buf_release(&rp.body);
	spent = ts_now() - now;
	return spent < 0 ? l->step : spent > l->step ? 0 : l->step - spent;
}

static void
live_done(void *arg)
{
	struct live *l = arg;

	free(l->query);
	free(l->timeout);
	free(l);
}

/*
 * /api/v1/stream: Server-Sent Events, one a 'step' (default 5s, at
 * least 1s) from now on, each the answer of /api/v1/query then, until
 * the client goes away or the server stops.  A query that does not
 * parse is told at once, as /api/v1/query tells it.
 */
void
api_stream(struct api *a, size_t tenant, const struct args *args,
    struct httpd_reply *rp)
{
	struct query_request rq;
	struct errbuf eb = ERRBUF_INIT;
	struct live *l;
	const char *q, *step = api_arg(args, "step");
	const char *to = api_arg(args, "timeout");
	int64_t ms = 5000;

	api_request(a, &rq, QUERY_ANSWER, args);
	if ((q = api_need_query(args, rp)) == NULL)
		return;
	rq.expr = q;
	if (query_request_parse(&rq, &eb) == -1) {
		api_error(rp, 400, "bad_data", eb.msg);
		return;
	}
	if (step && (api_duration(step, &ms) == -1 || ms < 1000)) {
		api_error(rp, 400, "bad_data", "invalid parameter \"step\": "
		    "a duration of 1s at least");
		return;
	}
	l = xcalloc(1, sizeof(*l));
	l->a = a;
	l->tenant = tenant;
	l->query = xstrdup(q);
	l->timeout = to ? xstrdup(to) : NULL;
	l->step = ms;
	rp->content_type = "text/event-stream";
	snprintf(rp->header[0], sizeof(rp->header[0]), "Cache-Control");
	snprintf(rp->header[1], sizeof(rp->header[1]), "no-cache");
	rp->stream.more = live_more;
	rp->stream.done = live_done;
	rp->stream.arg = l;
}

