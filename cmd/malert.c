/* malert.c - alerting rules over the store, and checks for scripts, Nagios and Icinga */
/* SPDX-License-Identifier: MIT */
#include <err.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "alert/alert.h"
#include "alert/check.h"
#include "alert/route.h"
#include "alert/silence.h"
#include "alert/rules.h"
#include "alert/ruletest.h"
#include "alert/run.h"
#include "base/cli.h"
#include "base/timestamp.h"
#include "query/query.h"
#include "base/buf.h"
#include "base/xalloc.h"
#include "store/store.h"
#include "stream/metric.h"

enum {
	OPT_ALERTMANAGER = CLI_LONG, OPT_ALL, OPT_COMMENT, OPT_EMPTY, OPT_EVENTS,
	OPT_EVERY, OPT_FOR, OPT_EXTERNAL_LABEL, OPT_EXTERNAL_URL,
	OPT_INTERVAL, OPT_LABEL, OPT_LOOKBACK, OPT_NO_SELF, OPT_RECORD,
	OPT_RECORD_TO, OPT_ROUTES, OPT_SERVICE,
	OPT_STATE, OPT_STRICT, OPT_TENANT, OPT_TIME, OPT_TIMEOUT
};

static const struct cli_option options[] = {
	{ "dir", 'd', "dir", NULL,
	    "the store (default $MTK_STORE, else $XDG_DATA_HOME/mtk/store)" },
	{ "file", 'f', "file", NULL,
	    "evaluate over the stream in FILE ('-': standard input), not the store" },
	{ "strict", OPT_STRICT, NULL, NULL,
	    "with -f: stop at the first bad record" },
	{ "tenant", OPT_TENANT, "tenant", NULL,
	    "see only the series of TENANT (labelled tenant=TENANT); its alerts,\n"
	    "recorded samples and state are its own" },
	{ "rules", 'r', "file", NULL,
	    "alerting and recording rules (Prometheus' format); repeatable" },
	{ "state", OPT_STATE, "file", NULL,
	    "the alerts' state between runs\n"
	    "(default $XDG_STATE_HOME/mtk/malert.state)" },
	{ "every", OPT_EVERY, "duration", NULL,
	    "evaluate again every DURATION until stopped (default: once)" },
	{ "interval", OPT_INTERVAL, "duration", NULL,
	    "the interval of groups that give none (default 1m)" },
	{ "routes", OPT_ROUTES, "file", NULL,
	    "notify receivers through the routing tree in FILE" },
	{ "alertmanager", OPT_ALERTMANAGER, "url", NULL,
	    "also give the alerts to the Alertmanager at URL; repeatable" },
	{ "record", OPT_RECORD, NULL, NULL,
	    "write what recording rules give into the store" },
	{ "record-to", OPT_RECORD_TO, "file", NULL,
	    "write what recording rules give as a stream to FILE, appended\n"
	    "('-': standard output)" },
	{ "events", OPT_EVENTS, "file", NULL,
	    "append the transitions to FILE (default: standard output)" },
	{ "no-self-metrics", OPT_NO_SELF, NULL, NULL,
	    "do not add mtk_malert_* to the store" },
	{ "external-label", OPT_EXTERNAL_LABEL, "name=value", NULL,
	    "a label of $externalLabels; repeatable" },
	{ "external-url", OPT_EXTERNAL_URL, "url", NULL,
	    "$externalURL in templates" },
	{ "for", OPT_FOR, "duration", NULL,
	    "with silence add, ack add: how long it lasts\n"
	    "(default 1h, 24h)" },
	{ "comment", OPT_COMMENT, "text", NULL,
	    "with silence add, ack add: why" },
	{ "all", OPT_ALL, NULL, NULL,
	    "with silence list, ack list: the ended ones too" },
	{ "warning", 'w', "range", NULL,
	    "WARNING when a value is outside RANGE (10, 10:, ~:10, 10:20,\n"
	    "@10:20: inside)" },
	{ "critical", 'c', "range", NULL,
	    "CRITICAL when a value is outside RANGE" },
	{ "empty", OPT_EMPTY, "state", check_state_word,
	    "the state when the query returns nothing (default unknown)" },
	{ "label", OPT_LABEL, "name", NULL,
	    "show each series by the value of label NAME" },
	{ "service", OPT_SERVICE, "name", NULL,
	    "the first word of the line (default CHECK)" },
	{ "time", OPT_TIME, "time", NULL,
	    "evaluate at TIME (default: now; with -f, the stream's end)" },
	{ "lookback", OPT_LOOKBACK, "duration", NULL,
	    "how far back a selector looks for a sample (default 5m)" },
	{ "timeout", OPT_TIMEOUT, "duration", NULL,
	    "UNKNOWN when the evaluation takes longer (default: none)" },
	{ NULL, 0, NULL, NULL, NULL }
};

