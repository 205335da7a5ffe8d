/* t_store.c - the store API: write, read back, merge, recover */
/* SPDX-License-Identifier: MIT */
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/buf.h"
#include "stream/jsonl.h"
#include "stream/series.h"
#include "store/block.h"
#include "store/store.h"
#include "tap.h"
#include "base/timestamp.h"

static char dir[] = "/tmp/t_store.XXXXXX";
static int64_t base;

static int
add(struct store_writer *w, const char *name, const char *host, int64_t ts,
    double v)
{
	struct errbuf eb = ERRBUF_INIT;
	struct label l = { "host", host, 4, (uint32_t)strlen(host) };
	struct sample s = { .name = name, .name_len = strlen(name),
		.type = METRIC_GAUGE, .has_ts = 1, .value = v, .ts = ts,
		.labels = &l, .nlabels = 1 };

	return store_writer_add(w, &s, &eb);
}

/* Everything in the store as canonical lines, sorted by series and time. */
static char *
dump(struct store *st)
{
	struct errbuf eb = ERRBUF_INIT;
	struct store_reader *r = store_reader_open(st, STORE_TIER_RAW,
	    INT64_MIN, INT64_MAX, &eb);
	struct store_iter *it;
	struct store_series ss;
	struct buf out = BUF_INIT;
	struct label labels[METRIC_LABELS_MAX];
	size_t i;
	int rc;

	if (r == NULL)
		return strdup(eb.msg);
	it = store_select(r, NULL, 0, &eb);
	while ((rc = store_iter_next(it, &ss, &eb)) != 0) {
		if (rc == -1) {
			buf_adds(&out, eb.msg);
			break;
		}
		struct sample s = { .type = ss.type, .has_ts = 1 };
		series_key_decode(ss.key, ss.keylen, &s, labels);
		for (i = 0; i < ss.n; i++) {
			s.ts = ss.ts[i] - base;
			s.value = ss.v[i];
			jsonl_format(&out, &s);
		}
	}
	store_iter_free(it);
	store_reader_close(r);
	buf_addch(&out, '\0');
	return out.p;
}

static int
count_files(const char *sub, const char *suffix)
{
	char cmd[PATH_MAX + 64];
	FILE *p;
	int n = -1;

	snprintf(cmd, sizeof(cmd), "ls %s/%s | grep -c '%s$'", dir, sub, suffix);
	if ((p = popen(cmd, "r")) != NULL) {
		if (fscanf(p, "%d", &n) != 1)
			n = -1;
		pclose(p);
	}
	return n;
}

