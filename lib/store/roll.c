/* roll.c - one pass of mroll: roll windows up, expire and archive */
/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <xxhash.h>

#include "base/host.h"
#include "base/timestamp.h"
#include "base/xalloc.h"
#include "store/block.h"
#include "store/roll.h"
#include "store/rollup.h"
#include "store/store_int.h"
#include "store/tombstone.h"
#include "stream/jsonl.h"

#define HOUR_MS 3600000LL
#define DAY_MS (24 * HOUR_MS)

static const int64_t resolutions[STORE_NTIERS] = {
	0, 60000, 5 * 60000, HOUR_MS
};

/*
 * Window lengths.  Each divides the next, so a window of a tier lies
 * within one window of the next tier; the raw one is the store's block
 * window.
 */
static const int64_t spans[STORE_NTIERS] = {
	STORE_BLOCK_MS, 2 * HOUR_MS, DAY_MS, DAY_MS
};

int64_t
roll_resolution(enum store_tier t)
{
	return resolutions[t];
}

int64_t
roll_span(enum store_tier t)
{
	return spans[t];
}

static int64_t
align(int64_t t, int64_t span)
{
	int64_t w = t / span * span;

	return t < 0 && w != t ? w - span : w;
}

/*
 * The blocks of a tier, by window.  A raw block's name starts with its
 * first timestamp; a rolled block's with its first row's, the end of
 * that row's window, so the row's window starts a moment before.
 */
struct tblock {
	char *name;
	int64_t window;
	uint64_t size;
};

struct tier_list {
	struct tblock *b;
	size_t n;
};

static int
cmp_tblock(const void *a, const void *b)
{
	const struct tblock *x = a, *y = b;

	if (x->window != y->window)
		return x->window < y->window ? -1 : 1;
	return strcmp(x->name, y->name);
}

static void
tier_list_free(struct tier_list *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		free(l->b[i].name);
	free(l->b);
	l->b = NULL;
	l->n = 0;
}

static int
tier_list(struct store *st, enum store_tier t, struct tier_list *out,
    struct errbuf *eb)
{
	char dir[PATH_MAX], path[PATH_MAX + 256];
	char **names;
	size_t n, i, k = 0;

	out->b = NULL;
	out->n = 0;
	store_path(st, dir, store_tier_name(t), NULL);
	if (store_list(dir, ".blk", &names, &n, eb) == -1)
		return -1;
	out->b = xcalloc(n ? n : 1, sizeof(*out->b));
	for (i = 0; i < n; i++) {
		struct stat sb;
		int64_t first = strtoll(names[i], NULL, 10);
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		if (stat(path, &sb) == -1) {
			free(names[i]);
			continue;	/* removed since listed */
		}
		out->b[k].name = names[i];
		out->b[k].window = align(t == STORE_TIER_RAW ? first : first - 1,
		    spans[t]);
		out->b[k].size = (uint64_t)sb.st_size;
		k++;
	}
	free(names);
	out->n = k;
	qsort(out->b, k, sizeof(*out->b), cmp_tblock);
	return 0;
}

/* The blocks of 'l' in window 'w': sets '*first', returns how many. */
static size_t
in_window(const struct tier_list *l, int64_t w, size_t *first)
{
	size_t lo = 0, hi = l->n, i;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (l->b[mid].window < w)
			lo = mid + 1;
		else
			hi = mid;
	}
	*first = lo;
	for (i = lo; i < l->n && l->b[i].window == w; i++)
		;
	return i - lo;
}

/*
 * The fingerprint of a window's blocks: their names and sizes.  A block
 * added, removed or replaced changes it.
 */
static uint64_t
fingerprint(const struct tblock *b, size_t n)
{
	XXH64_state_t *h = XXH64_createState();
	uint64_t sum;
	size_t i;

	XXH64_reset(h, 0);
	for (i = 0; i < n; i++) {
		unsigned char size[8];
		int k;
		for (k = 0; k < 8; k++)
			size[k] = (unsigned char)(b[i].size >> (8 * k));
		XXH64_update(h, b[i].name, strlen(b[i].name) + 1);
		XXH64_update(h, size, sizeof(size));
	}
	sum = XXH64_digest(h);
	XXH64_freeState(h);
	return sum;
}

