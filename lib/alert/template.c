/* template.c - alert templates: the part of Go's text/template rules use */
/* SPDX-License-Identifier: MIT */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "alert/template.h"
#include "base/xalloc.h"

/*
 * A template is parsed into a tree of nodes; an action's pipeline into
 * commands of arguments.  Execution walks the tree with values that
 * are strings, numbers, booleans, label sets or nothing.
 */

enum arg_kind {
	ARG_FIELD,	/* $var.a.b or .a.b: 'name' the variable ("" for .) */
	ARG_STRING,
	ARG_NUMBER,
	ARG_BOOL,
	ARG_FUNC,	/* a function name, first in a command */
	ARG_PIPE	/* ( pipeline ) */
};

struct pipe;

struct arg {
	enum arg_kind kind;
	char *name;		/* FIELD: the variable; FUNC: the function */
	char **fields;		/* FIELD: .a.b */
	size_t nfields;
	char *str;		/* STRING */
	size_t len;
	double num;		/* NUMBER; BOOL: 0 or 1 */
	struct pipe *pipe;	/* PIPE */
};

struct cmd {
	struct arg *args;
	size_t nargs;
};

struct pipe {
	struct cmd *cmds;
	size_t ncmds;
};

enum node_kind { NODE_TEXT, NODE_ACTION, NODE_IF };

struct node {
	enum node_kind kind;
	char *text;		/* TEXT */
	size_t len;
	struct pipe *pipe;	/* ACTION, IF: the condition */
	struct list *then, *otherwise;	/* IF */
};

struct list {
	struct node *v;
	size_t n, cap;
};

struct tmpl {
	struct list *root;
};

/* The functions, sorted; the index is the function's number. */
static const char *const functions[] = {
	"and", "eq", "ge", "gt", "humanize", "humanize1024", "humanizeDuration",
	"humanizePercentage", "humanizeTimestamp", "index", "le", "len", "lt",
	"ne", "not", "or", "print", "printf", "stripPort", "title", "toLower",
	"toUpper", NULL
};

const char *
tmpl_function(size_t i)
{
	return i < sizeof(functions) / sizeof(functions[0]) - 1 ?
	    functions[i] : NULL;
}

static int
function_known(const char *name)
{
	size_t i;

	for (i = 0; functions[i]; i++)
		if (strcmp(functions[i], name) == 0)
			return 1;
	return 0;
}

/* Prometheus' functions malert leaves out: named in the error. */
static const char *const unsupported[] = {
	"query", "first", "label", "value", "strvalue", "sortByLabel", "args",
	"reReplaceAll", "match", "safeHtml", "stripDomain", "graphLink",
	"tableLink", "pathPrefix", "externalURL", "parseDuration", "toTime",
	"html", "js", "urlquery", "slice", "call", "println", NULL
};

/* --- freeing --- */

static void pipe_free(struct pipe *p);
static void list_free(struct list *l);

static void
arg_release(struct arg *a)
{
	size_t i;

	free(a->name);
	for (i = 0; i < a->nfields; i++)
		free(a->fields[i]);
	free(a->fields);
	free(a->str);
	pipe_free(a->pipe);
}

static void
pipe_free(struct pipe *p)
{
	size_t i, j;

	if (p == NULL)
		return;
	for (i = 0; i < p->ncmds; i++) {
		for (j = 0; j < p->cmds[i].nargs; j++)
			arg_release(&p->cmds[i].args[j]);
		free(p->cmds[i].args);
	}
	free(p->cmds);
	free(p);
}

static void
list_free(struct list *l)
{
	size_t i;

	if (l == NULL)
		return;
	for (i = 0; i < l->n; i++) {
		free(l->v[i].text);
		pipe_free(l->v[i].pipe);
		list_free(l->v[i].then);
		list_free(l->v[i].otherwise);
	}
	free(l->v);
	free(l);
}

void
tmpl_free(struct tmpl *t)
{
	if (t == NULL)
		return;
	list_free(t->root);
	free(t);
}

/* --- parsing --- */

struct parser {
	const char *s, *p, *end;
	struct errbuf *eb;
	int failed;
	int trim_next;		/* the last action ended with -}} */
	char cur[16];		/* what is at 'p', for messages */
};

/* "x" for the character at ps->p, or the end: for messages. */
static const char *
here(struct parser *ps)
{
	if (ps->p >= ps->end)
		return "end of template";
	snprintf(ps->cur, sizeof(ps->cur), "\"%c\"", *ps->p);
	return ps->cur;
}

/* "line:col: ..." for position 'at'. */
static int __attribute__((format(printf, 3, 4)))
fail(struct parser *ps, const char *at, const char *fmt, ...)
{
	const char *q;
	int line = 1, col = 1;
	char msg[256];
	va_list ap;

	if (ps->failed)
		return -1;
	for (q = ps->s; q < at && q < ps->end; q++) {
		if (*q == '\n') {
			line++;
			col = 1;
		} else {
			col++;
		}
	}
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	errbuf_set(ps->eb, "%d:%d: %s", line, col, msg);
	ps->failed = 1;
	return -1;
}

static void
skip_blanks(struct parser *ps)
{
	while (ps->p < ps->end && (*ps->p == ' ' || *ps->p == '\t' ||
	    *ps->p == '\n' || *ps->p == '\r'))
		ps->p++;
}

/* At the end of an action: "}}" or " -}}". */
static int
at_close(struct parser *ps)
{
	const char *q = ps->p;

	if (ps->end - q >= 2 && q[0] == '}' && q[1] == '}')
		return 1;
	return ps->end - q >= 3 && q[0] == '-' && q[1] == '}' && q[2] == '}' &&
	    q > ps->s && (q[-1] == ' ' || q[-1] == '\t' || q[-1] == '\n');
}

