/* mroll.c - roll a store's raw data up into tiers, expire and archive */
/* SPDX-License-Identifier: MIT */
#include <err.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/cli.h"
#include "store/roll.h"
#include "store/store.h"
#include "base/timestamp.h"

enum { OPT_JSON = CLI_LONG, OPT_NO_SELF, OPT_NOW, OPT_WAIT };

static const struct cli_option options[] = {
	{ "dir", 'd', "dir", NULL,
	    "the store (default $MTK_STORE, else $XDG_DATA_HOME/mtk/store)" },
	{ "dry-run", 'n', NULL, NULL, "print what would be done, change nothing" },
	{ "json", OPT_JSON, NULL, NULL, "print one JSON line per action" },
	{ "no-self-metrics", OPT_NO_SELF, NULL, NULL,
	    "do not store mroll's own mtk_mroll_* metrics" },
	{ "now", OPT_NOW, "time", NULL,
	    "run as if it were TIME (a time as in mtk(7): RFC 3339, -1h)" },
	{ "verbose", 'v', NULL, NULL, "print each action and a summary" },
	{ "wait", OPT_WAIT, NULL, NULL,
	    "wait for a running mroll instead of exiting" },
	{ NULL, 0, NULL, NULL, NULL }
};

/* Options, no command, no operand. */
static const struct cli_program program = { options, { NULL, NULL, NULL },
	NULL, 0 };

struct out {
	int json, verbose;
};

static void
print_action(void *ctx, const struct roll_action *a)
{
	const struct out *o = ctx;
	struct buf b = BUF_INIT;

	/* A damaged file is worth a warning however quiet the pass. */
	if (a->kind == ROLL_DAMAGED && !o->json) {
		warnx("%s; its window is left as it is (see 'mstore check "
		    "--repair')", a->reason);
		return;
	}
	if (!o->json && !o->verbose)
		return;
	roll_action_format(a, o->json, &b);
	fputs(b.p, stdout);
	fflush(stdout);
	buf_release(&b);
}

int
main(int argc, char *argv[])
{
	struct roll_opts o = { 0, 0, 0, 1, print_action, NULL };
	struct out out = { 0, 0 };
	struct errbuf eb = ERRBUF_INIT;
	struct roll_stats rs;
	struct store *st;
	struct cli cli;
	const char *dir = NULL;
	char *path;
	int key, rc;

	cli_start(&cli, &program, argc, argv);
	o.now = ts_now();
	o.ctx = &out;
	while ((key = cli_next(&cli)) != -1) {
		switch (key) {
		case 'd': dir = cli.arg; break;
		case 'n': o.dry_run = 1; break;
		case 'v': out.verbose = 1; break;
		case OPT_JSON: out.json = 1; break;
		case OPT_NO_SELF: o.self_metrics = 0; break;
		case OPT_NOW: o.now = cli_time(&cli, key, cli.arg, ts_now()); break;
		case OPT_WAIT: o.wait = 1; break;
		}
	}
	cli_operands(&cli, &argc, &argv);
	path = cli_store_dir(dir);
	st = store_open(path, 0, &eb);
	free(path);
	if (st == NULL)
		errx(CLI_EXIT_FAIL, "%s", eb.msg);
	if (store_settings(st)->unknown)
		warnx("%s", store_settings(st)->unknown);
	rc = roll_run(st, &o, &rs, &eb);
	store_close(st);
	if (rc == 1) {
		warnx("%s", eb.msg);
		return cli_finish(CLI_EXIT_BUSY);
	}
	if (rc == -1)
		errx(CLI_EXIT_FAIL, "%s", eb.msg);
	if (out.verbose && !out.json) {
		struct buf b = BUF_INIT;
		roll_stats_format(&rs, &b);
		fputs(b.p, stdout);
		buf_release(&b);
	}
	/* The pass went on past damaged files: say it was not all well. */
	return cli_finish(rs.damaged ? CLI_EXIT_FAIL : CLI_EXIT_OK);
}
