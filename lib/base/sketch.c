/* sketch.c - mergeable quantile sketch with relative accuracy */
/* SPDX-License-Identifier: MIT */
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/sketch.h"
#include "base/varint.h"
#include "base/xalloc.h"

/*
 * log(g) for g = (1 + a) / (1 - a) = 201 / 199, that is 2 atanh(a), and
 * its inverse, as the nearest doubles.  Literals rather than a
 * computation so that the mapping, which the encoding depends on, does
 * not depend on how a libm rounds log(1.005 / 0.995).  A bucket's value
 * is (1 - a) g^i = 2 g^i / (1 + g).
 */
#define LN_GAMMA	0.010000083334583356
#define INV_LN_GAMMA	99.99916666111103

/*
 * The most cells a store allocates: the span limit plus room to slide,
 * so that data creeping upwards past the limit moves the counts only
 * once every SKETCH_MAX_BUCKETS / 8 new keys.
 */
#define STORE_CAP_MAX	(SKETCH_MAX_BUCKETS + SKETCH_MAX_BUCKETS / 4)
#define STORE_CAP_MIN	64

/*
 * A dense array of counts for the keys off .. off + cap - 1.  'lo' and
 * 'hi' are the lowest and highest non-empty keys (lo > hi when the store
 * is empty), hi - lo < SKETCH_MAX_BUCKETS, and every cell outside
 * lo .. hi is zero, so the window can widen without clearing anything.
 */
struct store {
	uint64_t *c;
	int32_t off;
	int32_t cap;
	int32_t lo;
	int32_t hi;
};

struct sketch {
	struct store pos;	/* keys i of positive values */
	struct store neg;	/* keys -i of negative values */
	uint64_t zero;		/* |v| < SKETCH_MIN_VALUE */
	uint64_t pinf;
	uint64_t ninf;
	uint64_t n;		/* all of the above and the stores */
	double min;		/* +Inf and -Inf when empty */
	double max;
};

#define STORE_EMPTY_LO	INT32_MAX
#define STORE_EMPTY_HI	INT32_MIN

/*
 * The key of a magnitude 'a' in [SKETCH_MIN_VALUE, DBL_MAX]: ceil of
 * log(a) / log(g), between -2072 and 70978.  The one log() of an add.
 * The conversion truncates towards zero, so one step up gives the
 * ceiling for positive and negative quotients alike.  A C library whose
 * log() rounds differently may put a value within an ulp or so of a
 * bucket boundary in the neighbouring bucket, which is as accurate.
 */
static inline int32_t
key_of(double a)
{
	double x = log(a) * INV_LN_GAMMA;
	int32_t k = (int32_t)x;

	return k + ((double)k < x);
}

/* The value bucket 'k' of the positive store stands for. */
static double
key_value(int32_t k)
{
	return (1 - SKETCH_ALPHA) * exp((double)k * LN_GAMMA);
}

static void
store_init(struct store *st)
{
	st->c = NULL;
	st->off = 0;
	st->cap = 0;
	st->lo = STORE_EMPTY_LO;
	st->hi = STORE_EMPTY_HI;
}

static int
store_empty(const struct store *st)
{
	return st->lo > st->hi;
}

static void
store_reset(struct store *st)
{
	if (!store_empty(st))
		memset(st->c + (st->lo - st->off), 0,
		    (size_t)(st->hi - st->lo + 1) * sizeof(*st->c));
	st->lo = STORE_EMPTY_LO;
	st->hi = STORE_EMPTY_HI;
}

static uint32_t
store_span(const struct store *st)
{
	return store_empty(st) ? 0 : (uint32_t)(st->hi - st->lo + 1);
}

/*
 * Make the window cover the keys 'nlo' .. 'nhi' (at most
 * SKETCH_MAX_BUCKETS of them), which include lo .. hi of a non-empty
 * store, keeping the counts.  The window keeps a quarter of the span
 * spare (unless that would pass STORE_CAP_MAX), and the keys go in the
 * middle, so that growth either way finds room for a while: moving the
 * counts costs O(cap), and happens once per cap / 8 new keys at most.
 * The cells outside lo .. hi are cleared.
 */
