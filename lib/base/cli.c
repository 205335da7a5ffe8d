/* cli.c - usage, help, version and exit handling shared by the binaries */
/* SPDX-License-Identifier: MIT */
#include <err.h>
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/cli.h"

const char *
cli_progname(void)
{
	/* glibc's name for what BSD calls getprogname(). */
	return program_invocation_short_name;
}

void
cli_init(int argc, char *argv[], const struct option *longopts)
{
	const struct option *o;

	signal(SIGPIPE, SIG_DFL);
	if (argc == 2 && strcmp(argv[1], "--list-options") == 0) {
		for (o = longopts; o && o->name; o++)
			printf("--%s%s\n", o->name,
			    o->has_arg == required_argument ? "=" : "");
		exit(cli_finish(CLI_EXIT_OK));
	}
}

void
cli_list_values(int argc, char *argv[], const struct option *longopts,
    cli_value_fn fn)
{
	static const char flag[] = "--list-values=";
	const struct option *o;
	const char *name, *w;
	size_t i;

	if (argc != 2 || strncmp(argv[1], flag, sizeof(flag) - 1) != 0)
		return;
	name = argv[1] + sizeof(flag) - 1;
	/* A short option: its long name. */
	if (name[0] != '\0' && name[1] == '\0')
		for (o = longopts; o && o->name; o++)
			if (o->flag == NULL && o->val == name[0])
				name = o->name;
	for (i = 0; fn && (w = fn(name, i)) != NULL; i++)
		printf("%s\n", w);
	exit(cli_finish(CLI_EXIT_OK));
}

void
cli_usage(const char *usage)
{
	fputs(usage, stderr);
	exit(CLI_EXIT_USAGE);
}

void
cli_usage_error(const char *usage, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vwarnx(fmt, ap);
	va_end(ap);
	cli_usage(usage);
}

void
cli_help(const char *usage, const char *help)
{
	fputs(usage, stdout);
	fputs(help, stdout);
	exit(cli_finish(CLI_EXIT_OK));
}

void
cli_version(void)
{
	printf("%s %s\n", cli_progname(), MTK_VERSION);
	exit(cli_finish(CLI_EXIT_OK));
}

int
cli_finish(int rc)
{
	int bad = ferror(stdout);

	if (fclose(stdout) != 0 || bad) {
		if (errno == 0)
			errno = EIO;
		warn("write error on standard output");
		return CLI_EXIT_FAIL;
	}
	return rc;
}
