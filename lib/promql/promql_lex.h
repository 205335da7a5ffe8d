/* promql_lex.h - the PromQL tokenizer, with byte positions */
/* SPDX-License-Identifier: MIT */
#ifndef MTK_PROMQL_LEX_H
#define MTK_PROMQL_LEX_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/errbuf.h"

/*
 * Token types.  The order inside each group is free; the groups are kept
 * contiguous so that promql_tok_is_*() can test ranges.  Keywords are
 * recognised case-insensitively ("SUM", "By"); "Inf" and "NaN" (any case)
 * are numbers.
 */
enum promql_tok {
	PROMQL_T_EOF,
	PROMQL_T_IDENT,		/* [a-zA-Z_][a-zA-Z0-9_]*, not a keyword */
	PROMQL_T_METRIC_IDENT,	/* an identifier that contains ':' */
	PROMQL_T_NUMBER,	/* 1, .5, 1e3, 0x1f, 0755, Inf, NaN */
	PROMQL_T_DURATION,	/* 5m, 1h30m, 500ms */
	PROMQL_T_STRING,	/* "...", '...' or `...`, quotes included */
	PROMQL_T_LPAREN, PROMQL_T_RPAREN, PROMQL_T_LBRACE, PROMQL_T_RBRACE,
	PROMQL_T_LBRACKET, PROMQL_T_RBRACKET, PROMQL_T_COMMA, PROMQL_T_COLON,
	PROMQL_T_EQL,		/* = (a label matcher, not a comparison) */

	/* Operators. */
	PROMQL_T_ADD, PROMQL_T_SUB, PROMQL_T_MUL, PROMQL_T_DIV, PROMQL_T_MOD,
	PROMQL_T_POW, PROMQL_T_EQLC, PROMQL_T_NEQ, PROMQL_T_LTE, PROMQL_T_LSS,
	PROMQL_T_GTE, PROMQL_T_GTR, PROMQL_T_EQL_REGEX, PROMQL_T_NEQ_REGEX,
	PROMQL_T_AT, PROMQL_T_LAND, PROMQL_T_LOR, PROMQL_T_LUNLESS,
	PROMQL_T_ATAN2,

	/* Aggregators. */
	PROMQL_T_AVG, PROMQL_T_BOTTOMK, PROMQL_T_COUNT, PROMQL_T_COUNT_VALUES,
	PROMQL_T_GROUP, PROMQL_T_MAX, PROMQL_T_MIN, PROMQL_T_QUANTILE,
	PROMQL_T_STDDEV, PROMQL_T_STDVAR, PROMQL_T_SUM, PROMQL_T_TOPK,

	/* Keywords. */
	PROMQL_T_BOOL, PROMQL_T_BY, PROMQL_T_GROUP_LEFT, PROMQL_T_GROUP_RIGHT,
	PROMQL_T_IGNORING, PROMQL_T_OFFSET, PROMQL_T_ON, PROMQL_T_WITHOUT,

	/* Preprocessors: the start() and end() of "@ start()". */
	PROMQL_T_START, PROMQL_T_END
};

static inline int
promql_tok_is_operator(enum promql_tok t)
{
	return t >= PROMQL_T_ADD && t <= PROMQL_T_ATAN2;
}

static inline int
promql_tok_is_aggregator(enum promql_tok t)
{
	return t >= PROMQL_T_AVG && t <= PROMQL_T_TOPK;
}

static inline int
promql_tok_is_keyword(enum promql_tok t)
{
	return t >= PROMQL_T_BOOL && t <= PROMQL_T_WITHOUT;
}

/* A token: its type and where its text is in the source. */
struct promql_token {
	enum promql_tok type;
	size_t pos;		/* byte offset of the first byte */
	size_t len;		/* bytes of text (0 for EOF) */
};

/*
 * The lexer's state.  It borrows the source, which must outlive it.  Its
 * rules follow Prometheus 2.42's lexer: the text between '{' and '}' is
 * lexed as label matchers (identifiers there are never keywords), the
 * text right after '[' must be a duration, and unbalanced brackets are
 * lexical errors.  The fields are private.
 */
struct promql_lexer {
	const char *src;
	size_t len;
	size_t pos;
	int paren_depth;
	int brace_open;
	int bracket_open;
	int got_colon;		/* a ':' seen since the last '[' */
	int want_duration;	/* the next token follows '[' */
};

/* Start lexing 'src' of 'len' bytes (borrowed; need not end in NUL). */
void promql_lex_init(struct promql_lexer *lx, const char *src, size_t len);

/*
 * Read the next token into '*t', skipping white space and # comments.
 * At the end, returns PROMQL_T_EOF (at position 'len') on every call.
 * Returns 0, or -1 for a lexical error: then 'eb' holds Prometheus'
 * message without a position ("unclosed left parenthesis", "bad duration
 * syntax: \"5mm\"") and t->pos says where the error is.  The lexer must
 * not be used after an error.
 */
int promql_lex_next(struct promql_lexer *lx, struct promql_token *t,
    struct errbuf *eb);

/*
 * Fill 'eb' with "L:C: parse error: " and the message of 'fmt' and 'ap',
 * L and C the line and byte column (from 1) of byte 'pos' of 'src'
 * ('len' bytes), as Prometheus locates the errors of a query (the
 * parser's and the type checker's).  Returns -1.
 */
int promql_verror(struct errbuf *eb, const char *src, size_t len, size_t pos,
    const char *fmt, va_list ap) __attribute__((format(printf, 5, 0)));

/*
 * Append to 'out' the value of the string literal 's' of 'len' bytes,
 * quotes included, as a STRING token spells it: Go escapes (\a \b \f \n
 * \r \t \v \\ \" or \', \NNN octal and \xNN giving a byte, \uNNNN and
 * \UNNNNNNNN giving UTF-8) inside "..." and '...', none inside `...`.
 * The value may contain NUL bytes.  Returns 0, or -1 with the reason in
 * 'eb' for text that is not such a literal.
 */
int promql_unquote(const char *s, size_t len, struct buf *out,
    struct errbuf *eb);

/*
 * Append 's' of 'len' bytes to 'out' as a double-quoted literal that
 * promql_unquote() reads back, written as Go's strconv.Quote() writes it
 * (what Prometheus prints): printable UTF-8 as is, \" \\ \a \b \f \n \r
 * \t \v, other control characters and invalid bytes as \xNN, other
 * non-printable characters as \uNNNN.
 */
void promql_quote(struct buf *out, const char *s, size_t len);

/* promql_quote() into 'b', emptied first; returns its text (for messages). */
const char *promql_quoted(struct buf *b, const char *s, size_t len);

/*
 * Decode the UTF-8 sequence at 's' (at most 'len' > 0 bytes) strictly, as
 * Go does: no overlong forms, surrogates or values past U+10FFFF.
 * Returns its length and stores the code point in '*r', or returns -1
 * for an invalid byte (which is one byte long).
 */
int promql_utf8_decode(const char *s, size_t len, uint32_t *r);

#endif
