/* dest.c - where mpush sends: a URL, its format and its transport */
/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <zlib.h>

#include "base/fileio.h"
#include "base/xalloc.h"
#include "send/dest.h"
#include "net/post.h"
#include "send/encode.h"
#include "stream/jsonl.h"

enum transport { T_HTTP, T_UDP, T_TCP };

#define GZIP_FROM 4096		/* bytes of stream lines worth gzipping */

struct dest {
	struct dest_opts o;
	enum transport t;
	enum encode_format f;
	int mtk;			/* an mtk listener: 400 keeps good lines */
	char *url;			/* what is asked of HTTP */
	char *name;			/* for messages */
	char host[256], port[16];
	struct http_client *http;
	struct encoder *enc;
	struct jsonl_parser *ps;
	struct buf body;
	int udp;			/* the connected socket, or -1 */
	z_stream z;			/* kept from batch to batch: its */
	int z_ready;			/* state is large to make again */
};

static const struct {
	const char *prefix;		/* the scheme and "://" */
	size_t strip;			/* bytes of it that HTTP does not see */
	enum transport t;
	enum encode_format f;
} schemes[] = {
	{ "http://", 0, T_HTTP, ENCODE_JSONL },
	{ "https://", 0, T_HTTP, ENCODE_JSONL },
	{ "pushgateway+http://", 12, T_HTTP, ENCODE_PROMETHEUS },
	{ "pushgateway+https://", 12, T_HTTP, ENCODE_PROMETHEUS },
	{ "influx+http://", 7, T_HTTP, ENCODE_INFLUX },
	{ "influx+https://", 7, T_HTTP, ENCODE_INFLUX },
	{ "remote-write+http://", 13, T_HTTP, ENCODE_REMOTE_WRITE },
	{ "remote-write+https://", 13, T_HTTP, ENCODE_REMOTE_WRITE },
	{ "statsd://", 0, T_UDP, ENCODE_STATSD },
	{ "graphite://", 0, T_TCP, ENCODE_GRAPHITE },
};

/* "scheme://user:pass@host/..." without "user:pass@". */
static char *
redact(const char *url)
{
	const char *s = strstr(url, "://"), *at, *slash;
	char *out;

	if (s == NULL)
		return xstrdup(url);
	s += 3;
	slash = s + strcspn(s, "/?#");
	at = memchr(s, '@', (size_t)(slash - s));
	if (at == NULL)
		return xstrdup(url);
	out = xmalloc(strlen(url) + 1);
	snprintf(out, strlen(url) + 1, "%.*s%s", (int)(s - url), url, at + 1);
	return out;
}

/* "host:port" of a statsd:// or graphite:// URL. */
static int
host_port(struct dest *d, const char *rest, const char *dflt,
    struct errbuf *eb)
{
	size_t n = strcspn(rest, "/?#");
	const char *colon;

	if (rest[0] == '[') {
		const char *rb = memchr(rest, ']', n);
		if (rb == NULL)
			return errbuf_set(eb, "'%s': a bad IPv6 address", d->name);
		snprintf(d->host, sizeof(d->host), "%.*s", (int)(rb - rest - 1),
		    rest + 1);
		colon = rb[1] == ':' ? rb + 1 : NULL;
	} else {
		colon = memchr(rest, ':', n);
		snprintf(d->host, sizeof(d->host), "%.*s",
		    (int)((colon ? colon : rest + n) - rest), rest);
	}
	if (colon)
		snprintf(d->port, sizeof(d->port), "%.*s",
		    (int)(rest + n - colon - 1), colon + 1);
	else
		snprintf(d->port, sizeof(d->port), "%s", dflt);
	if (d->host[0] == '\0' || d->port[0] == '\0' ||
	    strspn(d->port, "0123456789") != strlen(d->port))
		return errbuf_set(eb, "'%s': not HOST:PORT", d->name);
	return 0;
}

