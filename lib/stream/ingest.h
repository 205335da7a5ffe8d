/* ingest.h - the loop every writer shares: streams in, a sink out */
/* SPDX-License-Identifier: MIT */
#ifndef MTK_INGEST_H
#define MTK_INGEST_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include "base/errbuf.h"
#include "stream/metric.h"

/*
 * A program that takes streams of samples (mstore today; mpush, malert
 * --record and the listener next) reads each input in turn and hands
 * every good sample to a sink.  The loop does what they all need: it
 * waits for input without spinning, tells the sink when input is idle
 * so that it can make what it took visible and durable, counts and
 * reports bad records and refused samples (file:line: reason), stops at
 * the first with 'strict', and stops when asked (a signal).
 *
 * Reports are capped: after INGEST_REPEATS lines with the same reason,
 * more are counted, not printed, and ingest_summary() says how many
 * there were (one backfill of a year against a day's retention refused
 * 1.38 M samples, and printed a line for each).
 */
#define INGEST_REPEATS 10

struct ingest_sink {
	/*
	 * Take sample 's' (checked, stamped).  Returns 0 when taken, 1 when
	 * refused (the reason in 'eb', without a location), -1 on a failure
	 * that stops everything (the reason in 'eb').
	 */
	int (*add)(void *ctx, const struct sample *s, struct errbuf *eb);
	/*
	 * Input is idle, or an input ended: make what was taken visible,
	 * and durable as the sink promises.  Returns 0, or -1 with 'eb'.
	 */
	int (*commit)(void *ctx, struct errbuf *eb);
	/*
	 * Milliseconds until the sink wants commit() again while input is
	 * idle (a sync due, metrics of its own), or -1 when it does not.
	 */
	int64_t (*due)(void *ctx);
	/* A bad record was passed over (for a sink's own counters). */
	void (*bad)(void *ctx);
	void *ctx;
};

/* Called with each report line, "name:line: reason", and the summaries. */
typedef void (*ingest_warn_fn)(void *arg, const char *msg);

/*
 * What an input holds: the stream, an exposition format (expo.h), the
 * line protocols of influx.h and graphite.h, or CSV (csv.h).
 */
enum ingest_format { INGEST_JSONL, INGEST_PROMETHEUS, INGEST_OPENMETRICS,
	INGEST_INFLUX, INGEST_GRAPHITE, INGEST_CSV };

struct ingest_opts {
	int strict;		/* stop at the first bad record or refusal */
	int quiet;		/* no report lines, only the summary */
	const volatile sig_atomic_t *stop;	/* set to stop; may be NULL */
	ingest_warn_fn warn;	/* may be NULL */
	void *warn_arg;
	enum ingest_format format;	/* of every input */
};

/* A reason reported, and how many times. */
struct ingest_reason {
	char *text;		/* owned */
	uint64_t count;
};

struct ingest {
	struct ingest_opts o;
	uint64_t lines;		/* records read, good or bad */
	uint64_t taken;
	uint64_t bad;		/* records that are not samples */
	uint64_t refused;	/* samples the sink refused */
	uint64_t failed_inputs;	/* inputs that could not be opened */
	int stopped;		/* by 'strict' or by 'stop' */
	struct ingest_reason *reasons;
	size_t nreasons, cap;
};

/* Start with options 'o' (copied).  Release with ingest_release(). */
void ingest_init(struct ingest *in, const struct ingest_opts *o);
void ingest_release(struct ingest *in);

/*
 * Read the stream 'path' ("-": standard input) into 'sink', until it
 * ends or 'strict' or 'stop' ends the reading.  An input that cannot be
 * opened is reported and counted, and the next one is read.  Returns 0,
 * or -1 with 'eb' when the sink failed or the input could not be read
 * (an I/O error, not a bad record).
 */
int ingest_file(struct ingest *in, const char *path,
    const struct ingest_sink *sink, struct errbuf *eb);

/*
 * Report, through 'warn', how many lines of each capped reason went
 * unprinted (not when quiet), then the totals ("3 bad lines, 1 sample
 * rejected") when there were any.
 */
void ingest_summary(const struct ingest *in);

/* Whether anything went wrong: a bad record, a refusal, a bad input. */
int ingest_troubled(const struct ingest *in);

#endif
