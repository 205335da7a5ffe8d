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
#include "net/auth.h"
#include "net/httpd.h"
#include "serve/api.h"
#include "serve/pool.h"
#include "query/query.h"
#include "store/block.h"
#include "store/store.h"
#include "store/tier.h"
#include "base/timeparse.h"
#include "base/timestamp.h"

enum {
	OPT_AGG = CLI_LONG, OPT_ARCHIVE, OPT_END, OPT_FOLLOW, OPT_LABELS,
	OPT_LABEL_VALUES, OPT_LATEST, OPT_LIST_FUNCTIONS, OPT_LOCAL,
	OPT_LOOKBACK, OPT_MAX_SAMPLES, OPT_NAME, OPT_SERIES, OPT_SINCE,
	OPT_START, OPT_STATS, OPT_STEP, OPT_STRICT, OPT_TIER, OPT_TIME,
	OPT_TIMEOUT, OPT_TENANT, OPT_SIZE, OPT_STACK, OPT_TITLE, OPT_LISTEN,
	OPT_THREADS, OPT_AUTH
};

/* The words of --tier and --agg, for the completions and messages. */
static const char *
tier_word(size_t i)
{
	return i == 0 ? "auto" : i == 1 ? "exact" : i <= STORE_NTIERS + 1 ?
	    store_tier_name((enum store_tier)(i - 2)) : NULL;
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
	{ "tenant", OPT_TENANT, "tenant", NULL,
	    "see only the series of TENANT (labelled tenant=TENANT)" },
	{ "output", 'o', "format", query_format_name,
	    "table (default on a terminal), jsonl (default otherwise), csv,\n"
	    "prom-json (Prometheus' API data), openmetrics, chart, svg" },
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
	    "read only this tier: raw, 1m, 5m, 1h; auto: as the step says;\n"
	    "exact: raw where kept (default auto; serve: exact)" },
	{ "agg", OPT_AGG, "agg", agg_word,
	    "rolled tiers give avg, min, max, sum, count, last, p50, p95, p99" },
	{ "archive", OPT_ARCHIVE, NULL, NULL,
	    "also read the archives mroll made" },
	{ "size", OPT_SIZE, "size", NULL,
	    "-o chart: COLSxROWS; -o svg: WIDTHxHEIGHT pixels (800x320)" },
	{ "title", OPT_TITLE, "text", NULL,
	    "-o chart, -o svg: the title (default: the expression)" },
	{ "stack", OPT_STACK, NULL, NULL,
	    "-o svg: stacked areas, not lines" },
	{ "listen", OPT_LISTEN, "address", NULL,
	    "serve: answer Prometheus' HTTP API on ADDRESS (127.0.0.1:9090)" },
	{ "auth", OPT_AUTH, "file", NULL,
	    "serve: take the tokens of FILE (mtk-auth(5)), each for its tenant" },
	{ "threads", OPT_THREADS, "n", NULL,
	    "serve: answer N requests at once (default: the CPUs, at least 2)" },
	{ NULL, 0, NULL, NULL, NULL }
};

/* serve: Prometheus' HTTP API over the store, until stopped. */
static const struct cli_command commands[] = {
	{ "serve", "dir file strict tenant listen auth threads lookback "
	    "max-samples timeout tier agg archive", NULL },
	{ NULL, NULL, NULL }
};

/* Options and an expression, or a command. */
static const struct cli_program program = { options,
	{ NULL, "dir file strict tenant output local time start end since "
	    "step name lookback max-samples timeout series labels "
	    "label-values latest stats follow list-functions tier agg "
	    "archive size title stack", "[expr]" },
	commands, 0 };

/* The times as given, parsed once "now" is known. */
struct times {
	const char *start, *end, *since, *at, *step;
	const char *size;	/* --size, for charts */
	const char *listen;	/* serve's --listen */
	const char *auth;	/* serve's --auth */
	uint64_t threads;	/* serve's --threads; 0: as many as CPUs */
};

