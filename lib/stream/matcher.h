/* matcher.h - label matchers: =, !=, =~ and !~, as PromQL means them */
/* SPDX-License-Identifier: MIT */
#ifndef MTK_MATCHER_H
#define MTK_MATCHER_H

#include <stddef.h>

#include "base/errbuf.h"

/*
 * A label matcher selects series by one label's value.  As in Prometheus,
 * a series without the label is treated as having it with the empty
 * value: {job=""} selects series without 'job', {job=~".*"} selects all,
 * {job!=""} selects those that have it.  Callers that look labels up pass
 * ("", 0) for a missing label; matcher_matches_empty() answers that case
 * without a lookup.
 *
 * Regular expressions are RE2 syntax in Prometheus and fully anchored:
 * "foo|bar" matches "foo" and "bar", never "foobar".  We compile them with
 * PCRE2 in UTF mode, anchored at both ends (PCRE2_ANCHORED and
 * PCRE2_ENDANCHORED rather than pasting "^(?:...)$" around the text, so
 * that "a)|(b" is refused as RE2 refuses it), with '$' meaning only the
 * end of the value and '.' not matching "\n", as in RE2.  PCRE2 accepts a
 * superset of RE2 (back-references, look-around); those extra constructs
 * are accepted here too.  Values are not required to be valid UTF-8
 * (PCRE2_MATCH_INVALID_UTF): an invalid byte matches no pattern item,
 * where Go's regexp would see U+FFFD; stream values are valid UTF-8
 * anyway, since JSON requires it.  A regex without metacharacters is
 * compared as a plain string, without PCRE2.
 */
enum matcher_op {
	MATCHER_EQ,	/* = */
	MATCHER_NE,	/* != */
	MATCHER_RE,	/* =~ */
	MATCHER_NRE	/* !~ */
};

struct matcher_re;	/* the compiled regex; private to matcher.c */

/*
 * 'name' and 'value' are NUL-terminated copies owned by the matcher;
 * 'value' may also contain NUL bytes (a PromQL string can spell one), so
 * its length is kept.  Read the fields freely; change them only through
 * the functions below.
 */
struct matcher {
	char *name;
	size_t name_len;		/* strlen(name) */
	char *value;
	size_t value_len;
	enum matcher_op op;
	int matches_empty;		/* cached matcher_matches(m, "", 0) */
	int is_name;			/* name is "__name__" */
	struct matcher_re *re;		/* NULL unless a regex needs PCRE2 */
};

/*
 * Fill 'm' to match label 'name' against 'value' (of 'value_len' bytes)
 * with 'op'.  Copies both strings.  For MATCHER_RE and MATCHER_NRE, compiles
 * 'value' (using the JIT when PCRE2 has one; silently without when it
 * fails).  Returns 0, or -1 with "invalid regular expression 'x(':
 * missing closing parenthesis" in 'eb', leaving 'm' empty (releasing it
 * is harmless).
 */
int matcher_init(struct matcher *m, enum matcher_op op, const char *name,
    const char *value, size_t value_len, struct errbuf *eb);

/*
 * Whether the regular expression 're' (of 'len' bytes) means itself: no
 * RE2 metacharacter, so a full match is plain equality.  Label values
 * are often regexes like "prod" or "GET" that gain nothing from PCRE2.
 */
int matcher_re_is_literal(const char *re, size_t len);

/* Free what 'm' owns and leave it empty.  Accepts an empty matcher. */
void matcher_release(struct matcher *m);

/*
 * Whether 'value' (of 'len' bytes; pass "", 0 for a missing label)
 * satisfies 'm'.  Returns 1 or 0.  A regex that fails to run (PCRE2's
 * match limit, say) counts as not matching.  One matcher must not be used
 * from two threads at once: it keeps its PCRE2 match data.
 */
int matcher_matches(const struct matcher *m, const char *value, size_t len);

/* Whether 'm' selects series that lack its label (value ""). */
static inline int
matcher_matches_empty(const struct matcher *m)
{
	return m->matches_empty;
}

/* The operator as PromQL writes it: "=", "!=", "=~" or "!~". */
const char *matcher_op_str(enum matcher_op op);

#endif