static char *
xmemdup_nul(const char *p, size_t n)
{
	char *s = xmalloc(n + 1);

	memcpy(s, p, n);
	s[n] = '\0';
	return s;
}

static int
ident_char(int c)
{
	return isalnum(c) || c == '_';
}

/* An identifier at ps->p, copied; NULL if none. */
static char *
ident(struct parser *ps)
{
	const char *b = ps->p;

	while (ps->p < ps->end && ident_char((unsigned char)*ps->p))
		ps->p++;
	return ps->p > b ? xmemdup_nul(b, (size_t)(ps->p - b)) : NULL;
}

/* A keyword at ps->p (followed by a non-identifier character). */
static int
keyword(struct parser *ps, const char *kw)
{
	size_t n = strlen(kw);

	if ((size_t)(ps->end - ps->p) < n || memcmp(ps->p, kw, n) != 0 ||
	    (ps->p + n < ps->end && ident_char((unsigned char)ps->p[n])))
		return 0;
	ps->p += n;
	return 1;
}

/* ".a.b" at ps->p into 'a' (which may have a variable already). */
static int
fields(struct parser *ps, struct arg *a)
{
	while (ps->p < ps->end && *ps->p == '.') {
		char *f;
		ps->p++;
		if ((f = ident(ps)) == NULL) {
			if (a->nfields == 0 && a->name[0] == '\0')
				return 0;	/* "." alone */
			return fail(ps, ps->p, "a field name is missing");
		}
		a->fields = xreallocarray(a->fields, a->nfields + 1,
		    sizeof(*a->fields));
		a->fields[a->nfields++] = f;
	}
	return 0;
}

static struct pipe *parse_pipe(struct parser *ps, int in_parens);

/* A Go string literal, "..." or `...`, at ps->p. */
static int
string_lit(struct parser *ps, struct arg *a)
{
	const char *b = ps->p;
	struct buf out = BUF_INIT;
	char q = *ps->p++;

	while (ps->p < ps->end && *ps->p != q) {
		char c = *ps->p++;
		if (q == '"' && c == '\n')
			break;
		if (q == '"' && c == '\\') {
			if (ps->p == ps->end)
				break;
			c = *ps->p++;
			switch (c) {
			case 'n': c = '\n'; break;
			case 't': c = '\t'; break;
			case 'r': c = '\r'; break;
			case '\\': case '"': case '\'': break;
			default:
				buf_release(&out);
				return fail(ps, ps->p - 2,
				    "unknown escape in a string");
			}
		}
		buf_addch(&out, c);
	}
	if (ps->p >= ps->end || *ps->p != q) {
		buf_release(&out);
		return fail(ps, b, "unterminated string");
	}
	ps->p++;
	a->kind = ARG_STRING;
	a->len = out.len;
	a->str = xmemdup_nul(out.len ? out.p : "", out.len);
	buf_release(&out);
	return 0;
}

static int
number_lit(struct parser *ps, struct arg *a)
{
	const char *b = ps->p;
	char tmp[64], *e;

	while (ps->p < ps->end && (isalnum((unsigned char)*ps->p) ||
	    *ps->p == '.' || *ps->p == '+' || *ps->p == '-') &&
	    (size_t)(ps->p - b) < sizeof(tmp) - 1) {
		/* A sign only at the start or after an exponent. */
		if ((*ps->p == '+' || *ps->p == '-') && ps->p > b &&
		    ps->p[-1] != 'e' && ps->p[-1] != 'E')
			break;
		ps->p++;
	}
	memcpy(tmp, b, (size_t)(ps->p - b));
	tmp[ps->p - b] = '\0';
	errno = 0;
	a->num = strtod(tmp, &e);
	if (e == tmp || *e != '\0' || strpbrk(tmp, "nNiIxXpP"))
		return fail(ps, b, "bad number syntax: %s", tmp);
	a->kind = ARG_NUMBER;
	return 0;
}

/* One argument of a command. */
static int
parse_arg(struct parser *ps, struct arg *a, int first)
{
	char c = *ps->p;

	memset(a, 0, sizeof(*a));
	if (c == '$') {
		ps->p++;
		a->kind = ARG_FIELD;
		if ((a->name = ident(ps)) == NULL)
			return fail(ps, ps->p, "a variable name is missing");
		if (strcmp(a->name, "labels") && strcmp(a->name, "value") &&
		    strcmp(a->name, "externalLabels") &&
		    strcmp(a->name, "externalURL"))
			return fail(ps, ps->p, "undefined variable \"$%s\"", a->name);
		return fields(ps, a);
	}
	if (c == '.') {
		a->kind = ARG_FIELD;
		a->name = xstrdup("");
		return fields(ps, a);
	}
	if (c == '"' || c == '`')
		return string_lit(ps, a);
	if (c == '(') {
		ps->p++;
		a->kind = ARG_PIPE;
		if ((a->pipe = parse_pipe(ps, 1)) == NULL)
			return -1;
		return 0;
	}
	if (isdigit((unsigned char)c) || c == '-' || c == '+')
		return number_lit(ps, a);
	if (isalpha((unsigned char)c) || c == '_') {
		const char *b = ps->p;
		char *id = ident(ps);
		size_t i;
		if (strcmp(id, "true") == 0 || strcmp(id, "false") == 0) {
			a->kind = ARG_BOOL;
			a->num = id[0] == 't';
			free(id);
			return 0;
		}
		if (function_known(id)) {
			if (!first) {
				/* A function as an argument is called without arguments. */
			}
			a->kind = ARG_FUNC;
			a->name = id;
			return 0;
		}
		for (i = 0; unsupported[i]; i++)
			if (strcmp(unsupported[i], id) == 0)
				break;
		fail(ps, b, unsupported[i] ?
		    "function \"%s\" is not supported (malert(1), Templates)" :
		    "function \"%s\" is not defined", id);
		free(id);
		return -1;
	}
	return fail(ps, ps->p, "unexpected %s in an action", here(ps));
}

