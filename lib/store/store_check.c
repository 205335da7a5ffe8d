/* store_check.c - finding every damaged file of a store, and moving it aside */
/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/xalloc.h"
#include "store/block.h"
#include "store/roll.h"
#include "store/store_int.h"
#include "store/wal.h"

/*
 * Every file is read whole and checked: a damaged one is reported and
 * the check goes on, so that one run names them all.  Only a failure to
 * list or read the store itself stops it.
 */

/* The window of tier 't' a block or archive named 'name' covers. */
static void
window_of(enum store_tier t, const char *name, int kind, int64_t *lo,
    int64_t *hi)
{
	int64_t first = strtoll(name, NULL, 10), span = roll_span(t), w;

	if (kind == STORE_FILE_ARCHIVE || t == STORE_TIER_RAW)
		w = kind == STORE_FILE_ARCHIVE ? first : store_window_start(first);
	else {
		w = first - 1;
		w = w / span * span - (w < 0 && w % span ? span : 0);
	}
	*lo = w;
	*hi = w + span;
}

static int
report(store_check_fn fn, void *arg, struct store_check_stats *out,
    const char *path, const char *rel, int kind, enum store_tier t,
    int64_t lo, int64_t hi, int live, const char *reason, struct errbuf *eb)
{
	struct store_damaged d = { path, rel, kind, t, lo, hi, live, reason };

	out->damaged++;
	return fn ? fn(arg, &d, eb) : 0;
}

static int
check_blocks(struct store *st, enum store_tier t, store_check_fn fn,
    void *arg, struct store_check_stats *out, struct errbuf *eb)
{
	char dir[PATH_MAX], path[PATH_MAX + 256], rel[300];
	char **names;
	size_t n, i, j;
	int rc = 0;

	store_path(st, dir, store_tier_name(t), NULL);
	if (store_list(dir, ".blk", &names, &n, eb) == -1)
		return -1;
	for (i = 0; i < n && rc == 0; i++) {
		struct errbuf e2 = ERRBUF_INIT;
		struct block *b;
		int64_t lo, hi;

		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		snprintf(rel, sizeof(rel), "%s/%s", store_tier_name(t), names[i]);
		window_of(t, names[i], STORE_FILE_BLOCK, &lo, &hi);
		if ((b = block_open(path, &e2)) == NULL) {
			if (errno == ENOENT)
				continue;	/* merged or rolled meanwhile */
			rc = report(fn, arg, out, path, rel, STORE_FILE_BLOCK, t,
			    lo, hi, 0, e2.msg, eb);
			continue;
		}
		if (block_verify(b, &e2) == -1) {
			rc = report(fn, arg, out, path, rel, STORE_FILE_BLOCK, t,
			    lo, hi, 0, e2.msg, eb);
		} else {
			for (j = 0; j < block_nseries(b); j++)
				out->samples += block_series(b, j, NULL)->n;
			out->blocks++;
		}
		block_close(b);
	}
	store_list_free(names, n);
	return rc;
}

static int64_t
noop_series(void *ctx, uint64_t ref, enum metric_type type, const char *key,
    size_t keylen, const char *unit, size_t unit_len, const char *help,
    size_t help_len)
{
	(void)ctx; (void)ref; (void)type; (void)key; (void)keylen;
	(void)unit; (void)unit_len; (void)help; (void)help_len;
	return 0;
}

static int
noop_sample(void *ctx, uint32_t id, int64_t ts, double v)
{
	(void)ctx; (void)id; (void)ts; (void)v;
	return 0;
}

static int
check_wals(struct store *st, store_check_fn fn, void *arg,
    struct store_check_stats *out, struct errbuf *eb)
{
	struct wal_visitor nothing = { noop_series, noop_sample, NULL, 0 };
	char dir[PATH_MAX], path[PATH_MAX + 256], rel[300];
	char **names;
	size_t n, i;
	int rc = 0;

