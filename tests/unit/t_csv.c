/* t_csv.c - CSV files with a header, read into samples */
/* SPDX-License-Identifier: MIT */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "stream/csv.h"
#include "stream/ingest.h"
#include "stream/jsonl.h"
#include "tap.h"

#define S(name, rest) "{\"name\":\"" name "\",\"type\":\"gauge\"," rest "}\n"

/*
 * A file, and what its lines give: stream lines (no time: 0), or
 * "N: !reason" for line N.
 */
static const struct {
	const char *in, *want;
} cases[] = {
	/* What mquery -o csv writes, read back. */
	{ "series,timestamp,value\n"
	  "\"up{job=\"\"a\"\",x=\"\"q,\\\"\"z\\\\n\"\"}\",1700000000000,1\n"
	  "\"{\"\"weird.name\"\",job=\"\"b\"\"}\",1700000000000,NaN\n"
	  "up,-1,-Inf\n",
	  S("up", "\"value\":1,\"ts\":1700000000000,"
	    "\"labels\":{\"job\":\"a\",\"x\":\"q,\\\"z\\\\n\"}")
	  S("weird.name", "\"value\":\"NaN\",\"ts\":1700000000000,"
	    "\"labels\":{\"job\":\"b\"}")
	  S("up", "\"value\":\"-Inf\",\"ts\":-1") },
	/* Long: other columns are labels, an empty cell none. */
	{ "name,job,instance,value,time\n"
	  "up,a,,1,1700000000\n"
	  "up,,h:1, 2.5 , 2023-11-14T22:13:20.25Z \n"
	  "\n"
	  "up,b,\"x,y\",+Inf,1700000000.0005\n",
	  S("up", "\"value\":1,\"ts\":1700000000000,\"labels\":{\"job\":\"a\"}")
	  S("up", "\"value\":2.5,\"ts\":1700000000250,"
	    "\"labels\":{\"instance\":\"h:1\"}")
	  S("up", "\"value\":\"+Inf\",\"ts\":1700000000001,"
	    "\"labels\":{\"instance\":\"x,y\",\"job\":\"b\"}") },
	{ "value,__name__,msg\n"
	  "7,m,\"a \"\"b\"\", c\"\n"
	  "1e-400,m,\n",
	  S("m", "\"value\":7,\"ts\":0,\"labels\":{\"msg\":\"a \\\"b\\\", c\"}")
	  S("m", "\"value\":0,\"ts\":0") },
	/* Series: PromQL's forms and escapes, labels from columns too. */
	{ "series,value,dc\n"
	  "\"up { job = 'a\\'b' , x=`r\\w`, }\",1,\n"
	  "\"{__name__=\"\"up\"\",y=\"\"\\u00e9\\x41\\101\\t\\\\\"\"}\",2,eu\n"
	  "\"{'q'}\",3,\n"
	  "\"m{\"\"l\"\"=\"\"\\U0001F600\"\"}\",4,\n",
	  S("up", "\"value\":1,\"ts\":0,\"labels\":{\"job\":\"a'b\","
	    "\"x\":\"r\\\\w\"}")
	  S("up", "\"value\":2,\"ts\":0,\"labels\":{\"dc\":\"eu\","
	    "\"y\":\"\xc3\xa9" "AA\\t\\\\\"}")
	  S("q", "\"value\":3,\"ts\":0")
	  S("m", "\"value\":4,\"ts\":0,\"labels\":{\"l\":\"\xf0\x9f\x98\x80\"}") },
	/* Wide: a sample a cell, none for an empty one. */
	{ "\xef\xbb\xbftime,cpu_temp_celsius,fan_rpm\n"
	  "2023-11-14T22:13:20Z,41.5,1200\n"
	  "1700000015.5,,1210\n"
	  "1700000030, ,\n",
	  S("cpu_temp_celsius", "\"value\":41.5,\"ts\":1700000000000")
	  S("fan_rpm", "\"value\":1200,\"ts\":1700000000000")
	  S("fan_rpm", "\"value\":1210,\"ts\":1700000015500") },
	{ "a,timestamp,b:c\n1,1700000000000,2\n",
	  S("a", "\"value\":1,\"ts\":1700000000000")
	  S("b:c", "\"value\":2,\"ts\":1700000000000") },
	{ "temp\n-3\n", S("temp", "\"value\":-3,\"ts\":0") },
	/* Bad headers: said at their line, the file refused. */
	{ "job,job,value\nup,a,1\n", "1: !bad header, file not read: "
	  "duplicate column 'job'\n" },
	{ "name,,value\n", "1: !bad header, file not read: column 2 has no "
	  "name\n" },
	{ "\n\nname,__name__,value\nup,up,1\n", "3: !bad header, file not "
	  "read: both 'name' and '__name__' columns\n" },
	{ "name,time,timestamp,value\n", "1: !bad header, file not read: "
	  "both 'time' and 'timestamp' columns\n" },
	{ "series,name,value\n", "1: !bad header, file not read: both "
	  "'series' and 'name' columns\n" },
	{ "__name__,time,x\n", "1: !bad header, file not read: a '__name__' "
	  "column but no 'value' column\n" },
	{ "time\n1\n", "1: !bad header, file not read: no 'value' column "
	  "and no metric columns\n" },
	{ "job,value\n", "1: !bad header, file not read: no 'series' or "
	  "'name' column\n" },
	{ "name,value,a-b\n", "1: !bad header, file not read: column 'a-b': "
	  "not a label name\n" },
	{ "name,value,__x\n", "1: !bad header, file not read: column '__x': "
	  "a reserved label name\n" },
	{ "time,cpu.temp\n", "1: !bad header, file not read: column "
	  "'cpu.temp': not a metric name\n" },
	{ "time,\"x\ty\"\n", "1: !bad header, file not read: column "
	  "'x\\ty': not a metric name\n" },
	{ "name,\"va\nlue\"\nup,1\n", "1: !bad header, file not read: a "
	  "quoted field that spans lines, which is not read\n" },
	{ "name,va\"lue\n", "1: !bad header, file not read: field 2: a "
	  "quote inside a field that is not quoted\n" },
	{ "name,\xff\n", "1: !bad header, file not read: not UTF-8 text\n" },
	/* Bad lines: said, passed over, the next read. */
	{ "name,value\nup\nup,1,2\nup,x\nup,\nup,1e999\nup,nan(1)\nup,2\n",
	  "2: !1 field, not 2 as in the header\n"
	  "3: !3 fields, not 2 as in the header\n"
	  "4: !a value that is not a number: 'x'\n"
	  "5: !no value\n"
	  "6: !a value that is not a number: '1e999'\n"
	  "7: !a value that is not a number: 'nan(1)'\n"
	  S("up", "\"value\":2,\"ts\":0") },
	{ "name,value,timestamp\nup,1,\nup,1,1.5\nup,1,x\n"
	  "up,1,253402300800000\nup,1,-62135596800001\n"
	  "up,1,99999999999999999999999\nup,1,-62135596800000\n",
	  "2: !no timestamp\n"
	  "3: !a timestamp that is not one: '1.5'\n"
	  "4: !a timestamp that is not one: 'x'\n"
	  "5: !a timestamp not in years 1 to 9999\n"
	  "6: !a timestamp not in years 1 to 9999\n"
	  "7: !a timestamp not in years 1 to 9999\n"
	  S("up", "\"value\":1,\"ts\":-62135596800000") },
	{ "time,a,b\nnow,1,2\n1h,1,2\n1,1,x\n1,1,2\n",
	  "2: !a time that is not RFC 3339 or Unix seconds: 'now'\n"
	  "3: !a time that is not RFC 3339 or Unix seconds: '1h'\n"
	  "4: !column 'b': a value that is not a number: 'x'\n"
	  S("a", "\"value\":1,\"ts\":1000") S("b", "\"value\":2,\"ts\":1000") },
	{ "name,value,msg\nup,1,\"a\nb\nc\"\"\nd\",e\"\nup,2,\"x\"y\nup,3,a\"b\n"
	  "up,4,\"\"\n",
	  "2: !a quoted field that spans lines, which is not read\n"
	  "3: !inside a quoted field that spans lines, which is not read\n"
	  "4: !inside a quoted field that spans lines, which is not read\n"
	  "5: !inside a quoted field that spans lines, which is not read\n"
	  "6: !field 3: text after its closing quote\n"
	  "7: !field 3: a quote inside a field that is not quoted\n"
	  S("up", "\"value\":4,\"ts\":0") },
	{ "series,value,job\n"
	  "up{job=\"a\",1,\n"
	  "\"up{job=\"\"a\"\"}\",1,b\n"
	  "\"up{job=~\"\"a\"\"}\",1,\n"
	  "\"up{job!=\"\"a\"\"}\",1,\n"
	  "\"up{job=a}\",1,\n"
	  "\"up{job=\"\"\\q\"\"}\",1,\n"
	  "\"up{job=\"\"\\400\"\"}\",1,\n"
	  "\"up{job=\"\"\\ud800\"\"}\",1,\n"
	  "\"up{job=\"\"\\x00\"\"}\",1,\n"
	  "\"up{job=\"\"\\xff\"\"}\",1,\n"
	  "\"up{\"\"a\"\",\"\"b\"\"}\",1,\n"
	  "\"up{__name__=\"\"b\"\"}\",1,\n"
	  "\"{job=\"\"a\"\"}\",1,\n"
	  "\"up{job=\"\"a\"\"} x\",1,\n"
	  "\"up{job=\"\"a\"\"\",1,\n"
	  "\"up{job=\"\"a}\",1,\n"
	  "\"up{job=\"\"a\"\" x=\"\"b\"\"}\",1,\n"
	  "\"up{1=\"\"a\"\"}\",1,\n"
	  "-,1,\n"
	  ",1,\n"
	  "\"up{\"\"a.b\"\"=\"\"1\"\"}\",1,\n"
	  "\"up{__x=\"\"1\"\"}\",1,\n"
	  "\"{\"\"\"\"}\",1,\n",
	  "2: !field 1: a quote inside a field that is not quoted\n"
	  "3: !duplicate label 'job'\n"
	  "4: !series: '=' expected after a label name\n"
	  "5: !series: '=' expected after a label name\n"
	  "6: !series: a quoted label value expected\n"
	  "7: !series: a bad escape in a string\n"
	  "8: !series: a bad escape in a string\n"
	  "9: !series: a bad escape in a string\n"
	  "10: !series: a NUL byte in a string\n"
	  "11: !series: a string that is not UTF-8\n"
	  "12: !series: two metric names\n"
	  "13: !series: two metric names\n"
	  "14: !series: no metric name\n"
	  "15: !series: text after the series\n"
	  "16: !series: ',' or '}' expected after a label\n"
	  "17: !series: a string without its closing quote\n"
	  "18: !series: ',' or '}' expected after a label\n"
	  "19: !series: a label name expected\n"
	  "20: !series: not a series\n"
	  "21: !no series\n"
	  "22: !invalid label name 'a.b'\n"
	  "23: !reserved label name '__x'\n"
	  "24: !empty metric name\n" },
	{ "name,value\n,1\nup\x01,1\n", "2: !empty metric name\n"
	  "3: !control character in metric name\n" },
};

