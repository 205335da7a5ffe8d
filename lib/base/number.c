/* number.c - fast, exact conversion of doubles from and to text */
/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/number.h"

/*
 * Powers of ten that a double holds exactly.  A decimal m * 10^e with
 * m < 2^53 and |e| <= 22 is then one correctly rounded multiplication or
 * division away (Clinger's fast path), and IEEE 754 guarantees that
 * result is the one strtod() would give.  Everything else goes to
 * strtod(), which glibc rounds correctly too.
 */
static const double pow10_exact[23] = {
	1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
	1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22
};

#define TWO53 9007199254740992ULL

static const uint64_t pow10_u64[9] = {
	1, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000
};

static int
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/*
 * The common case: at most 19 digits in all, so that the mantissa fits
 * in 64 bits without a check per digit.  Returns the bytes consumed and
 * sets '*mant' and '*exp10' for the number without its sign and
 * exponent part, or 0 when it cannot tell (the general path decides,
 * from the start).
 */
static int
parse_simple(const char *s, const char *end, uint64_t *mant, int *exp10)
{
	const char *p = s, *lim;
	uint64_t m = 0;
	int ni;

	if (*p == '0') {
		p++;	/* no leading zeros in JSON: "01" is "0", then "1" */
	} else {
		lim = end - s > 20 ? s + 20 : end;
		while (p < lim && is_digit(*p))
			m = m * 10 + (uint64_t)(*p++ - '0');
		if (p - s > 19)
			return 0;
	}
	ni = (int)(p - s);
	*exp10 = 0;
	if (p < end && *p == '.') {
		const char *f = ++p;
		lim = end - f > 20 - ni ? f + 20 - ni : end;
		while (p < lim && is_digit(*p))
			m = m * 10 + (uint64_t)(*p++ - '0');
		if (p == f || ni + (p - f) > 19)
			return 0;
		*exp10 = -(int)(p - f);
	}
	*mant = m;
	return (int)(p - s);
}

int
number_parse_json(const char *s, size_t len, double *out)
{
	const char *p = s, *end = s + len;
	uint64_t mant = 0;
	int ndigits = 0, exp10 = 0, neg = 0, exact = 1;

	if (p < end && *p == '-') {
		neg = 1;
		p++;
	}
	if (p >= end || !is_digit(*p))
		return 0;
#ifdef NUMBER_HAVE_DIGITS8
	if (end - p >= 16) {
		/*
		 * Metric values are mostly short: up to 15 digits with at
		 * most seven after the point, eight digits at a time.  Both
		 * loads stay within the 16 bytes checked.  Anything else (a
		 * leading zero before more digits, a longer run) is left to
		 * the paths below.
		 */
		uint64_t ip, v;
		unsigned ni = number_digits8(p, &ip), nf = 0;
		const char *q = p + ni;

		if (ni == 8 && *p != '0' && (nf = number_digits8(q, &v)) < 8 &&
		    *(q += nf) != '.') {
			mant = ip * pow10_u64[nf] + v;
			nf = 0;
		} else if (ni < 8 && (*p != '0' || ni == 1)) {
			mant = ip;
			nf = 0;
			if (*q == '.') {
				nf = number_digits8(q + 1, &v);
				if (nf == 0 || nf == 8)
					goto general;
				mant = ip * pow10_u64[nf] + v;
				q += 1 + nf;
			}
		} else {
			goto general;
		}
		/* Below 10^15 and over at most 10^7: exact, as further down. */
		if (*q != 'e' && *q != 'E') {
			double d = (double)mant / pow10_exact[nf];
			*out = neg ? -d : d;
			return (int)(q - s);
		}
		exp10 = -(int)nf;
		p = q;
		goto exponent;
	}
general:
#endif
	{
		int n = parse_simple(p, end, &mant, &exp10);
		if (n > 0) {
			p += n;
			goto exponent;
		}
		mant = 0;
		exp10 = 0;
	}
	if (*p == '0') {
		p++;
	} else {
		for (; p < end && is_digit(*p); p++) {
			if (ndigits < 19) {
				mant = mant * 10 + (uint64_t)(*p - '0');
				if (mant)
					ndigits++;
			} else {
				exp10++;
				if (*p != '0')
					exact = 0;
			}
		}
	}
	if (p < end && *p == '.') {
		p++;
		if (p >= end || !is_digit(*p))
			return 0;
		for (; p < end && is_digit(*p); p++) {
			if (ndigits < 19) {
				mant = mant * 10 + (uint64_t)(*p - '0');
				if (mant)
					ndigits++;
				exp10--;
			} else if (*p != '0') {
				exact = 0;
			}
		}
	}
exponent:
	if (p < end && (*p == 'e' || *p == 'E')) {
		int eneg = 0, e = 0;
		p++;
		if (p < end && (*p == '+' || *p == '-'))
			eneg = *p++ == '-';
		if (p >= end || !is_digit(*p))
			return 0;
		for (; p < end && is_digit(*p); p++)
			if (e < 100000)
				e = e * 10 + (*p - '0');
		exp10 += eneg ? -e : e;
	}
	if (exact && mant <= TWO53 && exp10 >= -22 && exp10 <= 22) {
		double d = (double)mant;
		d = exp10 < 0 ? d / pow10_exact[-exp10] : d * pow10_exact[exp10];
		*out = neg ? -d : d;
		return (int)(p - s);
	}

	/*
	 * The slow, general case.  strtod() needs a terminated string and
	 * would read past a number that is directly followed by digits of
	 * something else, so hand it a copy of exactly the span checked
	 * above.
	 */
	{
		char tmp[512], *copy = tmp, *ep;
		size_t n = (size_t)(p - s);
		double d;

		if (n >= sizeof(tmp) && (copy = malloc(n + 1)) == NULL)
			return -1;
		memcpy(copy, s, n);
		copy[n] = '\0';
		errno = 0;
		d = strtod(copy, &ep);
		if (copy != tmp)
			free(copy);
		if (errno == ERANGE && isinf(d))
			return -1;
		*out = d;
	}
	return (int)(p - s);
}