struct dest *
dest_open(const struct dest_opts *o, struct errbuf *eb)
{
	struct dest *d = xcalloc(1, sizeof(*d));
	size_t i;

	d->o = *o;
	d->udp = -1;
	d->name = redact(o->url);
	for (i = 0; i < sizeof(schemes) / sizeof(schemes[0]); i++)
		if (strncmp(o->url, schemes[i].prefix,
		    strlen(schemes[i].prefix)) == 0)
			break;
	if (i == sizeof(schemes) / sizeof(schemes[0])) {
		errbuf_set(eb, "'%s': http, https, pushgateway+http, influx+http, "
		    "remote-write+http, statsd or graphite URLs", d->name);
		goto fail;
	}
	d->t = schemes[i].t;
	d->f = schemes[i].f;
	if (d->f == ENCODE_GRAPHITE && o->graphite_dotted)
		d->f = ENCODE_GRAPHITE_DOTTED;
	d->mtk = d->f == ENCODE_JSONL;
	if (d->t == T_HTTP) {
		d->url = xstrdup(o->url + schemes[i].strip);
		/* One request over plain HTTP: no libcurl to load. */
		if (!(o->one_shot && strncmp(d->url, "http://", 7) == 0 &&
		    o->user == NULL) && (d->http = http_client_new("mpush/"
		    MTK_VERSION, eb)) == NULL)
			goto fail;
	} else if (host_port(d, o->url + strlen(schemes[i].prefix),
	    d->t == T_UDP ? "8125" : "2003", eb) == -1) {
		goto fail;
	}
	d->enc = encoder_new(d->f);
	d->ps = jsonl_parser_new(0);
	if (encoder_error(d->enc)) {
		errbuf_set(eb, "%s: %s", d->name, encoder_error(d->enc));
		goto fail;
	}
	return d;
fail:
	dest_close(d);
	return NULL;
}

void
dest_close(struct dest *d)
{
	if (d == NULL)
		return;
	if (d->udp != -1)
		close(d->udp);
	http_client_free(d->http);
	if (d->enc)
		encoder_free(d->enc);
	jsonl_parser_free(d->ps);
	if (d->z_ready)
		deflateEnd(&d->z);
	buf_release(&d->body);
	free(d->url);
	free(d->name);
	free(d);
}

const char *
dest_name(const struct dest *d)
{
	return d->name;
}

/* gzip 'n' bytes at 'p' into d->body (replaced). */
static int
gzip(struct dest *d, const char *p, size_t n, struct errbuf *eb)
{
	z_stream *z = &d->z;
	uLong bound;

	if (!d->z_ready) {
		memset(z, 0, sizeof(*z));
		if (deflateInit2(z, 1, Z_DEFLATED, 16 + MAX_WBITS, 8,
		    Z_DEFAULT_STRATEGY) != Z_OK)
			return errbuf_set(eb, "cannot start zlib");
		d->z_ready = 1;
	} else if (deflateReset(z) != Z_OK) {
		return errbuf_set(eb, "cannot start zlib again");
	}
	bound = deflateBound(z, (uLong)n) + 32;
	buf_reset(&d->body);
	buf_grow(&d->body, bound);
	z->next_in = (Bytef *)(uintptr_t)p;
	z->avail_in = (uInt)n;
	z->next_out = (Bytef *)d->body.p;
	z->avail_out = (uInt)bound;
	if (deflate(z, Z_FINISH) != Z_STREAM_END)
		return errbuf_set(eb, "zlib could not compress a batch");
	d->body.len = bound - z->avail_out;
	return 0;
}

/* The lines as samples, through the encoder, into d->body. */
static void
encode(struct dest *d, const char *lines, size_t len, int64_t now,
    size_t *left_out)
{
	const char *p = lines, *end = lines + len;

	buf_reset(&d->body);
	encode_start(d->enc, now);
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = (size_t)((nl ? nl : end) - p);
		struct errbuf eb = ERRBUF_INIT;
		struct sample s;
		if (n && (jsonl_parse(d->ps, p, n, &s, &eb) == -1 ||
		    encode_add(d->enc, &s) == 1))
			(*left_out)++;
		p = nl ? nl + 1 : end;
	}
	encode_finish(d->enc, &d->body);
}

/* The first line of an answer, for a message. */
static const char *
first_line(const struct buf *b, char *out, size_t size)
{
	size_t n = b->len;
	const char *nl = b->p ? memchr(b->p, '\n', n) : NULL;

	if (nl)
		n = (size_t)(nl - b->p);
	return errbuf_quote(out, size, b->p ? b->p : "", n);
}

/* What an answer means for the batch (dest.h). */
static enum dest_result
judge(struct dest *d, long status, long retry_after_s, const struct buf *body,
    int64_t *retry_after_ms, struct errbuf *eb)
{
	char why[200];

	if (status >= 200 && status < 300)
		return DEST_DELIVERED;
	if (status == 400 && d->mtk) {
		errbuf_set(eb, "%s: %s", d->name, first_line(body, why,
		    sizeof(why)));
		return DEST_DELIVERED;
	}
	errbuf_set(eb, "%s: HTTP %ld: %s", d->name, status, first_line(body, why,
	    sizeof(why)));
	if (status == 408 || status == 429 || status >= 500) {
		if (retry_after_s > 0)
			*retry_after_ms = retry_after_s * 1000;
		return DEST_RETRY;
	}
	return DEST_REJECTED;
}

