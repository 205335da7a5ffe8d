/* number.h - fast, exact conversion of doubles from and to text */
/* SPDX-License-Identifier: MIT */
#ifndef MTK_NUMBER_H
#define MTK_NUMBER_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

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
 * Read the 'len' bytes at 's' (at most 63, not terminated) whole as
 * strtod(3) reads a number in the C locale.  Returns 0 with '*out', 1
 * with '*out' when the number is out of range (strtod's ERANGE: an
 * infinity for overflow, 0 or a subnormal for underflow), or -1 when
 * the bytes are not one number.  For the formats that write numbers as
 * text (exposition, StatsD, Graphite, performance data), each caller
 * saying what it takes of NaN, infinities and range.
 */
int number_parse_text(const char *s, size_t len, double *out);

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

#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define NUMBER_HAVE_DIGITS8 1
/*
 * The decimal digits that start the eight bytes at 'p', all of which
 * must be readable.  Returns how many there are (0 to 8) and sets '*val'
 * to their value.  For parsers' fast paths; little-endian machines only.
 */
static inline unsigned
number_digits8(const char *p, uint64_t *val)
{
	const uint64_t ones = 0x0101010101010101ULL;
	uint64_t x, bad;
	unsigned n;

	/*
	 * A byte is a digit when its high nibble is 3 and stays 3 after
	 * adding 6.  A carry out of a byte that is not a digit only spoils
	 * bytes after it, and only the first non-digit counts.  The digits
	 * are then moved to the top of the word, so that the zero bytes
	 * below them read as leading zeros, and combined in three
	 * multiplications: pairs, quads, the whole (simdjson's
	 * parse_eight_digits_unrolled).
	 */
	memcpy(&x, p, 8);
	bad = ((x & (ones * 0xf0)) ^ (ones * 0x30)) |
	    (((x + ones * 0x06) & (ones * 0xf0)) ^ (ones * 0x30));
	n = bad ? (unsigned)__builtin_ctzll(bad) / 8 : 8;
	if (n == 0) {
		*val = 0;
		return 0;
	}
	x = (x - ones * 0x30) << (8 * (8 - n));
	x = (x * 10) + (x >> 8);
	x = (((x & 0x000000ff000000ffULL) * (100 + (1000000ULL << 32))) +
	    (((x >> 16) & 0x000000ff000000ffULL) * (1 + (10000ULL << 32)))) >> 32;
	*val = (uint32_t)x;
	return n;
}
#endif

#endif
