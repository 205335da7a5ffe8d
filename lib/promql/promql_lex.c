/* promql_lex.c - the PromQL tokenizer, following Prometheus 2.42's lexer */
/* SPDX-License-Identifier: MIT */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "base/goquote.h"
#include "promql/promql_lex.h"

/*
 * What next_rune() returns at the end and for an invalid byte.  Messages
 * show the latter as U+FFFD, as Go's decoder does.
 */
#define RUNE_EOF	(-1)
#define RUNE_INVALID	(-2)

static const struct {
	const char *word;
	enum promql_tok type;
} keywords[] = {
	{ "and", PROMQL_T_LAND }, { "or", PROMQL_T_LOR },
	{ "unless", PROMQL_T_LUNLESS }, { "atan2", PROMQL_T_ATAN2 },
	{ "sum", PROMQL_T_SUM }, { "avg", PROMQL_T_AVG },
	{ "count", PROMQL_T_COUNT }, { "min", PROMQL_T_MIN },
	{ "max", PROMQL_T_MAX }, { "group", PROMQL_T_GROUP },
	{ "stddev", PROMQL_T_STDDEV }, { "stdvar", PROMQL_T_STDVAR },
	{ "topk", PROMQL_T_TOPK }, { "bottomk", PROMQL_T_BOTTOMK },
	{ "count_values", PROMQL_T_COUNT_VALUES },
	{ "quantile", PROMQL_T_QUANTILE },
	{ "offset", PROMQL_T_OFFSET }, { "by", PROMQL_T_BY },
	{ "without", PROMQL_T_WITHOUT }, { "on", PROMQL_T_ON },
	{ "ignoring", PROMQL_T_IGNORING },
	{ "group_left", PROMQL_T_GROUP_LEFT },
	{ "group_right", PROMQL_T_GROUP_RIGHT }, { "bool", PROMQL_T_BOOL },
	{ "start", PROMQL_T_START }, { "end", PROMQL_T_END },
	{ "inf", PROMQL_T_NUMBER }, { "nan", PROMQL_T_NUMBER },
};

static int is_space(int c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}
static int is_digit(int c) { return c >= '0' && c <= '9'; }
static int is_alpha(int c)
{
	return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
static int is_alnum(int c) { return is_alpha(c) || is_digit(c); }

int
promql_utf8_decode(const char *str, size_t len, uint32_t *r)
{
	const unsigned char *s = (const unsigned char *)str;
	uint32_t c = s[0], min;
	size_t n, i;

	if (c < 0x80) {
		*r = c;
		return 1;
	}
	if (c >= 0xC2 && c <= 0xDF)
		n = 2, min = 0x80, c &= 0x1F;
	else if (c >= 0xE0 && c <= 0xEF)
		n = 3, min = 0x800, c &= 0x0F;
	else if (c >= 0xF0 && c <= 0xF4)
		n = 4, min = 0x10000, c &= 0x07;
	else
		return -1;
	if (len < n)
		return -1;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return -1;
		c = c << 6 | (s[i] & 0x3F);
	}
	if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
		return -1;
	*r = c;
	return (int)n;
}

/*
 * Go's unicode.IsPrint, approximately: everything but controls, the
 * non-ASCII spaces, line and paragraph separators, format characters and
 * private use.  NEEDSWORK: unassigned code points count as printable here,
 * where Go escapes them; that changes only how such a string is printed.
 */
static int
is_print(uint32_t r)
{
	if (r < 0x20 || (r >= 0x7F && r <= 0xA0) || r == 0xAD)
		return 0;
	if (r == 0x1680 || (r >= 0x2000 && r <= 0x200F) ||
	    (r >= 0x2028 && r <= 0x202F) || (r >= 0x205F && r <= 0x206F) ||
	    r == 0x3000 || r == 0xFEFF || (r >= 0xFFF9 && r <= 0xFFFB) ||
	    r == 0xFFFE || r == 0xFFFF)
		return 0;
	if ((r >= 0x600 && r <= 0x605) || r == 0x61C || r == 0x6DD ||
	    r == 0x70F || r == 0x180E)
		return 0;
	if ((r >= 0xE000 && r <= 0xF8FF) || r >= 0xF0000)
		return 0;
	return 1;
}

