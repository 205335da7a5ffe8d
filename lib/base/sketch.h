/* sketch.h - mergeable quantile sketch with relative accuracy */
/* SPDX-License-Identifier: MIT */
#ifndef MTK_SKETCH_H
#define MTK_SKETCH_H

#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"

/*
 * A sketch summarises a stream of observations (latencies, sizes, any
 * metric value) in a few kilobytes and answers quantile queries with a
 * bounded relative error.  Two sketches merge into the sketch of both
 * streams, so per-window sketches roll up into hours and days.
 *
 * Buckets.  A finite value v with |v| >= SKETCH_MIN_VALUE goes to the
 * bucket with key i = ceil(log(|v|) / log(g)), g = (1 + a) / (1 - a) and
 * a = SKETCH_ALPHA: the bucket holds the magnitudes in (g^(i-1), g^i]
 * and stands for 2 g^i / (1 + g), which is within a relative error a of
 * every one of them.  Positive and negative values have separate stores
 * of buckets; the negative store is the mirror image of the positive one
 * (keyed by -i, so that its keys ascend with the values).  There are
 * about 230 buckets per decade of magnitude.  Besides the buckets a
 * sketch counts
 *   - values with |v| < SKETCH_MIN_VALUE, including 0 and -0, in a zero
 *     bucket, which stands for 0;
 *   - +Inf and -Inf, each on its own;
 * and it keeps the exact number of observations and the exact smallest
 * and largest (a -0 counts as +0 there).  NaN is ignored: not counted,
 * no effect on anything.
 *
 * Quantiles.  For 0 <= q <= 1, sketch_quantile() answers for rank
 * r = floor(q * (n - 1)) (computed in double precision, 0-based), where
 * n is the number of observations: if x is the observation of rank r in
 * the sorted observations, the answer is within a * |x| of x (up to
 * floating-point rounding, far below a).  Exceptions: for x in the zero
 * bucket the answer is 0 (off by less than SKETCH_MIN_VALUE) and for
 * x = +-Inf it is x.  Answers are clamped to [min, max], q = 0 gives
 * the exact minimum and q = 1 the exact maximum.  With a = 0.005 the
 * documented bound "at most 1% relative error" holds with margin.
 *
 * Memory.  A store grows as needed but never spans more than
 * SKETCH_MAX_BUCKETS keys, which cover a ratio of about 6e17 (17.8
 * decades, e.g. 1e-9 to 6e8, or 1 to 6e17) between its smallest and
 * largest magnitude; realistic metric data spanning six decades uses
 * about 1400.  Beyond that the store collapses its lowest buckets into
 * the lowest one it keeps: the smallest positive values, and in the
 * negative store the most negative values.  The ranks that fall in the
 * collapsed buckets are then answered too high; the upper quantiles keep
 * their accuracy.  A sketch allocates at most about 80 KiB.
 *
 * Merging.  The bucket of a value depends on the value alone and a
 * collapsed store keeps each observation at max(key, top -
 * SKETCH_MAX_BUCKETS + 1), with top the highest key the store has held.  So merging is commutative and
 * associative, and merging the sketches of some streams gives exactly
 * the sketch of all of them, collapsed or not, bucket for bucket and
 * byte for byte once encoded.  (Across machines the keys agree too,
 * except that a C library whose log() rounds differently may put a value
 * lying on a bucket boundary in the neighbouring bucket, as accurate.)
 *
 * Counts are 64-bit; a sketch must hold fewer than 2^64 observations.
 *
 * Encoding (sketch_encode).  Integers are LEB128 varints in their
 * shortest form; "zigzag" marks a signed integer mapped to unsigned by
 * zigzag (varint.h); doubles are their IEEE 754 bits as 8 bytes, least
 * significant first.  In order:
 *
 *   byte      format, SKETCH_FORMAT (1): the key mapping, a and
 *             SKETCH_MIN_VALUE above, and SKETCH_MAX_BUCKETS
 *   varint    number of observations in the zero bucket
 *   varint    number of +Inf observations
 *   varint    number of -Inf observations
 *   8 bytes   minimum (+Inf for an empty sketch; never -0)
 *   8 bytes   maximum (-Inf for an empty sketch; never -0)
 *   store     the positive store
 *   store     the negative store
 *
 * A store is
 *
 *   varint    span: the number of keys from the lowest non-empty bucket
 *             to the highest, both included, at most SKETCH_MAX_BUCKETS;
 *             0 for an empty store, and then nothing else follows
 *   zigzag    key of the lowest non-empty bucket (the negative store
 *             keys its buckets by -i, so its lowest key is its most
 *             negative value); all keys of the positive store lie from
 *             -2072 to 70978, the keys of SKETCH_MIN_VALUE and DBL_MAX,
 *             those of the negative store from -70978 to 2072
 *   entries   covering the span in ascending key order, each either
 *               varint c > 0: the next bucket holds c observations, or
 *               byte 0, varint k: the next k + 1 buckets are empty;
 *             the first and last bucket are not empty and no run of
 *             empty buckets directly follows another
 *
 * The counts add up to less than 2^64.  The minimum is in the lowest
 * non-empty bucket (of all, in the order -Inf, negative store, zero
 * bucket, positive store, +Inf), or below it in a store spanning
 * SKETCH_MAX_BUCKETS keys; the maximum is in the highest.  The encoding
 * of a sketch is unique: equal sketches encode to equal
 * bytes.  An empty sketch takes 22 bytes; a typical latency sketch a
 * few hundred to a couple of thousand.
 */
