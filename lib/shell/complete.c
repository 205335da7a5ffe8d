/* complete.c - what the word being typed in mshell may become */
/* SPDX-License-Identifier: MIT */
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/xalloc.h"
#include "promql/promql_help.h"
#include "query/format.h"
#include "shell/complete.h"

static int
is_word(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '_' || c == ':';
}

static void
copy_name(char *dst, const char *s, size_t n)
{
	if (n >= COMPLETE_NAME_MAX)
		n = 0;		/* too long to be a name: none */
	memcpy(dst, s, n);
	dst[n] = '\0';
}

/* The keywords that open a list of label names: "by (", "on (" ... */
static int
opens_labels(const char *s, size_t n)
{
	static const char *const kw[] = { "by", "without", "on", "ignoring",
		"group_left", "group_right" };
	size_t i;

	for (i = 0; i < sizeof(kw) / sizeof(kw[0]); i++)
		if (strlen(kw[i]) == n && memcmp(kw[i], s, n) == 0)
			return 1;
	return 0;
}

#define DEPTH_MAX 64

/*
 * An expression from 'from': follow its quotes, braces, brackets and
 * parentheses up to 'point'.
 */
static void
expr_context(const char *line, size_t from, size_t point,
    struct complete_ctx *c)
{
	size_t i, w0 = 0, wlen = 0;	/* the last word seen */
	size_t qstart = 0, lstart = 0, llen = 0;
	char quote = 0;
	int brace = 0, bracket = 0, depth = 0;
	unsigned char labels[DEPTH_MAX];	/* a paren of label names */

	c->kind = COMPLETE_EXPR;
	for (i = from; i < point; i++) {
		char ch = line[i];

		if (quote) {
			if (ch == '\\' && quote != '`' && i + 1 < point)
				i++;
			else if (ch == quote)
				quote = 0;
			continue;
		}
		if (is_word(ch)) {
			if (i == from || !is_word(line[i - 1]))
				w0 = i;
			wlen = i + 1 - w0;
			continue;
		}
		switch (ch) {
		case '"': case '\'': case '`':
			quote = ch;
			qstart = i;
			break;
		case '{':
			brace = 1;
			/* The metric is the word just before, if one is. */
			c->metric[0] = '\0';
			if (wlen && w0 + wlen == i)
				copy_name(c->metric, line + w0, wlen);
			else if (wlen) {
				size_t k = i;

				while (k > w0 + wlen && (line[k - 1] == ' ' ||
				    line[k - 1] == '\t'))
					k--;
				if (k == w0 + wlen)
					copy_name(c->metric, line + w0, wlen);
			}
			break;
		case '}': brace = 0; c->metric[0] = '\0'; break;
		case '[': bracket = 1; break;
		case ']': bracket = 0; break;
		case '(':
			if (depth < DEPTH_MAX) {
				size_t k = i;

				while (k > from && (line[k - 1] == ' ' ||
				    line[k - 1] == '\t'))
					k--;
				labels[depth] = wlen && k == w0 + wlen &&
				    opens_labels(line + w0, wlen);
			}
			depth++;
			break;
		case ')':
			if (depth > 0)
				depth--;
			break;
		case '=': case '!': case '~':
			/* Inside braces, the word before is the label. */
			if (brace && wlen && ch != '~') {
				lstart = w0;
				llen = wlen;
			}
			break;
		case '#':
			while (i + 1 < point && line[i + 1] != '\n')
				i++;
			if (i + 1 == point) {
				c->kind = COMPLETE_NONE;
				c->start = point;
				return;
			}
			break;
		default:
			break;
		}
		if (ch != '=' && ch != '!' && ch != '~' && ch != ' ')
			wlen = 0;
	}
	if (quote) {
		c->start = qstart + 1;
		c->quote = quote;
		if (brace && llen) {
			c->kind = COMPLETE_VALUE;
			copy_name(c->label, line + lstart, llen);
		} else {
			c->kind = COMPLETE_NONE;
		}
		return;
	}
	for (c->start = point; c->start > from && is_word(line[c->start - 1]);)
		c->start--;
	/* A number, or a duration being typed, is not a name. */
	if (c->start < point && line[c->start] >= '0' && line[c->start] <= '9')
		c->kind = bracket ? COMPLETE_DURATION : COMPLETE_NONE;
	else if (bracket)
		c->kind = COMPLETE_DURATION;
	else if (brace)
		c->kind = COMPLETE_LABEL;
	else if (depth > 0 && depth <= DEPTH_MAX && labels[depth - 1])
		c->kind = COMPLETE_LABEL, c->metric[0] = '\0';
	if (c->kind == COMPLETE_EXPR)
		c->metric[0] = '\0';
}