/* The state of one pass. */
struct pass {
	struct store *st;
	const struct roll_opts *o;
	struct roll_stats *stats;
	int64_t horizon;	/* windows ending by then are closed */
	struct tier_list tiers[STORE_NTIERS];
	struct rollup fresh, merged;
	/*
	 * A dry run: the windows of each tier it found to roll, ascending,
	 * so that the next tier counts them as changed, as a real pass
	 * would find them.
	 */
	int64_t *dirty[STORE_NTIERS];
	size_t ndirty[STORE_NTIERS], dirty_cap[STORE_NTIERS];
	struct tombstones tomb;	/* deletions to apply */
};

/* The longest retention of tier 't' and those coarser. */
static int64_t
keep_from(const struct pass *p, enum store_tier t)
{
	int64_t keep = 0;
	int k;

	for (k = t; k < STORE_NTIERS; k++)
		if (store_retention(p->st, (enum store_tier)k) > keep)
			keep = store_retention(p->st, (enum store_tier)k);
	return keep;
}

/* Whether a dry run would roll a window of tier 't' in [lo, hi). */
static int
dirty_in(const struct pass *p, enum store_tier t, int64_t lo, int64_t hi)
{
	size_t i;

	for (i = 0; i < p->ndirty[t]; i++)
		if (p->dirty[t][i] >= lo && p->dirty[t][i] < hi)
			return 1;
	return 0;
}

static void
report(struct pass *p, const struct roll_action *a)
{
	if (p->o->report)
		p->o->report(p->o->ctx, a);
}

/*
 * Whether deletion 't' still has something to delete: a log older than
 * it (its samples may be in the range, and go to blocks later), a block
 * of any tier with samples or rows it covers, or an archive of a window
 * in its range (archives are not written again: the tombstone stays, so
 * that --archive readers keep leaving the data out).
 */
static int
pending(struct pass *p, const struct tombstone *t, struct errbuf *eb)
{
	char dir[PATH_MAX], path[PATH_MAX + 256];
	char **names;
	size_t n, i;
	int tier, left = 0;

	store_path(p->st, dir, "raw", "wal");
	if (store_list(dir, ".wal", &names, &n, eb) == -1)
		return -1;
	for (i = 0; i < n && !left; i++)
		left = strtoull(names[i], NULL, 16) < t->seq;
	store_list_free(names, n);
	for (tier = 0; tier < STORE_NTIERS && !left; tier++) {
		const struct tier_list *l = &p->tiers[tier];
		for (i = 0; i < l->n && !left; i++) {
			struct errbuf e2 = ERRBUF_INIT;
			struct block *b;
			if (l->b[i].window > t->maxt ||
			    l->b[i].window + spans[tier] < t->mint)
				continue;
			store_path(p->st, path, store_tier_name(tier),
			    l->b[i].name);
			if ((b = block_open(path, &e2)) == NULL) {
				left = errno != ENOENT;	/* damaged: unknown */
				continue;
			}
			left = tombstone_in_block(b, t, &e2) != 0;
			block_close(b);
		}
		store_path(p->st, dir, "archive", store_tier_name(tier));
		if (store_list(dir, "", &names, &n, eb) == -1)
			return -1;
		for (i = 0; i < n && !left; i++) {
			int64_t w = strtoll(names[i], NULL, 10);
			left = w <= t->maxt && w + spans[tier] >= t->mint;
		}
		store_list_free(names, n);
	}
	return left;
}

/* Remove the tombstones whose deletions the files no longer hold. */
static int
purge_tombstones(struct pass *p, struct errbuf *eb)
{
	size_t i;
	int left, t;

	if (p->tomb.n == 0)
		return 0;
	/* The lists as the pass left them. */
	for (t = 0; t < STORE_NTIERS; t++) {
		tier_list_free(&p->tiers[t]);
		if (tier_list(p->st, (enum store_tier)t, &p->tiers[t], eb) == -1)
			return -1;
	}
	for (i = 0; i < p->tomb.n; i++) {
		const struct tombstone *ts = &p->tomb.v[i];
		struct roll_action a = { ROLL_PURGED, STORE_TIER_RAW, ts->mint,
			ts->maxt, 0, 0, 0, 0, ts->selector, 0, NULL };
		if ((left = pending(p, ts, eb)) == -1)
			return -1;
		if (left || unlink(ts->path) == -1)
			continue;
		p->stats->purged++;
		report(p, &a);
	}
	return 0;
}

