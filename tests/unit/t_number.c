/* t_number.c - number_parse_json() and number_format() */
/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/number.h"
#include "tap.h"

static uint64_t rng = 0x9e3779b97f4a7c15ULL;

static uint64_t
rnd(void)
{
	return tap_xorshift(&rng);
}

static const char *
fmt(double v)
{
	static char out[NUMBER_BUFSZ];

	number_format(out, v);
	return out;
}

/* Significant digits of a decimal or exponent number in text. */
static int
sigdigits(const char *s)
{
	int n = 0, started = 0, trailing = 0;

	for (; *s && *s != 'e' && *s != 'E'; s++) {
		if (*s < '0' || *s > '9')
			continue;
		if (*s != '0' || started) {
			started = 1;
			n++;
			trailing = *s == '0' ? trailing + 1 : 0;
		}
	}
	return n - trailing;
}


/*
 * The length of the JSON number at the start of 's' by the RFC 8259
 * grammar, written the plain way; 0 if there is none.
 */
static int
json_number_len(const char *s)
{
	const char *p = s;

	if (*p == '-')
		p++;
	if (*p == '0')
		p++;
	else if (*p >= '1' && *p <= '9')
		while (*p >= '0' && *p <= '9')
			p++;
	else
		return 0;
	if (*p == '.') {
		if (p[1] < '0' || p[1] > '9')
			return 0;
		for (p++; *p >= '0' && *p <= '9'; p++)
			;
	}
	if (*p == 'e' || *p == 'E') {
		const char *e = p + 1;
		if (*e == '+' || *e == '-')
			e++;
		if (*e < '0' || *e > '9')
			return 0;
		while (*e >= '0' && *e <= '9')
			e++;
		p = e;
	}
	return (int)(p - s);
}

/* A run of 'n' random digits. */
static void
add_digits(char **p, int n, int zeros)
{
	while (n-- > 0)
		*(*p)++ = zeros && rnd() % 3 ? '0' : (char)('0' + rnd() % 10);
}

/*
 * Random number-like text, built to reach every branch of the parser:
 * few and many digits (around 8, 16 and 19, where the eight-at-a-time
 * path changes step or gives up), leading and trailing zeros, values
 * near 2^53, large and tiny exponents (overflow, subnormals, zero), -0,
 * and broken forms ("1.", "01", "-", "1e").
 */
static void
gen_number(char *buf)
{
	static const char *const near[] = {
		"9007199254740991", "9007199254740992", "9007199254740993",
		"9007199254740994", "9007199254740995", "18014398509481985",
		"4503599627370497.5", "900719925474099.3", "0.9007199254740993",
		"2.2250738585072011e-308", "2.2250738585072014e-308",
		"4.9406564584124654e-324", "2.4703282292062327e-324",
		"2.4703282292062328e-324", "1.7976931348623157e308",
		"1.7976931348623158e308", "1.7976931348623159e308", "-0", "-0.0",
		"0e0", "-0e-0", "1e22", "1e23", "9999999999999999999",
		"10000000000000000000", "18446744073709551615",
		"18446744073709551616", "0.0000000000000000000000001",
		"1.00000000000000000000000000001", "123456789.12345678",
	};
	char *p = buf;
	unsigned kind = (unsigned)(rnd() % 8);

	if (kind == 0) {
		strcpy(buf, near[rnd() % (sizeof(near) / sizeof(near[0]))]);
		p = buf + strlen(buf);
	} else {
		int ni = (int)(rnd() % 22), nf = (int)(rnd() % 22);
		if (rnd() % 3 == 0)
			*p++ = '-';
		if (rnd() % 6 == 0 || ni == 0) {
			*p++ = '0';
			if (rnd() % 8 == 0)
				add_digits(&p, 1 + (int)(rnd() % 20), 0); /* "01" */
		} else {
			*p++ = (char)('1' + rnd() % 9);
			add_digits(&p, ni - 1, kind == 1);
		}
		if (rnd() % 4 != 0) {
			*p++ = '.';
			add_digits(&p, rnd() % 16 ? nf : 0, kind == 2);
		}
		if (rnd() % 4 == 0) {
			*p++ = rnd() % 2 ? 'e' : 'E';
			if (rnd() % 2)
				*p++ = rnd() % 2 ? '-' : '+';
			p += sprintf(p, "%d", (int)(rnd() % (kind == 3 ? 400 : 30)));
			if (rnd() % 20 == 0)
				p[-1] = '\0';	/* "1e" */
		}
	}
	/* What follows: as in a record, or the end of the buffer. */
	switch (rnd() % 4) {
	case 0: strcpy(p, ",\"ts\":1767225600000}"); break;
	case 1: strcpy(p, "}"); break;
	case 2: *p = '\0'; break;
	default: strcpy(p, "123456789"); break;	/* digits of something else */
	}
}

