/* cli.h - what every mtk program shares: options as data, usage, exit codes */
/* SPDX-License-Identifier: MIT */
#ifndef MTK_CLI_H
#define MTK_CLI_H

#include <getopt.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Adding a program
 * ================
 *
 *  1. cmd/NAME.c: a table of its options (struct cli_option: long name,
 *     letter or CLI_LONG + n, the value as usage names it, one line of
 *     help, the words the value may be), its commands if it has any
 *     (struct cli_command), and main():
 *
 *	struct cli cli;
 *	cli_start(&cli, &program, argc, argv);
 *	while ((key = cli_next(&cli)) != -1) {
 *		switch (key) {		one case per option; -h, -V and bad
 *		case 'd': ...		options are answered by cli_next()
 *		}
 *	}
 *	cmd = cli_operands(&cli, &argc, &argv);
 *	... one call into lib/ ...
 *	return cli_finish(rc);
 *
 *     The usage line, --help, --list-options, --list-values and the
 *     getopt tables all come from the table: an option is written once.
 *  2. man/man1/NAME.1 (mdoc): its SYNOPSIS is the usage 'NAME -h' prints
 *     (t0001 compares them), every long option has an entry, EXIT STATUS
 *     lists every code the program uses, and the '.Dl $' examples run.
 *  3. completions: add NAME to the 'complete' line of mtk.bash, the loop
 *     of mtk.fish and the #compdef line of _mtk.
 *  4. tests/tNNNN-NAME-TOPIC.sh for what it does.  t0001 and t0002 check
 *     every binary in build/bin for -h, -V, a bad option, a full stdout,
 *     --list-options against -h and the man page, and the completions.
 *  5. A line in README's table of programs, and one in CHANGELOG.
 *
 * The Makefile builds every cmd/NAME.c into build/bin/NAME by itself.
 */

/* Exit codes; every man page lists those its program uses. */
enum {
	CLI_EXIT_OK = 0,	/* success */
	CLI_EXIT_FAIL = 1,	/* I/O, data or network failure; bad records */
	CLI_EXIT_USAGE = 2,	/* bad command line */
	CLI_EXIT_BUSY = 75	/* another process holds the lock (EX_TEMPFAIL) */
};

/* The key of the first option without a letter; number the others on. */
#define CLI_LONG 256

/*
 * An option.  A table of them ends with one whose 'name' is NULL.
 * '--help' (-h) and '--version' (-V) are every program's: not in tables.
 */
struct cli_option {
	const char *name;	/* the long name, without "--" */
	int key;		/* its letter, or CLI_LONG + n: cli_next() returns it */
	const char *arg;	/* its value as usage writes it ("dir"), NULL: none */
	/*
	 * The 'i'-th (from 0) word the value may be, NULL past the last;
	 * NULL when the value is not one of a list.  --list-values and
	 * cli_bad_value() print them.
	 */
	const char *(*word)(size_t i);
	const char *help;	/* --help's text for it; "\n" starts another line */
};

/*
 * A form of the command line: the program alone, or with a command, the
 * first operand ("mstore init").
 */
struct cli_command {
	const char *name;	/* the command; NULL for the program alone */
	const char *options;	/* the long names of the options it takes,
				   blank-separated; NULL: all of them */
	const char *operands;	/* as usage writes them ("[file ...]"), or
				   NULL when it takes none */
};

struct cli_program {
	const struct cli_option *options;
	struct cli_command plain;	/* without a command (name NULL) */
	const struct cli_command *commands;	/* NULL, or ends with a NULL name */
	/*
	 * The exit status of a usage error; 0: CLI_EXIT_USAGE.  A check for
	 * Nagios exits 3 (UNKNOWN): 2 would say CRITICAL.
	 */
	int usage_status;
};

/* No program has more options than this (t0001 would fail first). */
#define CLI_OPTIONS_MAX 48

/* The parsing state of one command line.  Fill with cli_start(). */
struct cli {
	const struct cli_program *prog;
	int argc;
	char **argv;
	const char *arg;	/* the value of the option cli_next() returned */
	/* Private: the getopt tables made from prog->options. */
	char optstring[3 * CLI_OPTIONS_MAX + 8];
	struct option longopts[CLI_OPTIONS_MAX + 3];
	unsigned char seen[CLI_OPTIONS_MAX];
	size_t nopts;
};

/*
 * Call first in main().  Fills 'c' for 'prog' (borrowed, as are 'argv'
 * and its strings, for as long as 'c' is used) and restores SIGPIPE to
 * its default, so that a closed pipe ends a filter quietly.  Answers for
 * the shell completions, printing on stdout and exiting 0:
 *
 *	prog --list-options		the long options, one per line,
 *					"--name" or "--name=" (takes a value)
 *	prog --list-values=NAME		the words option NAME (long, or its
 *					letter) may be; nothing for any value
 *	prog --list-values=		the commands
 */