/* Report the damaged files the pass met, each once. */
static void
report_damage(struct pass *p)
{
	size_t i, n = store_damage_count(p->st);

	for (i = 0; i < n; i++) {
		const char *msg = store_damage(p->st, i), *q;
		char path[PATH_MAX];
		struct roll_action a = { ROLL_DAMAGED, STORE_TIER_RAW, 0, 0, 0,
			0, 0, 0, path, 0, msg };
		/* Messages start with the file, in quotes. */
		path[0] = '\0';
		if (msg[0] == '\'' && (q = strchr(msg + 1, '\'')) != NULL)
			snprintf(path, sizeof(path), "%.*s", (int)(q - msg - 1),
			    msg + 1);
		p->stats->damaged++;
		report(p, &a);
	}
}

/*
 * The source windows of target window 'w' of tier 't' (the windows of
 * tier t - 1 inside it) with their fingerprints.  Returns how many;
 * '*out' is a new array.
 */
static size_t
sources_of(struct pass *p, enum store_tier t, int64_t w,
    struct block_source **out)
{
	const struct tier_list *l = &p->tiers[t - 1];
	struct block_source *v = NULL;
	size_t first, i, j, n = 0, cap = 0;

	in_window(l, w, &first);
	for (i = first; i < l->n && l->b[i].window < w + spans[t]; i = j) {
		for (j = i; j < l->n && l->b[j].window == l->b[i].window; j++)
			;
		v = xgrow(v, &cap, n + 1, sizeof(*v));
		v[n].window = l->b[i].window;
		v[n].fingerprint = fingerprint(&l->b[i], j - i);
		n++;
	}
	*out = v;
	return n;
}

/*
 * Whether target window 'w' of tier 't' is up to date: it has one block,
 * and that block was rolled from every source window there is now, as
 * it is now.  Source windows it lists that are gone (expired) do not
 * matter.
 */
static int
up_to_date(struct pass *p, enum store_tier t, int64_t w,
    const struct block_source *src, size_t nsrc, struct errbuf *eb)
{
	const struct tier_list *l = &p->tiers[t];
	const struct block_source *had;
	char path[PATH_MAX + 256];
	struct block *b;
	size_t first, nhad, i, k;
	int ok = 1;

	if (in_window(l, w, &first) != 1)
		return 0;
	store_path(p->st, path, store_tier_name(t), l->b[first].name);
	if ((b = block_open(path, eb)) == NULL) {
		if (errno == ENOENT)
			return -1;
		/* Damaged: left as it is, for a repair. */
		store_damage_note(p->st, path, eb->msg);
		return 1;
	}
	had = block_sources(b, &nhad);
	for (i = 0; i < nsrc && ok; i++) {
		for (k = 0; k < nhad; k++)
			if (had[k].window == src[i].window)
				break;
		ok = k < nhad && had[k].fingerprint == src[i].fingerprint;
	}
	/* Rows a deletion covers: rolled again, without them. */
	if (ok && p->tomb.n && tombstones_in_block(&p->tomb, b, eb) == 1)
		ok = 0;
	block_close(b);
	return ok;
}

/* The row flags of a series rolled from raw samples. */
static unsigned
raw_flags(const struct pass *p, const struct store_series *ss)
{
	const char *globs = store_settings(p->st)->sketch;
	char *copy, *tok, *save = NULL;
	unsigned f = 0;

	if (ss->type == METRIC_COUNTER)
		return ROLLUP_F_COUNTER;
	if (ss->type == METRIC_HISTOGRAM)
		return ROLLUP_F_SKETCH;
	if (globs == NULL)
		return 0;
	copy = xstrdup(globs);
	/* The key starts with the metric name and its NUL. */
	for (tok = strtok_r(copy, ", \t", &save); tok && !f;
	    tok = strtok_r(NULL, ", \t", &save))
		if (fnmatch(tok, ss->key, 0) == 0)
			f = ROLLUP_F_SKETCH;
	free(copy);
	return f;
}

/* Rows of 'a' (new) over rows of 'b' (old): 'a' wins at equal times. */
static void
merge_rows(struct rollup *out, const struct rollup *a, const struct rollup *b)
{
	size_t i = 0, j = 0;

	rollup_reset(out, a->flags);
	while (i < a->n || j < b->n) {
		if (j == b->n || (i < a->n && a->t[i] <= b->t[j])) {
			if (j < b->n && b->t[j] == a->t[i])
				j++;
			rollup_copy_row(out, a, i++);
		} else {
			rollup_copy_row(out, b, j++);
		}
	}
}

static int
cmp_key(const struct store_series *a, const struct store_series *b)
{
	size_t m = a->keylen < b->keylen ? a->keylen : b->keylen;
	int c = memcmp(a->key, b->key, m);

	if (c)
		return c;
	return (a->keylen > b->keylen) - (a->keylen < b->keylen);
}

