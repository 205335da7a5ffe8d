/* mquery.c - query the store or a stream: raw samples, series, labels, PromQL */
/* SPDX-License-Identifier: MIT */
#include <err.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/cli.h"
#include "query/promql_output.h"
#include "promql/promql_parse.h"
#include "query/query.h"
#include "query/query_view.h"
#include "store/store.h"
#include "store/tier.h"
#include "base/timeparse.h"
#include "base/timestamp.h"

static const char usage_str[] =
    "usage: mquery [-hV] [--archive] [--follow] [--labels] [--latest]\n"
    "              [--list-functions] [--series] [--stats] [-d dir] [-f file]\n"
    "              [-o format] [--agg agg] [--end time] [--label-values name]\n"
    "              [--lookback duration] [--max-samples n] [--name name]\n"
    "              [--since duration] [--start time] [--step duration]\n"
    "              [--tier tier] [--time time] [--timeout duration] [expr]\n";

static const char help_str[] =
    "  -d, --dir=DIR            the store (default $MTK_STORE, else $XDG_DATA_HOME/mtk/store)\n"
    "  -f, --file=FILE          evaluate over the stream in FILE ('-': standard input), not the store\n"
    "  -o, --output=FORMAT      table (default on a terminal), jsonl (default otherwise), csv,\n"
    "                           prom-json (Prometheus' API data), openmetrics\n"
    "      --time=TIME          an instant query at TIME (default: now)\n"
    "      --start=TIME         from TIME: RFC 3339, Unix seconds, now, -1h (default: end - 1h)\n"
    "      --end=TIME           up to TIME, inclusive (default: now)\n"
    "      --since=DURATION     from DURATION before the end (same as --start=-DURATION)\n"
    "      --step=DURATION      a range query with this resolution\n"
    "      --name=NAME          the metric name of every result series\n"
    "      --lookback=DURATION  how far back a selector looks for a sample (default 5m)\n"
    "      --max-samples=N      fail past N samples held at once (default 50000000)\n"
    "      --timeout=DURATION   fail when the evaluation takes longer (default: none)\n"
    "      --series             print the matching series, not their samples\n"
    "      --labels             print the label names of the matching series\n"
    "      --label-values=NAME  print the values of label NAME in the matching series\n"
    "      --latest             the newest sample of each series (an expression: its value)\n"
    "      --stats              count, min, avg, max, p50, p95, p99 of each series in the range\n"
    "      --follow             print new samples (an expression: each step) until interrupted\n"
    "      --list-functions     print the names of the PromQL functions\n"
    "      --tier=TIER          read only this tier: raw, 1m, 5m, 1h (default auto)\n"
    "      --agg=AGG            rolled tiers give avg, min, max, sum, count, last, p50, p95, p99\n"
    "      --archive            also read the archives mroll made\n"
    "  -h, --help               this help\n"
    "  -V, --version            the version\n";

enum { OPT_END = 256, OPT_LABELS, OPT_LABEL_VALUES, OPT_LOOKBACK,
	OPT_MAX_SAMPLES, OPT_NAME, OPT_SERIES, OPT_SINCE, OPT_START, OPT_STEP,
	OPT_TIME, OPT_TIMEOUT, OPT_FOLLOW, OPT_LATEST, OPT_LIST_FUNCTIONS,
	OPT_STATS, OPT_TIER, OPT_AGG, OPT_ARCHIVE };

