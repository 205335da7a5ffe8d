/* api.c - Prometheus' HTTP query API over a store, for mquery serve */
/* SPDX-License-Identifier: MIT */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/strmap.h"
#include "base/errbuf.h"
#include "base/timeparse.h"
#include "base/timestamp.h"
#include "base/xalloc.h"
#include "promql/promql_parse.h"
#include "promql/promql_print.h"
#include "serve/api.h"
#include "serve/api_int.h"
#include "serve/metadata.h"
#include "serve/page.h"
#include "serve/pool.h"
#include "stream/jsonl.h"


struct api *
api_new(struct pool *pool, const struct api_opts *o)
{
	struct api *a = xcalloc(1, sizeof(*a));

	a->pool = pool;
	a->o = *o;
	return a;
}

void
api_free(struct api *a)
{
	free(a);
}


static int
hexval(int c)
{
	return isdigit(c) ? c - '0' : isxdigit(c) ? (tolower(c) - 'a' + 10) : -1;
}

/* Decode a form's %XX and + in place. */
static void
form_decode(char *s)
{
	char *w = s;

	for (; *s; s++) {
		if (*s == '+') {
			*w++ = ' ';
		} else if (*s == '%' && hexval(s[1]) >= 0 && hexval(s[2]) >= 0) {
			*w++ = (char)(hexval(s[1]) * 16 + hexval(s[2]));
			s += 2;
		} else {
			*w++ = *s;
		}
	}
	*w = '\0';
}

static void
args_read(struct args *a, const struct httpd_request *rq)
{
	const char *ct = rq->content_type;
	char *p, *next;
	size_t i;

	memset(a, 0, sizeof(*a));
	for (i = 0; i < rq->nargs && a->n < ARGS_MAX; i++, a->n++) {
		a->k[a->n] = rq->args[2 * i];
		a->v[a->n] = rq->args[2 * i + 1] ? rq->args[2 * i + 1] : "";
	}
	if (strcmp(rq->method, "POST") != 0 || ct == NULL ||
	    strncasecmp(ct, "application/x-www-form-urlencoded", 33) != 0)
		return;
	a->form = xmalloc(rq->len + 1);
	memcpy(a->form, rq->body, rq->len);
	a->form[rq->len] = '\0';
	for (p = a->form; p && *p && a->n < ARGS_MAX; p = next) {
		char *eq;
		if ((next = strchr(p, '&')) != NULL)
			*next++ = '\0';
		if (*p == '\0')
			continue;
		if ((eq = strchr(p, '=')) != NULL)
			*eq++ = '\0';
		form_decode(p);
		if (eq)
			form_decode(eq);
		a->k[a->n] = p;
		a->v[a->n++] = eq ? eq : "";
	}
}

/* The first value of argument 'name', or NULL. */
const char *
api_arg(const struct args *a, const char *name)
{
	size_t i;

	for (i = 0; i < a->n; i++)
		if (strcmp(a->k[i], name) == 0)
			return a->v[i];
	return NULL;
}

static void
reply_json(struct httpd_reply *rp, int status)
{
	rp->status = status;
	rp->content_type = "application/json";
}

const char *
api_need_query(const struct args *a, struct httpd_reply *rp)
{
	const char *q = api_arg(a, "query");

	if (q == NULL || *q == '\0') {
		api_error(rp, 400, "bad_data",
		    "invalid parameter \"query\": no query given");
		return NULL;
	}
	return q;
}

void
api_error(struct httpd_reply *rp, int status, const char *type,
    const char *msg)
{
	buf_reset(&rp->body);
	buf_adds(&rp->body, "{\"status\":\"error\",\"errorType\":");
	jsonl_quote(&rp->body, type, strlen(type));
	buf_adds(&rp->body, ",\"error\":");
	jsonl_quote(&rp->body, msg, strlen(msg));
	buf_adds(&rp->body, "}");
	reply_json(rp, status);
}

/*
 * A time as Prometheus' API takes it: Unix seconds (with a fraction) or
 * RFC 3339.  'def' when absent.  Returns 0, or -1 with the error sent.
 */