static const char digit_pairs[201] =
	"00010203040506070809101112131415161718192021222324252627282930313233343536373839"
	"40414243444546474849505152535455565758596061626364656667686970717273747576777879"
	"8081828384858687888990919293949596979899";

/* 10^k, k = 0 to 19: the powers of ten a uint64_t holds. */
static const uint64_t pow10_full[20] = {
	1ULL, 10ULL, 100ULL, 1000ULL, 10000ULL, 100000ULL, 1000000ULL,
	10000000ULL, 100000000ULL, 1000000000ULL, 10000000000ULL,
	100000000000ULL, 1000000000000ULL, 10000000000000ULL,
	100000000000000ULL, 1000000000000000ULL, 10000000000000000ULL,
	100000000000000000ULL, 1000000000000000000ULL,
	10000000000000000000ULL
};

/*
 * Write 'v' in decimal, two digits at a time from the right, straight
 * into place (no copy from a scratch buffer): its length comes from its
 * bit length (log10(2) is about 1233 / 4096), corrected by one
 * comparison.  Every number of a large answer passes here, timestamps
 * and values.
 */
static size_t
format_u64(char *out, uint64_t v)
{
	unsigned t = (unsigned)(64 - __builtin_clzll(v | 1)) * 1233 >> 12;
	size_t n = t + 1 - ((v | 1) < pow10_full[t]), i = n;	/* t <= 19 */
	uint32_t w;
	int k;

	/* Eight digits at a time in 32 bits, cheaper to divide. */
	while (v >= 100000000) {
		w = (uint32_t)(v % 100000000);
		v /= 100000000;
		for (k = 0; k < 4; k++, w /= 100) {
			out[--i] = digit_pairs[w % 100 * 2 + 1];
			out[--i] = digit_pairs[w % 100 * 2];
		}
	}
	for (w = (uint32_t)v; w >= 100; w /= 100) {
		out[--i] = digit_pairs[w % 100 * 2 + 1];
		out[--i] = digit_pairs[w % 100 * 2];
	}
	if (w >= 10) {
		out[--i] = digit_pairs[w * 2 + 1];
		out[--i] = digit_pairs[w * 2];
	} else {
		out[--i] = (char)('0' + w);
	}
	out[n] = '\0';
	return n;
}

size_t
number_format_i64(char *out, int64_t v)
{
	if (v < 0) {
		out[0] = '-';
		return 1 + format_u64(out + 1, (uint64_t)0 - (uint64_t)v);
	}
	return format_u64(out, (uint64_t)v);
}