/* The same without libcurl (dest_opts.one_shot, http:// only). */
static enum dest_result
post_once(struct dest *d, const char *url, const char *const *headers,
    const char *body, size_t len, int64_t *retry_after_ms, struct errbuf *eb)
{
	const char *h[8];
	struct post_answer a;
	struct buf auth = BUF_INIT;
	size_t n = 0;
	enum dest_result res;

	while (headers && headers[n] && n < 6) {
		h[n] = headers[n];
		n++;
	}
	if (d->o.bearer_token) {
		buf_addf(&auth, "Authorization: Bearer %s", d->o.bearer_token);
		h[n++] = auth.p;
	}
	h[n] = NULL;
	if (post_plain(url, h, body, len, d->o.timeout_ms, &a, eb) == -1) {
		errbuf_prefix(eb, "%s", d->name);
		res = DEST_RETRY;
	} else {
		res = judge(d, a.status, a.retry_after_s, &a.body,
		    retry_after_ms, eb);
	}
	if (auth.p)
		explicit_bzero(auth.p, auth.len);
	buf_release(&auth);
	buf_release(&a.body);
	return res;
}

/* POST 'body' to 'url' with 'headers'; the answer decides (dest.h). */
static enum dest_result
post(struct dest *d, const char *url, const char *const *headers,
    const char *body, size_t len, int64_t *retry_after_ms, struct errbuf *eb)
{
	struct http_request r;
	enum dest_result res;

	if (d->http == NULL)
		return post_once(d, url, headers, body, len, retry_after_ms, eb);
	memset(&r, 0, sizeof(r));
	r.url = url;
	r.method = "POST";
	r.headers = headers;
	r.body = body;
	r.body_len = len;
	r.timeout_ms = d->o.timeout_ms;
	r.bearer_token = d->o.bearer_token;
	r.user = d->o.user;
	r.password = d->o.password;
	r.tls = d->o.tls;
	r.max_body = 64 * 1024;
	r.cut = 1;
	if (http_run(d->http, &r, 1, eb) == -1)
		return DEST_RETRY;
	if (r.status == 0) {
		errbuf_set(eb, "%s: %s", d->name, r.error);
		res = DEST_RETRY;
	} else {
		res = judge(d, r.status, r.retry_after_s, &r.reply,
		    retry_after_ms, eb);
	}
	http_request_release(&r);
	return res;
}

static enum dest_result
send_http(struct dest *d, const char *lines, size_t len, int64_t now,
    int64_t *retry_after_ms, size_t *left_out, struct errbuf *eb)
{
	static const char *const h_jsonl[] = {
		"Content-Type: application/x-ndjson", "Content-Encoding: gzip",
		NULL };
	static const char *const h_jsonl_plain[] = {
		"Content-Type: application/x-ndjson", NULL };
	static const char *const h_text[] = {
		"Content-Type: text/plain; version=0.0.4; charset=utf-8", NULL };
	static const char *const h_influx[] = {
		"Content-Type: text/plain; charset=utf-8", NULL };
	static const char *const h_rw[] = {
		"Content-Type: application/x-protobuf",
		"Content-Encoding: snappy",
		"X-Prometheus-Remote-Write-Version: 0.1.0", NULL };
	const char *const *headers;

	if (d->f == ENCODE_JSONL && len < GZIP_FROM) {
		/* A few lines: zlib's state costs more than it saves. */
		return post(d, d->url, h_jsonl_plain, lines, len, retry_after_ms,
		    eb);
	} else if (d->f == ENCODE_JSONL) {
		if (gzip(d, lines, len, eb) == -1)
			return DEST_REJECTED;
		headers = h_jsonl;
	} else {
		encode(d, lines, len, now, left_out);
		headers = d->f == ENCODE_PROMETHEUS ? h_text :
		    d->f == ENCODE_INFLUX ? h_influx : h_rw;
	}
	if (d->body.len == 0)
		return DEST_DELIVERED;	/* nothing the format carries */
	return post(d, d->url, headers, d->body.p, d->body.len, retry_after_ms,
	    eb);
}