static int
time_arg(const struct args *a, const char *name, int64_t def, int64_t *ms,
    struct httpd_reply *rp)
{
	const char *s = api_arg(a, name);
	char msg[300];

	if (s == NULL || *s == '\0') {
		*ms = def;
		return 0;
	}
	if (timeparse_absolute(s, ms) == 0)
		return 0;
	snprintf(msg, sizeof(msg), "invalid parameter \"%s\": cannot parse "
	    "\"%.200s\" to a valid timestamp", name, s);
	api_error(rp, 400, "bad_data", msg);
	return -1;
}

/* A duration: a number of seconds, or as PromQL writes one ("15s"). */
int
api_duration(const char *s, int64_t *ms)
{
	struct errbuf eb = ERRBUF_INIT;
	char *end;
	double d;

	errno = 0;
	d = strtod(s, &end);
	if (end != s && *end == '\0' && errno == 0 && isfinite(d) && d >= 0 &&
	    d < 9e15) {
		*ms = (int64_t)llround(d * 1000);
		return 0;
	}
	return timeparse_duration(s, ms, &eb);
}

/*
 * Run 'rq' and append what it writes to 'out'.  Returns 0, or -1 with
 * the error sent: 400 for a bad expression, 503 past the timeout, 422
 * for other failures.
 */
int
api_run(struct query_input *in, struct query_request *rq, struct buf *out,
    struct httpd_reply *rp)
{
	struct errbuf eb = ERRBUF_INIT;
	char *p = NULL;
	size_t len = 0;
	FILE *mem;
	int rc;

	if (query_request_parse(rq, &eb) == -1) {
		api_error(rp, 400, "bad_data", eb.msg);
		return -1;
	}
	if ((mem = open_memstream(&p, &len)) == NULL) {
		api_error(rp, 500, "internal", strerror(errno));
		return -1;
	}
	rc = query_run(in->st, query_input_stream(in), rq, mem, &eb);
	fclose(mem);
	if (rc == 0)
		buf_add(out, p, len);
	free(p);
	if (rc == -1) {
		if (strstr(eb.msg, "timed out"))
			api_error(rp, 503, "timeout", eb.msg);
		else
			api_error(rp, 422, "execution", eb.msg);
	}
	return rc;
}

/* A request of 'what' with the limits and tiers of the api. */
void
api_request(struct api *a, struct query_request *rq, enum query_what what,
    const struct args *args)
{
	struct query_request init = QUERY_REQUEST_INIT;
	const char *to = api_arg(args, "timeout");
	int64_t ms;

	*rq = init;
	rq->what = what;
	rq->format = QUERY_FMT_PROM_JSON;
	rq->limits = a->o.limits;
	rq->tier = a->o.tier;
	/* A request's timeout may shorten the server's, not lengthen it. */
	if (to && api_duration(to, &ms) == 0 && ms > 0 &&
	    (rq->limits.timeout_ms == 0 || ms < rq->limits.timeout_ms))
		rq->limits.timeout_ms = ms;
}

static void
success(struct httpd_reply *rp, const struct buf *data)
{
	size_t n = data->len;

	buf_reset(&rp->body);
	buf_adds(&rp->body, "{\"status\":\"success\",\"data\":");
	while (n && (data->p[n - 1] == '\n'))
		n--;
	buf_add(&rp->body, data->p, n);
	buf_adds(&rp->body, "}");
	reply_json(rp, 200);
}

