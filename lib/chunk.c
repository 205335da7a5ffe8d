/* chunk.c - compress one series' samples: timestamps and values */
/* SPDX-License-Identifier: MIT */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "chunk.h"
#include "varint.h"
#include "xalloc.h"

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

void
chunk_encode(struct buf *ts_out, struct buf *val_out, const int64_t *ts,
    const double *v, size_t n)
{
	int64_t *m = NULL;
	size_t i, size[3] = { 0, 0, 0 };
	int regular = 1, scale = 0, order, dec = 1, same = 1;

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

	/* Values: all the same? */
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
		/* Pick whichever of raw, delta, delta-of-delta is smallest. */
		for (i = 0; i < n; i++) {
			int64_t d1 = i >= 1 ? m[i] - m[i - 1] : m[i];
			int64_t d2 = i >= 2 ? d1 - (m[i - 1] - m[i - 2]) : d1;
			size[0] += varint_len(zigzag(m[i]));
			size[1] += varint_len(zigzag(d1));
			size[2] += varint_len(zigzag(d2));
		}
		order = size[1] < size[0] ? 1 : 0;
		if (size[2] < size[order])
			order = 2;
		buf_addch(val_out, CHUNK_V_DEC);
		buf_addch(val_out, (char)scale);
		buf_addch(val_out, (char)order);
		for (i = 0; i < n; i++) {
			int64_t x = m[i];
			if (order >= 1 && i >= 1)
				x -= m[i - 1];
			if (order == 2 && i >= 2)
				x -= m[i - 1] - m[i - 2];
			buf_add_varint(val_out, zigzag(x));
		}
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
	case CHUNK_V_DEC: {
		int scale, order;
		int64_t m = 0, d = 0;
		double div;
		if (end - p < 2)
			return -1;
		scale = *p++;
		order = *p++;
		if (scale > 17 || order > 2)
			return -1;
		div = pow10_tab[scale];
		for (i = 0; i < n; i++) {
			int64_t x;
			if (varint_get(&p, end, &u) == -1)
				return -1;
			x = unzigzag(u);
			if (order == 0 || i == 0) {
				d = x - m;
				m = x;
			} else if (order == 1 || i == 1) {
				d = x;
				m = (int64_t)((uint64_t)m + (uint64_t)x);
			} else {
				d = (int64_t)((uint64_t)d + (uint64_t)x);
				m = (int64_t)((uint64_t)m + (uint64_t)d);
			}
			v[i] = scale ? (double)m / div : (double)m;
		}
		return p == end ? 0 : -1;
	}
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