/*
 * number_parse_json() against strtod(3) on random text: the same span,
 * the same double bit for bit (so the eight-at-a-time path is exactly
 * as correctly rounded as the general one), -1 where strtod overflows.
 * The text is copied to a heap buffer of exactly its length, so that
 * a read past it is caught under ASan.
 */
static int
differential(unsigned long rounds)
{
	char text[256], copy[256];
	unsigned long i;
	int bad = 0;

	for (i = 0; i < rounds; i++) {
		size_t len;
		int want_n, n, trunc;
		double want = 0, got = 0;
		char *heap;

		gen_number(text);
		len = strlen(text);
		/* Sometimes cut the buffer inside the number or just after. */
		trunc = rnd() % 5 == 0 && len > 0;
		if (trunc)
			len = (size_t)(rnd() % (len + 1));
		memcpy(copy, text, len);
		copy[len] = '\0';
		want_n = json_number_len(copy);
		if (want_n > 0) {
			char num[256];
			memcpy(num, copy, (size_t)want_n);
			num[want_n] = '\0';
			errno = 0;
			want = strtod(num, NULL);
			if (errno == ERANGE && isinf(want))
				want_n = -1;
		}
		heap = malloc(len ? len : 1);
		memcpy(heap, copy, len);
		n = number_parse_json(heap, len, &got);
		free(heap);
		if (n != want_n || (n > 0 && memcmp(&got, &want, sizeof(got)))) {
			if (bad++ < 5)
				printf("# '%s' (%zu bytes): %d %.17g, want %d %.17g\n",
				    copy, len, n, got, want_n, want);
		}
	}
	return bad;
}