/* Each line of 'in' through the parser, what it gives into 'out'. */
static void
run(const char *in, struct buf *out)
{
	struct csv_parser *p = csv_parser_new();
	const char *line = in;
	unsigned lineno = 0;

	while (*line) {
		const char *nl = strchr(line, '\n');
		size_t len = nl ? (size_t)(nl - line) : strlen(line);
		struct errbuf eb = ERRBUF_INIT;
		struct sample s;
		int k, n = 0;
		lineno++;
		k = csv_parse(p, line, len, &s, &eb);
		if (k == -1)
			buf_addf(out, "%u: !%s\n", lineno, eb.msg);
		while (k >= 1) {
			n++;
			if (!s.has_ts) {
				s.has_ts = 1;
				s.ts = 0;
			}
			jsonl_format(out, &s);
			if (!csv_next(p, &s))
				break;
		}
		if (k >= 0 && n != k)
			buf_addf(out, "%u: %d samples, not %d\n", lineno, n, k);
		line += len + (nl != NULL);
	}
	csv_parser_free(p);
}

/* A sink that writes what it takes. */
static int
sink_add(void *ctx, const struct sample *s, struct errbuf *eb)
{
	(void)eb;
	jsonl_format(ctx, s);
	return 0;
}

static int
sink_commit(void *ctx, struct errbuf *eb)
{
	(void)ctx;
	(void)eb;
	return 0;
}

