/* shell.c - mshell's session: settings, expressions, backslash commands */
/* SPDX-License-Identifier: MIT */
#include <ctype.h>
#include <errno.h>
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/cli.h"
#include "base/strmap.h"
#include "base/timeparse.h"
#include "base/timestamp.h"
#include "base/xalloc.h"
#include "promql/promql_print.h"
#include "query/query.h"
#include "shell/shell.h"
#include "shell/shell_int.h"

/* How long completion words are kept before the store is asked again. */
#define WORDS_TTL_MS 5000

struct shell *
shell_new(const struct shell_opts *o)
{
	struct shell *sh = xcalloc(1, sizeof(*sh));

	sh->o = *o;
	sh->dir = o->dir ? xstrdup(o->dir) : NULL;
	sh->tenant = o->tenant ? xstrdup(o->tenant) : NULL;
	sh->range = 3600000;
	sh->format_auto = 1;
	return sh;
}

static void
words_clear(struct shell_words_cache *c)
{
	xfree_strv(c->v, c->n);
	free(c->metric);
	free(c->label);
	memset(c, 0, sizeof(*c));
}

/* Forget what was read from the store: it is another, or another's. */
static void
shell_close(struct shell *sh)
{
	size_t i;

	for (i = 0; i < sizeof(sh->words) / sizeof(sh->words[0]); i++)
		words_clear(&sh->words[i]);
	if (sh->open)
		query_input_close(&sh->in);
	sh->open = 0;
}

uint64_t
shell_bad(const struct shell *sh)
{
	return sh->bad;
}

void
shell_free(struct shell *sh)
{
	if (sh == NULL)
		return;
	shell_close(sh);
	free(sh->dir);
	free(sh->tenant);
	free(sh);
}

/* Warnings of a stream's bad records, on the session's 'err'. */
static void
warn_err(void *arg, const char *msg)
{
	struct shell *sh = arg;

	fprintf(sh->o.err, "mshell: %s\n", msg);
}

int
shell_input(struct shell *sh, struct errbuf *eb)
{
	struct query_input_opts qo = { sh->dir, sh->o.file, sh->tenant, 0,
		warn_err, sh };
	uint64_t bad = 0;

	if (sh->open)
		return 0;
	if (query_input_open(&sh->in, &qo, &bad, eb) == -1)
		return -1;
	sh->open = 1;
	sh->told = 0;
	sh->bad += bad;
	return 0;
}

int64_t
shell_now(const struct shell *sh)
{
	if (sh->at_set)
		return sh->at;
	/* A stream is looked at as of its newest sample, as mquery does. */
	if (sh->open && sh->in.newest != INT64_MIN)
		return sh->in.newest;
	return ts_now();
}

const char *
shell_prompt(struct shell *sh, int continued)
{
	struct buf b = BUF_INIT;

	if (continued) {
		snprintf(sh->prompt, sizeof(sh->prompt), "%*s> ",
		    (int)(strlen(sh->prompt) > 2 ? strlen(sh->prompt) - 2 : 0),
		    "...");
		return sh->prompt;
	}
	buf_adds(&b, "mshell");
	if (sh->tenant)
		buf_addf(&b, " [%s]", sh->tenant);
	buf_addch(&b, ' ');
	if (sh->instant) {
		buf_addch(&b, '@');
	} else {
		promql_print_duration(&b, sh->range);
		if (sh->at_set)
			buf_addch(&b, '@');
	}
	if (sh->at_set || sh->instant)
		buf_adds(&b, sh->at_set ? sh->at_text : "now");
	buf_adds(&b, "> ");
	snprintf(sh->prompt, sizeof(sh->prompt), "%s", b.p);
	buf_release(&b);
	return sh->prompt;
}

