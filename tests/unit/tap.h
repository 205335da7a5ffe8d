/* tap.h - a tiny TAP producer for the unit tests */
/* SPDX-License-Identifier: MIT */
#ifndef MTK_TAP_H
#define MTK_TAP_H

/*
 * Header-only on purpose: each unit test is one program, and these are
 * its only globals.  ok() prints "ok N - name" or "not ok N - name" (with
 * the file and line of a failure as a comment); done_testing() prints the
 * plan and returns the exit status for main().
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

static int tap_n, tap_failed;

static int tap_ok(int cond, const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int
tap_ok(int cond, const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	printf("%sok %d - ", cond ? "" : "not ", ++tap_n);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	if (!cond) {
		tap_failed++;
		printf("#   failed at %s:%d\n", file, line);
	}
	fflush(stdout);
	return cond;
}

#define ok(cond, ...) tap_ok(!!(cond), __FILE__, __LINE__, __VA_ARGS__)

/*
 * Deterministic test data: the next number of the xorshift64* sequence
 * in '*state', which each test seeds as it likes (not 0).
 */
static inline uint64_t
tap_xorshift(uint64_t *state)
{
	*state ^= *state >> 12;
	*state ^= *state << 25;
	*state ^= *state >> 27;
	return *state * 2685821657736338717ULL;
}

#define is_int(got, want, ...) do {					\
	long long got_ = (long long)(got), want_ = (long long)(want);	\
	if (!ok(got_ == want_, __VA_ARGS__))				\
		printf("#   got %lld, want %lld\n", got_, want_);	\
} while (0)

#define is_str(got, want, ...) do {					\
	const char *got_ = (got), *want_ = (want);			\
	if (!ok(got_ && want_ && strcmp(got_, want_) == 0, __VA_ARGS__)) \
		printf("#   got '%s'\n#  want '%s'\n", got_ ? got_ : "(null)", \
		    want_ ? want_ : "(null)");				\
} while (0)

static inline int
done_testing(void)
{
	printf("1..%d\n", tap_n);
	return tap_failed ? 1 : 0;
}

#endif
