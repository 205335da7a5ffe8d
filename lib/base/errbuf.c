/* errbuf.c - caller-owned error message buffer */
/* SPDX-License-Identifier: MIT */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "base/errbuf.h"

int
errbuf_set(struct errbuf *eb, const char *fmt, ...)
{
	va_list ap;

	if (eb == NULL)
		return -1;
	va_start(ap, fmt);
	vsnprintf(eb->msg, sizeof(eb->msg), fmt, ap);
	va_end(ap);
	return -1;
}

int
errbuf_prefix(struct errbuf *eb, const char *fmt, ...)
{
	char prefix[sizeof(eb->msg)];
	size_t plen, olen, room;
	va_list ap;

	if (eb == NULL)
		return -1;
	va_start(ap, fmt);
	vsnprintf(prefix, sizeof(prefix), fmt, ap);
	va_end(ap);
	/* Keep as much of "prefix: old" as fits, cutting the end. */
	plen = strlen(prefix);
	if (plen > sizeof(eb->msg) - 3)
		plen = sizeof(eb->msg) - 3;
	room = sizeof(eb->msg) - plen - 3;
	olen = strnlen(eb->msg, sizeof(eb->msg) - 1);
	if (olen > room)
		olen = room;
	memmove(eb->msg + plen + 2, eb->msg, olen);
	memcpy(eb->msg, prefix, plen);
	memcpy(eb->msg + plen, ": ", 2);
	eb->msg[plen + 2 + olen] = '\0';
	return -1;
}

const char *
errbuf_quote(char *out, size_t size, const char *s, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	size_t i, o = 0, n;
	char esc[4];

	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		esc[0] = (char)c;
		n = 1;
		if (c < 0x20 || c == 0x7f) {
			esc[0] = '\\';
			esc[1] = c == '\n' ? 'n' : c == '\r' ? 'r' :
			    c == '\t' ? 't' : 'x';
			esc[2] = hex[c >> 4];
			esc[3] = hex[c & 15];
			n = esc[1] == 'x' ? 4 : 2;
		}
		/*
		 * Each piece leaves room for "...", unless it is the last,
		 * so that the cut always fits where it falls.
		 */
		if (o + n + (i + 1 < len ? 3 : 0) > size - 1) {
			if ((c & 0xc0) == 0x80) {
				/* Inside a UTF-8 character: drop its start. */
				while (o > 0 && ((unsigned char)out[o - 1] &
				    0xc0) == 0x80)
					o--;
				if (o > 0 && ((unsigned char)out[o - 1] &
				    0xc0) == 0xc0)
					o--;
			}
			memcpy(out + o, "...", 3);
			o += 3;
			break;
		}
		memcpy(out + o, esc, n);
		o += n;
	}
	out[o] = '\0';
	return out;
}