/* A pipeline up to "}}" (or ")" in parentheses). */
static struct pipe *
parse_pipe(struct parser *ps, int in_parens)
{
	struct pipe *p = xcalloc(1, sizeof(*p));
	struct cmd *c = NULL;

	for (;;) {
		skip_blanks(ps);
		if (ps->p >= ps->end) {
			fail(ps, ps->p, "unclosed action");
			break;
		}
		if (in_parens ? *ps->p == ')' : at_close(ps)) {
			if (in_parens)
				ps->p++;
			if (c == NULL || c->nargs == 0) {
				fail(ps, ps->p, "missing value for command");
				break;
			}
			return p;
		}
		if (*ps->p == '|') {
			if (c == NULL || c->nargs == 0) {
				fail(ps, ps->p, "missing value before '|'");
				break;
			}
			ps->p++;
			c = NULL;
			continue;
		}
		if (ps->end - ps->p >= 2 && ps->p[0] == ':' && ps->p[1] == '=') {
			fail(ps, ps->p, "variables cannot be declared here");
			break;
		}
		if (c == NULL) {
			p->cmds = xreallocarray(p->cmds, p->ncmds + 1,
			    sizeof(*p->cmds));
			c = &p->cmds[p->ncmds++];
			memset(c, 0, sizeof(*c));
		}
		c->args = xreallocarray(c->args, c->nargs + 1, sizeof(*c->args));
		if (parse_arg(ps, &c->args[c->nargs], c->nargs == 0) == -1) {
			arg_release(&c->args[c->nargs]);
			break;
		}
		c->nargs++;
		/* Arguments are separated by blanks. */
		if (ps->p < ps->end && !strchr(" \t\r\n|)}", *ps->p) &&
		    !(*ps->p == '-' && at_close(ps))) {
			fail(ps, ps->p, "unexpected %s after an operand", here(ps));
			break;
		}
	}
	pipe_free(p);
	return NULL;
}

/* How the list being parsed ended. */
enum list_end { END_EOF, END_END, END_ELSE, END_ELSE_IF };

static struct list *parse_list(struct parser *ps, enum list_end *how,
    struct pipe **else_if);

static void
add_text(struct list *l, const char *p, size_t n)
{
	struct node *nd;

	if (n == 0)
		return;
	l->v = xgrow(l->v, &l->cap, l->n + 1, sizeof(*l->v));
	nd = &l->v[l->n++];
	memset(nd, 0, sizeof(*nd));
	nd->kind = NODE_TEXT;
	nd->text = xmemdup_nul(p, n);
	nd->len = n;
}

/* Close an action: "}}" or "-}}" (then trim what follows). */
static int
close_action(struct parser *ps)
{
	skip_blanks(ps);
	if (ps->end - ps->p >= 3 && memcmp(ps->p, "-}}", 3) == 0) {
		ps->p += 3;
		ps->trim_next = 1;
		return 0;
	}
	if (ps->end - ps->p >= 2 && memcmp(ps->p, "}}", 2) == 0) {
		ps->p += 2;
		return 0;
	}
	return fail(ps, ps->p, "unexpected %s in an action", here(ps));
}

/* An if: its condition parsed; then its lists up to {{ end }}. */
static int
parse_if(struct parser *ps, struct list *l, struct pipe *cond)
{
	struct node *nd;
	enum list_end how;
	struct pipe *next = NULL;
	struct list *then, *otherwise = NULL;

	if ((then = parse_list(ps, &how, &next)) == NULL) {
		pipe_free(cond);
		return -1;
	}
	if (how == END_EOF) {
		list_free(then);
		pipe_free(cond);
		return fail(ps, ps->end, "unexpected end of template: "
		    "{{ if }} without {{ end }}");
	}
	if (how == END_ELSE) {
		enum list_end how2;
		if ((otherwise = parse_list(ps, &how2, &next)) == NULL ||
		    how2 != END_END) {
			list_free(then);
			list_free(otherwise);
			pipe_free(cond);
			pipe_free(next);
			return fail(ps, ps->p, "{{ else }} without {{ end }}");
		}
	} else if (how == END_ELSE_IF) {
		/* else if c: an if of its own, in the else branch. */
		otherwise = xcalloc(1, sizeof(*otherwise));
		if (parse_if(ps, otherwise, next) == -1) {
			list_free(then);
			list_free(otherwise);
			pipe_free(cond);
			return -1;
		}
	}
	l->v = xgrow(l->v, &l->cap, l->n + 1, sizeof(*l->v));
	nd = &l->v[l->n++];
	memset(nd, 0, sizeof(*nd));
	nd->kind = NODE_IF;
	nd->pipe = cond;
	nd->then = then;
	nd->otherwise = otherwise;
	return 0;
}

