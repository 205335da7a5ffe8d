/* mquery.c - query the store or a stream: raw samples, series, labels, PromQL */
/* SPDX-License-Identifier: MIT */
#include <err.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
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

enum {
	OPT_AGG = CLI_LONG, OPT_ARCHIVE, OPT_END, OPT_FOLLOW, OPT_LABELS,
	OPT_LABEL_VALUES, OPT_LATEST, OPT_LIST_FUNCTIONS, OPT_LOCAL,
	OPT_LOOKBACK, OPT_MAX_SAMPLES, OPT_NAME, OPT_SERIES, OPT_SINCE,
	OPT_START, OPT_STATS, OPT_STEP, OPT_STRICT, OPT_TIER, OPT_TIME,
	OPT_TIMEOUT
};

/* The words of --tier and --agg, for the completions and messages. */
static const char *
tier_word(size_t i)
{
	return i == 0 ? "auto" : i <= STORE_NTIERS ?
	    store_tier_name((enum store_tier)(i - 1)) : NULL;
}

static const char *
agg_word(size_t i)
{
	return ROLLUP_AGG_AVG + i <= ROLLUP_AGG_COUNTER ?
	    rollup_agg_name((enum rollup_agg)(ROLLUP_AGG_AVG + i)) : NULL;
}

static const struct cli_option options[] = {
	{ "dir", 'd', "dir", NULL,
	    "the store (default $MTK_STORE, else $XDG_DATA_HOME/mtk/store)" },
	{ "file", 'f', "file", NULL,
	    "evaluate over the stream in FILE ('-': standard input), not the store" },
	{ "strict", OPT_STRICT, NULL, NULL,
	    "with -f: stop at the first bad record" },
	{ "output", 'o', "format", promql_format_name,
	    "table (default on a terminal), jsonl (default otherwise), csv,\n"
	    "prom-json (Prometheus' API data), openmetrics" },
	{ "local", OPT_LOCAL, NULL, NULL,
	    "tables show times in the time zone TZ, not in UTC" },
	{ "time", OPT_TIME, "time", NULL,
	    "an instant query at TIME (default: now)" },
	{ "start", OPT_START, "time", NULL,
	    "from TIME: RFC 3339, Unix seconds, now-1h, 1h (default: end - 1h)" },
	{ "end", OPT_END, "time", NULL,
	    "up to TIME, inclusive (default: now)" },
	{ "since", OPT_SINCE, "duration", NULL,
	    "from DURATION before the end, or from a TIME (--since=7d)" },
	{ "step", OPT_STEP, "duration", NULL,
	    "a range query with this resolution" },
	{ "name", OPT_NAME, "name", NULL,
	    "the metric name of every result series" },
	{ "lookback", OPT_LOOKBACK, "duration", NULL,
	    "how far back a selector looks for a sample (default 5m)" },
	{ "max-samples", OPT_MAX_SAMPLES, "n", NULL,
	    "fail past N samples held at once (default 50000000)" },
	{ "timeout", OPT_TIMEOUT, "duration", NULL,
	    "fail when the evaluation takes longer (default: none)" },
	{ "series", OPT_SERIES, NULL, NULL,
	    "print the matching series, not their samples" },
	{ "labels", OPT_LABELS, NULL, NULL,
	    "print the label names of the matching series" },
	{ "label-values", OPT_LABEL_VALUES, "name", NULL,
	    "print the values of label NAME in the matching series" },
	{ "latest", OPT_LATEST, NULL, NULL,
	    "the newest sample of each series (an expression: its value)" },
	{ "stats", OPT_STATS, NULL, NULL,
	    "count, min, avg, max, p50, p95, p99 of each series in the range" },
	{ "follow", OPT_FOLLOW, NULL, NULL,
	    "print new samples (an expression: each step) until interrupted" },
	{ "list-functions", OPT_LIST_FUNCTIONS, NULL, NULL,
	    "print the names of the PromQL functions" },
	{ "tier", OPT_TIER, "tier", tier_word,
	    "read only this tier: raw, 1m, 5m, 1h (default auto)" },
	{ "agg", OPT_AGG, "agg", agg_word,
	    "rolled tiers give avg, min, max, sum, count, last, p50, p95, p99" },
	{ "archive", OPT_ARCHIVE, NULL, NULL,
	    "also read the archives mroll made" },
	{ NULL, 0, NULL, NULL, NULL }
};

/* Options, no command, an expression. */
static const struct cli_program program = { options, { NULL, NULL, "[expr]" },
	NULL };

/* The times as given, parsed once "now" is known. */
struct times {
	const char *start, *end, *since, *at, *step;
};

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

/*
 * Read the options into 'o', 'e', 'v', 't' and 'tm', and check that
 * they go together.  Returns the stream file of -f, or NULL.
 */
