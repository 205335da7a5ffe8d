/* chunk.c - compress one series' samples: timestamps and values */
/* SPDX-License-Identifier: MIT */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "store/chunk.h"
#include "base/varint.h"
#include "base/xalloc.h"

#define TWO53 9007199254740992.0

static const double pow10_tab[23] = {
	1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
	1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22
};

int
chunk_decimal(double v, int64_t *m, int *k)
{
	double a = fabs(v);
	int i;

	if (!(a <= TWO53) || (v == 0 && signbit(v)))
		return 0;	/* NaN, infinities, -0, huge */
	if (a == floor(a)) {
		*m = (int64_t)v;
		*k = 0;
		return 1;
	}
	/*
	 * m / 10^i is correctly rounded when m and 10^i are exact doubles,
	 * so equality with v means the decimal m / 10^i reads back as v.
	 */
	for (i = 1; i <= 17; i++) {
		double s = nearbyint(v * pow10_tab[i]);
		if (fabs(s) > TWO53)
			return 0;
		if (s / pow10_tab[i] == v) {
			*m = (int64_t)s;
			*k = i;
			return 1;
		}
	}
	return 0;
}

static uint64_t
gcd64(uint64_t a, uint64_t b)
{
	while (b) {
		uint64_t t = a % b;
		a = b;
		b = t;
	}
	return a;
}

static unsigned
bit_width(uint64_t x)
{
	return x ? 64 - (unsigned)__builtin_clzll(x) : 0;
}

/*
 * The residuals of order 'order' of 'm': the numbers themselves (0),
 * their differences (1), or the differences of those (2), from index
 * 'order' on.  Computed with wrapping arithmetic: |m| <= 2^53, so the
 * true values fit anyway.
 */
static int64_t
residual(const int64_t *m, size_t i, int order)
{
	uint64_t a = (uint64_t)m[i];

	if (order >= 1)
		a -= (uint64_t)m[i - 1];
	if (order == 2)
		a -= (uint64_t)m[i - 1] - (uint64_t)m[i - 2];
	return (int64_t)a;
}

/*
 * Write whole numbers 'm' (the values times 10^scale) as CHUNK_V_DEC:
 * for the order whose residuals pack smallest, the first values, then
 * the residuals as (r - base) / step in a fixed number of bits each.  A
 * step (the residuals' greatest common divisor) takes out factors such
 * as 4096 in page-sized memory figures; the base makes a counter's
 * increments of 1400..1600 cost 8 bits, not 11.
 */
static void
encode_packed(struct buf *out, const int64_t *m, size_t n, int scale)
{
	uint64_t step[3], best_bits = UINT64_MAX, acc = 0;
	int64_t base[3];
	unsigned width[3], have = 0;
	int order = 0, o;
	size_t i;

	for (o = 0; o < 3; o++) {
		int64_t lo = INT64_MAX, hi = INT64_MIN;
		uint64_t g = 0, bits;
		if ((size_t)o >= n) {
			width[o] = 0;
			continue;
		}
		for (i = (size_t)o; i < n; i++) {
			int64_t r = residual(m, i, o);
			if (r < lo)
				lo = r;
			if (r > hi)
				hi = r;
		}
		for (i = (size_t)o; i < n && g != 1; i++)
			g = gcd64(g, (uint64_t)(residual(m, i, o) - lo));
		base[o] = lo;
		step[o] = g ? g : 1;
		width[o] = bit_width(((uint64_t)hi - (uint64_t)lo) / step[o]);
		/* Header bytes roughly, plus the packed bits. */
		bits = (uint64_t)width[o] * (n - (size_t)o) + 80 * (unsigned)o;
		if (bits < best_bits) {
			best_bits = bits;
			order = o;
		}
	}
	buf_addch(out, CHUNK_V_DEC);
	buf_addch(out, (char)scale);
	buf_addch(out, (char)order);
	buf_add_varint(out, zigzag(m[0]));
	if (order == 2 && n > 1)
		buf_add_varint(out, zigzag(m[1] - m[0]));
	if ((size_t)order >= n)
		return;
	buf_add_varint(out, zigzag(base[order]));
	buf_add_varint(out, step[order]);
	buf_addch(out, (char)width[order]);
	if (width[order] == 0)
		return;
	/* Bits least significant first, bytes in order. */
	for (i = (size_t)order; i < n; i++) {
		uint64_t x = ((uint64_t)residual(m, i, order) -
		    (uint64_t)base[order]) / step[order];
		unsigned w = width[order];
		while (w > 0) {
			unsigned take = 64 - have < w ? 64 - have : w;
			uint64_t part = take == 64 ? x : x & ((1ULL << take) - 1);
			acc |= part << have;
			have += take;
			x = take == 64 ? 0 : x >> take;
			w -= take;
			if (have == 64) {
				buf_add_le64(out, acc);
				acc = 0;
				have = 0;
			}
		}
	}
	for (; have > 0; have = have > 8 ? have - 8 : 0) {
		buf_addch(out, (char)(acc & 0xff));
		acc >>= 8;
	}
}