int
main(void)
{
	struct store_writer_opts o = STORE_WRITER_OPTS_INIT;
	struct errbuf eb = ERRBUF_INIT;
	struct store *st;
	struct store_writer *w;
	char *d;
	pid_t pid;
	int status;

	base = (ts_now() / STORE_BLOCK_MS - 2) * STORE_BLOCK_MS;
	if (mkdtemp(dir) == NULL)
		return 1;
	st = store_open(dir, 1, &eb);
	ok(st != NULL, "store created: %s", eb.msg);

	/* In order, out of order, a duplicate (last wins), two windows. */
	w = store_writer_open(st, &o, &eb);
	ok(w != NULL, "writer opened");
	add(w, "m", "b", base + 2000, 2);
	add(w, "m", "a", base + 1000, 1);
	add(w, "m", "a", base + 3000, 3);
	add(w, "m", "a", base + 2000, 2);
	add(w, "m", "a", base + 3000, 33);	/* same time again: wins */
	add(w, "m", "a", base + STORE_BLOCK_MS + 5, 5);
	ok(store_writer_commit(w, &eb) == 0, "commit");
	d = dump(st);
	is_str(d,
	    "{\"name\":\"m\",\"type\":\"gauge\",\"value\":1,\"ts\":1000,\"labels\":{\"host\":\"a\"}}\n"
	    "{\"name\":\"m\",\"type\":\"gauge\",\"value\":2,\"ts\":2000,\"labels\":{\"host\":\"a\"}}\n"
	    "{\"name\":\"m\",\"type\":\"gauge\",\"value\":33,\"ts\":3000,\"labels\":{\"host\":\"a\"}}\n"
	    "{\"name\":\"m\",\"type\":\"gauge\",\"value\":5,\"ts\":7200005,\"labels\":{\"host\":\"a\"}}\n"
	    "{\"name\":\"m\",\"type\":\"gauge\",\"value\":2,\"ts\":2000,\"labels\":{\"host\":\"b\"}}\n",
	    "committed samples are visible from the WAL, merged and sorted");
	free(d);
	ok(store_writer_close(w, &eb) == 0, "writer closed: %s", eb.msg);
	is_int(count_files("raw/wal", ".wal"), 0, "no WAL left after close");
	is_int(count_files("raw", ".blk"), 2, "one block per window");
	d = dump(st);
	ok(strstr(d, "\"value\":33,\"ts\":3000") && !strstr(d, "\"value\":3,"),
	    "same after sealing into blocks");
	free(d);

	/* A later writer overwrites a sealed sample: the newer block wins. */
	w = store_writer_open(st, &o, &eb);
	add(w, "m", "a", base + 1000, 100);
	ok(store_writer_close(w, &eb) == 0, "second writer closed");
	d = dump(st);
	ok(strstr(d, "\"value\":100,\"ts\":1000") && !strstr(d, "\"value\":1,"),
	    "last write wins across blocks");
	free(d);

	/* Old samples and too many series are refused. */
	o.max_series = 2;
	w = store_writer_open(st, &o, &eb);
	is_int(add(w, "m", "a", ts_now() - 25 * 3600000LL, 1), 1,
	    "sample older than the retention refused");
	is_int(add(w, "m", "a", base, 1), 0, "first series accepted");
	is_int(add(w, "m", "c", base, 1), 0, "second series accepted");
	is_int(add(w, "m", "d", base, 1), 1, "third series refused");
	is_int(add(w, "m", "c", base + 1, 1), 0, "known series still accepted");
	is_int(store_writer_stats(w)->rejected_series, 1, "counted");
	store_writer_close(w, &eb);
	o.max_series = 0;

	/*
	 * Series mostly come in the order of the pass before, which the
	 * writer tries first: one that changes, and a new series between,
	 * still put each sample in its own series.
	 */
	{
		static const char *const pass[4][4] = {
			{ "x", "y", "z" }, { "x", "z", "y" },
			{ "x", "w", "y", "z" }, { "x", "y", "z" },
		};
		struct buf want = BUF_INIT, got = BUF_INIT;
		const char *l, *nl;
		int p, k, rc = 0;

		w = store_writer_open(st, &o, &eb);
		for (p = 0; p < 4; p++)
			for (k = 0; k < 4 && pass[p][k]; k++)
				rc |= add(w, "o", pass[p][k], base + 100 * (p + 1),
				    10 * (p + 1) + (pass[p][k][0] == 'w' ? 4 :
				    pass[p][k][0] - 'x' + 1));
		ok(rc == 0 && store_writer_close(w, &eb) == 0,
		    "passes in changing orders written");
		buf_adds(&want, "{\"name\":\"o\",\"type\":\"gauge\",\"value\":34,"
		    "\"ts\":300,\"labels\":{\"host\":\"w\"}}\n");
		for (k = 0; k < 3; k++)
			for (p = 0; p < 4; p++)
				buf_addf(&want, "{\"name\":\"o\",\"type\":\"gauge\","
				    "\"value\":%d,\"ts\":%d,\"labels\":{\"host\":"
				    "\"%c\"}}\n", 10 * (p + 1) + k + 1, 100 * (p + 1),
				    'x' + k);
		d = dump(st);
		for (l = d; (nl = strchr(l, '\n')) != NULL; l = nl + 1)
			if (strncmp(l, "{\"name\":\"o\",", 12) == 0)
				buf_add(&got, l, (size_t)(nl - l + 1));
		buf_addch(&got, '\0');
		buf_addch(&want, '\0');
		is_str(got.p, want.p, "each sample in its own series");
		free(d);
		buf_release(&want);
		buf_release(&got);
	}

	/* A writer that dies leaves its WAL; the next one recovers it. */
	pid = fork();
	if (pid == 0) {
		struct store_writer *cw = store_writer_open(st, &o, &eb);
		add(cw, "crash", "x", base + 10, 10);
		add(cw, "crash", "x", base + 20, 20);
		store_writer_commit(cw, &eb);
		_exit(0);	/* no close: as if killed */
	}
	waitpid(pid, &status, 0);
	is_int(count_files("raw/wal", ".wal"), 1, "dead writer's WAL left");
	d = dump(st);
	ok(strstr(d, "\"crash\"") != NULL, "readers see a dead writer's WAL");
	free(d);
	{
		/* And a torn record at its end is ignored. */
		char cmd[PATH_MAX + 64];
		snprintf(cmd, sizeof(cmd), "for f in %s/raw/wal/*.wal; do "
		    "printf '\\377\\377\\0\\0garbage' >> $f; done", dir);
		ok(system(cmd) == 0, "torn tail appended");
	}
	w = store_writer_open(st, &o, &eb);
	if (!ok(w != NULL, "next writer opens: %s", eb.msg))
		return done_testing();
	is_int(store_writer_stats(w)->recovered, 2, "two samples recovered");
	store_writer_close(w, &eb);
	is_int(count_files("raw/wal", ".wal"), 0, "recovered WAL removed");
	d = dump(st);
	ok(strstr(d, "\"name\":\"crash\",\"type\":\"gauge\",\"value\":20") != NULL,
	    "recovered samples are in blocks");
	free(d);

	/*
	 * A damaged block is passed over and noted by path, not a crash and
	 * not the end of the reading.
	 */
	{
		char cmd[PATH_MAX + 128];
		is_int((int)store_damage_count(st), 0, "no damage noted yet");
		snprintf(cmd, sizeof(cmd), "f=$(ls %s/raw/*.blk | head -1); "
		    "printf 'XXXX' | dd of=$f bs=1 seek=40 conv=notrunc 2>/dev/null",
		    dir);
		ok(system(cmd) == 0, "block corrupted");
		d = dump(st);
		free(d);
		is_int((int)store_damage_count(st), 1, "the damaged block noted");
		ok(store_damage_count(st) == 1 &&
		    strstr(store_damage(st, 0), "/raw/") != NULL &&
		    strstr(store_damage(st, 0), "not a valid block") != NULL,
		    "named by path: %s", store_damage_count(st) ?
		    store_damage(st, 0) : "");
		d = dump(st);
		free(d);
		is_int((int)store_damage_count(st), 1, "noted once per file");
	}

	/*
	 * A store that keeps decompressed frames between readers
	 * (store_use_cache()) reads what one that does not reads; what
	 * it kept is read again from memory, by it or by another handle
	 * of the same cache, as a frame spoiled on disk since shows,
	 * unless the bound let nothing stay.
	 */
	{
		struct block_cache *bc = block_cache_new(1 << 20),
		    *tc = block_cache_new(1);
		struct store *big = store_open(dir, 0, &eb),
		    *tiny = store_open(dir, 0, &eb),
		    *other = store_open(dir, 0, &eb);
		char cmd[PATH_MAX + 128], *want = dump(st);

		store_use_cache(big, bc);
		store_use_cache(other, bc);
		store_use_cache(tiny, tc);
		d = dump(big);
		is_str(d, want, "a caching store reads the same");
		free(d);
		d = dump(tiny);
		is_str(d, want, "and within a bound of one byte");
		free(d);
		snprintf(cmd, sizeof(cmd), "f=$(ls %s/raw/*.blk | tail -1); "
		    "printf 'XXXX' | dd of=$f bs=1 seek=60 conv=notrunc 2>/dev/null",
		    dir);
		ok(system(cmd) == 0, "a frame spoiled");
		d = dump(big);
		is_str(d, want, "what was kept is read from memory");
		free(d);
		is_int((int)store_damage_count(big), 1,
		    "the frame not read again");
		d = dump(other);
		is_str(d, want, "by another handle of the cache too");
		free(d);
		d = dump(tiny);
		ok(strcmp(d, want) != 0, "nothing kept past the bound");
		free(d);
		is_int((int)store_damage_count(tiny), 2,
		    "the spoiled frame noted");
		free(want);
		store_close(big);
		store_close(other);
		store_close(tiny);
		block_cache_free(bc);
		block_cache_free(tc);
	}
	store_close(st);
	{
		char cmd[PATH_MAX + 16];
		snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
		if (system(cmd) != 0)
			return 1;
	}
	return done_testing();
}
