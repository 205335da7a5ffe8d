/* cli.c - command lines from option tables: parsing, usage, help, completions */
/* SPDX-License-Identifier: MIT */
#include <assert.h>
#include <ctype.h>
#include <err.h>
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/cli.h"
#include "base/timeparse.h"
#include "base/xalloc.h"

/* Usage lines wrap before this column. */
#define USAGE_WIDTH 80
/* --help's text starts at this column at most; longer options push it. */
#define HELP_COLUMN_MAX 30

const char *
cli_progname(void)
{
	/* glibc's name for what BSD calls getprogname(). */
	return program_invocation_short_name;
}

static const struct cli_option *
option_by_key(const struct cli *c, int key, size_t *idx)
{
	size_t i;

	for (i = 0; i < c->nopts; i++)
		if (c->prog->options[i].key == key) {
			if (idx)
				*idx = i;
			return &c->prog->options[i];
		}
	return NULL;
}

/* Whether the form 'f' takes the option called 'name'. */
static int
takes(const struct cli_command *f, const char *name)
{
	size_t n = strlen(name);
	const char *p;

	if (f->options == NULL)
		return 1;
	for (p = f->options; (p = strstr(p, name)) != NULL; p += n)
		if ((p == f->options || p[-1] == ' ') &&
		    (p[n] == ' ' || p[n] == '\0'))
			return 1;
	return 0;
}

/*
 * Usage.  The order is style(9)'s, and the man pages' SYNOPSIS: letters
 * without a value in one bracket, long options without a value, letters
 * with a value, long options with a value, then the operands.
 */

struct line {
	FILE *fp;
	int col, indent;
};

static void
put(struct line *l, const char *tok)
{
	int n = (int)strlen(tok);

	if (l->col + 1 + n >= USAGE_WIDTH && l->col > l->indent) {
		fprintf(l->fp, "\n%*s%s", l->indent, "", tok);
		l->col = l->indent + n;
	} else {
		fprintf(l->fp, " %s", tok);
		l->col += 1 + n;
	}
}

/* Case-insensitive, a lower-case letter before its capital: -hnvV. */
static int
letter_cmp(int a, int b)
{
	int d = tolower(a) - tolower(b);

	return d ? d : a == b ? 0 : islower(a) ? -1 : 1;
}

static int
option_cmp(const struct cli_option *a, const struct cli_option *b)
{
	int la = a->key < CLI_LONG, lb = b->key < CLI_LONG;

	if (la != lb)
		return la ? -1 : 1;
	return la ? letter_cmp(a->key, b->key) : strcmp(a->name, b->name);
}

static void
usage_form(const struct cli *c, FILE *fp, const struct cli_command *f,
    int first)
{
	const struct cli_option *opt = c->prog->options, *v[CLI_OPTIONS_MAX];
	struct line l = { fp, 0, 0 };
	char tok[256], letters[CLI_OPTIONS_MAX + 3];
	size_t i, j, n = 0, nl = 0;
	int pass;

	l.col = fprintf(fp, "%s%s", first ? "usage: " : "       ",
	    cli_progname());
	l.indent = l.col + 1;
	if (f->name) {
		fprintf(fp, " %s", f->name);
		l.col += 1 + (int)strlen(f->name);
	}
	if (f == &c->prog->plain) {
		letters[nl++] = 'h';
		letters[nl++] = 'V';
	}
	for (i = 0; i < c->nopts; i++) {
		if (!takes(f, opt[i].name))
			continue;
		if (opt[i].arg == NULL && opt[i].key < CLI_LONG)
			letters[nl++] = (char)opt[i].key;
		else
			v[n++] = &opt[i];
	}
	/* Insertion sorts: a table is a few dozen options at most. */
	for (i = 1; i < nl; i++)
		for (j = i; j > 0 && letter_cmp(letters[j - 1], letters[j]) > 0; j--) {
			char t = letters[j];
			letters[j] = letters[j - 1];
			letters[j - 1] = t;
		}
	for (i = 1; i < n; i++)
		for (j = i; j > 0 && option_cmp(v[j - 1], v[j]) > 0; j--) {
			const struct cli_option *t = v[j];
			v[j] = v[j - 1];
			v[j - 1] = t;
		}
	if (nl > 0) {
		snprintf(tok, sizeof(tok), "[-%.*s]", (int)nl, letters);
		put(&l, tok);
	}
	/* Flags first, then options with a value; letters before names. */
	for (pass = 0; pass < 2; pass++)
		for (i = 0; i < n; i++) {
			if ((v[i]->arg != NULL) != pass)
				continue;
			if (v[i]->arg == NULL)
				snprintf(tok, sizeof(tok), "[--%s]", v[i]->name);
			else if (v[i]->key < CLI_LONG)
				snprintf(tok, sizeof(tok), "[-%c %s]", v[i]->key,
				    v[i]->arg);
			else
				snprintf(tok, sizeof(tok), "[--%s=%s]", v[i]->name,
				    v[i]->arg);
			put(&l, tok);
		}
	if (f->operands)
		put(&l, f->operands);
	fputc('\n', fp);
}