/*
 * Roll target window 'w' of tier 't': the source's rows merged over the
 * rows already there, into one new block; then the old blocks go.
 */
static int
roll_window(struct pass *p, enum store_tier t, int64_t w,
    const struct block_source *src, size_t nsrc, struct errbuf *eb)
{
	enum store_tier s = t - 1;
	struct store_reader *sr = NULL, *or = NULL;
	struct store_iter *si = NULL, *oi = NULL;
	struct block_writer *bw = NULL;
	struct store_series ss, os;
	struct roll_action a = { ROLL_ROLLED, t, w, w + spans[t], 0, 0, 0, 0,
		NULL, 0, NULL };
	const struct tier_list *old = &p->tiers[t];
	char dir[PATH_MAX], path[PATH_MAX];
	struct stat sb;
	size_t first, nold, i, damaged = store_damage_count(p->st);
	int sn, on, rc = -1, lock;

	nold = in_window(old, w, &first);
	/* A raw window is [w, end); rolled rows are stamped (w, end]. */
	if (s == STORE_TIER_RAW)
		sr = store_reader_open_blocks(p->st, s, w, w + spans[t] - 1, eb);
	else
		sr = store_reader_open_blocks(p->st, s, w + 1, w + spans[t], eb);
	if (sr == NULL ||
	    (or = store_reader_open_blocks(p->st, t, w + 1, w + spans[t],
	    eb)) == NULL ||
	    (si = store_select(sr, NULL, 0, eb)) == NULL ||
	    (oi = store_select(or, NULL, 0, eb)) == NULL)
		goto out;
	store_path(p->st, dir, store_tier_name(t), NULL);
	if ((bw = block_writer_new_rolled(dir, store_seq(), resolutions[t], src,
	    nsrc, eb)) == NULL)
		goto out;
	sn = store_iter_next(si, &ss, eb);
	on = store_iter_next(oi, &os, eb);
	while (sn == 1 || on == 1) {
		const struct rollup *rows;
		int c = sn != 1 ? 1 : on != 1 ? -1 : cmp_key(&ss, &os);
		const struct store_series *meta = c <= 0 ? &ss : &os;

		if (c <= 0) {
			const struct rollup *fine = store_iter_rollup(si);
			if (s == STORE_TIER_RAW) {
				rollup_reset(&p->fresh, raw_flags(p, &ss));
				rollup_from_samples(&p->fresh, ss.ts, ss.v, ss.n,
				    resolutions[t]);
			} else if (fine) {
				rollup_reset(&p->fresh, fine->flags);
				rollup_coarsen(&p->fresh, fine, resolutions[t]);
			} else {
				rollup_reset(&p->fresh, 0);
			}
			rows = &p->fresh;
			if (c == 0 && store_iter_rollup(oi)) {
				merge_rows(&p->merged, &p->fresh,
				    store_iter_rollup(oi));
				rows = &p->merged;
			}
		} else {
			rows = store_iter_rollup(oi);
		}
		if (rows && rows->n) {
			if (block_writer_add_rollup(bw, meta->key, meta->keylen,
			    meta->type, meta->unit, meta->help, rows, eb) == -1)
				goto out;
			a.series++;
			a.rows += rows->n;
		}
		if (c <= 0 && (sn = store_iter_next(si, &ss, eb)) == -1)
			goto out;
		if (c >= 0 && (on = store_iter_next(oi, &os, eb)) == -1)
			goto out;
	}
	if (sn == -1 || on == -1)
		goto out;
	if (store_damage_count(p->st) != damaged) {
		/* Rolled without a damaged block, the rows would be wrong. */
		rc = 0;
		goto out;
	}
	rc = block_writer_finish(bw, path, eb);
	bw = NULL;
	if (rc == -1)
		goto out;
	if (path[0] && stat(path, &sb) == 0)
		a.bytes = (uint64_t)sb.st_size;
	rc = -1;
	/* Readers see the old blocks, the new one, or both: the same rows. */
	if ((lock = store_lock(p->st, t, 1, eb)) == -1)
		goto out;
	for (i = first; i < first + nold; i++) {
		char op[PATH_MAX + 256];
		store_path(p->st, op, store_tier_name(t), old->b[i].name);
		unlink(op);
	}
	store_unlock(lock);
	p->stats->windows[t]++;
	p->stats->rows[t] += a.rows;
	report(p, &a);
	rc = 0;
out:
	block_writer_abort(bw);
	store_iter_free(si);
	store_iter_free(oi);
	store_reader_close(sr);
	store_reader_close(or);
	return rc;
}

