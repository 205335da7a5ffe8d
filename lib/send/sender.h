/* sender.h - a stream sent in batches, journaled, retried until delivered */
/* SPDX-License-Identifier: MIT */
#ifndef MTK_SENDER_H
#define MTK_SENDER_H

#include <stddef.h>
#include <stdint.h>

#include "base/errbuf.h"
#include "send/dest.h"
#include "send/journal.h"
#include "stream/ingest.h"

/*
 * The sink of mpush's ingest loop.  Each sample goes into the journal's
 * open batch (journal.h) as a stream line; a batch is cut at 'batch'
 * samples, or once its first sample has waited 'linger_ms', and the
 * ready batches are sent oldest first (dest.h).  A batch to be tried
 * again stays in the journal and the sender waits, doubling the wait
 * from 'retry_min_ms' up to 'retry_max_ms' (each wait between half and
 * all of it, at random, so that many senders do not come back at once;
 * a Retry-After is waited as said), while it keeps reading and
 * journaling; the first batch delivered ends the waiting.  A rejected
 * batch is said and removed.  Order is kept: nothing is sent while an
 * older batch waits.
 */
struct sender_opts {
	size_t batch;			/* samples a batch */
	int64_t linger_ms;
	int64_t retry_min_ms, retry_max_ms;
	const struct label *labels;	/* over every sample's (-l), sorted */
	size_t nlabels;
	void (*warn)(void *arg, const char *msg);
	void *warn_arg;
};

/* What a sender did, for its summary and mpush's exit status. */
struct sender_stats {
	uint64_t samples;		/* taken into the journal */
	uint64_t delivered;		/* samples of batches delivered */
	uint64_t batches, retries, rejected_batches, rejected_samples;
	uint64_t left_out;		/* what a format could not carry */
};

struct sender;

/* A sender to 'd' through 'j' (both borrowed). */
struct sender *sender_new(const struct sender_opts *o, struct dest *d,
    struct journal *j);
void sender_free(struct sender *s);

/* The sink: add() journals, commit() and due() cut and send. */
void sender_sink(struct sender *s, struct ingest_sink *out);

/*
 * The input ended (or a signal): cut the open batch and send what is
 * ready; a destination that says when to come back (Retry-After) is
 * waited for while that falls within 'drain_ms', any other that does
 * not take a batch is not (what is left stays in the journal for the
 * next sender).  Returns the number of batches left, or -1 with 'eb'
 * when the journal failed.
 */
long sender_finish(struct sender *s, int64_t drain_ms, struct errbuf *eb);

const struct sender_stats *sender_stats(const struct sender *s);

#endif
