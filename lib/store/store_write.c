/* store_write.c - appending samples to a store: WAL, head, sealing */
/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <pthread.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/host.h"
#include "base/timestamp.h"
#include "base/xalloc.h"
#include "store/block.h"
#include "store/head.h"
#include "store/store_int.h"
#include "store/wal.h"
#include "stream/series.h"

/*
 * A window is sealed into a block once samples arrive this far past its
 * end; later samples for it (out of order) go into another block for the
 * same window.
 */
#define SEAL_GRACE_MS (10 * 60000LL)
#define SYNC_INTERVAL_NS 1000000000LL

/*
 * Queued log entries are written once they pass this: records of this
 * size fit a reader's slice (wal.c) and its CPU's cache.
 */
#define COMMIT_BYTES (128 * 1024)

/* What a writer keeps per series of its head. */
struct wseries {
	int logged;		/* an 'S' entry in the current WAL */
	uint32_t next;		/* the series added after it last time, + 1 */
};

/*
 * The series a parser's key was, by the key's hash: a small cache in
 * front of the head's table (store_writer_add()).  'key' is the address
 * the parser gave, only compared, never read: it may outlive the parser.
 */
#define SEEN_SLOTS 4096

struct seen {
	const char *key;
	size_t keylen;
	uint32_t id;
};

/*
 * Merging in the background: a thread of the writer, with a store
 * handle of its own, merges the blocks a window's flushes left into
 * one once the window closes, and, while it is open, its newest blocks
 * a few at a time, so that readers open few; the writer goes on taking
 * samples meanwhile.  One job at a time; those that come while it is
 * busy wait in 'queue'.
 */
struct merge_job {
	int64_t window;
	int recent;		/* the writer's own window: its newest blocks
				   (store_compact_recent()) */
};

struct merger {
	pthread_t thread;
	int running;		/* a thread to join */
	struct merge_job job;	/* the one it does */
	struct merge_job *queue;
	size_t nqueue, cap;
	uint64_t done, failed;
	struct errbuf eb;	/* the last failure, for a warning */
	char *dir;
};

struct store_writer {
	struct store *st;
	struct store_writer_opts o;
	struct head *head;
	struct wal *wal;
	char wal_path[PATH_MAX];
	struct wseries *ws;	/* by series number */
	uint32_t prev;		/* the series added last, + 1; 0: none */
	size_t ws_cap;
	struct seen seen[SEEN_SLOTS];
	struct buf key;
	int64_t head_mint;	/* oldest sample in the head */
	int64_t max_ts;		/* newest sample seen */
	int64_t last_sync_ns;
	int64_t wal_born_ns;	/* when the current WAL was made */
	int64_t now;		/* ts_now(), refreshed at commits */
	int64_t oldest;		/* the oldest sample taken, as of 'now' */
	int64_t last_self;	/* when own metrics were last added */
	int unsynced;
	int adding_self;	/* store_writer_self_metrics() is adding */
	size_t self_series;	/* series of its own */
	struct merger merge;
	struct store_writer_stats stats;
};

static int64_t
mono_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (int64_t)t.tv_sec * 1000000000LL + t.tv_nsec;
}

uint64_t
store_seq(void)
{
	struct timespec t;

	clock_gettime(CLOCK_REALTIME, &t);
	return (uint64_t)t.tv_sec * 1000000000ULL + (uint64_t)t.tv_nsec;
}

/*
 * Write the samples of 'h' older than 'cut' into blocks of tier raw, one
 * per window, with sequence 'seq', and drop them from 'h'.  Returns 0, or
 * -1 with 'eb' (the head is then unchanged).
 */
static int
seal_head(struct store *st, struct head *h, int64_t cut, uint64_t seq,
    struct store_writer_stats *stats, struct errbuf *eb)
{
	char dir[PATH_MAX];
	uint32_t *ids = NULL;
	int64_t *wins = NULL;
	size_t nw = 0, wcap = 0, i, w, ns = head_nseries(h);
	int rc = -1;