/* Roll every closed, changed window of tier 't' from tier t - 1. */
static int
roll_tier(struct pass *p, enum store_tier t, struct errbuf *eb)
{
	const struct tier_list *l = &p->tiers[t - 1];
	struct block_source *src = NULL;
	int64_t last = INT64_MIN, *ws;
	size_t i, nsrc, nw = 0;
	int rc = 0, ok;

	/* The target windows: of the source's blocks, and of a dry run's. */
	ws = xmalloc((l->n + p->ndirty[t - 1] + 1) * sizeof(*ws));
	for (i = 0; i < l->n; i++)
		ws[nw++] = align(l->b[i].window, spans[t]);
	for (i = 0; i < p->ndirty[t - 1]; i++)
		ws[nw++] = align(p->dirty[t - 1][i], spans[t]);
	if (p->ndirty[t - 1])
		qsort(ws, nw, sizeof(*ws), ts_cmp);
	for (i = 0; i < nw && rc == 0; i++) {
		int64_t w = ws[i];
		if (w == last)
			continue;
		last = w;
		if (w > p->horizon - spans[t])
			break;		/* the windows after are open too */
		/*
		 * A window the tier would expire at once (its retention is
		 * shorter than the source's) is not rolled again, unless a
		 * coarser tier still keeps its time and rolls from it (a
		 * backfill: mstore --backfill).
		 */
		if (w + spans[t] <= p->o->now - keep_from(p, t))
			continue;
		nsrc = sources_of(p, t, w, &src);
		if ((ok = up_to_date(p, t, w, src, nsrc, eb)) == -1)
			rc = -1;
		else if (p->o->dry_run && (!ok ||
		    dirty_in(p, t - 1, w, w + spans[t]))) {
			struct roll_action a = { ROLL_ROLLED, t, w, w + spans[t],
				0, 0, 0, 0, NULL, 1, NULL };
			p->dirty[t] = xgrow(p->dirty[t], &p->dirty_cap[t],
			    p->ndirty[t] + 1, sizeof(**p->dirty));
			p->dirty[t][p->ndirty[t]++] = w;
			p->stats->windows[t]++;
			report(p, &a);
		} else if (!ok) {
			rc = roll_window(p, t, w, src, nsrc, eb);
		}
		free(src);
		src = NULL;
	}
	free(ws);
	if (rc == 0 && !p->o->dry_run) {
		/* This tier changed: the next one rolls from the new list. */
		tier_list_free(&p->tiers[t]);
		rc = tier_list(p->st, t, &p->tiers[t], eb);
	}
	return rc;
}

/*
 * Whether source window 'w' of tier 't' has been rolled into tier t + 1
 * as it is now, so that it may go.
 */
static int
rolled_up(struct pass *p, enum store_tier t, int64_t w, struct errbuf *eb)
{
	const struct tier_list *dst = &p->tiers[t + 1];
	const struct block_source *had;
	int64_t tw = align(w, spans[t + 1]);
	char path[PATH_MAX + 256];
	struct block *b;
	size_t first, n, nhad, k;
	uint64_t fp;
	int ok = 0;

	/* Past the retention of every coarser tier: none keeps the rows. */
	if (tw + spans[t + 1] <= p->o->now - keep_from(p, t + 1))
		return 1;
	/* A dry run's: the pass would roll it first. */
	if (dirty_in(p, t + 1, tw, tw + 1))
		return 1;
	if (in_window(dst, tw, &first) != 1)
		return 0;
	n = in_window(&p->tiers[t], w, &k);
	fp = fingerprint(&p->tiers[t].b[k], n);
	store_path(p->st, path, store_tier_name(t + 1), dst->b[first].name);
	if ((b = block_open(path, eb)) == NULL) {
		if (errno == ENOENT)
			return -1;
		/* Damaged: what it held is unknown, so the source stays. */
		store_damage_note(p->st, path, eb->msg);
		return 0;
	}
	had = block_sources(b, &nhad);
	for (k = 0; k < nhad; k++)
		if (had[k].window == w)
			ok = had[k].fingerprint == fp;
	block_close(b);
	return ok;
}

