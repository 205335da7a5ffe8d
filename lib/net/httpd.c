/* httpd.c - a small HTTP server over libmicrohttpd, whole requests to a callback */
/* SPDX-License-Identifier: MIT */
#include <dlfcn.h>
#include <errno.h>
#include <netdb.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <microhttpd.h>

#include "base/xalloc.h"
#include "net/httpd.h"
#include "net/listen.h"

#define LIBMHD "libmicrohttpd.so.12"
#define HEADER_ROOM (64 * 1024)	/* a connection's: its request's head */

/*
 * 'lock' guards 'stopping', which httpd_close() sets (and signals on
 * 'wake') to end the waits of every stream, and 'streams', the streams
 * being sent (signalled on 'wake' as each ends).
 */
struct httpd {
	void *handle;
	struct MHD_Daemon *d;
	int fd;
	unsigned flags;
	size_t max_body;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	int stopping;
	size_t streams;
	httpd_fn fn;
	void *arg;
	char addr[128];
	struct MHD_Daemon *(*start)(unsigned int, uint16_t,
	    MHD_AcceptPolicyCallback, void *, MHD_AccessHandlerCallback,
	    void *, ...);
	void (*stop)(struct MHD_Daemon *);
	const char *(*lookup)(struct MHD_Connection *, enum MHD_ValueKind,
	    const char *);
	struct MHD_Response *(*from_buffer)(size_t, void *,
	    enum MHD_ResponseMemoryMode);
	struct MHD_Response *(*from_callback)(uint64_t, size_t,
	    MHD_ContentReaderCallback, void *, MHD_ContentReaderFreeCallback);
	enum MHD_Result (*add_header)(struct MHD_Response *, const char *,
	    const char *);
	enum MHD_Result (*queue)(struct MHD_Connection *, unsigned int,
	    struct MHD_Response *);
	void (*destroy)(struct MHD_Response *);
	int (*values)(struct MHD_Connection *, enum MHD_ValueKind,
	    MHD_KeyValueIterator, void *);
};

/* A request being received. */
struct pending {
	struct buf body;
	int too_big;
	const char **args;	/* its query's, 2 a name (borrowed) */
	size_t nargs, cap;
};

static enum MHD_Result
on_arg(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
	struct pending *p = cls;

	(void)kind;
	p->args = xgrow(p->args, &p->cap, 2 * p->nargs + 2, sizeof(*p->args));
	p->args[2 * p->nargs] = key;
	p->args[2 * p->nargs + 1] = value;
	p->nargs++;
	return MHD_YES;
}

/* A streamed body being sent. */
struct streaming {
	struct httpd *h;
	struct httpd_stream s;
	struct buf out;		/* the part being sent */
	size_t sent;		/* of it */
	struct timespec next;	/* when to call 'more' again (monotonic) */
	int ended;		/* 'more' returned -1 */
};

/* Wait until 'at' or until the server stops: 0, or -1 when it stops. */
static int
wait_until(struct httpd *h, const struct timespec *at)
{
	int stopping;

	pthread_mutex_lock(&h->lock);
	while (!h->stopping &&
	    pthread_cond_timedwait(&h->wake, &h->lock, at) != ETIMEDOUT)
		;
	stopping = h->stopping;
	pthread_mutex_unlock(&h->lock);
	return stopping ? -1 : 0;
}

static ssize_t
stream_read(void *cls, uint64_t pos, char *to, size_t max)
{
	struct streaming *st = cls;
	size_t n;
	int64_t wait;

	(void)pos;
	while (st->sent == st->out.len) {
		if (st->ended || wait_until(st->h, &st->next) == -1)
			return MHD_CONTENT_READER_END_OF_STREAM;
		buf_reset(&st->out);
		st->sent = 0;
		if ((wait = st->s.more(st->s.arg, &st->out)) < 0) {
			st->ended = 1;
			continue;
		}
		clock_gettime(CLOCK_MONOTONIC, &st->next);
		st->next.tv_sec += wait / 1000;
		st->next.tv_nsec += wait % 1000 * 1000000;
		if (st->next.tv_nsec >= 1000000000) {
			st->next.tv_sec++;
			st->next.tv_nsec -= 1000000000;
		}
	}
	n = st->out.len - st->sent < max ? st->out.len - st->sent : max;
	memcpy(to, st->out.p + st->sent, n);
	st->sent += n;
	return (ssize_t)n;
}