static const struct option longopts[] = {
	{ "agg", required_argument, NULL, OPT_AGG },
	{ "archive", no_argument, NULL, OPT_ARCHIVE },
	{ "dir", required_argument, NULL, 'd' },
	{ "end", required_argument, NULL, OPT_END },
	{ "file", required_argument, NULL, 'f' },
	{ "follow", no_argument, NULL, OPT_FOLLOW },
	{ "help", no_argument, NULL, 'h' },
	{ "label-values", required_argument, NULL, OPT_LABEL_VALUES },
	{ "labels", no_argument, NULL, OPT_LABELS },
	{ "latest", no_argument, NULL, OPT_LATEST },
	{ "list-functions", no_argument, NULL, OPT_LIST_FUNCTIONS },
	{ "lookback", required_argument, NULL, OPT_LOOKBACK },
	{ "max-samples", required_argument, NULL, OPT_MAX_SAMPLES },
	{ "name", required_argument, NULL, OPT_NAME },
	{ "output", required_argument, NULL, 'o' },
	{ "series", no_argument, NULL, OPT_SERIES },
	{ "since", required_argument, NULL, OPT_SINCE },
	{ "start", required_argument, NULL, OPT_START },
	{ "stats", no_argument, NULL, OPT_STATS },
	{ "step", required_argument, NULL, OPT_STEP },
	{ "tier", required_argument, NULL, OPT_TIER },
	{ "time", required_argument, NULL, OPT_TIME },
	{ "timeout", required_argument, NULL, OPT_TIMEOUT },
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

static int64_t
parse_duration(const char *opt, const char *s)
{
	int64_t ms;

	if (ts_parse_duration(s, &ms) == -1 || ms <= 0)
		cli_usage_error(usage_str, "%s: invalid duration '%s'", opt, s);
	return ms;
}

/* Set by SIGINT and SIGTERM: --follow then ends, with status 0. */
static volatile sig_atomic_t stop;

static void
on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static void
warn_record(void *arg, const char *msg)
{
	(void)arg;
	warnx("%s", msg);
}

/* The values of --output, --tier and --agg, for the completions. */
static const char *
option_value(const char *opt, size_t i)
{
	if (strcmp(opt, "output") == 0)
		return promql_format_name(i);
	if (strcmp(opt, "tier") == 0)
		return i == 0 ? "auto" : i <= STORE_NTIERS ?
		    store_tier_name((enum store_tier)(i - 1)) : NULL;
	if (strcmp(opt, "agg") == 0)
		return ROLLUP_AGG_AVG + i <= ROLLUP_AGG_COUNTER ?
		    rollup_agg_name((enum rollup_agg)(ROLLUP_AGG_AVG + i)) : NULL;
	return NULL;
}

/* A usage error for a value of 'opt' that is not one of its words. */
static void __attribute__((noreturn))
bad_value(const char *opt, const char *what, const char *val)
{
	char list[256] = "";
	const char *w;
	size_t i;

	for (i = 0; (w = option_value(opt, i)) != NULL; i++) {
		if (i > 0)
			strncat(list, ", ", sizeof(list) - strlen(list) - 1);
		strncat(list, w, sizeof(list) - strlen(list) - 1);
	}
	cli_usage_error(usage_str, "unknown %s '%s' (one of: %s)", what, val,
	    list);
}

int
main(int argc, char *argv[])
{
	struct query_opts o = { .mode = QUERY_SAMPLES };
	struct query_eval_opts e = { .eval = PROMQL_EVAL_OPTS_INIT };
	struct query_view_opts v = { .stop = &stop };
	struct sigaction sa = { .sa_handler = on_signal, .sa_flags = SA_RESTART };
	struct tier_opts t = TIER_OPTS_INIT;
	struct errbuf eb = ERRBUF_INIT;
	struct store *st = NULL;
	struct promql_memsrc *ms = NULL;
	struct promql_source src;
	struct promql_node *tree = NULL;
	const char *start = NULL, *end = NULL, *since = NULL, *at = NULL,
	    *step = NULL, *file = NULL;
	char *dir = NULL, *dir_alloc = NULL, *endp;
	const char *why;
	int ch, modes = 0, rc, raw;
	uint64_t bad = 0;
	int64_t now = ts_now(), ms_, lookback;

	cli_init(argc, argv, longopts);
	cli_list_values(argc, argv, longopts, option_value);
	e.format = isatty(STDOUT_FILENO) ? PROMQL_FMT_TABLE : PROMQL_FMT_JSONL;
	while ((ch = getopt_long(argc, argv, "d:f:ho:V", longopts, NULL)) != -1) {
		switch (ch) {
		case 'd': dir = optarg; break;
		case 'f': file = optarg; break;
		case 'o':
			if (promql_format_parse(optarg, &e.format) == -1)
				bad_value("output", "format", optarg);
			break;
		case OPT_AGG:
			if (rollup_agg_parse(optarg, &t.agg) == -1)
				bad_value("agg", "aggregate", optarg);
			break;
		case OPT_ARCHIVE: t.archive = 1; break;
		case OPT_TIER:
			if (tier_parse(optarg, &t.tier) == -1)
				bad_value("tier", "tier", optarg);
			break;
		case OPT_END: end = optarg; break;
		case OPT_FOLLOW: v.view = QUERY_VIEW_FOLLOW; modes++; break;
		case OPT_LATEST: v.view = QUERY_VIEW_LATEST; modes++; break;
		case OPT_LIST_FUNCTIONS:
			if (query_functions_write(stdout, &eb) == -1)
				errx(CLI_EXIT_FAIL, "%s", eb.msg);
			return cli_finish(CLI_EXIT_OK);
		case OPT_STATS: v.view = QUERY_VIEW_STATS; modes++; break;
		case OPT_LABELS: o.mode = QUERY_LABELS; modes++; break;
		case OPT_LABEL_VALUES:
			o.mode = QUERY_LABEL_VALUES;
			o.label = optarg;
			modes++;
			break;
		case OPT_LOOKBACK: e.eval.lookback_ms = parse_duration("--lookback", optarg); break;
		case OPT_MAX_SAMPLES:
			e.eval.max_samples = strtoull(optarg, &endp, 10);
			if (*optarg == '\0' || *endp != '\0' || *optarg == '-')
				cli_usage_error(usage_str, "--max-samples: invalid number '%s'", optarg);
			break;
		case OPT_NAME: e.name = optarg; break;
		case OPT_SERIES: o.mode = QUERY_SERIES; modes++; break;
		case OPT_SINCE: since = optarg; break;
		case OPT_START: start = optarg; break;
		case OPT_STEP: step = optarg; break;
		case OPT_TIME: at = optarg; break;
		case OPT_TIMEOUT: e.eval.timeout_ms = parse_duration("--timeout", optarg); break;
		case 'h': cli_help(usage_str, help_str);
		case 'V': cli_version();
		default: cli_usage(usage_str);
		}
	}
	argc -= optind;
	argv += optind;
	if (modes > 1)
		cli_usage_error(usage_str, "--series, --labels, --label-values, --latest, --stats and --follow exclude each other");
	if ((why = query_view_conflict(&v, at != NULL, start || since,
	    end != NULL, step != NULL, file != NULL, e.format)) != NULL)
		cli_usage_error(usage_str, "%s", why);
	if (modes && !v.view && file)
		cli_usage_error(usage_str, "--series, --labels and --label-values read the store only");
	if (argc > 1)
		cli_usage_error(usage_str, "one expression only");
	if (argc == 0 && o.mode == QUERY_SAMPLES)
		cli_usage_error(usage_str, "an expression is needed");
	if (start && since)
		cli_usage_error(usage_str, "--start and --since exclude each other");
	if (at && (start || since || end || step))
		cli_usage_error(usage_str, "--time excludes --start, --since, --end and --step");
	o.selector = argc ? argv[0] : NULL;
	/* A stream is read first: "now" is when it ended. */
	if (file) {
		ms = promql_memsrc_new();
		if (query_load_stream(ms, file, 0, warn_record, NULL, &bad, &eb) == -1)
			errx(CLI_EXIT_FAIL, "%s", eb.msg);
		now = ts_now();
	}
	o.end = end ? parse_time("--end", end, now) : now;
	o.start = o.end - 3600000;
	if (start)
		o.start = parse_time("--start", start, now);
	if (since)
		o.start = o.end - parse_duration("--since", since);
	if (o.start > o.end)
		cli_usage_error(usage_str, "the start is after the end");

	/*
	 * A bare selector without --time or --step prints raw samples;
	 * anything else is evaluated (mquery(1), "Raw samples or PromQL").
	 */
	raw = modes > 0 && !v.view;
	if (!raw) {
		if (promql_parse(o.selector, &tree, &eb) == -1)
			errx(CLI_EXIT_FAIL, "%s", eb.msg);
		raw = promql_is_selector(tree) && ((!at && !step &&
		    e.format != PROMQL_FMT_PROM_JSON) || v.view == QUERY_VIEW_LATEST);
		promql_free(tree);
	}
	e.expr = o.selector;
	if (step) {
		if (timeparse_step(step, &ms_, &eb) == -1)
			cli_usage_error(usage_str, "--step: %s", eb.msg);
		e.eval.step = ms_;
	} else if (!raw && (start || since)) {
		/* Prometheus' graph: about 250 points, at least 1s apart. */
		e.eval.step = (o.end - o.start) / 250 / 1000 * 1000;
		if (e.eval.step < 1000)
			e.eval.step = 1000;
	}
	e.eval.start = e.eval.step ? o.start : at ? parse_time("--time", at, now) : now;
	e.eval.end = e.eval.step ? o.end : e.eval.start;

	if (file) {
		promql_memsrc_source(ms, &src);
	} else {
		if (dir == NULL && (dir = dir_alloc = store_default_dir()) == NULL)
			errx(CLI_EXIT_FAIL, "no store directory: set MTK_STORE or HOME, or use -d");
		if ((st = store_open(dir, 0, &eb)) == NULL)
			errx(CLI_EXIT_FAIL, "%s", eb.msg);
		t.step = raw ? 0 : e.eval.step;
		tier_set(st, &t);
		lookback = tier_lookback(st, &t, e.eval.start -
		    e.eval.lookback_ms, e.eval.end, e.eval.lookback_ms, &eb);
		if (lookback == -1)
			errx(CLI_EXIT_FAIL, "%s", eb.msg);
		e.eval.lookback_ms = lookback;
		promql_source_store(&src, st);
	}
	if (v.view) {
		v.raw = raw;
		v.start = o.start;
		v.end = o.end;
		v.history = start || since;
		v.step = step ? ms_ : 0;
		if (v.view == QUERY_VIEW_FOLLOW) {
			sigaction(SIGINT, &sa, NULL);
			sigaction(SIGTERM, &sa, NULL);
		}
		rc = query_view(st, &src, &v, &e, stdout, &eb);
	} else if (raw && !modes && (file || e.format == PROMQL_FMT_OPENMETRICS)) {
		rc = query_raw(&src, o.selector ? o.selector : "{__name__=~\".+\"}",
		    o.start, o.end, e.format, stdout, &eb);
	} else if (raw) {
		o.format = e.format == PROMQL_FMT_CSV ? OUTPUT_CSV :
		    e.format == PROMQL_FMT_JSONL ? OUTPUT_JSONL : OUTPUT_TABLE;
		rc = query_store(st, &o, stdout, &eb);
	} else {
		rc = query_eval(&src, &e, stdout, &eb);
	}
	store_close(st);
	free(dir_alloc);
	promql_memsrc_free(ms);
	if (rc == -1)
		errx(CLI_EXIT_FAIL, "%s", eb.msg);
	return cli_finish(bad ? CLI_EXIT_FAIL : CLI_EXIT_OK);
}
