/* t_jsonl.c - the stream parsers: cases, and fast path == jansson path */
/* SPDX-License-Identifier: MIT */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "base/buf.h"
#include "stream/jsonl.h"
#include "stream/series.h"
#include "stream/utf8.h"
#include "tap.h"
#include "base/xalloc.h"

/* Parse 'line' and return its canonical form, or "error: <message>". */
static const char *
canon(struct jsonl_parser *ps, const char *line, struct buf *out)
{
	struct errbuf eb = ERRBUF_INIT;
	struct sample s;

	buf_reset(out);
	if (jsonl_parse(ps, line, strlen(line), &s, &eb) == -1) {
		buf_addf(out, "error: %s", eb.msg);
		return out->p;
	}
	if (!s.has_ts)
		s.ts = -1;
	jsonl_format(out, &s);
	out->p[--out->len] = '\0';	/* drop the newline */
	return out->p;
}

static void
test_cases(void)
{
	static const struct {
		const char *in, *want;
	} cases[] = {
		{ "{\"name\":\"node_load1\",\"type\":\"gauge\",\"value\":0.42,\"ts\":1732233600000,\"labels\":{\"host\":\"web1\"}}",
		  "{\"name\":\"node_load1\",\"type\":\"gauge\",\"value\":0.42,\"ts\":1732233600000,\"labels\":{\"host\":\"web1\"}}" },
		/* key order, whitespace, label order */
		{ " { \"labels\" : { \"b\" : \"2\" , \"a\" : \"1\" } , \"value\" : 1 , \"name\" : \"x\" } \r",
		  "{\"name\":\"x\",\"type\":\"gauge\",\"value\":1,\"ts\":-1,\"labels\":{\"a\":\"1\",\"b\":\"2\"}}" },
		{ "{\"name\":\"api.requests.total\",\"type\":\"counter\",\"value\":1e3,\"ts\":\"2026-11-22T10:00:00.5Z\"}",
		  "{\"name\":\"api.requests.total\",\"type\":\"counter\",\"value\":1000,\"ts\":1795341600500}" },
		{ "{\"name\":\"x\",\"value\":\"NaN\",\"ts\":\"2026-11-22T11:00:00+01:00\"}",
		  "{\"name\":\"x\",\"type\":\"gauge\",\"value\":\"NaN\",\"ts\":1795341600000}" },
		{ "{\"name\":\"x\",\"value\":\"-Inf\",\"ts\":0}",
		  "{\"name\":\"x\",\"type\":\"gauge\",\"value\":\"-Inf\",\"ts\":0}" },
		{ "{\"name\":\"x\",\"value\":-0,\"ts\":1.0e3}",
		  "{\"name\":\"x\",\"type\":\"gauge\",\"value\":-0,\"ts\":1000}" },
		{ "{\"name\":\"x\",\"value\":18446744073709551615,\"ts\":1}",
		  "{\"name\":\"x\",\"type\":\"gauge\",\"value\":1.8446744073709552e+19,\"ts\":1}" },
		{ "{\"name\":\"x\",\"value\":0.1,\"ts\":1,\"unit\":\"seconds\",\"help\":\"a \\\"b\\\"\",\"other\":[1,{\"a\":null}]}",
		  "{\"name\":\"x\",\"type\":\"gauge\",\"value\":0.1,\"ts\":1,\"unit\":\"seconds\",\"help\":\"a \\\"b\\\"\"}" },
		{ "{\"name\":\"caf\\u00e9\",\"value\":1,\"ts\":1,\"labels\":{\"l\":\"\\ud83d\\ude00\\n\\u0001\"}}",
		  "{\"name\":\"caf\xc3\xa9\",\"type\":\"gauge\",\"value\":1,\"ts\":1,\"labels\":{\"l\":\"\xf0\x9f\x98\x80\\n\\u0001\"}}" },
		{ "{\"name\":\"x\",\"value\":1.5e-7,\"ts\":1,\"labels\":{}}",
		  "{\"name\":\"x\",\"type\":\"gauge\",\"value\":1.5e-07,\"ts\":1}" },
		/* an empty label value is no label, on both paths */
		{ "{\"name\":\"x\",\"type\":\"gauge\",\"value\":1,\"ts\":1,\"labels\":{\"a\":\"\"}}",
		  "{\"name\":\"x\",\"type\":\"gauge\",\"value\":1,\"ts\":1}" },
		{ "{\"name\":\"x\",\"type\":\"gauge\",\"value\":1,\"ts\":1,\"labels\":{\"a\":\"\",\"b\":\"2\",\"c\":\"\"}}",
		  "{\"name\":\"x\",\"type\":\"gauge\",\"value\":1,\"ts\":1,\"labels\":{\"b\":\"2\"}}" },
		{ "{\"value\":1,\"name\":\"x\",\"labels\":{\"c\":\"3\",\"b\":\"\",\"a\":\"1\"}}",
		  "{\"name\":\"x\",\"type\":\"gauge\",\"value\":1,\"ts\":-1,\"labels\":{\"a\":\"1\",\"c\":\"3\"}}" },
		/* ... but its name must still be valid, and not repeated */
		{ "{\"name\":\"x\",\"value\":1,\"labels\":{\"__a\":\"\"}}", "error: reserved label name '__a'" },
		{ "{\"name\":\"x\",\"value\":1,\"labels\":{\"a\":\"\",\"a\":\"1\"}}",
		  "error: member 'a' appears twice (column 42)" },
		/* errors */
		{ "{\"name\":\"x\"}", "error: missing member 'value'" },
		{ "{\"value\":1}", "error: missing member 'name' (a query result without one: give it with mquery --name)" },
		{ "{\"name\":\"\",\"value\":1}", "error: empty metric name" },
		{ "{\"name\":\"a\\tb\",\"value\":1}", "error: control character in metric name" },
		{ "{\"name\":\"x\",\"value\":true}", "error: member 'value' is not a number, \"NaN\", \"+Inf\" or \"-Inf\"" },
		{ "{\"name\":\"x\",\"value\":\"inf\"}", "error: member 'value' is not a number, \"NaN\", \"+Inf\" or \"-Inf\"" },
		{ "{\"name\":\"x\",\"value\":1,\"type\":\"summary\"}", "error: unknown type 'summary'" },
		{ "{\"name\":\"x\",\"value\":1,\"ts\":1.5}", "error: member 'ts' is not a whole number of milliseconds in years 1 to 9999" },
		{ "{\"name\":\"x\",\"value\":1,\"ts\":\"yesterday\"}", "error: member 'ts' is not an RFC 3339 date-time: 'yesterday'" },
		{ "{\"name\":\"x\",\"value\":1,\"labels\":{\"__a\":\"1\"}}", "error: reserved label name '__a'" },
		{ "{\"name\":\"x\",\"value\":1,\"labels\":{\"1a\":\"1\"}}", "error: invalid label name '1a'" },
		{ "{\"name\":\"x\",\"value\":1,\"labels\":{\"a\":1}}", "error: label 'a' is not a string" },
		{ "{\"name\":\"x\",\"value\":1,\"labels\":[]}", "error: member 'labels' is not an object" },
		{ "[1]", "error: record is not a JSON object" },
		{ "{\"name\":\"x\",\"name\":\"y\",\"value\":1}", "error: member 'name' appears twice (column 18)" },
		{ "{\"name\":\"x\",\"value\":1e400}", "error: number '1e400' is out of range (column 25)" },
		{ "{\"name\":\"x\",\"value\":1", "error: invalid JSON: '}' expected, but the line ends (column 21)" },
		/* jansson's words for files and flags stay out of the messages */
		{ "{\"name\":\"x\",\"value\":", "error: invalid JSON: the line ends inside the record (column 20)" },
		{ "{\"name\":\"x", "error: invalid JSON: the line ends inside the record (column 10)" },
		{ "", "error: invalid JSON: '{' expected, but the line ends (column 0)" },
		{ "x", "error: invalid JSON: '{' expected near 'x' (column 1)" },
		{ "{\"name\":\"x\",\"value\":1} {}", "error: invalid JSON: '{' after the end of the record (column 24)" },
		{ "{\"name\":\"x\\u0000\",\"value\":1}", "error: \\u0000 in a string, which the stream refuses (column 17)" },
		{ "{\"name\":\"x\",\"value\":1,\"labels\":{\"a\\u0000\":\"1\"}}", "error: \\u0000 in a string, which the stream refuses (column 41)" },
		{ "{\"name\":\"x\xc3\xa9\xff\",\"value\":1}", "error: not valid UTF-8: byte 0xff (column 12)" },
		/* what a message quotes from the line stays one line of text */
		{ "{\"name\":\"x\",\"value\":1,\"type\":\"a\\nb\"}", "error: unknown type 'a\\nb'" },
		{ "{\"name\":\"x\",\"value\":1,\"ts\":\"\\u001b[31m\"}", "error: member 'ts' is not an RFC 3339 date-time: '\\x1b[31m'" },
		{ "{\"name\":\"x\",\"value\":1,\"labels\":{\"a\\rb\":\"1\"}}", "error: invalid label name 'a\\rb'" },
		{ "{\"name\":\"x\",\"value\":1,\"labels\":{\"a\\tb\":1}}", "error: label 'a\\tb' is not a string" },
		{ "{\"name\":\"x\",\"value\":1} \x01", "error: invalid JSON: '\\x01' after the end of the record (column 24)" },
		{ "{\"name\":\"x\",\"value\":1,\"type\":\"0123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890\"}",
		  "error: unknown type '0123456789012345678901234567890123456789012345678901234567890123456789012345...'" },
	};
	struct jsonl_parser *fast = jsonl_parser_new(0);
	struct jsonl_parser *slow = jsonl_parser_new(JSONL_SLOW_ONLY);
	struct buf a = BUF_INIT, b = BUF_INIT;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		is_str(canon(fast, cases[i].in, &a), cases[i].want,
		    "case %zu: %.40s", i, cases[i].in);
		is_str(canon(slow, cases[i].in, &b), cases[i].want,
		    "case %zu (jansson): %.40s", i, cases[i].in);
	}
	buf_release(&a);
	buf_release(&b);
	jsonl_parser_free(fast);
	jsonl_parser_free(slow);
}