#define SKETCH_ALPHA		0.005
#define SKETCH_MIN_VALUE	1e-9
#define SKETCH_MAX_BUCKETS	4096
#define SKETCH_FORMAT		1

struct sketch;

/* Returns a new, empty sketch; free with sketch_free(). */
struct sketch *sketch_new(void);

/* Free 's' and its buckets.  Accepts NULL. */
void sketch_free(struct sketch *s);

/* Empty 's' but keep its memory for reuse. */
void sketch_reset(struct sketch *s);

/*
 * Add the observation 'v' to 's'.  NaN is ignored.  Does not allocate
 * once the stores span the range of the data.
 */
void sketch_add(struct sketch *s, double v);

/* Add 'n' observations of 'v': the same as 'n' calls of sketch_add(). */
void sketch_add_n(struct sketch *s, double v, uint64_t n);

/*
 * Add every observation of 'src' to 'dst'; 'src' is unchanged.  'dst'
 * and 'src' must not be the same sketch.
 */
void sketch_merge(struct sketch *dst, const struct sketch *src);

/* The number of observations in 's' (NaN not included). */
uint64_t sketch_count(const struct sketch *s);

/*
 * The exact smallest and largest observation of 's' (possibly -Inf or
 * +Inf; +0 for -0).  NaN when 's' is empty.
 */
double sketch_min(const struct sketch *s);
double sketch_max(const struct sketch *s);

/*
 * The estimate of quantile 'q' of the observations in 's', accurate as
 * described above.  NaN when 's' is empty or 'q' is not in [0, 1].
 */
double sketch_quantile(const struct sketch *s, double q);

/*
 * The number of buckets the two stores of 's' span (including empty
 * buckets between non-empty ones): how big the sketch is in memory and,
 * roughly, encoded.  At most 2 * SKETCH_MAX_BUCKETS.
 */
size_t sketch_buckets(const struct sketch *s);

/* Append the encoding of 's' described above to 'out'. */
void sketch_encode(const struct sketch *s, struct buf *out);

/*
 * Replace the contents of 's' with the sketch encoded in the 'len' bytes
 * at 'p' (exactly one encoding, nothing after it).  Borrows 'p'.
 * Returns 0, or -1 when the bytes are not a valid encoding as described
 * above (truncated, trailing bytes, unknown format, a count or key out
 * of range, minimum or maximum inconsistent with the buckets); then 's'
 * is left empty.  Never reads outside the 'len' bytes.
 */
int sketch_decode(struct sketch *s, const unsigned char *p, size_t len);

#endif