void
api_query(struct api *a, struct query_input *in, const struct args *args,
    int range, struct httpd_reply *rp)
{
	struct query_request rq;
	struct buf data = BUF_INIT;
	const char *q, *step = api_arg(args, "step");
	int64_t now = ts_now();

	api_request(a, &rq, QUERY_ANSWER, args);
	if ((q = api_need_query(args, rp)) == NULL)
		return;
	rq.expr = q;
	if (!range) {
		if (time_arg(args, "time", now, &rq.time, rp) == -1)
			return;
		rq.given = QUERY_GIVEN_TIME;
		rq.start = rq.end = rq.time;
	} else {
		if (api_arg(args, "start") == NULL || api_arg(args, "end") == NULL) {
			api_error(rp, 400, "bad_data", api_arg(args, "start") ?
			    "invalid parameter \"end\": missing" :
			    "invalid parameter \"start\": missing");
			return;
		}
		if (time_arg(args, "start", now, &rq.start, rp) == -1 ||
		    time_arg(args, "end", now, &rq.end, rp) == -1)
			return;
		if (rq.end < rq.start) {
			api_error(rp, 400, "bad_data", "end timestamp must "
			    "not be before start time");
			return;
		}
		if (step == NULL || api_duration(step, &rq.step) == -1 ||
		    rq.step <= 0) {
			api_error(rp, 400, "bad_data", "invalid parameter "
			    "\"step\": zero or negative query resolution step "
			    "widths are not accepted. Try a positive integer");
			return;
		}
		/* Prometheus' own limit on the points of a range query. */
		if ((rq.end - rq.start) / rq.step > 11000) {
			api_error(rp, 400, "bad_data", "exceeded maximum "
			    "resolution of 11,000 points per timeseries. Try "
			    "decreasing the query resolution (?step=XX)");
			return;
		}
		rq.given = QUERY_GIVEN_START | QUERY_GIVEN_END;
	}
	if (api_run(in, &rq, &data, rp) == 0)
		success(rp, &data);
	buf_release(&data);
}

static int
str_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/*
 * /api/v1/series, labels, label/NAME/values: the listing of each match[]
 * (none: every series, not for series), lines made a JSON array, each
 * line once.  Series lines are objects already; names and values are
 * quoted.
 */
static void
do_listing(struct api *a, struct query_input *in, const struct args *args,
    enum query_what what, const char *label, struct httpd_reply *rp)
{
	struct query_request rq;
	struct buf data = BUF_INIT, lines = BUF_INIT;
	struct strmap *m = NULL;
	const char **sorted = NULL;
	const char *p, *e;
	size_t i, nmatch = 0, count = 0;
	int64_t now = ts_now(), start, end;

	for (i = 0; i < args->n; i++)
		nmatch += strcmp(args->k[i], "match[]") == 0;
	if (what == QUERY_SERIES && nmatch == 0) {
		api_error(rp, 400, "bad_data", "no match[] parameter provided");
		goto out;
	}
	if (time_arg(args, "start", TS_MIN, &start, rp) == -1 ||
	    time_arg(args, "end", now, &end, rp) == -1)
		goto out;
	/* Each match[] in turn; without one, every series once. */
	for (i = 0; i < (nmatch ? args->n : 1); i++) {
		if (nmatch && strcmp(args->k[i], "match[]") != 0)
			continue;
		api_request(a, &rq, what, args);
		rq.format = QUERY_FMT_JSONL;
		rq.expr = nmatch ? args->v[i] : NULL;
		rq.label = label;
		rq.start = start;
		rq.end = end;
		rq.given = QUERY_GIVEN_START | QUERY_GIVEN_END;
		if (api_run(in, &rq, &lines, rp) == -1)
			goto out;
	}
	/* Several match[] may list a line twice: each once, all sorted. */
	if (nmatch > 1) {
		m = strmap_new();
		for (p = lines.p; p && p < lines.p + lines.len; p = e + 1) {
			if ((e = memchr(p, '\n', (size_t)(lines.p + lines.len -
			    p))) == NULL)
				e = lines.p + lines.len;
			if (e > p)
				strmap_intern(m, p, (size_t)(e - p),
				    strmap_hash(p, (size_t)(e - p)), NULL);
		}
		count = strmap_count(m);
		sorted = xcalloc(count ? count : 1, sizeof(*sorted));
		for (i = 0; i < count; i++)
			sorted[i] = strmap_str(m, (uint32_t)i, NULL);
		qsort(sorted, count, sizeof(*sorted), str_cmp);
		buf_reset(&lines);
		for (i = 0; i < count; i++) {
			buf_adds(&lines, sorted[i]);
			buf_addch(&lines, '\n');
		}
	}
	buf_addch(&data, '[');
	for (p = lines.p, count = 0; p && p < lines.p + lines.len; p = e + 1) {
		size_t n;
		if ((e = memchr(p, '\n', (size_t)(lines.p + lines.len - p))) ==
		    NULL)
			e = lines.p + lines.len;
		if ((n = (size_t)(e - p)) == 0)
			continue;
		if (count++)
			buf_addch(&data, ',');
		if (what == QUERY_SERIES)
			buf_add(&data, p, n);
		else
			jsonl_quote(&data, p, n);
	}
	buf_addch(&data, ']');
	success(rp, &data);
out:
	buf_release(&data);
	buf_release(&lines);
	free(sorted);
	strmap_free(m);
}