static void
test_limits(void)
{
	struct jsonl_parser *ps = jsonl_parser_new(0);
	struct buf line = BUF_INIT, out = BUF_INIT;
	int i;

	buf_adds(&line, "{\"name\":\"");
	for (i = 0; i < 256; i++)
		buf_addch(&line, 'n');
	buf_adds(&line, "\",\"value\":1}");
	is_str(canon(ps, line.p, &out), "error: metric name longer than 255 bytes",
	    "name of 256 bytes refused");

	buf_reset(&line);
	buf_adds(&line, "{\"name\":\"x\",\"value\":1,\"labels\":{");
	for (i = 0; i < 65; i++)
		buf_addf(&line, "%s\"l%d\":\"v\"", i ? "," : "", i);
	buf_adds(&line, "}}");
	is_str(canon(ps, line.p, &out), "error: more than 64 labels",
	    "65 labels refused");

	buf_reset(&line);
	buf_adds(&line, "{\"name\":\"x\",\"value\":1,\"ts\":1,\"labels\":{\"l\":\"");
	for (i = 0; i < 4096; i++)
		buf_addch(&line, 'v');
	buf_adds(&line, "\"}}");
	ok(strncmp(canon(ps, line.p, &out), "{\"name\"", 7) == 0,
	    "label value of 4096 bytes accepted");
	line.len -= 3;
	buf_adds(&line, "v\"}}");
	is_str(canon(ps, line.p, &out),
	    "error: value of label 'l' longer than 4096 bytes",
	    "label value of 4097 bytes refused");
	buf_release(&line);
	buf_release(&out);
	jsonl_parser_free(ps);
}

