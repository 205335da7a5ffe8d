/* listen.c - datagrams and lines received on one address, UDP and TCP */
/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/xalloc.h"
#include "net/listen.h"

#define BATCH 64
#define DGRAM_MAX 16384
#define CONNS_MAX 256
#define LINE_MAX_TCP 65536

struct conn {
	int fd;
	struct buf in;
};

struct listener {
	int udp, tcp;
	char addr[128];
	struct conn conns[CONNS_MAX];
	size_t nconns;
	uint32_t last_drops;
	char *bufs;			/* BATCH datagrams */
	char cbuf[BATCH][CMSG_SPACE(sizeof(uint32_t))];
};

int
listen_split(const char *addr, char *host, size_t hs, char *port, size_t ps)
{
	const char *colon;

	if (addr[0] == '[') {
		const char *rb = strchr(addr, ']');
		if (rb == NULL || rb[1] != ':' || rb[2] == '\0')
			return -1;
		snprintf(host, hs, "%.*s", (int)(rb - addr - 1), addr + 1);
		snprintf(port, ps, "%s", rb + 2);
		return 0;
	}
	if (addr[0] && strspn(addr, "0123456789") == strlen(addr)) {
		/* A port alone: the loopback interface, not every one. */
		snprintf(host, hs, "127.0.0.1");
		snprintf(port, ps, "%s", addr);
		return 0;
	}
	if ((colon = strrchr(addr, ':')) == NULL || colon[1] == '\0')
		return -1;
	if (colon == addr)
		snprintf(host, hs, "127.0.0.1");
	else
		snprintf(host, hs, "%.*s", (int)(colon - addr), addr);
	snprintf(port, ps, "%s", colon + 1);
	return 0;
}