/* Remove (or archive) the expired windows of tier 't'. */
static int
expire_tier(struct pass *p, enum store_tier t, struct errbuf *eb)
{
	const struct store_settings *set = store_settings(p->st);
	const struct tier_list *l = &p->tiers[t];
	int64_t cutoff = p->o->now - set->retention[t];
	int archive = set->archive != STORE_ARCHIVE_OFF &&
	    (set->archive_tiers & (1u << t));
	size_t i, j, k;
	int rc = 0;

	for (i = 0; i < l->n && rc == 0; i = j) {
		struct roll_action a = { archive ? ROLL_ARCHIVED : ROLL_REMOVED,
			t, l->b[i].window, l->b[i].window + spans[t], 0, 0, 0, 0,
			NULL, 0, NULL };
		char apath[PATH_MAX];
		int ok = 1, lock;

		for (j = i; j < l->n && l->b[j].window == l->b[i].window; j++)
			a.bytes += l->b[j].size;
		a.blocks = j - i;
		if (a.end > cutoff)
			break;
		if (t + 1 < STORE_NTIERS &&
		    (ok = rolled_up(p, t, a.start, eb)) != 1) {
			rc = ok;	/* 0: not rolled yet, keep it */
			continue;
		}
		if (p->o->dry_run) {
			a.dry_run = 1;
			if (archive)
				p->stats->archived++;
			else
				p->stats->removed++;
			p->stats->bytes_freed += a.bytes;
			report(p, &a);
			continue;
		}
		if (archive) {
			const char **names = xcalloc(j - i, sizeof(*names));
			uint64_t bytes;
			for (k = i; k < j; k++)
				names[k - i] = l->b[k].name;
			rc = store_archive_window(p->st, t, a.start,
			    fingerprint(l->b + i, j - i), names, j - i,
			    set->archive, apath, &bytes, eb);
			free(names);
			if (rc == -1)
				break;
			a.path = apath;
			p->stats->archived++;
			p->stats->bytes_archived += bytes;
		} else {
			p->stats->removed++;
		}
		if ((lock = store_lock(p->st, t, 1, eb)) == -1) {
			rc = -1;
			break;
		}
		for (k = i; k < j; k++) {
			char path[PATH_MAX + 256];
			store_path(p->st, path, store_tier_name(t), l->b[k].name);
			unlink(path);
		}
		store_unlock(lock);
		p->stats->bytes_freed += a.bytes;
		report(p, &a);
	}
	/*
	 * A dry run: windows the pass would roll into this tier, and then
	 * expire at once (a backfill rolled through to a coarser tier).
	 */
	for (i = 0; p->o->dry_run && rc == 0 && i < p->ndirty[t]; i++) {
		int64_t w = p->dirty[t][i];
		struct roll_action a = { archive ? ROLL_ARCHIVED : ROLL_REMOVED,
			t, w, w + spans[t], 0, 0, 0, 0, NULL, 1, NULL };
		if (in_window(l, w, &k) > 0 || a.end > cutoff)
			continue;
		if (t + 1 < STORE_NTIERS && (rc = rolled_up(p, t, w, eb)) != 1)
			continue;
		rc = 0;
		if (archive)
			p->stats->archived++;
		else
			p->stats->removed++;
		report(p, &a);
	}
	return rc < 0 ? rc : 0;
}

/* The pass's own metrics, as gauges at 'now', labelled with the host. */
static int
self_metrics(struct pass *p, struct errbuf *eb)
{
	const struct roll_stats *rs = p->stats;
	struct store_writer_opts wo = STORE_WRITER_OPTS_INIT;
	struct store_writer *w;
	char host[HOST_NAME_BUFSZ];
	struct label l[2];
	int t, rc = 0;
	struct {
		const char *name;
		double v;
		int tier;	/* -1: no tier label */
	} m[] = {
		{ "mtk_mroll_duration_seconds", rs->seconds, -1 },
		{ "mtk_mroll_windows_rolled", (double)rs->windows[STORE_TIER_1M], STORE_TIER_1M },
		{ "mtk_mroll_windows_rolled", (double)rs->windows[STORE_TIER_5M], STORE_TIER_5M },
		{ "mtk_mroll_windows_rolled", (double)rs->windows[STORE_TIER_1H], STORE_TIER_1H },
		{ "mtk_mroll_windows_expired", (double)(rs->removed + rs->archived), -1 },
		{ "mtk_mroll_bytes_freed", (double)rs->bytes_freed, -1 },
		{ "mtk_mroll_bytes_archived", (double)rs->bytes_archived, -1 },
		{ "mtk_mroll_last_run_timestamp_seconds", (double)p->o->now / 1000, -1 },
	};
	size_t i;

	wo.fsync = STORE_FSYNC_ALWAYS;
	if ((w = store_writer_open(p->st, &wo, eb)) == NULL)
		return -1;
	host_name(host, sizeof(host));
	for (i = 0; i < sizeof(m) / sizeof(m[0]) && rc == 0; i++) {
		struct sample s = { .name = m[i].name,
			.name_len = strlen(m[i].name), .type = METRIC_GAUGE,
			.has_ts = 1, .value = m[i].v, .ts = p->o->now,
			.labels = l, .nlabels = 1 };
		l[0] = (struct label){ "host", host, 4, (uint32_t)strlen(host) };
		if ((t = m[i].tier) >= 0) {
			const char *tn = store_tier_name((enum store_tier)t);
			l[1] = (struct label){ "tier", tn, 4, (uint32_t)strlen(tn) };
			s.nlabels = 2;
		}
		if (store_writer_add(w, &s, eb) == -1)
			rc = -1;
	}
	if (store_writer_close(w, rc == -1 ? NULL : eb) == -1)
		rc = -1;
	return rc;
}