/*
 * The differential test.  Lines come from a generator that covers the
 * stream grammar (and wanders outside it), then get mutated; every line
 * is parsed by both parsers, which must agree on acceptance, on every
 * field (values bit for bit) and on the message.
 */
static uint64_t rng_state;

static uint64_t
rnd(void)
{
	/* Deterministic, so a failure can be replayed. */
	return tap_xorshift(&rng_state);
}

static unsigned
pick(unsigned n)
{
	return (unsigned)(rnd() % n);
}

static void
ws(struct buf *b)
{
	static const char *const spaces[] = { "", "", "", " ", "\t", "\r\n ", "  " };

	if (pick(4) == 0)
		buf_adds(b, spaces[pick(7)]);
}

static void
gen_string(struct buf *b, int key_like)
{
	static const char *const pieces[] = {
		"a", "node_load1", "x", "_", "web1", "cpu0", "idle", "0", "9",
		"\\\"", "\\\\", "\\/", "\\n", "\\t", "\\b", "\\f", "\\r",
		"\\u00e9", "\\u20AC", "\\ud83d\\ude00", "\\u0041", "\\u001f",
		"\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x98\x80", " ", ".", ":",
		"\\u0000", "\\ud800", "\\udc00x", "\xc0\xaf", "\xed\xa0\x80",
		"\xff", "\x01", "\\x", "\\u12", "__", "\xf4\x90\x80\x80",
	};
	unsigned n = 1 + pick(key_like ? 3 : 6), i;

	buf_addch(b, '"');
	for (i = 0; i < n; i++) {
		unsigned k = pick(key_like ? 9 : sizeof(pieces) / sizeof(pieces[0]));
		/* Rare bad pieces, so most lines stay valid. */
		if (k >= 28 && pick(30) != 0)
			k = pick(9);
		buf_adds(b, pieces[k]);
	}
	buf_addch(b, '"');
}

static void
gen_number(struct buf *b)
{
	static const char *const fixed[] = {
		"0", "-0", "1", "-1", "0.1", "0.2", "0.30000000000000004",
		"1e3", "1E3", "1e+3", "1e-3", "-1.5e-7", "123456789012345678901234",
		"9007199254740993", "1.7976931348623157e308", "1e308", "1e309",
		"4.9e-324", "1e-400", "2.2250738585072014e-308", "0.000001",
		"3.14159265358979323846264338327950288", "01", "1.", ".5", "-",
		"1e", "+1", "0x10", "1732233600000", "1732233600000.0",
		"1.732233600000e12", "100000000000000000000000", "18446744073709551616",
	};

	/* One call per statement: argument order is unspecified in C. */
	unsigned kind = pick(4), a = pick(64), c = pick(17), e = pick(200);
	uint64_t r = rnd();

	switch (kind) {
	case 0:
		buf_adds(b, fixed[a % (sizeof(fixed) / sizeof(fixed[0]))]);
		break;
	case 1:
		buf_addf(b, "%lld", (long long)(r >> (1 + a % 63)) * (e % 2 ? 1 : -1));
		break;
	case 2:
		buf_addf(b, "%.*f", (int)(c % 12), (double)(r % 1000000) / 1000.0);
		break;
	default:
		buf_addf(b, "%.*g", 1 + (int)c, ldexp((double)(r >> 11), (int)e - 120));
		break;
	}
}

static void
gen_ts(struct buf *b)
{
	static const char *const strs[] = {
		"\"2026-11-22T10:00:00Z\"", "\"2026-11-22T10:00:00.5Z\"",
		"\"2026-11-22t10:00:00.123456789z\"", "\"2026-11-22 10:00:00+05:30\"",
		"\"2026-11-22T10:00:00-00:00\"", "\"2024-02-29T23:59:60Z\"",
		"\"2023-02-29T00:00:00Z\"", "\"2026-13-01T00:00:00Z\"",
		"\"0001-01-01T00:00:00Z\"", "\"9999-12-31T23:59:59.999Z\"",
		"\"2026-11-22T10:00Z\"", "\"now\"", "null", "true",
	};

	if (pick(4) == 0)
		buf_adds(b, strs[pick(sizeof(strs) / sizeof(strs[0]))]);
	else if (pick(4) != 0)
		buf_addf(b, "%lld", 1700000000000LL + (long long)pick(100000000));
	else
		gen_number(b);
}