/*
 * /api/v1/format_query: the expression as Prometheus prints it, on lines
 * of up to 100 characters where it can (promql_print_pretty()).
 */
static void
do_format(const struct args *args, struct httpd_reply *rp)
{
	struct promql_node *tree = NULL;
	struct errbuf eb = ERRBUF_INIT;
	struct buf data = BUF_INIT, text = BUF_INIT;
	const char *q;

	if ((q = api_need_query(args, rp)) == NULL)
		return;
	if (promql_parse(q, &tree, &eb) == -1) {
		api_error(rp, 400, "bad_data", eb.msg);
		return;
	}
	promql_print_pretty(&text, tree);
	jsonl_quote(&data, text.p ? text.p : "", text.len);
	success(rp, &data);
	promql_free(tree);
	buf_release(&text);
	buf_release(&data);
}

/* A whole number as Go's strconv.Atoi takes one: 0, or -1. */
int
api_int(const char *s, long *out)
{
	char *end;

	if (!isdigit((unsigned char)s[*s == '-' || *s == '+']))
		return -1;
	errno = 0;
	*out = strtol(s, &end, 10);
	return *end == '\0' && errno == 0 ? 0 : -1;
}

/*
 * /api/v1/metadata: the type, help and unit of each metric name the
 * store holds (of every time, as a listing is), 'limit' names and
 * 'limit_per_metric' entries each at most, only 'metric' if given.  A
 * stream keeps no metadata: its answer is empty.
 */
static void
do_metadata(struct api *a, struct query_input *in, const struct args *args,
    struct httpd_reply *rp)
{
	struct metadata_opts mo = { NULL, -1, -1, a->o.tier, TS_MIN, ts_now() };
	struct errbuf eb = ERRBUF_INIT;
	struct buf data = BUF_INIT;
	const char *s;

	if ((s = api_arg(args, "limit")) != NULL && *s &&
	    api_int(s, &mo.limit) == -1) {
		api_error(rp, 400, "bad_data", "limit must be a number");
		return;
	}
	if ((s = api_arg(args, "limit_per_metric")) != NULL && *s &&
	    api_int(s, &mo.limit_per_metric) == -1) {
		api_error(rp, 400, "bad_data",
		    "limit_per_metric must be a number");
		return;
	}
	if ((s = api_arg(args, "metric")) != NULL && *s)
		mo.metric = s;
	if (in->st == NULL)
		buf_adds(&data, "{}");
	else if (metadata_write(in->st, &mo, &data, &eb) == -1) {
		api_error(rp, 422, "execution", eb.msg);
		buf_release(&data);
		return;
	}
	success(rp, &data);
	buf_release(&data);
}

static void
do_buildinfo(struct api *a, struct httpd_reply *rp)
{
	struct buf data = BUF_INIT;

	buf_adds(&data, "{\"version\":");
	jsonl_quote(&data, a->o.version, strlen(a->o.version));
	buf_adds(&data, ",\"revision\":\"\",\"branch\":\"\",\"buildUser\":\"\","
	    "\"buildDate\":\"\",\"goVersion\":\"\"}");
	success(rp, &data);
	buf_release(&data);
}

/*
 * The endpoints that read the input: 'in' is taken from the pool for
 * the request, and given back after.
 */
