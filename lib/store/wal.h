/* wal.h - the write-ahead log: what mstore has accepted but not yet sealed */
/* SPDX-License-Identifier: MIT */
#ifndef MTK_WAL_H
#define MTK_WAL_H

#include <stddef.h>
#include <stdint.h>

#include "base/errbuf.h"
#include "stream/metric.h"

/*
 * Each writing process appends to a WAL file of its own, which it holds
 * locked (flock LOCK_EX) while it lives; a WAL file nobody holds was left
 * by a writer that died, and the next writer recovers it.
 *
 * File:    "MTKWAL\0" version(1: 3) | seq (le64) | record...
 * Record:  length (le32) | low 32 bits of XXH3 of the payload (le32) |
 *          payload
 * Payload: entries, each a tag byte then:
 *   'S'  series:  ref (varint), type (byte), signature (le64: see
 *                 series_key_sig()), key length (varint), key,
 *                 unit length (varint), unit, help length (varint), help
 *   'B'  samples: count n (varint), n refs (le32), n timestamps (le64),
 *                 n values (le64 bits)
 * A record's 'S' entries come first, then at most one 'B'.  In columns,
 * a reader after a few series passes by a sample reading its ref only.
 *
 * 'ref' is the writer's number for a series, defined by an 'S' entry
 * before any sample that uses it.  Version 2 logs had no signature and a
 * 'D' entry per sample (ref (varint), ts (zigzag varint), value (le64
 * bits)); version 1 logs, XXH32 checksums.  Both are still read.  A record is written with one
 * write(2) and is only trusted when complete with a matching checksum:
 * reading stops at the first record that is not, so a torn tail (a crash
 * mid-write) costs only that record.
 */

#define WAL_RECORD_MAX (8u * 1024 * 1024)

struct wal;

/*
 * Create the WAL file 'path' (which must not exist) and lock it.  'seq'
 * orders WALs among themselves (for "last write wins").  Returns a new
 * handle; close with wal_close().  NULL with the reason in 'eb'.
 */
struct wal *wal_create(const char *path, uint64_t seq, struct errbuf *eb);

/* Queue a series definition or a sample for the next record. */
void wal_add_series(struct wal *w, uint64_t ref, enum metric_type type,
    const char *key, size_t keylen, const char *unit, size_t unit_len,
    const char *help, size_t help_len);
void wal_add_sample(struct wal *w, uint64_t ref, int64_t ts, double v);

/* Bytes queued and not yet written. */
size_t wal_pending(const struct wal *w);

/*
 * Write the queued entries as one record (nothing if none), then
 * fdatasync(2) if 'sync'.  Returns 0, or -1 with the reason in 'eb'.
 */
int wal_commit(struct wal *w, int sync, struct errbuf *eb);

/* Bytes written to the file so far. */
uint64_t wal_size(const struct wal *w);

/* Close (and unlock) the file; with 'unlink_it', remove it first. */
void wal_close(struct wal *w, int unlink_it);

/*
 * Reading a WAL (its owner's live one, or one left by a dead writer).
 *
 * The reader numbers series itself: for each 'S' entry 'series' returns
 * the number the samples of that ref are to be given (a head's series
 * number, say), or WAL_SKIP to pass them by unseen (a reader that wants
 * only some series), or -1 to stop.  'sample' then gets each sample of a
 * series not skipped, with that number.  A 'D' entry naming a ref no
 * 'S' entry before it defined is a malformed record: the WAL is damaged
 * there.  Refs are below 2^32.
 */
#define WAL_SKIP 0xfffffffeu

struct wal_visitor {
	/* Called for each series entry; strings are borrowed for the call. */
	int64_t (*series)(void *ctx, uint64_t ref, enum metric_type type,
	    const char *key, size_t keylen, const char *unit, size_t unit_len,
	    const char *help, size_t help_len);
	/* Called for each sample of a series not skipped. */
	int (*sample)(void *ctx, uint32_t id, int64_t ts, double v);
	void *ctx;
	/*
	 * Series whose signature (series_key_sig()) lacks a bit of 'need'
	 * are skipped without a call: series_matchers_sig() of a reader's
	 * matchers, or 0 for every series.  Version 3 logs only.
	 */
	uint64_t need;
};

struct wal_read_stats {
	uint64_t records;	/* complete, valid records read */
	uint64_t valid_bytes;	/* where the valid prefix ends */
	uint64_t file_bytes;	/* the file's size */
	uint64_t seq;		/* from the header */
};

/*
 * Read the WAL open on 'fd' (named 'path' in messages; the descriptor's
 * offset is not used) and call 'v' for every entry of every valid
 * record, in order, up to the first incomplete or corrupt record.  A
 * callback that returns -1 stops the reading (and it returns -1 too).
 * Returns 0, or -1 with the reason in 'eb' (unreadable file, bad header,
 * a malformed entry in an otherwise valid record: "path: offset N:
 * ...").  'st' is filled either way.
 */
int wal_read_fd(int fd, const char *path, const struct wal_visitor *v,
    struct wal_read_stats *st, struct errbuf *eb);

/* The same, opening 'path'. */
int wal_read(const char *path, const struct wal_visitor *v,
    struct wal_read_stats *st, struct errbuf *eb);

/*
 * Whether a live process holds 'path': 1 yes, 0 no (it was left behind),
 * -1 on error.
 */
int wal_is_live(const char *path, struct errbuf *eb);

#endif
