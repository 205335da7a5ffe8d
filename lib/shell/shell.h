/* shell.h - mshell's session: what is queried, how, and the commands that change it */
/* SPDX-License-Identifier: MIT */
#ifndef MTK_SHELL_H
#define MTK_SHELL_H

#include <signal.h>
#include <stdint.h>
#include <stdio.h>

#include "base/errbuf.h"

/*
 * A session of mshell(1): the store or stream it reads, and the settings
 * every query takes from it: a range (the last hour by default) or an
 * instant, the step, the time queries end at, the output format.  One
 * input at a time is run with shell_exec(): a PromQL expression, or a
 * backslash command that changes the settings or lists what the store
 * holds.  No terminal is needed here: repl.h reads the input (readline
 * on a terminal), complete.h completes words.
 */

struct shell_opts {
	const char *dir;	/* the store (default: cli_store_dir()'s) */
	const char *file;	/* or a stream file, read into memory */
	const char *tenant;	/* see only its series; NULL: all */
	FILE *out;		/* answers */
	FILE *err;		/* errors and notes */
	int out_tty;		/* 'out' is a terminal: charts by default */
	int color;		/* colours in charts (cli_color()) */
	/* Set by SIGINT: a running query stops, \watch ends.  The shell
	 * clears it when it has done so. */
	volatile sig_atomic_t *cancel;
};

struct shell;

/*
 * A new session with 'o' (copied; its strings and files borrowed).  The
 * store is opened at the first query or completion that needs it, so
 * that the prompt comes at once.
 */
struct shell *shell_new(const struct shell_opts *o);
void shell_free(struct shell *sh);

/*
 * The bad records of the stream read and the damaged files of the store
 * passed over so far (each told on 'err' when met): answers were of the
 * rest, and mshell exits 1, as mquery does.
 */
uint64_t shell_bad(const struct shell *sh);

/* What shell_exec() did. */
enum shell_status {
	SHELL_OK = 0,
	SHELL_FAILED = -1,	/* the input failed; told on 'err' */
	SHELL_QUIT = 1		/* \q */
};

/*
 * Run one input: "\command args" or a PromQL expression (which may span
 * lines).  An error goes to o->err: a syntax error as the input with a
 * caret under the column, when 'where' is NULL; otherwise as
 * "where: message" ("queries.txt:3: 1:5: parse error: ...").
 */
enum shell_status shell_exec(struct shell *sh, const char *input,
    const char *where);

/*
 * Run the inputs read from 'in' (named 'name' in messages), without
 * prompts: an expression may span lines (until its brackets close, a
 * blank line or a command); blank lines and lines starting with '#'
 * between inputs are skipped.
 * Errors are told as "name:LINE: message" and the next input is run.
 * A command that changes a setting does not echo it, as it does
 * otherwise ("range 6h"); asked without an argument, it says it.
 * Stops at the end or at \q.  Returns the number of inputs that failed.
 */
int shell_script(struct shell *sh, FILE *in, const char *name);

/*
 * Whether 'text' is a whole input rather than the start of one: a
 * backslash command, or an expression whose brackets and quotes are all
 * closed.  A shell reads more lines while this says 0.
 */
int shell_input_done(const char *text);

/*
 * The prompt for the current settings: "mshell 1h> ", "mshell @now> "
 * for instant queries, with the tenant when there is one; a shorter
 * "...> " for the lines that continue an input.  Borrowed until the next
 * call.
 */
const char *shell_prompt(struct shell *sh, int continued);

/*
 * The words a word of input may become, for completion (complete.h
 * asks): the metric names (label NULL, prefix "") or the label names
 * of 'metric' (NULL: of every series) or the values of 'label' in the
 * series of 'metric'.  Held by the session for a few seconds (a store
 * with a hundred thousand series answers in milliseconds, but not in
 * microseconds), sorted, borrowed until the next call; their number in
 * '*n'.  NULL when they cannot be had (no store yet: nothing to offer).
 */
enum shell_words {
	SHELL_WORDS_METRICS,
	SHELL_WORDS_LABELS,
	SHELL_WORDS_VALUES
};
const char *const *shell_words(struct shell *sh, enum shell_words what,
    const char *metric, const char *label, size_t *n);

/* The backslash commands, for completion and \help: NULL-ended. */
struct shell_command {
	const char *name;	/* "range", without the backslash */
	const char *args;	/* "DURATION", or "" */
	const char *help;	/* one line */
};
extern const struct shell_command shell_commands[];

#endif