static void
gen_line(struct buf *b)
{
	static const char *const types[] = {
		"\"gauge\"", "\"counter\"", "\"histogram\"", "\"summary\"",
		"\"Gauge\"", "1",
	};
	const char *keys[10];
	unsigned nkeys = 0, i, j;

	/*
	 * Mostly valid records: name and value, some of the optional keys,
	 * now and then an unknown or repeated key or a missing one.
	 */
	if (pick(20) != 0)
		keys[nkeys++] = "name";
	if (pick(20) != 0)
		keys[nkeys++] = "value";
	if (pick(3) != 0)
		keys[nkeys++] = "ts";
	if (pick(2) == 0)
		keys[nkeys++] = "type";
	if (pick(3) != 0)
		keys[nkeys++] = "labels";
	if (pick(8) == 0)
		keys[nkeys++] = "unit";
	if (pick(8) == 0)
		keys[nkeys++] = "help";
	if (pick(6) == 0)
		keys[nkeys++] = "other";
	if (pick(20) == 0)
		keys[nkeys++] = pick(2) ? "name" : "ts";
	for (i = 0; i + 1 < nkeys; i++) {
		const char *t;
		j = i + pick(nkeys - i);
		t = keys[i];
		keys[i] = keys[j];
		keys[j] = t;
	}
	ws(b);
	buf_addch(b, '{');
	for (i = 0; i < nkeys; i++) {
		const char *k = keys[i];
		ws(b);
		if (i > 0) {
			buf_addch(b, ',');
			ws(b);
		}
		buf_addf(b, "\"%s\"", k);
		ws(b);
		buf_addch(b, ':');
		ws(b);
		if (strcmp(k, "name") == 0) {
			gen_string(b, pick(4) != 0);
		} else if (strcmp(k, "unit") == 0 || strcmp(k, "help") == 0) {
			gen_string(b, 0);
		} else if (strcmp(k, "value") == 0) {
			if (pick(8) == 0)
				buf_adds(b, (const char *[]){ "\"NaN\"", "\"+Inf\"",
				    "\"-Inf\"", "\"Inf\"", "null" }[pick(5)]);
			else
				gen_number(b);
		} else if (strcmp(k, "ts") == 0) {
			gen_ts(b);
		} else if (strcmp(k, "type") == 0) {
			buf_adds(b, types[pick(8) ? pick(3) :
			    pick(sizeof(types) / sizeof(types[0]))]);
		} else if (strcmp(k, "labels") == 0) {
			unsigned nl = pick(5), l;
			buf_addch(b, '{');
			for (l = 0; l < nl; l++) {
				ws(b);
				if (l > 0)
					buf_addch(b, ',');
				if (pick(10) == 0) {
					gen_string(b, 1);
				} else {
					/* Usually a valid, distinct name. */
					static const char *const ln[] = { "host",
					    "cpu", "mode", "device", "job", "le" };
					buf_addf(b, "\"%s\"", ln[(l + pick(2)) % 6]);
				}
				ws(b);
				buf_addch(b, ':');
				ws(b);
				if (pick(30) == 0)
					gen_number(b);
				else if (pick(12) == 0)
					buf_adds(b, "\"\"");	/* no label */
				else
					gen_string(b, 0);
			}
			ws(b);
			buf_addch(b, '}');
		} else {
			buf_adds(b, (const char *[]){ "null", "[1,2]", "{\"a\":{}}",
			    "\"s\"", "3" }[pick(5)]);
		}
	}
	ws(b);
	buf_addch(b, '}');
	ws(b);
}

static void
mutate(struct buf *b)
{
	static const char junk[] = "{}[]\",:\\ 0123456789eE.+-aunlt\x80\xff\t";
	unsigned n = 1 + pick(3);

	while (n-- > 0 && b->len > 0) {
		size_t at = pick((unsigned)b->len);
		switch (pick(4)) {
		case 0:		/* replace a byte */
			b->p[at] = junk[pick(sizeof(junk) - 1)];
			break;
		case 1:		/* delete a byte */
			memmove(b->p + at, b->p + at + 1, b->len - at - 1);
			b->len--;
			break;
		case 2:		/* truncate */
			b->len = at;
			break;
		default:	/* insert a byte */
			buf_addch(b, ' ');
			memmove(b->p + at + 1, b->p + at, b->len - at - 1);
			b->p[at] = junk[pick(sizeof(junk) - 1)];
			break;
		}
		b->p[b->len] = '\0';
	}
}

/* Whether both parsers' results for 'line' are the same. */
static int
same(struct jsonl_parser *f, struct jsonl_parser *s, const struct buf *line,
    int *accepted, unsigned long *keyed)
{
	struct errbuf ef = ERRBUF_INIT, es = ERRBUF_INIT;
	struct sample a, b;
	struct buf fa = BUF_INIT, fb = BUF_INIT;
	int ra, rb, eq;

	ra = jsonl_parse(f, line->p, line->len, &a, &ef);
	rb = jsonl_parse(s, line->p, line->len, &b, &es);
	*accepted = ra == 0;
	if (ra != rb)
		return 0;
	if (ra == -1)
		return strcmp(ef.msg, es.msg) == 0;
	jsonl_format(&fa, &a);
	jsonl_format(&fb, &b);
	eq = strcmp(fa.p, fb.p) == 0 && a.has_ts == b.has_ts &&
	    memcmp(&a.value, &b.value, sizeof(double)) == 0;
	if (eq && a.key) {
		/* A key the parser hands out is the sample's key exactly. */
		buf_reset(&fa);
		series_key(&fa, &a);
		eq = fa.len == a.key_len && memcmp(fa.p, a.key, fa.len) == 0 &&
		    (a.key_hash == 0 || a.key_hash == series_hash(a.key, a.key_len));
		*keyed += 1;
	}
	buf_release(&fa);
	buf_release(&fb);
	return eq;
}

