/* goquote.h - the escapes of Go's string literals, as PromQL writes them */
/* SPDX-License-Identifier: MIT */
#ifndef MTK_GOQUOTE_H
#define MTK_GOQUOTE_H

#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"

/*
 * PromQL's string literals are Go's, and so are the series mquery
 * writes in CSV: inside "..." or '...', a backslash starts \a \b \f \n
 * \r \t \v \\, the quote of the string, \NNN (octal) or \xNN (a byte),
 * \uNNNN or \UNNNNNNNN (a code point, written in UTF-8).
 */

/*
 * Decode the escape at s[*i] (just after its backslash; 'len' bytes of
 * 's' may be read) of a string quoted with 'quote' into 'out', and
 * advance '*i' past it.  Returns 0, or -1 for one Go does not take.
 */
int goquote_escape(const char *s, size_t len, size_t *i, char quote,
    struct buf *out);

/* Append code point 'cp' (at most 0x10FFFF) to 'out' in UTF-8. */
void goquote_utf8(struct buf *out, uint32_t cp);

/* The value of hexadecimal digit 'c', or 16 when it is none. */
int goquote_digit(long c);

#endif