	store_path(st, dir, "raw", NULL);
	for (i = 0; i < ns; i++) {
		struct head_series *s = head_series(h, (uint32_t)i);
		size_t j;
		int64_t last = INT64_MIN;
		head_series_sort(h, (uint32_t)i);
		for (j = 0; j < s->n && s->ts[j] < cut; j++) {
			int64_t ws = store_window_start(s->ts[j]);
			if (ws == last)
				continue;
			last = ws;
			wins = xgrow(wins, &wcap, nw + 1, sizeof(*wins));
			wins[nw++] = ws;
		}
	}
	if (nw > 1)	/* qsort(NULL, 0, ...) is undefined */
		qsort(wins, nw, sizeof(*wins), ts_cmp);
	ids = head_sorted(h);
	for (w = 0; w < nw; w++) {
		struct block_writer *bw;
		int64_t lo = wins[w], hi = wins[w] + STORE_BLOCK_MS;

		if (w > 0 && wins[w] == wins[w - 1])
			continue;
		if (hi > cut)
			hi = cut;
		if ((bw = block_writer_new(dir, seq, eb)) == NULL)
			goto out;
		for (i = 0; i < ns; i++) {
			struct head_series *s = head_series(h, ids[i]);
			size_t a = ts_lower_bound(s->ts, s->n, lo);
			size_t b = ts_lower_bound(s->ts, s->n, hi);
			if (a == b)
				continue;
			if (block_writer_add(bw, head_key(h, s), s->keylen,
			    s->type, s->unit, s->help, s->ts + a, s->v + a,
			    b - a, eb) == -1) {
				block_writer_abort(bw);
				goto out;
			}
		}
		stats->bytes += block_writer_bytes(bw);
		if (block_writer_finish(bw, NULL, eb) == -1)
			goto out;
		stats->blocks++;
	}
	/* Keep only what is at or after 'cut'. */
	for (i = 0; i < ns; i++) {
		struct head_series *s = head_series(h, (uint32_t)i);
		size_t a = ts_lower_bound(s->ts, s->n, cut);
		if (a == 0)
			continue;
		memmove(s->ts, s->ts + a, (s->n - a) * sizeof(*s->ts));
		memmove(s->v, s->v + a, (s->n - a) * sizeof(*s->v));
		s->n -= a;
	}
	{
		/* Recount, and release arrays emptied by the seal. */
		uint64_t left = 0;
		for (i = 0; i < ns; i++)
			left += head_series(h, (uint32_t)i)->n;
		if (left == 0)
			head_clear_samples(h);
		else
			head_set_nsamples(h, left);
	}
	rc = 0;
out:
	free(ids);
	free(wins);
	return rc;
}

static int
new_wal(struct store_writer *w, struct errbuf *eb)
{
	char dir[PATH_MAX];
	int tries;

	store_path(w->st, dir, "raw", "wal");
	for (tries = 0; tries < 100; tries++) {
		uint64_t seq = store_seq() + (uint64_t)tries;
		struct errbuf e2;
		if (snprintf(w->wal_path, sizeof(w->wal_path), "%s/%016llx.wal",
		    dir, (unsigned long long)seq) >= (int)sizeof(w->wal_path))
			return errbuf_set(eb, "path too long: '%s'", dir);
		if ((w->wal = wal_create(w->wal_path, seq, &e2)) != NULL) {
			w->wal_born_ns = mono_ns();
			return 0;
		}
		if (errno != EEXIST) {
			if (eb)
				*eb = e2;
			return -1;
		}
	}
	return errbuf_set(eb, "cannot create a WAL in '%s'", dir);
}

/* The writer's entry for series 'id', made when new. */
static struct wseries *
wseries_grow(struct store_writer *w, uint32_t id)
{
	size_t old = w->ws_cap;

	w->ws = xgrow(w->ws, &w->ws_cap, (size_t)id + 1, sizeof(*w->ws));
	memset(w->ws + old, 0, (w->ws_cap - old) * sizeof(*w->ws));
	return &w->ws[id];
}