/* serve: decompressed block data kept between requests, at most. */
#define SERVE_CACHE_BYTES ((size_t)256 << 20)

/* Set by SIGINT and SIGTERM: --follow then ends, with status 0. */
static volatile sig_atomic_t stop;

static void
on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

/*
 * Read the options into 'rq' (its times in 'tm', parsed once "now" is
 * known), the store directory into '*dir'.  Returns the stream file of
 * -f, or NULL.
 */
static void
parse_options(struct cli *cli, struct query_request *rq, struct times *tm,
    struct query_input_opts *in)
{
	static const int modes[] = { OPT_SERIES, OPT_LABELS, OPT_LABEL_VALUES,
		OPT_LATEST, OPT_STATS, OPT_FOLLOW };
	struct errbuf eb = ERRBUF_INIT;
	size_t i, n = 0;
	int key;

	while ((key = cli_next(cli)) != -1) {
		switch (key) {
		case 'd': in->dir = cli->arg; break;
		case 'f': in->file = cli->arg; break;
		case 'o':
			if (query_format_parse(cli->arg, &rq->format) == -1)
				cli_bad_value(cli, key, "format", cli->arg);
			break;
		case OPT_AGG:
			if (rollup_agg_parse(cli->arg, &rq->tier.agg) == -1)
				cli_bad_value(cli, key, "aggregate", cli->arg);
			break;
		case OPT_ARCHIVE: rq->tier.archive = 1; break;
		case OPT_SIZE: tm->size = cli->arg; break;
		case OPT_LISTEN: tm->listen = cli->arg; break;
		case OPT_AUTH: tm->auth = cli->arg; break;
		case OPT_THREADS:
			tm->threads = cli_count(cli, key, cli->arg);
			if (tm->threads < 1 || tm->threads > 256)
				cli_usage_error(cli, "--threads: from 1 to 256");
			break;
		case OPT_STACK: rq->chart.stack = 1; break;
		case OPT_TITLE: rq->chart.title = cli->arg; break;
		case OPT_END: tm->end = cli->arg; break;
		case OPT_FOLLOW: rq->what = QUERY_FOLLOW; break;
		case OPT_LABELS: rq->what = QUERY_LABELS; break;
		case OPT_LABEL_VALUES:
			rq->what = QUERY_LABEL_VALUES;
			rq->label = cli->arg;
			break;
		case OPT_LATEST: rq->what = QUERY_LATEST; break;
		case OPT_LIST_FUNCTIONS:
			if (query_functions_write(stdout, &eb) == -1)
				errx(CLI_EXIT_FAIL, "%s", eb.msg);
			exit(cli_finish(CLI_EXIT_OK));
		case OPT_LOOKBACK:
			rq->limits.lookback_ms = cli_duration(cli, key, cli->arg);
			break;
		case OPT_MAX_SAMPLES:
			rq->limits.max_samples = cli_count(cli, key, cli->arg);
			break;
		case OPT_NAME: rq->name = cli->arg; break;
		case OPT_SERIES: rq->what = QUERY_SERIES; break;
		case OPT_SINCE: tm->since = cli->arg; break;
		case OPT_START: tm->start = cli->arg; break;
		case OPT_STATS: rq->what = QUERY_STATS; break;
		case OPT_STEP: tm->step = cli->arg; break;
		case OPT_TIER:
			if (tier_parse(cli->arg, &rq->tier.tier) == -1)
				cli_bad_value(cli, key, "tier", cli->arg);
			break;
		case OPT_TIME: tm->at = cli->arg; break;
		case OPT_TIMEOUT:
			rq->limits.timeout_ms = cli_duration(cli, key, cli->arg);
			break;
		case OPT_TENANT:
			if (*cli->arg == '\0')
				cli_usage_error(cli, "--tenant: an empty name");
			in->tenant = cli->arg;
			break;
		}
	}
	for (i = 0; i < sizeof(modes) / sizeof(modes[0]); i++)
		n += cli_given(cli, modes[i]) != 0;
	if (n > 1)
		cli_usage_error(cli, "--series, --labels, --label-values, --latest, --stats and --follow exclude each other");
	if (tm->start && tm->since)
		cli_usage_error(cli, "--start and --since exclude each other");
	if (tm->auth && (in->file || in->tenant))
		cli_usage_error(cli, "--auth serves a store's tenants: not with -f or --tenant");
	if (cli_given(cli, OPT_STRICT) && in->file == NULL)
		cli_usage_error(cli, "--strict goes with -f");
	in->strict = cli_given(cli, OPT_STRICT);
	in->warn = cli_warn;
	rq->given = (tm->at ? QUERY_GIVEN_TIME : 0) |
	    (tm->start || tm->since ? QUERY_GIVEN_START : 0) |
	    (tm->end ? QUERY_GIVEN_END : 0) |
	    (in->file ? QUERY_GIVEN_STREAM : 0);
	/* Tables write local times (ts_format_local()): UTC unless --local. */
	if (!cli_given(cli, OPT_LOCAL))
		setenv("TZ", "UTC0", 1);
	tzset();
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

/*
 * mquery serve: Prometheus' HTTP API over the store (or a stream) on
 * --listen, --threads requests at once, until SIGINT or SIGTERM.
 */
static int
serve(const struct query_request *rq, const struct times *tm,
    struct query_input_opts *qo)
{
	struct api_opts ao = { rq->limits, rq->tier, MTK_VERSION, NULL };
	struct errbuf eb = ERRBUF_INIT;
	struct auth *auth = NULL;
	struct httpd *h;
	struct block_cache *cache;
	struct pool *pool;
	struct api *a;
	sigset_t waitmask;
	char *store_dir = NULL;
	uint64_t bad = 0;
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	size_t threads = tm->threads ? tm->threads : cpus > 2 ? (size_t)cpus : 2;

