/* mquery.c - query the store: samples, series and labels of a selector */
/* SPDX-License-Identifier: MIT */
#include <err.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "query.h"
#include "store.h"
#include "timeparse.h"
#include "timestamp.h"

static const char usage_str[] =
    "usage: mquery [-hV] [--labels] [--series] [-d dir] [-o format] [--end time]\n"
    "              [--label-values name] [--since duration] [--start time]\n"
    "              [selector]\n";

static const char help_str[] =
    "  -d, --dir=DIR            the store (default $MTK_STORE, else $XDG_DATA_HOME/mtk/store)\n"
    "  -o, --output=FORMAT      table (default on a terminal), jsonl (default otherwise), csv\n"
    "      --start=TIME         from TIME: RFC 3339, Unix seconds, now, -1h (default: end - 1h)\n"
    "      --end=TIME           up to TIME, inclusive (default: now)\n"
    "      --since=DURATION     from DURATION before the end (same as --start=-DURATION)\n"
    "      --series             print the matching series, not their samples\n"
    "      --labels             print the label names of the matching series\n"
    "      --label-values=NAME  print the values of label NAME in the matching series\n"
    "  -h, --help               this help\n"
    "  -V, --version            the version\n";

enum { OPT_END = 256, OPT_LABELS, OPT_LABEL_VALUES, OPT_SERIES, OPT_SINCE,
	OPT_START };

static const struct option longopts[] = {
	{ "dir", required_argument, NULL, 'd' },
	{ "end", required_argument, NULL, OPT_END },
	{ "help", no_argument, NULL, 'h' },
	{ "label-values", required_argument, NULL, OPT_LABEL_VALUES },
	{ "labels", no_argument, NULL, OPT_LABELS },
	{ "output", required_argument, NULL, 'o' },
	{ "series", no_argument, NULL, OPT_SERIES },
	{ "since", required_argument, NULL, OPT_SINCE },
	{ "start", required_argument, NULL, OPT_START },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 }
};

static int64_t
parse_time(const char *opt, const char *s, int64_t now)
{
	struct errbuf eb = ERRBUF_INIT;
	int64_t ms;

	if (timeparse_query(s, now, &ms, &eb) == -1)
		cli_usage_error(usage_str, "%s: %s", opt, eb.msg);
	return ms;
}

int
main(int argc, char *argv[])
{
	struct query_opts o = { .mode = QUERY_SAMPLES };
	struct errbuf eb = ERRBUF_INIT;
	struct store *st;
	const char *start = NULL, *end = NULL, *since = NULL;
	char *dir = NULL;
	int ch, modes = 0, rc;
	int64_t now = ts_now(), ms;

	cli_init(argc, argv, longopts);
	o.format = isatty(STDOUT_FILENO) ? OUTPUT_TABLE : OUTPUT_JSONL;
	while ((ch = getopt_long(argc, argv, "d:ho:V", longopts, NULL)) != -1) {
		switch (ch) {
		case 'd': dir = optarg; break;
		case 'o':
			if (output_format_parse(optarg, &o.format) == -1)
				cli_usage_error(usage_str, "unknown format '%s'", optarg);
			break;
		case OPT_END: end = optarg; break;
		case OPT_LABELS: o.mode = QUERY_LABELS; modes++; break;
		case OPT_LABEL_VALUES:
			o.mode = QUERY_LABEL_VALUES;
			o.label = optarg;
			modes++;
			break;
		case OPT_SERIES: o.mode = QUERY_SERIES; modes++; break;
		case OPT_SINCE: since = optarg; break;
		case OPT_START: start = optarg; break;
		case 'h': cli_help(usage_str, help_str);
		case 'V': cli_version();
		default: cli_usage(usage_str);
		}
	}
	argc -= optind;
	argv += optind;
	if (modes > 1)
		cli_usage_error(usage_str, "--series, --labels and --label-values exclude each other");
	if (argc > 1)
		cli_usage_error(usage_str, "one selector only");
	if (argc == 0 && o.mode == QUERY_SAMPLES)
		cli_usage_error(usage_str, "a selector is needed");
	if (start && since)
		cli_usage_error(usage_str, "--start and --since exclude each other");
	o.selector = argc ? argv[0] : NULL;
	o.end = end ? parse_time("--end", end, now) : now;
	o.start = o.end - 3600000;
	if (start)
		o.start = parse_time("--start", start, now);
	if (since) {
		if (ts_parse_duration(since, &ms) == -1)
			cli_usage_error(usage_str, "--since: invalid duration '%s'", since);
		o.start = o.end - ms;
	}
	if (o.start > o.end)
		cli_usage_error(usage_str, "the start is after the end");
	if (dir == NULL && (dir = store_default_dir()) == NULL)
		errx(CLI_EXIT_FAIL, "no store directory: set MTK_STORE or HOME, or use -d");
	if ((st = store_open(dir, 0, &eb)) == NULL)
		errx(CLI_EXIT_FAIL, "%s", eb.msg);
	rc = query_store(st, &o, stdout, &eb);
	store_close(st);
	if (rc == -1)
		errx(CLI_EXIT_FAIL, "%s", eb.msg);
	return cli_finish(CLI_EXIT_OK);
}