/* The letter of Go's one-letter escape for 'r' ("\n" for newline), or 0. */
static char
escape_letter(uint32_t r)
{
	switch (r) {
	case '\a': return 'a';
	case '\b': return 'b';
	case '\f': return 'f';
	case '\n': return 'n';
	case '\r': return 'r';
	case '\t': return 't';
	case '\v': return 'v';
	}
	return 0;
}

/* One character inside Go quotes 'quote': the escaping of strconv.Quote. */
static void
add_escaped(struct buf *b, uint32_t r, int quote)
{
	if (r == (uint32_t)quote || r == '\\') {
		buf_addch(b, '\\');
		buf_addch(b, (char)r);
	} else if (escape_letter(r) != 0) {
		buf_addch(b, '\\');
		buf_addch(b, escape_letter(r));
	} else if (is_print(r)) {
		goquote_utf8(b, r);
	} else if (r < 0x80) {
		buf_addf(b, "\\x%02x", r);
	} else if (r < 0x10000) {
		buf_addf(b, "\\u%04x", r);
	} else {
		buf_addf(b, "\\U%08x", r);
	}
}

void
promql_quote(struct buf *out, const char *s, size_t len)
{
	size_t i = 0;
	uint32_t r;
	int n;

	buf_addch(out, '"');
	while (i < len) {
		if ((n = promql_utf8_decode(s + i, len - i, &r)) < 0) {
			buf_addf(out, "\\x%02x", (unsigned char)s[i]);
			i++;
			continue;
		}
		add_escaped(out, r, '"');
		i += (size_t)n;
	}
	buf_addch(out, '"');
}

/* A rune as Go's %q writes it: 'x', '\n', '\''. */
static const char *
rune_q(struct buf *b, long r)
{
	buf_reset(b);
	buf_addch(b, '\'');
	add_escaped(b, r < 0 ? 0xFFFD : (uint32_t)r, '\'');
	buf_addch(b, '\'');
	return b->p;
}

/* A rune as Go's %#U writes it: U+0063 'c'. */
static const char *
rune_U(struct buf *b, long r)
{
	buf_reset(b);
	if (r < 0)
		r = 0xFFFD;
	buf_addf(b, "U+%04lX", r);
	if (is_print((uint32_t)r)) {
		buf_adds(b, " '");
		goquote_utf8(b, (uint32_t)r);
		buf_addch(b, '\'');
	}
	return b->p;
}

/* The rune at the lexer's position, advancing past it. */
static long
next_rune(struct promql_lexer *lx)
{
	uint32_t r;
	int n;

	if (lx->pos >= lx->len)
		return RUNE_EOF;
	n = promql_utf8_decode(lx->src + lx->pos, lx->len - lx->pos, &r);
	if (n < 0) {
		lx->pos++;
		return RUNE_INVALID;
	}
	lx->pos += (size_t)n;
	return (long)r;
}

static int
peek(const struct promql_lexer *lx)
{
	return lx->pos < lx->len ? (unsigned char)lx->src[lx->pos] : -1;
}

static int
accept(struct promql_lexer *lx, const char *valid)
{
	int c = peek(lx);

	if (c > 0 && strchr(valid, c) != NULL) {
		lx->pos++;
		return 1;
	}
	return 0;
}

static void
accept_run(struct promql_lexer *lx, const char *valid)
{
	while (accept(lx, valid))
		;
}