int
shell_input_done(const char *s)
{
	int depth = 0;
	char quote = 0;

	while (*s == ' ' || *s == '\t' || *s == '\n')
		s++;
	if (*s == '\\' || *s == '\0')
		return 1;
	for (; *s; s++) {
		if (quote) {
			if (*s == '\\' && quote != '`' && s[1])
				s++;
			else if (*s == quote)
				quote = 0;
			continue;
		}
		switch (*s) {
		case '"': case '\'': case '`': quote = *s; break;
		case '(': case '{': case '[': depth++; break;
		case ')': case '}': case ']': depth--; break;
		case '#':
			/* A comment runs to the end of its line. */
			while (s[1] && s[1] != '\n')
				s++;
			break;
		}
	}
	/* Too many closing brackets is an error the parser tells. */
	return quote == 0 && depth <= 0;
}

/*
 * Tell the error of 'input': with 'where', on one line; else, for a
 * syntax error "L:C: ...", the line of the input with a caret under
 * column C.
 */
void
shell_error(struct shell *sh, const char *input, const char *where,
    const char *msg)
{
	const char *p = input, *e;
	int line, col, n = 0, w;

	if (where) {
		fprintf(sh->o.err, "mshell: %s: %s\n", where, msg);
		return;
	}
	if (input && sscanf(msg, "%d:%d: %n", &line, &col, &n) == 2 && n > 0 &&
	    line >= 1 && col >= 1) {
		for (; line > 1 && p; line--)
			if ((p = strchr(p, '\n')) != NULL)
				p++;
		if (p) {
			e = strchr(p, '\n');
			fprintf(sh->o.err, "  %.*s\n  ", (int)(e ? e - p :
			    (long)strlen(p)), p);
			/* Columns count characters; a tab keeps its place. */
			for (w = 1; w < col && *p && *p != '\n'; p++) {
				if (((unsigned char)*p & 0xc0) == 0x80)
					continue;
				fputc(*p == '\t' ? '\t' : ' ', sh->o.err);
				w++;
			}
			for (; w < col; w++)
				fputc(' ', sh->o.err);
			fprintf(sh->o.err, "^\n");
		}
	}
	fprintf(sh->o.err, "mshell: %s\n", msg);
}

/* The format of an answer: the one set, else a chart of a range on a terminal. */
static enum query_format
answer_format(const struct shell *sh)
{
	if (!sh->format_auto)
		return sh->format;
	return !sh->instant && sh->o.out_tty ? QUERY_FMT_CHART :
	    QUERY_FMT_TABLE;
}

void
shell_request(struct shell *sh, struct query_request *rq, const char *expr)
{
	int64_t end = shell_now(sh);

	rq->expr = expr;
	rq->format = answer_format(sh);
	rq->limits.cancel = sh->o.cancel;
	rq->given = sh->o.file ? QUERY_GIVEN_STREAM : 0;
	if (sh->instant) {
		rq->time = rq->start = rq->end = end;
		rq->given |= QUERY_GIVEN_TIME;
	} else {
		rq->end = end;
		rq->start = end - sh->range;
		rq->step = sh->step;
		rq->given |= QUERY_GIVEN_START | QUERY_GIVEN_END;
	}
	if (rq->format == QUERY_FMT_CHART) {
		int rows;

		cli_term_size(fileno(sh->o.out), &rq->chart.width, &rows);
		rq->chart.height = rows / 2 < 5 ? 5 : rows / 2 > 30 ? 30 :
		    rows / 2;
		rq->chart.color = sh->o.color;
		rq->chart.title = expr;
	} else if (rq->format == QUERY_FMT_SVG) {
		rq->chart.width = 800;
		rq->chart.height = 320;
		rq->chart.title = expr;
	}
}

/*
 * Run 'rq' and tell what went wrong; the damaged files of the store
 * passed over are said, as mquery says them.
 */
