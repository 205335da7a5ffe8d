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