/* Write 'm' with a decimal point 'k' digits from the right. */
static size_t
format_fixed(char *out, int neg, uint64_t m, int k)
{
	char digits[24];
	size_t nd = format_u64(digits, m), n = 0;

	if (neg)
		out[n++] = '-';
	if (nd <= (size_t)k) {
		out[n++] = '0';
		out[n++] = '.';
		memset(out + n, '0', (size_t)k - nd);
		n += (size_t)k - nd;
		memcpy(out + n, digits, nd);
		n += nd;
	} else {
		memcpy(out + n, digits, nd - (size_t)k);
		n += nd - (size_t)k;
		out[n++] = '.';
		memcpy(out + n, digits + nd - (size_t)k, (size_t)k);
		n += (size_t)k;
	}
	out[n] = '\0';
	return n;
}

typedef unsigned __int128 u128;

/*
 * Whether m / 10^k reads back as a = M 2^-F (M in [2^52, 2^53)), given
 * X = M 10^k and P = 10^k: whether m / 10^k lies in the interval of a,
 * the values that round to it.  That reaches half an ulp to each side,
 * ends included when M is even (ties round to even), and only a quarter
 * ulp below when M = 2^52 (the double below is nearer).  Scaled by
 * 10^k 2^F, an ulp is P, so with D = |m 2^F - X| the test is 2D < P
 * (4D < P below a power of two).  Sets '*dist' to D.
 */
static int
reads_back(u128 m, u128 X, u128 P, int F, uint64_t M, u128 *dist)
{
	u128 y = m << F;
	int below = y < X, scale = below && M == TWO53 / 2 ? 4 : 2;

	*dist = below ? X - y : y - X;
	if (*dist > P)		/* and no overflow below */
		return 0;
	return *dist * (u128)scale < P ||
	    (*dist * (u128)scale == P && (M & 1) == 0);
}

/* 10^k, k = 0 to 22, for format_exact(). */
#define P10(k) ((u128)10000000000000000000ULL * k)
static const u128 pow10_u128[23] = {
	1ULL, 10ULL, 100ULL, 1000ULL, 10000ULL, 100000ULL, 1000000ULL,
	10000000ULL, 100000000ULL, 1000000000ULL, 10000000000ULL,
	100000000000ULL, 1000000000000ULL, 10000000000000ULL,
	100000000000000ULL, 1000000000000000ULL, 10000000000000000ULL,
	100000000000000000ULL, 1000000000000000000ULL,
	10000000000000000000ULL, P10(10), P10(100), P10(1000)
};
#undef P10

/*
 * Whether a decimal of 'k' fraction digits reads back as a = M 2^-F:
 * the nearer of m = M 10^k / 2^F rounded down or up that does (the even
 * one of two as near, as printf), in '*out'.
 */
static int
fits(uint64_t M, int F, int k, u128 *out)
{
	u128 P = pow10_u128[k], X = (u128)M * P, lo = X >> F, d_lo, d_hi;
	int ok_lo = reads_back(lo, X, P, F, M, &d_lo);
	int ok_hi = reads_back(lo + 1, X, P, F, M, &d_hi);

	if (!ok_lo && !ok_hi)
		return 0;
	*out = ok_lo && (!ok_hi || d_lo < d_hi ||
	    (d_lo == d_hi && (lo & 1) == 0)) ? lo : lo + 1;
	return 1;
}

/* 10^(k - 6), k = 0 to 23, for int_digits(). */
static const double pow10_from_e6[24] = {
	1e-6, 1e-5, 1e-4, 1e-3, 1e-2, 1e-1, 1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6,
	1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17
};

/*
 * floor(log10(a)) + 1 for a = M 2^(E - 1075) in [1e-5, 2^53): the digits
 * before the point (a >= 1), or minus the zeros after it.  log10 of the
 * power of two below 'a' (78913 / 2^18 is about log10(2)) is t or a
 * little more, so the answer is t + 1 or t + 2.  Only the speed of
 * format_exact() depends on it.
 */
static int
int_digits(double a, int E)
{
	int t = (E - 1023) * 78913 / 262144 - (E < 1023);

	return t + 1 + (a >= pow10_from_e6[t + 7]);
}

/*
 * The shortest fixed-point text of 'a' that reads back as it, for a
 * positive non-integer in [1e-5, 2^53): fewest fraction digits k, then
 * the nearest such decimal (the even one of two as near), as printf()
 * rounds.  All in exact integers: a = M 2^-F, and m is M 10^k / 2^F
 * rounded down or up.
 *
 * A decimal of k digits that reads back is one of k + 1 digits too, and
 * 17 significant digits always read back.  Computed values need 16 or
 * 17, so those are tried first, from 17 down, then the fewest found by
 * bisection; trying each k from 1 up made writing them most of the time
 * of a large answer.
 */
