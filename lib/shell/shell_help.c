/* shell_help.c - mshell's \help */
/* SPDX-License-Identifier: MIT */
#include <string.h>

#include "base/buf.h"
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

enum shell_status
shell_help(struct shell *sh, const char *topic, const char *where)
{
	const struct shell_command *c;
	char msg[160];

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
	snprintf(msg, sizeof(msg), "no help on '%.64s'", topic);
	shell_error(sh, NULL, where, msg);
	return SHELL_FAILED;
}
