/* chunk.h - compress one series' samples: timestamps and values */
/* SPDX-License-Identifier: MIT */
#ifndef MTK_CHUNK_H
#define MTK_CHUNK_H

#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"

/*
 * A chunk is the samples of one series in one block, sorted by time with
 * no repeated timestamp, encoded as two byte strings: the timestamps and
 * the values.  Blocks keep all timestamp strings together and all value
 * strings together, then compress each group with zstd, which finds the
 * patterns these encodings leave: a regular interval costs nothing per
 * sample, a value that changes by similar amounts costs a byte or two.
 *
 * Timestamps:
 *   CHUNK_TS_REGULAR  zigzag t0, delta: every gap equal (or n == 1)
 *   CHUNK_TS_DOD      zigzag t0, zigzag d1, then n-2 zigzag deltas of deltas
 * Values:
 *   CHUNK_V_CONST     8 bytes: every value has the same bits
 *   CHUNK_V_DEC       when the values times 10^s are whole numbers m_i of
 *                     at most 2^53: scale s, order o, m_0 (and for o = 2
 *                     m_1 - m_0) as zigzag varints; then the residuals of
 *                     order o (the m_i, their differences, or differences
 *                     of differences) as base (zigzag varint), step
 *                     (varint), width w (byte) and (r - base) / step in w
 *                     bits each, least significant bit first
 *   CHUNK_V_XOR       8 bytes, then n-1 varints: each value's bits XOR the
 *                     previous one's, which is a small number when they
 *                     share sign, exponent and high mantissa bits (for
 *                     NaN, infinities, -0, and values with more digits
 *                     than a double can scale exactly)
 * Decoding gives back every value bit for bit.  Integers are varints
 * and fixed-width fields little-endian (varint.h).
 */
enum {
	CHUNK_TS_REGULAR = 1,
	CHUNK_TS_DOD = 2,
	CHUNK_V_CONST = 1,
	CHUNK_V_DEC = 2,
	CHUNK_V_XOR = 3
};

/*
 * Append the encodings of 'n' (>= 1) samples to 'ts_out' and 'val_out'.
 * 'ts' must be strictly increasing.
 */
void chunk_encode(struct buf *ts_out, struct buf *val_out, const int64_t *ts,
    const double *v, size_t n);

/* Append the encoding of the 'n' (>= 1) values 'v' only. */
void chunk_encode_values(struct buf *val_out, const double *v, size_t n);

/*
 * Decode 'n' timestamps from 'p' ('len' bytes) into 'ts'.  Returns 0, or
 * -1 when the bytes are not a valid encoding of 'n' timestamps.
 */
int chunk_decode_ts(const unsigned char *p, size_t len, size_t n, int64_t *ts);

/* The same for 'n' values. */
int chunk_decode_values(const unsigned char *p, size_t len, size_t n,
    double *v);

/*
 * Whether 'v' is a decimal m / 10^k with |m| <= 2^53 and k <= 17 that
 * reads back exactly; if so sets '*m' and '*k' (the smallest k).
 */
int chunk_decimal(double v, int64_t *m, int *k);

#endif
