/* mstore.c - append a metric stream to a tiered on-disk store */
/* SPDX-License-Identifier: MIT */
#include <err.h>
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/cli.h"
#include "stream/jsonl.h"
#include "store/store.h"
#include "base/timestamp.h"

enum {
	OPT_FSYNC = CLI_LONG, OPT_MAX_SERIES, OPT_RETENTION, OPT_SELF,
	OPT_SINCE, OPT_STRICT, OPT_UNTIL
};

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

static const struct {
	const char *name;
	enum store_fsync mode;
} fsync_modes[] = {
	{ "batch", STORE_FSYNC_BATCH }, { "always", STORE_FSYNC_ALWAYS },
	{ "never", STORE_FSYNC_NEVER },
};

static const char *
fsync_word(size_t i)
{
	return i < NELEM(fsync_modes) ? fsync_modes[i].name : NULL;
}

static const struct cli_option options[] = {
	{ "dir", 'd', "dir", NULL,
	    "the store (default $MTK_STORE, else $XDG_DATA_HOME/mtk/store)" },
	{ "fsync", OPT_FSYNC, "mode", fsync_word,
	    "batch (default: at most once a second), always, never" },
	{ "max-series", OPT_MAX_SERIES, "n", NULL,
	    "refuse new series beyond N (default 1000000, 0: no limit)" },
	{ "retention", OPT_RETENTION, "tier=duration,...", NULL,
	    "with init: raw=24h,1m=7d,5m=30d,1h=365d" },
	{ "self-metrics", OPT_SELF, NULL, NULL,
	    "also store mstore's own mtk_mstore_* metrics" },
	{ "since", OPT_SINCE, "time", NULL,
	    "with export: from this time (as in mtk(7): RFC 3339, -1h, 7d)" },
	{ "strict", OPT_STRICT, NULL, NULL, "stop at the first bad line" },
	{ "until", OPT_UNTIL, "time", NULL,
	    "with export: up to this time, inclusive" },
	{ "quiet", 'q', NULL, NULL, "no message per bad line, only the summary" },
	{ NULL, 0, NULL, NULL, NULL }
};

static const struct cli_command commands[] = {
	{ "init", "dir retention", NULL },
	{ "stats", "dir", NULL },
	{ "check", "dir", NULL },
	{ "compact", "dir", NULL },
	{ "export", "dir since until", NULL },
	{ "import", "quiet dir", NULL },
	{ NULL, NULL, NULL }
};

static const struct cli_program program = {
	options,
	{ NULL, "quiet strict dir fsync max-series self-metrics", "[file ...]" },
	commands
};

static volatile sig_atomic_t stop;

static void
on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

struct counts {
	uint64_t bad, rejected;
	int failed;	/* an input could not be opened */
};

/*
 * Wait until the reader has a line or the input ends; while waiting,
 * sync the WAL once a second is up.  Returns 0, or -1 when a signal
 * asks to stop.
 */
static int
wait_input(struct jsonl_reader *r, struct store_writer *w, struct errbuf *eb)
{
	struct pollfd p;

	if (jsonl_reader_ready(r))
		return 0;
	p = (struct pollfd){ jsonl_reader_fd(r), POLLIN, 0 };
	if (store_writer_commit(w, eb) == -1)
		errx(CLI_EXIT_FAIL, "%s", eb->msg);
	while (!stop) {
		int64_t due = store_writer_due(w);
		int timeout = store_writer_unsynced(w) ? 1000 : -1, n;
		if (due >= 0 && (timeout == -1 || due < timeout))
			timeout = (int)due;
		if ((n = poll(&p, 1, timeout)) > 0)
			return 0;
		if (n == 0 && (store_writer_commit(w, eb) == -1 ||
		    (store_writer_unsynced(w) && store_writer_sync(w, eb) == -1)))
			errx(CLI_EXIT_FAIL, "%s", eb->msg);
		if (n == -1 && errno != EINTR)
			err(CLI_EXIT_FAIL, "poll");
	}
	return -1;
}

static int
ingest(struct store_writer *w, const char *path, int strict, int quiet,
    struct counts *c)
{
	struct errbuf eb = ERRBUF_INIT;
	struct jsonl_reader *r;
	struct sample s;
	int rc;