static struct list *
parse_list(struct parser *ps, enum list_end *how, struct pipe **else_if)
{
	struct list *l = xcalloc(1, sizeof(*l));

	*how = END_EOF;
	while (ps->p < ps->end) {
		const char *open = NULL, *q, *text = ps->p;
		size_t n;
		int trim = 0;

		for (q = ps->p; q + 1 < ps->end; q++)
			if (q[0] == '{' && q[1] == '{') {
				open = q;
				break;
			}
		n = (size_t)((open ? open : ps->end) - text);
		if (ps->trim_next) {
			while (n > 0 && strchr(" \t\r\n", *text)) {
				text++;
				n--;
			}
			ps->trim_next = 0;
		}
		if (open && ps->end - open >= 4 && open[2] == '-' &&
		    strchr(" \t\r\n", open[3]))
			trim = 1;
		if (trim)
			while (n > 0 && strchr(" \t\r\n", text[n - 1]))
				n--;
		add_text(l, text, n);
		if (open == NULL) {
			ps->p = ps->end;
			break;
		}
		ps->p = open + 2 + trim;
		skip_blanks(ps);
		/* A comment: the whole action. */
		if (ps->end - ps->p >= 2 && ps->p[0] == '/' && ps->p[1] == '*') {
			const char *c = ps->p + 2;
			while (c + 1 < ps->end && !(c[0] == '*' && c[1] == '/'))
				c++;
			if (c + 1 >= ps->end) {
				fail(ps, ps->p, "unclosed comment");
				goto bad;
			}
			ps->p = c + 2;
			if (close_action(ps) == -1)
				goto bad;
			continue;
		}
		if (keyword(ps, "end")) {
			if (close_action(ps) == -1)
				goto bad;
			*how = END_END;
			return l;
		}
		if (keyword(ps, "else")) {
			skip_blanks(ps);
			if (keyword(ps, "if")) {
				if ((*else_if = parse_pipe(ps, 0)) == NULL ||
				    close_action(ps) == -1)
					goto bad;
				*how = END_ELSE_IF;
				return l;
			}
			if (close_action(ps) == -1)
				goto bad;
			*how = END_ELSE;
			return l;
		}
		if (keyword(ps, "if")) {
			struct pipe *cond = parse_pipe(ps, 0);
			if (cond == NULL || close_action(ps) == -1) {
				pipe_free(cond);
				goto bad;
			}
			if (parse_if(ps, l, cond) == -1)
				goto bad;
			continue;
		}
		{
			const char *kw = ps->p;
			static const char *const kws[] = { "range", "with",
				"define", "template", "block", "break",
				"continue", NULL };
			size_t i;
			for (i = 0; kws[i]; i++)
				if (keyword(ps, kws[i])) {
					fail(ps, kw, "{{ %s }} is not supported "
					    "(malert(1), Templates)", kws[i]);
					goto bad;
				}
		}
		{
			struct node *nd;
			struct pipe *p = parse_pipe(ps, 0);
			if (p == NULL)
				goto bad;
			l->v = xgrow(l->v, &l->cap, l->n + 1, sizeof(*l->v));
			nd = &l->v[l->n++];
			memset(nd, 0, sizeof(*nd));
			nd->kind = NODE_ACTION;
			nd->pipe = p;
			if (close_action(ps) == -1)
				goto bad;
		}
	}
	return l;
bad:
	list_free(l);
	return NULL;
}

int
tmpl_parse(const char *text, size_t len, struct tmpl **out,
    struct errbuf *eb)
{
	struct parser ps = { text, text, text + len, eb, 0, 0, "" };
	enum list_end how;
	struct pipe *else_if = NULL;
	struct list *l;

	*out = NULL;
	if ((l = parse_list(&ps, &how, &else_if)) == NULL)
		return -1;
	if (how != END_EOF) {
		list_free(l);
		pipe_free(else_if);
		return fail(&ps, ps.p, how == END_END ? "unexpected {{ end }}" :
		    "unexpected {{ else }}");
	}
	*out = xcalloc(1, sizeof(**out));
	(*out)->root = l;
	return 0;
}

/* --- values --- */

enum val_kind { VAL_NIL, VAL_STR, VAL_NUM, VAL_BOOL, VAL_MAP, VAL_DOT };

struct val {
	enum val_kind kind;
	const char *s;		/* STR */
	size_t len;
	double d;		/* NUM; BOOL: 0 or 1 */
	const struct tmpl_label *map;	/* MAP */
	size_t nmap;
};

/* An execution: the data, and the strings made on the way. */
struct run {
	const struct tmpl_data *d;
	struct errbuf *eb;
	char **owned;
	size_t nowned, cap;
	int depth;
};

static const char *
keep(struct run *r, struct buf *b)
{
	char *s = xmemdup_nul(b->len ? b->p : "", b->len);

	r->owned = xgrow(r->owned, &r->cap, r->nowned + 1, sizeof(*r->owned));
	r->owned[r->nowned++] = s;
	return s;
}

static struct val
str_val(const char *s, size_t len)
{
	struct val v = { VAL_STR, s, len, 0, NULL, 0 };

	return v;
}

static struct val
num_val(double d)
{
	struct val v = { VAL_NUM, NULL, 0, d, NULL, 0 };

	return v;
}

static struct val
bool_val(int b)
{
	struct val v = { VAL_BOOL, NULL, 0, b, NULL, 0 };

	return v;
}

static struct val
map_val(const struct tmpl_label *m, size_t n)
{
	struct val v = { VAL_MAP, NULL, 0, 0, m, n };

	return v;
}

size_t
tmpl_format_float(char *out, double v)
{
	char e[40], digits[24];
	int prec, exp, nd = 0, neg = 0;
	size_t n = 0, i;

	if (isnan(v))
		return (size_t)sprintf(out, "NaN");
	if (isinf(v))
		return (size_t)sprintf(out, v > 0 ? "+Inf" : "-Inf");
	if (v == 0)
		return (size_t)sprintf(out, signbit(v) ? "-0" : "0");
	/* The shortest digits that read back as 'v'. */
	for (prec = 1; prec <= 17; prec++) {
		snprintf(e, sizeof(e), "%.*e", prec - 1, v);
		if (strtod(e, NULL) == v)
			break;
	}
	for (i = 0; e[i] && e[i] != 'e'; i++) {
		if (e[i] == '-')
			neg = 1;
		else if (isdigit((unsigned char)e[i]))
			digits[nd++] = e[i];
	}
	while (nd > 1 && digits[nd - 1] == '0')
		nd--;
	exp = atoi(e + i + 1);
	if (neg)
		out[n++] = '-';
	/* strconv's 'g' at shortest precision: %e past 6 digits. */
	if (exp < -4 || exp >= 6) {
		/* %e: d.ddde+XX */
		out[n++] = digits[0];
		if (nd > 1) {
			out[n++] = '.';
			memcpy(out + n, digits + 1, (size_t)nd - 1);
			n += (size_t)nd - 1;
		}
		n += (size_t)sprintf(out + n, "e%c%02d", exp < 0 ? '-' : '+',
		    exp < 0 ? -exp : exp);
		return n;
	}
	if (exp < 0) {
		out[n++] = '0';
		out[n++] = '.';
		for (i = 0; (int)i < -exp - 1; i++)
			out[n++] = '0';
		memcpy(out + n, digits, (size_t)nd);
		n += (size_t)nd;
	} else {
		for (i = 0; (int)i <= exp; i++)
			out[n++] = (int)i < nd ? digits[i] : '0';
		if (nd > exp + 1) {
			out[n++] = '.';
			memcpy(out + n, digits + exp + 1, (size_t)(nd - exp - 1));
			n += (size_t)(nd - exp - 1);
		}
	}
	out[n] = '\0';
	return n;
}