static void
test_differential(void)
{
	struct jsonl_parser *f = jsonl_parser_new(0);
	struct jsonl_parser *s = jsonl_parser_new(JSONL_SLOW_ONLY);
	struct buf line = BUF_INIT;
	const char *env = getenv("MTK_TEST_SEED");
	unsigned long n, rounds = 200000, bad = 0, accepted = 0, fast = 0;
	unsigned long keyed = 0;
	uint64_t seed = env ? strtoull(env, NULL, 0) : 0x6d746b2d6a736f6eULL;

	rng_state = seed ? seed : 1;
	for (n = 0; n < rounds; n++) {
		uint64_t slow_before = jsonl_parser_slow_count(f);
		int acc;

		buf_reset(&line);
		gen_line(&line);
		if (n % 2 == 1) {
			/*
			 * Every other line in canonical form, which has a
			 * path of its own: written from a parse of the
			 * generated line, then (sometimes) mutated.
			 */
			struct sample cs;
			struct errbuf ce;
			if (jsonl_parse(s, line.p, line.len, &cs, &ce) == 0) {
				struct buf cl = BUF_INIT;
				if (!cs.has_ts)
					cs.ts = 1700000000000LL;
				jsonl_format(&cl, &cs);
				cl.p[--cl.len] = '\0';
				buf_reset(&line);
				buf_add(&line, cl.p, cl.len);
				buf_release(&cl);
			}
		}
		if (n % 3 == 0)
			mutate(&line);
		if (!same(f, s, &line, &acc, &keyed)) {
			if (bad++ < 5)
				printf("# parsers differ on: %s\n", line.p);
		}
		accepted += acc;
		fast += acc && jsonl_parser_slow_count(f) == slow_before;
	}
	printf("# seed %#llx: %lu lines, %lu accepted, %lu by the fast path\n",
	    (unsigned long long)seed, rounds, accepted, fast);
	is_int(bad, 0, "fast path and jansson agree on %lu lines", rounds);
	ok(accepted > rounds / 10, "generator makes valid lines too (%lu)",
	    accepted);
	ok(fast > accepted * 6 / 10, "fast path takes most valid lines (%lu)",
	    fast);
	ok(keyed > 1000, "series keys handed out, and right (%lu)", keyed);
	buf_release(&line);
	jsonl_parser_free(f);
	jsonl_parser_free(s);
}

/*
 * Replace the value and "ts" of the canonical line 'in' with the texts
 * 'v' and 't', into 'out'.  Returns 0, or -1 if 'in' has no such members.
 */
static int
splice(struct buf *out, const char *in, const char *v, const char *t)
{
	const char *a = strstr(in, ",\"value\":"), *b = strstr(in, ",\"ts\":");
	const char *c;

	if (a == NULL || b == NULL || b < a)
		return -1;
	for (c = b + 6; *c == '-' || (*c >= '0' && *c <= '9'); c++)
		;
	buf_reset(out);
	buf_add(out, in, (size_t)(a - in) + 9);
	buf_adds(out, v);
	buf_adds(out, ",\"ts\":");
	buf_adds(out, t);
	buf_adds(out, c);
	return 0;
}

/*
 * Known lines: a parser that remembers the series it has seen gives for
 * every line what jansson gives.  The lines repeat a few hundred series, mostly in a fixed
 * order as streams do and sometimes at random, with random value and
 * "ts" texts (good and bad), now and then with one byte of the name or
 * the tail changed, or the type; many series have names or tails that
 * are prefixes of others'.  Then more series than the table has room
 * for, which must still parse right.
 */
static void
test_known(void)
{
	struct jsonl_parser *k = jsonl_parser_new(0);
	struct jsonl_parser *j = jsonl_parser_new(JSONL_SLOW_ONLY);
	struct buf line = BUF_INIT, v = BUF_INIT, t = BUF_INIT, cl = BUF_INIT;
	char **shapes = NULL;
	size_t nshapes = 0, cap = 0, at = 0;
	unsigned long n, bad = 0, accepted = 0, keyed = 0;
	uint64_t hits0;
	int acc;

	rng_state = 0x6b6e6f776e;
	/* Series shapes: canonical lines, as the generator makes them. */
	while (nshapes < 300) {
		struct sample cs;
		struct errbuf ce;
		buf_reset(&line);
		gen_line(&line);
		if (jsonl_parse(j, line.p, line.len, &cs, &ce) == -1)
			continue;
		cs.ts = 1700000000000LL;
		buf_reset(&cl);
		jsonl_format(&cl, &cs);
		cl.p[--cl.len] = '\0';
		shapes = xgrow(shapes, &cap, nshapes + 2, sizeof(*shapes));
		shapes[nshapes++] = xstrdup(cl.p);
		if (cs.nlabels > 0 && pick(3) == 0) {
			/* The same series without its last label: a shorter tail. */
			cs.nlabels--;
			buf_reset(&cl);
			jsonl_format(&cl, &cs);
			cl.p[--cl.len] = '\0';
			shapes[nshapes++] = xstrdup(cl.p);
		}
	}
	for (n = 0; n < 200000; n++) {
		const char *shape;
		char *p;

		at = pick(10) == 0 ? pick((unsigned)nshapes) : (at + 1) % nshapes;
		shape = shapes[at];
		buf_reset(&v);
		buf_reset(&t);
		if (pick(10) == 0)
			buf_adds(&v, (const char *[]){ "\"NaN\"", "\"+Inf\"",
			    "\"-Inf\"", "\"Inf\"", "null", "-0", "1e400",
			    "00", "1." }[pick(9)]);
		else
			gen_number(&v);
		if (pick(20) == 0)
			gen_ts(&t);
		else
			buf_addf(&t, "%lld", 1700000000000LL + (long long)pick(1000000));
		if (splice(&line, shape, v.p, t.p) == -1)
			continue;
		switch (pick(40)) {
		case 0:	/* a byte of the name */
			line.p[9 + pick(4)] ^= (char)(1 << pick(7));
			break;
		case 1:	/* a byte of the tail */
			line.p[line.len - 1 - pick(8)] ^= (char)(1 << pick(7));
			break;
		case 2:	/* another type */
			if ((p = strstr(line.p, "\"gauge\"")) != NULL)
				memcpy(p, "\"Gauge\"", 7);
			break;
		case 3:	/* cut the line */
			line.len -= pick((unsigned)line.len / 2);
			line.p[line.len] = '\0';
			break;
		}
		if (!same(k, j, &line, &acc, &keyed) && bad++ < 5)
			printf("# known lines and jansson differ on: %s\n", line.p);
		accepted += acc;
	}
	printf("# %lu lines of %zu series, %lu accepted, %llu known\n", n,
	    nshapes, accepted, (unsigned long long)jsonl_parser_known_count(k));
	is_int(bad, 0, "known lines parse as jansson parses them");
	ok(jsonl_parser_known_count(k) > accepted / 2,
	    "most accepted lines were known (%llu of %lu)",
	    (unsigned long long)jsonl_parser_known_count(k), accepted);

	/* More series than there is room for: the rest parse in full. */
	bad = 0;
	hits0 = jsonl_parser_known_count(k);
	for (n = 0; n < 60000; n++) {
		buf_reset(&line);
		buf_addf(&line, "{\"name\":\"series_%lu\",\"type\":\"gauge\","
		    "\"value\":%lu,\"ts\":1700000000000,\"labels\":{\"host\":"
		    "\"a-rather-long-host-name-%lu\",\"job\":\"node\"}}",
		    n % 30000, n, n % 30000);
		if (!same(k, j, &line, &acc, &keyed) && bad++ < 5)
			printf("# differ: %s\n", line.p);
	}
	is_int(bad, 0, "more series than the known lines hold parse right");
	ok(jsonl_parser_known_count(k) - hits0 < 30000,
	    "and not all of them were kept (%llu known)",
	    (unsigned long long)(jsonl_parser_known_count(k) - hits0));
	while (nshapes > 0)
		free(shapes[--nshapes]);
	free(shapes);
	buf_release(&line);
	buf_release(&v);
	buf_release(&t);
	buf_release(&cl);
	jsonl_parser_free(k);
	jsonl_parser_free(j);
}