/* A socket of 'type' connected to the host and port, or -1 with 'eb'. */
static int
connect_to(struct dest *d, int type, struct errbuf *eb)
{
	struct addrinfo hints, *ai = NULL, *a;
	int fd = -1, rc;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = type;
	hints.ai_flags = AI_NUMERICSERV;
	if ((rc = getaddrinfo(d->host, d->port, &hints, &ai)) != 0)
		return errbuf_set(eb, "%s: %s", d->name, gai_strerror(rc));
	for (a = ai; a; a = a->ai_next) {
		if ((fd = socket(a->ai_family, type | SOCK_CLOEXEC, 0)) == -1)
			continue;
		if (type == SOCK_STREAM) {
			struct timeval tv = { (time_t)(d->o.timeout_ms / 1000),
				(suseconds_t)(d->o.timeout_ms % 1000 * 1000) };
			setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
			setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
		}
		if (connect(fd, a->ai_addr, a->ai_addrlen) == 0)
			break;
		errbuf_set(eb, "%s: %s", d->name, strerror(errno));
		close(fd);
		fd = -1;
	}
	freeaddrinfo(ai);
	return fd;
}

static int
send_datagram(void *arg, const char *p, size_t n)
{
	struct dest *d = arg;

	return send(d->udp, p, n, 0) == (ssize_t)n ? 0 : errno ? errno : EIO;
}

static enum dest_result
send_udp(struct dest *d, const char *lines, size_t len, int64_t now,
    size_t *left_out, struct errbuf *eb)
{
	int e;

	encode(d, lines, len, now, left_out);
	if (d->udp == -1 && (d->udp = connect_to(d, SOCK_DGRAM, eb)) == -1)
		return DEST_RETRY;
	if ((e = encode_datagrams(d->body.p ? d->body.p : "", d->body.len,
	    d->o.mtu, send_datagram, d)) != 0) {
		errbuf_set(eb, "%s: %s", d->name, strerror(e));
		close(d->udp);
		d->udp = -1;
		return DEST_RETRY;
	}
	return DEST_DELIVERED;
}

static enum dest_result
send_tcp(struct dest *d, const char *lines, size_t len, int64_t now,
    size_t *left_out, struct errbuf *eb)
{
	int fd;

	encode(d, lines, len, now, left_out);
	if (d->body.len == 0)
		return DEST_DELIVERED;
	if ((fd = connect_to(d, SOCK_STREAM, eb)) == -1)
		return DEST_RETRY;
	if (fileio_write_all(fd, d->body.p, d->body.len) == -1 ||
	    shutdown(fd, SHUT_WR) == -1) {
		errbuf_set(eb, "%s: %s", d->name, strerror(errno));
		close(fd);
		return DEST_RETRY;
	}
	if (close(fd) == -1) {
		errbuf_set(eb, "%s: %s", d->name, strerror(errno));
		return DEST_RETRY;
	}
	return DEST_DELIVERED;
}

enum dest_result
dest_send_statsd(struct dest *d, const char *lines, size_t len,
    int64_t *retry_after_ms, struct errbuf *eb)
{
	static const char *const h_statsd[] = {
		"Content-Type: text/plain; charset=utf-8", NULL };
	enum dest_result r;
	char *url;
	int e;

	*retry_after_ms = 0;
	eb->msg[0] = '\0';
	if (d->t == T_UDP) {
		if (d->udp == -1 && (d->udp = connect_to(d, SOCK_DGRAM,
		    eb)) == -1)
			return DEST_RETRY;
		if ((e = encode_datagrams(lines, len, d->o.mtu, send_datagram,
		    d)) != 0) {
			errbuf_set(eb, "%s: %s", d->name, strerror(e));
			return DEST_RETRY;
		}
		return DEST_DELIVERED;
	}
	if (!d->mtk) {
		errbuf_set(eb, "%s cannot add up a counter's increments: send "
		    "them to statsd:// or to an mtk listener", d->name);
		return DEST_REJECTED;
	}
	url = xmalloc(strlen(d->url) + 16);
	snprintf(url, strlen(d->url) + 16, "%s%cformat=statsd", d->url,
	    strchr(d->url, '?') ? '&' : '?');
	r = post(d, url, h_statsd, lines, len, retry_after_ms, eb);
	free(url);
	return r;
}

enum dest_result
dest_send(struct dest *d, const char *lines, size_t len, int64_t now,
    int64_t *retry_after_ms, size_t *left_out, struct errbuf *eb)
{
	*retry_after_ms = 0;
	*left_out = 0;
	eb->msg[0] = '\0';
	switch (d->t) {
	case T_HTTP:
		return send_http(d, lines, len, now, retry_after_ms, left_out, eb);
	case T_UDP:
		return send_udp(d, lines, len, now, left_out, eb);
	case T_TCP:
		return send_tcp(d, lines, len, now, left_out, eb);
	}
	return DEST_REJECTED;
}