/* Append 'v' as Go's fmt %v prints it. */
static void
put_val(struct buf *b, const struct val *v)
{
	char num[40];
	size_t i;

	switch (v->kind) {
	case VAL_NIL:
		buf_adds(b, "<no value>");
		break;
	case VAL_STR:
		buf_add(b, v->s, v->len);
		break;
	case VAL_NUM:
		buf_add(b, num, tmpl_format_float(num, v->d));
		break;
	case VAL_BOOL:
		buf_adds(b, v->d ? "true" : "false");
		break;
	case VAL_MAP:
		/* map[a:b c:d], keys sorted (labels are). */
		buf_adds(b, "map[");
		for (i = 0; i < v->nmap; i++) {
			if (i)
				buf_addch(b, ' ');
			buf_adds(b, v->map[i].name);
			buf_addch(b, ':');
			buf_adds(b, v->map[i].value);
		}
		buf_addch(b, ']');
		break;
	case VAL_DOT:
		buf_adds(b, "{...}");
		break;
	}
}

static int
truth(const struct val *v)
{
	switch (v->kind) {
	case VAL_NIL: return 0;
	case VAL_STR: return v->len > 0;
	case VAL_NUM: return v->d != 0;
	case VAL_BOOL: return v->d != 0;
	case VAL_MAP: return v->nmap > 0;
	case VAL_DOT: return 1;
	}
	return 0;
}

/* Prometheus' convertToFloat: a number, or a string that parses. */
static int
to_float(struct run *r, const char *fn, const struct val *v, double *out)
{
	char tmp[128], *e;

	if (v->kind == VAL_NUM) {
		*out = v->d;
		return 0;
	}
	if (v->kind == VAL_STR && v->len > 0 && v->len < sizeof(tmp)) {
		memcpy(tmp, v->s, v->len);
		tmp[v->len] = '\0';
		*out = strtod(tmp, &e);
		if (*e == '\0')
			return 0;
	}
	return errbuf_set(r->eb, "%s: cannot convert %s to a number", fn,
	    v->kind == VAL_STR ? "a string" : "a value of this type");
}

/* Go's %.4g: C's, but for NaN and the infinities. */
static void
g4(struct buf *b, double v, const char *suffix)
{
	if (isnan(v))
		buf_adds(b, "NaN");
	else if (isinf(v))
		buf_adds(b, v > 0 ? "+Inf" : "-Inf");
	else
		buf_addf(b, "%.4g", v);
	buf_adds(b, suffix);
}

static void
humanize(struct buf *b, double v, double base, const char *const *big,
    int tiny)
{
	static const char *const small[] = { "m", "u", "n", "p", "f", "a",
		"z", "y", NULL };
	const char *prefix = "";
	size_t i;

	if (v == 0 || isnan(v) || isinf(v)) {
		g4(b, v, "");
		return;
	}
	if (fabs(v) >= 1 || !tiny) {
		for (i = 0; big[i] && fabs(v) >= base; i++) {
			prefix = big[i];
			v /= base;
		}
		g4(b, v, prefix);
		return;
	}
	for (i = 0; small[i] && fabs(v) < 1; i++) {
		prefix = small[i];
		v *= 1000;
	}
	g4(b, v, prefix);
}

static void
humanize_duration(struct buf *b, double v)
{
	static const char *const small[] = { "m", "u", "n", "p", "f", "a",
		"z", "y", NULL };
	const char *prefix = "";
	size_t i;

	if (isnan(v) || isinf(v)) {
		g4(b, v, "");
		return;
	}
	if (v == 0) {
		buf_adds(b, "0s");
		return;
	}
	if (fabs(v) >= 1) {
		const char *sign = v < 0 ? "-" : "";
		long long d, s, m, h, days;
		v = fabs(v);
		d = v < 9.2e18 ? (long long)v : 9200000000000000000LL;
		s = d % 60;
		m = d / 60 % 60;
		h = d / 3600 % 24;
		days = d / 86400;
		if (days)
			buf_addf(b, "%s%lldd %lldh %lldm %llds", sign, days, h, m, s);
		else if (h)
			buf_addf(b, "%s%lldh %lldm %llds", sign, h, m, s);
		else if (m)
			buf_addf(b, "%s%lldm %llds", sign, m, s);
		else {
			buf_adds(b, sign);
			g4(b, v, "s");
		}
		return;
	}
	for (i = 0; small[i] && fabs(v) < 1; i++) {
		prefix = small[i];
		v *= 1000;
	}
	g4(b, v, prefix);
	buf_addch(b, 's');
}

