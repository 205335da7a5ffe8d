/* t_auth.c - bearer tokens of a file, tenants, token buckets */
/* SPDX-License-Identifier: MIT */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net/auth.h"
#include "tap.h"

#define TA "aaaaaaaaaaaaaaaa"		/* 16 bytes: the shortest token */
#define TB "bbbbbbbbbbbbbbbbbbbbbb"
#define TC "cccccccccccccccccccc"

/* A file's text and the message it gives, or NULL when it loads. */
static const struct {
	const char *text, *err;
} files[] = {
	{ "# tenants\n\nteam-a " TA "\n  team-b\t" TB " rate=10/s burst=50\r\n"
	  "team-a " TC " rate=99\n", NULL },
	{ "", "f: no token" },
	{ "# only a comment\n", "f: no token" },
	{ "team-a\n", "f:1: a tenant without a token" },
	{ "team-a short\n", "f:1: a token is 16 to 256 bytes, this one 5" },
	{ "team-a " TA "\nteam-b " TA "\n", "f:2: this token is given twice" },
	{ "team-a " TA " rate=0\n", "f:1: 'rate=0': not a positive number" },
	{ "team-a " TA " speed=1\n", "f:1: 'speed=1': rate=N or burst=N" },
	{ "team-a " TA " rate=1 burst=2 x\n",
	  "f:1: more than TENANT TOKEN rate=N burst=N" },
	{ "te\"am " TA "\n", "f:1: 'te\"am': not a tenant name (printable, no "
	  "quotes, at most 128 bytes)" },
	{ "team-a aaaaaaaaaaaaaaa\x01\n", "f:1: a token is printable ASCII" },
};

static void
test_files(void)
{
	size_t i;

	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		struct errbuf eb = ERRBUF_INIT;
		struct auth *a = auth_parse(files[i].text,
		    strlen(files[i].text), "f", &eb);
		if (files[i].err) {
			ok(a == NULL, "file %zu refused", i);
			is_str(eb.msg, files[i].err, "file %zu: its message", i);
		} else {
			ok(a != NULL, "file %zu loads: %s", i, eb.msg);
		}
		auth_free(a);
	}
}

static void
test_check(void)
{
	struct errbuf eb = ERRBUF_INIT;
	struct auth *a = auth_parse(files[0].text, strlen(files[0].text), "f",
	    &eb);

	is_int(auth_ntenants(a), 2, "two tenants, one with two tokens");
	is_str(auth_tenant(a, 0)->name, "team-a", "the first tenant");
	ok(auth_tenant(a, 0)->rate == 0, "team-a: its first line gives no rate");
	ok(auth_tenant(a, 1)->rate == 10 && auth_tenant(a, 1)->burst == 50,
	    "team-b: rate 10, burst 50");
	is_int(auth_check(a, "Bearer " TA), 0, "a token of team-a");
	is_int(auth_check(a, "Bearer " TC), 0, "its second token");
	is_int(auth_check(a, "bearer  " TB " "), 1, "team-b, spaces aside");
	is_int(auth_check(a, NULL), -1, "no header");
	is_int(auth_check(a, "Basic " TA), -1, "not a bearer token");
	is_int(auth_check(a, "Bearer " TA "a"), -1, "a token and more");
	is_int(auth_check(a, "Bearer aaaaaaaaaaaaaaa"), -1, "a token's start");
	is_int(auth_check(a, "Bearer "), -1, "an empty token");
	auth_free(a);
}

static void
test_bucket(void)
{
	struct bucket b;
	double v;

	bucket_init(&b, 10, 20, 1000);
	is_int(bucket_wait(&b, 1000), 0, "full at first");
	bucket_take(&b, 25);		/* a batch past the level */
	is_int(bucket_wait(&b, 1000), 600, "-5: 0.6 s until a token");
	is_int(bucket_wait(&b, 1500), 100, "half a second later, 0.1 s");
	is_int(bucket_wait(&b, 1600), 0, "then one token");
	is_int(bucket_wait(&b, 999999), 0, "long after");
	bucket_take(&b, 20);
	is_int(bucket_wait(&b, 999999), 100, "refilled to the burst, no more");
	bucket_init(&b, 0, 0, 0);
	bucket_take(&b, 1e9);
	is_int(bucket_wait(&b, 0), 0, "rate 0: no limit");
	bucket_init(&b, 0.5, 0, 0);
	is_int(bucket_wait(&b, 0), 0, "a burst below one sample is one");
	bucket_take(&b, 1);
	is_int(bucket_wait(&b, 0), 2000, "then 2 s at 0.5/s");
	ok(auth_rate_parse("2.5/s", &v) == 0 && v == 2.5, "2.5/s");
	ok(auth_rate_parse("1e3", &v) == 0 && v == 1000, "1e3");
	ok(auth_rate_parse("-1", &v) == -1, "-1 refused");
	ok(auth_rate_parse("nan", &v) == -1, "nan refused");
	ok(auth_rate_parse("5/m", &v) == -1, "5/m refused");
}

int
main(void)
{
	test_files();
	test_check();
	test_bucket();
	return done_testing();
}
