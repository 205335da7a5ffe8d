/* utf8.c - valid UTF-8, which every string of the stream is */
/* SPDX-License-Identifier: MIT */
#include "base/buf.h"
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

void
utf8_repair(struct buf *out, const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + len, *run;
	size_t n;

	while (p < end) {
		for (run = p; p < end; p += n)
			if (*p < 0x80)
				n = 1;
			else if ((n = utf8_seq_len(p, end)) == 0)
				break;
		buf_add(out, run, (size_t)(p - run));
		if (p < end) {
			buf_adds(out, UTF8_REPLACEMENT);
			p++;
		}
	}
}
