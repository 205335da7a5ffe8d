/* push.c - samples pushed over HTTP, in the stream or the text formats */
/* SPDX-License-Identifier: MIT */
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <zlib.h>

#include "base/buf.h"
#include "base/timestamp.h"
#include "base/xalloc.h"
#include "collect/push.h"
#include "net/auth.h"
#include "stream/expo.h"
#include "stream/influx.h"
#include "stream/jsonl.h"

#define EXTRA_MAX 32
#define INFLATED_MAX (256 * 1024 * 1024)

/* What the listener knows of a tenant (the only one, without tokens). */
struct tenant {
	const char *name;		/* borrowed from the tokens; NULL: none */
	struct label extra[EXTRA_MAX + 1];	/* -l's, then tenant= */
	size_t nextra;
	struct bucket rate;
	unsigned long long count[3];	/* enum tenant_count */
};

enum tenant_count { SAMPLES, BAD_LINES, THROTTLED };

struct push {
	struct push_opts o;
	struct ingest_sink out;
	pthread_mutex_t lock;
	struct label extra[EXTRA_MAX];
	size_t nextra;
	int failed;			/* the output failed: 503 from then on */
	char failure[256];
	struct jsonl_parser *jp;
	struct expo_parser *xp[2];
	struct influx_parser *ip;
	struct tenant *tenant;		/* one per tenant of the tokens, or one */
	size_t ntenant;
	/* Counters, for /metrics (the server's thread only). */
	unsigned long long requests[8];
};

static const int codes[] = { 204, 400, 401, 404, 405, 413, 429, 503 };

/* The labels a tenant's samples get: -l's, and tenant= over all. */
static void
tenant_init(struct push *p, struct tenant *t, const char *name, double rate,
    double burst, int64_t now)
{
	size_t i;

	t->name = name;
	for (i = 0; i < p->nextra; i++)
		if (name == NULL || strcmp(p->extra[i].name, "tenant") != 0)
			t->extra[t->nextra++] = p->extra[i];
	if (name)
		t->extra[t->nextra++] = (struct label){ "tenant", name, 6,
		    (uint32_t)strlen(name) };
	bucket_init(&t->rate, rate, burst, now);
}

struct push *
push_new(const struct push_opts *o, const struct ingest_sink *out)
{
	struct push *p = xcalloc(1, sizeof(*p));
	int64_t now = ts_now();
	size_t i;

	p->o = *o;
	p->out = *out;
	pthread_mutex_init(&p->lock, NULL);
	p->nextra = metric_labels_from_pairs(o->labels, o->nlabels, p->extra,
	    EXTRA_MAX);
	p->jp = jsonl_parser_new(0);
	p->xp[0] = expo_parser_new(EXPO_PROMETHEUS);
	p->xp[1] = expo_parser_new(EXPO_OPENMETRICS);
	p->ip = influx_parser_new();
	if (o->auth) {
		p->ntenant = auth_ntenants(o->auth);
		p->tenant = xcalloc(p->ntenant, sizeof(*p->tenant));
		for (i = 0; i < p->ntenant; i++) {
			const struct auth_tenant *at = auth_tenant(o->auth, i);
			tenant_init(p, &p->tenant[i], at->name,
			    at->rate > 0 ? at->rate : o->rate,
			    at->burst > 0 ? at->burst : o->burst, now);
		}
	} else {
		p->ntenant = 1;
		p->tenant = xcalloc(1, sizeof(*p->tenant));
		tenant_init(p, p->tenant, NULL, o->rate, o->burst, now);
	}
	return p;
}

void
push_free(struct push *p)
{
	if (p == NULL)
		return;
	metric_labels_free_names(p->extra, p->nextra);
	jsonl_parser_free(p->jp);
	expo_parser_free(p->xp[0]);
	expo_parser_free(p->xp[1]);
	influx_parser_free(p->ip);
	free(p->tenant);
	pthread_mutex_destroy(&p->lock);
	free(p);
}

static int
locked_add(void *ctx, const struct sample *s, struct errbuf *eb)
{
	struct push *p = ctx;
	int rc;

	pthread_mutex_lock(&p->lock);
	rc = p->out.add(p->out.ctx, s, eb);
	pthread_mutex_unlock(&p->lock);
	return rc;
}

static int
locked_commit(void *ctx, struct errbuf *eb)
{
	struct push *p = ctx;
	int rc;

	pthread_mutex_lock(&p->lock);
	rc = p->out.commit(p->out.ctx, eb);
	pthread_mutex_unlock(&p->lock);
	return rc;
}

