/* regex_expand.c - "$1" and "${name}" in a replacement, as Go's Regexp.Expand reads them */
/* SPDX-License-Identifier: MIT */
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/xalloc.h"
#include "stream/regex_expand.h"

/* A byte of a name: Go takes letters, digits, '_' and any rune >= 0x80. */
static int
name_byte(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '_' || c >= 0x80;
}

/*
 * The group that name 'name' ('nl' bytes) refers to in 're' with
 * 'ncap' groups, or -1 when none: a number (no leading zero, as Go) or
 * a group's name.
 */
static long
group_of(const char *name, size_t nl, const pcre2_code *re, uint32_t ncap)
{
	size_t k;
	long g = 0;
	char *nm;
	int r;

	for (k = 0; k < nl && name[k] >= '0' && name[k] <= '9'; k++)
		if (g <= (long)ncap)
			g = g * 10 + (name[k] - '0');
	if (k == nl)
		return (nl > 1 && name[0] == '0') || g > (long)ncap ? -1 : g;
	if (re == NULL)
		return -1;
	nm = xstrndup(name, nl);
	r = pcre2_substring_number_from_name(re, (PCRE2_SPTR)nm);
	free(nm);
	return r > 0 ? r : -1;
}

void
regex_template_compile(struct regex_template *t, const char *s, size_t len,
    const pcre2_code *re)
{
	size_t i = 0, cap = 0, k, nl;
	uint32_t ncap = 0;

	t->p = NULL;
	t->n = 0;
	if (re != NULL)
		pcre2_pattern_info(re, PCRE2_INFO_CAPTURECOUNT, &ncap);
	while (i < len) {
		struct regex_part pt = { s + i, 0, 0 };
		const char *name;
		int brace;
		long g;
		if (s[i] != '$') {
			for (k = i; k < len && s[k] != '$'; k++)
				;
			pt.len = k - i;
			i = k;
		} else if (i + 1 < len && s[i + 1] == '$') {
			pt.len = 1;		/* "$$" is '$' */
			i += 2;
		} else {
			brace = i + 1 < len && s[i + 1] == '{';
			name = s + i + 1 + brace;
			for (k = i + 1 + brace; k < len &&
			    name_byte((unsigned char)s[k]); k++)
				;
			nl = (size_t)(s + k - name);
			if (nl == 0 || (brace && (k == len || s[k] != '}'))) {
				pt.len = 1;	/* no name: the '$' is text */
				i++;
			} else {
				i = k + brace;
				if ((g = group_of(name, nl, re, ncap)) < 0)
					continue;	/* always "" */
				pt.text = NULL;
				pt.group = (uint32_t)g;
			}
		}
		t->p = xgrow(t->p, &cap, t->n + 1, sizeof(*t->p));
		t->p[t->n++] = pt;
	}
}

void
regex_template_free(struct regex_template *t)
{
	free(t->p);
	t->p = NULL;
	t->n = 0;
}

void
regex_template_expand(struct buf *out, const struct regex_template *t,
    const char *subj, const PCRE2_SIZE *ov, uint32_t npairs)
{
	size_t i;

	for (i = 0; i < t->n; i++) {
		const struct regex_part *pt = &t->p[i];
		uint32_t g = pt->group;
		if (pt->text)
			buf_add(out, pt->text, pt->len);
		else if (g < npairs && ov[2 * g] != PCRE2_UNSET)
			buf_add(out, subj + ov[2 * g], ov[2 * g + 1] - ov[2 * g]);
	}
}