/* strings.Title: the first letter of each word upper case. */
static void
title(struct buf *b, const char *s, size_t n)
{
	size_t i;
	int start = 1;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		buf_addch(b, start && c < 0x80 ? (char)toupper(c) : (char)c);
		start = !(isalnum(c) || c == '_' || c >= 0x80 || c == '\'');
	}
}

/*
 * Go's fmt.Sprintf for the verbs rules use.  The C format of each verb
 * is made from the template's flags, width and precision: a format that
 * is not a literal, by design.
 */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
static int
go_printf(struct run *r, struct buf *b, const struct val *args, size_t n)
{
	const char *f, *end;
	size_t k = 1;

	if (n == 0 || args[0].kind != VAL_STR)
		return errbuf_set(r->eb, "printf: the format must be a string");
	f = args[0].s;
	end = f + args[0].len;
	while (f < end) {
		char spec[32], verb;
		size_t sl = 0, digits, pdigits;
		const struct val *a;
		if (*f != '%') {
			buf_addch(b, *f++);
			continue;
		}
		spec[sl++] = *f++;
		/*
		 * Flags, a width and a precision of at most three digits
		 * each: a format from a rule file goes to snprintf(3), so it
		 * must be one snprintf takes, and not ask for megabytes.
		 */
		while (f < end && *f && strchr("+-# 0", *f) && sl < 8)
			spec[sl++] = *f++;
		for (digits = 0; f < end && *f >= '0' && *f <= '9'; f++)
			if (++digits <= 3)
				spec[sl++] = *f;
		if (f < end && *f == '.') {
			spec[sl++] = *f++;
			for (pdigits = 0; f < end && *f >= '0' && *f <= '9'; f++)
				if (++pdigits <= 3)
					spec[sl++] = *f;
		}
		if (f >= end) {
			buf_adds(b, "%!(NOVERB)");
			break;
		}
		verb = *f++;
		if (verb == '%') {
			buf_addch(b, '%');
			continue;
		}
		if (k >= n) {
			buf_addf(b, "%%!%c(MISSING)", verb);
			continue;
		}
		a = &args[k++];
		spec[sl] = '\0';
		switch (verb) {
		case 'v':
		case 's':
			if (verb == 's' && a->kind == VAL_NUM) {
				buf_adds(b, "%!s(float64=");
				put_val(b, a);
				buf_addch(b, ')');
			} else {
				struct buf t = BUF_INIT;
				put_val(&t, a);
				spec[sl++] = 's';
				spec[sl] = '\0';
				buf_addf(b, spec, t.len ? t.p : "");
				buf_release(&t);
			}
			break;
		case 'q':
			buf_addch(b, '"');
			if (a->kind == VAL_STR)
				buf_add(b, a->s, a->len);
			else
				put_val(b, a);
			buf_addch(b, '"');
			break;
		case 'd':
			if (a->kind == VAL_NUM) {
				buf_adds(b, "%!d(float64=");
				put_val(b, a);
				buf_addch(b, ')');
			} else {
				buf_addf(b, "%%!d(%s)", a->kind == VAL_STR ?
				    "string" : "?");
			}
			break;
		case 'f': case 'F': case 'e': case 'E': case 'g': case 'G':
			if (a->kind != VAL_NUM) {
				buf_addf(b, "%%!%c(string=", verb);
				put_val(b, a);
				buf_addch(b, ')');
			} else if (isnan(a->d) || isinf(a->d)) {
				put_val(b, a);
			} else if ((verb == 'g' || verb == 'G') && !strchr(spec, '.')) {
				char num[40];
				buf_add(b, num, tmpl_format_float(num, a->d));
			} else {
				spec[sl++] = verb;
				spec[sl] = '\0';
				buf_addf(b, spec, a->d);
			}
			break;
		default:
			buf_addf(b, "%%!%c(", verb);
			put_val(b, a);
			buf_addch(b, ')');
			break;
		}
	}
	if (k < n)
		buf_adds(b, "%!(EXTRA)");
	return 0;
}
#pragma GCC diagnostic pop

static int compare(struct run *r, const char *fn, const struct val *a,
    const struct val *b, int *out);

static int exec_pipe(struct run *r, const struct pipe *p, struct val *out);

/* The value of one argument. */
static int
eval_arg(struct run *r, const struct arg *a, struct val *out)
{
	const struct tmpl_data *d = r->d;
	size_t i;

	switch (a->kind) {
	case ARG_STRING:
		*out = str_val(a->str, a->len);
		return 0;
	case ARG_NUMBER:
		*out = num_val(a->num);
		return 0;
	case ARG_BOOL:
		*out = bool_val(a->num != 0);
		return 0;
	case ARG_PIPE:
		return exec_pipe(r, a->pipe, out);
	case ARG_FUNC:
		return errbuf_set(r->eb, "%s: a function needs its arguments",
		    a->name);
	case ARG_FIELD:
		break;
	}
	/* A variable or '.', then fields. */
	i = 0;
	if (strcmp(a->name, "") == 0) {
		const char *f = a->nfields ? a->fields[0] : NULL;
		i = 1;
		if (f == NULL) {
			out->kind = VAL_DOT;
			return 0;
		} else if (strcmp(f, "Labels") == 0) {
			*out = map_val(d->labels, d->nlabels);
		} else if (strcmp(f, "ExternalLabels") == 0) {
			*out = map_val(d->external, d->nexternal);
		} else if (strcmp(f, "Value") == 0) {
			*out = num_val(d->value);
		} else if (strcmp(f, "ExternalURL") == 0) {
			*out = str_val(d->external_url ? d->external_url : "",
			    d->external_url ? strlen(d->external_url) : 0);
		} else {
			return errbuf_set(r->eb, "can't evaluate field %s", f);
		}
	} else if (strcmp(a->name, "labels") == 0) {
		*out = map_val(d->labels, d->nlabels);
	} else if (strcmp(a->name, "externalLabels") == 0) {
		*out = map_val(d->external, d->nexternal);
	} else if (strcmp(a->name, "value") == 0) {
		*out = num_val(d->value);
	} else {
		*out = str_val(d->external_url ? d->external_url : "",
		    d->external_url ? strlen(d->external_url) : 0);
	}
	for (; i < a->nfields; i++) {
		size_t k;
		if (out->kind != VAL_MAP)
			return errbuf_set(r->eb, "can't evaluate field %s",
			    a->fields[i]);
		/* A missing label is the empty string, as in a Go map. */
		for (k = 0; k < out->nmap; k++)
			if (strcmp(out->map[k].name, a->fields[i]) == 0)
				break;
		if (k < out->nmap)
			*out = str_val(out->map[k].value, strlen(out->map[k].value));
		else
			*out = str_val("", 0);
	}
	return 0;
}