void
push_sink(struct push *p, struct ingest_sink *out)
{
	*out = (struct ingest_sink){ locked_add, locked_commit, NULL, NULL, p };
}

static void
reply(struct push *p, struct httpd_reply *rp, int status, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void
reply(struct push *p, struct httpd_reply *rp, int status, const char *fmt, ...)
{
	va_list ap;
	size_t i;

	rp->status = status;
	if (fmt) {
		char msg[1024];
		va_start(ap, fmt);
		vsnprintf(msg, sizeof(msg), fmt, ap);
		va_end(ap);
		buf_adds(&rp->body, msg);
	}
	for (i = 0; i < sizeof(codes) / sizeof(codes[0]); i++)
		if (codes[i] == status)
			p->requests[i]++;
}

/* Undo gzip into 'out'.  0, or -1 with why in 'eb'. */
static int
gunzip(const char *in, size_t n, struct buf *out, struct errbuf *eb)
{
	z_stream z;
	int rc;

	memset(&z, 0, sizeof(z));
	if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK)
		return errbuf_set(eb, "cannot start zlib");
	z.next_in = (Bytef *)(uintptr_t)in;
	z.avail_in = (uInt)n;
	do {
		char tmp[65536];
		z.next_out = (Bytef *)tmp;
		z.avail_out = sizeof(tmp);
		rc = inflate(&z, Z_NO_FLUSH);
		if (rc != Z_OK && rc != Z_STREAM_END) {
			inflateEnd(&z);
			return errbuf_set(eb, "not gzip: %s", z.msg ? z.msg :
			    "bad data");
		}
		buf_add(out, tmp, sizeof(tmp) - z.avail_out);
		if (out->len > INFLATED_MAX) {
			inflateEnd(&z);
			return errbuf_set(eb, "more than %d bytes once unzipped",
			    INFLATED_MAX);
		}
	} while (rc != Z_STREAM_END && (z.avail_in > 0 || z.avail_out == 0));
	inflateEnd(&z);
	return rc == Z_STREAM_END ? 0 :
	    errbuf_set(eb, "not gzip: the data ends early");
}

/*
 * The labels of the listener and the tenant over those of 's', then to
 * the output.
 */
static int
give(struct push *p, const struct tenant *t, struct sample *s, int64_t now,
    struct errbuf *eb)
{
	struct label l[METRIC_LABELS_MAX + EXTRA_MAX + 1];

	if (t->nextra) {
		s->nlabels = metric_labels_over(s->labels, s->nlabels, t->extra,
		    t->nextra, l);
		s->labels = l;
		s->key = NULL;
		s->key_hash = 0;
		if (metric_check(s, eb) == -1)
			return 1;
	}
	if (!s->has_ts) {
		s->ts = now;
		s->has_ts = 1;
	}
	return locked_add(p, s, eb);
}

/* StatsD lines, added up by the listener's StatsD (counters: increments). */
static void
push_statsd(struct push *p, struct tenant *t, const char *body, size_t len,
    struct httpd_reply *rp)
{
	struct errbuf eb = ERRBUF_INIT;
	size_t bad, lines = 0, i;

	if (p->o.statsd == NULL) {
		reply(p, rp, 400, "format=statsd: this listener adds up no "
		    "StatsD lines\n");
		return;
	}
	for (i = 0; i < len; i++)
		lines += body[i] == '\n';
	lines += len && body[len - 1] != '\n';
	bad = statsd_feed_as(p->o.statsd, body, len, ts_now(), t->name, &eb);
	t->count[SAMPLES] += lines - bad;
	t->count[BAD_LINES] += bad;
	bucket_take(&t->rate, (double)(lines - bad));
	if (bad)
		reply(p, rp, 400, "%s\n%zu taken, %zu bad line%s: the good lines "
		    "were kept\n", eb.msg, lines - bad, bad, bad == 1 ? "" : "s");
	else
		reply(p, rp, 204, NULL);
	snprintf(rp->header[0], sizeof(rp->header[0]), "X-Mtk-Accepted");
	snprintf(rp->header[1], sizeof(rp->header[1]), "%zu", lines - bad);
}

/*
 * A batch.  'influx': InfluxDB's /write, whose clients read errors as
 * {"error": "..."}.
 */
static void
push_batch(struct push *p, struct tenant *t, const struct httpd_request *rq,
    struct httpd_reply *rp, int influx)
{
	struct errbuf eb = ERRBUF_INIT, first = ERRBUF_INIT;
	struct buf plain = BUF_INIT;
	const char *body = rq->body, *end, *fmt = rq->format;
	size_t len = rq->len, line = 0, bad = 0, first_line = 0, taken = 0;
	int64_t now;
	int f = 0;	/* 0 stream, 1 prometheus, 2 openmetrics, 3 influx */