static void
stream_free(void *cls)
{
	struct streaming *st = cls;
	struct httpd *h = st->h;

	if (st->s.done)
		st->s.done(st->s.arg);
	buf_release(&st->out);
	free(st);
	pthread_mutex_lock(&h->lock);
	h->streams--;
	pthread_cond_broadcast(&h->wake);
	pthread_mutex_unlock(&h->lock);
}

/* The response of 'rp': its body, or its stream (then taken). */
static struct MHD_Response *
response(struct httpd *h, struct httpd_reply *rp)
{
	struct streaming *st;
	struct MHD_Response *r;

	if (rp->stream.more == NULL)
		return h->from_buffer(rp->body.len, rp->body.p ? rp->body.p : "",
		    MHD_RESPMEM_MUST_COPY);
	st = xcalloc(1, sizeof(*st));
	st->h = h;
	pthread_mutex_lock(&h->lock);
	h->streams++;
	pthread_mutex_unlock(&h->lock);
	st->s = rp->stream;
	memset(&rp->stream, 0, sizeof(rp->stream));
	/* A stream waits in its thread: a server of one thread has none. */
	if (!(h->flags & HTTPD_THREADED) ||
	    (r = h->from_callback(MHD_SIZE_UNKNOWN, 4096, stream_read, st,
	    stream_free)) == NULL) {
		stream_free(st);
		return NULL;
	}
	return r;
}

static enum MHD_Result
on_request(void *cls, struct MHD_Connection *c, const char *url,
    const char *method, const char *version, const char *data,
    size_t *size, void **state)
{
	struct httpd *h = cls;
	struct pending *p = *state;
	struct httpd_request rq;
	struct httpd_reply rp;
	struct MHD_Response *r;
	enum MHD_Result ok;

	(void)version;
	if (p == NULL) {
		*state = p = xcalloc(1, sizeof(*p));
		return MHD_YES;
	}
	if (*size) {
		if (p->body.len + *size > h->max_body)
			p->too_big = 1;
		else
			buf_add(&p->body, data, *size);
		*size = 0;
		return MHD_YES;
	}
	memset(&rq, 0, sizeof(rq));
	rq.method = method;
	rq.path = url;
	rq.content_type = h->lookup(c, MHD_HEADER_KIND, "Content-Type");
	rq.content_encoding = h->lookup(c, MHD_HEADER_KIND, "Content-Encoding");
	rq.authorization = h->lookup(c, MHD_HEADER_KIND, "Authorization");
	rq.format = h->lookup(c, MHD_GET_ARGUMENT_KIND, "format");
	rq.precision = h->lookup(c, MHD_GET_ARGUMENT_KIND, "precision");
	p->nargs = 0;
	h->values(c, MHD_GET_ARGUMENT_KIND, on_arg, p);
	rq.args = p->args;
	rq.nargs = p->nargs;
	rq.body = p->body.p ? p->body.p : "";
	rq.len = p->body.len;
	rq.too_big = p->too_big;
	memset(&rp, 0, sizeof(rp));
	rp.status = 200;
	rp.content_type = "text/plain; charset=utf-8";
	h->fn(h->arg, &rq, &rp);
	if ((r = response(h, &rp)) == NULL) {
		buf_release(&rp.body);
		return MHD_NO;
	}
	if (rp.status != 204)
		h->add_header(r, "Content-Type", rp.content_type);
	if (rp.header[0][0])
		h->add_header(r, rp.header[0], rp.header[1]);
	ok = h->queue(c, (unsigned)rp.status, r);
	h->destroy(r);
	buf_release(&rp.body);
	return ok;
}

static void
on_done(void *cls, struct MHD_Connection *c, void **state,
    enum MHD_RequestTerminationCode toe)
{
	struct pending *p = *state;

	(void)cls;
	(void)c;
	(void)toe;
	if (p) {
		free(p->args);
		buf_release(&p->body);
		free(p);
		*state = NULL;
	}
}