static void
usage_write(const struct cli *c, FILE *fp)
{
	const struct cli_command *f;

	usage_form(c, fp, &c->prog->plain, 1);
	for (f = c->prog->commands; f && f->name; f++)
		usage_form(c, fp, f, 0);
}

/* "  -d, --dir=DIR" into 'out'; returns its length. */
static int
help_left(char *out, size_t len, int letter, const char *name,
    const char *arg)
{
	int n;

	n = letter ? snprintf(out, len, "  -%c, --%s", letter, name) :
	    snprintf(out, len, "      --%s", name);
	if (arg && n >= 0 && (size_t)n < len) {
		out[n++] = '=';
		for (; *arg && (size_t)n + 1 < len; arg++)
			out[n++] = (char)toupper((unsigned char)*arg);
		out[n] = '\0';
	}
	return n;
}

static void
help_line(FILE *fp, int col, int letter, const char *name, const char *arg,
    const char *help)
{
	char left[128];
	const char *nl;
	int n = help_left(left, sizeof(left), letter, name, arg);

	fputs(left, fp);
	if (n + 2 > col)
		fprintf(fp, "\n%*s", col, "");
	else
		fprintf(fp, "%*s", col - n, "");
	/* Each further line of the text starts at the same column. */
	while ((nl = strchr(help, '\n')) != NULL) {
		fprintf(fp, "%.*s\n%*s", (int)(nl - help), help, col, "");
		help = nl + 1;
	}
	fprintf(fp, "%s\n", help);
}

static void __attribute__((noreturn))
help(const struct cli *c)
{
	const struct cli_option *o;
	char left[128];
	int col = 0, n;

	usage_write(c, stdout);
	for (o = c->prog->options; o->name; o++) {
		n = help_left(left, sizeof(left), o->key < CLI_LONG ? o->key : 0,
		    o->name, o->arg) + 2;
		if (n > col && n <= HELP_COLUMN_MAX)
			col = n;
	}
	for (o = c->prog->options; o->name; o++)
		help_line(stdout, col, o->key < CLI_LONG ? o->key : 0, o->name,
		    o->arg, o->help);
	help_line(stdout, col, 'h', "help", NULL, "this help");
	help_line(stdout, col, 'V', "version", NULL, "the version");
	exit(cli_finish(CLI_EXIT_OK));
}

static void __attribute__((noreturn))
version(void)
{
	printf("%s %s\n", cli_progname(), MTK_VERSION);
	exit(cli_finish(CLI_EXIT_OK));
}

/* Answer "--list-values=NAME" (NAME: a long name, a letter, or nothing). */
static void __attribute__((noreturn))
list_values(const struct cli *c, const char *name)
{
	const struct cli_command *f;
	const struct cli_option *o;
	const char *w;
	size_t i;

	if (*name == '\0') {
		for (f = c->prog->commands; f && f->name; f++)
			printf("%s\n", f->name);
		exit(cli_finish(CLI_EXIT_OK));
	}
	for (o = c->prog->options; o->name; o++)
		if (strcmp(o->name, name) == 0 ||
		    (name[1] == '\0' && o->key == (unsigned char)name[0]))
			break;
	for (i = 0; o->name && o->word && (w = o->word(i)) != NULL; i++)
		printf("%s\n", w);
	exit(cli_finish(CLI_EXIT_OK));
}