static const struct cli_command commands[] = {
	{ "ack", "state tenant for comment all time",
	    "add matcher ... | list | expire id" },
	{ "check", "dir file strict tenant warning critical empty label service "
	    "time lookback timeout", "expr" },
	{ "lint", "", "file ..." },
	{ "silence", "state tenant for comment all time",
	    "add matcher ... | list | expire id" },
	{ "test", "", "file ..." },
	{ NULL, NULL, NULL }
};

/* A usage error is UNKNOWN to a monitoring system, not CRITICAL. */
static const struct cli_program program = { options,
	{ NULL, "rules dir file strict tenant state every interval record "
	    "record-to "
	    "events no-self-metrics alertmanager routes external-label "
	    "external-url time lookback timeout",
	    NULL },
	commands, CHECK_UNKNOWN };

#define EXTERNAL_MAX 32

/* What 'malert -r' was asked. */
struct run_opts {
	const char *rules[64];
	size_t nrules;
	const char *state, *every, *interval, *external_url;
	struct tmpl_label external[EXTERNAL_MAX];
	size_t nexternal;
	const char *alertmanagers[8];
	size_t nalertmanagers;
	const char *routes_path;
	struct route_config routes;
	int record, no_self_metrics;
	const char *record_to, *events;
	const char *silence_for, *comment;
	int all;
};

/* Set by SIGINT and SIGTERM: --every stops after the run under way. */
static volatile sig_atomic_t stop;

static void
on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

/* What 'malert check' was asked. */
struct check_opts {
	const char *dir, *file, *at, *label, *service, *tenant;
	struct check_range warn, crit;
	enum check_state empty;
	int strict;
};

/* An UNKNOWN line for 'why', and its exit status. */
static int
unknown(const struct check_opts *o, const char *why)
{
	struct errbuf eb = ERRBUF_INIT;

	if (check_write(stdout, o->service, CHECK_UNKNOWN, NULL, 0, &o->warn,
	    &o->crit, why, &eb) == -1)
		warnx("%s", eb.msg);
	return CHECK_UNKNOWN;
}

/*
 * The name series 'rs' is shown by: the value of --label, else the
 * series in PromQL's form, else (no name, no labels) "value".
 */
static const char *
item_label(const struct check_opts *o, const struct promql_rseries *rs,
    struct buf *b)
{
	size_t i, shown = 0;
	const char *name = "";

	buf_reset(b);
	for (i = 0; i < rs->nlabels; i++) {
		if (o->label && strcmp(rs->labels[i].name, o->label) == 0)
			return rs->labels[i].value;
		if (strcmp(rs->labels[i].name, "__name__") == 0)
			name = rs->labels[i].value;
	}
	buf_adds(b, name);
	for (i = 0; i < rs->nlabels; i++) {
		if (strcmp(rs->labels[i].name, "__name__") == 0)
			continue;
		buf_adds(b, shown++ ? "," : "{");
		buf_adds(b, rs->labels[i].name);
		buf_adds(b, "=\"");
		buf_add(b, rs->labels[i].value, rs->labels[i].value_len);
		buf_adds(b, "\"");
	}
	if (shown)
		buf_adds(b, "}");
	if (b->len == 0)
		buf_adds(b, "value");
	return b->p;
}