	if ((r = jsonl_reader_open(path, 0, &eb)) == NULL) {
		warnx("%s", eb.msg);
		c->failed = 1;
		return strict ? -1 : 0;
	}
	while (wait_input(r, w, &eb) == 0 && (rc = jsonl_next(r, &s, &eb)) != 0) {
		if (rc == 1)
			rc = store_writer_add(w, &s, &eb);
		else
			rc = jsonl_reader_failed(r) ? -1 : 2;
		if (rc == 0)
			continue;
		if (rc == -1)
			errx(CLI_EXIT_FAIL, "%s", eb.msg);
		if (rc == 1) {
			c->rejected++;
			errbuf_prefix(&eb, "%s:%" PRIu64, jsonl_reader_name(r),
			    jsonl_reader_lineno(r));
		} else {
			c->bad++;
			store_writer_count_bad(w);
		}
		if (!quiet || strict)
			warnx("%s", eb.msg);
		if (strict)
			break;
	}
	jsonl_reader_free(r);
	return 0;
}

/* "s" unless 'n' is one: "1 block", "2 blocks". */
static const char *
plural(uint64_t n)
{
	return n == 1 ? "" : "s";
}

static int
run_stats(struct store *st)
{
	struct errbuf eb = ERRBUF_INIT;
	struct store_tier_stats t;
	char a[TS_BUFSZ], b[TS_BUFSZ];
	int i;

	printf("%-4s %7s %9s %12s %12s %8s  %s\n", "tier", "blocks", "series",
	    "samples", "bytes", "B/sample", "range");
	for (i = 0; i < STORE_NTIERS; i++) {
		if (store_tier_stats(st, (enum store_tier)i, &t, &eb) == -1) {
			warnx("%s", eb.msg);
			return CLI_EXIT_FAIL;
		}
		a[0] = b[0] = '\0';
		if (t.blocks) {
			ts_format_rfc3339(a, t.mint);
			ts_format_rfc3339(b, t.maxt);
		}
		printf("%-4s %7" PRIu64 " %9" PRIu64 " %12" PRIu64 " %12" PRIu64
		    " %8.3f  %s%s%s\n", store_tier_name((enum store_tier)i),
		    t.blocks, t.series, t.samples + t.wal_samples,
		    t.block_bytes + t.wal_bytes, t.samples ?
		    (double)t.block_bytes / (double)t.samples : 0.0, a,
		    t.blocks ? " .. " : "", b);
		if (t.wal_files)
			printf("     (%" PRIu64 " sample%s in %" PRIu64 " WAL "
			    "file%s, %" PRIu64 " byte%s, not yet in blocks)\n",
			    t.wal_samples, plural(t.wal_samples), t.wal_files,
			    plural(t.wal_files), t.wal_bytes, plural(t.wal_bytes));
	}
	return CLI_EXIT_OK;
}

/* Merge the blocks of windows closed ten minutes ago or more. */
static int
run_compact(struct store *st)
{
	struct errbuf eb = ERRBUF_INIT;
	uint64_t removed;

	if (store_compact(st, ts_now() - 10 * 60000, &removed, &eb) == -1) {
		warnx("%s", eb.msg);
		return CLI_EXIT_FAIL;
	}
	printf("%" PRIu64 " block%s merged away\n", removed, plural(removed));
	return CLI_EXIT_OK;
}

static int
run_check(struct store *st)
{
	struct errbuf eb = ERRBUF_INIT;
	struct store_check_stats c;

	if (store_check(st, &c, &eb) == -1) {
		warnx("%s", eb.msg);
		return CLI_EXIT_FAIL;
	}
	printf("%" PRIu64 " block%s, %" PRIu64 " sample%s: ok\n", c.blocks,
	    plural(c.blocks), c.samples, plural(c.samples));
	printf("%" PRIu64 " WAL file%s, %" PRIu64 " record%s: ok", c.wal_files,
	    plural(c.wal_files), c.wal_records, plural(c.wal_records));
	if (c.wal_torn_bytes)
		printf(" (%" PRIu64 " byte%s of torn records at the end, cut "
		    "by the next writer)", c.wal_torn_bytes,
		    plural(c.wal_torn_bytes));
	printf("\n");
	return CLI_EXIT_OK;
}

