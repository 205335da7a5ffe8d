/* post.c - one HTTP POST over a plain connection, for a program that sends once */
/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "net/post.h"

#define ANSWER_MAX (64 * 1024)

static int64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Wait until 'fd' is ready for 'events' or the deadline: 0, or -1. */
static int
wait_fd(int fd, short events, int64_t deadline)
{
	struct pollfd p = { fd, events, 0 };
	int64_t left;
	int rc;

	do {
		if ((left = deadline - now_ms()) <= 0) {
			errno = ETIMEDOUT;
			return -1;
		}
		rc = poll(&p, 1, (int)left);
	} while (rc == -1 && errno == EINTR);
	if (rc == 0) {
		errno = ETIMEDOUT;
		return -1;
	}
	return rc == 1 ? 0 : -1;
}

/* A connection to 'host':'port' by the deadline, or -1 with 'eb'. */
static int
dial(const char *host, const char *port, int64_t deadline, struct errbuf *eb)
{
	struct addrinfo hints, *ai = NULL, *a;
	int fd = -1, rc, e = 0;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICSERV;
	if ((rc = getaddrinfo(host, port, &hints, &ai)) != 0)
		return errbuf_set(eb, "%s: %s", host, gai_strerror(rc));
	for (a = ai; a; a = a->ai_next) {
		socklen_t sl = sizeof(e);
		fd = socket(a->ai_family, SOCK_STREAM | SOCK_CLOEXEC |
		    SOCK_NONBLOCK, 0);
		if (fd == -1)
			continue;
		if (connect(fd, a->ai_addr, a->ai_addrlen) == 0 ||
		    (errno == EINPROGRESS && wait_fd(fd, POLLOUT, deadline) == 0 &&
		    getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &sl) == 0 && e == 0))
			break;
		e = e ? e : errno;
		close(fd);
		fd = -1;
	}
	freeaddrinfo(ai);
	if (fd == -1)
		errbuf_set(eb, "cannot connect to %s port %s: %s", host, port,
		    strerror(e ? e : ECONNREFUSED));
	return fd;
}