static void
store_window(struct store *st, int32_t nlo, int32_t nhi)
{
	int32_t span = nhi - nlo + 1, want, cap = st->cap, off;

	if (st->c != NULL && nlo >= st->off && nhi < st->off + st->cap)
		return;
	want = span + span / 4 + 16;
	if (want > STORE_CAP_MAX)
		want = STORE_CAP_MAX;
	if (cap < want) {
		if (cap < STORE_CAP_MIN)
			cap = STORE_CAP_MIN;
		while (cap < want)
			cap *= 2;
		if (cap > STORE_CAP_MAX)
			cap = STORE_CAP_MAX;
		st->c = xreallocarray(st->c, (size_t)cap, sizeof(*st->c));
	}
	off = nlo - (cap - span) / 2;
	if (!store_empty(st)) {
		memmove(st->c + (st->lo - off), st->c + (st->lo - st->off),
		    (size_t)(st->hi - st->lo + 1) * sizeof(*st->c));
		memset(st->c, 0, (size_t)(st->lo - off) * sizeof(*st->c));
		memset(st->c + (st->hi - off + 1), 0,
		    (size_t)(off + cap - st->hi - 1) * sizeof(*st->c));
	} else
		memset(st->c, 0, (size_t)cap * sizeof(*st->c));
	st->off = off;
	st->cap = cap;
}

/*
 * Add 'n' > 0 to key 'k' when 'k' is outside lo .. hi.  Keeping at most
 * SKETCH_MAX_BUCKETS keys, everything below hi - SKETCH_MAX_BUCKETS + 1
 * (the base) goes to the base.  hi only grows, so each observation
 * ends up at max(its key, the base under the highest key ever seen),
 * whatever the order of the adds: that is what makes merges exact.
 */
static void
store_add_slow(struct store *st, int32_t k, uint64_t n)
{
	uint64_t moved = 0;
	int32_t base, j, end;

	if (store_empty(st)) {
		store_window(st, k, k);
		st->lo = st->hi = k;
	} else if (k < st->lo) {
		base = st->hi - (SKETCH_MAX_BUCKETS - 1);
		if (k < base)
			k = base;
		if (k < st->lo) {
			store_window(st, k, st->hi);
			st->lo = k;
		}
	} else {
		base = k - (SKETCH_MAX_BUCKETS - 1);
		if (base > st->lo) {
			/* Fold lo .. base - 1 into the base. */
			end = base <= st->hi ? base - 1 : st->hi;
			for (j = st->lo; j <= end; j++) {
				moved += st->c[j - st->off];
				st->c[j - st->off] = 0;
			}
			if (base > st->hi) {
				st->lo = STORE_EMPTY_LO;	/* all folded */
				st->hi = STORE_EMPTY_HI;
			} else
				st->lo = base;
		}
		store_window(st, store_empty(st) ? base : st->lo, k);
		if (store_empty(st))
			st->lo = base;
		st->hi = k;
		st->c[st->lo - st->off] += moved;
	}
	st->c[k - st->off] += n;
}

static inline void
store_add(struct store *st, int32_t k, uint64_t n)
{
	if (k >= st->lo && k <= st->hi)
		st->c[k - st->off] += n;
	else
		store_add_slow(st, k, n);
}

/*
 * Add every bucket of 'src' to 'dst'.  The highest and lowest first, so
 * that the window is set once and the rest take the fast path.
 */
static void
store_merge(struct store *dst, const struct store *src)
{
	int32_t j;
	uint64_t c;

	if (store_empty(src))
		return;
	store_add(dst, src->hi, src->c[src->hi - src->off]);
	if (src->lo == src->hi)
		return;
	store_add(dst, src->lo, src->c[src->lo - src->off]);
	for (j = src->lo + 1; j < src->hi; j++)
		if ((c = src->c[j - src->off]) != 0)
			store_add(dst, j, c);
}

struct sketch *
sketch_new(void)
{
	struct sketch *s = xmalloc(sizeof(*s));

	store_init(&s->pos);
	store_init(&s->neg);
	s->zero = s->pinf = s->ninf = s->n = 0;
	s->min = INFINITY;
	s->max = -INFINITY;
	return s;
}

void
sketch_free(struct sketch *s)
{
	if (s == NULL)
		return;
	free(s->pos.c);
	free(s->neg.c);
	free(s);
}

void
sketch_reset(struct sketch *s)
{
	store_reset(&s->pos);
	store_reset(&s->neg);
	s->zero = s->pinf = s->ninf = s->n = 0;
	s->min = INFINITY;
	s->max = -INFINITY;
}

/*
 * The common case first: a finite value with a key.  Comparisons with
 * NaN are false, so NaN falls through every branch.
 */
static inline void
add(struct sketch *s, double v, uint64_t n)
{
	double a = fabs(v);
	int32_t k;

	if (a >= SKETCH_MIN_VALUE && a <= DBL_MAX) {
		k = key_of(a);
		if (v > 0)
			store_add(&s->pos, k, n);
		else
			store_add(&s->neg, -k, n);
	} else if (a < SKETCH_MIN_VALUE) {
		if (v == 0)
			v = 0.0;	/* -0: one zero, one encoding */
		s->zero += n;
	} else if (v == INFINITY)
		s->pinf += n;
	else if (v == -INFINITY)
		s->ninf += n;
	else
		return;		/* NaN */
	s->n += n;
	if (v < s->min)
		s->min = v;
	if (v > s->max)
		s->max = v;
}

