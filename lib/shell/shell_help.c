/* shell_help.c - mshell's \help */
/* SPDX-License-Identifier: MIT */
#include <string.h>

#include "base/buf.h"
#include "promql/promql_help.h"
#include "promql/promql_print.h"
#include "shell/shell_help.h"
#include "shell/shell_int.h"

/* The settings every query takes, as \help shows them first. */
static void
settings(struct shell *sh)
{
	struct buf b = BUF_INIT;

	if (sh->instant) {
		buf_adds(&b, "instant queries");
	} else {
		buf_adds(&b, "range ");
		promql_print_duration(&b, sh->range);
		buf_adds(&b, ", step ");
		if (sh->step)
			promql_print_duration(&b, sh->step);
		else
			buf_adds(&b, "auto");
	}
	buf_addf(&b, ", at %s, format %s", sh->at_set ? sh->at_text : "now",
	    sh->format_auto ? "auto" : "as set");
	fprintf(sh->o.out, "%s; %s %s%s%s\n\n", b.p,
	    sh->o.file ? "stream" : "store", sh->o.file ? sh->o.file : sh->dir,
	    sh->tenant ? ", tenant " : "", sh->tenant ? sh->tenant : "");
	buf_release(&b);
}

static const struct shell_command *
command(const char *name)
{
	const struct shell_command *c;

	if (*name == '\\')
		name++;
	for (c = shell_commands; c->name; c++)
		if (strcmp(c->name, name) == 0)
			return c;
	return NULL;
}

/* A function's, operator's or keyword's entry, as \\help NAME prints it. */
static void
topic_entry(struct shell *sh, const struct promql_help *h)
{
	static const char *const kinds[] = { "function", "aggregation",
		"operator", "keyword" };
	const char *p, *e;

	fprintf(sh->o.out, "%s  (%s)\n\n", h->synopsis, kinds[h->kind]);
	for (p = h->text; *p; p = *e ? e + 1 : e) {
		e = p + strcspn(p, "\n");
		fprintf(sh->o.out, "    %.*s\n", (int)(e - p), p);
	}
	fprintf(sh->o.out, "\n  example: %s\n", h->example);
	fflush(sh->o.out);
}

enum shell_status
shell_help(struct shell *sh, const char *topic, const char *where)
{
	const struct shell_command *c;
	const struct promql_help *h;
	struct buf b;
	char msg[512];
	int n = 0;

	if (*topic == '\0') {
		settings(sh);
		fputs("An expression is evaluated with these settings; a "
		    "command changes them:\n\n", sh->o.out);
		for (c = shell_commands; c->name; c++)
			fprintf(sh->o.out, "  \\%-8s %-16s %s\n", c->name,
			    c->args, c->help);
		fputs("\n\\help NAME tells of a command, function or "
		    "operator; \\help functions lists\nthe functions.  "
		    "Tab completes names; Ctrl-C cancels a query; Ctrl-D "
		    "quits.\n", sh->o.out);
		fflush(sh->o.out);
		return SHELL_OK;
	}
	if ((c = command(topic)) != NULL) {
		fprintf(sh->o.out, "\\%s %s\n    %s\n", c->name, c->args,
		    c->help);
		fflush(sh->o.out);
		return SHELL_OK;
	}
	if (strcmp(topic, "functions") == 0) {
		for (h = promql_help; h->name; h++)
			if (h->kind == PROMQL_HELP_FUNCTION)
				fprintf(sh->o.out, "%s\n", h->synopsis);
		fflush(sh->o.out);
		return SHELL_OK;
	}
	if ((h = promql_help_lookup(topic)) != NULL) {
		topic_entry(sh, h);
		return SHELL_OK;
	}
	/* Not a name: those that hold it, for a word half remembered. */
	b = (struct buf)BUF_INIT;
	for (h = promql_help; h->name && n < 8; h++)
		if (strstr(h->name, topic) != NULL)
			buf_addf(&b, "%s%s", n++ ? ", " : "", h->name);
	for (c = shell_commands; c->name && n < 8; c++)
		if (strstr(c->name, topic) != NULL)
			buf_addf(&b, "%s\\%s", n++ ? ", " : "", c->name);
	if (n)
		snprintf(msg, sizeof(msg), "no help on '%.64s' (but on: %s)",
		    topic, b.p);
	else
		snprintf(msg, sizeof(msg), "no help on '%.64s' (\\help "
		    "functions lists the functions)", topic);
	buf_release(&b);
	shell_error(sh, NULL, where, msg);
	return SHELL_FAILED;
}