/* Evaluate the result's values against the thresholds and print the line. */
static int
report(const struct check_opts *o, const struct promql_result *r)
{
	struct errbuf eb = ERRBUF_INIT;
	struct check_item *items;
	struct buf *names;
	enum check_state st = CHECK_OK;
	size_t i, n = 0;
	int rc;

	if (r->type == PROMQL_TYPE_STRING)
		return unknown(o, "the expression gives a string, not a number");
	if (r->type == PROMQL_TYPE_MATRIX)
		return unknown(o, "the expression gives a range vector: "
		    "check an instant vector or a scalar");
	items = calloc(r->n ? r->n : 1, sizeof(*items));
	names = calloc(r->n ? r->n : 1, sizeof(*names));
	if (items == NULL || names == NULL)
		err(CHECK_UNKNOWN, NULL);
	for (i = 0; i < r->n; i++) {
		const struct promql_rseries *rs = &r->series[i];
		if (rs->n == 0)
			continue;
		items[n].label = item_label(o, rs, &names[n]);
		items[n].value = rs->v[rs->n - 1];
		items[n].state = check_value_state(&o->warn, &o->crit,
		    items[n].value);
		st = n ? check_worse(st, items[n].state) : items[n].state;
		n++;
	}
	if (n == 0)
		st = o->empty;
	rc = check_write(stdout, o->service, st, items, n, &o->warn, &o->crit,
	    "no data: the query returned nothing", &eb);
	for (i = 0; i < r->n; i++)
		buf_release(&names[i]);
	free(names);
	free(items);
	if (rc == -1) {
		warnx("%s", eb.msg);
		return CHECK_UNKNOWN;
	}
	return st;
}

static int
check(const struct check_opts *o, struct query_request *rq,
    const struct cli *cli)
{
	struct errbuf eb = ERRBUF_INIT;
	struct query_input in;
	struct query_input_opts qo = { NULL, o->file, o->tenant, o->strict,
		cli_warn, NULL };
	struct promql_result *r;
	char *store_dir = NULL;
	uint64_t bad = 0;
	int64_t now = ts_now();
	size_t i;
	int rc;

	if (query_request_parse(rq, &eb) == -1)
		return unknown(o, eb.msg);
	if (o->file == NULL)
		store_dir = cli_store_dir(o->dir);
	qo.dir = store_dir;
	if (query_input_open(&in, &qo, &bad, &eb) == -1) {
		free(store_dir);
		return unknown(o, eb.msg);
	}
	if (in.newest != INT64_MIN)
		now = in.newest;
	rq->time = o->at ? cli_time(cli, OPT_TIME, o->at, now) : now;
	rq->start = rq->end = rq->time;
	if ((r = query_result(in.st, query_input_stream(&in), rq, &eb)) == NULL)
		rc = unknown(o, eb.msg);
	else if (in.st && store_damage_count(in.st) > 0)
		rc = unknown(o, store_damage(in.st, 0));
	else
		rc = report(o, r);
	/* What was left out is said, though the state stands. */
	for (i = 0; in.st && i < store_damage_count(in.st); i++)
		warnx("%s; left out of the answer", store_damage(in.st, i));
	promql_result_free(r);
	query_input_close(&in);
	free(store_dir);
	return rc;
}

static void
warn_rule(void *arg, const char *msg)
{
	(void)arg;
	warnx("%s", msg);
}

