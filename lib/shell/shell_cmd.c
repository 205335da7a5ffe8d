/* shell_cmd.c - mshell's backslash commands */
/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <fnmatch.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/buf.h"
#include "base/cli.h"
#include "base/timeparse.h"
#include "base/timestamp.h"
#include "base/xalloc.h"
#include "promql/promql_print.h"
#include "shell/shell.h"
#include "shell/shell_int.h"
#include "shell/shell_help.h"

const struct shell_command shell_commands[] = {
	{ "at", "TIME|now", "end queries at TIME (RFC 3339, Unix seconds, now-1d), or now" },
	{ "explain", "EXPR", "the parsed tree of EXPR and the tiers it would read" },
	{ "format", "FORMAT|auto", "how answers are written (auto: a range as a chart on a terminal)" },
	{ "help", "[TOPIC]", "these commands; TOPIC: a function, operator or command" },
	{ "instant", "", "evaluate at one instant (\\at's, or now), not over a range" },
	{ "labels", "[SELECTOR]", "the label names of the series, with their values" },
	{ "metrics", "[GLOB]", "the metric names (GLOB: fnmatch(3) pattern, or a part of the name)" },
	{ "q", "", "quit (so do Ctrl-D and \\quit)" },
	{ "quit", "", "quit" },
	{ "range", "DURATION", "evaluate over the DURATION before \\at's time (default 1h)" },
	{ "series", "SELECTOR", "the series the selector matches" },
	{ "step", "DURATION|auto", "the resolution of a range (auto: about 250 points)" },
	{ "store", "DIR", "query the store in DIR" },
	{ "tenant", "[TENANT]", "see only the series of TENANT; none: all" },
	{ "watch", "DURATION EXPR", "evaluate EXPR every DURATION and redraw, until Ctrl-C" },
	{ NULL, NULL, NULL }
};

static enum shell_status
usage(struct shell *sh, const char *name, const char *where)
{
	const struct shell_command *c;
	char msg[256];

	for (c = shell_commands; c->name; c++)
		if (strcmp(c->name, name) == 0)
			break;
	snprintf(msg, sizeof(msg), "usage: \\%s %s", name, c->name ? c->args :
	    "");
	shell_error(sh, NULL, where, msg);
	return SHELL_FAILED;
}

static enum shell_status
failed(struct shell *sh, const char *where, const char *msg)
{
	shell_error(sh, NULL, where, msg);
	return SHELL_FAILED;
}