void
complete_context(const char *line, size_t len, size_t point,
    struct complete_ctx *c)
{
	size_t i = 0, name, nlen, arg;

	memset(c, 0, sizeof(*c));
	if (point > len)
		point = len;
	c->start = point;
	while (i < point && (line[i] == ' ' || line[i] == '\t'))
		i++;
	if (i == point || line[i] != '\\') {
		expr_context(line, i, point, c);
		return;
	}
	name = ++i;
	while (i < point && is_word(line[i]))
		i++;
	nlen = i - name;
	if (i == point) {
		c->kind = COMPLETE_COMMAND;
		c->start = name - 1;
		return;
	}
	while (i < point && (line[i] == ' ' || line[i] == '\t'))
		i++;
	arg = i;
#define IS(s) (nlen == strlen(s) && memcmp(line + name, s, nlen) == 0)
	if (IS("explain") || IS("series") || IS("labels")) {
		expr_context(line, arg, point, c);
		return;
	}
	if (IS("watch")) {
		/* A duration, then an expression. */
		while (i < point && line[i] != ' ' && line[i] != '\t')
			i++;
		if (i == point) {
			c->kind = COMPLETE_DURATION;
			c->start = arg;
			return;
		}
		expr_context(line, i, point, c);
		return;
	}
	/* The other commands take one word. */
	for (c->start = point; c->start > arg && line[c->start - 1] != ' ' &&
	    line[c->start - 1] != '\t';)
		c->start--;
	if (c->start != arg)
		c->kind = COMPLETE_NONE;
	else if (IS("range") || IS("step"))
		c->kind = COMPLETE_DURATION;
	else if (IS("format"))
		c->kind = COMPLETE_FORMAT;
	else if (IS("help"))
		c->kind = COMPLETE_TOPIC;
	else if (IS("metrics"))
		c->kind = COMPLETE_METRIC;
	else if (IS("at"))
		c->kind = COMPLETE_TIME;
	else if (IS("store"))
		c->kind = COMPLETE_FILE;
	else
		c->kind = COMPLETE_NONE;
#undef IS
}

/* The words collected for one completion. */
struct words {
	struct completion *out;
	size_t cap;
	const char *prefix;
	size_t plen;
};

static void
offer(struct words *w, const char *pre, const char *s, const char *post)
{
	struct completion *o = w->out;
	struct buf b = BUF_INIT;

	if (strncmp(s, w->prefix, w->plen) != 0)
		return;
	if (o->n + 1 >= w->cap) {
		w->cap = w->cap ? 2 * w->cap : 64;
		o->v = xreallocarray(o->v, w->cap, sizeof(*o->v));
	}
	buf_adds(&b, pre);
	buf_adds(&b, s);
	buf_adds(&b, post);
	o->v[o->n++] = xstrdup(b.len ? b.p : "");
	buf_release(&b);
	o->v[o->n] = NULL;
}

/*
 * The words of a sorted array that begin with the prefix: found by
 * binary search, as a store may have a hundred thousand names.
 */
static void
offer_sorted(struct words *w, const char *const *v, size_t n,
    const char *post)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (strcmp(v[mid], w->prefix) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (; lo < n && strncmp(v[lo], w->prefix, w->plen) == 0; lo++)
		offer(w, "", v[lo], post);
}

