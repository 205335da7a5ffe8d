/* promql_parse.c - the PromQL parser: text into a syntax tree */
/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/xalloc.h"
#include "promql/promql_check.h"
#include "promql/promql_func.h"
#include "promql/promql_lex.h"
#include "promql/promql_parse.h"
#include "stream/metric.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/*
 * A recursive-descent parser with precedence climbing for the binary
 * operators; what Prometheus' yacc grammar accepts, it accepts, and it
 * fails where that grammar fails, with the same message.  The tree is
 * then handed to the type checker (promql_check.h).
 */

/*
 * Parser state.  'tok' is the one token of lookahead, as in Prometheus'
 * LALR(1) parser; 'next' is a second one, read only where the grammar
 * needs it (an identifier followed by '(' is a function call), where the
 * generated parser reads it too, so lexical errors surface at the same
 * point.  After the first error everything unwinds: only the first
 * message is kept, as Prometheus reports only its first.
 */
struct parser {
	const char *src;
	size_t len;
	struct promql_lexer lx;
	struct promql_token tok;
	struct promql_token next;
	int have_next;
	int agg_depth;		/* inside an aggregation's arguments */
	int nesting;		/* parse_expr() calls under way */
	int failed;
	struct errbuf *eb;
};

static int perr(struct parser *p, size_t pos, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Record the first error, prefixed with its line and byte column. */
static int
perr(struct parser *p, size_t pos, const char *fmt, ...)
{
	va_list ap;

	if (p->failed)
		return -1;
	p->failed = 1;
	va_start(ap, fmt);
	promql_verror(p->eb, p->src, p->len, pos, fmt, ap);
	va_end(ap);
	return -1;
}

static int
lex(struct parser *p, struct promql_token *t)
{
	struct errbuf lexeb = ERRBUF_INIT;

	if (p->failed || promql_lex_next(&p->lx, t, &lexeb) == 0)
		return p->failed ? -1 : 0;
	t->type = PROMQL_T_EOF;
	return perr(p, t->pos, "%s", lexeb.msg);
}

static int
advance(struct parser *p)
{
	if (p->have_next) {
		p->tok = p->next;
		p->have_next = 0;
		return 0;
	}
	return lex(p, &p->tok);
}

static enum promql_tok
peek_next(struct parser *p)
{
	if (!p->have_next) {
		if (lex(p, &p->next) == -1)
			return PROMQL_T_EOF;
		p->have_next = 1;
	}
	return p->next.type;
}

/* A token as Prometheus' messages name it: identifier "x", <op:+>, "}". */
static void
tok_desc(const struct parser *p, const struct promql_token *t, struct buf *b)
{
	const char *s = p->src + t->pos;
	size_t n = t->len, cut = 0, runes = 0;
	uint32_t r;
	int w;

	switch (t->type) {
	case PROMQL_T_EOF:
		buf_adds(b, "end of input");
		return;
	case PROMQL_T_IDENT:
	case PROMQL_T_METRIC_IDENT:
		buf_adds(b, t->type == PROMQL_T_IDENT ? "identifier " :
		    "metric identifier ");
		promql_quote(b, s, n);
		return;
	case PROMQL_T_NUMBER:
	case PROMQL_T_DURATION:
	case PROMQL_T_STRING:
		buf_adds(b, t->type == PROMQL_T_NUMBER ? "number " :
		    t->type == PROMQL_T_STRING ? "string " : "duration ");
		/* Go's "%.10q...": at most ten characters, then dots. */
		while (cut < n && runes < 10) {
			w = promql_utf8_decode(s + cut, n - cut, &r);
			cut += w < 0 ? 1 : (size_t)w;
			runes++;
		}
		promql_quote(b, s, cut);
		if (cut < n)
			buf_adds(b, "...");
		return;
	default:
		break;
	}
	if (promql_tok_is_operator(t->type))
		buf_addf(b, "<op:%.*s>", (int)n, s);
	else if (promql_tok_is_aggregator(t->type))
		buf_addf(b, "<aggr:%.*s>", (int)n, s);
	else if (promql_tok_is_keyword(t->type))
		buf_addf(b, "<%.*s>", (int)n, s);
	else
		promql_quote(b, s, n);
}

/*
 * A syntax error at the current token: "unexpected X", then " in
 * 'context'" and ", expected 'expected'" when given.  Without a context,
 * an error inside an aggregation's arguments says "in aggregation", as
 * Prometheus' error recovery rule for aggregations does.
 */
static int
unexpected(struct parser *p, const char *context, const char *expected)
{
	struct buf b = BUF_INIT;

	buf_adds(&b, "unexpected ");
	tok_desc(p, &p->tok, &b);
	if (context == NULL && p->agg_depth > 0)
		context = "aggregation";
	if (context != NULL)
		buf_addf(&b, " in %s", context);
	if (expected != NULL)
		buf_addf(&b, ", expected %s", expected);
	perr(p, p->tok.pos, "%s", b.p);
	buf_release(&b);
	return -1;
}

/* Take the contents of 'b' as a NUL-terminated string; 'b' is emptied. */
static char *
buf_take(struct buf *b)
{
	char *s = b->p != NULL ? b->p : xstrdup("");

	buf_init(b);
	return s;
}

static struct promql_node *
node_new(enum promql_kind kind, size_t pos, size_t end)
{
	struct promql_node *n = xcalloc(1, sizeof(*n));

	n->kind = kind;
	n->pos = pos;
	n->end = end;
	n->depth = 1;
	return n;
}

static void
deeper(struct promql_node *n, const struct promql_node *child)
{
	if (child && child->depth + 1 > n->depth)
		n->depth = child->depth + 1;
}

/*
 * Set the depth of 'n' from its children; -1 (an error) past
 * PROMQL_DEPTH_MAX.
 */
static int
too_deep(struct parser *p, struct promql_node *n)
{
	size_t i;

	switch (n->kind) {
	case PROMQL_MATRIX_SELECTOR: deeper(n, n->ms.vs); break;
	case PROMQL_SUBQUERY: deeper(n, n->sq.expr); break;
	case PROMQL_UNARY: deeper(n, n->unary.expr); break;
	case PROMQL_PAREN: deeper(n, n->paren.expr); break;
	case PROMQL_BINARY:
		deeper(n, n->binary.lhs);
		deeper(n, n->binary.rhs);
		break;
	case PROMQL_AGGREGATE:
		deeper(n, n->agg.param);
		deeper(n, n->agg.expr);
		break;
	case PROMQL_CALL:
		for (i = 0; i < n->call.nargs; i++)
			deeper(n, n->call.args[i]);
		break;
	default:
		break;
	}
	if (n->depth <= PROMQL_DEPTH_MAX)
		return 0;
	return perr(p, n->pos, "expression nested too deeply (more than %d "
	    "levels)", PROMQL_DEPTH_MAX);
}

static void
labels_add(struct promql_labels *l, const char *s, size_t len)
{
	l->v = xreallocarray(l->v, l->n + 1, sizeof(*l->v));
	l->v[l->n++] = xstrndup(s, len);
}

/*
 * Numbers and durations.
 */

/*
 * Convert a NUMBER token as Prometheus does: first as a Go integer
 * literal (so "0x1f" is 31 and "0755" is octal 493), then as a float.
 * Returns 0, or -1 with the message in 'eb'.
 */
static int
number_value(const char *s, size_t n, double *v, struct errbuf *eb)
{
	char *z = xstrndup(s, n), *end;
	int hex = n >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X');
	int rc = 0;

	errno = 0;
	if (hex || (n > 1 && z[0] == '0' && strspn(z, "01234567") == n)) {
		unsigned long long u = strtoull(z + (hex ? 2 : 1), &end,
		    hex ? 16 : 8);
		if (*end == '\0' && end != z + 2 && errno == 0 &&
		    u <= INT64_MAX) {
			*v = (double)u;
			goto out;
		}
		if (hex)	/* Go's ParseFloat wants a 'p' exponent */
			goto syntax;
	}
	errno = 0;
	*v = strtod(z, &end);
	if (*end != '\0' || end == z)
		goto syntax;
	if (isinf(*v) && errno == ERANGE) {
		rc = errbuf_set(eb, "error parsing number: strconv.ParseFloat: "
		    "parsing \"%s\": value out of range", z);
		goto out;
	}
	goto out;
syntax:
	rc = errbuf_set(eb, "error parsing number: strconv.ParseFloat: "
	    "parsing \"%s\": invalid syntax", z);
out:
	free(z);
	return rc;
}

/*
 * Convert a DURATION token as Prometheus' model.ParseDuration does: units
 * y w d h m s ms, largest first, each at most once, whole numbers, the
 * total within Go's time.Duration (about 292 years); and, as the parser
 * requires, more than zero.  Returns 0, or -1 with the message in 'eb'.
 */
static int
duration_value(const char *s, size_t n, int64_t *ms, struct errbuf *eb)
{
	static const struct {
		const char *unit;
		int64_t ms;
	} units[] = {
		{ "y", 31536000000LL }, { "w", 604800000LL }, { "d", 86400000LL },
		{ "h", 3600000LL }, { "m", 60000LL }, { "s", 1000LL },
		{ "ms", 1LL },
	};
	const int64_t max_ms = INT64_MAX / 1000000;	/* nanoseconds in Go */
	size_t i = 0, u = 0, start;
	int64_t total = 0, v;

	while (i < n) {
		for (start = i, v = 0; i < n && s[i] >= '0' && s[i] <= '9'; i++)
			if (v <= max_ms)	/* saturate: too big anyway */
				v = v * 10 + (s[i] - '0');
		for (; i > start && u < NELEM(units); u++) {
			size_t ul = strlen(units[u].unit);
			/* The 'm' of "ms" is not minutes. */
			if (i + ul <= n && strncmp(s + i, units[u].unit, ul) == 0 &&
			    !(ul == 1 && s[i] == 'm' && i + 1 < n && s[i + 1] == 's'))
				break;
		}
		if (i == start || u == NELEM(units))
			return errbuf_set(eb, "not a valid duration string: "
			    "\"%.*s\"", (int)n, s);
		if (v > max_ms / units[u].ms || v * units[u].ms > max_ms - total)
			return errbuf_set(eb, "duration out of range");
		total += v * units[u].ms;
		i += strlen(units[u].unit);
		u++;	/* each unit once, largest first */
	}
	if (total == 0)
		return errbuf_set(eb, "duration must be greater than 0");
	*ms = total;
	return 0;
}

/* The current token as a duration, advancing past it. */
static int
take_duration(struct parser *p, int64_t *ms)
{
	struct errbuf deb = ERRBUF_INIT;

	if (duration_value(p->src + p->tok.pos, p->tok.len, ms, &deb) == -1)
		return perr(p, p->tok.pos, "%s", deb.msg);
	return advance(p);
}

/* The current token as a number, advancing past it. */
static int
take_number(struct parser *p, double *v)
{
	struct errbuf neb = ERRBUF_INIT;

	if (number_value(p->src + p->tok.pos, p->tok.len, v, &neb) == -1)
		return perr(p, p->tok.pos, "%s", neb.msg);
	return advance(p);
}

/*
 * Selectors.
 */

/* Tokens that can name a metric: identifiers and most keywords. */
static int
is_metric_identifier(enum promql_tok t)
{
	switch (t) {
	case PROMQL_T_IDENT: case PROMQL_T_METRIC_IDENT:
	case PROMQL_T_LAND: case PROMQL_T_LOR: case PROMQL_T_LUNLESS:
	case PROMQL_T_OFFSET: case PROMQL_T_BY: case PROMQL_T_WITHOUT:
	case PROMQL_T_START: case PROMQL_T_END:
		return 1;
	default:
		return promql_tok_is_aggregator(t);
	}
}

/* Tokens that can be a label in by (...), on (...) and the like. */
static int
is_maybe_label(enum promql_tok t)
{
	switch (t) {
	case PROMQL_T_WITHOUT:
		return 0;	/* Prometheus' grammar leaves it out */
	case PROMQL_T_BOOL: case PROMQL_T_GROUP_LEFT: case PROMQL_T_GROUP_RIGHT:
	case PROMQL_T_IGNORING: case PROMQL_T_ON: case PROMQL_T_ATAN2:
		return 1;
	default:
		return is_metric_identifier(t);
	}
}

struct matchers {
	struct matcher *v;
	size_t n;
	size_t cap;
};

static void
matchers_release(struct matchers *ms)
{
	size_t i;

	for (i = 0; i < ms->n; i++)
		matcher_release(&ms->v[i]);
	free(ms->v);
}

static int
matchers_add(struct parser *p, struct matchers *ms, enum matcher_op op,
    const char *name, const struct buf *value, size_t pos)
{
	struct errbuf meb = ERRBUF_INIT;

	ms->v = xgrow(ms->v, &ms->cap, ms->n + 1, sizeof(*ms->v));
	if (matcher_init(&ms->v[ms->n], op, name, value->p ? value->p : "",
	    value->len, &meb) == -1)
		return perr(p, pos, "%s", meb.msg);
	ms->n++;
	return 0;
}

/* The value of the STRING token 't'. */
static int
string_value(struct parser *p, const struct promql_token *t, struct buf *out)
{
	struct errbuf ueb = ERRBUF_INIT;
	struct buf b = BUF_INIT;

	buf_reset(out);
	if (promql_unquote(p->src + t->pos, t->len, out, &ueb) == 0)
		return 0;
	perr(p, t->pos, "error unquoting string %s: %s",
	    promql_quoted(&b, p->src + t->pos, t->len), ueb.msg);
	buf_release(&b);
	return -1;
}

static int
match_op(enum promql_tok t, enum matcher_op *op)
{
	switch (t) {
	case PROMQL_T_EQL:       *op = MATCHER_EQ;  return 0;
	case PROMQL_T_NEQ:       *op = MATCHER_NE;  return 0;
	case PROMQL_T_EQL_REGEX: *op = MATCHER_RE;  return 0;
	case PROMQL_T_NEQ_REGEX: *op = MATCHER_NRE; return 0;
	default:                 return -1;
	}
}

/*
 * One matcher: label op "value", or (the Prometheus 3 form) a lone
 * "name", which means __name__="name".
 */
static int
parse_matcher(struct parser *p, struct matchers *ms)
{
	struct promql_token label = p->tok;
	struct buf name = BUF_INIT, value = BUF_INIT;
	enum matcher_op op;
	int rc = -1;

	if (label.type == PROMQL_T_STRING) {
		if (string_value(p, &label, &name) == -1 || advance(p) == -1)
			goto out;
		if (p->tok.type == PROMQL_T_COMMA || p->tok.type == PROMQL_T_RBRACE) {
			rc = matchers_add(p, ms, MATCHER_EQ, "__name__", &name,
			    label.pos);
			goto out;
		}
		/*
		 * A value may hold a NUL, a name not: no series has one
		 * (mtk-stream(5)), and matchers keep names as C strings.
		 */
		if (name.len > 0 && memchr(name.p, '\0', name.len) != NULL) {
			struct buf b = BUF_INIT;
			perr(p, label.pos, "invalid label name %s",
			    promql_quoted(&b, name.p, name.len));
			buf_release(&b);
			goto out;
		}
	} else {
		buf_add(&name, p->src + label.pos, label.len);
		if (advance(p) == -1)
			goto out;
	}
	if (match_op(p->tok.type, &op) == -1) {
		unexpected(p, "label matching", "label matching operator");
		goto out;
	}
	if (advance(p) == -1)
		goto out;
	if (p->tok.type != PROMQL_T_STRING) {
		unexpected(p, "label matching", "string");
		goto out;
	}
	if (string_value(p, &p->tok, &value) == -1 ||
	    matchers_add(p, ms, op, name.p ? name.p : "", &value, label.pos) == -1)
		goto out;
	rc = advance(p);
out:
	buf_release(&name);
	buf_release(&value);
	return rc;
}

/* "{" [matcher {"," matcher} [","]] "}"; the current token is "{". */
static int
parse_label_matchers(struct parser *p, struct matchers *ms, size_t *end)
{
	if (advance(p) == -1)
		return -1;
	while (p->tok.type != PROMQL_T_RBRACE) {
		if (p->tok.type != PROMQL_T_IDENT && p->tok.type != PROMQL_T_STRING)
			return unexpected(p, "label matching",
			    "identifier or \"}\"");
		if (parse_matcher(p, ms) == -1)
			return -1;
		if (p->tok.type == PROMQL_T_COMMA) {
			if (advance(p) == -1)
				return -1;
		} else if (p->tok.type != PROMQL_T_RBRACE) {
			return unexpected(p, "label matching", "\",\" or \"}\"");
		}
	}
	*end = p->tok.pos + p->tok.len;
	return advance(p);
}

/*
 * metric_identifier [label_matchers] | label_matchers.  As Prometheus
 * does, a name before the braces becomes the last matcher.
 */
static struct promql_node *
parse_vector_selector(struct parser *p)
{
	struct matchers ms = { NULL, 0, 0 };
	struct promql_node *n = NULL;
	struct buf name = BUF_INIT;
	size_t pos = p->tok.pos, end = p->tok.pos + p->tok.len;
	int named = p->tok.type != PROMQL_T_LBRACE;

	if (named) {
		buf_add(&name, p->src + p->tok.pos, p->tok.len);
		if (advance(p) == -1)
			goto out;
	}
	if (p->tok.type == PROMQL_T_LBRACE &&
	    parse_label_matchers(p, &ms, &end) == -1)
		goto out;
	if (named && matchers_add(p, &ms, MATCHER_EQ, "__name__", &name,
	    pos) == -1)
		goto out;
	n = node_new(PROMQL_VECTOR_SELECTOR, pos, end);
	n->vs.name = named ? buf_take(&name) : NULL;
	n->vs.matchers = ms.v;
	n->vs.nmatchers = ms.n;
	ms.v = NULL;
	ms.n = 0;
out:
	matchers_release(&ms);
	buf_release(&name);
	return n;
}

/*
 * Expressions.
 */

static struct promql_node *parse_expr(struct parser *p, int min_prec);

/* The modifiers of a selector or subquery 'e', or NULL if it has none. */
static struct promql_mods *
mods_of(struct promql_node *e)
{
	switch (e->kind) {
	case PROMQL_VECTOR_SELECTOR: return &e->vs.mods;
	case PROMQL_MATRIX_SELECTOR: return &e->ms.vs->vs.mods;
	case PROMQL_SUBQUERY:        return &e->sq.mods;
	default:                     return NULL;
	}
}

/*
 * "[" duration "]" or "[" duration ":" [duration] "]" after 'e'.  Returns
 * the new node, which owns 'e', or NULL (then 'e' is still the caller's).
 */
static struct promql_node *
parse_range(struct parser *p, struct promql_node *e)
{
	struct promql_node *n;
	size_t open = p->tok.pos, end;
	int64_t range, step = 0;

	if (advance(p) == -1)
		return NULL;
	if (p->tok.type != PROMQL_T_DURATION) {
		unexpected(p, "subquery selector", "duration");
		return NULL;
	}
	if (take_duration(p, &range) == -1)
		return NULL;
	if (p->tok.type == PROMQL_T_RBRACKET) {
		if (e->kind != PROMQL_VECTOR_SELECTOR)
			perr(p, open, "ranges only allowed for vector selectors");
		else if (e->vs.mods.offset_ms != 0)
			perr(p, open, "no offset modifiers allowed before range");
		else if (e->vs.mods.at != PROMQL_AT_NONE)
			perr(p, open, "no @ modifiers allowed before range");
		end = p->tok.pos + 1;
		if (p->failed || advance(p) == -1)
			return NULL;
		n = node_new(PROMQL_MATRIX_SELECTOR, e->pos, end);
		n->ms.vs = e;
		n->ms.range_ms = range;
		return too_deep(p, n) == -1 ? (promql_free(n), NULL) : n;
	}
	if (p->tok.type != PROMQL_T_COLON) {
		unexpected(p, "subquery or range", "\":\" or \"]\"");
		return NULL;
	}
	if (advance(p) == -1)
		return NULL;
	if (p->tok.type == PROMQL_T_DURATION) {
		if (take_duration(p, &step) == -1)
			return NULL;
		if (p->tok.type != PROMQL_T_RBRACKET) {
			unexpected(p, "subquery selector", "\"]\"");
			return NULL;
		}
	} else if (p->tok.type != PROMQL_T_RBRACKET) {
		unexpected(p, "subquery selector", "duration or \"]\"");
		return NULL;
	}
	end = p->tok.pos + 1;
	if (advance(p) == -1)
		return NULL;
	n = node_new(PROMQL_SUBQUERY, e->pos, end);
	n->sq.expr = e;
	n->sq.range_ms = range;
	n->sq.step_ms = step;
	return too_deep(p, n) == -1 ? (promql_free(n), NULL) : n;
}

/* "offset" ["-"] duration after 'e'. */
static int
parse_offset(struct parser *p, struct promql_node *e)
{
	struct promql_mods *mods;
	int64_t d;
	int neg = 0;

	if (advance(p) == -1)
		return -1;
	if (p->tok.type == PROMQL_T_SUB) {
		neg = 1;
		if (advance(p) == -1)
			return -1;
	}
	if (p->tok.type != PROMQL_T_DURATION)
		return unexpected(p, "offset", "duration");
	e->end = p->tok.pos + p->tok.len;
	if (take_duration(p, &d) == -1)
		return -1;
	if ((mods = mods_of(e)) == NULL)
		return perr(p, e->pos, "offset modifier must be preceded by an "
		    "instant vector selector or range vector selector or a "
		    "subquery");
	/* Durations are never 0, so 0 means "not set". */
	if (mods->offset_ms != 0)
		return perr(p, e->pos, "offset may not be set multiple times");
	mods->offset_ms = neg ? -d : d;
	return 0;
}

/* Go's %f, which spells the infinities "+Inf" and "-Inf". */
static void
go_fmt_f(char *out, size_t size, double v)
{
	if (isnan(v))
		snprintf(out, size, "NaN");
	else if (isinf(v))
		snprintf(out, size, "%cInf", v > 0 ? '+' : '-');
	else
		snprintf(out, size, "%f", v);
}

/* Set the @ modifier of 'e' to 'at' (and 'secs', for PROMQL_AT_TIME). */
static int
set_at(struct parser *p, struct promql_node *e, enum promql_at at, double secs)
{
	struct promql_mods *mods;
	char num[400];

	if (at == PROMQL_AT_TIME && !(secs < 9223372036854775807.0 &&
	    secs > -9223372036854775808.0)) {
		go_fmt_f(num, sizeof(num), secs);
		return perr(p, e->pos,
		    "timestamp out of bounds for @ modifier: %s", num);
	}
	if ((mods = mods_of(e)) == NULL)
		return perr(p, e->pos, "@ modifier must be preceded by an instant "
		    "vector selector or range vector selector or a subquery");
	if (mods->at != PROMQL_AT_NONE)
		return perr(p, e->pos, "@ <timestamp> may not be set multiple times");
	mods->at = at;
	if (at == PROMQL_AT_TIME) {
		/*
		 * Milliseconds, rounded.  Past about 292 million years
		 * they overflow; Go wraps there, we saturate.
		 */
		double ms = round(secs * 1000);
		mods->at_ms = ms >= 9.2233720368547758e18 ? INT64_MAX :
		    ms <= -9.2233720368547758e18 ? INT64_MIN : (int64_t)ms;
	}
	return 0;
}

/* "@" [+-] number | "@" start() | "@" end(), after 'e'. */
static int
parse_at(struct parser *p, struct promql_node *e)
{
	enum promql_tok t;
	double v;
	int neg = 0;

	if (advance(p) == -1)
		return -1;
	t = p->tok.type;
	if (t == PROMQL_T_START || t == PROMQL_T_END) {
		if (advance(p) == -1)
			return -1;
		if (p->tok.type != PROMQL_T_LPAREN)
			return unexpected(p, "@", "timestamp");
		if (advance(p) == -1)
			return -1;
		if (p->tok.type != PROMQL_T_RPAREN)
			return unexpected(p, "@", "timestamp");
		e->end = p->tok.pos + 1;
		if (advance(p) == -1)
			return -1;
		return set_at(p, e, t == PROMQL_T_START ? PROMQL_AT_START :
		    PROMQL_AT_END, 0);
	}
	if (t == PROMQL_T_ADD || t == PROMQL_T_SUB) {
		neg = t == PROMQL_T_SUB;
		if (advance(p) == -1)
			return -1;
	}
	if (p->tok.type != PROMQL_T_NUMBER)
		return unexpected(p, "@", "timestamp");
	e->end = p->tok.pos + p->tok.len;
	if (take_number(p, &v) == -1)
		return -1;
	return set_at(p, e, PROMQL_AT_TIME, neg ? -v : v);
}

/*
 * The postfix forms, which bind tighter than any operator: ranges,
 * subqueries, offset and @.  Returns the (possibly new) node, or NULL
 * after freeing 'e'.
 */
static struct promql_node *
parse_postfix(struct parser *p, struct promql_node *e)
{
	struct promql_node *n;

	for (;;) {
		switch (p->tok.type) {
		case PROMQL_T_LBRACKET:
			if ((n = parse_range(p, e)) == NULL)
				goto fail;
			e = n;
			break;
		case PROMQL_T_OFFSET:
			if (parse_offset(p, e) == -1)
				goto fail;
			break;
		case PROMQL_T_AT:
			if (parse_at(p, e) == -1)
				goto fail;
			break;
		default:
			return e;
		}
	}
fail:
	promql_free(e);
	return NULL;
}

/*
 * "(" [expr {"," expr}] ")": the arguments of a call or aggregation.
 * Stores them in '*args' (a new array, also on failure) and the position
 * after ")" in '*end'.
 */
static int
parse_args(struct parser *p, struct promql_node ***args, size_t *nargs,
    size_t *end)
{
	struct promql_node *e;

	*args = NULL;
	*nargs = 0;
	if (advance(p) == -1)
		return -1;
	while (p->tok.type != PROMQL_T_RPAREN) {
		if ((e = parse_expr(p, 0)) == NULL)
			return -1;
		*args = xreallocarray(*args, *nargs + 1, sizeof(**args));
		(*args)[(*nargs)++] = e;
		if (p->tok.type == PROMQL_T_COMMA) {
			size_t comma = p->tok.pos;
			if (advance(p) == -1)
				return -1;
			if (p->tok.type == PROMQL_T_RPAREN)
				return perr(p, comma, "trailing commas not "
				    "allowed in function call args");
		} else if (p->tok.type != PROMQL_T_RPAREN) {
			return unexpected(p, NULL, NULL);
		}
	}
	*end = p->tok.pos + 1;
	return advance(p);
}

static void
free_args(struct promql_node **args, size_t nargs)
{
	size_t i;

	for (i = 0; i < nargs; i++)
		promql_free(args[i]);
	free(args);
}

/* name "(" args ")"; the current token is the name. */
static struct promql_node *
parse_call(struct parser *p)
{
	struct promql_token name = p->tok;
	const struct promql_func *f;
	struct promql_node *n, **args = NULL;
	struct buf b = BUF_INIT;
	size_t nargs = 0, end = 0;

	if (advance(p) == -1 || parse_args(p, &args, &nargs, &end) == -1) {
		free_args(args, nargs);
		return NULL;
	}
	/* Prometheus looks the name up only once the arguments parsed. */
	if ((f = promql_func_lookup(p->src + name.pos, name.len)) == NULL) {
		perr(p, name.pos, "unknown function with name %s",
		    promql_quoted(&b, p->src + name.pos, name.len));
		buf_release(&b);
		free_args(args, nargs);
		return NULL;
	}
	n = node_new(PROMQL_CALL, name.pos, end);
	n->call.func = f;
	n->call.args = args;
	n->call.nargs = nargs;
	return too_deep(p, n) == -1 ? (promql_free(n), NULL) : n;
}

/* "(" [label {"," label} [","]] ")": by, without, on, ignoring, group_x. */
static int
parse_grouping(struct parser *p, struct promql_labels *l)
{
	if (p->tok.type != PROMQL_T_LPAREN)
		return unexpected(p, "grouping opts", "\"(\"");
	if (advance(p) == -1)
		return -1;
	while (p->tok.type != PROMQL_T_RPAREN) {
		if (!is_maybe_label(p->tok.type) ||
		    !metric_label_name_valid(p->src + p->tok.pos, p->tok.len))
			return unexpected(p, "grouping opts", "label");
		labels_add(l, p->src + p->tok.pos, p->tok.len);
		if (advance(p) == -1)
			return -1;
		if (p->tok.type == PROMQL_T_COMMA) {
			if (advance(p) == -1)
				return -1;
		} else if (p->tok.type != PROMQL_T_RPAREN) {
			return unexpected(p, "grouping opts", "\",\" or \")\"");
		}
	}
	return advance(p);
}

static int
parse_agg_modifier(struct parser *p, struct promql_node *n)
{
	n->agg.without = p->tok.type == PROMQL_T_WITHOUT;
	if (advance(p) == -1)
		return -1;
	return parse_grouping(p, &n->agg.grouping);
}

/* Check the argument count and place the arguments, as Prometheus does. */
static int
agg_set_args(struct parser *p, struct promql_node *n,
    struct promql_node **args, size_t nargs)
{
	enum promql_aggop op = n->agg.op;
	size_t want = op == PROMQL_AGG_TOPK || op == PROMQL_AGG_BOTTOMK ||
	    op == PROMQL_AGG_COUNT_VALUES || op == PROMQL_AGG_QUANTILE ? 2 : 1;

	if (nargs == 0)
		return perr(p, n->pos,
		    "no arguments for aggregate expression provided");
	if (nargs != want)
		return perr(p, n->pos, "wrong number of arguments for aggregate "
		    "expression provided, expected %zu, got %zu", want, nargs);
	n->agg.param = want == 2 ? args[0] : NULL;
	n->agg.expr = args[want - 1];
	return 0;
}

static enum promql_aggop
aggop_of(enum promql_tok t)
{
	static const enum promql_tok toks[] = {
		PROMQL_T_SUM, PROMQL_T_AVG, PROMQL_T_COUNT, PROMQL_T_MIN,
		PROMQL_T_MAX, PROMQL_T_GROUP, PROMQL_T_STDDEV, PROMQL_T_STDVAR,
		PROMQL_T_TOPK, PROMQL_T_BOTTOMK, PROMQL_T_COUNT_VALUES,
		PROMQL_T_QUANTILE,
	};
	size_t i;

	for (i = 0; toks[i] != t; i++)
		;
	return (enum promql_aggop)i;
}

/*
 * op [modifier] "(" args ")" [modifier], the modifier being "by (...)"
 * or "without (...)".  The current token is the operator.
 */
static struct promql_node *
parse_aggregate(struct parser *p)
{
	struct promql_node *n, **args = NULL;
	size_t nargs = 0, end = 0;
	int modified = 0, rc;

	n = node_new(PROMQL_AGGREGATE, p->tok.pos, 0);
	n->agg.op = aggop_of(p->tok.type);
	if (advance(p) == -1)
		goto fail;
	p->agg_depth++;
	rc = 0;
	if (p->tok.type == PROMQL_T_BY || p->tok.type == PROMQL_T_WITHOUT) {
		modified = 1;
		rc = parse_agg_modifier(p, n);
	}
	if (rc == 0 && p->tok.type != PROMQL_T_LPAREN)
		rc = unexpected(p, NULL, NULL);
	if (rc == 0)
		rc = parse_args(p, &args, &nargs, &end);
	p->agg_depth--;
	if (rc == -1)
		goto fail;
	n->end = end;
	if (!modified &&
	    (p->tok.type == PROMQL_T_BY || p->tok.type == PROMQL_T_WITHOUT) &&
	    parse_agg_modifier(p, n) == -1)
		goto fail;
	if (agg_set_args(p, n, args, nargs) == -1)
		goto fail;
	free(args);	/* the nodes now belong to 'n' */
	return too_deep(p, n) == -1 ? (promql_free(n), NULL) : n;
fail:
	free_args(args, nargs);
	promql_free(n);
	return NULL;
}

/* A NUMBER or STRING token as a literal node. */
static struct promql_node *
parse_literal(struct parser *p)
{
	struct promql_node *n;
	struct buf b = BUF_INIT;

	n = node_new(p->tok.type == PROMQL_T_NUMBER ? PROMQL_NUMBER :
	    PROMQL_STRING, p->tok.pos, p->tok.pos + p->tok.len);
	if (n->kind == PROMQL_NUMBER) {
		if (take_number(p, &n->number) == 0)
			return n;
	} else if (string_value(p, &p->tok, &b) == 0) {
		n->string.len = b.len;
		n->string.s = buf_take(&b);
		if (advance(p) == 0)
			return n;
	}
	buf_release(&b);
	promql_free(n);
	return NULL;
}

/* "(" expr ")". */
static struct promql_node *
parse_paren(struct parser *p)
{
	struct promql_node *n, *e;
	size_t pos = p->tok.pos;

	if (advance(p) == -1 || (e = parse_expr(p, 0)) == NULL)
		return NULL;
	if (p->tok.type != PROMQL_T_RPAREN) {
		unexpected(p, NULL, NULL);
		promql_free(e);
		return NULL;
	}
	n = node_new(PROMQL_PAREN, pos, p->tok.pos + 1);
	n->paren.expr = e;
	if (too_deep(p, n) == -1 || advance(p) == -1) {
		promql_free(n);
		return NULL;
	}
	return n;
}

/*
 * A primary expression.  Keywords that may name a metric do so unless
 * what follows makes them an aggregation ("sum" alone is a selector,
 * "sum(x)" and "sum by" aggregate).
 */
static struct promql_node *
parse_primary(struct parser *p)
{
	enum promql_tok t = p->tok.type, n;

	switch (t) {
	case PROMQL_T_NUMBER:
	case PROMQL_T_STRING:
		return parse_literal(p);
	case PROMQL_T_LPAREN:
		return parse_paren(p);
	case PROMQL_T_LBRACE:
		return parse_vector_selector(p);
	case PROMQL_T_IDENT:
		if ((n = peek_next(p)) == PROMQL_T_LPAREN)
			return parse_call(p);
		return p->failed ? NULL : parse_vector_selector(p);
	default:
		break;
	}
	if (promql_tok_is_aggregator(t)) {
		n = peek_next(p);
		if (n == PROMQL_T_LPAREN || n == PROMQL_T_BY ||
		    n == PROMQL_T_WITHOUT)
			return parse_aggregate(p);
		if (p->failed)
			return NULL;
	}
	if (is_metric_identifier(t))
		return parse_vector_selector(p);
	unexpected(p, NULL, NULL);
	return NULL;
}

/*
 * Binary operators, from loosest to tightest; 0 is not a binary operator.
 * '^' is right-associative, the others left.
 */
static int
binop_prec(enum promql_tok t, enum promql_binop *op)
{
	static const struct {
		enum promql_tok tok;
		enum promql_binop op;
		int prec;
	} ops[] = {
		{ PROMQL_T_LOR, PROMQL_OP_OR, 1 },
		{ PROMQL_T_LAND, PROMQL_OP_AND, 2 },
		{ PROMQL_T_LUNLESS, PROMQL_OP_UNLESS, 2 },
		{ PROMQL_T_EQLC, PROMQL_OP_EQLC, 3 }, { PROMQL_T_NEQ, PROMQL_OP_NEQ, 3 },
		{ PROMQL_T_LTE, PROMQL_OP_LTE, 3 }, { PROMQL_T_LSS, PROMQL_OP_LSS, 3 },
		{ PROMQL_T_GTE, PROMQL_OP_GTE, 3 }, { PROMQL_T_GTR, PROMQL_OP_GTR, 3 },
		{ PROMQL_T_ADD, PROMQL_OP_ADD, 4 }, { PROMQL_T_SUB, PROMQL_OP_SUB, 4 },
		{ PROMQL_T_MUL, PROMQL_OP_MUL, 5 }, { PROMQL_T_DIV, PROMQL_OP_DIV, 5 },
		{ PROMQL_T_MOD, PROMQL_OP_MOD, 5 },
		{ PROMQL_T_ATAN2, PROMQL_OP_ATAN2, 5 },
		{ PROMQL_T_POW, PROMQL_OP_POW, 6 },
	};
	size_t i;

	for (i = 0; i < NELEM(ops); i++) {
		if (ops[i].tok == t) {
			*op = ops[i].op;
			return ops[i].prec;
		}
	}
	return 0;
}

#define PREC_POW 6

/*
 * Unary minus and plus bind like '*': looser than '^', so "-2^2" is
 * -(2^2), tighter than the rest.  A sign on a number literal is folded
 * into it, as Prometheus does.
 */
static struct promql_node *
parse_unary(struct parser *p)
{
	struct promql_node *n, *e;
	struct promql_token op = p->tok;

	if (op.type != PROMQL_T_ADD && op.type != PROMQL_T_SUB) {
		if ((e = parse_primary(p)) == NULL)
			return NULL;
		return parse_postfix(p, e);
	}
	if (advance(p) == -1 || (e = parse_expr(p, PREC_POW)) == NULL)
		return NULL;
	if (e->kind == PROMQL_NUMBER) {
		if (op.type == PROMQL_T_SUB)
			e->number = -e->number;
		e->pos = op.pos;
		return e;
	}
	n = node_new(PROMQL_UNARY, op.pos, e->end);
	n->unary.negate = op.type == PROMQL_T_SUB;
	n->unary.expr = e;
	return too_deep(p, n) == -1 ? (promql_free(n), NULL) : n;
}

/* [bool] [on|ignoring (...) [group_left|group_right [(...)]]]. */
static struct promql_matching *
parse_bin_modifiers(struct parser *p, int *return_bool)
{
	struct promql_matching *m = xcalloc(1, sizeof(*m));
	enum promql_tok t;

	m->card = PROMQL_CARD_ONE_TO_ONE;
	*return_bool = p->tok.type == PROMQL_T_BOOL;
	if (*return_bool && advance(p) == -1)
		goto fail;
	if (p->tok.type != PROMQL_T_ON && p->tok.type != PROMQL_T_IGNORING)
		return m;
	m->on = p->tok.type == PROMQL_T_ON;
	if (advance(p) == -1 || parse_grouping(p, &m->labels) == -1)
		goto fail;
	t = p->tok.type;
	if (t != PROMQL_T_GROUP_LEFT && t != PROMQL_T_GROUP_RIGHT)
		return m;
	m->card = t == PROMQL_T_GROUP_LEFT ? PROMQL_CARD_MANY_TO_ONE :
	    PROMQL_CARD_ONE_TO_MANY;
	if (advance(p) == -1)
		goto fail;
	/* A '(' here is the include list, never the right operand. */
	if (p->tok.type == PROMQL_T_LPAREN &&
	    parse_grouping(p, &m->include) == -1)
		goto fail;
	return m;
fail:
	promql_matching_free(m);
	return NULL;
}

/* Precedence climbing over the binary operators of at least 'min_prec'. */
static struct promql_node *parse_expr_at(struct parser *p, int min_prec);

/*
 * An expression; its nesting is bounded as the tree's depth is, so that
 * "- - - - 1" (folded into one number) cannot exhaust the stack either.
 */
static struct promql_node *
parse_expr(struct parser *p, int min_prec)
{
	struct promql_node *n;

	if (p->nesting >= PROMQL_DEPTH_MAX) {
		perr(p, p->tok.pos, "expression nested too deeply (more than %d "
		    "levels)", PROMQL_DEPTH_MAX);
		return NULL;
	}
	p->nesting++;
	n = parse_expr_at(p, min_prec);
	p->nesting--;
	return n;
}

static struct promql_node *
parse_expr_at(struct parser *p, int min_prec)
{
	struct promql_node *lhs, *rhs, *n;
	struct promql_matching *m;
	enum promql_binop op;
	int prec, rbool;

	if ((lhs = parse_unary(p)) == NULL)
		return NULL;
	while ((prec = binop_prec(p->tok.type, &op)) >= min_prec && prec > 0) {
		if (advance(p) == -1 || (m = parse_bin_modifiers(p, &rbool)) == NULL)
			goto fail;
		rhs = parse_expr(p, op == PROMQL_OP_POW ? prec : prec + 1);
		if (rhs == NULL) {
			promql_matching_free(m);
			goto fail;
		}
		n = node_new(PROMQL_BINARY, lhs->pos, rhs->end);
		n->binary.op = op;
		n->binary.return_bool = rbool;
		n->binary.lhs = lhs;
		n->binary.rhs = rhs;
		n->binary.matching = m;
		lhs = n;
		if (too_deep(p, n) == -1)
			goto fail;
	}
	return lhs;
fail:
	promql_free(lhs);
	return NULL;
}

/*
 * Entry points.
 */

static void
parser_init(struct parser *p, const char *s, struct errbuf *eb)
{
	memset(p, 0, sizeof(*p));
	p->src = s;
	p->len = strlen(s);
	p->eb = eb;
	promql_lex_init(&p->lx, s, p->len);
}

/* Finish: the input must be used up, and the tree must type-check. */
static int
parse_finish(struct parser *p, struct promql_node *n, struct promql_node **out)
{
	if (n != NULL && p->tok.type != PROMQL_T_EOF)
		unexpected(p, NULL, NULL);
	if (n != NULL && !p->failed &&
	    promql_check(n, p->src, p->len, p->eb) == -1)
		p->failed = 1;
	if (p->failed) {
		promql_free(n);
		return -1;
	}
	*out = n;
	return 0;
}

int
promql_parse(const char *expr, struct promql_node **out, struct errbuf *eb)
{
	struct parser p;

	parser_init(&p, expr, eb);
	if (advance(&p) == -1)
		return -1;
	if (p.tok.type == PROMQL_T_EOF)
		return perr(&p, 0, "no expression found in input");
	return parse_finish(&p, parse_expr(&p, 0), out);
}

int
promql_parse_selector(const char *selector, struct promql_node **out,
    struct errbuf *eb)
{
	struct parser p;
	struct promql_node *n = NULL;

	parser_init(&p, selector, eb);
	if (advance(&p) == -1)
		return -1;
	if (p.tok.type == PROMQL_T_LBRACE || is_metric_identifier(p.tok.type))
		n = parse_vector_selector(&p);
	else
		unexpected(&p, NULL, NULL);
	return parse_finish(&p, n, out);
}