int
shell_run(struct shell *sh, const struct query_request *rq,
    const char *input, const char *where)
{
	struct errbuf eb = ERRBUF_INIT;
	size_t i;
	int rc;

	if (shell_input(sh, &eb) == -1) {
		shell_error(sh, NULL, where, eb.msg);
		return -1;
	}
	if (query_request_parse(rq, &eb) == -1) {
		shell_error(sh, input, where, eb.msg);
		return -1;
	}
	rc = query_run(sh->in.st, query_input_stream(&sh->in), rq, sh->o.out,
	    &eb);
	if (fflush(sh->o.out) == EOF && rc == 0) {
		errbuf_set(&eb, "write error: %s", strerror(errno));
		rc = -1;
	}
	/* Each damaged file once: the handle keeps what it noted. */
	for (i = sh->told; sh->in.st && i < store_damage_count(sh->in.st);
	    i++, sh->bad++)
		fprintf(sh->o.err, "mshell: %s; left out of the answer\n",
		    store_damage(sh->in.st, i));
	sh->told = i;
	if (rc == -1) {
		if (sh->o.cancel && *sh->o.cancel) {
			*sh->o.cancel = 0;
			/* On a terminal, past the ^C it echoed. */
			fprintf(sh->o.err, "%smshell: cancelled\n",
			    sh->o.out_tty ? "\n" : "");
		} else {
			shell_error(sh, input, where, eb.msg);
		}
	}
	return rc;
}

/* Cut 's' into its command word and the rest, both trimmed. */
static char *
split_word(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	for (e = s; *e && !isspace((unsigned char)*e); e++)
		;
	if (*e) {
		*e++ = '\0';
		while (isspace((unsigned char)*e))
			e++;
	}
	return e;
}

