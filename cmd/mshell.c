/* mshell.c - the interactive query shell: readline over lib/shell */
/* SPDX-License-Identifier: MIT */
#include <err.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <readline/history.h>
#include <readline/readline.h>

#include "base/buf.h"
#include "base/cli.h"
#include "query/format.h"
#include "shell/complete.h"
#include "shell/shell.h"

enum { OPT_LOCAL = CLI_LONG, OPT_TENANT, OPT_NO_HISTORY };

static const struct cli_option options[] = {
	{ "dir", 'd', "dir", NULL,
	    "the store (default $MTK_STORE, else $XDG_DATA_HOME/mtk/store)" },
	{ "file", 'f', "file", NULL,
	    "query the stream in FILE, read into memory, not the store" },
	{ "tenant", OPT_TENANT, "tenant", NULL,
	    "see only the series of TENANT (labelled tenant=TENANT)" },
	{ "local", OPT_LOCAL, NULL, NULL,
	    "tables and charts show times in the time zone TZ, not in UTC" },
	{ "no-history", OPT_NO_HISTORY, NULL, NULL,
	    "neither read nor write the history file" },
	{ NULL, 0, NULL, NULL, NULL }
};

static const struct cli_program program = { options,
	{ NULL, "dir file tenant local no-history", NULL }, NULL, 0 };

/*
 * Readline calls back without an argument: the session and the line
 * being gathered live here, for the one shell a process runs.
 */
static struct shell *sh;
static struct buf pending;	/* the lines of an input not yet whole */
static int done;		/* \q or end of input */
static volatile sig_atomic_t cancel;	/* Ctrl-C */
static struct completion matches;	/* of the completion under way */
static size_t match_skip;		/* bytes readline's word lacks */
static const char *match_prefix;	/* or has more of */
static size_t match_prefix_len;

static void
on_sigint(int sig)
{
	(void)sig;
	cancel = 1;
}

/* One input is whole: run it, keep it in the history. */
static void
on_line(char *line)
{
	enum shell_status st;

	if (line == NULL) {		/* Ctrl-D */
		fputc('\n', rl_outstream);
		done = 1;
		return;
	}
	/* A blank line runs an open expression, to see what is wrong. */
	if (pending.len && line[strspn(line, " \t")] != '\0')
		buf_addch(&pending, '\n');
	buf_adds(&pending, line);
	if (!shell_input_done(pending.p) && line[strspn(line, " \t")]) {
		free(line);
		rl_set_prompt(shell_prompt(sh, 1));
		return;
	}
	free(line);
	/* The terminal is the query's while it runs: Ctrl-C cancels it. */
	rl_callback_handler_remove();
	if (pending.p[strspn(pending.p, " \t\n")] != '\0')
		add_history(pending.p);
	cancel = 0;
	st = shell_exec(sh, pending.p, NULL);
	buf_reset(&pending);
	if (st == SHELL_QUIT) {
		done = 1;
		return;
	}
	rl_callback_handler_install(shell_prompt(sh, 0), on_line);
}

/* The matches of complete_line(), one a call, as readline asks. */
static char *
next_match(const char *text, int state)
{
	static size_t i;
	struct buf b = BUF_INIT;
	char *s;

	(void)text;
	if (state == 0)
		i = 0;
	if (i >= matches.n)
		return NULL;
	buf_add(&b, match_prefix, match_prefix_len);
	buf_adds(&b, matches.v[i++] + match_skip);
	s = strdup(b.p);
	buf_release(&b);
	return s;
}

/*
 * Complete the word readline has from 'start' to 'end' with the words
 * complete.h gives for the word it sees, which may begin elsewhere: the
 * matches are cut or lengthened to begin where readline's word does.
 */
