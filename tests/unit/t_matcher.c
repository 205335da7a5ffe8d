/* t_matcher.c - label matchers: equality, anchored regexes, empty values */
/* SPDX-License-Identifier: MIT */
#include <string.h>

#include "base/buf.h"
#include "stream/matcher.h"
#include "promql/promql_lex.h"
#include "tap.h"

static const struct {
	enum matcher_op op;
	const char *pattern;
	const char *value;
	int want;
} cases[] = {
	{ MATCHER_EQ, "prod", "prod", 1 },
	{ MATCHER_EQ, "prod", "production", 0 },
	{ MATCHER_EQ, "", "", 1 },
	{ MATCHER_EQ, "", "x", 0 },
	{ MATCHER_NE, "prod", "prod", 0 },
	{ MATCHER_NE, "prod", "dev", 1 },
	{ MATCHER_NE, "", "", 0 },
	/* Fully anchored: never a substring match. */
	{ MATCHER_RE, "foo", "foo", 1 },
	{ MATCHER_RE, "foo", "foobar", 0 },
	{ MATCHER_RE, "foo", "xfoo", 0 },
	{ MATCHER_RE, "foo|bar", "bar", 1 },
	{ MATCHER_RE, "foo|bar", "foobar", 0 },
	{ MATCHER_RE, "fo+", "foooo", 1 },
	{ MATCHER_RE, "f.*", "f", 1 },
	{ MATCHER_RE, ".*", "", 1 },
	{ MATCHER_RE, ".*", "anything", 1 },
	{ MATCHER_RE, ".+", "", 0 },
	{ MATCHER_RE, "a|", "", 1 },
	{ MATCHER_RE, "[0-9]{3}", "404", 1 },
	{ MATCHER_RE, "[0-9]{3}", "4040", 0 },
	{ MATCHER_RE, "(?i)get", "GET", 1 },
	{ MATCHER_RE, "get", "GET", 0 },
	{ MATCHER_RE, "a.c", "a.c", 1 },
	{ MATCHER_RE, "a\\.c", "abc", 0 },
	{ MATCHER_RE, "a\\.c", "a.c", 1 },
	/* '$' is the end of the value, not before a final newline. */
	{ MATCHER_RE, "a$", "a\n", 0 },
	{ MATCHER_RE, "a", "a\n", 0 },
	/* '.' stops at newline, as in RE2 without (?s). */
	{ MATCHER_RE, ".*", "a\nb", 0 },
	{ MATCHER_RE, "(?s).*", "a\nb", 1 },
	/* UTF-8: '.' is one character, not one byte. */
	{ MATCHER_RE, "caf.", "caf\xc3\xa9", 1 },
	{ MATCHER_RE, "...", "\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac", 1 },
	{ MATCHER_RE, "(?i)\xc3\xa9t\xc3\xa9", "\xc3\x89T\xc3\x89", 1 },
	/* Invalid UTF-8 in a value is not an error, it just does not match. */
	{ MATCHER_RE, "a.b", "a\xff" "b", 0 },
	{ MATCHER_RE, "a", "\xff", 0 },
	{ MATCHER_RE, "\\d+", "123", 1 },
	{ MATCHER_RE, "\\w+", "snake_case9", 1 },
	{ MATCHER_RE, "\\w", "\xc3\xa9", 0 },	/* ASCII \w, as RE2 */
	{ MATCHER_RE, "^foo$", "foo", 1 },
	{ MATCHER_RE, "(foo|bar)baz", "barbaz", 1 },
	{ MATCHER_RE, "(?P<x>a)b", "ab", 1 },
	{ MATCHER_NRE, "foo", "foo", 0 },
	{ MATCHER_NRE, "foo", "foobar", 1 },
	{ MATCHER_NRE, ".*", "", 0 },
	{ MATCHER_NRE, ".+", "", 1 },
	{ MATCHER_NRE, "a|b", "c", 1 },
};

static const struct {
	enum matcher_op op;
	const char *value;
	int empty;
} empties[] = {
	{ MATCHER_EQ, "", 1 },		/* {l=""}: series without l */
	{ MATCHER_EQ, "x", 0 },
	{ MATCHER_NE, "", 0 },		/* {l!=""}: series with l */
	{ MATCHER_NE, "x", 1 },
	{ MATCHER_RE, ".*", 1 },	/* {l=~".*"}: every series */
	{ MATCHER_RE, ".+", 0 },
	{ MATCHER_RE, "x|", 1 },
	{ MATCHER_RE, "x", 0 },
	{ MATCHER_NRE, ".*", 0 },
	{ MATCHER_NRE, ".+", 1 },
	{ MATCHER_NRE, "x", 1 },
};