/*
 * The key of a known line: kept by the parser, at one address per line
 * shape, which the store's writer remembers series by.
 */
static void
test_note(void)
{
	struct jsonl_parser *k = jsonl_parser_new(0);
	struct errbuf eb = ERRBUF_INIT;
	struct sample s;
	const char *first;
	const char *a1 = "{\"name\":\"up\",\"type\":\"gauge\",\"value\":1,"
	    "\"ts\":1,\"labels\":{\"job\":\"a\"}}";
	const char *a2 = "{\"name\":\"up\",\"type\":\"gauge\",\"value\":0.5,"
	    "\"ts\":2,\"labels\":{\"job\":\"a\"}}";
	const char *b = "{\"name\":\"up\",\"type\":\"gauge\",\"value\":1,"
	    "\"ts\":1,\"labels\":{\"job\":\"b\"}}";

	is_int(jsonl_parse(k, a1, strlen(a1), &s, &eb), 0, "known: a line");
	ok(s.key != NULL && s.key_hash == series_hash(s.key, s.key_len),
	    "a canonical line comes with a key and its hash");
	first = s.key;
	is_int(jsonl_parse(k, b, strlen(b), &s, &eb), 0, "known: another series");
	ok(s.key != first && s.key != NULL, "another series has its own key");
	is_int(jsonl_parse(k, a2, strlen(a2), &s, &eb), 0, "known: the first again");
	ok(s.key == first && s.value == 0.5 && s.ts == 2,
	    "the same series again: the same key, at the same address");
	{
		/* A known line with an empty label: dropped every time. */
		const char *e = "{\"name\":\"up\",\"type\":\"gauge\",\"value\":1,"
		    "\"ts\":1,\"labels\":{\"a\":\"\",\"job\":\"a\"}}";
		uint64_t hits = jsonl_parser_known_count(k);
		int i;
		for (i = 0; i < 2; i++) {
			is_int(jsonl_parse(k, e, strlen(e), &s, &eb), 0,
			    "known: an empty label, %s", i ? "known" : "new");
			ok(s.nlabels == 1 && strcmp(s.labels[0].name, "job") == 0 &&
			    s.key != NULL && s.key_len == 9 &&
			    memcmp(s.key, "up\0job\0a\0", 9) == 0,
			    "the empty label is not in the sample or its key");
		}
		is_int(jsonl_parser_known_count(k) - hits, 1,
		    "the second time from the known lines");
	}
	jsonl_parser_free(k);
	k = jsonl_parser_new(JSONL_NO_KNOWN);
	is_int(jsonl_parse(k, a1, strlen(a1), &s, &eb), 0, "known: none kept");
	ok(s.key == NULL || (s.key_len == 9 && memcmp(s.key, "up\0job\0a\0", 9) == 0),
	    "without known lines, a key given is still the sample's");
	jsonl_parser_free(k);
}