static char **
attempt(const char *text, int start, int end)
{
	completion_release(&matches);
	complete_line(sh, rl_line_buffer, (size_t)end, &matches);
	rl_attempted_completion_over = !matches.files;
	if (matches.files)
		return NULL;
	rl_completion_append_character = matches.space ? ' ' : '\0';
	rl_completion_suppress_quote = 1;
	match_skip = 0;
	match_prefix = "";
	match_prefix_len = 0;
	if ((size_t)start > matches.start) {
		match_skip = (size_t)start - matches.start;
	} else {
		match_prefix = rl_line_buffer + start;
		match_prefix_len = matches.start - (size_t)start;
	}
	for (size_t i = 0; i < matches.n; i++)
		if (strlen(matches.v[i]) < match_skip)
			return NULL;
	return rl_completion_matches(text, next_match);
}

/* A line given up with Ctrl-C: a fresh prompt, as a shell gives one. */
static void
abandon_line(void)
{
	rl_free_line_state();
	rl_callback_sigcleanup();
	rl_replace_line("", 0);
	fputs("^C\n", rl_outstream);
	buf_reset(&pending);
	rl_set_prompt(shell_prompt(sh, 0));
	rl_on_new_line();
	rl_redisplay();
}

static int
interactive(const char *history)
{
	struct pollfd p = { STDIN_FILENO, POLLIN, 0 };

	rl_readline_name = "mshell";
	rl_catch_signals = 0;		/* Ctrl-C is ours: see on_sigint() */
	rl_attempted_completion_function = attempt;
	/* PromQL's punctuation ends a word, and '\' of a command. */
	rl_completer_word_break_characters =
	    " \t\n\"\\'`@$><=;|&{(,[]})+-*/%^!~#";
	/* Quotes are PromQL's: complete.h closes a value's itself. */
	rl_basic_quote_characters = "";
	rl_outstream = isatty(STDOUT_FILENO) ? stdout : stderr;
	if (history) {
		stifle_history(1000);
		read_history(history);
	}
	rl_callback_handler_install(shell_prompt(sh, 0), on_line);
	while (!done) {
		if (cancel) {
			cancel = 0;
			abandon_line();
			continue;
		}
		if (poll(&p, 1, -1) == -1) {
			if (errno == EINTR)
				continue;
			warn("stdin");
			break;
		}
		rl_callback_read_char();
	}
	rl_callback_handler_remove();
	if (history && write_history(history) != 0)
		warnx("%s: cannot write the history", history);
	completion_release(&matches);
	buf_release(&pending);
	return 0;
}

int
main(int argc, char *argv[])
{
	struct shell_opts o = { NULL, NULL, NULL, stdout, stderr, 0, 0,
		&cancel };
	struct sigaction sa;
	struct cli cli;
	char *store_dir = NULL, *history = NULL;
	int key, failed;

	cli_start(&cli, &program, argc, argv);
	while ((key = cli_next(&cli)) != -1) {
		switch (key) {
		case 'd': o.dir = cli.arg; break;
		case 'f': o.file = cli.arg; break;
		case OPT_TENANT:
			if (*cli.arg == '\0')
				cli_usage_error(&cli, "--tenant: an empty name");
			o.tenant = cli.arg;
			break;
		}
	}
	cli_operands(&cli, &argc, &argv);
	if (!cli_given(&cli, OPT_LOCAL))
		setenv("TZ", "UTC0", 1);
	tzset();
	if (o.file == NULL)
		o.dir = store_dir = cli_store_dir(o.dir);
	o.out_tty = isatty(STDOUT_FILENO);
	o.color = cli_color(STDOUT_FILENO);

	/* Ctrl-C stops a query (the evaluator looks at 'cancel'), not us. */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_sigint;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);

	sh = shell_new(&o);
	if (isatty(STDIN_FILENO)) {
		if (!cli_given(&cli, OPT_NO_HISTORY))
			history = cli_state_path("mshell_history");
		failed = interactive(history);
	} else {
		failed = shell_script(sh, stdin, "<stdin>");
	}
	if (shell_bad(sh))
		failed++;
	shell_free(sh);
	free(history);
	free(store_dir);
	return cli_finish(failed ? CLI_EXIT_FAIL : CLI_EXIT_OK);
}
