/* mstore.c - append a metric stream to a tiered on-disk store */
/* SPDX-License-Identifier: MIT */
#include <err.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/cli.h"
#include "promql/promql_parse.h"
#include "stream/ingest.h"
#include "store/store.h"
#include "base/timestamp.h"

enum {
	OPT_FSYNC = CLI_LONG, OPT_MAX_SERIES, OPT_RETENTION, OPT_SELF,
	OPT_SINCE, OPT_STRICT, OPT_UNTIL, OPT_BACKFILL, OPT_END,
	OPT_FLUSH, OPT_MAX_FUTURE, OPT_REPAIR, OPT_START
};

static const struct cli_option options[] = {
	{ "dir", 'd', "dir", NULL,
	    "the store (default $MTK_STORE, else $XDG_DATA_HOME/mtk/store)" },
	{ "fsync", OPT_FSYNC, "mode", store_fsync_name,
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
	{ "backfill", OPT_BACKFILL, NULL, NULL,
	    "take samples older than the raw retention that a rolled tier keeps" },
	{ "max-future", OPT_MAX_FUTURE, "duration", NULL,
	    "refuse samples further ahead of the clock (default 2d)" },
	{ "flush", OPT_FLUSH, "n", NULL,
	    "write the log into blocks once it holds N samples\n"
	    "(default: 500000, or 4 per series if more)" },
	{ "repair", OPT_REPAIR, NULL, NULL,
	    "with check: move damaged files to DIR/damaged/" },
	{ "start", OPT_START, "time", NULL,
	    "with delete: from this time (default: the beginning)" },
	{ "end", OPT_END, "time", NULL,
	    "with delete: up to this time, inclusive (default: now)" },
	{ NULL, 0, NULL, NULL, NULL }
};

static const struct cli_command commands[] = {
	{ "init", "dir retention", NULL },
	{ "stats", "dir", NULL },
	{ "check", "dir repair", NULL },
	{ "compact", "dir", NULL },
	{ "delete", "dir start end", "selector" },
	{ "export", "dir since until", NULL },
	{ "import", "quiet dir", NULL },
	{ NULL, NULL, NULL }
};

static const struct cli_program program = {
	options,
	{ NULL, "quiet strict backfill dir flush fsync max-future max-series "
	    "self-metrics", "[file ...]" },
	commands,
	0
};

static volatile sig_atomic_t stop;

static void
on_signal(int sig)
{
	(void)sig;
	stop = 1;
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
		/* The row is the blocks'; a log's samples have a line below. */
		printf("%-4s %7" PRIu64 " %9" PRIu64 " %12" PRIu64 " %12" PRIu64
		    " %8.3f  %s%s%s\n", store_tier_name((enum store_tier)i),
		    t.blocks, t.series, t.samples, t.block_bytes, t.samples ?
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

/* 'reason' without the "'path'" it starts with, when it does. */
static const char *
unpathed(const char *reason, const char *path)
{
	size_t n = strlen(path);

	if (reason[0] == '\'' && strncmp(reason + 1, path, n) == 0 &&
	    reason[n + 1] == '\'') {
		reason += n + 2;
		if (*reason == ':')
			reason++;
		while (*reason == ' ')
			reason++;
	}
	return reason;
}

/* Print one damaged file: what it is, the time it covers, what is wrong. */
static int
report_damaged(void *arg, const struct store_damaged *d, struct errbuf *eb)
{
	struct store *st = arg;
	char a[TS_BUFSZ], b[TS_BUFSZ], to[PATH_MAX];

	if (d->kind == STORE_FILE_WAL) {
		printf("damaged: %s (%s): %s\n", d->rel, d->live ?
		    "the log of a running writer" : "a write-ahead log",
		    unpathed(d->reason, d->path));
	} else {
		ts_format_rfc3339(a, d->mint);
		ts_format_rfc3339(b, d->maxt);
		printf("damaged: %s (%s%s, %s .. %s): %s\n", d->rel,
		    d->kind == STORE_FILE_ARCHIVE ? "archive of " : "",
		    store_tier_name(d->tier), a, b,
		    unpathed(d->reason, d->path));
	}
	if (st == NULL)
		return 0;
	/* --repair: moved aside, never deleted; a refusal is said, not fatal. */
	if (store_repair(st, d, to, eb) == -1)
		printf("not moved: %s\n", eb->msg);
	else
		printf("moved: %s to %s\n", d->rel, to);
	eb->msg[0] = '\0';
	return 0;
}

static int
run_check(struct store *st, int repair)
{
	struct errbuf eb = ERRBUF_INIT;
	struct store_check_stats c;

	if (store_check(st, report_damaged, repair ? st : NULL, &c, &eb) == -1) {
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
	if (c.archives)
		printf("%" PRIu64 " archives, %" PRIu64 " blocks: ok\n",
		    c.archives, c.archive_blocks);
	if (c.damaged) {
		printf("%" PRIu64 " damaged file%s\n", c.damaged,
		    c.damaged == 1 ? "" : "s");
		return CLI_EXIT_FAIL;
	}
	return CLI_EXIT_OK;
}

/* Delete the series 'selector' names over [start, end]. */
static int
run_delete(struct store *st, const char *selector, int64_t start,
    int64_t end)
{
	struct errbuf eb = ERRBUF_INIT;
	struct promql_node *sel = NULL;
	char a[TS_BUFSZ], b[TS_BUFSZ];
	uint64_t n;
	int rc = CLI_EXIT_FAIL;

	if (promql_parse_selector(selector, &sel, &eb) == -1 ||
	    store_delete(st, sel->vs.matchers, sel->vs.nmatchers, selector,
	    start, end, &n, &eb) == -1) {
		warnx("%s", eb.msg);
		goto out;
	}
	ts_format_rfc3339(a, start);
	ts_format_rfc3339(b, end);
	printf("deleted %s from %s to %s: %" PRIu64 " series (mroll removes "
	    "the data from the files)\n", selector, start == TS_MIN ?
	    "the beginning" : a, b, n);
	rc = CLI_EXIT_OK;
out:
	promql_free(sel);
	return rc;
}

/* The store's subcommands other than init. */
/* What the commands take, besides the store directory. */
struct command_opts {
	int64_t since, until;	/* export */
	int64_t start, end;	/* delete */
	int quiet;		/* import */
	int repair;		/* check */
	const char *selector;	/* delete */
};

static int
run_command(const char *cmd, const char *dir, const struct command_opts *co)
{
	struct errbuf eb = ERRBUF_INIT;
	struct store_import_stats is;
	struct store *st;
	int rc;

	if (strcmp(cmd, "import") == 0) {
		if (store_import(dir, 0, &is, &eb) == -1)
			errx(CLI_EXIT_FAIL, "%s", eb.msg);
		if (!co->quiet)
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
		rc = run_check(st, co->repair);
	else if (strcmp(cmd, "compact") == 0)
		rc = run_compact(st);
	else if (strcmp(cmd, "delete") == 0)
		rc = run_delete(st, co->selector, co->start, co->end);
	else if ((rc = store_export(st, co->since, co->until, 1, &eb)) == -1)
		warnx("%s", eb.msg);
	store_close(st);
	return rc == -1 ? CLI_EXIT_FAIL : rc;
}

int
main(int argc, char *argv[])
{
	struct store_writer_opts o = STORE_WRITER_OPTS_INIT;
	struct command_opts co = { TS_MIN, TS_MAX, TS_MIN, 0, 0, 0, NULL };
	struct ingest_opts io = { 0, 0, &stop, cli_warn, NULL, INGEST_JSONL };
	struct errbuf eb = ERRBUF_INIT;
	struct ingest_sink sink;
	struct ingest in;
	struct store_writer *w;
	struct store *st;
	struct cli cli;
	const char *cmd, *dir = NULL, *retention = NULL;
	char *path;
	int64_t now = ts_now(), ret[STORE_NTIERS] = STORE_RETENTION_DEFAULTS;
	int key, rc = CLI_EXIT_OK, i;

	co.end = now;
	cli_start(&cli, &program, argc, argv);
	while ((key = cli_next(&cli)) != -1) {
		switch (key) {
		case 'd': dir = cli.arg; break;
		case OPT_BACKFILL: o.backfill = 1; break;
		case OPT_END: co.end = cli_time(&cli, key, cli.arg, now); break;
		case OPT_FLUSH:
			if ((o.flush_samples = cli_count(&cli, key, cli.arg)) == 0)
				cli_usage_error(&cli, "--flush: a count of samples "
				    "above 0");
			o.flush_age_ms = 0;	/* exactly as asked */
			break;
		case OPT_FSYNC:
			if (store_fsync_parse(cli.arg, &o.fsync) == -1)
				cli_bad_value(&cli, key, "fsync mode", cli.arg);
			break;
		case OPT_MAX_FUTURE:
			o.max_future = cli_duration(&cli, key, cli.arg);
			break;
		case OPT_MAX_SERIES: o.max_series = cli_count(&cli, key, cli.arg); break;
		case OPT_REPAIR: co.repair = 1; break;
		case OPT_RETENTION:
			if (store_parse_retention(cli.arg, ret, &eb) == -1)
				cli_usage_error(&cli, "%s", eb.msg);
			retention = cli.arg;
			break;
		case OPT_SELF: o.self_metrics_ms = STORE_SELF_METRICS_MS; break;
		case OPT_SINCE: co.since = cli_time(&cli, key, cli.arg, now); break;
		case OPT_START: co.start = cli_time(&cli, key, cli.arg, now); break;
		case OPT_STRICT: io.strict = 1; break;
		case OPT_UNTIL: co.until = cli_time(&cli, key, cli.arg, now); break;
		case 'q': io.quiet = co.quiet = 1; break;
		}
	}
	cmd = cli_operands(&cli, &argc, &argv);
	if (co.since > co.until)
		cli_usage_error(&cli, "--since is after --until");
	if (co.start > co.end)
		cli_usage_error(&cli, "--start is after --end");
	if (cmd && strcmp(cmd, "delete") == 0) {
		if (argc != 1)
			cli_usage_error(&cli, "'mstore delete' takes one selector");
		co.selector = argv[0];
	}
	path = cli_store_dir(dir);
	if (cmd && strcmp(cmd, "init") == 0) {
		if (store_init(path, retention, &eb) == -1)
			errx(CLI_EXIT_FAIL, "%s", eb.msg);
		free(path);
		return cli_finish(CLI_EXIT_OK);
	}
	if (cmd) {
		rc = run_command(cmd, path, &co);
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
	store_writer_sink(w, &sink);
	ingest_init(&in, &io);
	for (i = 0; i < (argc ? argc : 1) && !in.stopped; i++)
		if (ingest_file(&in, argc ? argv[i] : "-", &sink, &eb) == -1) {
			/* The log keeps what was taken, for the next writer. */
			warnx("%s", eb.msg);
			exit(CLI_EXIT_FAIL);
		}
	if (store_writer_close(w, &eb) == -1)
		errx(CLI_EXIT_FAIL, "%s", eb.msg);
	store_close(st);
	ingest_summary(&in);
	if (ingest_troubled(&in))
		rc = CLI_EXIT_FAIL;
	ingest_release(&in);
	return cli_finish(rc);
}