static int
call(struct run *r, const char *fn, struct val *args, size_t n,
    struct val *out)
{
	static const char *const si[] = { "k", "M", "G", "T", "P", "E", "Z",
		"Y", NULL };
	static const char *const iec[] = { "ki", "Mi", "Gi", "Ti", "Pi", "Ei",
		"Zi", "Yi", NULL };
	struct buf b = BUF_INIT;
	double v = 0;
	size_t i;
	int c = 0;

	/* The functions of one number. */
	if (strncmp(fn, "humanize", 8) == 0) {
		if (n != 1)
			return errbuf_set(r->eb, "%s: wants 1 argument, got %zu",
			    fn, n);
		if (to_float(r, fn, &args[0], &v) == -1)
			return -1;
		if (strcmp(fn, "humanize") == 0)
			humanize(&b, v, 1000, si, 1);
		else if (strcmp(fn, "humanize1024") == 0) {
			if (fabs(v) <= 1 || isnan(v) || isinf(v))
				g4(&b, v, "");
			else
				humanize(&b, v, 1024, iec, 0);
		} else if (strcmp(fn, "humanizeDuration") == 0)
			humanize_duration(&b, v);
		else if (strcmp(fn, "humanizePercentage") == 0)
			g4(&b, v * 100, "%");
		else {
			/*
			 * humanizeTimestamp: Go's time.Time String(), UTC, of
			 * the time in milliseconds, as Prometheus converts it.
			 */
			double ns = v * 1e9;
			if (isnan(v) || isinf(v)) {
				g4(&b, v, "");
			} else if (ns >= 9.2e18 || ns <= -9.2e18) {
				buf_release(&b);
				return errbuf_set(r->eb, "humanizeTimestamp: %g "
				    "overflows a nanosecond timestamp", v);
			} else {
				long long ms = (long long)ns / 1000000;
				time_t t = (time_t)(ms / 1000);
				long frac = (long)(ms % 1000);
				struct tm tm;
				char ts[64];
				if (frac < 0) {
					frac += 1000;
					t--;
				}
				gmtime_r(&t, &tm);
				strftime(ts, sizeof(ts), "%Y-%m-%d %H:%M:%S", &tm);
				buf_adds(&b, ts);
				if (frac) {
					char f3[8];
					int k = snprintf(f3, sizeof(f3), ".%03ld", frac);
					while (f3[k - 1] == '0')
						f3[--k] = '\0';
					buf_adds(&b, f3);
				}
				buf_adds(&b, " +0000 UTC");
			}
		}
		*out = str_val(keep(r, &b), b.len);
		buf_release(&b);
		return 0;
	}
	if (strcmp(fn, "printf") == 0 || strcmp(fn, "print") == 0) {
		if (fn[5] == 'f') {
			if (go_printf(r, &b, args, n) == -1) {
				buf_release(&b);
				return -1;
			}
		} else {
			/* Blanks between operands when neither is a string. */
			for (i = 0; i < n; i++) {
				if (i && args[i].kind != VAL_STR &&
				    args[i - 1].kind != VAL_STR)
					buf_addch(&b, ' ');
				put_val(&b, &args[i]);
			}
		}
		*out = str_val(keep(r, &b), b.len);
		buf_release(&b);
		return 0;
	}
	if (strcmp(fn, "toUpper") == 0 || strcmp(fn, "toLower") == 0 ||
	    strcmp(fn, "title") == 0 || strcmp(fn, "stripPort") == 0 ||
	    strcmp(fn, "len") == 0) {
		const char *s;
		size_t len;
		if (n != 1)
			return errbuf_set(r->eb, "%s: wants 1 argument, got %zu",
			    fn, n);
		if (strcmp(fn, "len") == 0) {
			if (args[0].kind == VAL_MAP)
				*out = num_val((double)args[0].nmap);
			else if (args[0].kind == VAL_STR)
				*out = num_val((double)args[0].len);
			else
				return errbuf_set(r->eb, "len of a value "
				    "without a length");
			return 0;
		}
		if (args[0].kind != VAL_STR)
			return errbuf_set(r->eb, "%s: wants a string", fn);
		s = args[0].s;
		len = args[0].len;
		if (fn[0] == 't' && fn[1] == 'o') {
			for (i = 0; i < len; i++)
				buf_addch(&b, (char)(fn[2] == 'U' ?
				    toupper((unsigned char)s[i]) :
				    tolower((unsigned char)s[i])));
		} else if (fn[0] == 't') {
			title(&b, s, len);
		} else {
			/* stripPort: host of host:port, [v6]:port, v6. */
			const char *colon = memrchr(s, ':', len);
			if (len && s[0] == '[' && colon && colon > s &&
			    colon[-1] == ']')
				buf_add(&b, s + 1, (size_t)(colon - s - 2));
			else if (colon && memchr(s, ':', (size_t)(colon - s)) == NULL)
				buf_add(&b, s, (size_t)(colon - s));
			else
				buf_add(&b, s, len);
		}
		*out = str_val(keep(r, &b), b.len);
		buf_release(&b);
		return 0;
	}
	if (strcmp(fn, "index") == 0) {
		if (n != 2 || args[0].kind != VAL_MAP || args[1].kind != VAL_STR)
			return errbuf_set(r->eb, "index: wants a label set and "
			    "a name");
		*out = str_val("", 0);
		for (i = 0; i < args[0].nmap; i++)
			if (strlen(args[0].map[i].name) == args[1].len &&
			    memcmp(args[0].map[i].name, args[1].s, args[1].len) == 0)
				*out = str_val(args[0].map[i].value,
				    strlen(args[0].map[i].value));
		return 0;
	}
	if (strcmp(fn, "not") == 0) {
		if (n != 1)
			return errbuf_set(r->eb, "not: wants 1 argument");
		*out = bool_val(!truth(&args[0]));
		return 0;
	}
	if (strcmp(fn, "and") == 0 || strcmp(fn, "or") == 0) {
		/* The first false (and) or true (or) argument, else the last. */
		if (n == 0)
			return errbuf_set(r->eb, "%s: wants arguments", fn);
		for (i = 0; i + 1 < n; i++)
			if (truth(&args[i]) == (fn[0] == 'o'))
				break;
		*out = args[i];
		return 0;
	}
	/* eq ne lt le gt ge */
	if (n != 2)
		return errbuf_set(r->eb, "%s: wants 2 arguments, got %zu", fn, n);
	if (compare(r, fn, &args[0], &args[1], &c) == -1)
		return -1;
	if (strcmp(fn, "eq") == 0)
		*out = bool_val(c == 0);
	else if (strcmp(fn, "ne") == 0)
		*out = bool_val(c != 0);
	else if (strcmp(fn, "lt") == 0)
		*out = bool_val(c < 0);
	else if (strcmp(fn, "le") == 0)
		*out = bool_val(c <= 0);
	else if (strcmp(fn, "gt") == 0)
		*out = bool_val(c > 0);
	else
		*out = bool_val(c >= 0);
	return 0;
}