/* The store's subcommands other than init. */
static int
run_command(const char *cmd, const char *dir, int64_t since, int64_t until,
    int quiet)
{
	struct errbuf eb = ERRBUF_INIT;
	struct store_import_stats is;
	struct store *st;
	int rc;

	if (strcmp(cmd, "import") == 0) {
		if (store_import(dir, 0, &is, &eb) == -1)
			errx(CLI_EXIT_FAIL, "%s", eb.msg);
		if (!quiet)
			warnx("imported %" PRIu64 " block%s, %" PRIu64 " byte%s",
			    is.blocks, plural(is.blocks), is.bytes,
			    plural(is.bytes));
		return CLI_EXIT_OK;
	}
	if (strcmp(cmd, "export") == 0 && isatty(1))
		errx(CLI_EXIT_FAIL, "not writing an archive to a terminal");
	if ((st = store_open(dir, 0, &eb)) == NULL)
		errx(CLI_EXIT_FAIL, "%s", eb.msg);
	if (store_settings(st)->unknown)
		warnx("%s", store_settings(st)->unknown);
	if (strcmp(cmd, "stats") == 0)
		rc = run_stats(st);
	else if (strcmp(cmd, "check") == 0)
		rc = run_check(st);
	else if (strcmp(cmd, "compact") == 0)
		rc = run_compact(st);
	else if ((rc = store_export(st, since, until, 1, &eb)) == -1)
		warnx("%s", eb.msg);
	store_close(st);
	return rc == -1 ? CLI_EXIT_FAIL : rc;
}

int
main(int argc, char *argv[])
{
	struct store_writer_opts o = STORE_WRITER_OPTS_INIT;
	struct errbuf eb = ERRBUF_INIT;
	struct counts c = { 0, 0, 0 };
	struct store_writer *w;
	struct store *st;
	struct cli cli;
	const char *cmd, *dir = NULL, *retention = NULL;
	char *path;
	int64_t since = TS_MIN, until = TS_MAX;
	int64_t ret[STORE_NTIERS] = STORE_RETENTION_DEFAULTS;
	int key, strict = 0, quiet = 0, rc = CLI_EXIT_OK, i;

	cli_start(&cli, &program, argc, argv);
	while ((key = cli_next(&cli)) != -1) {
		switch (key) {
		case 'd': dir = cli.arg; break;
		case OPT_FSYNC:
			for (i = 0; fsync_word((size_t)i); i++)
				if (strcmp(cli.arg, fsync_word((size_t)i)) == 0)
					break;
			if (fsync_word((size_t)i) == NULL)
				cli_bad_value(&cli, key, "fsync mode", cli.arg);
			o.fsync = fsync_modes[i].mode;
			break;
		case OPT_MAX_SERIES: o.max_series = cli_count(&cli, key, cli.arg); break;
		case OPT_RETENTION:
			if (store_parse_retention(cli.arg, ret, &eb) == -1)
				cli_usage_error(&cli, "%s", eb.msg);
			retention = cli.arg;
			break;
		case OPT_SELF: o.self_metrics_ms = STORE_SELF_METRICS_MS; break;
		case OPT_SINCE: since = cli_time(&cli, key, cli.arg, ts_now()); break;
		case OPT_STRICT: strict = 1; break;
		case OPT_UNTIL: until = cli_time(&cli, key, cli.arg, ts_now()); break;
		case 'q': quiet = 1; break;
		}
	}
	cmd = cli_operands(&cli, &argc, &argv);
	if (since > until)
		cli_usage_error(&cli, "--since is after --until");
	path = cli_store_dir(dir);
	if (cmd && strcmp(cmd, "init") == 0) {
		if (store_init(path, retention, &eb) == -1)
			errx(CLI_EXIT_FAIL, "%s", eb.msg);
		free(path);
		return cli_finish(CLI_EXIT_OK);
	}
	if (cmd) {
		rc = run_command(cmd, path, since, until, quiet);
		free(path);
		return cli_finish(rc);
	}
	st = store_open(path, 1, &eb);
	free(path);
	if (st == NULL)
		errx(CLI_EXIT_FAIL, "%s", eb.msg);
	if (store_settings(st)->unknown)
		warnx("%s", store_settings(st)->unknown);
	cli_catch_stop(on_signal, NULL);
	if ((w = store_writer_open(st, &o, &eb)) == NULL)
		errx(CLI_EXIT_FAIL, "%s", eb.msg);
	for (i = 0; i < (argc ? argc : 1) && !stop; i++)
		if (ingest(w, argc ? argv[i] : "-", strict, quiet, &c) == -1 ||
		    (strict && c.bad + c.rejected > 0))
			break;
	if (store_writer_close(w, &eb) == -1)
		errx(CLI_EXIT_FAIL, "%s", eb.msg);
	store_close(st);
	if (c.bad + c.rejected > 0)
		warnx("%" PRIu64 " bad line%s, %" PRIu64 " sample%s rejected",
		    c.bad, plural(c.bad), c.rejected, plural(c.rejected));
	if (c.bad + c.rejected > 0 || c.failed)
		rc = CLI_EXIT_FAIL;
	return cli_finish(rc);
}
