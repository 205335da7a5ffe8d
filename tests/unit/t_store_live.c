/* t_store_live.c - a running writer: its log stays short, its windows merge */
/* SPDX-License-Identifier: MIT */
#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/timestamp.h"
#include "store/store.h"
#include "store/store_int.h"
#include "stream/series.h"
#include "tap.h"

static char dir[] = "/tmp/t_store_live.XXXXXX";

/* Files in DIR/sub ending in 'suffix', and their bytes in '*bytes'. */
static int
count_files(const char *sub, const char *suffix, long *bytes)
{
	char path[PATH_MAX];
	struct dirent *de;
	DIR *d;
	int n = 0;

	if (bytes)
		*bytes = 0;
	snprintf(path, sizeof(path), "%s/%s", dir, sub);
	if ((d = opendir(path)) == NULL)
		return -1;
	while ((de = readdir(d)) != NULL) {
		size_t l = strlen(de->d_name), sl = strlen(suffix);
		struct stat sb;
		char f[PATH_MAX + 256];
		if (de->d_name[0] == '.' || l < sl ||
		    strcmp(de->d_name + l - sl, suffix) != 0)
			continue;
		n++;
		snprintf(f, sizeof(f), "%s/%s", path, de->d_name);
		if (bytes && stat(f, &sb) == 0)
			*bytes += (long)sb.st_size;
	}
	closedir(d);
	return n;
}

static int
add(struct store_writer *w, int series, int64_t ts, double v)
{
	struct errbuf eb = ERRBUF_INIT;
	char val[16];
	struct label l = { "i", val, 1, 0 };
	struct sample s = { .name = "x", .name_len = 1, .type = METRIC_GAUGE,
		.has_ts = 1, .value = v, .ts = ts, .labels = &l, .nlabels = 1 };

	l.value_len = (uint32_t)snprintf(val, sizeof(val), "%d", series);
	return store_writer_add(w, &s, &eb);
}

/* Samples of everything in [mint, maxt], counted through a reader. */
static long
count_samples(struct store *st, int64_t mint, int64_t maxt)
{
	struct errbuf eb = ERRBUF_INIT;
	struct store_reader *r = store_reader_open(st, STORE_TIER_RAW, mint,
	    maxt, &eb);
	struct store_iter *it;
	struct store_series ss;
	long n = 0;

	if (r == NULL)
		return -1;
	it = store_select(r, NULL, 0, &eb);
	while (store_iter_next(it, &ss, &eb) == 1)
		n += (long)ss.n;
	store_iter_free(it);
	store_reader_close(r);
	return n;
}

int
main(void)
{
	struct store_writer_opts o = STORE_WRITER_OPTS_INIT;
	struct errbuf eb = ERRBUF_INIT;
	struct store_writer *w;
	struct store *st;
	int64_t now = ts_now(), win = (now / STORE_BLOCK_MS - 3) * STORE_BLOCK_MS;
	long bytes;
	int i, k, blocks;

	if (mkdtemp(dir) == NULL)
		return 1;
	st = store_open(dir, 1, &eb);
	ok(st != NULL, "store created: %s", eb.msg);

	/*
	 * 10 series, a flush every 100 samples: the log never holds more.
	 * The writer's thread merges nothing here: the merges of the open
	 * window are made after each flush, as it would, but in step, so
	 * that the blocks can be counted.
	 */
	o.flush_samples = 100;
	o.flush_age_ms = 0;
	o.merge = 0;
	w = store_writer_open(st, &o, &eb);
	for (k = 0; k < 95; k++) {
		uint64_t before = store_writer_stats(w)->flushes, removed = 0;
		for (i = 0; i < 10; i++)
			add(w, i, win + k * 15000, k);
		store_writer_commit(w, &eb);
		if (store_writer_stats(w)->flushes != before &&
		    store_compact_recent(st, win, &removed, &eb) == -1)
			break;
		if (store_writer_stats(w)->flushes > 0 &&
		    count_files("raw/wal", ".wal", &bytes) == 1 &&
		    bytes > 100 * 20 + 4096)
			break;
	}
	ok(k == 95, "the log stays under 100 samples (%ld bytes at %d)", bytes, k);
	is_int((int)store_writer_stats(w)->flushes, 9, "flushed 9 times");
	/*
	 * Four blocks of a size make one, as in a counter in base 4: after
	 * 9 flushes, blocks of 4, 4 and 1 flushes.
	 */
	blocks = count_files("raw", ".blk", NULL);
	is_int(blocks, 3, "9 flushes left 3 blocks: %d", blocks);
	is_int((int)count_samples(st, win, win + STORE_BLOCK_MS), 950,
	    "every sample readable, from blocks and log");
	{
		uint64_t removed = 0;
		ok(store_compact_recent(st, win, &removed, &eb) == 0 &&
		    removed == 0 && count_files("raw", ".blk", NULL) == 3,
		    "again: nothing to merge");
	}

	/* The window closes: its blocks merge into one (the writer's thread would). */
	for (i = 0; i < 10; i++)
		add(w, i, win + STORE_BLOCK_MS + 11 * 60000, 1);
	ok(store_writer_commit(w, &eb) == 0, "commit past the window: %s", eb.msg);
	ok(store_writer_close(w, &eb) == 0, "closed: %s", eb.msg);
	{
		uint64_t removed = 0;
		ok(store_compact_window(st, win, &removed, &eb) == 0,
		    "the closed window merged: %s", eb.msg);
	}
	blocks = count_files("raw", ".blk", NULL);
	is_int(blocks, 2, "the closed window merged into one block, and the next");
	is_int((int)count_samples(st, win, win + 2 * STORE_BLOCK_MS), 960,
	    "every sample still there");

	store_close(st);
	{
		char cmd[PATH_MAX + 16];
		snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
		if (system(cmd) != 0)
			return 1;
	}
	return done_testing();
}