static double
now_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

int
roll_run(struct store *st, const struct roll_opts *o, struct roll_stats *out,
    struct errbuf *eb)
{
	struct pass p = { st, o, out, o->now - ROLL_GRACE_MS, { { NULL, 0 } },
		ROLLUP_INIT, ROLLUP_INIT, { NULL }, { 0 }, { 0 },
		TOMBSTONES_INIT };
	char path[PATH_MAX];
	double t0 = now_seconds();
	int fd, t, rc = -1;

	memset(out, 0, sizeof(*out));
	out->dry_run = o->dry_run;
	store_path(st, path, ".roll", NULL);
	if ((fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644)) == -1)
		return errbuf_set(eb, "cannot open '%s': %s", path,
		    strerror(errno));
	while (flock(fd, o->wait ? LOCK_EX : LOCK_EX | LOCK_NB) == -1) {
		if (errno == EINTR)
			continue;
		close(fd);
		if (errno == EWOULDBLOCK) {
			errbuf_set(eb, "another mroll is working on '%s'",
			    store_dir(st));
			return 1;
		}
		return errbuf_set(eb, "cannot lock '%s': %s", path,
		    strerror(errno));
	}
	if (!o->dry_run) {
		/* What a pass (or an mtk.conf writer) killed left half written. */
		store_remove_stale_tmp(st, "", NULL);
		store_remove_stale_tmp(st, "tombstones", NULL);
		for (t = STORE_TIER_RAW; t < STORE_NTIERS; t++) {
			store_remove_stale_tmp(st, store_tier_name(t), NULL);
			store_remove_stale_tmp(st, "archive", store_tier_name(t));
		}
		if (store_compact(st, p.horizon, &out->compacted, eb) == -1)
			goto out;
		if (out->compacted) {
			struct roll_action a = { ROLL_COMPACTED,
				STORE_TIER_RAW, 0, 0, 0, 0, out->compacted, 0,
				NULL, 0, NULL };
			report(&p, &a);
		}
	}
	if (tombstones_load(st, &p.tomb, eb) == -1)
		goto out;
	for (t = 0; t < STORE_NTIERS; t++)
		if (tier_list(st, (enum store_tier)t, &p.tiers[t], eb) == -1)
			goto out;
	for (t = STORE_TIER_1M; t < STORE_NTIERS; t++)
		if (roll_tier(&p, (enum store_tier)t, eb) == -1)
			goto out;
	for (t = 0; t < STORE_NTIERS; t++)
		if (expire_tier(&p, (enum store_tier)t, eb) == -1)
			goto out;
	out->seconds = now_seconds() - t0;
	if (o->self_metrics && !o->dry_run && self_metrics(&p, eb) == -1)
		goto out;
	if (!o->dry_run && purge_tombstones(&p, eb) == -1)
		goto out;
	report_damage(&p);
	rc = 0;
out:
	tombstones_release(&p.tomb);
	for (t = 0; t < STORE_NTIERS; t++) {
		tier_list_free(&p.tiers[t]);
		free(p.dirty[t]);
	}
	rollup_release(&p.fresh);
	rollup_release(&p.merged);
	close(fd);
	return rc;
}

static const char *const kind_names[] = {
	"rolled", "removed", "archived", "compacted", "damaged", "deleted"
};

