/* listen.h - datagrams and lines received on one address, UDP and TCP */
/* SPDX-License-Identifier: MIT */
#ifndef MTK_LISTEN_H
#define MTK_LISTEN_H

#include <stddef.h>
#include <stdint.h>

#include "base/errbuf.h"

/*
 * A listener binds one address ("host:port"; "[::1]:8125" for IPv6; port
 * 0 takes a free one) for UDP and TCP.  Each datagram, and what each TCP
 * connection sent up to its last newline, is handed to a callback as a
 * packet of lines.  Datagrams are read in batches (recvmmsg(2)) into a
 * large socket buffer; the kernel's count of those it dropped for want
 * of room (SO_RXQ_OVFL) is reported.
 */
struct listener;

/*
 * Split "host:port" ("[v6]:port") into 'host' and 'port'; ":port" and
 * "port" are the loopback interface's (127.0.0.1), every interface is
 * asked for by name ("0.0.0.0:port", "[::]:port").  0, or -1 when it
 * is neither.
 */
int listen_split(const char *addr, char *host, size_t hs, char *port,
    size_t ps);

struct listener *listener_open(const char *addr, struct errbuf *eb);
void listener_close(struct listener *l);

/* The address bound, as "host:port" (the port chosen for port 0). */
const char *listener_address(const struct listener *l);

typedef void (*listener_fn)(void *arg, const char *p, size_t n);

/*
 * Wait up to 'timeout_ms' for packets and hand each to 'fn', then
 * return: 0, with the datagrams the kernel dropped since the last call
 * added to '*dropped', or -1 with 'eb' (EINTR is a return of 0).
 */
int listener_poll(struct listener *l, int timeout_ms, listener_fn fn,
    void *arg, uint64_t *dropped, struct errbuf *eb);

#endif