static void
collect(void *arg, const char *msg)
{
	buf_adds(arg, msg);
	buf_addch(arg, '\n');
}

/* What was reported, as TAP comments. */
static void
diag(const struct buf *msgs)
{
	const char *m = msgs->p ? msgs->p : "";

	while (*m) {
		size_t n = strcspn(m, "\n");
		printf("#   %.*s\n", (int)n, m);
		m += n + (m[n] == '\n');
	}
}

/* 'text' as a file through the ingest loop, as mgather read --format csv. */
static int
ingest(const char *text, int strict, struct buf *out, struct buf *msgs)
{
	struct ingest_opts o = { strict, 0, NULL, collect, msgs, INGEST_CSV };
	struct ingest_sink sink = { sink_add, sink_commit, NULL, NULL, out };
	struct errbuf eb = ERRBUF_INIT;
	struct ingest in;
	char path[64];
	int fd, rc;

	if ((fd = memfd_create("t_csv", 0)) == -1 ||
	    write(fd, text, strlen(text)) != (ssize_t)strlen(text))
		return -1;
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	ingest_init(&in, &o);
	rc = ingest_file(&in, path, &sink, &eb);
	ingest_summary(&in);
	if (rc == 0 && ingest_troubled(&in))
		rc = 1;
	ingest_release(&in);
	close(fd);
	return rc;
}