void
cli_start(struct cli *c, const struct cli_program *prog, int argc,
    char *argv[])
{
	static const char values[] = "--list-values=";
	const struct cli_option *o;
	size_t n = 0, i;

	memset(c, 0, sizeof(*c));
	c->prog = prog;
	c->argc = argc;
	c->argv = argv;
	signal(SIGPIPE, SIG_DFL);
	for (o = prog->options; o->name; o++) {
		assert(c->nopts < CLI_OPTIONS_MAX);
		assert(o->key != 'h' && o->key != 'V');
		c->longopts[c->nopts++] = (struct option){ o->name,
		    o->arg ? required_argument : no_argument, NULL, o->key };
		if (o->key < CLI_LONG) {
			c->optstring[n++] = (char)o->key;
			if (o->arg)
				c->optstring[n++] = ':';
		}
	}
	c->optstring[n++] = 'h';
	c->optstring[n++] = 'V';
	c->optstring[n] = '\0';
	i = c->nopts;
	c->longopts[i++] = (struct option){ "help", no_argument, NULL, 'h' };
	c->longopts[i++] = (struct option){ "version", no_argument, NULL, 'V' };
	c->longopts[i] = (struct option){ NULL, 0, NULL, 0 };

	if (argc == 2 && strcmp(argv[1], "--list-options") == 0) {
		for (i = 0; c->longopts[i].name; i++)
			printf("--%s%s\n", c->longopts[i].name,
			    c->longopts[i].has_arg ? "=" : "");
		exit(cli_finish(CLI_EXIT_OK));
	}
	if (argc == 2 && strncmp(argv[1], values, sizeof(values) - 1) == 0)
		list_values(c, argv[1] + sizeof(values) - 1);
}

static int
usage_status(const struct cli *c)
{
	return c->prog->usage_status ? c->prog->usage_status : CLI_EXIT_USAGE;
}

int
cli_next(struct cli *c)
{
	size_t i;
	int key;

	key = getopt_long(c->argc, c->argv, c->optstring, c->longopts, NULL);
	c->arg = optarg;
	switch (key) {
	case -1:
		return -1;
	case 'h':
		help(c);
	case 'V':
		version();
	}
	/* getopt_long() has said what is wrong: '?' or an unknown key. */
	if (option_by_key(c, key, &i) == NULL) {
		usage_write(c, stderr);
		exit(usage_status(c));
	}
	c->seen[i] = 1;
	return key;
}

int
cli_given(const struct cli *c, int key)
{
	size_t i;

	return option_by_key(c, key, &i) != NULL && c->seen[i];
}

/*
 * The optimal string alignment distance of 'a' and 'b': insertions,
 * deletions, substitutions and swaps of neighbours, each counting one.
 */
static size_t
distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), i, j, d[33][33];

	if (la > 32 || lb > 32)
		return 99;
	for (i = 0; i <= la; i++)
		d[i][0] = i;
	for (j = 0; j <= lb; j++)
		d[0][j] = j;
	for (i = 1; i <= la; i++)
		for (j = 1; j <= lb; j++) {
			size_t cost = a[i - 1] != b[j - 1], m = d[i - 1][j - 1] + cost;
			if (d[i - 1][j] + 1 < m)
				m = d[i - 1][j] + 1;
			if (d[i][j - 1] + 1 < m)
				m = d[i][j - 1] + 1;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] &&
			    a[i - 2] == b[j - 1] && d[i - 2][j - 2] + 1 < m)
				m = d[i - 2][j - 2] + 1;
			d[i][j] = m;
		}
	return d[la][lb];
}

/* The command closest to 'word', if close enough to be a typing error. */
static const char *
near_command(const struct cli *c, const char *word)
{
	const struct cli_command *f;
	const char *best = NULL;
	size_t d, bestd = 99;

	for (f = c->prog->commands; f && f->name; f++)
		if ((d = distance(word, f->name)) < bestd) {
			bestd = d;
			best = f->name;
		}
	return bestd <= (strlen(word) <= 4 ? 1u : 2u) ? best : NULL;
}

/* 'f' as the user types it: "mstore", "mstore init". */
static const char *
form_text(char *buf, size_t len, const struct cli_command *f)
{
	snprintf(buf, len, "%s%s%s", cli_progname(), f->name ? " " : "",
	    f->name ? f->name : "");
	return buf;
}

