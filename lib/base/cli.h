/* cli.h - what every mtk binary shares: exit codes, usage, help, version */
/* SPDX-License-Identifier: MIT */
#ifndef MTK_CLI_H
#define MTK_CLI_H

#include <getopt.h>
#include <stddef.h>

/* Exit codes, listed in every man page that uses them. */
enum {
	CLI_EXIT_OK = 0,	/* success */
	CLI_EXIT_FAIL = 1,	/* I/O, data or network failure; bad records */
	CLI_EXIT_USAGE = 2	/* bad command line */
};

/*
 * Call first in main().  Restores SIGPIPE to its default so a closed pipe
 * ends a filter quietly, and answers a lone '--list-options' by printing
 * the long options in 'longopts' (one per line, "--name" or "--name=")
 * and exiting 0; the shell completions use that.
 */
void cli_init(int argc, char *argv[], const struct option *longopts);

/*
 * The words an option's value may be, for the shell completions: the
 * 'i'-th (from 0) for long option 'opt' (its name without dashes; "" for
 * the first word of the command line, a command), or NULL past the last
 * one, or for an option that takes anything.
 */
typedef const char *(*cli_value_fn)(const char *opt, size_t i);

/*
 * Call after cli_init().  Answers a lone '--list-values=NAME' by printing
 * what 'fn' gives for option NAME (a long option, or a short one of
 * 'longopts'), one word per line (nothing for an option that takes
 * anything, and for every option when 'fn' is NULL), and exiting 0.
 */
void cli_list_values(int argc, char *argv[], const struct option *longopts,
    cli_value_fn fn);

/* Print 'usage' to stderr and exit CLI_EXIT_USAGE. */
void cli_usage(const char *usage) __attribute__((noreturn));

/*
 * Print "prog: <message>" then 'usage' to stderr and exit CLI_EXIT_USAGE.
 */
void cli_usage_error(const char *usage, const char *fmt, ...)
	__attribute__((noreturn, format(printf, 2, 3)));

/* Print 'usage' and 'help' to stdout and exit 0 (after checking stdout). */
void cli_help(const char *usage, const char *help) __attribute__((noreturn));

/* Print "prog VERSION" to stdout and exit 0 (after checking stdout). */
void cli_version(void) __attribute__((noreturn));

/*
 * Flush and close stdout; if that fails (a full disk, /dev/full, a closed
 * pipe with SIGPIPE ignored) report it and return CLI_EXIT_FAIL, otherwise
 * return 'rc'.  Use as 'return cli_finish(rc);'.
 */
int cli_finish(int rc);

/* The program name, as err(3) prints it. */
const char *cli_progname(void);

#endif
