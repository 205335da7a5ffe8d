/* store_int.h - what the store's files share; private to lib/store*.c */
/* SPDX-License-Identifier: MIT */
#ifndef MTK_STORE_INT_H
#define MTK_STORE_INT_H

#include <dirent.h>

#include "store/store.h"
#include "stream/matcher.h"

struct block;

struct store {
	char *dir;
	int64_t retention[STORE_NTIERS];
	struct store_settings set;
	struct {
		char *path, *msg;
	} *damage;		/* store_damage_note(), one per file */
	size_t ndamage, damage_cap;
	struct matcher scope;	/* store_restrict(), if 'scoped' */
	int scoped;
	struct block_cache *cache;	/* store_use_cache()'s, or NULL */
};

/*
 * Note that the file 'path' was found damaged ('msg' says how) and its
 * data passed over; once per file (store_damage()).
 */
void store_damage_note(struct store *st, const char *path, const char *msg);

/* What store_lock() returns to a reader that reads without a lock. */
#define STORE_UNLOCKED (-2)

/* "DIR/a" or "DIR/a/b" (when 'b' is not NULL) into 'out' (PATH_MAX). */
void store_path(const struct store *st, char *out, const char *a,
    const char *b);

/*
 * Take the tier's lock, shared or exclusive, waiting for it.  Returns
 * the descriptor to pass to store_unlock() (STORE_UNLOCKED for a shared
 * lock whose file is missing and cannot be made), or -1 with 'eb'.
 */
int store_lock(const struct store *st, enum store_tier t, int exclusive,
    struct errbuf *eb);
void store_unlock(int fd);

/*
 * The names in 'dir' ending in 'suffix' and not starting with '.'.
 * A missing directory is empty.  Free with store_list_free().
 */
int store_list(const char *dir, const char *suffix, char ***names, size_t *n,
    struct errbuf *eb);
void store_list_free(char **names, size_t n);

/*
 * A reader of the blocks of tier 't' in [mint, maxt], without the WALs.
 */
struct store_reader *store_reader_open_blocks(struct store *st,
    enum store_tier t, int64_t mint, int64_t maxt, struct errbuf *eb);

/*
 * Read settings file 'path' over 'set' (keys it does not name keep their
 * value).  Returns 0, or -1 with "path:line: reason" in 'eb'.
 */
int store_settings_load(const char *path, struct store_settings *set,
    struct errbuf *eb);

/* Write 'set' to DIR/mtk.conf, atomically.  Returns 0, or -1 with 'eb'. */
int store_settings_write(const char *dir, const struct store_settings *set,
    struct errbuf *eb);

/* Add open block 'b' (taking it) to 'r' for its samples in [mint, maxt]. */
void store_reader_add_block(struct store_reader *r, struct block *b,
    int64_t mint, int64_t maxt);

/*
 * Write the blocks 'names' (n of them) of window 'window' of tier 't' to
 * a new archive DIR/archive/TIER/WINDOW-FINGERPRINT.tar.zst (or .tar.xz),
 * with mtk.conf first, as "mstore import" reads it; synced and renamed
 * into place.  Its path goes to 'out' (PATH_MAX), its size to '*bytes'.
 * Returns 0, or -1 with 'eb'.
 */
int store_archive_window(struct store *st, enum store_tier t, int64_t window,
    uint64_t fingerprint, const char *const *names, size_t n,
    enum store_archive comp, char *out, uint64_t *bytes, struct errbuf *eb);

/*
 * Read all of archive 'path' of tier 't' and check every block in it
 * (block_verify()); count them in '*blocks'.  Returns 0, or -1 with what
 * is wrong in 'eb'.
 */
int store_archive_check(const char *path, enum store_tier t,
    uint64_t *blocks, struct errbuf *eb);

/*
 * Remove the temporary files ".tmp-...-PID..." in DIR/a (or DIR/a/b)
 * whose process is gone: blocks and archives being written when their
 * writer died.
 */
void store_remove_stale_tmp(const struct store *st, const char *a,
    const char *b);

/* The start of the raw block window (STORE_BLOCK_MS) holding 'ts'. */
int64_t store_window_start(int64_t ts);

/* A new unique sequence number: the time in nanoseconds, made unique. */
uint64_t store_seq(void);

struct head;

/*
 * Replay the WAL open on 'fd' (named 'path') into 'h': the series the
 * 'n' matchers 'm' select, every series when 'n' is 0.  Sets '*seq' to
 * the WAL's sequence number and '*samples' to the samples read.  Returns
 * 0, or -1 with 'eb' (then 'h' holds what came before the problem).
 */
int store_replay_wal(int fd, const char *path, struct head *h,
    const struct matcher *m, size_t n, uint64_t *seq, uint64_t *samples,
    struct errbuf *eb);

/*
 * Merge the raw blocks of the window starting at 'start' into one, as
 * store_compact() does, unless another compaction is at work (then
 * nothing).  Adds the blocks removed to '*removed'.  Returns 0, or -1
 * with 'eb'.
 */
int store_compact_window(struct store *st, int64_t start, uint64_t *removed,
    struct errbuf *eb);

/*
 * The blocks a running writer's flushes leave in the window it writes
 * (at 'start'), merged a few at a time as they come, so that a reader
 * opens few of them (mtk-store(5), "The log's bound"): the newest
 * blocks, when at least STORE_MERGE_RUN of them are each at most twice
 * the size of the newest, become one; then again while merged blocks
 * make such a run.  Like a counter in base STORE_MERGE_RUN, a window of
 * n flushes keeps at most (STORE_MERGE_RUN - 1) x log n blocks, and each
 * sample is written again about log n times.  Nothing, when another
 * compaction is at work.  Adds the blocks removed to '*removed'.
 * Returns 0, or -1 with 'eb'.
 */
#define STORE_MERGE_RUN 4
int store_compact_recent(struct store *st, int64_t start, uint64_t *removed,
    struct errbuf *eb);

/* Leave out of 'r' the blocks numbered below 'seq', before any selection. */
void store_reader_keep_from(struct store_reader *r, uint64_t seq);

/* The blocks a reader opened: their number, and block 'i'.  Borrowed. */
size_t store_reader_nblocks(const struct store_reader *r);
struct block *store_reader_block(struct store_reader *r, size_t i);

#endif