static const char *
parse_options(struct cli *cli, struct query_opts *o, struct query_eval_opts *e,
    struct query_view_opts *v, struct tier_opts *t, struct times *tm,
    const char **dir)
{
	static const int modes[] = { OPT_SERIES, OPT_LABELS, OPT_LABEL_VALUES,
		OPT_LATEST, OPT_STATS, OPT_FOLLOW };
	struct errbuf eb = ERRBUF_INIT;
	const char *file = NULL, *why;
	size_t i, n = 0;
	int key;

	while ((key = cli_next(cli)) != -1) {
		switch (key) {
		case 'd': *dir = cli->arg; break;
		case 'f': file = cli->arg; break;
		case 'o':
			if (promql_format_parse(cli->arg, &e->format) == -1)
				cli_bad_value(cli, key, "format", cli->arg);
			break;
		case OPT_AGG:
			if (rollup_agg_parse(cli->arg, &t->agg) == -1)
				cli_bad_value(cli, key, "aggregate", cli->arg);
			break;
		case OPT_ARCHIVE: t->archive = 1; break;
		case OPT_END: tm->end = cli->arg; break;
		case OPT_FOLLOW: v->view = QUERY_VIEW_FOLLOW; break;
		case OPT_LABELS: o->mode = QUERY_LABELS; break;
		case OPT_LABEL_VALUES:
			o->mode = QUERY_LABEL_VALUES;
			o->label = cli->arg;
			break;
		case OPT_LATEST: v->view = QUERY_VIEW_LATEST; break;
		case OPT_LIST_FUNCTIONS:
			if (query_functions_write(stdout, &eb) == -1)
				errx(CLI_EXIT_FAIL, "%s", eb.msg);
			exit(cli_finish(CLI_EXIT_OK));
		case OPT_LOOKBACK:
			e->eval.lookback_ms = cli_duration(cli, key, cli->arg);
			break;
		case OPT_MAX_SAMPLES:
			e->eval.max_samples = cli_count(cli, key, cli->arg);
			break;
		case OPT_NAME: e->name = cli->arg; break;
		case OPT_SERIES: o->mode = QUERY_SERIES; break;
		case OPT_SINCE: tm->since = cli->arg; break;
		case OPT_START: tm->start = cli->arg; break;
		case OPT_STATS: v->view = QUERY_VIEW_STATS; break;
		case OPT_STEP: tm->step = cli->arg; break;
		case OPT_TIER:
			if (tier_parse(cli->arg, &t->tier) == -1)
				cli_bad_value(cli, key, "tier", cli->arg);
			break;
		case OPT_TIME: tm->at = cli->arg; break;
		case OPT_TIMEOUT:
			e->eval.timeout_ms = cli_duration(cli, key, cli->arg);
			break;
		}
	}
	for (i = 0; i < sizeof(modes) / sizeof(modes[0]); i++)
		n += cli_given(cli, modes[i]) != 0;
	if (n > 1)
		cli_usage_error(cli, "--series, --labels, --label-values, --latest, --stats and --follow exclude each other");
	if ((why = query_view_conflict(v, tm->at != NULL, tm->start ||
	    tm->since, tm->end != NULL, tm->step != NULL, file != NULL,
	    e->format)) != NULL)
		cli_usage_error(cli, "%s", why);
	if (o->mode != QUERY_SAMPLES && file)
		cli_usage_error(cli, "--series, --labels and --label-values read the store only");
	if (tm->start && tm->since)
		cli_usage_error(cli, "--start and --since exclude each other");
	if (tm->at && (tm->start || tm->since || tm->end || tm->step))
		cli_usage_error(cli, "--time excludes --start, --since, --end and --step");
	if (cli_given(cli, OPT_STRICT) && file == NULL)
		cli_usage_error(cli, "--strict goes with -f");
	/* Tables write local times (ts_format_local()): UTC unless --local. */
	if (!cli_given(cli, OPT_LOCAL))
		setenv("TZ", "UTC0", 1);
	tzset();
	return file;
}

/*
 * The start that --since 's' gives: a duration counted back from 'end',
 * or else a time (relative ones counted from 'now').
 */
static int64_t
since(const struct cli *cli, const char *s, int64_t end, int64_t now)
{
	int64_t d;

	if (ts_parse_duration(s, &d) == -1)
		return cli_time(cli, OPT_SINCE, s, now);
	d = cli_duration(cli, OPT_SINCE, s);	/* more than zero */
	return d > end - TS_MIN ? TS_MIN : end - d;
}