	store_path(st, dir, "raw", "wal");
	if (store_list(dir, "", &names, &n, eb) == -1)
		return -1;
	for (i = 0; i < n && rc == 0; i++) {
		struct errbuf e2 = ERRBUF_INIT;
		struct wal_read_stats ws;
		size_t len = strlen(names[i]);
		int corrupt = len > 12 && strcmp(names[i] + len - 12,
		    ".wal.corrupt") == 0;
		int live;

		if (!corrupt && (len < 5 || strcmp(names[i] + len - 4, ".wal") != 0))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		snprintf(rel, sizeof(rel), "raw/wal/%s", names[i]);
		if (corrupt) {
			rc = report(fn, arg, out, path, rel, STORE_FILE_WAL,
			    STORE_TIER_RAW, INT64_MIN, INT64_MAX, 0,
			    "set aside by a writer: its good samples were sealed "
			    "into blocks", eb);
			continue;
		}
		if (wal_read(path, &nothing, &ws, &e2) == -1) {
			if (errno == ENOENT)
				continue;
			live = wal_is_live(path, NULL) == 1;
			rc = report(fn, arg, out, path, rel, STORE_FILE_WAL,
			    STORE_TIER_RAW, INT64_MIN, INT64_MAX, live, e2.msg, eb);
			continue;
		}
		out->wal_files++;
		out->wal_records += ws.records;
		out->wal_torn_bytes += ws.file_bytes - ws.valid_bytes;
	}
	store_list_free(names, n);
	return rc;
}

static int
check_archives(struct store *st, enum store_tier t, store_check_fn fn,
    void *arg, struct store_check_stats *out, struct errbuf *eb)
{
	char dir[PATH_MAX], path[PATH_MAX + 256], rel[300];
	char **names;
	size_t n, i;
	int rc = 0;

	store_path(st, dir, "archive", store_tier_name(t));
	if (store_list(dir, "", &names, &n, eb) == -1)
		return -1;
	for (i = 0; i < n && rc == 0; i++) {
		struct errbuf e2 = ERRBUF_INIT;
		uint64_t blocks;
		int64_t lo, hi;

		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		snprintf(rel, sizeof(rel), "archive/%s/%s", store_tier_name(t),
		    names[i]);
		if (store_archive_check(path, t, &blocks, &e2) == -1) {
			window_of(t, names[i], STORE_FILE_ARCHIVE, &lo, &hi);
			rc = report(fn, arg, out, path, rel, STORE_FILE_ARCHIVE, t,
			    lo, hi, 0, e2.msg, eb);
			continue;
		}
		out->archives++;
		out->archive_blocks += blocks;
	}
	store_list_free(names, n);
	return rc;
}

int
store_check(struct store *st, store_check_fn fn, void *arg,
    struct store_check_stats *out, struct errbuf *eb)
{
	int t;

	memset(out, 0, sizeof(*out));
	for (t = 0; t < STORE_NTIERS; t++)
		if (check_blocks(st, (enum store_tier)t, fn, arg, out, eb) == -1)
			return -1;
	if (check_wals(st, fn, arg, out, eb) == -1)
		return -1;
	for (t = 0; t < STORE_NTIERS; t++)
		if (check_archives(st, (enum store_tier)t, fn, arg, out, eb) == -1)
			return -1;
	return 0;
}

/* mkdir -p of 'rel''s directories under DIR/damaged. */
static int
make_parents(const struct store *st, const char *rel, struct errbuf *eb)
{
	char path[PATH_MAX];
	const char *p;

	store_path(st, path, "damaged", NULL);
	if (mkdir(path, 0755) == -1 && errno != EEXIST)
		return errbuf_set(eb, "cannot create '%s': %s", path,
		    strerror(errno));
	for (p = strchr(rel, '/'); p; p = strchr(p + 1, '/')) {
		char sub[PATH_MAX];
		snprintf(sub, sizeof(sub), "%.*s", (int)(p - rel), rel);
		store_path(st, path, "damaged", sub);
		if (mkdir(path, 0755) == -1 && errno != EEXIST)
			return errbuf_set(eb, "cannot create '%s': %s", path,
			    strerror(errno));
	}
	return 0;
}

int
store_repair(struct store *st, const struct store_damaged *d, char *to,
    struct errbuf *eb)
{
	int lock, rc;

	if (d->live)
		return errbuf_set(eb, "'%s' is in use by a running writer: "
		    "stop it first", d->path);
	if (make_parents(st, d->rel, eb) == -1)
		return -1;
	store_path(st, to, "damaged", d->rel);
	/* Never replace what an earlier repair moved there. */
	if (access(to, F_OK) == 0) {
		size_t len = strlen(to);
		snprintf(to + len, PATH_MAX - len, ".%lld", (long long)getpid());
	}
	/* Readers see the file or not, never half: take the lock. */
	if ((lock = store_lock(st, d->tier, 1, eb)) == -1)
		return -1;
	rc = rename(d->path, to);
	store_unlock(lock);
	if (rc == -1)
		return errbuf_set(eb, "cannot move '%s' to '%s': %s", d->path, to,
		    strerror(errno));
	return 0;
}