static void
answer(struct api *a, size_t tenant, const char *path,
    const struct args *args, struct httpd_reply *rp)
{
	static const char lv[] = "/api/v1/label/";
	struct errbuf eb = ERRBUF_INIT;
	struct query_input *in;
	char name[256];
	size_t n = strlen(path);
	int label = strncmp(path, lv, sizeof(lv) - 1) == 0 &&
	    n > sizeof(lv) + 6 && strcmp(path + n - 7, "/values") == 0;

	if (label && (n -= sizeof(lv) - 1 + 7) >= sizeof(name)) {
		api_error(rp, 400, "bad_data", "label name too long");
		return;
	}
	if (!label && strcmp(path, "/api/v1/query") != 0 &&
	    strcmp(path, "/api/v1/query_range") != 0 &&
	    strcmp(path, "/api/v1/series") != 0 &&
	    strcmp(path, "/api/v1/labels") != 0 &&
	    strcmp(path, "/api/v1/metadata") != 0 &&
	    strcmp(path, "/chart") != 0) {
		api_error(rp, 404, "not_found", "no such endpoint");
		return;
	}
	if ((in = pool_take(a->pool, tenant, &eb)) == NULL) {
		api_error(rp, 500, "internal", eb.msg);
		return;
	}
	if (label) {
		memcpy(name, path + sizeof(lv) - 1, n);
		name[n] = '\0';
		do_listing(a, in, args, QUERY_LABEL_VALUES, name, rp);
	} else if (strcmp(path, "/api/v1/query") == 0) {
		api_query(a, in, args, 0, rp);
	} else if (strcmp(path, "/api/v1/query_range") == 0) {
		api_query(a, in, args, 1, rp);
	} else if (strcmp(path, "/api/v1/series") == 0) {
		do_listing(a, in, args, QUERY_SERIES, NULL, rp);
	} else if (strcmp(path, "/api/v1/metadata") == 0) {
		do_metadata(a, in, args, rp);
	} else if (strcmp(path, "/chart") == 0) {
		api_chart(a, in, args, rp);
	} else {
		do_listing(a, in, args, QUERY_LABELS, NULL, rp);
	}
	pool_give(a->pool, tenant, in);
}

void
api_handle(void *arg_, const struct httpd_request *rq, struct httpd_reply *rp)
{
	struct api *a = arg_;
	struct args args;
	const char *path = rq->path;
	int tenant = 0;

	/*
	 * Without a token, nothing is told but that: not even a bad method.
	 * The page alone, which holds no data, is given to ask for one.
	 */
	if (a->o.auth && !(strcmp(path, "/") == 0 &&
	    strcmp(rq->method, "GET") == 0) && (tenant = auth_check(a->o.auth,
	    rq->authorization)) < 0) {
		api_error(rp, 401, "unauthorized", rq->authorization ?
		    "this token is not known here" :
		    "a token is needed: Authorization: Bearer TOKEN");
		snprintf(rp->header[0], sizeof(rp->header[0]),
		    "WWW-Authenticate");
		snprintf(rp->header[1], sizeof(rp->header[1]),
		    "Bearer realm=\"mtk\"");
		return;
	}
	if (strcmp(rq->method, "GET") != 0 && strcmp(rq->method, "POST") != 0) {
		api_error(rp, 405, "bad_data", "method not allowed");
		snprintf(rp->header[0], sizeof(rp->header[0]), "Allow");
		snprintf(rp->header[1], sizeof(rp->header[1]), "GET, POST");
		return;
	}
	if (rq->too_big) {
		api_error(rp, 413, "bad_data", "request body too large");
		return;
	}
	args_read(&args, rq);
	if (strcmp(path, "/api/v1/format_query") == 0)
		do_format(&args, rp);
	else if (strcmp(path, "/api/v1/status/buildinfo") == 0)
		do_buildinfo(a, rp);
	else if (strcmp(path, "/api/v1/stream") == 0)
		api_stream(a, (size_t)tenant, &args, rp);
	else if (strcmp(path, "/") == 0) {
		buf_adds(&rp->body, page_html);
		rp->content_type = "text/html; charset=utf-8";
	} else
		answer(a, (size_t)tenant, path, &args, rp);
	free(args.form);
}