void
sketch_add(struct sketch *s, double v)
{
	add(s, v, 1);
}

void
sketch_add_n(struct sketch *s, double v, uint64_t n)
{
	if (n > 0)
		add(s, v, n);
}

void
sketch_merge(struct sketch *dst, const struct sketch *src)
{
	if (src->n == 0)
		return;
	dst->n += src->n;
	dst->zero += src->zero;
	dst->pinf += src->pinf;
	dst->ninf += src->ninf;
	if (src->min < dst->min)
		dst->min = src->min;
	if (src->max > dst->max)
		dst->max = src->max;
	store_merge(&dst->pos, &src->pos);
	store_merge(&dst->neg, &src->neg);
}

uint64_t
sketch_count(const struct sketch *s)
{
	return s->n;
}

double
sketch_min(const struct sketch *s)
{
	return s->n ? s->min : NAN;
}

double
sketch_max(const struct sketch *s)
{
	return s->n ? s->max : NAN;
}

size_t
sketch_buckets(const struct sketch *s)
{
	return (size_t)store_span(&s->pos) + store_span(&s->neg);
}

static double
clamp(const struct sketch *s, double v)
{
	return v < s->min ? s->min : v > s->max ? s->max : v;
}

/*
 * Find the bucket of rank '*r' in 'st': returns its key and 1, or
 * subtracts the store's count from '*r' and returns 0.
 */
static int
store_rank(const struct store *st, uint64_t *r, int32_t *key)
{
	int32_t j;
	uint64_t c;

	for (j = st->lo; j <= st->hi; j++) {
		c = st->c[j - st->off];
		if (*r < c) {
			*key = j;
			return 1;
		}
		*r -= c;
	}
	return 0;
}

double
sketch_quantile(const struct sketch *s, double q)
{
	double x;
	uint64_t r;
	int32_t k;

	if (s->n == 0 || !(q >= 0 && q <= 1))
		return NAN;
	if (q == 0)
		return s->min;
	if (q == 1)
		return s->max;
	/* n - 1 may round up as a double: keep the rank below n. */
	x = floor(q * (double)(s->n - 1));
	r = x >= (double)(s->n - 1) ? s->n - 1 : (uint64_t)x;

	if (r < s->ninf)
		return -INFINITY;
	r -= s->ninf;
	if (store_rank(&s->neg, &r, &k))
		return clamp(s, -key_value(-k));
	if (r < s->zero)
		return clamp(s, 0.0);
	r -= s->zero;
	if (store_rank(&s->pos, &r, &k))
		return clamp(s, key_value(k));
	return s->max;		/* +Inf */
}

static void
store_encode(const struct store *st, struct buf *out)
{
	int32_t j, run;
	uint64_t c;

	buf_add_varint(out, store_span(st));
	if (store_empty(st))
		return;
	buf_add_varint(out, zigzag(st->lo));
	for (j = st->lo; j <= st->hi; j++) {
		if ((c = st->c[j - st->off]) != 0) {
			buf_add_varint(out, c);
			continue;
		}
		for (run = 1; st->c[j + run - st->off] == 0; run++)
			;	/* ends: c[hi] is not 0 */
		buf_addch(out, 0);
		buf_add_varint(out, (uint64_t)run - 1);
		j += run - 1;
	}
}

void
sketch_encode(const struct sketch *s, struct buf *out)
{
	uint64_t bits;

	buf_addch(out, SKETCH_FORMAT);
	buf_add_varint(out, s->zero);
	buf_add_varint(out, s->pinf);
	buf_add_varint(out, s->ninf);
	memcpy(&bits, &s->min, 8);
	buf_add_le64(out, bits);
	memcpy(&bits, &s->max, 8);
	buf_add_le64(out, bits);
	store_encode(&s->pos, out);
	store_encode(&s->neg, out);
}

/*
 * A varint in its shortest form, which is what varint_put() writes; the
 * decoder takes nothing else, so that one sketch has one encoding.  A
 * tenth byte may only carry the 64th bit.
 */
static int
get_uvarint(const unsigned char **p, const unsigned char *end, uint64_t *v)
{
	const unsigned char *q = *p;
	size_t n;

	if (varint_get(p, end, v) == -1)
		return -1;
	n = (size_t)(*p - q);
	if (n != varint_len(*v) || (n == VARINT_MAX && q[n - 1] > 1))
		return -1;
	return 0;
}

static int
add_count(uint64_t *total, uint64_t c)
{
	if (c > UINT64_MAX - *total)
		return -1;
	*total += c;
	return 0;
}

/*
 * Decode a store whose keys must lie in 'kmin' .. 'kmax' into 'st',
 * which is empty, adding its counts to '*total'.
 */
