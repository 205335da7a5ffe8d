/* regex_expand.h - "$1" and "${name}" in a replacement, as Go's Regexp.Expand reads them */
/* SPDX-License-Identifier: MIT */
#ifndef MTK_REGEX_EXPAND_H
#define MTK_REGEX_EXPAND_H

#ifndef PCRE2_CODE_UNIT_WIDTH
#define PCRE2_CODE_UNIT_WIDTH 8
#endif
#include <pcre2.h>
#include <stddef.h>
#include <stdint.h>

struct buf;

/*
 * A replacement template compiled against a regex: literal text and
 * group references.  "$$" is a '$'; "$name" and "${name}" refer to a
 * group by number (no leading zero) or by name, a name being the
 * longest run of letters, digits, '_' and bytes of UTF-8 sequences; a
 * '$' with no name after it (or "${" without its '}') is text.  A
 * reference to a group the regex does not have is always "", so it is
 * left out at compile time.  Prometheus' label_replace() and relabel
 * configurations both read their replacements so.
 */
struct regex_part {
	const char *text;	/* into the template; NULL: group 'group' */
	size_t len;
	uint32_t group;
};

struct regex_template {
	struct regex_part *p;
	size_t n;
};

/*
 * Compile template 's' ('len' bytes, NULs allowed) against 're' (NULL:
 * a regex without groups, only $0).  The text parts point into 's',
 * which must outlive 't'.  Free with regex_template_free().
 */
void regex_template_compile(struct regex_template *t, const char *s,
    size_t len, const pcre2_code *re);

void regex_template_free(struct regex_template *t);

/*
 * Append 't' expanded with a match of 'subj': 'ov' the match's offset
 * pairs, 'npairs' of them (a group unset, or past them, is "").
 */
void regex_template_expand(struct buf *out, const struct regex_template *t,
    const char *subj, const PCRE2_SIZE *ov, uint32_t npairs);

#endif
