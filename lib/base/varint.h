/* varint.h - LEB128 varints, zigzag, and fixed little-endian integers */
/* SPDX-License-Identifier: MIT */
#ifndef MTK_VARINT_H
#define MTK_VARINT_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "base/buf.h"

/*
 * Everything mtk writes to disk is little-endian or a varint, whatever
 * the machine, so a store copied to another machine reads the same.
 * A varint is LEB128: seven bits a byte, low bits first, the top bit set
 * on every byte but the last; at most 10 bytes for 64 bits.
 */
#define VARINT_MAX 10

static inline uint64_t
zigzag(int64_t v)
{
	return ((uint64_t)v << 1) ^ (uint64_t)(v >> 63);
}

static inline int64_t
unzigzag(uint64_t v)
{
	return (int64_t)(v >> 1) ^ -(int64_t)(v & 1);
}

/* Write 'v' at 'p' (room for VARINT_MAX bytes).  Returns the length. */
static inline size_t
varint_put(unsigned char *p, uint64_t v)
{
	size_t n = 0;

	while (v >= 0x80) {
		p[n++] = (unsigned char)(v | 0x80);
		v >>= 7;
	}
	p[n++] = (unsigned char)v;
	return n;
}

static inline size_t
varint_len(uint64_t v)
{
	size_t n = 1;

	while (v >= 0x80) {
		v >>= 7;
		n++;
	}
	return n;
}

/*
 * Read a varint at '*p', not past 'end'.  Returns 0 and advances '*p',
 * or -1 for a truncated or over-long varint (corrupt input).
 */
static inline int
varint_get(const unsigned char **p, const unsigned char *end, uint64_t *v)
{
	const unsigned char *q = *p;
	uint64_t x = 0;
	unsigned shift = 0;

	if (q < end && *q < 0x80) {	/* the common one-byte case */
		*v = *q;
		*p = q + 1;
		return 0;
	}
	while (q < end && shift < 64) {
		unsigned char c = *q++;
		x |= (uint64_t)(c & 0x7f) << shift;
		if (c < 0x80) {
			*v = x;
			*p = q;
			return 0;
		}
		shift += 7;
	}
	return -1;
}

/*
 * Read a varint length and that many bytes at '*p', not past 'end'.
 * Returns 0 with '*s' pointing at the bytes and '*len' their count, and
 * advances '*p'; -1 for a truncated field.
 */
static inline int
varint_get_bytes(const unsigned char **p, const unsigned char *end,
    const char **s, size_t *len)
{
	uint64_t n;

	if (varint_get(p, end, &n) == -1 || n > (uint64_t)(end - *p))
		return -1;
	*s = (const char *)*p;
	*len = (size_t)n;
	*p += n;
	return 0;
}

static inline void
buf_add_varint(struct buf *b, uint64_t v)
{
	unsigned char tmp[VARINT_MAX];

	buf_add(b, tmp, varint_put(tmp, v));
}

/*
 * Unaligned little-endian loads and stores: one memcpy, which compilers
 * turn into a single move, and a byte swap on big-endian machines.
 */
static inline void
le64_put(unsigned char *p, uint64_t v)
{
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	v = __builtin_bswap64(v);
#endif
	memcpy(p, &v, 8);
}

static inline uint64_t
le64_get(const unsigned char *p)
{
	uint64_t v;

	memcpy(&v, p, 8);
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	v = __builtin_bswap64(v);
#endif
	return v;
}

static inline void
le32_put(unsigned char *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

static inline uint32_t
le32_get(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	    (uint32_t)p[3] << 24;
}

static inline void
buf_add_le64(struct buf *b, uint64_t v)
{
	unsigned char tmp[8];

	le64_put(tmp, v);
	buf_add(b, tmp, 8);
}

static inline void
buf_add_le32(struct buf *b, uint32_t v)
{
	unsigned char tmp[4];

	le32_put(tmp, v);
	buf_add(b, tmp, 4);
}

#endif