static inline struct wseries *
wseries(struct store_writer *w, uint32_t id)
{
	return id < w->ws_cap ? &w->ws[id] : wseries_grow(w, id);
}

/* Log series 'id' in the current WAL if it is not there yet. */
static void
log_series_slow(struct store_writer *w, uint32_t id)
{
	struct head_series *s = head_series(w->head, id);

	wal_add_series(w->wal, id, s->type, head_key(w->head, s), s->keylen,
	    s->unit, s->unit ? strlen(s->unit) : 0, s->help,
	    s->help ? strlen(s->help) : 0);
	w->ws[id].logged = 1;
}

/* The same; inline, for every sample: the series is mostly logged. */
static inline void
log_series(struct store_writer *w, uint32_t id)
{
	if (!wseries(w, id)->logged)
		log_series_slow(w, id);
}

static void *
merge_thread(void *arg)
{
	struct merger *m = arg;
	struct store *st;
	uint64_t removed = 0;

	if ((st = store_open(m->dir, 0, &m->eb)) == NULL ||
	    (m->job.recent ? store_compact_recent(st, m->job.window, &removed,
	    &m->eb) : store_compact_window(st, m->job.window, &removed,
	    &m->eb)) == -1)
		m->failed++;
	else
		m->done++;
	store_close(st);
	return NULL;
}

/* Join a merge that has run, if one has; then start the next queued. */
static void
merge_poll(struct store_writer *w, int wait)
{
	struct merger *m = &w->merge;
	size_t i;

	if (m->running) {
		if (!wait && pthread_tryjoin_np(m->thread, NULL) != 0)
			return;
		if (wait)
			pthread_join(m->thread, NULL);
		m->running = 0;
		w->stats.merges = m->done;
	}
	if (m->nqueue == 0 || wait)
		return;
	/*
	 * Closed windows first: their merge is for good, and what is left
	 * queued at exit is dropped (mroll merges it).
	 */
	for (i = 0; i < m->nqueue && m->queue[i].recent; i++)
		;
	if (i == m->nqueue)
		i = 0;
	m->job = m->queue[i];
	memmove(m->queue + i, m->queue + i + 1,
	    (--m->nqueue - i) * sizeof(*m->queue));
	if (pthread_create(&m->thread, NULL, merge_thread, m) == 0)
		m->running = 1;
}

/* Queue the job, unless it waits already; 0, or -1 when the queue is full. */
static int
merge_queue(struct merger *m, int64_t win, int recent)
{
	size_t i;

	for (i = 0; i < m->nqueue; i++) {
		if (m->queue[i].window != win)
			continue;
		if (m->queue[i].recent == recent || recent)
			return 0;
		/* The window closed: its whole merge does the recent one's. */
		m->queue[i].recent = 0;
		return 0;
	}
	/* A long backlog is mroll's to merge, as before. */
	if (m->nqueue >= 64)
		return -1;
	m->queue = xgrow(m->queue, &m->cap, m->nqueue + 1, sizeof(*m->queue));
	m->queue[m->nqueue].window = win;
	m->queue[m->nqueue++].recent = recent;
	return 0;
}

/*
 * Ask for the windows from 'lo' on that 'h' had to be merged: those
 * before 'cut' whole (closed), those from 'cut' to 'hi' by their newest
 * blocks (open).
 */
static void
merge_windows(struct store_writer *w, int64_t lo, int64_t cut, int64_t hi)
{
	struct merger *m = &w->merge;
	int64_t win;

	if (!w->o.merge || lo == INT64_MAX)
		return;
	for (win = store_window_start(lo); win <= hi; win += STORE_BLOCK_MS)
		if (merge_queue(m, win, win >= cut) == -1)
			break;
	merge_poll(w, 0);
}