	if (!qo->file)
		qo->dir = store_dir = cli_store_dir(qo->dir);
	if (tm->auth && (ao.auth = auth = auth_load(tm->auth, &eb)) == NULL)
		errx(CLI_EXIT_FAIL, "%s", eb.msg);
	/* What one request decompressed, the next ones find (mquery(1)). */
	cache = qo->file ? NULL : block_cache_new(SERVE_CACHE_BYTES);
	if ((pool = pool_new(qo, auth, threads, cache, &bad, &eb)) == NULL)
		errx(CLI_EXIT_FAIL, "%s", eb.msg);
	a = api_new(pool, &ao);
	/* The server's threads are made with the stop signals blocked. */
	cli_catch_stop(on_signal, &waitmask);
	if ((h = httpd_open(tm->listen ? tm->listen : "127.0.0.1:9090",
	    1 << 20, HTTPD_THREADED, api_handle, a, &eb)) == NULL)
		errx(CLI_EXIT_FAIL, "%s", eb.msg);
	warnx("serving Prometheus' API on %s", httpd_address(h));
	while (!stop)
		sigsuspend(&waitmask);
	httpd_close(h);
	api_free(a);
	pool_free(pool);
	block_cache_free(cache);
	auth_free(auth);
	free(store_dir);
	return cli_finish(bad ? CLI_EXIT_FAIL : CLI_EXIT_OK);
}

int
main(int argc, char *argv[])
{
	struct query_request rq = QUERY_REQUEST_INIT;
	struct times tm = { NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 0 };
	struct errbuf eb = ERRBUF_INIT;
	struct query_input in;
	struct query_input_opts qo = { NULL, NULL, NULL, 0, NULL, NULL };
	struct cli cli;
	const char *why;
	char *store_dir = NULL;
	int rc;
	uint64_t bad = 0;
	size_t i;
	int64_t now = ts_now();

	cli_start(&cli, &program, argc, argv);
	rq.format = isatty(STDOUT_FILENO) ? QUERY_FMT_TABLE : QUERY_FMT_JSONL;
	parse_options(&cli, &rq, &tm, &qo);
	if (cli_operands(&cli, &argc, &argv) != NULL) {
		/* Through Prometheus' API, Prometheus' answers (mquery(1)). */
		if (!cli_given(&cli, OPT_TIER))
			rq.tier.tier = TIER_EXACT;
		return serve(&rq, &tm, &qo);
	}
	if (argc > 1)
		cli_usage_error(&cli, "one expression only");
	rq.expr = argc ? argv[0] : NULL;
	if (rq.format == QUERY_FMT_CHART) {
		int rows;
		cli_term_size(STDOUT_FILENO, &rq.chart.width, &rows);
		/* Half the screen, the legend below. */
		rq.chart.height = rows / 2 < 5 ? 5 : rows / 2 > 30 ? 30 : rows / 2;
		rq.chart.color = cli_color(STDOUT_FILENO);
	} else if (rq.format == QUERY_FMT_SVG) {
		rq.chart.width = CHART_SVG_WIDTH;
		rq.chart.height = CHART_SVG_HEIGHT;
	}
	if (tm.size && (sscanf(tm.size, "%dx%d%c", &rq.chart.width,
	    &rq.chart.height, &(char){ 0 }) != 2 || rq.chart.width < 1 ||
	    rq.chart.height < 1 || rq.chart.width > 100000 ||
	    rq.chart.height > 100000))
		cli_bad_value(&cli, OPT_SIZE, "size", tm.size);
	if (rq.chart.title == NULL)
		rq.chart.title = rq.expr;
	if (tm.step && timeparse_step(tm.step, &rq.step, &eb) == -1)
		cli_usage_error(&cli, "--step: %s", eb.msg);
	if ((why = query_request_conflict(&rq)) != NULL)
		cli_usage_error(&cli, "%s", why);
	/* A syntax error is told at once, not once a stream has ended. */
	if (query_request_parse(&rq, &eb) == -1)
		errx(CLI_EXIT_FAIL, "%s", eb.msg);
	/*
	 * A stream is read first: "now" is its newest sample, so that a
	 * file of yesterday's samples is queried as of yesterday.
	 */
	if (!qo.file)
		qo.dir = store_dir = cli_store_dir(qo.dir);
	if (query_input_open(&in, &qo, &bad, &eb) == -1)
		errx(CLI_EXIT_FAIL, "%s", eb.msg);
	if (in.newest != INT64_MIN)
		now = in.newest;
	rq.end = tm.end ? cli_time(&cli, OPT_END, tm.end, now) : now;
	/* Listings are of all time, as Prometheus' are; answers of an hour. */
	rq.start = rq.what == QUERY_SERIES || rq.what == QUERY_LABELS ||
	    rq.what == QUERY_LABEL_VALUES ? TS_MIN : rq.end - 3600000;
	if (tm.start)
		rq.start = cli_time(&cli, OPT_START, tm.start, now);
	if (tm.since)
		rq.start = since(&cli, tm.since, rq.end, now);
	if (rq.start > rq.end)
		cli_usage_error(&cli, "the start is after the end");
	rq.time = tm.at ? cli_time(&cli, OPT_TIME, tm.at, now) : now;

	if (rq.what == QUERY_FOLLOW) {
		rq.stop = &stop;
		cli_catch_stop(on_signal, NULL);
	}
	rc = query_run(in.st, query_input_stream(&in), &rq, stdout, &eb);
	/*
	 * Damaged files were passed over: the answer is that of the rest
	 * of the store, which is worth having, and not all of it.
	 */
	for (i = 0; in.st && i < store_damage_count(in.st); i++, bad++)
		warnx("%s; left out of the answer", store_damage(in.st, i));
	query_input_close(&in);
	free(store_dir);
	if (rc == -1)
		errx(CLI_EXIT_FAIL, "%s", eb.msg);
	return cli_finish(bad ? CLI_EXIT_FAIL : CLI_EXIT_OK);
}
