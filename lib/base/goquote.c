/* goquote.c - the escapes of Go's string literals, as PromQL writes them */
/* SPDX-License-Identifier: MIT */
#include "base/goquote.h"

void
goquote_utf8(struct buf *b, uint32_t r)
{
	char u[4];

	if (r < 0x80) {
		buf_addch(b, (char)r);
	} else if (r < 0x800) {
		u[0] = (char)(0xC0 | r >> 6);
		u[1] = (char)(0x80 | (r & 0x3F));
		buf_add(b, u, 2);
	} else if (r < 0x10000) {
		u[0] = (char)(0xE0 | r >> 12);
		u[1] = (char)(0x80 | (r >> 6 & 0x3F));
		u[2] = (char)(0x80 | (r & 0x3F));
		buf_add(b, u, 3);
	} else {
		u[0] = (char)(0xF0 | r >> 18);
		u[1] = (char)(0x80 | (r >> 12 & 0x3F));
		u[2] = (char)(0x80 | (r >> 6 & 0x3F));
		u[3] = (char)(0x80 | (r & 0x3F));
		buf_add(b, u, 4);
	}
}

int
goquote_digit(long c)
{
	if (c >= '0' && c <= '9')
		return (int)(c - '0');
	if (c >= 'a' && c <= 'f')
		return (int)(c - 'a' + 10);
	if (c >= 'A' && c <= 'F')
		return (int)(c - 'A' + 10);
	return 16;
}

/* The character a one-letter escape stands for, or -1. */
static int
simple_escape(char c)
{
	switch (c) {
	case 'a':  return '\a';
	case 'b':  return '\b';
	case 'f':  return '\f';
	case 'n':  return '\n';
	case 'r':  return '\r';
	case 't':  return '\t';
	case 'v':  return '\v';
	case '\\': return '\\';
	}
	return -1;
}

/*
 * Decode the escape at s[*i] (just after a backslash; 'len' excludes the
 * closing quote) into 'out', advancing '*i'.  Returns 0 or -1.
 */
int
goquote_escape(const char *s, size_t len, size_t *i, char quote,
    struct buf *out)
{
	unsigned n, base, k, d;
	uint32_t x = 0;
	char c;

	if (*i >= len)
		return -1;
	c = s[(*i)++];
	if (c == quote || simple_escape(c) != -1) {
		buf_addch(out, c == quote ? c : (char)simple_escape(c));
		return 0;
	}
	if (c >= '0' && c <= '7')
		n = 3, base = 8, (*i)--;	/* the digit is the first of 3 */
	else if (c == 'x' || c == 'u' || c == 'U')
		n = c == 'x' ? 2 : c == 'u' ? 4 : 8, base = 16;
	else
		return -1;
	for (k = 0; k < n; k++, (*i)++) {
		if (*i >= len ||
		    (d = (unsigned)goquote_digit((unsigned char)s[*i])) >= base)
			return -1;
		x = x * base + d;
	}
	if (base == 8 || c == 'x') {
		if (x > 255)
			return -1;
		buf_addch(out, (char)x);	/* a byte, not a code point */
		return 0;
	}
	if (x > 0x10FFFF || (x >= 0xD800 && x < 0xE000))
		return -1;
	goquote_utf8(out, x);
	return 0;
}