void
chunk_encode(struct buf *ts_out, struct buf *val_out, const int64_t *ts,
    const double *v, size_t n)
{
	size_t i;
	int regular = 1;

	/* Timestamps. */
	for (i = 2; i < n && regular; i++)
		regular = ts[i] - ts[i - 1] == ts[1] - ts[0];
	buf_addch(ts_out, regular ? CHUNK_TS_REGULAR : CHUNK_TS_DOD);
	buf_add_varint(ts_out, zigzag(ts[0]));
	if (n > 1)
		buf_add_varint(ts_out, zigzag(ts[1] - ts[0]));
	if (!regular)
		for (i = 2; i < n; i++)
			buf_add_varint(ts_out, zigzag((ts[i] - ts[i - 1]) -
			    (ts[i - 1] - ts[i - 2])));

	chunk_encode_values(val_out, v, n);
}

void
chunk_encode_values(struct buf *val_out, const double *v, size_t n)
{
	int64_t *m = NULL;
	size_t i;
	int scale = 0, dec = 1, same = 1;

	/* All the same? */
	for (i = 1; i < n && same; i++)
		same = memcmp(&v[i], &v[0], sizeof(double)) == 0;
	if (same) {
		uint64_t bits;
		memcpy(&bits, &v[0], 8);
		buf_addch(val_out, CHUNK_V_CONST);
		buf_add_le64(val_out, bits);
		return;
	}

	/* Decimal: one scale for the chunk, every m_i exact. */
	m = xmalloc(n * sizeof(*m));
	{
		int *k = xmalloc(n * sizeof(*k));
		for (i = 0; i < n && dec; i++) {
			dec = chunk_decimal(v[i], &m[i], &k[i]);
			if (k[i] > scale)
				scale = k[i];
		}
		for (i = 0; i < n && dec; i++) {
			double s = (double)m[i] * pow10_tab[scale - k[i]];
			if (fabs(s) > TWO53 || s / pow10_tab[scale] != v[i])
				dec = 0;
			else
				m[i] = (int64_t)s;
		}
		free(k);
	}
	if (dec) {
		encode_packed(val_out, m, n, scale);
	} else {
		uint64_t prev, cur;
		memcpy(&prev, &v[0], 8);
		buf_addch(val_out, CHUNK_V_XOR);
		buf_add_le64(val_out, prev);
		for (i = 1; i < n; i++) {
			memcpy(&cur, &v[i], 8);
			buf_add_varint(val_out, cur ^ prev);
			prev = cur;
		}
	}
	free(m);
}

int
chunk_decode_ts(const unsigned char *p, size_t len, size_t n, int64_t *ts)
{
	const unsigned char *end = p + len;
	uint64_t u;
	int64_t t, d;
	size_t i;
	int kind;

	if (n == 0 || len < 2)
		return -1;
	kind = *p++;
	if (varint_get(&p, end, &u) == -1)
		return -1;
	t = unzigzag(u);
	ts[0] = t;
	if (n == 1)
		return kind == CHUNK_TS_REGULAR || kind == CHUNK_TS_DOD ? (p == end ? 0 : -1) : -1;
	if (varint_get(&p, end, &u) == -1)
		return -1;
	d = unzigzag(u);
	if (kind == CHUNK_TS_REGULAR) {
		/* Wrapping arithmetic: corrupt input must not be UB. */
		for (i = 1; i < n; i++)
			ts[i] = (int64_t)((uint64_t)ts[i - 1] + (uint64_t)d);
		return p == end ? 0 : -1;
	}
	if (kind != CHUNK_TS_DOD)
		return -1;
	ts[1] = (int64_t)((uint64_t)t + (uint64_t)d);
	for (i = 2; i < n; i++) {
		if (varint_get(&p, end, &u) == -1)
			return -1;
		d = (int64_t)((uint64_t)d + (uint64_t)unzigzag(u));
		ts[i] = (int64_t)((uint64_t)ts[i - 1] + (uint64_t)d);
	}
	return p == end ? 0 : -1;
}

/* Read the next 'w' (<= 64) bits from the packed area. */
struct bits {
	const unsigned char *p, *end;
	uint64_t acc;
	unsigned have;
};