/* 'malert lint FILE...': promtool check rules' verdicts. */
static int
lint(int argc, char *argv[])
{
	int i, rc = 0;

	for (i = 0; i < argc; i++) {
		struct rule_set rs = { 0 };
		size_t k;
		printf("Checking %s\n", argv[i]);
		if (rules_load(&rs, argv[i]) == 0) {
			printf("  SUCCESS: %zu rules found\n", rules_count(&rs));
		} else {
			fflush(stdout);
			fprintf(stderr, "  FAILED:\n");
			for (k = 0; k < rs.nerrors; k++)
				fprintf(stderr, "%s\n", rs.errors[k]);
			rc = CLI_EXIT_FAIL;
		}
		printf("\n");
		rules_free(&rs);
	}
	return rc;
}

/* 'malert -r RULES': evaluate, once or --every so often. */
/*
 * The state's file: --state, else malert.state in the state directory,
 * or a tenant's own (malert-TENANT.state, a byte other than a letter, a
 * digit, '.', '_' or '-' as %XX).
 */
static char *
state_file(const struct run_opts *ro, const char *tenant)
{
	struct buf b = BUF_INIT;
	char *path;
	const char *t;

	if (ro->state)
		return xstrdup(ro->state);
	if (tenant == NULL)
		return cli_state_path("malert.state");
	buf_adds(&b, "malert-");
	for (t = tenant; *t; t++) {
		unsigned char c = (unsigned char)*t;
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '.' || c == '_' ||
		    c == '-')
			buf_addch(&b, (char)c);
		else
			buf_addf(&b, "%%%02X", c);
	}
	buf_adds(&b, ".state");
	path = cli_state_path(b.p);
	buf_release(&b);
	return path;
}

static int
run(struct run_opts *ro, const struct check_opts *co,
    struct query_request *rq, const struct cli *cli)
{
	struct rule_set rs = { 0 };
	struct alert_run_opts ao;
	struct alert_runner *runner;
	char *state_path, *store_dir = NULL;
	FILE *events = stdout, *record_out = NULL;
	int64_t every = 0, now;
	size_t i;
	int rc = 0;

	for (i = 0; i < ro->nrules; i++)
		rules_load(&rs, ro->rules[i]);
	if (rs.nerrors) {
		for (i = 0; i < rs.nerrors; i++)
			warnx("%s", rs.errors[i]);
		rules_free(&rs);
		return CLI_EXIT_FAIL;
	}
	if (ro->routes_path) {
		char msg[600];
		if (route_load(&ro->routes, ro->routes_path,
		    msg, sizeof(msg)) == -1) {
			warnx("%s", msg);
			rules_free(&rs);
			return CLI_EXIT_FAIL;
		}
	}
	/* Events appended to a file are a log of every transition. */
	if (ro->events && strcmp(ro->events, "-") != 0 &&
	    (events = fopen(ro->events, "a")) == NULL)
		err(CLI_EXIT_FAIL, "%s", ro->events);
	if (ro->record_to && strcmp(ro->record_to, "-") == 0)
		record_out = stdout;
	else if (ro->record_to && (record_out = fopen(ro->record_to, "a")) == NULL)
		err(CLI_EXIT_FAIL, "%s", ro->record_to);
	state_path = state_file(ro, co->tenant);
	if (co->file == NULL)
		store_dir = cli_store_dir(co->dir);
	memset(&ao, 0, sizeof(ao));
	ao.store_dir = store_dir;
	ao.file = co->file;
	ao.strict = co->strict;
	ao.tenant = co->tenant;
	ao.state_path = state_path;
	ao.interval_ms = 60000;
	if (ro->interval)
		rules_duration(ro->interval, &ao.interval_ms);
	ao.external = ro->external;
	ao.nexternal = ro->nexternal;
	ao.external_url = ro->external_url;
	ao.routes = ro->routes_path ? &ro->routes : NULL;
	ao.alertmanagers = ro->alertmanagers;
	ao.nalertmanagers = ro->nalertmanagers;
	ao.record = ro->record;
	ao.record_out = record_out;
	ao.self_metrics = !ro->no_self_metrics;
	ao.limits = rq->limits;
	ao.events = events;
	ao.warn = warn_rule;
	runner = alert_runner_new(&rs, &ao);
	if (ro->every) {
		every = cli_duration(cli, OPT_EVERY, ro->every);
		cli_catch_stop(on_signal, NULL);
	}
	do {
		int64_t t0 = ts_now();
		now = co->at ? cli_time(cli, OPT_TIME, co->at, t0) : t0;
		if (alert_runner_run(runner, now, co->at != NULL) != 0)
			rc = CLI_EXIT_FAIL;
		if (fflush(events) == EOF || (record_out && fflush(record_out) == EOF))
			break;
		/* The next run on the next multiple of --every. */
		while (every && !stop) {
			int64_t left = every - (ts_now() - t0);
			struct timespec ts;
			if (left <= 0)
				break;
			ts.tv_sec = left / 1000;
			ts.tv_nsec = (long)(left % 1000) * 1000000;
			nanosleep(&ts, NULL);
			if (ts_now() - t0 >= every)
				break;
		}
	} while (every && !stop);
	if (alert_runner_free(runner) != 0)
		rc = CLI_EXIT_FAIL;
	if (events != stdout && fclose(events) == EOF) {
		warn("%s", ro->events);
		rc = CLI_EXIT_FAIL;
	}
	if (record_out && record_out != stdout && fclose(record_out) == EOF) {
		warn("%s", ro->record_to);
		rc = CLI_EXIT_FAIL;
	}
	free(store_dir);
	free(state_path);
	rules_free(&rs);
	if (ro->routes_path)
		route_free(&ro->routes);
	return rc;
}