/* A usage error for option 'o', given but not taken by form 'f'. */
static void __attribute__((noreturn))
not_taken(const struct cli *c, const struct cli_command *f,
    const struct cli_option *o)
{
	const struct cli_command *g, *only = NULL;
	const struct cli_option *p;
	char list[512] = "", text[128];
	size_t nforms = 0, n = 0, k;

	if (takes(&c->prog->plain, o->name))
		nforms++;
	for (g = c->prog->commands; g && g->name; g++)
		if (takes(g, o->name)) {
			only = g;
			nforms++;
		}
	if (nforms != 1 || only == NULL)
		cli_usage_error(c, "'%s' takes no --%s",
		    form_text(text, sizeof(text), f), o->name);
	/* "--since and --until go with 'mstore export'": its own options. */
	for (p = c->prog->options; p->name; p++)
		n += takes(only, p->name) && !takes(f, p->name);
	for (p = c->prog->options, k = 0; p->name; p++) {
		if (!takes(only, p->name) || takes(f, p->name))
			continue;
		k++;
		snprintf(list + strlen(list), sizeof(list) - strlen(list),
		    "%s--%s", k == 1 ? "" : k == n ? " and " : ", ", p->name);
	}
	cli_usage_error(c, "%s %s with '%s'", list, n == 1 ? "goes" : "go",
	    form_text(text, sizeof(text), only));
}

const char *
cli_operands(struct cli *c, int *argc, char ***argv)
{
	const struct cli_command *f = &c->prog->plain, *g;
	char **ops = c->argv + optind, text[128];
	int n = c->argc - optind;
	const char *near;
	size_t i;

	if (c->prog->commands && n > 0) {
		for (g = c->prog->commands; g->name; g++)
			if (strcmp(ops[0], g->name) == 0)
				break;
		if (g->name) {
			f = g;
			ops++;
			n--;
		} else if (access(ops[0], F_OK) == -1 &&
		    (near = near_command(c, ops[0])) != NULL) {
			cli_usage_error(c, "'%s' is not a command or a file: "
			    "did you mean '%s'?", ops[0], near);
		} else if (f->operands == NULL) {
			cli_usage_error(c, "unknown command '%s'", ops[0]);
		}
	}
	for (i = 0; i < c->nopts; i++)
		if (c->seen[i] && !takes(f, c->prog->options[i].name))
			not_taken(c, f, &c->prog->options[i]);
	if (n > 0 && f->operands == NULL) {
		if (f->name)
			cli_usage_error(c, "'%s' takes no argument: '%s'",
			    form_text(text, sizeof(text), f), ops[0]);
		cli_usage_error(c, "unexpected argument '%s'", ops[0]);
	}
	*argc = n;
	*argv = ops;
	return f->name;
}

void
cli_usage_error(const struct cli *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vwarnx(fmt, ap);
	va_end(ap);
	usage_write(c, stderr);
	exit(usage_status(c));
}

void
cli_bad_value(const struct cli *c, int key, const char *noun,
    const char *value)
{
	const struct cli_option *o = option_by_key(c, key, NULL);
	char list[512] = "";
	const char *w;
	size_t i;

	for (i = 0; o && o->word && (w = o->word(i)) != NULL; i++)
		snprintf(list + strlen(list), sizeof(list) - strlen(list),
		    "%s%s", i ? ", " : "", w);
	if (list[0])
		cli_usage_error(c, "unknown %s '%s' (one of: %s)", noun, value,
		    list);
	cli_usage_error(c, "unknown %s '%s'", noun, value);
}

/* "--name" of option 'key', for messages. */
static const char *
option_text(const struct cli *c, int key, char *buf, size_t len)
{
	const struct cli_option *o = option_by_key(c, key, NULL);

	snprintf(buf, len, "--%s", o ? o->name : "?");
	return buf;
}

int64_t
cli_time(const struct cli *c, int key, const char *s, int64_t now)
{
	struct errbuf eb = ERRBUF_INIT;
	char name[64];
	int64_t ms;

	if (timeparse_time(s, now, &ms, &eb) == -1)
		cli_usage_error(c, "%s: %s", option_text(c, key, name,
		    sizeof(name)), eb.msg);
	return ms;
}

int64_t
cli_duration(const struct cli *c, int key, const char *s)
{
	struct errbuf eb = ERRBUF_INIT;
	char name[64];
	int64_t ms;

	if (timeparse_duration(s, &ms, &eb) == -1)
		cli_usage_error(c, "%s: %s", option_text(c, key, name,
		    sizeof(name)), eb.msg);
	if (ms == 0)
		cli_usage_error(c, "%s: the duration must be more than zero",
		    option_text(c, key, name, sizeof(name)));
	return ms;
}

