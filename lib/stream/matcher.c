/* matcher.c - label matchers: =, !=, =~ and !~ */
/* SPDX-License-Identifier: MIT */
#define PCRE2_CODE_UNIT_WIDTH 8

#include <pcre2.h>
#include <stdlib.h>
#include <string.h>

#include "stream/matcher.h"
#include "base/xalloc.h"

struct matcher_re {
	pcre2_code *code;
	pcre2_match_data *md;
};

const char *
matcher_op_str(enum matcher_op op)
{
	switch (op) {
	case MATCHER_EQ:  return "=";
	case MATCHER_NE:  return "!=";
	case MATCHER_RE:  return "=~";
	case MATCHER_NRE: return "!~";
	}
	return "?";
}

int
matcher_re_is_literal(const char *re, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (re[i] == '\0' || strchr("\\.+*?()|[]{}^$", re[i]) != NULL)
			return 0;
	return 1;
}

static int
re_compile(struct matcher *m, struct errbuf *eb)
{
	const uint32_t opts = PCRE2_UTF | PCRE2_MATCH_INVALID_UTF |
	    PCRE2_ANCHORED | PCRE2_ENDANCHORED | PCRE2_DOLLAR_ENDONLY;
	pcre2_compile_context *cc;
	pcre2_code *code;
	PCRE2_UCHAR msg[120];
	PCRE2_SIZE off;
	int rc;

	/*
	 * The newline convention is a build option of PCRE2; RE2's '.'
	 * excludes exactly "\n", so say LF whatever the build default.
	 */
	cc = pcre2_compile_context_create(NULL);
	if (cc == NULL)
		abort();
	pcre2_set_newline(cc, PCRE2_NEWLINE_LF);
	code = pcre2_compile((PCRE2_SPTR)m->value, m->value_len, opts, &rc,
	    &off, cc);
	pcre2_compile_context_free(cc);
	if (code == NULL) {
		pcre2_get_error_message(rc, msg, sizeof(msg));
		return errbuf_set(eb, "invalid regular expression '%s': %s",
		    m->value, (char *)msg);
	}
	(void)pcre2_jit_compile(code, PCRE2_JIT_COMPLETE);	/* optional */
	m->re = xmalloc(sizeof(*m->re));
	m->re->code = code;
	m->re->md = pcre2_match_data_create_from_pattern(code, NULL);
	if (m->re->md == NULL)
		abort();	/* out of memory, as xmalloc would */
	return 0;
}

int
matcher_init(struct matcher *m, enum matcher_op op, const char *name,
    const char *value, size_t value_len, struct errbuf *eb)
{
	memset(m, 0, sizeof(*m));
	m->name = xstrdup(name);
	m->name_len = strlen(name);
	m->value = xmalloc(value_len + 1);
	memcpy(m->value, value, value_len);
	m->value[value_len] = '\0';
	m->value_len = value_len;
	m->op = op;
	if ((op == MATCHER_RE || op == MATCHER_NRE) &&
	    !matcher_re_is_literal(value, value_len) && re_compile(m, eb) == -1) {
		matcher_release(m);
		return -1;
	}
	m->matches_empty = matcher_matches(m, "", 0);
	m->is_name = strcmp(name, "__name__") == 0;
	return 0;
}

void
matcher_release(struct matcher *m)
{
	if (m->re != NULL) {
		pcre2_match_data_free(m->re->md);
		pcre2_code_free(m->re->code);
		free(m->re);
	}
	free(m->name);
	free(m->value);
	memset(m, 0, sizeof(*m));
}

static int
re_matches(const struct matcher *m, const char *value, size_t len)
{
	if (m->re == NULL)
		return len == m->value_len && memcmp(value, m->value, len) == 0;
	return pcre2_match(m->re->code, (PCRE2_SPTR)value, len, 0, 0,
	    m->re->md, NULL) >= 0;
}

int
matcher_matches(const struct matcher *m, const char *value, size_t len)
{
	switch (m->op) {
	case MATCHER_EQ:
		return len == m->value_len && memcmp(value, m->value, len) == 0;
	case MATCHER_NE:
		return !(len == m->value_len && memcmp(value, m->value, len) == 0);
	case MATCHER_RE:
		return re_matches(m, value, len);
	case MATCHER_NRE:
		return !re_matches(m, value, len);
	}
	return 0;
}