/* The socket, bound and listening, for libmicrohttpd to take. */
static int
bind_listen(struct httpd *h, const char *addr, struct errbuf *eb)
{
	struct addrinfo hints, *ai = NULL;
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	char host[100], port[16], hb[100], pb[16];
	int fd, one = 1, rc;

	if (listen_split(addr, host, sizeof(host), port, sizeof(port)) == -1)
		return errbuf_set(eb, "'%s': not host:port", addr);
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
	if ((rc = getaddrinfo(*host ? host : NULL, port, &hints, &ai)) != 0)
		return errbuf_set(eb, "'%s': %s", addr, gai_strerror(rc));
	if ((fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1) {
		freeaddrinfo(ai);
		return errbuf_set(eb, "socket: %s", strerror(errno));
	}
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, ai->ai_addr, ai->ai_addrlen) == -1 ||
	    listen(fd, 128) == -1) {
		errbuf_set(eb, "cannot listen on '%s': %s", addr, strerror(errno));
		close(fd);
		freeaddrinfo(ai);
		return -1;
	}
	freeaddrinfo(ai);
	getsockname(fd, (struct sockaddr *)&ss, &sl);
	getnameinfo((struct sockaddr *)&ss, sl, hb, sizeof(hb), pb, sizeof(pb),
	    NI_NUMERICHOST | NI_NUMERICSERV);
	snprintf(h->addr, sizeof(h->addr), strchr(hb, ':') ? "[%s]:%s" : "%s:%s",
	    hb, pb);
	return fd;
}

struct httpd *
httpd_open(const char *addr, size_t max_body, unsigned flags, httpd_fn fn,
    void *arg, struct errbuf *eb)
{
	struct httpd *h = xcalloc(1, sizeof(*h));
	const char *missing = NULL;
	pthread_condattr_t ca;
	int inited = 0;

	h->fd = -1;
	h->flags = flags;
	h->max_body = max_body;
	h->fn = fn;
	h->arg = arg;
	if ((h->handle = dlopen(LIBMHD, RTLD_NOW | RTLD_LOCAL)) == NULL) {
		errbuf_set(eb, "cannot load %s: %s", LIBMHD, dlerror());
		free(h);
		return NULL;
	}
#define LOAD(field, name) \
	if (missing == NULL && \
	    (*(void **)(&h->field) = dlsym(h->handle, name)) == NULL) \
		missing = name
	LOAD(start, "MHD_start_daemon");
	LOAD(stop, "MHD_stop_daemon");
	LOAD(lookup, "MHD_lookup_connection_value");
	LOAD(from_buffer, "MHD_create_response_from_buffer");
	LOAD(from_callback, "MHD_create_response_from_callback");
	LOAD(add_header, "MHD_add_response_header");
	LOAD(queue, "MHD_queue_response");
	LOAD(destroy, "MHD_destroy_response");
	LOAD(values, "MHD_get_connection_values");
#undef LOAD
	if (missing) {
		errbuf_set(eb, "%s has no %s", LIBMHD, missing);
		goto fail;
	}
	if ((h->fd = bind_listen(h, addr, eb)) == -1)
		goto fail;
	pthread_mutex_init(&h->lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&h->wake, &ca);
	pthread_condattr_destroy(&ca);
	inited = 1;
	h->d = h->start(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_POLL |
	    (flags & HTTPD_THREADED ? MHD_USE_THREAD_PER_CONNECTION : 0), 0,
	    NULL, NULL, on_request, h,
	    MHD_OPTION_LISTEN_SOCKET, h->fd,
	    MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)30,
	    MHD_OPTION_CONNECTION_LIMIT, (unsigned int)256,
	    MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)HEADER_ROOM,
	    MHD_OPTION_NOTIFY_COMPLETED, on_done, h,
	    MHD_OPTION_END);
	if (h->d == NULL) {
		errbuf_set(eb, "cannot serve on '%s'", addr);
		goto fail;
	}
	return h;
fail:
	if (inited) {
		pthread_cond_destroy(&h->wake);
		pthread_mutex_destroy(&h->lock);
	}
	if (h->fd != -1)
		close(h->fd);
	dlclose(h->handle);
	free(h);
	return NULL;
}

const char *
httpd_address(const struct httpd *h)
{
	return h->addr;
}

void
httpd_close(struct httpd *h)
{
	struct timespec until;

	if (h == NULL)
		return;
	/*
	 * Streams end their bodies properly (the last chunk sent) before
	 * the library shuts their connections: a second at most, for a
	 * client that no longer reads.
	 */
	clock_gettime(CLOCK_MONOTONIC, &until);
	until.tv_sec++;
	pthread_mutex_lock(&h->lock);
	h->stopping = 1;
	pthread_cond_broadcast(&h->wake);
	while (h->streams > 0 &&
	    pthread_cond_timedwait(&h->wake, &h->lock, &until) != ETIMEDOUT)
		;
	pthread_mutex_unlock(&h->lock);
	h->stop(h->d);
	pthread_cond_destroy(&h->wake);
	pthread_mutex_destroy(&h->lock);
	close(h->fd);
	dlclose(h->handle);
	free(h);
}