static size_t
format_exact(char *out, int neg, double a)
{
	uint64_t bits, M;
	int E, F, lo = 1, hi, d;
	u128 m;

	/* a = M 2^-F, M of 53 bits: a is normal in this range. */
	memcpy(&bits, &a, sizeof(bits));
	E = (int)(bits >> 52 & 0x7ff);
	M = (bits & ((1ULL << 52) - 1)) | 1ULL << 52;
	F = 1075 - E;	/* 1 <= F <= 70 in this range */
	d = int_digits(a, E);
	hi = 17 - d < 1 ? 1 : 17 - d > 22 ? 22 : 17 - d;
	if (!fits(M, F, hi, &m) && !fits(M, F, hi = 22, &m))
		return 0;
	/* 'm' is always that of 'hi', the fewest digits known to fit. */
	if (hi > lo && fits(M, F, hi - 1, &m))
		hi--;
	else
		lo = hi;
	if (hi > lo && fits(M, F, hi - 1, &m))
		hi--;
	else
		lo = hi;
	while (lo < hi) {
		int mid = lo + (hi - lo) / 2;
		if (fits(M, F, mid, &m))
			hi = mid;
		else
			lo = mid + 1;
	}
	return format_fixed(out, neg, (uint64_t)m, hi);
}

size_t
number_format(char *out, double v)
{
	double a;
	int k, prec;

	if (isnan(v))
		return (size_t)(memcpy(out, "NaN", 4), 3);
	if (isinf(v)) {
		memcpy(out, v < 0 ? "-Inf" : "+Inf", 5);
		return 4;
	}
	a = fabs(v);
	if (a < (double)TWO53 && a == floor(a)) {
		size_t n = 0;
		if (signbit(v))
			out[n++] = '-';
		return n + format_u64(out + n, (uint64_t)a);
	}

	/*
	 * Most metric values are short decimals.  Find the fewest fraction
	 * digits k for which the integer m = round(v * 10^k) divided back by
	 * 10^k gives v exactly: that division is correctly rounded, like
	 * strtod() on the printed text, so the text reads back as v.  Up to
	 * six digits: past them a value is more likely computed, with all
	 * its digits, and a division a digit cost more than the bisection
	 * below.  Such a decimal below 1e8 is a whole number of millionths
	 * but for the product's rounding (under 0.03): a computed value,
	 * mostly not, skips the loop.
	 */
	if (a >= 1e-5 && a < 1e15 && (a >= 1e8 ||
	    fabs(a * 1e6 - nearbyint(a * 1e6)) < 0.25)) {
		for (k = 1; k <= 6; k++) {
			double m = nearbyint(a * pow10_exact[k]);
			if (m >= (double)TWO53)
				break;
			if (m / pow10_exact[k] == a)
				return format_fixed(out, signbit(v) != 0,
				    (uint64_t)m, k);
		}
	}
	/* Computed values, with all their digits: the same, exactly. */
	if (a >= 1e-5 && a < (double)TWO53) {
		size_t n = format_exact(out, signbit(v) != 0, a);
		if (n > 0)
			return n;
	}

	/*
	 * Otherwise the shortest of %.15g, %.16g, %.17g that reads back.  A
	 * normal double has 53 bits, more than 15 digits can tell apart, so
	 * a text of 15 digits or fewer that reads back is %.15g with its
	 * zeros cut.  A subnormal has fewer bits (5e-324 has one): from one
	 * digit up for those.
	 */
	for (prec = a < DBL_MIN ? 1 : 15; prec < 17; prec++) {
		snprintf(out, NUMBER_BUFSZ, "%.*g", prec, v);
		if (strtod(out, NULL) == v)
			break;
	}
	if (prec == 17)
		snprintf(out, NUMBER_BUFSZ, "%.17g", v);
	return strlen(out);
}

int
number_parse_text(const char *s, size_t len, double *out)
{
	char tmp[64], *end;

	if (len == 0 || len >= sizeof(tmp))
		return -1;
	memcpy(tmp, s, len);
	tmp[len] = '\0';
	errno = 0;
	*out = strtod(tmp, &end);
	if (end != tmp + len)
		return -1;
	return errno == ERANGE ? 1 : 0;
}