static enum shell_status
say(struct shell *sh, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static enum shell_status
say(struct shell *sh, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfprintf(sh->o.out, fmt, ap);
	va_end(ap);
	fflush(sh->o.out);
	return SHELL_OK;
}

static enum shell_status
cmd_range(struct shell *sh, const char *arg, const char *where)
{
	struct errbuf eb = ERRBUF_INIT;
	struct buf b = BUF_INIT;
	int64_t ms;

	if (*arg) {
		if (timeparse_duration(arg, &ms, &eb) == -1)
			return failed(sh, where, eb.msg);
		if (ms <= 0)
			return failed(sh, where, "the range must be more than 0s");
		sh->range = ms;
		sh->instant = 0;
	}
	if (*arg && sh->quiet)
		return SHELL_OK;
	promql_print_duration(&b, sh->range);
	say(sh, "range %s%s\n", b.p, sh->instant ?
	    " (not used: \\instant is on; \\range DURATION turns it off)" : "");
	buf_release(&b);
	return SHELL_OK;
}

static enum shell_status
cmd_step(struct shell *sh, const char *arg, const char *where)
{
	struct errbuf eb = ERRBUF_INIT;
	struct buf b = BUF_INIT;
	int64_t ms;

	if (strcmp(arg, "auto") == 0) {
		sh->step = 0;
	} else if (*arg) {
		if (timeparse_step(arg, &ms, &eb) == -1)
			return failed(sh, where, eb.msg);
		sh->step = ms;
	}
	if (*arg && sh->quiet)
		return SHELL_OK;
	if (sh->step)
		promql_print_duration(&b, sh->step);
	say(sh, "step %s\n", sh->step ? b.p : "auto");
	buf_release(&b);
	return SHELL_OK;
}

static enum shell_status
cmd_at(struct shell *sh, const char *arg, const char *where)
{
	struct errbuf eb = ERRBUF_INIT;
	char t[64];
	int64_t ms;

	if (strcmp(arg, "now") == 0) {
		sh->at_set = 0;
	} else if (*arg) {
		if (shell_input(sh, &eb) == -1 ||
		    timeparse_time(arg, shell_now(sh), &ms, &eb) == -1)
			return failed(sh, where, eb.msg);
		sh->at = ms;
		sh->at_set = 1;
		snprintf(sh->at_text, sizeof(sh->at_text), "%s", arg);
	}
	if (*arg && sh->quiet)
		return SHELL_OK;
	if (!sh->at_set)
		return say(sh, "at now\n");
	ts_format_local(t, sh->at);
	return say(sh, "at %s\n", t);
}

static enum shell_status
cmd_format(struct shell *sh, const char *arg, const char *where)
{
	enum query_format f;
	char msg[512];
	size_t i, n;

	if (strcmp(arg, "auto") == 0) {
		sh->format_auto = 1;
	} else if (*arg) {
		if (query_format_parse(arg, &f) == -1) {
			n = (size_t)snprintf(msg, sizeof(msg),
			    "unknown format '%s' (one of: auto", arg);
			for (i = 0; query_format_name(i) && n < sizeof(msg); i++)
				n += (size_t)snprintf(msg + n, sizeof(msg) - n,
				    ", %s", query_format_name(i));
			if (n < sizeof(msg))
				snprintf(msg + n, sizeof(msg) - n, ")");
			return failed(sh, where, msg);
		}
		sh->format = f;
		sh->format_auto = 0;
	}
	if (*arg && sh->quiet)
		return SHELL_OK;
	if (sh->format_auto)
		return say(sh, "format auto\n");
	for (i = 0; query_format_name(i); i++) {
		enum query_format g;

		if (query_format_parse(query_format_name(i), &g) == 0 &&
		    g == sh->format)
			break;
	}
	return say(sh, "format %s\n", query_format_name(i) ?
	    query_format_name(i) : "?");
}


static enum shell_status
cmd_metrics(struct shell *sh, const char *arg, const char *where)
{
	struct errbuf eb = ERRBUF_INIT;
	int glob = strpbrk(arg, "*?[") != NULL;
	char **v;
	size_t n, i;

	if (shell_names(sh, QUERY_LABEL_VALUES, NULL, "__name__", &v, &n,
	    &eb) == -1)
		return failed(sh, where, eb.msg);
	for (i = 0; i < n; i++)
		if (*arg == '\0' || (glob ? fnmatch(arg, v[i], 0) == 0 :
		    strstr(v[i], arg) != NULL))
			fprintf(sh->o.out, "%s\n", v[i]);
	xfree_strv(v, n);
	fflush(sh->o.out);
	return SHELL_OK;
}

static enum shell_status
cmd_labels(struct shell *sh, const char *arg, const char *where)
{
	struct errbuf eb = ERRBUF_INIT;
	const char *sel = *arg ? arg : NULL;
	char **names, **vals;
	size_t nn, nv, i, j, width, cols;
	int c, r;

	if (shell_names(sh, QUERY_LABELS, sel, NULL, &names, &nn, &eb) == -1)
		return failed(sh, where, eb.msg);
	cli_term_size(fileno(sh->o.out), &c, &r);
	cols = c < 40 ? 40 : (size_t)c;
	for (i = 0; i < nn; i++) {
		if (shell_names(sh, QUERY_LABEL_VALUES, sel, names[i], &vals,
		    &nv, &eb) == -1) {
			xfree_strv(names, nn);
			return failed(sh, where, eb.msg);
		}
		width = (size_t)fprintf(sh->o.out, "%-16s %zu value%s:",
		    names[i], nv, nv == 1 ? "" : "s");
		/* As many values as the line holds. */
		for (j = 0; j < nv; j++) {
			size_t len = strlen(vals[j]) + 1;

			if (width + len + (j + 1 < nv ? 4 : 0) > cols) {
				fputs(" ...", sh->o.out);
				break;
			}
			width += (size_t)fprintf(sh->o.out, " %s", vals[j]);
		}
		fputc('\n', sh->o.out);
		xfree_strv(vals, nv);
	}
	xfree_strv(names, nn);
	fflush(sh->o.out);
	return SHELL_OK;
}

static enum shell_status
cmd_series(struct shell *sh, const char *arg, const char *where)
{
	struct query_request rq = QUERY_REQUEST_INIT;

	if (*arg == '\0')
		return usage(sh, "series", where);
	rq.what = QUERY_SERIES;
	rq.expr = arg;
	rq.start = TS_MIN;
	rq.end = TS_MAX;
	rq.format = sh->format_auto || sh->format == QUERY_FMT_CHART ||
	    sh->format == QUERY_FMT_SVG ? QUERY_FMT_TABLE : sh->format;
	return shell_run(sh, &rq, arg, where) == 0 ? SHELL_OK : SHELL_FAILED;
}

/* Another store or tenant; the old one stays if the new cannot be read. */
static enum shell_status
reopen(struct shell *sh, char *dir, char *tenant, const char *where)
{
	struct errbuf eb = ERRBUF_INIT;
	char *odir = sh->dir ? xstrdup(sh->dir) : NULL;
	char *otenant = sh->tenant ? xstrdup(sh->tenant) : NULL;

	shell_reopen(sh, dir, tenant);
	if (shell_input(sh, &eb) == -1) {
		shell_reopen(sh, odir, otenant);
		return failed(sh, where, eb.msg);
	}
	free(odir);
	free(otenant);
	return SHELL_OK;
}

static enum shell_status
cmd_store(struct shell *sh, const char *arg, const char *where)
{
	if (*arg == '\0')
		return say(sh, "store %s\n", sh->o.file ? sh->o.file :
		    sh->dir);
	if (sh->o.file)
		return failed(sh, where, "\\store: a stream was given (-f), not a store");
	if (reopen(sh, xstrdup(arg), sh->tenant ? xstrdup(sh->tenant) : NULL,
	    where) == SHELL_FAILED)
		return SHELL_FAILED;
	return sh->quiet ? SHELL_OK : say(sh, "store %s\n", sh->dir);
}

static enum shell_status
cmd_tenant(struct shell *sh, const char *arg, const char *where)
{
	if (reopen(sh, sh->dir ? xstrdup(sh->dir) : NULL,
	    *arg ? xstrdup(arg) : NULL, where) == SHELL_FAILED)
		return SHELL_FAILED;
	if (sh->quiet)
		return SHELL_OK;
	return say(sh, "tenant %s\n", sh->tenant ? sh->tenant :
	    "(none: every series)");
}

static enum shell_status
cmd_explain(struct shell *sh, const char *arg, const char *where)
{
	struct query_request rq = QUERY_REQUEST_INIT;
	struct errbuf eb = ERRBUF_INIT;

	if (*arg == '\0')
		return usage(sh, "explain", where);
	if (shell_input(sh, &eb) == -1)
		return failed(sh, where, eb.msg);
	shell_request(sh, &rq, arg);
	if (query_explain(sh->in.st, query_input_stream(&sh->in), &rq,
	    sh->o.out, &eb) == -1) {
		shell_error(sh, arg, where, eb.msg);
		return SHELL_FAILED;
	}
	return SHELL_OK;
}

/* Sleep until 'until' (CLOCK_MONOTONIC, ms) or a cancel. */
static void
nap(struct shell *sh, int64_t until)
{
	struct timespec now, d;
	int64_t left;

	for (;;) {
		if (sh->o.cancel && *sh->o.cancel)
			return;
		clock_gettime(CLOCK_MONOTONIC, &now);
		left = until - ((int64_t)now.tv_sec * 1000 + now.tv_nsec /
		    1000000);
		if (left <= 0)
			return;
		if (left > 100)
			left = 100;
		d.tv_sec = 0;
		d.tv_nsec = (long)left * 1000000L;
		nanosleep(&d, NULL);
	}
}

static enum shell_status
cmd_watch(struct shell *sh, const char *arg, const char *where)
{
	struct query_request rq = QUERY_REQUEST_INIT;
	struct errbuf eb = ERRBUF_INIT;
	struct timespec now;
	char word[64], t[64];
	const char *expr;
	int64_t every, next;
	size_t len = strcspn(arg, " \t");

	if (len == 0 || len >= sizeof(word))
		return usage(sh, "watch", where);
	memcpy(word, arg, len);
	word[len] = '\0';
	for (expr = arg + len; *expr == ' ' || *expr == '\t'; expr++)
		;
	if (*expr == '\0')
		return usage(sh, "watch", where);
	if (timeparse_step(word, &every, &eb) == -1)
		return failed(sh, where, eb.msg);
	shell_request(sh, &rq, expr);
	if (query_request_parse(&rq, &eb) == -1) {
		shell_error(sh, expr, where, eb.msg);
		return SHELL_FAILED;
	}
	clock_gettime(CLOCK_MONOTONIC, &now);
	next = (int64_t)now.tv_sec * 1000 + now.tv_nsec / 1000000;
	while (!(sh->o.cancel && *sh->o.cancel)) {
		shell_request(sh, &rq, expr);
		if (sh->o.out_tty)
			fputs("\033[H\033[2J", sh->o.out);	/* home, clear */
		ts_format_local(t, shell_now(sh));
		fprintf(sh->o.out, "every %s: %s    %s\n\n", word, expr, t);
		shell_run(sh, &rq, expr, where);
		next += every;
		nap(sh, next);
	}
	if (sh->o.cancel)
		*sh->o.cancel = 0;
	if (sh->o.out_tty)
		fputc('\n', sh->o.out);	/* after the terminal's ^C */
	return SHELL_OK;
}

static enum shell_status
cmd_instant(struct shell *sh, const char *arg, const char *where)
{
	if (*arg)
		return usage(sh, "instant", where);
	sh->instant = 1;
	if (sh->quiet)
		return SHELL_OK;
	return say(sh, "instant queries (\\range DURATION for a range)\n");
}

enum shell_status
shell_command(struct shell *sh, const char *name, const char *arg,
    const char *where)
{
	static const struct {
		const char *name;
		enum shell_status (*fn)(struct shell *, const char *,
		    const char *);
	} cmds[] = {
		{ "at", cmd_at }, { "explain", cmd_explain },
		{ "format", cmd_format }, { "help", shell_help },
		{ "instant", cmd_instant }, { "labels", cmd_labels },
		{ "metrics", cmd_metrics }, { "range", cmd_range },
		{ "series", cmd_series }, { "step", cmd_step },
		{ "store", cmd_store }, { "tenant", cmd_tenant },
		{ "watch", cmd_watch },
	};
	char msg[128];
	size_t i;

	if (strcmp(name, "q") == 0 || strcmp(name, "quit") == 0)
		return SHELL_QUIT;
	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (strcmp(cmds[i].name, name) == 0)
			return cmds[i].fn(sh, arg, where);
	snprintf(msg, sizeof(msg), "unknown command '\\%.64s' (\\help lists them)",
	    name);
	return failed(sh, where, msg);
}