static int
write_all(int fd, const char *p, size_t n, int64_t deadline)
{
	while (n > 0) {
		ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
		if (w == -1 && errno == EAGAIN) {
			if (wait_fd(fd, POLLOUT, deadline) == -1)
				return -1;
			continue;
		}
		if (w == -1 && errno == EINTR)
			continue;
		if (w == -1)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/*
 * Where the head of the answer 'in' ('len' bytes) ends (after its blank
 * line), or 0 when it has not yet.
 */
static size_t
head_end(const char *in, size_t len)
{
	size_t i;

	for (i = 0; i + 3 < len; i++)
		if (in[i] == '\r' && in[i + 1] == '\n' && in[i + 2] == '\r' &&
		    in[i + 3] == '\n')
			return i + 4;
	return 0;
}

/* The value of header 'name' in the head 'h' ('n' bytes), or NULL. */
static const char *
header_in(const char *h, size_t n, const char *name, size_t *vlen)
{
	size_t nl = strlen(name);
	const char *p = h, *end = h + n;

	while (p < end) {
		const char *e = memchr(p, '\n', (size_t)(end - p));
		size_t ll = (size_t)((e ? e : end) - p);
		if (ll > nl && strncasecmp(p, name, nl) == 0 && p[nl] == ':') {
			const char *v = p + nl + 1;
			while (v < p + ll && (*v == ' ' || *v == '\t'))
				v++;
			*vlen = (size_t)(p + ll - v);
			while (*vlen && (v[*vlen - 1] == '\r' || v[*vlen - 1] == ' '))
				(*vlen)--;
			return v;
		}
		p = e ? e + 1 : end;
	}
	return NULL;
}

/* A decimal number of at most 'n' bytes at 'p'; -1 when none. */
static long
number_at(const char *p, size_t n)
{
	long v = 0;
	size_t i;

	if (n == 0 || n > 12)
		return -1;
	for (i = 0; i < n; i++) {
		if (p[i] < '0' || p[i] > '9')
			return -1;
		v = v * 10 + (p[i] - '0');
	}
	return v;
}

int
post_answer_complete(const char *in, size_t len)
{
	size_t h = head_end(in, len), vl;
	const char *v;
	long clen;

	if (h == 0)
		return 0;
	if ((v = header_in(in, h, "Content-Length", &vl)) == NULL ||
	    (clen = number_at(v, vl)) < 0)
		return 0;	/* to the end of the connection */
	return len >= h + (size_t)clen;
}

int
post_answer_parse(const char *in, size_t len, struct post_answer *a)
{
	size_t h = head_end(in, len), vl, i;
	const char *v;
	int status = 0;

	memset(a, 0, sizeof(*a));
	if (h == 0 || len < 12 || memcmp(in, "HTTP/1.", 7) != 0 ||
	    in[8] != ' ')
		return -1;
	for (i = 9; i < 12; i++) {
		if (in[i] < '0' || in[i] > '9')
			return -1;
		status = status * 10 + (in[i] - '0');
	}
	if (status < 100)
		return -1;
	a->status = status;
	if ((v = header_in(in, h, "Retry-After", &vl)) != NULL &&
	    number_at(v, vl) > 0)
		a->retry_after_s = number_at(v, vl);
	buf_add(&a->body, in + h, len - h > ANSWER_MAX ? ANSWER_MAX : len - h);
	return 0;
}

int
post_plain(const char *url, const char *const *headers, const char *body,
    size_t len, int64_t timeout_ms, struct post_answer *a, struct errbuf *eb)
{
	char host[256], port[16] = "80";
	const char *hp, *path, *colon;
	struct buf req = BUF_INIT, in = BUF_INIT;
	int64_t deadline = now_ms() + (timeout_ms > 0 ? timeout_ms : 10000);
	size_t i;
	int fd, rc = -1;

	memset(a, 0, sizeof(*a));
	if (strncmp(url, "http://", 7) != 0)
		return errbuf_set(eb, "'%s': not an http:// URL", url);
	hp = url + 7;
	path = hp + strcspn(hp, "/?#");
	if (*hp == '[') {
		const char *rb = memchr(hp, ']', (size_t)(path - hp));
		if (rb == NULL)
			return errbuf_set(eb, "'%s': a bad address", url);
		snprintf(host, sizeof(host), "%.*s", (int)(rb - hp - 1), hp + 1);
		colon = rb[1] == ':' ? rb + 1 : NULL;
	} else {
		colon = memchr(hp, ':', (size_t)(path - hp));
		snprintf(host, sizeof(host), "%.*s",
		    (int)((colon ? colon : path) - hp), hp);
	}
	if (colon)
		snprintf(port, sizeof(port), "%.*s", (int)(path - colon - 1),
		    colon + 1);
	if (memchr(hp, '@', (size_t)(path - hp)))
		return errbuf_set(eb, "'%s': a user in the URL: use a token "
		    "file", url);
	if ((fd = dial(host, port, deadline, eb)) == -1)
		return -1;
	buf_addf(&req, "POST %.*s HTTP/1.1\r\nHost: %.*s\r\n"
	    "Content-Length: %zu\r\nConnection: close\r\n",
	    (int)strcspn(*path ? path : "/", "#"), *path ? path : "/",
	    (int)(path - hp), hp, len);
	for (i = 0; headers && headers[i]; i++)
		buf_addf(&req, "%s\r\n", headers[i]);
	buf_adds(&req, "\r\n");
	/* A small body goes in the head's segment: one write, one wake-up
	 * of the server, no wait on Nagle for a second segment. */
	if (len <= 65536) {
		buf_add(&req, body, len);
		len = 0;
	}
	if (write_all(fd, req.p, req.len, deadline) == -1 ||
	    write_all(fd, body, len, deadline) == -1) {
		errbuf_set(eb, "%s: %s", url, strerror(errno));
		goto out;
	}
	/* The answer: its head, then the body up to its length or the end. */
	for (;;) {
		char chunk[8192];
		ssize_t r = recv(fd, chunk, sizeof(chunk), 0);
		if (r == -1 && (errno == EAGAIN || errno == EINTR)) {
			if (wait_fd(fd, POLLIN, deadline) == -1) {
				errbuf_set(eb, "%s: %s", url, strerror(errno));
				goto out;
			}
			continue;
		}
		if (r == -1) {
			errbuf_set(eb, "%s: %s", url, strerror(errno));
			goto out;
		}
		if (r == 0)
			break;
		if (in.len < ANSWER_MAX + 16384)
			buf_add(&in, chunk, (size_t)r);
		if (post_answer_complete(in.p, in.len))
			break;
	}
	if (post_answer_parse(in.p ? in.p : "", in.len, a) == -1) {
		buf_release(&a->body);
		errbuf_set(eb, "%s: no HTTP answer", url);
		goto out;
	}
	rc = 0;
out:
	close(fd);
	buf_release(&req);
	buf_release(&in);
	return rc;
}