/*
 * Seal what is older than 'cut', then move to a fresh WAL holding what is
 * left, and remove the old one.  The blocks are synced before the old
 * WAL goes, and the new WAL is synced too, so a crash at any point
 * leaves every sample in a block or a WAL (maybe both, which readers
 * merge).
 */
static int
seal(struct store_writer *w, int64_t cut, struct errbuf *eb)
{
	struct wal *old = w->wal;
	char old_path[PATH_MAX];
	size_t i, ns = head_nseries(w->head);
	int lock;

	if (wal_commit(w->wal, 0, eb) == -1 ||
	    seal_head(w->st, w->head, cut, store_seq(), &w->stats, eb) == -1)
		return -1;
	memcpy(old_path, w->wal_path, sizeof(old_path));
	if (new_wal(w, eb) == -1) {
		w->wal = old;
		memcpy(w->wal_path, old_path, sizeof(old_path));
		return -1;
	}
	for (i = 0; i < w->ws_cap; i++)
		w->ws[i].logged = 0;
	w->head_mint = INT64_MAX;
	for (i = 0; i < ns; i++) {
		struct head_series *s = head_series(w->head, (uint32_t)i);
		size_t j;
		if (s->n == 0)
			continue;
		log_series(w, (uint32_t)i);
		for (j = 0; j < s->n; j++)
			wal_add_sample(w->wal, (uint32_t)i, s->ts[j], s->v[j]);
		if (s->ts[0] < w->head_mint)
			w->head_mint = s->ts[0];
	}
	if (wal_commit(w->wal, w->o.fsync != STORE_FSYNC_NEVER, eb) == -1)
		return -1;
	if ((lock = store_lock(w->st, STORE_TIER_RAW, 1, eb)) == -1)
		return -1;
	wal_close(old, 1);
	store_unlock(lock);
	return 0;
}

/*
 * Recover the WAL 'path' of a writer that died: replay it into a head and
 * seal everything into blocks, then remove it.  A WAL that another
 * writer is recovering (or that is live) is left alone.
 */
static int
recover_one(struct store_writer *w, const char *path, struct errbuf *eb)
{
	struct head *h = NULL;
	struct stat a, b;
	uint64_t seq, n;
	int fd, lock, rc = -1;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return errno == ENOENT ? 0 : errbuf_set(eb, "cannot open '%s': %s",
		    path, strerror(errno));
	if (flock(fd, LOCK_EX | LOCK_NB) == -1) {
		close(fd);
		return 0;	/* live, or being recovered by another writer */
	}
	/* Another writer may have recovered and removed it meanwhile. */
	if (fstat(fd, &a) == -1 || stat(path, &b) == -1 || a.st_ino != b.st_ino) {
		close(fd);
		return 0;
	}
	h = head_new();
	if (store_replay_wal(fd, path, h, NULL, 0, &seq, &n, eb) == -1) {
		/*
		 * Damaged: seal what came before the damage, then keep the
		 * file aside for a human, under a name nothing reads, rather
		 * than fail every writer.
		 */
		char aside[PATH_MAX + 16];
		if (n > 0 && seal_head(w->st, h, INT64_MAX, seq ? seq : store_seq(),
		    &w->stats, eb) == -1)
			goto out;
		snprintf(aside, sizeof(aside), "%s.corrupt", path);
		if (rename(path, aside) == -1) {
			errbuf_set(eb, "cannot rename '%s': %s", path,
			    strerror(errno));
			goto out;
		}
		w->stats.corrupt_wals++;
		w->stats.recovered += n;
		rc = 0;
		goto out;
	}
	if (seal_head(w->st, h, INT64_MAX, seq, &w->stats, eb) == -1)
		goto out;
	if ((lock = store_lock(w->st, STORE_TIER_RAW, 1, eb)) == -1)
		goto out;
	unlink(path);
	store_unlock(lock);
	w->stats.recovered += n;
	rc = 0;
out:
	head_free(h);
	close(fd);
	return rc;
}