static const struct {
	const char *re;
	const char *msg;
} bad[] = {
	{ "x(", "invalid regular expression 'x(': missing closing parenthesis" },
	{ "a)|(b", "invalid regular expression 'a)|(b': unmatched closing parenthesis" },
	{ "[a", "invalid regular expression '[a': missing terminating ] for character class" },
	{ "*a", "invalid regular expression '*a': quantifier does not follow a repeatable item" },
	{ "a{2,1}", "invalid regular expression 'a{2,1}': numbers out of order in {} quantifier" },
};

static void
test_cases(void)
{
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct matcher m;
		struct errbuf eb = ERRBUF_INIT;
		struct buf v = BUF_INIT;
		int rc = matcher_init(&m, cases[i].op, "l", cases[i].pattern,
		    strlen(cases[i].pattern), &eb);

		/* Quoted, so that a newline cannot break the TAP line. */
		promql_quote(&v, cases[i].value, strlen(cases[i].value));
		ok(rc == 0 && matcher_matches(&m, cases[i].value,
		    strlen(cases[i].value)) == cases[i].want,
		    "l%s\"%s\" on %s -> %d %s", matcher_op_str(cases[i].op),
		    cases[i].pattern, v.p, cases[i].want, eb.msg);
		matcher_release(&m);
		buf_release(&v);
	}
}

static void
test_empties(void)
{
	size_t i;

	for (i = 0; i < sizeof(empties) / sizeof(empties[0]); i++) {
		struct matcher m;
		struct errbuf eb = ERRBUF_INIT;

		matcher_init(&m, empties[i].op, "l", empties[i].value,
		    strlen(empties[i].value), &eb);
		is_int(matcher_matches_empty(&m), empties[i].empty,
		    "l%s\"%s\" matches a missing label: %d",
		    matcher_op_str(empties[i].op), empties[i].value,
		    empties[i].empty);
		is_int(matcher_matches(&m, "", 0), empties[i].empty,
		    "... and agrees with matching \"\"");
		matcher_release(&m);
	}
}

static void
test_errors(void)
{
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct matcher m;
		struct errbuf eb = ERRBUF_INIT;
		int rc = matcher_init(&m, MATCHER_RE, "l", bad[i].re,
		    strlen(bad[i].re), &eb);

		is_int(rc, -1, "'%s' is refused", bad[i].re);
		is_str(eb.msg, bad[i].msg, "... saying why");
		ok(m.name == NULL && m.re == NULL, "... leaving the matcher empty");
		matcher_release(&m);
	}
}

static void
test_misc(void)
{
	struct matcher m;
	struct errbuf eb = ERRBUF_INIT;

	/* A value with a NUL byte, as "\x00" in PromQL spells one. */
	is_int(matcher_init(&m, MATCHER_EQ, "l", "a\0b", 3, &eb), 0, "NUL in value");
	ok(matcher_matches(&m, "a\0b", 3) && !matcher_matches(&m, "a", 1),
	    "... compared by length");
	matcher_release(&m);
	is_int(matcher_init(&m, MATCHER_RE, "l", "a\0b", 3, &eb), 0, "NUL in regex");
	ok(matcher_matches(&m, "a\0b", 3) && !matcher_matches(&m, "a", 1),
	    "... compiled by length");
	matcher_release(&m);
	is_str(matcher_op_str(MATCHER_EQ), "=", "op =");
	is_str(matcher_op_str(MATCHER_NE), "!=", "op !=");
	is_str(matcher_op_str(MATCHER_RE), "=~", "op =~");
	is_str(matcher_op_str(MATCHER_NRE), "!~", "op !~");
	matcher_init(&m, MATCHER_RE, "job", "api-.*", 6, &eb);
	is_str(m.name, "job", "name copied");
	is_str(m.value, "api-.*", "value copied");
	matcher_release(&m);
	matcher_release(&m);	/* twice is harmless */
	ok(1, "release is idempotent");
}

int
main(void)
{
	test_cases();
	test_empties();
	test_errors();
	test_misc();
	return done_testing();
}