/* Write 'data' to a pipe and read it back with a reader. */
static void
test_reader(void)
{
	const char data[] =
	    "{\"name\":\"a\",\"value\":1,\"ts\":1}\n"
	    "\n"
	    "   \n"
	    "{\"name\":\"b\",\"value\":}\n"
	    "{\"name\":\"c\",\"value\":3}\n"
	    "{\"name\":\"d\",\"value\":4,\"ts\":4}";	/* no final newline */
	struct errbuf eb = ERRBUF_INIT;
	struct jsonl_reader *r;
	struct sample s;
	char path[] = "/tmp/t_jsonl.XXXXXX";
	int fd = mkstemp(path), rc;
	struct buf big = BUF_INIT;

	ok(fd >= 0 && write(fd, data, sizeof(data) - 1) == (ssize_t)sizeof(data) - 1,
	    "fixture written");
	r = jsonl_reader_open(path, 0, &eb);
	ok(r != NULL, "reader opened");
	rc = jsonl_next(r, &s, &eb);
	ok(rc == 1 && strcmp(s.name, "a") == 0 && s.ts == 1, "line 1 read");
	rc = jsonl_next(r, &s, &eb);
	is_int(rc, -1, "line 4 is bad");
	ok(strstr(eb.msg, ":4: invalid JSON: unexpected token near '}'") != NULL,
	    "message names file and line: %s", eb.msg);
	rc = jsonl_next(r, &s, &eb);
	ok(rc == 1 && strcmp(s.name, "c") == 0 && s.has_ts && s.ts > 1700000000000LL,
	    "line 5 read and stamped with the time it was read");
	is_int(jsonl_reader_lineno(r), 5, "blank lines counted");
	rc = jsonl_next(r, &s, &eb);
	ok(rc == 1 && strcmp(s.name, "d") == 0, "last line without newline read");
	is_int(jsonl_next(r, &s, &eb), 0, "then end of input");
	jsonl_reader_free(r);

	/* A line over the limit is reported once and skipped. */
	ok(ftruncate(fd, 0) == 0 && lseek(fd, 0, SEEK_SET) == 0, "truncated");
	buf_adds(&big, "{\"name\":\"a\",\"value\":1}\n{\"name\":\"");
	while (big.len < METRIC_LINE_MAX + 10)
		buf_adds(&big, "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx");
	buf_adds(&big, "\",\"value\":1}\n{\"name\":\"c\",\"value\":1}\n");
	ok(write(fd, big.p, big.len) == (ssize_t)big.len, "long line written");
	r = jsonl_reader_open(path, 0, &eb);
	is_int(jsonl_next(r, &s, &eb), 1, "line before the long one");
	is_int(jsonl_next(r, &s, &eb), -1, "long line refused");
	ok(strstr(eb.msg, ":2: line longer than 1048576 bytes") != NULL,
	    "message names line 2: %s", eb.msg);
	rc = jsonl_next(r, &s, &eb);
	ok(rc == 1 && strcmp(s.name, "c") == 0, "line after the long one read");
	is_int(jsonl_reader_lineno(r), 3, "line numbers still right");
	is_int(jsonl_next(r, &s, &eb), 0, "end");
	jsonl_reader_free(r);
	buf_release(&big);
	close(fd);
	unlink(path);

	r = jsonl_reader_open("/nonexistent/x", 0, &eb);
	ok(r == NULL && strcmp(eb.msg,
	    "cannot open '/nonexistent/x': No such file or directory") == 0,
	    "open error: %s", eb.msg);
}

/*
 * A direct caller may hand the parser a line that ends where its memory
 * ends.  Every prefix of some lines, put at the very end of a page that
 * is followed by an unreadable one: a read past the line faults.
 */