/* A label value inside 'quote': escaped as PromQL reads it there. */
static void
offer_value(struct words *w, const char *v, char quote)
{
	struct buf b = BUF_INIT;
	char post[2] = { quote, '\0' };
	const char *p;

	if (quote == '`') {
		if (strchr(v, '`') == NULL)
			offer(w, "", v, post);
		return;
	}
	for (p = v; *p; p++) {
		if (*p == '\\' || *p == quote)
			buf_addch(&b, '\\');
		if (*p == '\n')
			buf_adds(&b, "\\n");
		else
			buf_addch(&b, *p);
	}
	offer(w, "", b.len ? b.p : "", post);
	buf_release(&b);
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * The words of the language: functions (with their '('), aggregations,
 * and the keywords and operators that are words (by, and, offset...);
 * with 'all', every name \\help knows (+, @, =~ too).
 */
static void
offer_language(struct words *w, int all)
{
	const struct promql_help *h;
	const char *p;

	for (h = promql_help; h->name; h++) {
		if (h->kind == PROMQL_HELP_FUNCTION && !all) {
			offer(w, "", h->name, "(");
			continue;
		}
		for (p = h->name; *p && is_word(*p); p++)
			;
		if (all || *p == '\0')
			offer(w, "", h->name, "");
	}
}

void
complete_line(struct shell *sh, const char *line, size_t point,
    struct completion *out)
{
	static const char *const durations[] = { "1m", "5m", "10m", "15m",
		"30m", "1h", "3h", "6h", "12h", "1d", "2d", "7d", "30d" };
	struct complete_ctx c;
	struct words w = { out, 0, NULL, 0 };
	const char *const *v;
	const char *metric;
	size_t i, n, len = strlen(line);
	char *prefix;

	memset(out, 0, sizeof(*out));
	complete_context(line, len, point > len ? len : point, &c);
	out->start = c.start;
	prefix = xstrndup(line + c.start, (point > len ? len : point) -
	    c.start);
	w.prefix = prefix;
	w.plen = strlen(prefix);
	metric = c.metric[0] ? c.metric : NULL;
	switch (c.kind) {
	case COMPLETE_COMMAND:
		for (i = 0; shell_commands[i].name; i++) {
			struct buf b = BUF_INIT;

			buf_addf(&b, "\\%s", shell_commands[i].name);
			offer(&w, "", b.p, "");
			buf_release(&b);
		}
		out->space = 1;
		break;
	case COMPLETE_EXPR:
	case COMPLETE_METRIC:
		if ((v = shell_words(sh, SHELL_WORDS_METRICS, NULL, NULL,
		    &n)) != NULL)
			offer_sorted(&w, v, n, "");
		if (c.kind == COMPLETE_METRIC)
			break;
		offer_language(&w, 0);
		break;
	case COMPLETE_LABEL:
		if ((v = shell_words(sh, SHELL_WORDS_LABELS, metric, NULL,
		    &n)) != NULL)
			offer_sorted(&w, v, n, "");
		break;
	case COMPLETE_VALUE:
		if ((v = shell_words(sh, SHELL_WORDS_VALUES, metric, c.label,
		    &n)) != NULL)
			for (i = 0; i < n; i++)
				offer_value(&w, v[i], c.quote);
		break;
	case COMPLETE_DURATION:
		for (i = 0; i < sizeof(durations) / sizeof(durations[0]); i++)
			offer(&w, "", durations[i], "");
		if (strncmp(line + strspn(line, " \t"), "\\step", 5) == 0)
			offer(&w, "", "auto", "");
		out->space = 1;
		break;
	case COMPLETE_FORMAT:
		offer(&w, "", "auto", "");
		for (i = 0; query_format_name(i); i++)
			offer(&w, "", query_format_name(i), "");
		out->space = 1;
		break;
	case COMPLETE_TOPIC:
		for (i = 0; shell_commands[i].name; i++)
			offer(&w, "", shell_commands[i].name, "");
		offer(&w, "", "functions", "");
		offer_language(&w, 1);
		out->space = 1;
		break;
	case COMPLETE_TIME:
		offer(&w, "", "now", "");
		offer(&w, "", "now-1h", "");
		offer(&w, "", "now-1d", "");
		out->space = 1;
		break;
	case COMPLETE_FILE:
		out->files = 1;
		break;
	case COMPLETE_NONE:
		break;
	}
	free(prefix);
	/* Sorted and each once: a metric may be named like a function. */
	if (out->n > 1) {
		qsort(out->v, out->n, sizeof(*out->v), cmp_str);
		for (i = n = 1; i < out->n; i++) {
			if (strcmp(out->v[i], out->v[n - 1]) == 0)
				free(out->v[i]);
			else
				out->v[n++] = out->v[i];
		}
		out->n = n;
		out->v[n] = NULL;
	}
}

void
completion_release(struct completion *c)
{
	xfree_strv(c->v, c->n);
	memset(c, 0, sizeof(*c));
}