	if (p->failed) {
		reply(p, rp, 503, "the output failed: %s\n", p->failure);
		return;
	}
	if (rq->too_big) {
		reply(p, rp, 413, "the body passed %zu bytes: nothing taken\n",
		    p->o.max_body);
		return;
	}
	if (rq->content_encoding && strcasecmp(rq->content_encoding, "gzip") == 0) {
		if (gunzip(body, len, &plain, &eb) == -1) {
			buf_release(&plain);
			reply(p, rp, 400, "%s\n", eb.msg);
			return;
		}
		body = plain.p ? plain.p : "";
		len = plain.len;
	}
	if (fmt == NULL && rq->content_type) {
		if (strncmp(rq->content_type, "text/plain", 10) == 0)
			fmt = "prometheus";
		else if (strncmp(rq->content_type, "application/openmetrics-text",
		    28) == 0)
			fmt = "openmetrics";
	}
	if (fmt && strcmp(fmt, "statsd") == 0) {
		push_statsd(p, t, body, len, rp);
		buf_release(&plain);
		return;
	}
	if (influx || (fmt && strcmp(fmt, "influx") == 0))
		f = 3;
	else if (fmt && strcmp(fmt, "prometheus") == 0)
		f = 1;
	else if (fmt && strcmp(fmt, "openmetrics") == 0)
		f = 2;
	else if (fmt && strcmp(fmt, "jsonl") != 0) {
		buf_release(&plain);
		reply(p, rp, 400, "format=%s: jsonl, prometheus, openmetrics, "
		    "influx or statsd\n", fmt);
		return;
	}
	if (f == 3 && influx_set_precision(p->ip, rq->precision ?
	    rq->precision : "n") == -1) {
		buf_release(&plain);
		reply(p, rp, 400, "precision=%s: n, u, ms, s, m or h\n",
		    rq->precision);
		return;
	}
	if (f == 1 || f == 2)
		expo_parser_reset(p->xp[f - 1]);
	now = ts_now();
	for (end = body + len; body < end;) {
		const char *nl = memchr(body, '\n', (size_t)(end - body));
		size_t n = (size_t)((nl ? nl : end) - body);
		struct sample s;
		int k;
		line++;
		if (n && body[n - 1] == '\r')
			n--;
		if (f == 0) {
			size_t i;
			for (i = 0; i < n && (body[i] == ' ' || body[i] == '\t'); i++)
				;
			k = i == n ? 0 : jsonl_parse(p->jp, body, n, &s, &eb) == 0 ?
			    1 : -1;
		} else if (f == 3) {
			k = influx_parse(p->ip, body, n, &s, &eb);
		} else {
			k = expo_parse(p->xp[f - 1], body, n, &s, &eb);
		}
		body = nl ? nl + 1 : end;
		/* Each sample of the line: the line protocol's fields too. */
		if (k >= 1) {
			int refused = 0;
			do {
				int g = give(p, t, &s, now, &eb);
				if (g == -1) {
					/* The output itself failed. */
					p->failed = 1;
					snprintf(p->failure, sizeof(p->failure),
					    "%s", eb.msg);
					reply(p, rp, 503, "the output failed: %s\n",
					    eb.msg);
					buf_release(&plain);
					return;
				}
				if (g == 0)
					taken++;
				else
					refused = 1;	/* a bad line */
			} while (f == 3 && influx_next(p->ip, &s));
			k = refused ? -1 : 1;
		}
		if (k == -1 && bad++ == 0) {
			first = eb;
			first_line = line;
		}
	}
	if (f == 2 && expo_end(p->xp[1], &eb) == -1 && bad++ == 0) {
		first = eb;
		first_line = line;
	}
	if (locked_commit(p, &eb) == -1) {
		p->failed = 1;
		snprintf(p->failure, sizeof(p->failure), "%s", eb.msg);
		reply(p, rp, 503, "the output failed: %s\n", eb.msg);
		buf_release(&plain);
		return;
	}
	t->count[SAMPLES] += taken;
	t->count[BAD_LINES] += bad;
	bucket_take(&t->rate, (double)taken);
	if (bad && influx) {
		struct buf msg = BUF_INIT;
		buf_addf(&msg, "line %zu: %s; %zu taken, %zu bad", first_line,
		    first.msg, taken, bad);
		buf_adds(&rp->body, "{\"error\":");
		jsonl_quote(&rp->body, msg.p, msg.len);
		buf_adds(&rp->body, "}\n");
		buf_release(&msg);
		rp->content_type = "application/json";
		reply(p, rp, 400, NULL);
	} else if (bad) {
		reply(p, rp, 400, "line %zu: %s\n%zu taken, %zu bad line%s: the "
		    "good lines of the batch were kept\n", first_line, first.msg,
		    taken, bad, bad == 1 ? "" : "s");
	} else {
		reply(p, rp, 204, NULL);
	}
	snprintf(rp->header[0], sizeof(rp->header[0]), "X-Mtk-Accepted");
	snprintf(rp->header[1], sizeof(rp->header[1]), "%zu", taken);
	buf_release(&plain);
}

