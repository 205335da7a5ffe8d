/* utf8.h - valid UTF-8, which every string of the stream is */
/* SPDX-License-Identifier: MIT */
#ifndef MTK_UTF8_H
#define MTK_UTF8_H

#include <stddef.h>

/*
 * UTF-8 as RFC 3629 has it, and as jansson checks it: no overlong forms,
 * no surrogates (U+D800 to U+DFFF), nothing past U+10FFFF.  Readers
 * refuse a line that is not valid UTF-8; writers never write one: a byte
 * that does not belong to a valid sequence becomes U+FFFD, the
 * replacement character (three bytes, UTF8_REPLACEMENT), one per byte.
 */
#define UTF8_REPLACEMENT "\xef\xbf\xbd"

/*
 * The length of the valid UTF-8 sequence at 'p' whose first byte is
 * >= 0x80, reading no further than 'end': 2, 3 or 4, or 0 when 'p' does
 * not start one.
 */
static inline size_t
utf8_seq_len(const unsigned char *p, const unsigned char *end)
{
	unsigned c = p[0], cp;
	size_t n, i;

	if (c >= 0xc2 && c <= 0xdf) {
		n = 2;
		cp = c & 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		n = 3;
		cp = c & 0x0f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		n = 4;
		cp = c & 0x07;
	} else {
		return 0;
	}
	if ((size_t)(end - p) < n)
		return 0;
	for (i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (p[i] & 0x3f);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
	    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
		return 0;
	return n;
}

/*
 * The number of bytes of the 'len' bytes at 's' that are not part of a
 * valid UTF-8 sequence: 0 for valid UTF-8.  Written out, the string is
 * twice that many bytes longer.
 */
size_t utf8_invalid_count(const char *s, size_t len);

struct buf;

/*
 * Append the 'len' bytes at 's' to 'out' as writers write them: each
 * byte not part of a valid sequence as UTF8_REPLACEMENT.
 */
void utf8_repair(struct buf *out, const char *s, size_t len);

#endif