int
main(int argc, char *argv[])
{
	struct query_opts o = { .mode = QUERY_SAMPLES };
	struct query_eval_opts e = { .eval = PROMQL_EVAL_OPTS_INIT };
	struct query_view_opts v = { .stop = &stop };
	struct tier_opts t = TIER_OPTS_INIT;
	struct times tm = { NULL, NULL, NULL, NULL, NULL };
	struct errbuf eb = ERRBUF_INIT;
	struct store *st = NULL;
	struct promql_memsrc *ms = NULL;
	struct promql_source src;
	struct promql_node *tree = NULL;
	struct cli cli;
	const char *file, *dir = NULL;
	char *store_dir = NULL;
	int rc, raw;
	uint64_t bad = 0;
	size_t i;
	int64_t now = ts_now(), ms_, lookback;

	cli_start(&cli, &program, argc, argv);
	e.format = isatty(STDOUT_FILENO) ? PROMQL_FMT_TABLE : PROMQL_FMT_JSONL;
	file = parse_options(&cli, &o, &e, &v, &t, &tm, &dir);
	cli_operands(&cli, &argc, &argv);
	if (argc > 1)
		cli_usage_error(&cli, "one expression only");
	if (argc == 0 && o.mode == QUERY_SAMPLES)
		cli_usage_error(&cli, "an expression is needed");
	o.selector = argc ? argv[0] : NULL;
	/* A stream is read first: "now" is when it ended. */
	if (file) {
		ms = promql_memsrc_new();
		if (query_load_stream(ms, file, cli_given(&cli, OPT_STRICT),
		    warn_record, NULL, &bad, &eb) == -1)
			errx(CLI_EXIT_FAIL, "%s", eb.msg);
		now = ts_now();
	}
	o.end = tm.end ? cli_time(&cli, OPT_END, tm.end, now) : now;
	o.start = o.end - 3600000;
	if (tm.start)
		o.start = cli_time(&cli, OPT_START, tm.start, now);
	if (tm.since)
		o.start = since(&cli, tm.since, o.end, now);
	if (o.start > o.end)
		cli_usage_error(&cli, "the start is after the end");

	/*
	 * A bare selector without --time or --step prints raw samples;
	 * anything else is evaluated (mquery(1), "Raw samples or PromQL").
	 */
	raw = o.mode != QUERY_SAMPLES;
	if (!raw) {
		if (promql_parse(o.selector, &tree, &eb) == -1)
			errx(CLI_EXIT_FAIL, "%s", eb.msg);
		raw = promql_is_selector(tree) && ((!tm.at && !tm.step &&
		    e.format != PROMQL_FMT_PROM_JSON) || v.view == QUERY_VIEW_LATEST);
		promql_free(tree);
	}
	e.expr = o.selector;
	if (tm.step) {
		if (timeparse_step(tm.step, &ms_, &eb) == -1)
			cli_usage_error(&cli, "--step: %s", eb.msg);
		e.eval.step = ms_;
	} else if (!raw && (tm.start || tm.since)) {
		/* Prometheus' graph: about 250 points, at least 1s apart. */
		e.eval.step = (o.end - o.start) / 250 / 1000 * 1000;
		if (e.eval.step < 1000)
			e.eval.step = 1000;
	}
	e.eval.start = e.eval.step ? o.start :
	    tm.at ? cli_time(&cli, OPT_TIME, tm.at, now) : now;
	e.eval.end = e.eval.step ? o.end : e.eval.start;

	if (file) {
		promql_memsrc_source(ms, &src);
	} else {
		store_dir = cli_store_dir(dir);
		if ((st = store_open(store_dir, 0, &eb)) == NULL)
			errx(CLI_EXIT_FAIL, "%s", eb.msg);
		if (store_settings(st)->unknown)
			warnx("%s", store_settings(st)->unknown);
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
		v.history = tm.start || tm.since;
		v.step = tm.step ? ms_ : 0;
		if (v.view == QUERY_VIEW_FOLLOW)
			cli_catch_stop(on_signal, NULL);
		rc = query_view(st, &src, &v, &e, stdout, &eb);
	} else if (raw && o.mode == QUERY_SAMPLES &&
	    (file || e.format == PROMQL_FMT_OPENMETRICS)) {
		rc = query_raw(&src, o.selector ? o.selector : "{__name__=~\".+\"}",
		    o.start, o.end, e.format, stdout, &eb);
	} else if (raw) {
		o.format = e.format == PROMQL_FMT_CSV ? OUTPUT_CSV :
		    e.format == PROMQL_FMT_JSONL ? OUTPUT_JSONL : OUTPUT_TABLE;
		rc = query_store(st, &o, stdout, &eb);
	} else {
		rc = query_eval(&src, &e, stdout, &eb);
	}
	/*
	 * Damaged files were passed over: the answer is that of the rest
	 * of the store, which is worth having, and not all of it.
	 */
	for (i = 0; st && i < store_damage_count(st); i++, bad++)
		warnx("%s; left out of the answer", store_damage(st, i));
	store_close(st);
	free(store_dir);
	promql_memsrc_free(ms);
	if (rc == -1)
		errx(CLI_EXIT_FAIL, "%s", eb.msg);
	return cli_finish(bad ? CLI_EXIT_FAIL : CLI_EXIT_OK);
}