static int
bits_get(struct bits *b, unsigned w, uint64_t *out)
{
	uint64_t x = 0;
	unsigned got = 0;

	while (got < w) {
		unsigned take;
		if (b->have == 0) {
			if (b->p >= b->end)
				return -1;
			b->acc = *b->p++;
			b->have = 8;
		}
		take = w - got < b->have ? w - got : b->have;
		x |= (b->acc & ((1ULL << take) - 1)) << got;
		b->acc >>= take;
		b->have -= take;
		got += take;
	}
	*out = x;
	return 0;
}

static int
decode_packed(const unsigned char *p, const unsigned char *end, size_t n,
    double *v)
{
	struct bits b;
	uint64_t u, step, x;
	int64_t m, d = 0, base;
	unsigned width;
	int scale, order;
	double div;
	size_t i;

	if (end - p < 2)
		return -1;
	scale = *p++;
	order = *p++;
	if (scale > 17 || order > 2 || varint_get(&p, end, &u) == -1)
		return -1;
	div = pow10_tab[scale];
	m = unzigzag(u);
	v[0] = scale ? (double)m / div : (double)m;
	if (order == 2 && n > 1) {
		if (varint_get(&p, end, &u) == -1)
			return -1;
		d = unzigzag(u);
		m = (int64_t)((uint64_t)m + (uint64_t)d);
		v[1] = scale ? (double)m / div : (double)m;
	}
	if ((size_t)order >= n)
		return p == end ? 0 : -1;
	if (varint_get(&p, end, &u) == -1 || varint_get(&p, end, &step) == -1 ||
	    p >= end || (width = *p++) > 64)
		return -1;
	base = unzigzag(u);
	{
		/*
		 * Exactly the bytes the bits need; then each value is one
		 * unaligned little-endian load and a shift (of a padded copy
		 * of the last few bytes near the end), bit by bit for w > 56.
		 */
		size_t nbits = (n - (size_t)order) * width;
		size_t avail = (size_t)(end - p), pos = 0;
		uint64_t mask = width == 64 ? ~0ULL : (1ULL << width) - 1;

		if ((nbits + 7) / 8 != avail)
			return -1;
		for (i = (size_t)order; i < n; i++) {
			int64_t r;
			if (width <= 56 && (pos >> 3) + 8 <= avail) {
				x = (le64_get(p + (pos >> 3)) >> (pos & 7)) & mask;
			} else if (width <= 56) {
				/* The last bytes, through a zero-padded copy. */
				unsigned char tail[8] = { 0 };
				memcpy(tail, p + (pos >> 3), avail - (pos >> 3));
				x = (le64_get(tail) >> (pos & 7)) & mask;
			} else {
				b.p = p + (pos >> 3);
				b.end = end;
				b.acc = 0;
				b.have = 0;
				if (pos & 7) {
					uint64_t skip;
					bits_get(&b, (unsigned)(pos & 7), &skip);
				}
				if (width > 0 && bits_get(&b, width, &x) == -1)
					return -1;
				if (width == 0)
					x = 0;
			}
			pos += width;
			r = (int64_t)((uint64_t)base + x * step);
			/* Wrapping: corrupt input must not be undefined behaviour. */
			if (order == 0) {
				m = r;
			} else if (order == 1) {
				m = (int64_t)((uint64_t)m + (uint64_t)r);
			} else {
				d = (int64_t)((uint64_t)d + (uint64_t)r);
				m = (int64_t)((uint64_t)m + (uint64_t)d);
			}
			v[i] = scale ? (double)m / div : (double)m;
		}
	}
	return 0;
}

int
chunk_decode_values(const unsigned char *p, size_t len, size_t n, double *v)
{
	const unsigned char *end = p + len;
	uint64_t u, bits;
	size_t i;

	if (n == 0 || len < 1)
		return -1;
	switch (*p++) {
	case CHUNK_V_CONST:
		if (end - p != 8)
			return -1;
		bits = le64_get(p);
		for (i = 0; i < n; i++)
			memcpy(&v[i], &bits, 8);
		return 0;
	case CHUNK_V_DEC:
		return decode_packed(p, end, n, v);
	case CHUNK_V_XOR:
		if (end - p < 8)
			return -1;
		bits = le64_get(p);
		p += 8;
		memcpy(&v[0], &bits, 8);
		for (i = 1; i < n; i++) {
			if (varint_get(&p, end, &u) == -1)
				return -1;
			bits ^= u;
			memcpy(&v[i], &bits, 8);
		}
		return p == end ? 0 : -1;
	}
	return -1;
}
