/* t_chunk.c - chunk encoding: every value back bit for bit, and small */
/* SPDX-License-Identifier: MIT */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "store/chunk.h"
#include "tap.h"

static uint64_t rng = 0x853c49e6748fea9bULL;

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

/* Encode and decode 'n' samples; 1 if they come back identical. */
static int
roundtrip(const int64_t *ts, const double *v, size_t n, size_t *bytes)
{
	struct buf t = BUF_INIT, b = BUF_INIT;
	int64_t *ts2 = malloc(n * sizeof(*ts2));
	double *v2 = malloc(n * sizeof(*v2));
	int same;

	chunk_encode(&t, &b, ts, v, n);
	same = chunk_decode_ts((unsigned char *)t.p, t.len, n, ts2) == 0 &&
	    chunk_decode_values((unsigned char *)b.p, b.len, n, v2) == 0 &&
	    memcmp(ts, ts2, n * sizeof(*ts)) == 0 &&
	    memcmp(v, v2, n * sizeof(*v)) == 0;
	if (bytes)
		*bytes = t.len + b.len;
	/* Any truncation must be refused, never read past the end. */
	if (same && t.len > 1)
		same = chunk_decode_ts((unsigned char *)t.p, t.len - 1, n, ts2) == -1;
	if (same && b.len > 1)
		same = chunk_decode_values((unsigned char *)b.p, b.len - 1, n, v2) == -1;
	buf_release(&t);
	buf_release(&b);
	free(ts2);
	free(v2);
	return same;
}

int
main(void)
{
	enum { N = 500 };
	int64_t ts[N];
	double v[N];
	size_t i, bytes = 0, r, bad = 0, refused = 0;
	int same;

	for (r = 0; r < 3000; r++) {
		size_t n = 1 + rnd() % N;
		int kind = (int)(r % 8);
		int64_t t = (int64_t)(rnd() % 2000000000000ULL) - 1000000000000LL;
		double x = (urand() - 0.5) * 1e6;
		for (i = 0; i < n; i++) {
			t += r % 3 ? 15000 : 1 + (int64_t)(rnd() % 30000);
			ts[i] = t;
			switch (kind) {
			case 0: v[i] = r % 2 ? 42 : -0.0; break;
			case 1: x += floor(urand() * 1000); v[i] = x; break;
			case 2: x = round((x + urand() * 15) * 100) / 100; v[i] = x; break;
			case 3: v[i] = urand() * 100; break;
			case 4: { uint64_t bits = rnd(); memcpy(&v[i], &bits, 8); break; }
			case 5: v[i] = (double[]){ NAN, INFINITY, -INFINITY, -0.0, 1.5,
				    1e300, 5e-324 }[rnd() % 7]; break;
			case 6: v[i] = (double)(int64_t)(rnd() >> (rnd() % 64)) *
				    (rnd() % 2 ? 1 : -1); break;
			default: v[i] = round(urand() * 1e6) / 1e3; break;
			}
		}
		if (!roundtrip(ts, v, n, NULL) && bad++ < 5)
			printf("# round %zu (kind %d, n %zu) differs\n", r, kind, n);
	}
	is_int(bad, 0, "3000 random chunks decode bit for bit, truncations refused");

	/* A regular interval costs nothing per sample. */
	for (i = 0; i < N; i++) {
		ts[i] = 1700000000000LL + (int64_t)i * 15000;
		v[i] = 7;
	}
	same = roundtrip(ts, v, N, &bytes);
	ok(same && bytes < 24,
	    "regular constant series: %zu bytes for %d samples", bytes, N);
	/* A counter of hundredths: about two bytes a sample before zstd. */
	for (i = 0; i < N; i++)
		v[i] = round((i ? v[i - 1] : 1000) * 100 + urand() * 1500) / 100;
	same = roundtrip(ts, v, N, &bytes);
	ok(same && bytes < 2.2 * N,
	    "decimal counter: %zu bytes for %d samples", bytes, N);

	{
		int64_t m;
		int k;
		ok(chunk_decimal(0.1, &m, &k) && m == 1 && k == 1, "0.1 is 1e-1");
		ok(chunk_decimal(-123.456, &m, &k) && m == -123456 && k == 3,
		    "-123.456");
		ok(!chunk_decimal(-0.0, &m, &k), "-0 is not a decimal");
		ok(!chunk_decimal(NAN, &m, &k), "NaN is not a decimal");
		ok(!chunk_decimal(0.1 + 0.2, &m, &k) || k == 17,
		    "0.30000000000000004 needs all the digits");
	}
	is_int(chunk_decode_values((const unsigned char *)"\x09", 1, 1, v), -1,
	    "unknown value encoding refused");

	/*
	 * Corrupt chunks: flipped bytes must decode to something or be
	 * refused, never read or write out of bounds (run under ASan).
	 */
	for (r = 0; r < 20000; r++) {
		struct buf t = BUF_INIT, b = BUF_INIT;
		size_t n = 1 + rnd() % 64;
		for (i = 0; i < n; i++) {
			ts[i] = 1700000000000LL + (int64_t)i * 15000 +
			    (r % 2 ? (int64_t)(rnd() % 100) : 0);
			v[i] = r % 3 ? round(urand() * 1e4) / 100 : urand();
		}
		chunk_encode(&t, &b, ts, v, n);
		t.p[rnd() % t.len] ^= (char)(1 + rnd() % 255);
		b.p[rnd() % b.len] ^= (char)(1 + rnd() % 255);
		refused += chunk_decode_ts((unsigned char *)t.p, t.len, n, ts) == -1;
		refused += chunk_decode_values((unsigned char *)b.p, b.len, n, v) == -1;
		buf_release(&t);
		buf_release(&b);
	}
	/*
	 * Under ASan a fault fails the run; here, corruption must be caught
	 * often (a flipped byte in a bit-packed value may decode to another
	 * value, so not always).
	 */
	ok(refused > 10000, "corrupted chunks refused (%zu of 40000 columns), "
	    "none faulted", refused);
	return done_testing();
}