void cli_start(struct cli *c, const struct cli_program *prog, int argc,
    char *argv[]);

/*
 * The next option on the command line: its key, with its value in
 * 'c->arg' (NULL for a flag), or -1 when there is none left.  Answers -h
 * (usage and --help text on stdout, exit 0) and -V (the version, exit 0)
 * itself, and a bad option or a missing value with the usage on stderr
 * and exit CLI_EXIT_USAGE.  Operands may come before, between or after
 * options ("--" ends the options).
 */
int cli_next(struct cli *c);

/*
 * Call when cli_next() returned -1.  Sets '*argc' and '*argv' to the
 * operands, after the command if there is one, and returns the command
 * (borrowed from the table) or NULL.
 *
 * The first operand is the command when it is the name of one; a file
 * of that name is then written "./name".  A first operand that is not
 * a command, not an existing file, and close to a command (one typing
 * error in a word of up to four letters, two in longer ones) is a usage
 * error: "'stat' is not a command or a file: did you mean 'stats'?".
 *
 * Every option given must be one the form takes, and operands need a
 * form that takes them, else it is a usage error ("--since goes with
 * 'mstore export'", "'mstore stats' takes no --strict", "unexpected
 * argument 'x'").
 */
const char *cli_operands(struct cli *c, int *argc, char ***argv);

/* Whether the option 'key' was given. */
int cli_given(const struct cli *c, int key);

/*
 * Print "prog: <message>" and the usage to stderr, and exit
 * CLI_EXIT_USAGE.
 */
void cli_usage_error(const struct cli *c, const char *fmt, ...)
	__attribute__((noreturn, format(printf, 2, 3)));

/*
 * A usage error for 'value', which is not one of the words of option
 * 'key': "unknown <noun> 'value' (one of: a, b, c)".
 */
void cli_bad_value(const struct cli *c, int key, const char *noun,
    const char *value) __attribute__((noreturn));

/*
 * Parse 's', the value of option 'key', as a time (timeparse_time(),
 * relative times counted from 'now') or a duration of more than zero
 * (timeparse_duration()); a usage error "--opt: <reason>" otherwise.
 */
int64_t cli_time(const struct cli *c, int key, const char *s, int64_t now);
int64_t cli_duration(const struct cli *c, int key, const char *s);

/*
 * Parse 's', the value of option 'key', as a whole number from 0; a
 * usage error "--opt: invalid number 's'" otherwise.
 */
uint64_t cli_count(const struct cli *c, int key, const char *s);

/*
 * The store directory: 'dir' when not NULL (the -d option), else
 * $MTK_STORE, else $XDG_DATA_HOME/mtk/store, else
 * ~/.local/share/mtk/store.  Returns a new string (free(3) it); exits
 * CLI_EXIT_FAIL with a message when there is none (no HOME).
 */
char *cli_store_dir(const char *dir);

/*
 * A secret from a file, never from the command line (where ps(1) shows
 * it): the first line of 'path', without its line end.  Returns a new
 * string; exits CLI_EXIT_FAIL with a message when the file cannot be
 * read or is empty.
 */
char *cli_read_secret(const char *path);

/*
 * The file 'name' in the state directory, $XDG_STATE_HOME/mtk, else
 * ~/.local/state/mtk, made (mode 0700) when missing.  Returns a new
 * string; exits CLI_EXIT_FAIL with a message when there is none.
 */
char *cli_state_path(const char *name);

/*
 * The size of the terminal on 'fd': its columns and rows, else COLUMNS
 * and LINES from the environment, else 80 by 24.
 */
void cli_term_size(int fd, int *cols, int *rows);

/*
 * Whether to write colours to 'fd': a terminal, NO_COLOR unset or
 * empty (no-color.org), and TERM not "dumb".
 */
int cli_color(int fd);

/*
 * Catch SIGINT and SIGTERM with 'handler', a function of the program
 * that sets its own stop flag (a volatile sig_atomic_t: a handler can
 * safely do nothing else).  System calls interrupted by them are
 * restarted, but for those that never are (poll, sigsuspend).  With
 * 'waitmask', the two are also blocked, and '*waitmask' is set to the
 * mask to wait with (sigsuspend(2), ppoll(2)): they then arrive only
 * while waiting.
 */
void cli_catch_stop(void (*handler)(int), sigset_t *waitmask);

/*
 * Flush and close stdout; if that fails (a full disk, /dev/full, a closed
 * pipe with SIGPIPE ignored) report it and return CLI_EXIT_FAIL, otherwise
 * return 'rc'.  Use as 'return cli_finish(rc);'.
 */
int cli_finish(int rc);

/*
 * A warning callback of lib/ (a bad record, a failed target): 'msg' to
 * standard error after the program's name, as warnx(3); 'arg' unused.
 */
void cli_warn(void *arg, const char *msg);

/* The program name, as err(3) prints it. */
const char *cli_progname(void);

#endif
