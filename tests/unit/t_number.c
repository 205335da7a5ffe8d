/* t_number.c - number_parse_json() and number_format() */
/* SPDX-License-Identifier: MIT */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "number.h"
#include "tap.h"

static uint64_t rng = 0x9e3779b97f4a7c15ULL;

static uint64_t
rnd(void)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return rng * 2685821657736338717ULL;
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
		{ 5e-324, "4.94065645841247e-324" },
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

	{
		char out[NUMBER_BUFSZ];
		number_format_i64(out, INT64_MIN);
		is_str(out, "-9223372036854775808", "INT64_MIN");
		number_format_i64(out, 0);
		is_str(out, "0", "zero");
	}
	return done_testing();
}
