/* number.h - fast, exact conversion of doubles from and to text */
/* SPDX-License-Identifier: MIT */
#ifndef MTK_NUMBER_H
#define MTK_NUMBER_H

#include <stddef.h>
#include <stdint.h>

/* Enough for any output of number_format() or number_format_i64(), plus NUL. */
#define NUMBER_BUFSZ 32

/*
 * Parse a JSON number (RFC 8259 grammar: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?)
 * at 's', reading at most 'len' bytes.  On success returns the number of
 * bytes consumed and stores the correctly rounded double in '*out'
 * (the same value strtod(3) gives).  Returns 0 when 's' does not start
 * with a JSON number, and -1 when the number overflows a double.
 * The text after the number is not examined.
 */
int number_parse_json(const char *s, size_t len, double *out);

/*
 * Write 'v' as the shortest JSON number that reads back as the same
 * double (bit for bit, including -0), NUL-terminated, into 'out' of at
 * least NUMBER_BUFSZ bytes.  NaN and infinities are the caller's business
 * (JSON has no way to write them): they are written as "NaN", "+Inf" and
 * "-Inf".  Returns the length written.
 */
size_t number_format(char *out, double v);

/* Write 'v' in decimal into 'out' (NUMBER_BUFSZ bytes).  Returns the length. */
size_t number_format_i64(char *out, int64_t v);

#endif