/*
 * Remove WAL files a writer died while creating (*.wal.new): the ones
 * nobody holds locked and that are over a minute old (one just created
 * is unlocked for a moment).
 */
static void
clean_new_wals(struct store *st)
{
	char dir[PATH_MAX], path[PATH_MAX + 256];
	char **names;
	size_t n, i;

	store_path(st, dir, "raw", "wal");
	if (store_list(dir, ".wal.new", &names, &n, NULL) == -1)
		return;
	for (i = 0; i < n; i++) {
		struct stat sb;
		int fd;
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
			continue;
		if (fstat(fd, &sb) == 0 && sb.st_mtime < time(NULL) - 60 &&
		    flock(fd, LOCK_EX | LOCK_NB) == 0)
			unlink(path);
		close(fd);
	}
	store_list_free(names, n);
}

/* Remove what writers that died left half written. */
static void
clean_tmp(struct store *st)
{
	clean_new_wals(st);
	store_remove_stale_tmp(st, "raw", NULL);
}

/*
 * The oldest time a sample may have: within the raw retention, or with
 * backfill, within the longest of all (mroll rolls it into the tiers
 * that keep it).
 */
static int64_t
oldest(const struct store_writer *w)
{
	int64_t keep = w->st->retention[STORE_TIER_RAW];
	int t;

	if (w->o.backfill)
		for (t = STORE_TIER_1M; t < STORE_NTIERS; t++)
			if (w->st->retention[t] > keep)
				keep = w->st->retention[t];
	return w->now - keep;
}

struct store_writer *
store_writer_open(struct store *st, const struct store_writer_opts *o,
    struct errbuf *eb)
{
	struct store_writer *w = xcalloc(1, sizeof(*w));
	char dir[PATH_MAX], path[PATH_MAX + 256];
	char **names = NULL;
	size_t n = 0, i;

	w->st = st;
	w->o = *o;
	w->merge.dir = xstrdup(store_dir(st));
	w->head = head_new();
	w->head_mint = INT64_MAX;
	w->max_ts = INT64_MIN;
	w->last_sync_ns = mono_ns();
	w->now = ts_now();
	w->oldest = oldest(w);
	clean_tmp(st);
	store_path(st, dir, "raw", "wal");
	if (store_list(dir, ".wal", &names, &n, eb) == -1)
		goto fail;
	for (i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		if (recover_one(w, path, eb) == -1) {
			errbuf_prefix(eb, "cannot recover '%s'", path);
			goto fail;
		}
	}
	store_list_free(names, n);
	names = NULL;
	if (new_wal(w, eb) == -1)
		goto fail;
	return w;
fail:
	store_list_free(names, n);
	head_free(w->head);
	free(w->merge.dir);
	free(w);
	return NULL;
}

/* The number of samples in the head that makes the writer flush. */
static uint64_t
flush_at(const struct store_writer *w)
{
	uint64_t n = (uint64_t)head_nseries(w->head) * STORE_FLUSH_PER_SERIES;

	if (w->o.flush_samples)
		return w->o.flush_samples;
	return n > STORE_FLUSH_SAMPLES ? n : STORE_FLUSH_SAMPLES;
}

int
store_writer_add(struct store_writer *w, const struct sample *s,
    struct errbuf *eb)
{
	const char *key = s->key;
	size_t keylen = s->key_len;
	uint64_t hash = s->key_hash;
	struct head_series *hs;
	struct seen *sn;
	long found;
	uint32_t id;
	int created;