/*
 * 'malert silence|ack add|list|expire': the silences and the
 * acknowledgements beside the state.
 */
static int
silence(const struct run_opts *ro, int ack, const char *at,
    const char *tenant, const struct cli *cli, int argc, char *argv[])
{
	const char *what = ack ? "ack" : "silence";
	struct errbuf eb = ERRBUF_INIT;
	struct alert_state *lock;
	struct silences ss;
	struct buf m = BUF_INIT;
	char *state_path, *path = NULL;
	int64_t now = ts_now(), ms = ack ? 24 * 3600000 : 3600000;
	const char *id;
	int rc = 0, i;

	if (argc == 0 || (strcmp(argv[0], "add") && strcmp(argv[0], "list") &&
	    strcmp(argv[0], "expire")))
		cli_usage_error(cli, "%s: add MATCHER..., list or expire ID",
		    what);
	if (strcmp(argv[0], "add") == 0 && argc < 2)
		cli_usage_error(cli, "%s add: matchers are needed", what);
	if (strcmp(argv[0], "expire") == 0 && argc != 2)
		cli_usage_error(cli, "%s expire: one id", what);
	if (strcmp(argv[0], "list") == 0 && argc != 1)
		cli_usage_error(cli, "%s list takes no operand", what);
	if (ro->silence_for)
		ms = cli_duration(cli, OPT_FOR, ro->silence_for);
	/* Silences are of the evaluation's clock: --time moves both. */
	if (at)
		now = cli_time(cli, OPT_TIME, at, now);
	state_path = state_file(ro, tenant);
	if (asprintf(&path, "%s.silences", state_path) == -1)
		err(CLI_EXIT_FAIL, NULL);
	/* The state's lock: a run reads the silences while it holds it. */
	if ((lock = alert_state_open(state_path, &eb)) == NULL ||
	    silences_load(&ss, path, &eb) == -1) {
		warnx("%s", eb.msg);
		alert_state_close(lock);
		free(path);
		free(state_path);
		return CLI_EXIT_FAIL;
	}
	if (strcmp(argv[0], "list") == 0) {
		silences_list(&ss, ack, now, ro->all, stdout);
	} else if (strcmp(argv[0], "add") == 0) {
		for (i = 1; i < argc; i++) {
			if (m.len)
				buf_addch(&m, ',');
			buf_adds(&m, argv[i]);
		}
		buf_addch(&m, '\0');
		if ((id = silences_add(&ss, ack, m.p, now, ms, ro->comment,
		    &eb)) == NULL) {
			warnx("%s: %s", what, eb.msg);
			rc = CLI_EXIT_FAIL;
		} else if (silences_save(&ss, path, &eb) == -1) {
			warnx("%s", eb.msg);
			rc = CLI_EXIT_FAIL;
		} else {
			printf("%s\n", id);
		}
	} else if (silences_expire(&ss, ack, argv[1], now) == -1) {
		warnx("%s: no %s, or more than one, has id '%s'", what,
		    ack ? "acknowledgement" : "silence", argv[1]);
		rc = CLI_EXIT_FAIL;
	} else if (silences_save(&ss, path, &eb) == -1) {
		warnx("%s", eb.msg);
		rc = CLI_EXIT_FAIL;
	}
	buf_release(&m);
	silences_free(&ss);
	alert_state_close(lock);
	free(path);
	free(state_path);
	return rc;
}

