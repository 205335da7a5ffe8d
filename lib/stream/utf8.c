/* utf8.c - valid UTF-8, which every string of the stream is */
/* SPDX-License-Identifier: MIT */
#include "stream/utf8.h"

size_t
utf8_invalid_count(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + len;
	size_t bad = 0, n;

	while (p < end) {
		if (*p < 0x80) {
			p++;
		} else if ((n = utf8_seq_len(p, end)) > 0) {
			p += n;
		} else {
			bad++;
			p++;
		}
	}
	return bad;
}