	/* 'now' is at most a commit old: 1 MiB of WAL, or one input batch. */
	if (s->ts < w->oldest) {
		w->stats.rejected_old++;
		errbuf_set(eb, "sample older than the %s retention",
		    w->o.backfill ? "longest" : "raw");
		return 1;
	}
	if (s->ts > w->now + w->o.max_future) {
		w->stats.rejected_future++;
		errbuf_set(eb, "sample too far ahead of the clock");
		return 1;
	}
	if (key == NULL) {
		buf_reset(&w->key);
		series_key(&w->key, s);
		key = w->key.p;
		keylen = w->key.len;
		hash = 0;
	}
	/*
	 * Series mostly come in the order they came last time (a scrape, a
	 * collector's pass): the series that followed the one before then
	 * is tried first, its key compared, in head order (where the keys
	 * lie one after the other), before any table.
	 */
	if (w->prev && (id = w->ws[w->prev - 1].next) != 0 &&
	    --id < head_nseries(w->head)) {
		hs = head_series(w->head, id);
		if (hs->keylen == keylen &&
		    memcmp(head_key(w->head, hs), key, keylen) == 0) {
			found = 1;
			goto have;
		}
	}
	/*
	 * The parser gives a key it keeps (one per line shape it has seen,
	 * most samples come with one) and its hash: the writer remembers
	 * which series it was, and finds it again without a lookup.  The
	 * same address with the same bytes is the same key, even from
	 * another parser.
	 */
	if (s->key && hash && (sn = &w->seen[hash & (SEEN_SLOTS - 1)])->key == key &&
	    sn->keylen == keylen &&
	    memcmp(head_key(w->head, head_series(w->head, sn->id)), key,
	    keylen) == 0) {
		id = sn->id;
		found = 1;
	} else {
		if (hash == 0)
			hash = series_hash(key, keylen);
		found = head_series_find(w->head, key, keylen, hash);
		/* The writer's own series do not count against the limit. */
		if (found < 0 && w->o.max_series && !w->adding_self &&
		    head_nseries(w->head) - w->self_series >= w->o.max_series) {
			w->stats.rejected_series++;
			errbuf_set(eb, "new series over the limit of %llu "
			    "(--max-series)", (unsigned long long)w->o.max_series);
			return 1;
		}
		if (found >= 0) {
			id = (uint32_t)found;
		} else {
			id = head_series_get(w->head, key, keylen, hash, s->type,
			    s->unit, s->unit_len, s->help, s->help_len, &created);
			w->stats.series++;
			if (w->adding_self)
				w->self_series++;
		}
		if (s->key) {
			sn = &w->seen[hash & (SEEN_SLOTS - 1)];
			sn->key = s->key;
			sn->keylen = keylen;
			sn->id = id;
		}
	}
have:
	if (w->prev)
		w->ws[w->prev - 1].next = id + 1;
	w->prev = id + 1;
	/*
	 * Type, unit or help changed: log the series again.  Most series
	 * have neither unit nor help: that is checked here, inline.
	 */
	hs = head_series(w->head, id);
	if (found >= 0 && (hs->type != s->type || hs->unit || hs->help ||
	    s->unit || s->help) && head_series_meta(w->head, id, s->type,
	    s->unit, s->unit_len, s->help, s->help_len))
		wseries(w, id)->logged = 0;
	log_series(w, id);
	head_append(w->head, id, s->ts, s->value);
	wal_add_sample(w->wal, id, s->ts, s->value);
	if (s->ts > w->max_ts)
		w->max_ts = s->ts;
	if (s->ts < w->head_mint)
		w->head_mint = s->ts;
	w->stats.samples++;
	if (wal_pending(w->wal) >= COMMIT_BYTES)
		return store_writer_commit(w, eb) == -1 ? -1 : 0;
	return 0;
}

int
store_writer_sync(struct store_writer *w, struct errbuf *eb)
{
	int64_t t0 = mono_ns();

	if (wal_commit(w->wal, 1, eb) == -1)
		return -1;
	w->last_sync_ns = mono_ns();
	w->stats.syncs++;
	w->stats.sync_seconds += (double)(w->last_sync_ns - t0) / 1e9;
	w->unsynced = 0;
	return 0;
}

