/* t_sketch.c - quantile sketch: accuracy, exact merges, strict decoding */
/* SPDX-License-Identifier: MIT */
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/sketch.h"
#include "base/varint.h"
#include "tap.h"

#define N	60000
#define WINDOWS	12

/*
 * The promised bound: SKETCH_ALPHA, plus room for rounding (a value
 * exactly on a bucket boundary is off by exactly alpha).
 */
#define TOL	(SKETCH_ALPHA * (1 + 1e-9))

static uint64_t rng = 0x9e3779b97f4a7c15ULL;

static uint64_t
rnd(void)
{
	return tap_xorshift(&rng);
}

static double
urand(void)
{
	return (double)(rnd() >> 11) / 9007199254740992.0;
}

/* A standard normal deviate (Box-Muller; one of the pair is dropped). */
static double
normal(void)
{
	double u = urand();

	while (u == 0)
		u = urand();
	return sqrt(-2 * log(u)) * cos(2 * M_PI * urand());
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static const double qs[] = { 0, 0.01, 0.5, 0.9, 0.95, 0.99, 0.999, 1 };
#define NQ	(sizeof(qs) / sizeof(qs[0]))

/*
 * Whether 'est' answers for 'x' as sketch.h promises, with 'bound' the
 * relative error allowed: TOL or the 1% of the documentation.
 */
static int
close_to(double est, double x, double bound)
{
	if (isinf(x) || x == 0)
		return est == x;
	if (fabs(x) < SKETCH_MIN_VALUE)
		return fabs(est - x) < SKETCH_MIN_VALUE;
	return fabs(est - x) <= bound * fabs(x);
}

/*
 * Check quantiles 'q' (of 'nq') of 's' against the 'n' sorted
 * observations 'v' with relative error 'bound'; q = 0 and q = 1 must be
 * exact.  Returns the number of misses, printing the first few.
 */
static int
misses(const struct sketch *s, const double *q, size_t nq, const double *v,
    size_t n, double bound, const char *name)
{
	int bad = 0;
	size_t i, r;
	double est, x;

	for (i = 0; i < nq; i++) {
		r = (size_t)floor(q[i] * (double)(n - 1));
		x = v[r];
		est = sketch_quantile(s, q[i]);
		if ((q[i] == 0 || q[i] == 1) ? est == x : close_to(est, x, bound))
			continue;
		if (bad++ < 4)
			printf("# %s: q %g: rank %zu is %.17g, estimate %.17g\n",
			    name, q[i], r, x, est);
	}
	return bad;
}

static double
worst_error(const struct sketch *s, const double *v, size_t n)
{
	double w = 0, e;
	size_t i;

	for (i = 0; i < NQ; i++) {
		double x = v[(size_t)floor(qs[i] * (double)(n - 1))];
		if (x == 0 || isinf(x))
			continue;
		e = fabs(sketch_quantile(s, qs[i]) - x) / fabs(x);
		if (e > w)
			w = e;
	}
	return w;
}

/* Whether 'a' and 'b' encode to the same bytes; '*len' gets a's length. */
static int
same(const struct sketch *a, const struct sketch *b, size_t *len)
{
	struct buf x = BUF_INIT, y = BUF_INIT;
	int eq;

	sketch_encode(a, &x);
	sketch_encode(b, &y);
	eq = x.len == y.len && memcmp(x.p, y.p, x.len) == 0;
	if (len)
		*len = x.len;
	buf_release(&x);
	buf_release(&y);
	return eq;
}

/*
 * Decode the encoding of 's' into a fresh sketch: the same bytes, count,
 * minimum, maximum and quantiles bit for bit.
 */
static int
roundtrip(const struct sketch *s)
{
	struct buf b = BUF_INIT;
	struct sketch *t = sketch_new();
	int eq = 0;
	double q;

	sketch_encode(s, &b);
	if (sketch_decode(t, (unsigned char *)b.p, b.len) == 0 && same(s, t, NULL) &&
	    sketch_count(s) == sketch_count(t) &&
	    memcmp(&(double){ sketch_min(s) }, &(double){ sketch_min(t) }, 8) == 0 &&
	    memcmp(&(double){ sketch_max(s) }, &(double){ sketch_max(t) }, 8) == 0) {
		eq = 1;
		for (q = 0; q <= 1; q += 1.0 / 64) {
			double e1 = sketch_quantile(s, q), e2 = sketch_quantile(t, q);
			if (memcmp(&e1, &e2, 8) != 0)
				eq = 0;
		}
	}
	buf_release(&b);
	sketch_free(t);
	return eq;
}

static double
gen(int dist, size_t i)
{
	double u;

	switch (dist) {
	case 0:		/* uniform */
		return urand() * 1000;
	case 1:		/* lognormal: +-3 sigma is six decades */
		return 0.05 * exp(normal() * M_LN10);
	case 2:		/* zeros, -0, negatives, positives, specks */
		u = urand();
		if (u < 0.15)
			return 0;
		if (u < 0.2)
			return -0.0;
		if (u < 0.22)
			return (urand() - 0.5) * 1e-10;
		if (u < 0.55)
			return -10 * exp(2 * normal());
		return 100 * exp(normal());
	case 3:		/* constant */
		return 42.5;
	case 4:		/* integer milliseconds */
		return floor(exp(log(120) + 0.8 * normal())) + 1;
	default:	/* log-uniform over exactly six decades */
		(void)i;
		return pow(10, urand() * 6 - 3);
	}
}

static const char *const dist_name[] = { "uniform", "lognormal",
	"mixed signs and zeros", "constant", "integer latencies",
	"log-uniform 1e-3..1e3" };

static void
distributions(void)
{
	static double v[N], sorted[N];
	struct sketch *direct, *win[WINDOWS], *merged, *rev, *tree[WINDOWS];
	size_t i, w, len;
	int d;

	for (d = 0; d < 6; d++) {
		const char *name = dist_name[d];
		direct = sketch_new();
		for (i = 0; i < N; i++) {
			v[i] = gen(d, i);
			sketch_add(direct, v[i]);
		}
		memcpy(sorted, v, sizeof(v));
		qsort(sorted, N, sizeof(*sorted), cmp_double);

		is_int(sketch_count(direct), N, "%s: count", name);
		is_int(misses(direct, qs, NQ, sorted, N, 0.01, name), 0,
		    "%s: quantiles within 1%%", name);
		is_int(misses(direct, qs, NQ, sorted, N, TOL, name), 0,
		    "%s: quantiles within alpha (worst %.5f)", name,
		    worst_error(direct, sorted, N));
		ok(sketch_min(direct) == sorted[0] &&
		    sketch_max(direct) == sorted[N - 1], "%s: exact min and max",
		    name);

		/* Twelve windows of consecutive observations, then the hour. */
		merged = sketch_new();
		rev = sketch_new();
		for (w = 0; w < WINDOWS; w++) {
			win[w] = sketch_new();
			for (i = w * N / WINDOWS; i < (w + 1) * N / WINDOWS; i++)
				sketch_add(win[w], v[i]);
			sketch_merge(merged, win[w]);
		}
		for (w = WINDOWS; w-- > 0; )
			sketch_merge(rev, win[w]);
		/* ((0+1)+(2+3))+... pairwise: another bracketing. */
		for (w = 0; w < WINDOWS; w++) {
			tree[w] = sketch_new();
			sketch_merge(tree[w], win[w]);
		}
		for (size_t step = 1; step < WINDOWS; step *= 2)
			for (w = 0; w + step < WINDOWS; w += 2 * step)
				sketch_merge(tree[w], tree[w + step]);
		ok(same(merged, direct, &len), "%s: 12 windows merged == direct",
		    name);
		ok(same(rev, direct, NULL) && same(tree[0], direct, NULL),
		    "%s: merge order and bracketing do not matter", name);
		is_int(misses(merged, qs, NQ, sorted, N, 0.01, name), 0,
		    "%s: merged quantiles within 1%%", name);
		ok(roundtrip(direct), "%s: encode/decode round trip", name);
		ok(sketch_buckets(direct) < SKETCH_MAX_BUCKETS,
		    "%s: %zu buckets, %zu bytes encoded, no collapse", name,
		    sketch_buckets(direct), len);

		for (w = 0; w < WINDOWS; w++) {
			sketch_free(win[w]);
			sketch_free(tree[w]);
		}
		sketch_free(rev);
		sketch_free(merged);
		sketch_free(direct);
	}
}

/*
 * Data spanning more magnitude than a store holds: the low buckets
 * collapse, the upper quantiles stay accurate, and merges are still
 * exact whatever the order (values arrive rising, falling, shuffled).
 */
static void
collapse(void)
{
	static double v[N / 4], sorted[N / 4];
	static const double upper[] = { 0.95, 0.99, 0.999, 1 };
	const size_t n = N / 4;
	struct sketch *a, *b, *c, *win[WINDOWS], *m;
	size_t i, w, j;
	int sign;

	for (sign = 1; sign >= -1; sign -= 2) {
		const char *name = sign > 0 ? "1e-9..1e300" : "-1e300..-1e-9";
		a = sketch_new();
		b = sketch_new();
		c = sketch_new();
		for (i = 0; i < n; i++)
			v[i] = sign * pow(10, urand() * 309 - 9);
		memcpy(sorted, v, sizeof(v));
		qsort(sorted, n, sizeof(*sorted), cmp_double);
		for (i = 0; i < n; i++) {
			sketch_add(a, v[i]);
			sketch_add(b, sorted[i]);
			sketch_add(c, sorted[n - 1 - i]);
		}
		is_int(sketch_buckets(a), SKETCH_MAX_BUCKETS,
		    "%s: store capped at %d buckets", name, SKETCH_MAX_BUCKETS);
		ok(same(a, b, NULL) && same(a, c, NULL),
		    "%s: shuffled, rising and falling adds give one sketch", name);
		/* For negative values the upper ones are the small magnitudes. */
		is_int(misses(a, upper, 4, sorted, n, TOL, name), 0,
		    "%s: upper quantiles keep their accuracy", name);
		ok(sketch_quantile(a, 0) == sorted[0], "%s: q = 0 still exact",
		    name);

		/* Windows over a shuffled stream, merged in a scrambled order. */
		m = sketch_new();
		for (w = 0; w < WINDOWS; w++) {
			win[w] = sketch_new();
			for (i = w * n / WINDOWS; i < (w + 1) * n / WINDOWS; i++)
				sketch_add(win[w], v[i]);
		}
		for (j = 0; j < WINDOWS; j++)
			sketch_merge(m, win[(j * 5) % WINDOWS]);
		ok(same(m, a, NULL), "%s: collapsed windows merge exactly", name);
		ok(roundtrip(a), "%s: collapsed sketch round trip", name);
		for (w = 0; w < WINDOWS; w++)
			sketch_free(win[w]);
		sketch_free(m);
		sketch_free(a);
		sketch_free(b);
		sketch_free(c);
	}

	/*
	 * A value far above a store's range folds everything into one
	 * bucket; then a value far below lands in it too.
	 */
	a = sketch_new();
	b = sketch_new();
	sketch_add(a, 1);
	sketch_add(a, 2);
	sketch_add(a, 1e300);
	sketch_add(a, 1e-5);
	sketch_add(b, 1e-5);
	sketch_add(b, 1e300);
	sketch_add(b, 2);
	sketch_add(b, 1);
	is_int(sketch_buckets(a), SKETCH_MAX_BUCKETS,
	    "a jump past the cap folds all into the floor");
	ok(same(a, b, NULL) && roundtrip(a), "... in any order, and round trips");
	ok(sketch_quantile(a, 1) == 1e300 && sketch_quantile(a, 0) == 1e-5,
	    "... min and max stay exact");
	sketch_free(a);
	sketch_free(b);
}

static void
special_values(void)
{
	struct sketch *s = sketch_new(), *t = sketch_new();
	struct buf b = BUF_INIT;
	int i;
	double m;

	/* Empty. */
	is_int(sketch_count(s), 0, "empty: count 0");
	ok(isnan(sketch_min(s)) && isnan(sketch_max(s)), "empty: min, max NaN");
	ok(isnan(sketch_quantile(s, 0)) && isnan(sketch_quantile(s, 0.5)) &&
	    isnan(sketch_quantile(s, 1)), "empty: quantiles NaN");
	is_int(sketch_buckets(s), 0, "empty: no buckets");
	sketch_encode(s, &b);
	is_int(b.len, 22, "empty: 22 bytes encoded");
	buf_release(&b);
	ok(roundtrip(s), "empty: round trip");
	sketch_merge(s, t);
	is_int(sketch_count(s), 0, "empty merged into empty stays empty");

	/* NaN is ignored. */
	sketch_add(s, NAN);
	sketch_add_n(s, -NAN, 5);
	ok(sketch_count(s) == 0 && same(s, t, NULL), "NaN is not counted");

	/* Infinities. */
	sketch_add_n(s, -INFINITY, 2);
	for (i = 1; i <= 5; i++)
		sketch_add(s, i);
	sketch_add_n(s, INFINITY, 3);
	sketch_add(s, NAN);
	is_int(sketch_count(s), 10, "-Inf x2, 1..5, +Inf x3: count 10");
	ok(sketch_min(s) == -INFINITY && sketch_max(s) == INFINITY,
	    "min -Inf, max +Inf");
	ok(sketch_quantile(s, 0.12) == -INFINITY, "rank 1 is -Inf");
	ok(close_to(sketch_quantile(s, 0.23), 1, TOL), "rank 2 is ~1");
	ok(close_to(sketch_quantile(s, 0.7), 5, TOL), "rank 6 is ~5");
	ok(sketch_quantile(s, 0.78) == INFINITY, "rank 7 is +Inf");
	ok(sketch_quantile(s, 0) == -INFINITY && sketch_quantile(s, 1) == INFINITY,
	    "q = 0 and q = 1 give the infinities");
	ok(roundtrip(s), "infinities round trip");
	sketch_reset(t);
	sketch_add(t, INFINITY);
	ok(sketch_quantile(t, 0.5) == INFINITY && sketch_min(t) == INFINITY,
	    "only +Inf: every quantile is +Inf");
	ok(roundtrip(t), "only +Inf round trips");

	/* q outside [0, 1]. */
	ok(isnan(sketch_quantile(s, -0.01)) && isnan(sketch_quantile(s, 1.01)) &&
	    isnan(sketch_quantile(s, NAN)), "q outside [0, 1] gives NaN");

	/* Reset keeps nothing observable. */
	sketch_reset(s);
	sketch_reset(t);
	ok(sketch_count(s) == 0 && same(s, t, NULL) && isnan(sketch_min(s)),
	    "reset empties");
	sketch_add(s, 3);
	sketch_add(t, 3);
	ok(same(s, t, NULL), "a reset sketch fills like a new one");

	/* add_n is n adds. */
	sketch_reset(s);
	sketch_reset(t);
	sketch_add_n(s, 17.25, 1000);
	sketch_add_n(s, -3, 0);
	for (i = 0; i < 1000; i++)
		sketch_add(t, 17.25);
	ok(same(s, t, NULL) && sketch_count(s) == 1000, "add_n(v, n) is n adds");

	/* Zeros and specks. */
	sketch_reset(s);
	sketch_add(s, -0.0);
	m = sketch_min(s);
	ok(m == 0 && !signbit(m), "-0 is kept as +0");
	sketch_reset(s);
	sketch_add(s, 1e-12);
	sketch_add(s, 5e-10);
	sketch_add(s, 7e-10);
	ok(sketch_quantile(s, 0.5) == 1e-12,
	    "values below %g stand for 0, clamped to the minimum",
	    SKETCH_MIN_VALUE);
	ok(roundtrip(s), "specks round trip");

	/* A single value answers itself. */
	sketch_reset(s);
	sketch_add(s, -123.456);
	ok(sketch_quantile(s, 0.5) == -123.456, "one value: every quantile is it");

	/* Merging into a non-empty sketch from an empty one changes nothing. */
	sketch_reset(t);
	sketch_add(s, 99);
	{
		struct sketch *u = sketch_new();
		sketch_merge(u, s);
		sketch_merge(s, t);
		ok(same(s, u, NULL), "merging an empty sketch changes nothing");
		sketch_free(u);
	}
	sketch_free(s);
	sketch_free(t);
}

/* The header of an encoding: format, counts, min, max. */
static void
head(struct buf *b, uint64_t zero, uint64_t pinf, uint64_t ninf, double min,
    double max)
{
	uint64_t bits;

	buf_reset(b);
	buf_addch(b, SKETCH_FORMAT);
	buf_add_varint(b, zero);
	buf_add_varint(b, pinf);
	buf_add_varint(b, ninf);
	memcpy(&bits, &min, 8);
	buf_add_le64(b, bits);
	memcpy(&bits, &max, 8);
	buf_add_le64(b, bits);
}

/* A sketch of one observation 'v' in bucket 'key' of one store. */
static void
one_bucket(struct buf *b, double v, int64_t key, int negative)
{
	head(b, 0, 0, 0, v, v);
	if (negative)
		buf_add_varint(b, 0);
	buf_add_varint(b, 1);
	buf_add_varint(b, zigzag(key));
	buf_add_varint(b, 1);
	if (!negative)
		buf_add_varint(b, 0);
}

static int
decodes(struct sketch *s, const struct buf *b)
{
	return sketch_decode(s, (const unsigned char *)b->p, b->len) == 0;
}

/* Hand-made encodings, each valid but for one thing. */
static void
malformed(void)
{
	struct sketch *s = sketch_new();
	struct buf b = BUF_INIT;

	head(&b, 1, 0, 0, 0, 0);
	buf_add_varint(&b, 0);
	buf_add_varint(&b, 0);
	ok(decodes(s, &b) && sketch_count(s) == 1, "hand-made: one zero");
	b.p[0] = SKETCH_FORMAT + 1;
	ok(!decodes(s, &b), "unknown format refused");
	b.p[0] = SKETCH_FORMAT;
	buf_addch(&b, 0);
	ok(!decodes(s, &b), "trailing byte refused");
	ok(sketch_count(s) == 0 && isnan(sketch_min(s)),
	    "a refused decode leaves the sketch empty");

	buf_reset(&b);
	buf_add(&b, "\x01\x80\x00\x00\x00", 5);		/* zero as 2 bytes */
	buf_add_le64(&b, 0x7ff0000000000000ULL);
	buf_add_le64(&b, 0xfff0000000000000ULL);
	buf_add(&b, "\x00\x00", 2);
	ok(!decodes(s, &b), "over-long varint refused");

	head(&b, UINT64_MAX, 1, 0, 0, INFINITY);
	buf_add(&b, "\x00\x00", 2);
	ok(!decodes(s, &b), "total count past 2^64 refused");

	head(&b, 1, 0, 0, 1, 0);
	buf_add(&b, "\x00\x00", 2);
	ok(!decodes(s, &b), "min > max refused");
	head(&b, 1, 0, 0, NAN, 0);
	buf_add(&b, "\x00\x00", 2);
	ok(!decodes(s, &b), "NaN min refused");
	head(&b, 1, 0, 0, -0.0, 0);
	buf_add(&b, "\x00\x00", 2);
	ok(!decodes(s, &b), "-0 min refused (not what encode writes)");
	head(&b, 0, 0, 0, 0, 0);
	buf_add(&b, "\x00\x00", 2);
	ok(!decodes(s, &b), "empty sketch with finite min refused");
	head(&b, 1, 0, 0, 5, 5);
	buf_add(&b, "\x00\x00", 2);
	ok(!decodes(s, &b), "min outside the only bucket refused");
	head(&b, 0, 1, 0, 0, INFINITY);
	buf_add(&b, "\x00\x00", 2);
	ok(!decodes(s, &b), "min 0 with only +Inf counted refused");

	/* Positive store: key 0 (values near 1) then key 2. */
	head(&b, 0, 0, 0, 1, 1.02);
	buf_add(&b, "\x03\x00\x01\x00\x00\x01", 6);
	buf_add_varint(&b, 0);
	ok(decodes(s, &b) && sketch_count(s) == 2 && sketch_buckets(s) == 3,
	    "hand-made: run of one empty bucket");
	head(&b, 0, 0, 0, 1, 1.02);
	buf_add(&b, "\x03\x00\x01\x00\x05\x01\x00", 7);
	ok(!decodes(s, &b), "run past the span refused");
	head(&b, 0, 0, 0, 1, 1.02);
	buf_add(&b, "\x03\x00\x00\x00\x01\x01\x00", 7);
	ok(!decodes(s, &b), "run at the start refused");
	head(&b, 0, 0, 0, 1, 1.03);
	buf_add(&b, "\x04\x00\x01\x00\x00\x00\x00\x01\x00", 9);
	ok(!decodes(s, &b), "two runs in a row refused");
	head(&b, 0, 0, 0, 1, 1.02);
	buf_add(&b, "\x03\x00\x01\x00\x01\x00", 6);
	ok(!decodes(s, &b), "run over the last bucket refused");
	head(&b, 0, 0, 0, 1, 1.02);
	buf_add(&b, "\x03\x00\x01\x00\x00\x01", 6);
	ok(!decodes(s, &b), "missing negative store refused");

	head(&b, 0, 0, 0, 1, 1);
	buf_add_varint(&b, SKETCH_MAX_BUCKETS + 1);
	buf_add_varint(&b, 0);
	ok(!decodes(s, &b), "span over the cap refused");
	/* The key range sketch.h gives, at both ends and both signs. */
	one_bucket(&b, DBL_MAX, 70978, 0);
	ok(decodes(s, &b) && sketch_quantile(s, 0.5) == DBL_MAX,
	    "key 70978 holds DBL_MAX");
	one_bucket(&b, DBL_MAX, 70979, 0);
	ok(!decodes(s, &b), "key 70979 refused");
	one_bucket(&b, SKETCH_MIN_VALUE, -2072, 0);
	ok(decodes(s, &b), "key -2072 holds SKETCH_MIN_VALUE");
	one_bucket(&b, SKETCH_MIN_VALUE, -2073, 0);
	ok(!decodes(s, &b), "key -2073 refused");
	one_bucket(&b, -DBL_MAX, -70978, 1);
	ok(decodes(s, &b) && sketch_quantile(s, 0.5) == -DBL_MAX,
	    "negative key -70978 holds -DBL_MAX");
	one_bucket(&b, -DBL_MAX, -70979, 1);
	ok(!decodes(s, &b), "negative key -70979 refused");
	one_bucket(&b, -SKETCH_MIN_VALUE, 2072, 1);
	ok(decodes(s, &b), "negative key 2072 holds -SKETCH_MIN_VALUE");
	one_bucket(&b, -SKETCH_MIN_VALUE, 2073, 1);
	ok(!decodes(s, &b), "negative key 2073 refused");
	one_bucket(&b, 1, 1, 0);
	ok(!decodes(s, &b), "minimum outside the only bucket refused");
	head(&b, 0, 0, 0, -1, -1);
	buf_add_varint(&b, 0);
	buf_add_varint(&b, 1);
	buf_add_varint(&b, zigzag(0));
	buf_add_varint(&b, 1);
	ok(decodes(s, &b) && sketch_quantile(s, 0.5) == -1,
	    "hand-made: one negative value");
	buf_release(&b);
	sketch_free(s);
}

/*
 * Garbage: every truncation of a valid encoding is refused, and random
 * or mutated bytes are refused or decode to a sketch that encodes back
 * to exactly those bytes.  Under ASan and valgrind a stray read fails.
 */
static void
garbage(void)
{
	struct sketch *s = sketch_new(), *t = sketch_new();
	struct buf b = BUF_INIT, c = BUF_INIT, r = BUF_INIT;
	size_t i, k, cut_ok = 0, accepted = 0, refused = 0, noncanon = 0;
	int round;

	sketch_add_n(s, -INFINITY, 2);
	sketch_add_n(s, INFINITY, 3);
	sketch_add_n(s, 0, 4);
	for (i = 0; i < 400; i++)
		sketch_add(s, (urand() < 0.3 ? -1 : 1) * exp(normal() * 3));
	sketch_encode(s, &b);
	for (i = 0; i < b.len; i++)
		cut_ok += sketch_decode(t, (unsigned char *)b.p, i) == -1;
	is_int(cut_ok, b.len, "all %zu truncations refused", b.len);

	for (round = 0; round < 100000; round++) {
		buf_reset(&r);
		if (round % 2) {
			/* A few random bytes changed in a valid encoding. */
			buf_add(&r, b.p, b.len);
			for (k = 1 + rnd() % 3; k > 0; k--)
				r.p[rnd() % r.len] = (char)rnd();
		} else {
			/* Random bytes, mostly small, behind the format byte. */
			size_t n = rnd() % 48;
			buf_addch(&r, round % 16 ? SKETCH_FORMAT : (char)rnd());
			for (i = 0; i < n; i++)
				buf_addch(&r, (char)(rnd() % 4 ? rnd() % 8 : rnd()));
		}
		if (sketch_decode(t, (unsigned char *)r.p, r.len) == -1) {
			refused++;
			continue;
		}
		accepted++;
		buf_reset(&c);
		sketch_encode(t, &c);
		if (c.len != r.len || memcmp(c.p, r.p, r.len) != 0)
			noncanon++;
		(void)sketch_quantile(t, urand());
	}
	ok(refused > 0 && accepted > 0,
	    "random and mutated input: %zu refused, %zu accepted, none faulted",
	    refused, accepted);
	is_int(noncanon, 0, "every accepted input encodes back to its bytes");

	buf_release(&b);
	buf_release(&c);
	buf_release(&r);
	sketch_free(s);
	sketch_free(t);
	sketch_free(NULL);
}

int
main(void)
{
	distributions();
	collapse();
	special_values();
	malformed();
	garbage();
	return done_testing();
}