/* Order two values of one kind (Go's comparison functions). */
static int
compare(struct run *r, const char *fn, const struct val *a,
    const struct val *b, int *out)
{
	if (a->kind != b->kind || (a->kind != VAL_NUM && a->kind != VAL_STR &&
	    a->kind != VAL_BOOL))
		return errbuf_set(r->eb, "%s: incompatible types for comparison",
		    fn);
	if (a->kind == VAL_STR) {
		size_t m = a->len < b->len ? a->len : b->len;
		int c = memcmp(a->s, b->s, m);
		*out = c ? c : (a->len > b->len) - (a->len < b->len);
	} else if (a->kind == VAL_BOOL && strcmp(fn, "eq") && strcmp(fn, "ne")) {
		return errbuf_set(r->eb, "%s: invalid type for comparison", fn);
	} else {
		*out = (a->d > b->d) - (a->d < b->d);
		if (isnan(a->d) || isnan(b->d))
			*out = 2;	/* unordered: only ne holds */
	}
	return 0;
}

static int
exec_pipe(struct run *r, const struct pipe *p, struct val *out)
{
	struct val prev = { VAL_NIL, NULL, 0, 0, NULL, 0 };
	size_t i, j;
	int have = 0;

	if (++r->depth > 100) {
		r->depth--;
		return errbuf_set(r->eb, "the template nests too deep");
	}
	for (i = 0; i < p->ncmds; i++) {
		const struct cmd *c = &p->cmds[i];
		if (c->args[0].kind == ARG_FUNC) {
			struct val *args = xcalloc(c->nargs + 1, sizeof(*args));
			size_t n = 0;
			int rc = 0;
			for (j = 1; j < c->nargs && rc == 0; j++)
				rc = c->args[j].kind == ARG_FUNC ?
				    call(r, c->args[j].name, NULL, 0, &args[n++]) :
				    eval_arg(r, &c->args[j], &args[n++]);
			if (have)
				args[n++] = prev;
			if (rc == 0)
				rc = call(r, c->args[0].name, args, n, &prev);
			free(args);
			if (rc == -1) {
				r->depth--;
				return -1;
			}
		} else {
			if (c->nargs > 1 || have) {
				r->depth--;
				return errbuf_set(r->eb, "can't give argument "
				    "to non-function");
			}
			if (eval_arg(r, &c->args[0], &prev) == -1) {
				r->depth--;
				return -1;
			}
		}
		have = 1;
	}
	r->depth--;
	*out = prev;
	return 0;
}

static int
exec_list(struct run *r, const struct list *l, struct buf *out)
{
	size_t i;

	for (i = 0; i < l->n; i++) {
		const struct node *nd = &l->v[i];
		struct val v;
		switch (nd->kind) {
		case NODE_TEXT:
			buf_add(out, nd->text, nd->len);
			break;
		case NODE_ACTION:
			if (exec_pipe(r, nd->pipe, &v) == -1)
				return -1;
			put_val(out, &v);
			break;
		case NODE_IF:
			if (exec_pipe(r, nd->pipe, &v) == -1)
				return -1;
			if (truth(&v)) {
				if (exec_list(r, nd->then, out) == -1)
					return -1;
			} else if (nd->otherwise &&
			    exec_list(r, nd->otherwise, out) == -1) {
				return -1;
			}
			break;
		}
	}
	return 0;
}

int
tmpl_exec(const struct tmpl *t, const struct tmpl_data *d, struct buf *out,
    struct errbuf *eb)
{
	struct run r = { d, eb, NULL, 0, 0, 0 };
	size_t i;
	int rc;

	rc = exec_list(&r, t->root, out);
	for (i = 0; i < r.nowned; i++)
		free(r.owned[i]);
	free(r.owned);
	return rc;
}