static int lex_fail(struct promql_token *t, size_t pos, struct errbuf *eb,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static int
lex_fail(struct promql_token *t, size_t pos, struct errbuf *eb,
    const char *fmt, ...)
{
	va_list ap;
	char msg[sizeof(eb->msg)];

	t->type = PROMQL_T_EOF;
	t->pos = pos;
	t->len = 0;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return errbuf_set(eb, "%s", msg);
}

/* Fail with a message about a character: "unexpected character: 'x'". */
static int
lex_fail_rune(struct promql_token *t, size_t pos, struct errbuf *eb,
    const char *what, long r)
{
	struct buf b = BUF_INIT;

	lex_fail(t, pos, eb, "%s%s", what, rune_q(&b, r));
	buf_release(&b);
	return -1;
}

/* Fail quoting the text from 'start' to the lexer's position. */
static int
lex_fail_text(struct promql_lexer *lx, struct promql_token *t, size_t start,
    struct errbuf *eb, const char *what)
{
	struct buf b = BUF_INIT;

	promql_quote(&b, lx->src + start, lx->pos - start);
	lex_fail(t, start, eb, "%s: %s", what, b.p);
	buf_release(&b);
	return -1;
}

void
promql_lex_init(struct promql_lexer *lx, const char *src, size_t len)
{
	memset(lx, 0, sizeof(*lx));
	lx->src = src;
	lx->len = len;
}

static int
emit(struct promql_lexer *lx, struct promql_token *t, size_t start,
    enum promql_tok type)
{
	t->type = type;
	t->pos = start;
	t->len = lx->pos - start;
	return 0;
}

/*
 * Scan a number: digits (hex after "0x"), an optional fraction and
 * exponent.  Returns 1 when it is not followed by a letter, digit or '_'
 * (so it is a whole number), 0 when it might be a duration's start.
 */
static int
scan_number(struct promql_lexer *lx)
{
	const char *digits = "0123456789";

	if (accept(lx, "0") && accept(lx, "xX"))
		digits = "0123456789abcdefABCDEF";
	accept_run(lx, digits);
	if (accept(lx, "."))
		accept_run(lx, digits);
	if (accept(lx, "eE")) {
		accept(lx, "+-");
		accept_run(lx, "0123456789");
	}
	return !is_alnum(peek(lx));
}

/*
 * After a number, accept the rest of a duration: units, and more
 * number-unit pairs.  Bad orders such as "1s1h" pass here and fail when
 * the parser converts the duration, as in Prometheus.  On failure the
 * position is past the offending character, which the message quotes.
 */
static int
accept_duration_rest(struct promql_lexer *lx)
{
	if (!accept(lx, "smhdwy"))
		return 0;
	accept(lx, "s");
	while (accept(lx, "0123456789")) {
		accept_run(lx, "0123456789");
		if (!accept(lx, "smhdw"))	/* 'y' only comes first */
			return 0;
		accept(lx, "s");
	}
	if (is_alnum(peek(lx))) {
		lx->pos++;
		return 0;
	}
	return 1;
}

static int
lex_number_or_duration(struct promql_lexer *lx, struct promql_token *t,
    struct errbuf *eb)
{
	size_t start = lx->pos;

	if (scan_number(lx))
		return emit(lx, t, start, PROMQL_T_NUMBER);
	if (accept_duration_rest(lx))
		return emit(lx, t, start, PROMQL_T_DURATION);
	return lex_fail_text(lx, t, start, eb, "bad number or duration syntax");
}

/* The token right after '[': a duration, and nothing else. */
static int
lex_duration(struct promql_lexer *lx, struct promql_token *t,
    struct errbuf *eb)
{
	size_t start;

	lx->want_duration = 0;
	while (is_space(peek(lx)))
		lx->pos++;
	start = lx->pos;
	if (scan_number(lx))
		return lex_fail(t, start, eb, "missing unit character in duration");
	if (!accept_duration_rest(lx))
		return lex_fail_text(lx, t, start, eb, "bad duration syntax");
	return emit(lx, t, start, PROMQL_T_DURATION);
}

/*
 * Check the escape sequence after a backslash in a string quoted with
 * 'quote'.  Returns 0, or -1 with the message in 'eb' (positioned at the
 * string's start, 'start', as Prometheus does).
 */
static int
lex_escape(struct promql_lexer *lx, struct promql_token *t, size_t start,
    int quote, struct errbuf *eb)
{
	struct buf b = BUF_INIT;
	long c = next_rune(lx);
	unsigned n, base;
	uint32_t max, x = 0;
	int rc = 0;

	if (c == quote || (c > 0 && c < 0x80 && strchr("abfnrtv\\", (int)c)))
		return 0;
	if (c >= '0' && c <= '7') {
		n = 3, base = 8, max = 255;
	} else if (c == 'x' || c == 'u' || c == 'U') {
		n = c == 'x' ? 2 : c == 'u' ? 4 : 8;
		base = 16, max = c == 'x' ? 255 : 0x10FFFF;
		c = next_rune(lx);
	} else if (c == RUNE_EOF) {
		return lex_fail(t, start, eb, "escape sequence not terminated");
	} else {
		rc = lex_fail(t, start, eb, "unknown escape sequence %s",
		    rune_U(&b, c));
		goto out;
	}
	for (; n > 0; n--) {
		unsigned d = (unsigned)goquote_digit(c);
		if (d >= base) {
			if (c == RUNE_EOF)
				rc = lex_fail(t, start, eb,
				    "escape sequence not terminated");
			else
				rc = lex_fail(t, start, eb, "illegal character "
				    "%s in escape sequence",
				    rune_U(&b, c));
			goto out;
		}
		x = x * base + d;
		if (n > 1)
			c = next_rune(lx);
	}
	if (x > max || (x >= 0xD800 && x < 0xE000))
		rc = lex_fail(t, start, eb,
		    "escape sequence is an invalid Unicode code point");
out:
	buf_release(&b);
	return rc;
}

/* A "..." or '...' string; the opening quote has been read. */
static int
lex_string(struct promql_lexer *lx, struct promql_token *t, int quote,
    struct errbuf *eb)
{
	size_t start = lx->pos - 1;
	long c;

	for (;;) {
		c = next_rune(lx);
		if (c == '\\') {
			if (lex_escape(lx, t, start, quote, eb) == -1)
				return -1;
		} else if (c == RUNE_INVALID) {
			return lex_fail(t, start, eb, "invalid UTF-8 rune");
		} else if (c == RUNE_EOF || c == '\n') {
			return lex_fail(t, start, eb, "unterminated quoted string");
		} else if (c == quote) {
			return emit(lx, t, start, PROMQL_T_STRING);
		}
	}
}

/* A `...` string; the opening backquote has been read. */
static int
lex_raw_string(struct promql_lexer *lx, struct promql_token *t,
    struct errbuf *eb)
{
	size_t start = lx->pos - 1;
	long c;

	for (;;) {
		c = next_rune(lx);
		if (c == RUNE_INVALID)
			return lex_fail(t, start, eb, "invalid UTF-8 rune");
		if (c == RUNE_EOF)
			return lex_fail(t, start, eb, "unterminated raw string");
		if (c == '`')
			return emit(lx, t, start, PROMQL_T_STRING);
	}
}

static int
lex_keyword_or_identifier(struct promql_lexer *lx, struct promql_token *t)
{
	size_t start = lx->pos, i, n;

	while (is_alnum(peek(lx)) || peek(lx) == ':')
		lx->pos++;
	n = lx->pos - start;
	for (i = 0; i < sizeof(keywords) / sizeof(keywords[0]); i++)
		if (strlen(keywords[i].word) == n &&
		    strncasecmp(keywords[i].word, lx->src + start, n) == 0)
			return emit(lx, t, start, keywords[i].type);
	if (memchr(lx->src + start, ':', n) != NULL)
		return emit(lx, t, start, PROMQL_T_METRIC_IDENT);
	return emit(lx, t, start, PROMQL_T_IDENT);
}

/* Between '{' and '}': label names, matching operators, strings. */
static int
lex_inside_braces(struct promql_lexer *lx, struct promql_token *t,
    struct errbuf *eb)
{
	size_t start = lx->pos;
	long c;

	if (is_alpha(peek(lx))) {
		while (is_alnum(peek(lx)))
			lx->pos++;
		return emit(lx, t, start, PROMQL_T_IDENT);
	}
	c = next_rune(lx);
	switch (c) {
	case RUNE_EOF:
		return lex_fail(t, start, eb,
		    "unexpected end of input inside braces");
	case ',':
		return emit(lx, t, start, PROMQL_T_COMMA);
	case '"': case '\'':
		return lex_string(lx, t, (int)c, eb);
	case '`':
		return lex_raw_string(lx, t, eb);
	case '=':
		if (accept(lx, "~"))
			return emit(lx, t, start, PROMQL_T_EQL_REGEX);
		return emit(lx, t, start, PROMQL_T_EQL);
	case '!':
		if (accept(lx, "~"))
			return emit(lx, t, start, PROMQL_T_NEQ_REGEX);
		if (accept(lx, "="))
			return emit(lx, t, start, PROMQL_T_NEQ);
		return lex_fail_rune(t, start, eb,
		    "unexpected character after '!' inside braces: ",
		    next_rune(lx));
	case '{':
		return lex_fail(t, start, eb, "unexpected left brace '{'");
	case '}':
		lx->brace_open = 0;
		return emit(lx, t, start, PROMQL_T_RBRACE);
	}
	return lex_fail_rune(t, start, eb,
	    "unexpected character inside braces: ", c);
}

/*
 * Inside brackets, after the duration, Prometheus 2.42 takes any letter
 * as the subquery's colon ("foo[5m x]" is "foo[5m:]"), and a second one
 * as an error naming that letter.  We keep the quirk: it decides which
 * queries are accepted, and what the error says.
 */
static int
lex_colon(struct promql_lexer *lx, struct promql_token *t, size_t start,
    long c, struct errbuf *eb)
{
	if (lx->got_colon)
		return lex_fail_rune(t, start, eb, "unexpected colon ", c);
	lx->got_colon = 1;
	return emit(lx, t, start, PROMQL_T_COLON);
}

static int
lex_compare(struct promql_lexer *lx, struct promql_token *t, size_t start,
    long c, struct errbuf *eb)
{
	switch (c) {
	case '=':
		if (accept(lx, "="))
			return emit(lx, t, start, PROMQL_T_EQLC);
		if (peek(lx) == '~')
			return lex_fail(t, start, eb,
			    "unexpected character after '=': '~'");
		return emit(lx, t, start, PROMQL_T_EQL);
	case '!':
		if (accept(lx, "="))
			return emit(lx, t, start, PROMQL_T_NEQ);
		return lex_fail_rune(t, start, eb,
		    "unexpected character after '!': ", next_rune(lx));
	case '<':
		return emit(lx, t, start,
		    accept(lx, "=") ? PROMQL_T_LTE : PROMQL_T_LSS);
	default:
		return emit(lx, t, start,
		    accept(lx, "=") ? PROMQL_T_GTE : PROMQL_T_GTR);
	}
}

static int
lex_bracket(struct promql_lexer *lx, struct promql_token *t, size_t start,
    long c, struct errbuf *eb)
{
	if (c == '[') {
		if (lx->bracket_open)
			return lex_fail(t, start, eb,
			    "unexpected left bracket '['");
		lx->bracket_open = 1;
		lx->got_colon = 0;
		lx->want_duration = 1;
		return emit(lx, t, start, PROMQL_T_LBRACKET);
	}
	if (!lx->bracket_open)
		return lex_fail(t, start, eb, "unexpected right bracket ']'");
	lx->bracket_open = 0;
	return emit(lx, t, start, PROMQL_T_RBRACKET);
}

static int
lex_paren(struct promql_lexer *lx, struct promql_token *t, size_t start,
    long c, struct errbuf *eb)
{
	if (c == '(') {
		lx->paren_depth++;
		return emit(lx, t, start, PROMQL_T_LPAREN);
	}
	/* Prometheus reports this after the ')', hence lx->pos. */
	if (--lx->paren_depth < 0)
		return lex_fail(t, lx->pos, eb,
		    "unexpected right parenthesis ')'");
	return emit(lx, t, start, PROMQL_T_RPAREN);
}

static int
lex_statement(struct promql_lexer *lx, struct promql_token *t,
    struct errbuf *eb)
{
	static const char single[] = ",*/%+-^@{";
	static const enum promql_tok single_type[] = {
		PROMQL_T_COMMA, PROMQL_T_MUL, PROMQL_T_DIV, PROMQL_T_MOD,
		PROMQL_T_ADD, PROMQL_T_SUB, PROMQL_T_POW, PROMQL_T_AT,
		PROMQL_T_LBRACE,
	};
	size_t start = lx->pos;
	int c = peek(lx);
	long r;

	if (c == -1) {
		if (lx->paren_depth != 0)
			return lex_fail(t, start, eb, "unclosed left parenthesis");
		if (lx->bracket_open)
			return lex_fail(t, start, eb, "unclosed left bracket");
		return emit(lx, t, start, PROMQL_T_EOF);
	}
	if (is_digit(c) || (c == '.' && lx->pos + 1 < lx->len &&
	    is_digit(lx->src[lx->pos + 1])))
		return lex_number_or_duration(lx, t, eb);
	if ((is_alpha(c) || c == ':') && !lx->bracket_open)
		return lex_keyword_or_identifier(lx, t);
	r = next_rune(lx);
	if (r > 0 && r < 0x80 && strchr(single, (int)r) != NULL) {
		if (r == '{')
			lx->brace_open = 1;
		return emit(lx, t, start,
		    single_type[strchr(single, (int)r) - single]);
	}
	if (is_alpha(c) || c == ':')
		return lex_colon(lx, t, start, r, eb);
	switch (r) {
	case '=': case '!': case '<': case '>':
		return lex_compare(lx, t, start, r, eb);
	case '"': case '\'':
		return lex_string(lx, t, (int)r, eb);
	case '`':
		return lex_raw_string(lx, t, eb);
	case '(': case ')':
		return lex_paren(lx, t, start, r, eb);
	case '[': case ']':
		return lex_bracket(lx, t, start, r, eb);
	}
	return lex_fail_rune(t, start, eb, "unexpected character: ", r);
}

int
promql_lex_next(struct promql_lexer *lx, struct promql_token *t,
    struct errbuf *eb)
{
	if (lx->want_duration)
		return lex_duration(lx, t, eb);
	for (;;) {
		int c = peek(lx);
		if (is_space(c)) {
			lx->pos++;
		} else if (c == '#') {
			while (lx->pos < lx->len && lx->src[lx->pos] != '\n')
				lx->pos++;
		} else {
			break;
		}
	}
	if (lx->brace_open)
		return lex_inside_braces(lx, t, eb);
	return lex_statement(lx, t, eb);
}

int
promql_unquote(const char *s, size_t len, struct buf *out, struct errbuf *eb)
{
	size_t i;
	char q;

	if (len < 2 || s[0] != s[len - 1] || strchr("\"'`", s[0]) == NULL)
		return errbuf_set(eb, "not a quoted string");
	q = s[0];
	if (q == '`') {
		if (memchr(s + 1, '`', len - 2) != NULL)
			return errbuf_set(eb, "not a quoted string");
		buf_add(out, s + 1, len - 2);
		return 0;
	}
	for (i = 1; i < len - 1;) {
		char c = s[i++];
		if (c == q || c == '\n')
			return errbuf_set(eb, "invalid syntax in quoted string");
		if (c != '\\') {
			buf_addch(out, c);
		} else if (goquote_escape(s, len - 1, &i, q, out) == -1) {
			return errbuf_set(eb, "invalid escape in quoted string");
		}
	}
	return 0;
}

int
promql_verror(struct errbuf *eb, const char *src, size_t len, size_t pos,
    const char *fmt, va_list ap)
{
	char msg[sizeof(eb->msg)];
	size_t i, line = 1, col = pos + 1;

	for (i = 0; i < pos && i < len; i++) {
		if (src[i] == '\n') {
			line++;
			col = pos - i;
		}
	}
	vsnprintf(msg, sizeof(msg), fmt, ap);
	return errbuf_set(eb, "%zu:%zu: parse error: %s", line, col, msg);
}

const char *
promql_quoted(struct buf *b, const char *s, size_t len)
{
	buf_reset(b);
	promql_quote(b, s, len);
	return b->p;
}