int
main(void)
{
	static const struct {
		const char *in;
		int used;
		double want;
	} parse[] = {
		{ "0", 1, 0 }, { "-0", 2, -0.0 }, { "1.5e3,", 5, 1500 },
		{ "0.1}", 3, 0.1 }, { "123456789012345678901234", 24, 1.2345678901234568e23 },
		{ "1e-400", 6, 0 }, { "4.9e-324", 8, 4.9e-324 },
		{ "01", 1, 0 }, { "1.", 0, 0 }, { ".5", 0, 0 }, { "-", 0, 0 },
		{ "1e", 0, 0 }, { "+1", 0, 0 }, { "1e309", -1, 0 },
		{ "9007199254740993", 16, 9007199254740992.0 },
		{ "0.30000000000000004", 19, 0.30000000000000004 },
	};
	static const struct {
		double v;
		const char *want;
	} format[] = {
		{ 0, "0" }, { -0.0, "-0" }, { 1, "1" }, { 0.42, "0.42" },
		{ 0.1 + 0.2, "0.30000000000000004" }, { 1e21, "1e+21" },
		{ 1.5e-7, "1.5e-07" }, { 123.456, "123.456" }, { -2.5, "-2.5" },
		{ 9007199254740992.0, "9007199254740992" },
		{ 1732233600000, "1732233600000" }, { NAN, "NaN" },
		{ INFINITY, "+Inf" }, { -INFINITY, "-Inf" }, { 1e-5, "0.00001" },
		{ 0.1234567, "0.1234567" }, { 1234.5678901, "1234.5678901" },
		{ 0.000012345678901234, "0.000012345678901234" },
		{ 4503599627370495.5, "4503599627370495.5" },
		{ 5e-324, "5e-324" }, { -1e-310, "-1e-310" },
		{ 2.225073858507201e-308, "2.225073858507201e-308" },
		{ 1.7976931348623157e308, "1.7976931348623157e+308" },
	};
	size_t i;
	int bad = 0, longer = 0, n;

	for (i = 0; i < sizeof(parse) / sizeof(parse[0]); i++) {
		double d = 42;
		n = number_parse_json(parse[i].in, strlen(parse[i].in), &d);
		ok(n == parse[i].used && (n <= 0 ||
		    memcmp(&d, &parse[i].want, sizeof(d)) == 0),
		    "parse '%s': %d bytes, %.17g", parse[i].in, n, d);
	}
	for (i = 0; i < sizeof(format) / sizeof(format[0]); i++)
		is_str(fmt(format[i].v), format[i].want, "format %.17g",
		    format[i].v);

	/* Any finite double: the text is JSON and reads back bit for bit. */
	for (i = 0; i < 1000000; i++) {
		uint64_t bits = rnd();
		double v, back;
		memcpy(&v, &bits, sizeof(v));
		if (!isfinite(v))
			continue;
		const char *s = fmt(v);
		if (number_parse_json(s, strlen(s), &back) != (int)strlen(s) ||
		    memcmp(&v, &back, sizeof(v)) != 0) {
			if (bad++ < 5)
				printf("# %.17g -> %s\n", v, s);
		}
	}
	is_int(bad, 0, "a million random doubles read back exactly");

	/*
	 * Decimal-looking values, as metrics mostly are: the text has no
	 * more significant digits than the decimal they came from.
	 */
	bad = 0;
	for (i = 0; i < 1000000; i++) {
		char src[64];
		double v, back;
		int k = (int)(rnd() % 10);
		long long m = (long long)(rnd() % 1000000000000ULL);
		snprintf(src, sizeof(src), "%lld.%0*lld", m / 1000, 3, m % 1000);
		if (k > 5)
			snprintf(src, sizeof(src), "%lld", m);
		v = strtod(src, NULL);
		const char *s = fmt(v);
		if (number_parse_json(s, strlen(s), &back) != (int)strlen(s) ||
		    back != v)
			bad++;
		if (sigdigits(s) > sigdigits(src) && longer++ < 5)
			printf("# %s -> %s\n", src, s);
	}
	is_int(bad, 0, "decimal values read back exactly");
	is_int(longer, 0, "decimal values are written as short as they came");

	is_int(differential(1000000), 0,
	    "a million random numbers parse as strtod(3) parses them");

	/*
	 * Computed values, all their digits random, from 1e-5 to 2^53: the
	 * digits are those of the shortest "%.*e" that reads back, which
	 * printf rounds correctly, so also the nearest of that length.
	 */
	bad = 0;
	for (i = 0; i < 300000; i++) {
		char ref[64], got[64], *q;
		const char *p;
		double v = ldexp(1 + (double)(rnd() >> 12) * 0x1p-52,
		    (int)(rnd() % 70) - 17);
		int prec;
		if (v < 1e-5 || v >= 0x1p53 || v == floor(v))
			continue;
		for (prec = 0; prec < 17; prec++) {
			snprintf(ref, sizeof(ref), "%.*e", prec, v);
			if (strtod(ref, NULL) == v)
				break;
		}
		*strchr(ref, 'e') = '\0';
		for (p = ref, q = ref; *p; p++)
			if (*p != '.')
				*q++ = *p;
		*q = '\0';
		for (p = fmt(v), q = got; *p; p++)
			if (*p != '.' && (*p != '0' || q > got))
				*q++ = *p;
		*q = '\0';
		if (strcmp(ref, got) != 0 && bad++ < 5)
			printf("# %.17g: %s, want the digits %s\n", v, fmt(v), ref);
	}
	is_int(bad, 0, "computed values: the shortest digits, the nearest");

	/*
	 * Any finite double, subnormals and the largest included: as few
	 * significant digits as the shortest "%.*e" that reads back.
	 */
	bad = 0;
	for (i = 0; i < 300000; i++) {
		char ref[64];
		uint64_t bits = rnd();
		double v;
		int prec;
		if (i % 3 == 0)
			bits &= 0x800fffffffffffffULL >> (rnd() % 52);	/* subnormal */
		memcpy(&v, &bits, sizeof(v));
		if (!isfinite(v))
			continue;
		for (prec = 0; prec < 17; prec++) {
			snprintf(ref, sizeof(ref), "%.*e", prec, v);
			if (strtod(ref, NULL) == v)
				break;
		}
		if (sigdigits(fmt(v)) > prec + 1 && bad++ < 5)
			printf("# %.17g: %s, but %s reads back\n", v, fmt(v), ref);
	}
	is_int(bad, 0, "every double: the fewest digits that read back");

	{
		char out[NUMBER_BUFSZ];
		number_format_i64(out, INT64_MIN);
		is_str(out, "-9223372036854775808", "INT64_MIN");
		number_format_i64(out, 0);
		is_str(out, "0", "zero");
	}
	return done_testing();
}
