/* malert.c - alerting over the store: checks for scripts, Nagios and Icinga */
/* SPDX-License-Identifier: MIT */
#include <err.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alert/check.h"
#include "base/cli.h"
#include "base/timestamp.h"
#include "query/query.h"
#include "store/store.h"

enum {
	OPT_EMPTY = CLI_LONG, OPT_LABEL, OPT_LOOKBACK, OPT_SERVICE, OPT_STRICT,
	OPT_TIME, OPT_TIMEOUT
};

static const struct cli_option options[] = {
	{ "dir", 'd', "dir", NULL,
	    "the store (default $MTK_STORE, else $XDG_DATA_HOME/mtk/store)" },
	{ "file", 'f', "file", NULL,
	    "evaluate over the stream in FILE ('-': standard input), not the store" },
	{ "strict", OPT_STRICT, NULL, NULL,
	    "with -f: stop at the first bad record" },
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
	{ "check", "dir file strict warning critical empty label service time "
	    "lookback timeout", "expr" },
	{ NULL, NULL, NULL }
};

/* A usage error is UNKNOWN to a monitoring system, not CRITICAL. */
static const struct cli_program program = { options, { NULL, "", NULL },
	commands, CHECK_UNKNOWN };

/* What 'malert check' was asked. */
struct check_opts {
	const char *dir, *file, *at, *label, *service;
	struct check_range warn, crit;
	enum check_state empty;
	int strict;
};

static void
warn_record(void *arg, const char *msg)
{
	(void)arg;
	warnx("%s", msg);
}

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
	if (query_input_open(&in, store_dir, o->file, o->strict, warn_record,
	    NULL, &bad, &eb) == -1) {
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

int
main(int argc, char *argv[])
{
	struct query_request rq = QUERY_REQUEST_INIT;
	struct check_opts o;
	struct errbuf eb = ERRBUF_INIT;
	struct cli cli;
	const char *cmd;
	int key, rc;

	memset(&o, 0, sizeof(o));
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
		case OPT_EMPTY:
			if (check_state_parse(cli.arg, &o.empty) == -1)
				cli_bad_value(&cli, key, "state", cli.arg);
			break;
		case OPT_LABEL: o.label = cli.arg; break;
		case OPT_LOOKBACK:
			rq.limits.lookback_ms = cli_duration(&cli, key, cli.arg);
			break;
		case OPT_SERVICE: o.service = cli.arg; break;
		case OPT_STRICT: o.strict = 1; break;
		case OPT_TIME: o.at = cli.arg; break;
		case OPT_TIMEOUT:
			rq.limits.timeout_ms = cli_duration(&cli, key, cli.arg);
			break;
		}
	}
	cmd = cli_operands(&cli, &argc, &argv);
	if (cmd == NULL)
		cli_usage_error(&cli, "a command is needed: check");
	if (argc != 1)
		cli_usage_error(&cli, "'malert check' takes one expression");
	if (o.strict && o.file == NULL)
		cli_usage_error(&cli, "--strict goes with -f");
	if (o.dir && o.file)
		cli_usage_error(&cli, "-d and -f exclude each other");
	rq.expr = argv[0];
	rq.given = QUERY_GIVEN_TIME | (o.file ? QUERY_GIVEN_STREAM : 0);
	rc = check(&o, &rq, &cli);
	/* A line that could not be written is UNKNOWN, not a warning. */
	return cli_finish(rc) != rc ? CHECK_UNKNOWN : rc;
}
