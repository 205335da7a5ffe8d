/* store_compact.c - merging the raw blocks of a window into one */
/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "base/timestamp.h"
#include "base/xalloc.h"
#include "store/block.h"
#include "store/store_int.h"
#include "store/tombstone.h"

/*
 * Whether a WAL's sequence lies strictly between 'lo' and 'hi': its
 * samples outrank the blocks below it and are outranked by those above,
 * which a merged block (ranked as the highest) would change.  Such a
 * WAL lives until its writer next seals, when its samples go to blocks
 * and a WAL numbered above both.  Returns 1 or 0, or -1 with 'eb'.
 */
static int
wal_between(struct store *st, uint64_t lo, uint64_t hi, struct errbuf *eb)
{
	char dir[PATH_MAX];
	char **names;
	size_t n, i;
	int between = 0;

	store_path(st, dir, "raw", "wal");
	if (store_list(dir, ".wal", &names, &n, eb) == -1)
		return -1;
	for (i = 0; i < n && !between; i++) {
		uint64_t seq = strtoull(names[i], NULL, 16);
		between = seq > lo && seq < hi;
	}
	store_list_free(names, n);
	return between;
}

/*
 * Merge the blocks of one raw window into one.  The new block takes the
 * highest sequence number of those it replaces, so it ranks against
 * every other block as they did, and against every WAL too: a window
 * is left alone while a WAL numbered between its blocks exists.  It is
 * linked in before they are removed (under the tier's lock, held
 * exclusively), so a reader sees the old blocks, the new one, or both,
 * which merge to the same.
 */
/*
 * With 'tomb' (may be NULL), a window of one block is written again too
 * when a tombstone deletes something in it: the reader leaves that out.
 * Only the blocks numbered 'from' or above are merged (0: all).
 */
static int
compact_window(struct store *st, int64_t start, const struct tombstones *tomb,
    uint64_t from, uint64_t *removed, struct errbuf *eb)
{
	struct store_reader *r;
	struct store_iter *it = NULL;
	struct block_writer *bw = NULL;
	struct store_series ss;
	char dir[PATH_MAX];
	uint64_t seq = 0, low = UINT64_MAX;
	size_t i, nb, damaged = store_damage_count(st);
	int rc = -1, n, lock, between;

	r = store_reader_open_blocks(st, STORE_TIER_RAW, start,
	    start + STORE_BLOCK_MS - 1, eb);
	if (r == NULL)
		return -1;
	store_reader_keep_from(r, from);
	/* A damaged block stays where it is, and so do the others. */
	nb = store_reader_nblocks(r);
	if (nb == 0 || store_damage_count(st) != damaged ||
	    (nb == 1 && (tomb == NULL || tomb->n == 0 ||
	    tombstones_in_block(tomb, store_reader_block(r, 0), eb) != 1))) {
		store_reader_close(r);
		return 0;
	}
	for (i = 0; i < nb; i++) {
		uint64_t s = block_seq(store_reader_block(r, i));
		if (s > seq)
			seq = s;
		if (s < low)
			low = s;
	}
	if ((between = wal_between(st, low, seq, eb)) != 0) {
		store_reader_close(r);
		return between == 1 ? 0 : -1;
	}
	store_path(st, dir, "raw", NULL);
	if ((it = store_select(r, NULL, 0, eb)) == NULL ||
	    (bw = block_writer_new(dir, seq, eb)) == NULL)
		goto out;
	while ((n = store_iter_next(it, &ss, eb)) == 1)
		if (block_writer_add(bw, ss.key, ss.keylen, ss.type, ss.unit,
		    ss.help, ss.ts, ss.v, ss.n, eb) == -1)
			goto out;
	if (n == -1)
		goto out;
	if (store_damage_count(st) != damaged) {
		/* Damage found while reading: merge nothing, remove nothing. */
		rc = 0;
		goto out;
	}
	n = block_writer_finish(bw, NULL, eb);
	bw = NULL;
	if (n == -1 || (lock = store_lock(st, STORE_TIER_RAW, 1, eb)) == -1)
		goto out;
	for (i = 0; i < nb; i++)
		if (unlink(block_path(store_reader_block(r, i))) == 0)
			(*removed)++;
	store_unlock(lock);
	rc = 0;
out:
	block_writer_abort(bw);
	store_iter_free(it);
	store_reader_close(r);
	return rc;
}