int
main(void)
{
	struct buf out = BUF_INIT, msgs = BUF_INIT;
	struct sample s;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		buf_reset(&out);
		run(cases[i].in, &out);
		is_str(out.p ? out.p : "", cases[i].want, "case %zu", i);
	}

	/* Through the reader: CRLF, line numbers, one time for a line. */
	buf_reset(&out);
	is_int(ingest("time,a,b\r\n1,1,2\r\nx,1,2\r\n\"\r\n\r\n", 0, &out, &msgs),
	    1, "a bad line: troubled");
	is_str(out.p, S("a", "\"value\":1,\"ts\":1000")
	    S("b", "\"value\":2,\"ts\":1000"), "CRLF lines");
	if (!ok(msgs.p && strstr(msgs.p, ":3: a time that is not RFC 3339 or Unix "
	    "seconds: 'x'\n") && strstr(msgs.p, ":4: a quoted field that "
	    "spans lines, which is not read\n") && strstr(msgs.p, ":5: inside "
	    "a quoted field that spans lines, which is not read\n") &&
	    strstr(msgs.p, "3 bad lines, 0 samples rejected\n"),
	    "located reports"))
		diag(&msgs);
	buf_reset(&out);
	buf_reset(&msgs);
	is_int(ingest("a,b,c\n1,2,3\n", 0, &out, &msgs), 0, "no time: fine");
	{
		struct jsonl_parser *jp = jsonl_parser_new(0);
		struct errbuf eb = ERRBUF_INIT;
		char *l2 = strchr(out.p, '\n') + 1, *l3 = strchr(l2, '\n') + 1;
		int64_t t[3];
		ok(jsonl_parse(jp, out.p, (size_t)(l2 - out.p - 1), &s, &eb) == 0,
		    "first");
		t[0] = s.ts;
		ok(jsonl_parse(jp, l2, (size_t)(l3 - l2 - 1), &s, &eb) == 0,
		    "second");
		t[1] = s.ts;
		ok(jsonl_parse(jp, l3, strlen(l3) - 1, &s, &eb) == 0, "third");
		t[2] = s.ts;
		ok(t[0] > 1700000000000 && t[0] == t[1] && t[1] == t[2],
		    "the samples of a line have one time");
		jsonl_parser_free(jp);
	}
	buf_reset(&out);
	buf_reset(&msgs);
	is_int(ingest("name,value\nup,x\nup,1\n", 1, &out, &msgs), 1,
	    "strict: troubled");
	is_str(out.p ? out.p : "", "", "strict: nothing after the bad line");
	buf_reset(&out);
	buf_reset(&msgs);
	is_int(ingest("name,value,value\nup,1,1\n", 0, &out, &msgs), 1,
	    "a bad header: troubled");
	if (!ok(msgs.p && strstr(msgs.p, ":1: bad header, file not read: "
	    "duplicate column 'value'\n1 bad line, 0 samples rejected\n") &&
	    strchr(msgs.p, '\n') + 1 == strstr(msgs.p, "1 bad line"),
	    "a bad header: one report"))
		diag(&msgs);
	buf_release(&out);
	buf_release(&msgs);
	return done_testing();
}