uint64_t
cli_count(const struct cli *c, int key, const char *s)
{
	char name[64], *end;
	unsigned long long n;

	errno = 0;
	n = strtoull(s, &end, 10);
	if (errno || end == s || *end || *s < '0' || *s > '9')
		cli_usage_error(c, "%s: invalid number '%s'",
		    option_text(c, key, name, sizeof(name)), s);
	return n;
}

char *
cli_store_dir(const char *dir)
{
	const char *e;
	char *d = NULL;

	if (dir)
		return xstrdup(dir);
	if ((e = getenv("MTK_STORE")) != NULL && *e)
		return xstrdup(e);
	/* The XDG base directory spec ignores a relative XDG_DATA_HOME. */
	if ((e = getenv("XDG_DATA_HOME")) != NULL && *e == '/') {
		if (asprintf(&d, "%s/mtk/store", e) == -1)
			errx(CLI_EXIT_FAIL, "out of memory");
		return d;
	}
	if ((e = getenv("HOME")) != NULL && *e) {
		if (asprintf(&d, "%s/.local/share/mtk/store", e) == -1)
			errx(CLI_EXIT_FAIL, "out of memory");
		return d;
	}
	errx(CLI_EXIT_FAIL, "no store directory: set MTK_STORE or HOME, or "
	    "use -d");
}

/* mkdir -p 'dir' (mode 0700 for what it makes). */
static void
make_dirs(char *dir)
{
	char *p;

	for (p = dir + 1; *p; p++)
		if (*p == '/') {
			*p = '\0';
			(void)mkdir(dir, 0700);
			*p = '/';
		}
	(void)mkdir(dir, 0700);
}

char *
cli_state_path(const char *name)
{
	const char *e;
	char *d = NULL, *f = NULL;

	/* The XDG base directory spec ignores a relative XDG_STATE_HOME. */
	if ((e = getenv("XDG_STATE_HOME")) != NULL && *e == '/') {
		if (asprintf(&d, "%s/mtk", e) == -1)
			errx(CLI_EXIT_FAIL, "out of memory");
	} else if ((e = getenv("HOME")) != NULL && *e) {
		if (asprintf(&d, "%s/.local/state/mtk", e) == -1)
			errx(CLI_EXIT_FAIL, "out of memory");
	} else {
		errx(CLI_EXIT_FAIL, "no state directory: set XDG_STATE_HOME "
		    "or HOME");
	}
	make_dirs(d);
	if (asprintf(&f, "%s/%s", d, name) == -1)
		errx(CLI_EXIT_FAIL, "out of memory");
	free(d);
	return f;
}

void
cli_catch_stop(void (*handler)(int), sigset_t *waitmask)
{
	struct sigaction sa;
	sigset_t block;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = handler;
	sa.sa_flags = SA_RESTART;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	if (waitmask == NULL)
		return;
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigprocmask(SIG_BLOCK, &block, waitmask);
	sigdelset(waitmask, SIGINT);
	sigdelset(waitmask, SIGTERM);
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

char *
cli_read_secret(const char *path)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	FILE *fp = fopen(path, "r");

	if (fp == NULL)
		err(CLI_EXIT_FAIL, "%s", path);
	if ((n = getline(&line, &cap, fp)) == -1)
		errx(CLI_EXIT_FAIL, "%s: empty", path);
	fclose(fp);
	while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
		line[--n] = '\0';
	return line;
}

void
cli_warn(void *arg, const char *msg)
{
	(void)arg;
	warnx("%s", msg);
}

void
cli_term_size(int fd, int *cols, int *rows)
{
	struct winsize ws;
	const char *e;

	*cols = 80;
	*rows = 24;
	if (isatty(fd) && ioctl(fd, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0) {
		*cols = ws.ws_col;
		*rows = ws.ws_row > 0 ? ws.ws_row : *rows;
		return;
	}
	if ((e = getenv("COLUMNS")) != NULL && atoi(e) > 0)
		*cols = atoi(e);
	if ((e = getenv("LINES")) != NULL && atoi(e) > 0)
		*rows = atoi(e);
}

int
cli_color(int fd)
{
	const char *e;

	if (!isatty(fd))
		return 0;
	if ((e = getenv("NO_COLOR")) != NULL && *e)
		return 0;
	return (e = getenv("TERM")) == NULL || strcmp(e, "dumb") != 0;
}