/* Take the compaction lock, or return -1 (busy) or -2 (an error, in 'eb'). */
static int
compact_lock(struct store *st, struct errbuf *eb)
{
	char path[PATH_MAX];
	int fd;

	store_path(st, path, "raw", ".compact");
	if ((fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644)) == -1) {
		errbuf_set(eb, "cannot open '%s': %s", path, strerror(errno));
		return -2;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) == -1) {
		close(fd);
		return -1;
	}
	return fd;
}

int
store_compact_window(struct store *st, int64_t start, uint64_t *removed,
    struct errbuf *eb)
{
	int fd = compact_lock(st, eb), rc;

	if (fd < 0)
		return fd == -1 ? 0 : -1;
	rc = compact_window(st, start, NULL, 0, removed, eb);
	close(fd);
	return rc;
}

/*
 * The lowest number of the newest run of blocks of the window at 'start'
 * that store_compact_recent() merges, in '*from'.  Returns 1 with it,
 * 0 when there is none, or -1 with 'eb'.
 */
static int
recent_run(struct store *st, int64_t start, uint64_t *from, struct errbuf *eb)
{
	struct store_reader *r;
	struct { uint64_t seq, size; } *b;
	size_t nb, i, j, run = 0;
	int found = 0;

	r = store_reader_open_blocks(st, STORE_TIER_RAW, start,
	    start + STORE_BLOCK_MS - 1, eb);
	if (r == NULL)
		return -1;
	nb = store_reader_nblocks(r);
	b = xmalloc((nb ? nb : 1) * sizeof(*b));
	for (i = 0; i < nb; i++) {
		/* Newest first: by number, in insertion order. */
		struct block *blk = store_reader_block(r, i);
		uint64_t seq = block_seq(blk);
		for (j = i; j > 0 && b[j - 1].seq < seq; j--)
			b[j] = b[j - 1];
		b[j].seq = seq;
		b[j].size = block_file_size(blk);
	}
	while (run < nb && b[run].size <= 2 * b[0].size)
		run++;
	if (run >= STORE_MERGE_RUN) {
		*from = b[run - 1].seq;
		found = 1;
	}
	free(b);
	store_reader_close(r);
	return found;
}

int
store_compact_recent(struct store *st, int64_t start, uint64_t *removed,
    struct errbuf *eb)
{
	int fd = compact_lock(st, eb), rc = 0, found;
	uint64_t from, before;

	if (fd < 0)
		return fd == -1 ? 0 : -1;
	/* Each merge may make a run of merged blocks: a carry. */
	while (rc == 0 && (found = recent_run(st, start, &from, eb)) == 1) {
		before = *removed;
		rc = compact_window(st, start, NULL, from, removed, eb);
		if (*removed == before)
			break;	/* left alone (damage, a log between) */
	}
	if (rc == 0 && found == -1)
		rc = -1;
	close(fd);
	return rc;
}

int
store_compact(struct store *st, int64_t closed_before, uint64_t *removed,
    struct errbuf *eb)
{
	struct tombstones tomb = TOMBSTONES_INIT;
	char dir[PATH_MAX];
	char **names;
	int64_t *wins = NULL;
	size_t n, i, nw = 0;
	int fd, rc = 0;

	*removed = 0;
	/* One compaction at a time; a busy lock means someone is at it. */
	if ((fd = compact_lock(st, eb)) < 0)
		return fd == -1 ? 0 : -1;
	if (tombstones_load(st, &tomb, eb) == -1) {
		close(fd);
		return -1;
	}
	store_path(st, dir, "raw", NULL);
	if (store_list(dir, ".blk", &names, &n, eb) == -1) {
		close(fd);
		return -1;
	}
	/* Block names start with their first timestamp: its window. */
	wins = xmalloc((n ? n : 1) * sizeof(*wins));
	for (i = 0; i < n; i++) {
		int64_t w = store_window_start(strtoll(names[i], NULL, 10));
		if (w + STORE_BLOCK_MS <= closed_before)
			wins[nw++] = w;
	}
	store_list_free(names, n);
	qsort(wins, nw, sizeof(*wins), ts_cmp);
	/*
	 * Windows of several blocks; with deletions pending, every window
	 * (compact_window() rewrites one block only when it holds deleted
	 * data).
	 */
	for (i = 0; i < nw && rc == 0; i++)
		if ((i == 0 || wins[i - 1] != wins[i]) &&
		    ((i + 1 < nw && wins[i + 1] == wins[i]) || tomb.n))
			rc = compact_window(st, wins[i], &tomb, 0, removed, eb);
	free(wins);
	tombstones_release(&tomb);
	close(fd);
	return rc;
}