int
store_writer_commit(struct store_writer *w, struct errbuf *eb)
{
	uint64_t before = wal_size(w->wal);
	int64_t clock;

	w->now = ts_now();
	w->oldest = oldest(w);
	if (w->o.self_metrics_ms && w->now - w->last_self >= w->o.self_metrics_ms &&
	    store_writer_self_metrics(w, w->now, eb) == -1)
		return -1;
	if (wal_commit(w->wal, 0, eb) == -1)
		return -1;
	w->stats.bytes += wal_size(w->wal) - before;
	if (wal_size(w->wal) != before)
		w->unsynced = 1;
	if (w->unsynced && (w->o.fsync == STORE_FSYNC_ALWAYS ||
	    (w->o.fsync == STORE_FSYNC_BATCH &&
	    mono_ns() - w->last_sync_ns >= SYNC_INTERVAL_NS)))
		if (store_writer_sync(w, eb) == -1)
			return -1;
	merge_poll(w, 0);
	/*
	 * A window is closed once samples arrive a grace period past its
	 * end; time is the samples' (a backfill's), but never ahead of the
	 * clock, so that a sample from the future closes nothing.
	 */
	clock = w->max_ts < w->now ? w->max_ts : w->now;
	if (w->head_mint != INT64_MAX && w->max_ts != INT64_MIN &&
	    store_window_start(w->head_mint) + STORE_BLOCK_MS + SEAL_GRACE_MS <= clock) {
		int64_t lo = w->head_mint, cut = store_window_start(clock -
		    SEAL_GRACE_MS);
		if (seal(w, cut, eb) == -1)
			return -1;
		merge_windows(w, lo, cut, cut - 1);
	}
	/* The log is kept short: a reader reads all of it. */
	if (head_nsamples(w->head) >= flush_at(w) &&
	    mono_ns() - w->wal_born_ns >= w->o.flush_age_ms * 1000000) {
		int64_t lo = w->head_mint, hi = w->max_ts;
		w->stats.flushes++;
		if (seal(w, INT64_MAX, eb) == -1)
			return -1;
		merge_windows(w, lo, INT64_MIN, hi);
	}
	return 0;
}

int
store_writer_unsynced(const struct store_writer *w)
{
	return w->unsynced && w->o.fsync == STORE_FSYNC_BATCH;
}

const struct store_writer_stats *
store_writer_stats(const struct store_writer *w)
{
	return &w->stats;
}

int
store_writer_close(struct store_writer *w, struct errbuf *eb)
{
	int rc = -1, lock;

	if (w == NULL)
		return 0;
	merge_poll(w, 1);
	/* The last figures, at the end. */
	if (w->o.self_metrics_ms &&
	    store_writer_self_metrics(w, ts_now(), eb) == -1)
		goto out;
	if (store_writer_commit(w, eb) == -1)
		goto out;
	if (head_nsamples(w->head) > 0 &&
	    seal_head(w->st, w->head, INT64_MAX, store_seq(), &w->stats, eb) == -1)
		goto out;
	if ((lock = store_lock(w->st, STORE_TIER_RAW, 1, eb)) == -1)
		goto out;
	wal_close(w->wal, 1);
	w->wal = NULL;
	store_unlock(lock);
	rc = 0;
out:
	/* On failure the WAL stays, for the next writer to recover. */
	wal_close(w->wal, 0);
	merge_poll(w, 1);
	free(w->merge.queue);
	free(w->merge.dir);
	head_free(w->head);
	buf_release(&w->key);
	free(w->ws);
	free(w);
	return rc;
}

void
store_writer_count_bad(struct store_writer *w)
{
	w->stats.bad_lines++;
}