/* A counter of each tenant, with tenant= when there are tokens. */
static void
tenant_counter(struct push *p, struct buf *out, const char *name,
    enum tenant_count c)
{
	size_t i;

	buf_addf(out, "# TYPE %s counter\n", name);
	for (i = 0; i < p->ntenant; i++) {
		const struct tenant *t = &p->tenant[i];
		unsigned long long v = t->count[c];
		if (t->name)
			buf_addf(out, "%s{tenant=\"%s\"} %llu\n", name, t->name, v);
		else
			buf_addf(out, "%s %llu\n", name, v);
	}
}

static void
metrics(struct push *p, struct httpd_reply *rp)
{
	size_t i;

	buf_adds(&rp->body, "# TYPE mtk_push_requests_total counter\n");
	for (i = 0; i < sizeof(codes) / sizeof(codes[0]); i++)
		buf_addf(&rp->body, "mtk_push_requests_total{code=\"%d\"} %llu\n",
		    codes[i], p->requests[i]);
	tenant_counter(p, &rp->body, "mtk_push_samples_total", SAMPLES);
	tenant_counter(p, &rp->body, "mtk_push_bad_lines_total", BAD_LINES);
	tenant_counter(p, &rp->body, "mtk_push_throttled_requests_total",
	    THROTTLED);
	if (p->o.more_metrics)
		p->o.more_metrics(p->o.more_arg, &rp->body);
	rp->content_type = "text/plain; version=0.0.4; charset=utf-8";
}

/*
 * Who asks, and whether they may now: the tenant, or NULL with the
 * reply (401, 429) made.
 */
static struct tenant *
admit(struct push *p, const struct httpd_request *rq, struct httpd_reply *rp)
{
	struct tenant *t = p->tenant;
	int64_t wait;

	if (p->o.auth) {
		int i = auth_check(p->o.auth, rq->authorization);
		if (i < 0) {
			snprintf(rp->header[0], sizeof(rp->header[0]),
			    "WWW-Authenticate");
			snprintf(rp->header[1], sizeof(rp->header[1]),
			    "Bearer realm=\"mtk\"");
			reply(p, rp, 401, "%s\n", rq->authorization ?
			    "this token is not known here" :
			    "a token is needed: Authorization: Bearer TOKEN");
			return NULL;
		}
		t = &p->tenant[i];
	}
	if ((wait = bucket_wait(&t->rate, ts_now())) > 0) {
		long long secs = (wait + 999) / 1000;
		t->count[THROTTLED]++;
		snprintf(rp->header[0], sizeof(rp->header[0]), "Retry-After");
		snprintf(rp->header[1], sizeof(rp->header[1]), "%lld", secs);
		reply(p, rp, 429, "over the rate of %g samples/s: try again in "
		    "%lld s\n", t->rate.rate, secs);
		return NULL;
	}
	return t;
}

void
push_handle(void *arg, const struct httpd_request *rq, struct httpd_reply *rp)
{
	struct push *p = arg;
	int get = strcmp(rq->method, "GET") == 0;
	int post = strcmp(rq->method, "POST") == 0;

	if (strcmp(rq->path, "/api/v1/push") == 0 ||
	    strcmp(rq->path, "/write") == 0) {
		struct tenant *t;
		if (!post)
			reply(p, rp, 405, "POST a batch of samples here\n");
		else if ((t = admit(p, rq, rp)) != NULL)
			push_batch(p, t, rq, rp, rq->path[1] == 'w');
	} else if (strcmp(rq->path, "/healthz") == 0 && get) {
		buf_adds(&rp->body, "ok\n");
	} else if (strcmp(rq->path, "/metrics") == 0 && get) {
		metrics(p, rp);
	} else {
		reply(p, rp, 404, "not here: POST /api/v1/push, GET /healthz or "
		    "/metrics\n");
	}
}
