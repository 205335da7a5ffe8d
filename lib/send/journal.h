/* journal.h - what mpush read and has not delivered yet, on disk, in order */
/* SPDX-License-Identifier: MIT */
#ifndef MTK_JOURNAL_H
#define MTK_JOURNAL_H

#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/errbuf.h"

/*
 * A directory of batches, each a file of stream lines, sent oldest
 * first and removed once delivered.  Every sample read goes into the
 * open batch as it is taken (written to the file when 64 KiB gathered
 * and whenever the input pauses), so that what was read survives a kill
 * of the sender and is sent by the next one; a batch is cut when it is
 * full or has waited long enough, and is then ready.
 *
 *   DIR/lock                          flock(2)ed by the one sender
 *   DIR/TTTTTTTTTTTTT-PID-SEQ.open    the batch being filled
 *   DIR/TTTTTTTTTTTTT-PID-SEQ.jsonl   ready batches: names sort in order
 *   DIR/TTTTTTTTTTTTT-PID-SEQ.statsd  a ready batch of StatsD lines (a
 *                                     counter's increments, sent as such)
 *
 * (T: the batch's first time, in ms.)  The sender that takes the lock
 * finds an .open batch only where a sender died: it is ready.  A
 * program sending one sample writes its batch ready at once
 * (journal_put()) without the lock, which the sender takes in turn.
 * Past 'max_bytes' the oldest ready batches are dropped, and counted.
 */
struct journal;

/*
 * Open (making it) and lock 'dir'.  NULL with 'eb' when another sender
 * holds it ("another mpush sends from DIR") or it cannot be made.
 */
struct journal *journal_open(const char *dir, uint64_t max_bytes,
    struct errbuf *eb);

/* Write what is gathered, cut nothing, unlock, free.  0, or -1 with 'eb'. */
int journal_close(struct journal *j, struct errbuf *eb);

/* Add one stream line (without its newline) to the open batch. */
int journal_add(struct journal *j, const char *line, size_t n, int64_t now,
    struct errbuf *eb);

/* Write the open batch's gathered lines to its file.  0, or -1. */
int journal_flush(struct journal *j, struct errbuf *eb);

/* Lines in the open batch, and the time its first came (ms; 0: none). */
size_t journal_open_lines(const struct journal *j);
int64_t journal_open_since(const struct journal *j);

/* Cut the open batch: it is ready, the next line opens another. */
int journal_cut(struct journal *j, struct errbuf *eb);

/*
 * The oldest ready batch: its lines into 'body' (replaced), its name
 * into 'name' (64 bytes).  1, 0 when none is ready, -1 with 'eb'.
 */
int journal_oldest(struct journal *j, struct buf *body, char *name,
    struct errbuf *eb);

/* Batch 'name' was delivered (or given up): remove it. */
int journal_done(struct journal *j, const char *name, struct errbuf *eb);

/* Ready batches, their bytes, and lines dropped past 'max_bytes' so far. */
size_t journal_ready(const struct journal *j);
uint64_t journal_bytes(const struct journal *j);
uint64_t journal_dropped(const struct journal *j);

/*
 * Without the lock: write 'n' bytes of stream lines (or, with 'statsd',
 * StatsD lines), each ending in a newline, to 'dir' as one ready batch,
 * atomically (a file of another name linked).  0, or -1 with 'eb'.
 */
int journal_put(const char *dir, const char *body, size_t n, int64_t now,
    int statsd, struct errbuf *eb);

/*
 * The name of the spool of 'url' (a directory under the state
 * directory): the URL without its user and password, each byte but
 * letters, digits, '.' and '-' an '_', at most 100 of them, then a hash
 * of all of it.  Into 'out' ('size' >= JOURNAL_NAME_MAX).
 */
#define JOURNAL_NAME_MAX 120
void journal_name_for(const char *url, char *out, size_t size);

/* What 'dir' holds, for mpush --spool-status, without the lock. */
struct journal_status {
	size_t batches;
	uint64_t lines, bytes;
	int64_t oldest;		/* ms of the oldest batch; 0: none */
	long sender;		/* the PID holding the lock, or 0 */
};

int journal_status(const char *dir, struct journal_status *st,
    struct errbuf *eb);

#endif