void
roll_action_format(const struct roll_action *a, int json, struct buf *out)
{
	char start[TS_BUFSZ], end[TS_BUFSZ];

	if (a->kind == ROLL_PURGED) {
		ts_format_rfc3339(start, a->start);
		ts_format_rfc3339(end, a->end);
		if (!json) {
			buf_addf(out, "deleted %s %s..%s: from every block\n",
			    a->path, start, end);
			return;
		}
		buf_adds(out, "{\"action\":\"deleted\",\"selector\":");
		jsonl_quote(out, a->path, strlen(a->path));
		buf_addf(out, ",\"start\":\"%s\",\"end\":\"%s\"}\n", start,
		    end);
		return;
	}
	if (a->kind == ROLL_DAMAGED) {
		if (!json) {
			buf_addf(out, "damaged %s: %s\n", a->path, a->reason);
			return;
		}
		buf_adds(out, "{\"action\":\"damaged\",\"path\":");
		jsonl_quote(out, a->path, strlen(a->path));
		buf_adds(out, ",\"reason\":");
		jsonl_quote(out, a->reason, strlen(a->reason));
		buf_adds(out, "}\n");
		return;
	}

	ts_format_rfc3339(start, a->start);
	ts_format_rfc3339(end, a->end);
	if (!json) {
		buf_addf(out, "%s%s %s", a->dry_run ? "would be " : "",
		    kind_names[a->kind], store_tier_name(a->tier));
		if (a->kind != ROLL_COMPACTED)
			buf_addf(out, " %s..%s", start, end);
		if (a->kind == ROLL_ROLLED) {
			if (!a->dry_run)	/* only rolling counts them */
				buf_addf(out, ": %llu series, %llu rows, "
				    "%llu bytes", (unsigned long long)a->series,
				    (unsigned long long)a->rows,
				    (unsigned long long)a->bytes);
		} else
			buf_addf(out, ": %llu blocks, %llu bytes",
			    (unsigned long long)a->blocks,
			    (unsigned long long)a->bytes);
		if (a->path)
			buf_addf(out, " -> %s", a->path);
		buf_addch(out, '\n');
		return;
	}
	buf_addf(out, "{\"action\":\"%s\",\"tier\":\"%s\"",
	    kind_names[a->kind], store_tier_name(a->tier));
	if (a->kind != ROLL_COMPACTED)
		buf_addf(out, ",\"start\":\"%s\",\"end\":\"%s\"", start, end);
	if (a->dry_run)
		buf_adds(out, ",\"dry_run\":true");
	if (a->kind != ROLL_ROLLED)
		buf_addf(out, ",\"blocks\":%llu,\"bytes\":%llu",
		    (unsigned long long)a->blocks, (unsigned long long)a->bytes);
	else if (!a->dry_run)
		buf_addf(out, ",\"series\":%llu,\"rows\":%llu,\"bytes\":%llu",
		    (unsigned long long)a->series, (unsigned long long)a->rows,
		    (unsigned long long)a->bytes);
	if (a->path) {
		buf_adds(out, ",\"path\":");
		jsonl_quote(out, a->path, strlen(a->path));
	}
	buf_adds(out, "}\n");
}

void
roll_stats_format(const struct roll_stats *s, struct buf *out)
{
	int t;

	if (s->dry_run) {
		for (t = STORE_TIER_1M; t < STORE_NTIERS; t++)
			buf_addf(out, "%s: %llu windows would be rolled\n",
			    store_tier_name((enum store_tier)t),
			    (unsigned long long)s->windows[t]);
		buf_addf(out, "expired: %llu windows would be removed, %llu "
		    "archived (%llu bytes freed)\n",
		    (unsigned long long)s->removed,
		    (unsigned long long)s->archived,
		    (unsigned long long)s->bytes_freed);
		buf_addf(out, "took %.3f s\n", s->seconds);
		return;
	}
	for (t = STORE_TIER_1M; t < STORE_NTIERS; t++)
		buf_addf(out, "%s: %llu windows rolled, %llu rows\n",
		    store_tier_name((enum store_tier)t),
		    (unsigned long long)s->windows[t],
		    (unsigned long long)s->rows[t]);
	buf_addf(out, "expired: %llu windows removed, %llu archived "
	    "(%llu bytes freed, %llu bytes of archives)\n",
	    (unsigned long long)s->removed, (unsigned long long)s->archived,
	    (unsigned long long)s->bytes_freed,
	    (unsigned long long)s->bytes_archived);
	if (s->compacted)
		buf_addf(out, "compacted: %llu raw blocks merged away\n",
		    (unsigned long long)s->compacted);
	buf_addf(out, "took %.3f s\n", s->seconds);
}
