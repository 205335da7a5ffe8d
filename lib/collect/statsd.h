/* statsd.h - StatsD lines aggregated per flush, as the StatsD daemon does */
/* SPDX-License-Identifier: MIT */
#ifndef MTK_STATSD_H
#define MTK_STATSD_H

#include <stddef.h>
#include <stdint.h>

#include <signal.h>

#include "base/buf.h"
#include "base/errbuf.h"
#include "net/listen.h"
#include "stream/ingest.h"

/*
 * A packet holds lines 'name:value|type[|@rate][|#tag:value,...]':
 *
 *  c      a counter: value / rate is added to its total since the
 *         listener started, written at each flush as a counter series;
 *  g      a gauge: set, or moved by a signed value ("+3", "-2");
 *  ms     a timing in milliseconds; h and d: a histogram observation.
 *         Each observation of the interval is written as a histogram
 *         sample (ms as seconds), one millisecond apart up to the
 *         flush; past one a millisecond of the interval, a uniform
 *         sample of them.  NAME_count and NAME_sum count every one (the
 *         sum a gauge once an observation was negative);
 *  s      a set: the number of distinct values of the interval.
 *
 * Names are Prometheus names: each byte outside [A-Za-z0-9_:] becomes
 * '_' (api.requests is api_requests); DogStatsD tags are labels.  A
 * counter or gauge not updated for 'ttl_ms' is no longer written: it
 * expired.  Every flush also writes the listener's own counters
 * (mtk_statsd_*).
 */
struct statsd;

struct statsd_opts {
	int64_t flush_ms;		/* the interval between two flushes */
	int64_t ttl_ms;			/* 0: never expire */
	const char *const *labels;	/* "NAME=VALUE" on every sample */
	size_t nlabels;
	int no_own_metrics;		/* no mtk_statsd_* (no listener) */
};

struct statsd *statsd_new(const struct statsd_opts *o);
void statsd_free(struct statsd *sd);

/*
 * Take the packet 'p' ('n' bytes) received at 'now' (ms).  Returns the
 * number of bad lines in it, the first one's reason in 'eb'.
 */
size_t statsd_feed(struct statsd *sd, const char *p, size_t n, int64_t now,
    struct errbuf *eb);

/*
 * The same, each line labelled tenant="TENANT" over any tenant tag it
 * has (a push of a tenant's token); with 'tenant' NULL, as
 * statsd_feed().  Feeds and flushes may come from two threads.
 */
size_t statsd_feed_as(struct statsd *sd, const char *p, size_t n,
    int64_t now, const char *tenant, struct errbuf *eb);

/* Packets the kernel dropped before they were read (a count to add). */
void statsd_dropped(struct statsd *sd, uint64_t n);

/*
 * Write what the interval up to 'now' gathered, and the series still
 * current, to 'sink' at 'now'.  Returns 0, or -1 with 'eb' when the sink
 * failed.
 */
int statsd_flush(struct statsd *sd, int64_t now, const struct ingest_sink *sink,
    struct errbuf *eb);

/*
 * The listener's own counters as of the last flush, in the text format,
 * appended to 'out'; 'arg' a struct statsd.  Safe from another thread
 * (the HTTP listener's /metrics).
 */
void statsd_metrics(void *arg, struct buf *out);

/*
 * Receive on 'l' and flush every flush_ms into 'sink', until '*stop' is
 * set: then one last flush of what was received.  With 'l' NULL, only
 * flush (what statsd_feed_as() is given from another thread).  Bad lines are told to
 * 'warn' once a flush, with the first one's reason.  Returns 0, or -1
 * with 'eb' when the listener or the sink failed.
 */
int statsd_serve(struct statsd *sd, struct listener *l,
    const volatile sig_atomic_t *stop, const struct ingest_sink *sink,
    void (*warn)(void *, const char *), void *warn_arg, struct errbuf *eb);

#endif