enum shell_status
shell_exec(struct shell *sh, const char *input, const char *where)
{
	struct query_request rq = QUERY_REQUEST_INIT;
	const char *p = input;
	char *line, *e;
	enum shell_status st;

	while (isspace((unsigned char)*p))
		p++;
	if (*p == '\0')
		return SHELL_OK;
	if (*p != '\\') {
		shell_request(sh, &rq, input);
		return shell_run(sh, &rq, input, where) == 0 ? SHELL_OK :
		    SHELL_FAILED;
	}
	line = xstrdup(p + 1);
	/* Trailing blanks and a line end are not part of an argument. */
	for (e = line + strlen(line); e > line && isspace((unsigned char)e[-1]);)
		*--e = '\0';
	e = split_word(line);
	st = shell_command(sh, line, e, where);
	free(line);
	return st;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int
shell_names(struct shell *sh, enum query_what what, const char *selector,
    const char *label, char ***out, size_t *n, struct errbuf *eb)
{
	struct query_request rq = QUERY_REQUEST_INIT;
	struct strmap *set;
	size_t i, k;

	*out = NULL;
	*n = 0;
	if (shell_input(sh, eb) == -1)
		return -1;
	rq.what = what;
	rq.expr = selector;
	rq.label = label;
	rq.start = TS_MIN;
	rq.end = TS_MAX;
	set = strmap_new();
	if (query_names(sh->in.st, query_input_stream(&sh->in), &rq, set,
	    eb) == -1) {
		strmap_free(set);
		return -1;
	}
	*out = xmalloc((strmap_count(set) + 1) * sizeof(**out));
	for (i = k = 0; i < strmap_count(set); i++) {
		const char *s = strmap_str(set, (uint32_t)i, NULL);

		/* __name__ is completed as the metric name, never as a label. */
		if (what == QUERY_LABELS && strcmp(s, "__name__") == 0)
			continue;
		(*out)[k++] = xstrdup(s);
	}
	(*out)[k] = NULL;
	*n = k;
	strmap_free(set);
	qsort(*out, k, sizeof(**out), cmp_str);
	return 0;
}

static int
same(const char *a, const char *b)
{
	return a == b || (a && b && strcmp(a, b) == 0);
}

const char *const *
shell_words(struct shell *sh, enum shell_words what, const char *metric,
    const char *label, size_t *n)
{
	struct shell_words_cache *c = &sh->words[what];
	struct errbuf eb = ERRBUF_INIT;
	struct buf sel = BUF_INIT;
	int64_t now = ts_now();
	int rc;

	*n = 0;
	if (c->v && now - c->at < WORDS_TTL_MS && same(c->metric, metric) &&
	    same(c->label, label)) {
		*n = c->n;
		return (const char *const *)c->v;
	}
	words_clear(c);
	/* Only a name can be asked for; anything else is all of them. */
	if (metric && metric[strspn(metric, "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_:")] != '\0')
		metric = NULL;
	if (metric && *metric)
		buf_addf(&sel, "{__name__=\"%s\"}", metric);
	switch (what) {
	case SHELL_WORDS_METRICS:
		rc = shell_names(sh, QUERY_LABEL_VALUES, NULL, "__name__",
		    &c->v, &c->n, &eb);
		break;
	case SHELL_WORDS_LABELS:
		rc = shell_names(sh, QUERY_LABELS, sel.len ? sel.p : NULL,
		    NULL, &c->v, &c->n, &eb);
		break;
	default:
		rc = shell_names(sh, QUERY_LABEL_VALUES, sel.len ? sel.p :
		    NULL, label, &c->v, &c->n, &eb);
		break;
	}
	buf_release(&sel);
	if (rc == -1) {
		words_clear(c);
		return NULL;
	}
	c->metric = metric ? xstrdup(metric) : NULL;
	c->label = label ? xstrdup(label) : NULL;
	c->at = now;
	*n = c->n;
	return (const char *const *)c->v;
}

void
shell_reopen(struct shell *sh, char *dir, char *tenant)
{
	shell_close(sh);
	free(sh->dir);
	free(sh->tenant);
	sh->dir = dir;
	sh->tenant = tenant;
}

/* Run the input gathered from line 'first' of 'name'; count a failure. */
static enum shell_status
run_input(struct shell *sh, struct buf *input, const char *name,
    size_t first, int *failed)
{
	enum shell_status st;
	char where[512];

	/* Positions in errors are the expression's, not its line end's. */
	while (input->len && (input->p[input->len - 1] == '\n' ||
	    input->p[input->len - 1] == '\r'))
		input->p[--input->len] = '\0';
	snprintf(where, sizeof(where), "%s:%zu", name, first);
	if ((st = shell_exec(sh, input->p, where)) == SHELL_FAILED)
		(*failed)++;
	buf_reset(input);
	return st;
}

int
shell_script(struct shell *sh, FILE *in, const char *name)
{
	struct buf input = BUF_INIT;
	char *line = NULL;
	const char *p;
	size_t cap = 0, lineno = 0, first = 0;
	ssize_t len;
	int failed = 0;
	enum shell_status st = SHELL_OK;

	sh->quiet = 1;
	while (st != SHELL_QUIT && (len = getline(&line, &cap, in)) != -1) {
		lineno++;
		p = line + strspn(line, " \t\r\n");
		/*
		 * A command or a blank line ends an expression still open:
		 * it is run (and its error told) rather than swallow the
		 * rest of the file.
		 */
		if (input.len && (*p == '\\' || *p == '\0') &&
		    (st = run_input(sh, &input, name, first, &failed)) ==
		    SHELL_QUIT)
			break;
		if (input.len == 0) {
			/* Blank lines and comments between inputs. */
			if (*p == '\0' || *p == '#')
				continue;
			first = lineno;
		}
		buf_add(&input, line, (size_t)len);
		if (shell_input_done(input.p))
			st = run_input(sh, &input, name, first, &failed);
	}
	if (ferror(in)) {
		fprintf(sh->o.err, "mshell: %s: %s\n", name, strerror(errno));
		failed++;
	} else if (input.len && st != SHELL_QUIT) {
		run_input(sh, &input, name, first, &failed);
	}
	free(line);
	buf_release(&input);
	return failed;
}