static int
store_decode(struct store *st, const unsigned char **p,
    const unsigned char *end, int32_t kmin, int32_t kmax, uint64_t *total)
{
	uint64_t span, zz, c, run, pos;
	int64_t lo;
	int last_run = 0;

	if (get_uvarint(p, end, &span) == -1)
		return -1;
	if (span == 0)
		return 0;
	if (span > SKETCH_MAX_BUCKETS || get_uvarint(p, end, &zz) == -1)
		return -1;
	lo = unzigzag(zz);
	if (lo < kmin || lo > kmax || (int64_t)span - 1 > kmax - lo)
		return -1;
	store_window(st, (int32_t)lo, (int32_t)(lo + (int64_t)span - 1));
	st->lo = (int32_t)lo;
	st->hi = (int32_t)(lo + (int64_t)span - 1);
	for (pos = 0; pos < span; ) {
		if (get_uvarint(p, end, &c) == -1)
			return -1;
		if (c > 0) {
			if (add_count(total, c) == -1)
				return -1;
			st->c[st->lo + (int32_t)pos - st->off] = c;
			pos++;
			last_run = 0;
			continue;
		}
		/* k + 1 empty buckets, then at least one that is not. */
		if (pos == 0 || last_run || get_uvarint(p, end, &run) == -1 ||
		    span - pos < 2 || run > span - pos - 2)
			return -1;
		pos += run + 1;
		last_run = 1;
	}
	return 0;
}

/* Where 'v' sorts among the buckets: class 0 to 4, and a key for 1 and 3. */
static int
locate(double v, int32_t *key)
{
	double a = fabs(v);

	*key = 0;
	if (a < SKETCH_MIN_VALUE)
		return 2;
	if (a > DBL_MAX)
		return v < 0 ? 0 : 4;
	*key = v < 0 ? -key_of(a) : key_of(a);
	return v < 0 ? 1 : 3;
}

/*
 * Whether the minimum and maximum of a decoded, non-empty sketch are in
 * its lowest and highest buckets.  A full store may have collapsed, and
 * then the minimum may be below its lowest key.
 */
static int
check_bounds(const struct sketch *s)
{
	const struct store *st[5] = { NULL, &s->neg, NULL, &s->pos, NULL };
	const int full[5] = { 0, store_span(&s->neg) == SKETCH_MAX_BUCKETS, 0,
		store_span(&s->pos) == SKETCH_MAX_BUCKETS, 0 };
	const uint64_t other[5] = { s->ninf, 0, s->zero, 0, s->pinf };
	int cmin, cmax, lo, hi;
	int32_t kmin, kmax;

	if (isnan(s->min) || isnan(s->max) || s->min > s->max ||
	    (s->min == 0 && signbit(s->min)) || (s->max == 0 && signbit(s->max)))
		return -1;
	for (lo = 0; lo < 5; lo++)
		if (st[lo] ? !store_empty(st[lo]) : other[lo] != 0)
			break;
	for (hi = 4; hi >= 0; hi--)
		if (st[hi] ? !store_empty(st[hi]) : other[hi] != 0)
			break;
	cmin = locate(s->min, &kmin);
	cmax = locate(s->max, &kmax);
	if (cmin != lo || cmax != hi)
		return -1;
	if (st[lo] && kmin != st[lo]->lo && !(full[lo] && kmin < st[lo]->lo))
		return -1;
	if (st[hi] && kmax != st[hi]->hi)
		return -1;
	return 0;
}

int
sketch_decode(struct sketch *s, const unsigned char *p, size_t len)
{
	const unsigned char *end = p + len;
	int32_t kmin = key_of(SKETCH_MIN_VALUE), kmax = key_of(DBL_MAX);
	uint64_t total = 0, bits;

	sketch_reset(s);
	if (len < 1 || *p++ != SKETCH_FORMAT ||
	    get_uvarint(&p, end, &s->zero) == -1 ||
	    get_uvarint(&p, end, &s->pinf) == -1 ||
	    get_uvarint(&p, end, &s->ninf) == -1 ||
	    add_count(&total, s->zero) == -1 ||
	    add_count(&total, s->pinf) == -1 ||
	    add_count(&total, s->ninf) == -1 || end - p < 16)
		goto bad;
	bits = le64_get(p);
	memcpy(&s->min, &bits, 8);
	bits = le64_get(p + 8);
	memcpy(&s->max, &bits, 8);
	p += 16;
	if (store_decode(&s->pos, &p, end, kmin, kmax, &total) == -1 ||
	    store_decode(&s->neg, &p, end, -kmax, -kmin, &total) == -1 ||
	    p != end)
		goto bad;
	s->n = total;
	if (total == 0 ? s->min != INFINITY || s->max != -INFINITY :
	    check_bounds(s) == -1)
		goto bad;
	return 0;
bad:
	sketch_reset(s);
	return -1;
}