static int
bind_one(const struct addrinfo *ai, int type, struct errbuf *eb)
{
	int fd, one = 1;

	if ((fd = socket(ai->ai_family, type | SOCK_CLOEXEC | SOCK_NONBLOCK,
	    0)) == -1)
		return errbuf_set(eb, "socket: %s", strerror(errno));
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, ai->ai_addr, ai->ai_addrlen) == -1) {
		errbuf_set(eb, "cannot bind: %s", strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

struct listener *
listener_open(const char *addr, struct errbuf *eb)
{
	struct listener *l = xcalloc(1, sizeof(*l));
	struct addrinfo hints, *ai = NULL;
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	char host[100], port[16], hbuf[100], pbuf[16];
	int big = 16 * 1024 * 1024, one = 1, rc, tries;

	l->udp = l->tcp = -1;
	if (listen_split(addr, host, sizeof(host), port, sizeof(port)) == -1) {
		errbuf_set(eb, "'%s': not host:port", addr);
		goto fail;
	}
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_DGRAM;
	hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
	if ((rc = getaddrinfo(*host ? host : NULL, port, &hints, &ai)) != 0) {
		errbuf_set(eb, "'%s': %s", addr, gai_strerror(rc));
		goto fail;
	}
	/*
	 * The port the kernel chose for UDP, for TCP too; with port 0 that
	 * one may be taken for TCP already: another is chosen then.
	 */
	for (tries = 0;; tries++) {
		struct sockaddr_storage asked;
		memcpy(&asked, ai->ai_addr, ai->ai_addrlen);
		if ((l->udp = bind_one(ai, SOCK_DGRAM, eb)) == -1)
			goto fail;
		sl = sizeof(ss);
		getsockname(l->udp, (struct sockaddr *)&ss, &sl);
		memcpy(ai->ai_addr, &ss, ai->ai_addrlen);
		if ((l->tcp = bind_one(ai, SOCK_STREAM, eb)) != -1)
			break;
		if (strcmp(port, "0") != 0 || tries == 20)
			goto fail;
		close(l->udp);
		l->udp = -1;
		memcpy(ai->ai_addr, &asked, ai->ai_addrlen);
	}
	if (listen(l->tcp, 128) == -1) {
		errbuf_set(eb, "listen: %s", strerror(errno));
		goto fail;
	}
	/* Room for bursts: as much as the system grants (more as root). */
	if (setsockopt(l->udp, SOL_SOCKET, SO_RCVBUFFORCE, &big, sizeof(big)) == -1)
		setsockopt(l->udp, SOL_SOCKET, SO_RCVBUF, &big, sizeof(big));
	setsockopt(l->udp, SOL_SOCKET, SO_RXQ_OVFL, &one, sizeof(one));
	getnameinfo((struct sockaddr *)&ss, sl, hbuf, sizeof(hbuf), pbuf,
	    sizeof(pbuf), NI_NUMERICHOST | NI_NUMERICSERV);
	snprintf(l->addr, sizeof(l->addr), strchr(hbuf, ':') ? "[%s]:%s" :
	    "%s:%s", hbuf, pbuf);
	l->bufs = xmalloc((size_t)BATCH * DGRAM_MAX);
	freeaddrinfo(ai);
	return l;
fail:
	if (ai)
		freeaddrinfo(ai);
	listener_close(l);
	return NULL;
}

void
listener_close(struct listener *l)
{
	size_t i;

	if (l == NULL)
		return;
	if (l->udp != -1)
		close(l->udp);
	if (l->tcp != -1)
		close(l->tcp);
	for (i = 0; i < l->nconns; i++) {
		close(l->conns[i].fd);
		buf_release(&l->conns[i].in);
	}
	free(l->bufs);
	free(l);
}

const char *
listener_address(const struct listener *l)
{
	return l->addr;
}

/* Every datagram waiting, in batches. */
static void
read_udp(struct listener *l, listener_fn fn, void *arg, uint64_t *dropped)
{
	struct mmsghdr m[BATCH];
	struct iovec iov[BATCH];
	int i, n;

	for (;;) {
		memset(m, 0, sizeof(m));
		for (i = 0; i < BATCH; i++) {
			iov[i].iov_base = l->bufs + (size_t)i * DGRAM_MAX;
			iov[i].iov_len = DGRAM_MAX;
			m[i].msg_hdr.msg_iov = &iov[i];
			m[i].msg_hdr.msg_iovlen = 1;
			m[i].msg_hdr.msg_control = l->cbuf[i];
			m[i].msg_hdr.msg_controllen = sizeof(l->cbuf[i]);
		}
		if ((n = recvmmsg(l->udp, m, BATCH, MSG_DONTWAIT, NULL)) <= 0)
			return;
		for (i = 0; i < n; i++) {
			struct cmsghdr *c;
			for (c = CMSG_FIRSTHDR(&m[i].msg_hdr); c;
			    c = CMSG_NXTHDR(&m[i].msg_hdr, c))
				if (c->cmsg_level == SOL_SOCKET &&
				    c->cmsg_type == SO_RXQ_OVFL) {
					uint32_t d;
					memcpy(&d, CMSG_DATA(c), sizeof(d));
					*dropped += (uint32_t)(d - l->last_drops);
					l->last_drops = d;
				}
			fn(arg, iov[i].iov_base, m[i].msg_len);
		}
		if (n < BATCH)
			return;
	}
}

/* What connection 'c' sent; 0, or -1 when it closed. */
static int
read_conn(struct conn *c, listener_fn fn, void *arg)
{
	char tmp[16384];
	ssize_t n;

	while ((n = read(c->fd, tmp, sizeof(tmp))) > 0) {
		char *last;
		buf_add(&c->in, tmp, (size_t)n);
		last = c->in.len ? memrchr(c->in.p, '\n', c->in.len) : NULL;
		if (last) {
			size_t k = (size_t)(last - c->in.p) + 1;
			fn(arg, c->in.p, k);
			memmove(c->in.p, c->in.p + k, c->in.len - k);
			c->in.len -= k;
		} else if (c->in.len > LINE_MAX_TCP) {
			fn(arg, c->in.p, c->in.len);	/* bad, and said so */
			c->in.len = 0;
		}
	}
	if (n == 0 || (n == -1 && errno != EAGAIN && errno != EINTR)) {
		if (c->in.len)
			fn(arg, c->in.p, c->in.len);
		return -1;
	}
	return 0;
}

int
listener_poll(struct listener *l, int timeout_ms, listener_fn fn, void *arg,
    uint64_t *dropped, struct errbuf *eb)
{
	struct pollfd pf[CONNS_MAX + 2];
	size_t i, w;
	int n;

	pf[0] = (struct pollfd){ l->udp, POLLIN, 0 };
	pf[1] = (struct pollfd){ l->tcp, POLLIN, 0 };
	for (i = 0; i < l->nconns; i++)
		pf[i + 2] = (struct pollfd){ l->conns[i].fd, POLLIN, 0 };
	if ((n = poll(pf, (nfds_t)(l->nconns + 2), timeout_ms)) == -1) {
		if (errno == EINTR)
			return 0;
		return errbuf_set(eb, "poll: %s", strerror(errno));
	}
	if (n == 0)
		return 0;
	if (pf[0].revents)
		read_udp(l, fn, arg, dropped);
	for (i = w = 0; i < l->nconns; i++) {
		if (pf[i + 2].revents && read_conn(&l->conns[i], fn, arg) == -1) {
			close(l->conns[i].fd);
			buf_release(&l->conns[i].in);
			continue;
		}
		l->conns[w++] = l->conns[i];
	}
	l->nconns = w;
	if (pf[1].revents) {
		int fd;
		while ((fd = accept4(l->tcp, NULL, NULL,
		    SOCK_CLOEXEC | SOCK_NONBLOCK)) != -1) {
			if (l->nconns == CONNS_MAX) {
				close(fd);	/* full: the client retries */
				continue;
			}
			l->conns[l->nconns].fd = fd;
			l->conns[l->nconns].in = (struct buf)BUF_INIT;
			l->nconns++;
		}
	}
	return 0;
}