int64_t
store_writer_due(const struct store_writer *w)
{
	int64_t left = -1;

	if (w->o.self_metrics_ms) {
		left = w->last_self + w->o.self_metrics_ms - ts_now();
		if (left < 0)
			left = 0;
	}
	/* A batch of --fsync=batch waits at most a second for its sync. */
	if (store_writer_unsynced(w)) {
		int64_t sync = (w->last_sync_ns + SYNC_INTERVAL_NS - mono_ns()) /
		    1000000 + 1;
		if (sync < 0)
			sync = 0;
		if (left == -1 || sync < left)
			left = sync;
	}
	/* A log past its bound is flushed once it is old enough. */
	if (head_nsamples(w->head) >= flush_at(w)) {
		int64_t flush = (w->wal_born_ns + w->o.flush_age_ms * 1000000 -
		    mono_ns()) / 1000000 + 1;
		if (flush < 0)
			flush = 0;
		if (left == -1 || flush < left)
			left = flush;
	}
	return left;
}

static int
sink_add(void *ctx, const struct sample *s, struct errbuf *eb)
{
	return store_writer_add(ctx, s, eb);
}

static int
sink_commit(void *ctx, struct errbuf *eb)
{
	return store_writer_commit(ctx, eb);
}

static int64_t
sink_due(void *ctx)
{
	return store_writer_due(ctx);
}

static void
sink_bad(void *ctx)
{
	store_writer_count_bad(ctx);
}

void
store_writer_sink(struct store_writer *w, struct ingest_sink *out)
{
	*out = (struct ingest_sink){ sink_add, sink_commit, sink_due, sink_bad,
		w };
}

int
store_writer_self_metrics(struct store_writer *w, int64_t ts,
    struct errbuf *eb)
{
	struct store_writer_stats snap = w->stats, *st = &snap;
	struct {
		const char *name;
		enum metric_type type;
		double v;
		const char *reason;
	} m[] = {
		{ "mtk_mstore_samples_ingested_total", METRIC_COUNTER,
		  (double)st->samples, NULL },
		{ "mtk_mstore_samples_rejected_total", METRIC_COUNTER,
		  (double)st->bad_lines, "bad_line" },
		{ "mtk_mstore_samples_rejected_total", METRIC_COUNTER,
		  (double)st->rejected_old, "too_old" },
		{ "mtk_mstore_samples_rejected_total", METRIC_COUNTER,
		  (double)st->rejected_series, "max_series" },
		{ "mtk_mstore_samples_rejected_total", METRIC_COUNTER,
		  (double)st->rejected_future, "too_new" },
		{ "mtk_mstore_series", METRIC_GAUGE, (double)st->series, NULL },
		{ "mtk_mstore_bytes_written_total", METRIC_COUNTER,
		  (double)st->bytes, NULL },
		{ "mtk_mstore_blocks_written_total", METRIC_COUNTER,
		  (double)st->blocks, NULL },
		{ "mtk_mstore_fsyncs_total", METRIC_COUNTER, (double)st->syncs,
		  NULL },
		{ "mtk_mstore_fsync_seconds_total", METRIC_COUNTER,
		  st->sync_seconds, NULL },
	};
	char host[HOST_NAME_BUFSZ];
	struct label l[2];
	size_t i;
	int rc;

	w->last_self = ts;
	host_name(host, sizeof(host));
	for (i = 0; i < sizeof(m) / sizeof(m[0]); i++) {
		struct sample s = { .name = m[i].name,
			.name_len = strlen(m[i].name), .type = m[i].type,
			.has_ts = 1, .value = m[i].v, .ts = ts, .labels = l };
		l[0] = (struct label){ "host", host, 4, (uint32_t)strlen(host) };
		s.nlabels = 1;
		if (m[i].reason) {
			l[1] = (struct label){ "reason", m[i].reason, 6,
			    (uint32_t)strlen(m[i].reason) };
			s.nlabels = 2;
		}
		w->adding_self = 1;
		rc = store_writer_add(w, &s, eb);
		w->adding_self = 0;
		if (rc == -1)
			return -1;
	}
	/* Its own samples are not what the figures count. */
	w->stats.samples = snap.samples;
	w->stats.series = snap.series;
	return 0;
}
