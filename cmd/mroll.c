/* mroll.c - roll a store's raw data up into tiers, expire and archive */
/* SPDX-License-Identifier: MIT */
#include <err.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/cli.h"
#include "store/roll.h"
#include "store/store.h"
#include "base/timeparse.h"
#include "base/timestamp.h"

static const char usage_str[] =
    "usage: mroll [-hnvV] [--json] [--no-self-metrics] [--wait] [-d dir]\n"
    "             [--now time]\n";

static const char help_str[] =
    "  -d, --dir=DIR         the store (default $MTK_STORE, else $XDG_DATA_HOME/mtk/store)\n"
    "  -n, --dry-run         print what would be done, change nothing\n"
    "      --json            print one JSON line per action\n"
    "      --no-self-metrics do not store mroll's own mtk_mroll_* metrics\n"
    "      --now=TIME        run as if it were TIME (RFC 3339, Unix seconds, -1h)\n"
    "  -v, --verbose         print each action and a summary\n"
    "      --wait            wait for a running mroll instead of exiting\n"
    "  -h, --help            this help\n"
    "  -V, --version         the version\n";

/* Exit status when another mroll holds the store (sysexits EX_TEMPFAIL). */
#define EXIT_BUSY 75

enum { OPT_JSON = 256, OPT_NO_SELF, OPT_NOW, OPT_WAIT };

static const struct option longopts[] = {
	{ "dir", required_argument, NULL, 'd' },
	{ "dry-run", no_argument, NULL, 'n' },
	{ "help", no_argument, NULL, 'h' },
	{ "json", no_argument, NULL, OPT_JSON },
	{ "no-self-metrics", no_argument, NULL, OPT_NO_SELF },
	{ "now", required_argument, NULL, OPT_NOW },
	{ "verbose", no_argument, NULL, 'v' },
	{ "version", no_argument, NULL, 'V' },
	{ "wait", no_argument, NULL, OPT_WAIT },
	{ NULL, 0, NULL, 0 }
};

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
	char *dir = NULL, *dir_alloc = NULL;
	int ch, rc;

	cli_init(argc, argv, longopts);
	cli_list_values(argc, argv, longopts, NULL);	/* none has words */
	o.now = ts_now();
	o.ctx = &out;
	while ((ch = getopt_long(argc, argv, "d:hnvV", longopts, NULL)) != -1) {
		switch (ch) {
		case 'd': dir = optarg; break;
		case 'n': o.dry_run = 1; break;
		case 'v': out.verbose = 1; break;
		case OPT_JSON: out.json = 1; break;
		case OPT_NO_SELF: o.self_metrics = 0; break;
		case OPT_NOW:
			if (timeparse_query(optarg, ts_now(), &o.now, &eb) == -1)
				cli_usage_error(usage_str, "%s", eb.msg);
			break;
		case OPT_WAIT: o.wait = 1; break;
		case 'h': cli_help(usage_str, help_str);
		case 'V': cli_version();
		default: cli_usage(usage_str);
		}
	}
	if (optind < argc)
		cli_usage_error(usage_str, "unexpected argument '%s'", argv[optind]);
	if (dir == NULL && (dir = dir_alloc = store_default_dir()) == NULL)
		errx(CLI_EXIT_FAIL, "no store directory: set MTK_STORE or HOME, or use -d");
	st = store_open(dir, 0, &eb);
	free(dir_alloc);
	if (st == NULL)
		errx(CLI_EXIT_FAIL, "%s", eb.msg);
	rc = roll_run(st, &o, &rs, &eb);
	store_close(st);
	if (rc == 1) {
		warnx("%s", eb.msg);
		return cli_finish(EXIT_BUSY);
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
