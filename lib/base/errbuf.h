/* errbuf.h - caller-owned error message buffer for lib/ functions */
/* SPDX-License-Identifier: MIT */
#ifndef MTK_ERRBUF_H
#define MTK_ERRBUF_H

#include <stddef.h>

/*
 * lib/ never prints.  A function that can fail takes a 'struct errbuf *'
 * owned by the caller, fills it with a one-line message (lowercase, no
 * final full stop, subject in 'quotes') and returns -1 or NULL.  The caller
 * decides whether to warn, count or stop.
 */
struct errbuf {
	char msg[512];
};

#define ERRBUF_INIT { { 0 } }

/*
 * Format a message into 'eb' (which may be NULL: the message is dropped).
 * Always returns -1, so that 'return errbuf_set(eb, ...);' reads naturally.
 */
int errbuf_set(struct errbuf *eb, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * Prepend "prefix: " to the message already in 'eb'.  Returns -1.
 */
int errbuf_prefix(struct errbuf *eb, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * Write the 'len' bytes at 's' (text from input, which may hold any
 * byte) into 'out' ('size' >= 8 bytes) so that a message quoting it
 * stays one line of plain text: each control character as \n, \r, \t
 * or \xHH, and at most 'size' - 1 bytes in all, cut short with "..."
 * (between UTF-8 characters) when longer.  Returns 'out'.
 */
const char *errbuf_quote(char *out, size_t size, const char *s, size_t len);

#endif