static void
test_line_end(void)
{
	static const char *const lines[] = {
		"{\"",
		"{\"name\":\"x\",\"type\":\"gauge\",\"value\":1,\"ts\":1700000000000,"
		    "\"labels\":{\"host\":\"web1\",\"job\":\"a\"},\"unit\":\"s\",\"help\":\"h\"}",
		"{\"name\":\"caf\\u00e9\",\"type\":\"counter\",\"value\":\"NaN\",\"ts\":-1}",
		" { \"labels\" : { \"b\" : \"\\ud83d\\ude00\" } , \"value\" : 1.5e-7 , "
		    "\"ts\" : \"2026-11-22T10:00:00.5Z\", \"n\\u0061me\" : \"x\" }",
	};
	long pg = sysconf(_SC_PAGESIZE);
	char *map = mmap(NULL, (size_t)pg * 2, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	struct jsonl_parser *ps = jsonl_parser_new(0);
	struct errbuf eb = ERRBUF_INIT;
	struct sample s;
	size_t i, n;
	int accepted = 0;

	if (!ok(map != MAP_FAILED &&
	    mprotect(map + pg, (size_t)pg, PROT_NONE) == 0,
	    "a page with an unreadable one after it"))
		return;
	for (i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
		size_t len = strlen(lines[i]);
		for (n = 0; n <= len; n++) {
			/* Twice: the second time the line may be known. */
			char *at = memcpy(map + pg - n, lines[i], n);
			accepted += jsonl_parse(ps, at, n, &s, &eb) == 0;
			accepted += jsonl_parse(ps, at, n, &s, &eb) == 0;
			jsonl_parse_fast(ps, at, n, &s);
		}
	}
	is_int(accepted, 6, "every prefix parsed without reading past it "
	    "(the whole lines only accepted)");
	jsonl_parser_free(ps);
	munmap(map, (size_t)pg * 2);
}

/* The writer leaves out labels with empty values, as the reader does. */
static void
test_format_empty(void)
{
	struct label l[3] = { { "a", "", 1, 0 }, { "b", "2", 1, 1 },
		{ "c", "", 1, 0 } };
	struct sample s = { .name = "m", .name_len = 1, .value = 1, .ts = 5,
		.labels = l, .nlabels = 3 };
	struct buf out = BUF_INIT;

	jsonl_format(&out, &s);
	is_str(out.p, "{\"name\":\"m\",\"type\":\"gauge\",\"value\":1,\"ts\":5,"
	    "\"labels\":{\"b\":\"2\"}}\n", "writer: empty label values left out");
	buf_reset(&out);
	l[1].value_len = 0;
	jsonl_format(&out, &s);
	is_str(out.p, "{\"name\":\"m\",\"type\":\"gauge\",\"value\":1,\"ts\":5}\n",
	    "writer: no labels object when every value is empty");
	buf_release(&out);
}

/* Every byte at every position of a string is quoted as JSON wants. */
static void
test_quote(void)
{
	struct buf got = BUF_INIT, want = BUF_INIT;
	char str[24];
	int c, pos, bad = 0;

	for (c = 1; c < 256; c++)
		for (pos = 0; pos < 20; pos++) {
			size_t i;
			memset(str, 'a', 20);
			str[pos] = (char)c;
			buf_reset(&got);
			buf_reset(&want);
			jsonl_quote(&got, str, 20);
			buf_addch(&want, '"');
			for (i = 0; i < 20; i++) {
				unsigned char u = (unsigned char)str[i];
				if (u == '"' || u == '\\')
					buf_addf(&want, "\\%c", u);
				else if (u == '\n')
					buf_adds(&want, "\\n");
				else if (u == '\t')
					buf_adds(&want, "\\t");
				else if (u == '\r')
					buf_adds(&want, "\\r");
				else if (u == '\b')
					buf_adds(&want, "\\b");
				else if (u == '\f')
					buf_adds(&want, "\\f");
				else if (u < 0x20)
					buf_addf(&want, "\\u%04x", u);
				else if (u >= 0x80)	/* alone: never UTF-8 */
					buf_adds(&want, "\xef\xbf\xbd");
				else
					buf_addch(&want, (char)u);
			}
			buf_addch(&want, '"');
			if (strcmp(got.p, want.p) != 0 && bad++ < 3)
				printf("# byte %#x at %d: %s\n", c, pos, got.p);
		}
	is_int(bad, 0, "quoting: every byte at every position");
	buf_release(&got);
	buf_release(&want);
}

/*
 * The writer writes valid UTF-8 whatever it is given: valid sequences
 * as they are, each other byte as U+FFFD; and the reader takes the line.
 */
static void
test_quote_utf8(void)
{
	static const struct {
		const char *in, *want;
	} cases[] = {
		{ "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80", "\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\"" },
		{ "/mnt/\xff", "\"/mnt/\xef\xbf\xbd\"" },
		{ "\xc0\xaf", "\"\xef\xbf\xbd\xef\xbf\xbd\"" },		/* overlong */
		{ "a\xe2\x82", "\"a\xef\xbf\xbd\xef\xbf\xbd\"" },		/* cut short */
		{ "\xed\xa0\x80", "\"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\"" },	/* surrogate */
		{ "\xf4\x90\x80\x80", "\"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\"" },	/* > U+10FFFF */
		{ "\xe2\x82\xac\x80\"\n", "\"\xe2\x82\xac\xef\xbf\xbd\\\"\\n\"" },
	};
	struct jsonl_parser *ps = jsonl_parser_new(0);
	struct jsonl_parser *js = jsonl_parser_new(JSONL_SLOW_ONLY);
	struct errbuf eb = ERRBUF_INIT;
	struct buf got = BUF_INIT, line = BUF_INIT;
	struct sample smp;
	uint64_t st = 0x75746638;
	size_t i, j;
	int bad = 0;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		buf_reset(&got);
		jsonl_quote(&got, cases[i].in, strlen(cases[i].in));
		is_str(got.p, cases[i].want, "UTF-8 case %zu", i);
		ok(utf8_invalid_count(cases[i].in, strlen(cases[i].in)) * 2 +
		    strlen(cases[i].in) == strlen(cases[i].want) - 2 -
		    (i == 6 ? 2 : 0), "utf8_invalid_count() case %zu", i);
	}
	/* Random bytes (no NUL, which the stream refuses) as a label value. */
	for (i = 0; i < 20000; i++) {
		char v[24];
		size_t n = 1 + tap_xorshift(&st) % 20;
		for (j = 0; j < n; j++) {
			uint64_t r = tap_xorshift(&st);
			v[j] = (char)(r % 4 ? 0x80 + r % 128 : 1 + r % 255);
		}
		buf_reset(&line);
		buf_adds(&line, "{\"name\":\"x\",\"value\":1,\"labels\":{\"l\":");
		jsonl_quote(&line, v, n);
		buf_adds(&line, "}}");
		if ((jsonl_parse(ps, line.p, line.len, &smp, &eb) == -1 ||
		    jsonl_parse(js, line.p, line.len, &smp, &eb) == -1) && bad++ < 3)
			printf("# refused: %s: %s\n", line.p, eb.msg);
	}
	is_int(bad, 0, "random bytes, written, are read back by both parsers");
	buf_release(&got);
	buf_release(&line);
	jsonl_parser_free(ps);
	jsonl_parser_free(js);
}

/*
 * Canonical lines with timestamps of every length and sign, in and out
 * of range: the canonical path's digit reading agrees with jansson.
 */
static void
test_ts_digits(void)
{
	struct jsonl_parser *f = jsonl_parser_new(0);
	struct jsonl_parser *j = jsonl_parser_new(JSONL_SLOW_ONLY);
	struct sample a, b;
	struct errbuf ea, eb;
	char line[128];
	uint64_t r = 1;
	int i, bad = 0;

	for (i = 0; i < 200000; i++) {
		long long t;
		int ra, rb;
		r = r * 6364136223846793005ULL + 1442695040888963407ULL;
		t = (long long)(r >> (1 + i % 60)) % 1000000000000000LL;
		if (i % 3 == 0)
			t = -t;
		snprintf(line, sizeof(line),
		    "{\"name\":\"x\",\"type\":\"gauge\",\"value\":1,\"ts\":%lld}", t);
		ra = jsonl_parse(f, line, strlen(line), &a, &ea);
		rb = jsonl_parse(j, line, strlen(line), &b, &eb);
		if ((ra != rb || (ra == 0 && a.ts != b.ts)) && bad++ < 3)
			printf("# differ: %s\n", line);
	}
	is_int(bad, 0, "timestamps of every length read alike by both paths");
	jsonl_parser_free(f);
	jsonl_parser_free(j);
}

int
main(void)
{
	test_ts_digits();
	test_quote();
	test_quote_utf8();
	test_format_empty();
	test_line_end();
	test_cases();
	test_limits();
	test_reader();
	test_differential();
	test_known();
	test_note();
	return done_testing();
}