int
main(int argc, char *argv[])
{
	struct query_request rq = QUERY_REQUEST_INIT;
	struct check_opts o;
	struct run_opts ro;
	struct errbuf eb = ERRBUF_INIT;
	struct cli cli;
	const char *cmd;
	int key, rc;

	memset(&o, 0, sizeof(o));
	memset(&ro, 0, sizeof(ro));
	o.service = "CHECK";
	o.empty = CHECK_UNKNOWN;
	cli_start(&cli, &program, argc, argv);
	while ((key = cli_next(&cli)) != -1) {
		switch (key) {
		case 'c':
		case 'w':
			if (check_range_parse(cli.arg, key == 'c' ? &o.crit :
			    &o.warn, &eb) == -1)
				cli_usage_error(&cli, "-%c: %s", key, eb.msg);
			break;
		case 'd': o.dir = cli.arg; break;
		case 'f': o.file = cli.arg; break;
		case 'r':
			if (ro.nrules == sizeof(ro.rules) / sizeof(ro.rules[0]))
				cli_usage_error(&cli, "too many rule files");
			ro.rules[ro.nrules++] = cli.arg;
			break;
		case OPT_ALERTMANAGER:
			if (ro.nalertmanagers == 8)
				cli_usage_error(&cli, "too many Alertmanagers");
			ro.alertmanagers[ro.nalertmanagers++] = cli.arg;
			break;
		case OPT_EMPTY:
			if (check_state_parse(cli.arg, &o.empty) == -1)
				cli_bad_value(&cli, key, "state", cli.arg);
			break;
		case OPT_EVERY: ro.every = cli.arg; break;
		case OPT_EXTERNAL_LABEL: {
			char *eq = strchr(cli.arg, '=');
			if (eq == NULL || eq == cli.arg ||
			    !metric_label_name_valid(cli.arg, (size_t)(eq - cli.arg)))
				cli_usage_error(&cli, "--external-label: "
				    "NAME=VALUE, not '%s'", cli.arg);
			if (ro.nexternal == EXTERNAL_MAX)
				cli_usage_error(&cli, "too many external labels");
			*eq = '\0';
			ro.external[ro.nexternal].name = cli.arg;
			ro.external[ro.nexternal++].value = eq + 1;
			break;
		}
		case OPT_EXTERNAL_URL: ro.external_url = cli.arg; break;
		case OPT_INTERVAL: {
			int64_t ms;
			if (rules_duration(cli.arg, &ms) == -1 || ms == 0)
				cli_usage_error(&cli, "--interval: invalid "
				    "duration '%s' (as 30s, 1m, 1h30m)", cli.arg);
			ro.interval = cli.arg;
			break;
		}
		case OPT_LABEL: o.label = cli.arg; break;
		case OPT_LOOKBACK:
			rq.limits.lookback_ms = cli_duration(&cli, key, cli.arg);
			break;
		case OPT_RECORD: ro.record = 1; break;
		case OPT_RECORD_TO: ro.record_to = cli.arg; break;
		case OPT_EVENTS: ro.events = cli.arg; break;
		case OPT_NO_SELF: ro.no_self_metrics = 1; break;
		case OPT_ALL: ro.all = 1; break;
		case OPT_COMMENT: ro.comment = cli.arg; break;
		case OPT_FOR: ro.silence_for = cli.arg; break;
		case OPT_ROUTES: ro.routes_path = cli.arg; break;
		case OPT_SERVICE: o.service = cli.arg; break;
		case OPT_STATE: ro.state = cli.arg; break;
		case OPT_STRICT: o.strict = 1; break;
		case OPT_TENANT:
			if (*cli.arg == '\0')
				cli_usage_error(&cli, "--tenant: an empty name");
			o.tenant = cli.arg;
			break;
		case OPT_TIME: o.at = cli.arg; break;
		case OPT_TIMEOUT:
			rq.limits.timeout_ms = cli_duration(&cli, key, cli.arg);
			break;
		}
	}
	cmd = cli_operands(&cli, &argc, &argv);
	if (o.strict && o.file == NULL)
		cli_usage_error(&cli, "--strict goes with -f");
	if (o.dir && o.file)
		cli_usage_error(&cli, "-d and -f exclude each other");
	if (cmd && (strcmp(cmd, "silence") == 0 || strcmp(cmd, "ack") == 0))
		return cli_finish(silence(&ro, strcmp(cmd, "ack") == 0, o.at,
		    o.tenant, &cli, argc, argv));
	if (cmd && strcmp(cmd, "test") == 0) {
		int i;
		if (argc == 0)
			cli_usage_error(&cli, "'malert test' takes test files");
		for (i = 0, rc = 0; i < argc; i++)
			if (ruletest_run(argv[i], RULETEST_MAX_EVALS, stdout) != 0)
				rc = CLI_EXIT_FAIL;
		return cli_finish(rc);
	}
	if (cmd && strcmp(cmd, "lint") == 0) {
		if (argc == 0)
			cli_usage_error(&cli, "'malert lint' takes rule files");
		return cli_finish(lint(argc, argv));
	}
	if (cmd == NULL) {
		/* sort external labels by name, as label sets are */
		size_t i, j;
		if (ro.nrules == 0)
			cli_usage_error(&cli, "rules (-r FILE) or a command "
			    "(check, lint) are needed");
		if (ro.every && o.at)
			cli_usage_error(&cli, "--every runs at the clock's "
			    "times: no --time");
		if (ro.record && o.file)
			cli_usage_error(&cli, "--record writes into a store, "
			    "not a stream (-f)");
		if (ro.record && ro.record_to)
			cli_usage_error(&cli, "--record and --record-to exclude "
			    "each other");
		if (ro.record_to && strcmp(ro.record_to, "-") == 0 &&
		    (ro.events == NULL || strcmp(ro.events, "-") == 0))
			cli_usage_error(&cli, "--record-to - and the events "
			    "would share standard output: give --events FILE");
		for (i = 1; i < ro.nexternal; i++)
			for (j = i; j > 0 && strcmp(ro.external[j - 1].name,
			    ro.external[j].name) > 0; j--) {
				struct tmpl_label t = ro.external[j];
				ro.external[j] = ro.external[j - 1];
				ro.external[j - 1] = t;
			}
		rc = run(&ro, &o, &rq, &cli);
		return cli_finish(rc) != rc ? CLI_EXIT_FAIL : rc;
	}
	if (argc != 1)
		cli_usage_error(&cli, "'malert check' takes one expression");
	rq.expr = argv[0];
	rq.given = QUERY_GIVEN_TIME | (o.file ? QUERY_GIVEN_STREAM : 0);
	rc = check(&o, &rq, &cli);
	/* A line that could not be written is UNKNOWN, not a warning. */
	return cli_finish(rc) != rc ? CHECK_UNKNOWN : rc;
}
