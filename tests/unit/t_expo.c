/* t_expo.c - the Prometheus text format and OpenMetrics, read into samples */
/* SPDX-License-Identifier: MIT */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stream/expo.h"
#include "stream/jsonl.h"
#include "tap.h"

/*
 * A document (lines separated by '\n'), and what it gives: its samples
 * as stream lines (those without a timestamp at 0), one per line, or
 * "!reason" for a line that fails.
 */
static const struct {
	enum expo_format f;
	const char *in, *want;
} cases[] = {
	/* The text format's own examples. */
	{ EXPO_PROMETHEUS,
	  "# HELP http_requests_total The total number of HTTP requests.\n"
	  "# TYPE http_requests_total counter\n"
	  "http_requests_total{method=\"post\",code=\"200\"} 1027 1395066363000\n"
	  "http_requests_total{method=\"post\",code=\"400\"}    3 1395066363000",
	  "{\"name\":\"http_requests_total\",\"type\":\"counter\",\"value\":1027,"
	  "\"ts\":1395066363000,\"labels\":{\"code\":\"200\",\"method\":\"post\"},"
	  "\"help\":\"The total number of HTTP requests.\"}\n"
	  "{\"name\":\"http_requests_total\",\"type\":\"counter\",\"value\":3,"
	  "\"ts\":1395066363000,\"labels\":{\"code\":\"400\",\"method\":\"post\"}}\n" },
	{ EXPO_PROMETHEUS,
	  "msdos_file_access_time_seconds{path=\"C:\\\\DIR\\\\FILE.TXT\","
	  "error=\"Cannot find file:\\n\\\"FILE.TXT\\\"\"} 1.458255915e9",
	  "{\"name\":\"msdos_file_access_time_seconds\",\"type\":\"gauge\","
	  "\"value\":1458255915,\"ts\":0,\"labels\":{\"error\":\"Cannot find "
	  "file:\\n\\\"FILE.TXT\\\"\",\"path\":\"C:\\\\DIR\\\\FILE.TXT\"}}\n" },
	{ EXPO_PROMETHEUS,
	  "something_weird{problem=\"division by zero\"} +Inf -3982045\n"
	  "x NaN\ny -Inf\n",
	  "{\"name\":\"something_weird\",\"type\":\"gauge\",\"value\":\"+Inf\","
	  "\"ts\":-3982045,\"labels\":{\"problem\":\"division by zero\"}}\n"
	  "{\"name\":\"x\",\"type\":\"gauge\",\"value\":\"NaN\",\"ts\":0}\n"
	  "{\"name\":\"y\",\"type\":\"gauge\",\"value\":\"-Inf\",\"ts\":0}\n" },
	/* Histograms and summaries, typed as Prometheus stores them. */
	{ EXPO_PROMETHEUS,
	  "# TYPE h histogram\nh_bucket{le=\"0.05\"} 24054\n"
	  "h_bucket{le=\"+Inf\"} 144320\nh_sum 53423\nh_count 144320\n"
	  "# TYPE s summary\ns{quantile=\"0.5\"} 4773\ns_sum 1.7560473e+07\n"
	  "s_count 2693\n",
	  "{\"name\":\"h_bucket\",\"type\":\"counter\",\"value\":24054,\"ts\":0,"
	  "\"labels\":{\"le\":\"0.05\"}}\n"
	  "{\"name\":\"h_bucket\",\"type\":\"counter\",\"value\":144320,\"ts\":0,"
	  "\"labels\":{\"le\":\"+Inf\"}}\n"
	  "{\"name\":\"h_sum\",\"type\":\"counter\",\"value\":53423,\"ts\":0}\n"
	  "{\"name\":\"h_count\",\"type\":\"counter\",\"value\":144320,\"ts\":0}\n"
	  "{\"name\":\"s\",\"type\":\"gauge\",\"value\":4773,\"ts\":0,"
	  "\"labels\":{\"quantile\":\"0.5\"}}\n"
	  "{\"name\":\"s_sum\",\"type\":\"counter\",\"value\":17560473,\"ts\":0}\n"
	  "{\"name\":\"s_count\",\"type\":\"counter\",\"value\":2693,\"ts\":0}\n" },
	/* Blanks the text format allows; a trailing comma; comments. */
	{ EXPO_PROMETHEUS,
	  "  a { b = \"1\" , c=\"\" , }\t 2 \t\n\n# just a comment\n#no space\n",
	  "{\"name\":\"a\",\"type\":\"gauge\",\"value\":2,\"ts\":0,"
	  "\"labels\":{\"b\":\"1\"}}\n" },
	/* A family's samples are of it by name: c and c_total, not d. */
	{ EXPO_PROMETHEUS,
	  "# TYPE c counter\nc 1\nc_total 2\nd 3\n",
	  "{\"name\":\"c\",\"type\":\"counter\",\"value\":1,\"ts\":0}\n"
	  "{\"name\":\"c_total\",\"type\":\"counter\",\"value\":2,\"ts\":0}\n"
	  "{\"name\":\"d\",\"type\":\"gauge\",\"value\":3,\"ts\":0}\n" },
	/* Errors, each for its line; the lines after go on. */
	{ EXPO_PROMETHEUS,
	  "a{b=\"1\" 3\nb 1x\nc 1 1.5\n9x 1\nd{b=1} 1\ne\n# TYPE f fancy\n"
	  "g{a=\"1\",a=\"2\"} 1\nh 1e999\nok 1\n",
	  "!',' or '}' expected after a label\n!invalid value '1x'\n"
	  "!invalid timestamp '1.5'\n!invalid metric name\n"
	  "!label value must be quoted\n!a value is needed after the name\n"
	  "!unknown metric type 'fancy'\n!duplicate label 'a'\n"
	  "!invalid value '1e999'\n"
	  "{\"name\":\"ok\",\"type\":\"gauge\",\"value\":1,\"ts\":0}\n" },
	/* OpenMetrics: units, _total, _created, timestamps in seconds,
	 * exemplars, '# EOF'. */
	{ EXPO_OPENMETRICS,
	  "# TYPE foo counter\n# UNIT foo seconds\n# HELP foo Help \\\"me\\\".\n"
	  "foo_total 17.0 1520879607.789 # {id=\"x\"} 5\n"
	  "foo_created 1520430000.123\n"
	  "# TYPE i info\ni_info{v=\"1.2\"} 1\n# EOF",
	  "{\"name\":\"foo_total\",\"type\":\"counter\",\"value\":17,"
	  "\"ts\":1520879607789,\"unit\":\"seconds\",\"help\":\"Help \\\"me\\\".\"}\n"
	  "{\"name\":\"foo_created\",\"type\":\"gauge\",\"value\":1520430000.123,"
	  "\"ts\":0}\n"
	  "{\"name\":\"i_info\",\"type\":\"gauge\",\"value\":1,\"ts\":0,"
	  "\"labels\":{\"v\":\"1.2\"}}\n" },
	/* What OpenMetrics does not allow. */
	{ EXPO_OPENMETRICS,
	  "a  1\n\n# comment\n# TYPE b untyped\nc{d=\"1\",} 1\n"
	  "e 1 \n# EOF\nf 1",
	  "!invalid value ''\n!an empty line\n"
	  "!'# comment': not HELP, TYPE, UNIT or EOF\n"
	  "!unknown metric type 'untyped'\n!a ',' before '}'\n"
	  "!a blank at the end of the line\n!a line after '# EOF'\n" },
};

/* Parse 'in' and write what it gives as 'want' is written. */
static char *
run(enum expo_format f, const char *in, int *ended)
{
	struct expo_parser *p = expo_parser_new(f);
	struct errbuf eb = ERRBUF_INIT;
	struct buf out = BUF_INIT;
	const char *q = in;
	struct sample s;
	char *r;

	for (;;) {
		const char *nl = strchr(q, '\n');
		size_t len = nl ? (size_t)(nl - q) : strlen(q);
		int k;
		if (nl == NULL && len == 0)
			break;
		k = expo_parse(p, q, len, &s, &eb);
		if (k == -1) {
			buf_addf(&out, "!%s\n", eb.msg);
		} else if (k == 1) {
			if (!s.has_ts) {
				s.has_ts = 1;
				s.ts = 0;
			}
			jsonl_format(&out, &s);
		}
		if (nl == NULL)
			break;
		q = nl + 1;
	}
	*ended = expo_end(p, &eb) == 0;
	expo_parser_free(p);
	r = strdup(out.p ? out.p : "");
	buf_release(&out);
	return r;
}

int
main(void)
{
	enum expo_format f;
	size_t i;
	int ended;
	char *got;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		got = run(cases[i].f, cases[i].in, &ended);
		is_str(got, cases[i].want, "case %zu", i);
		free(got);
	}
	/* An OpenMetrics document without '# EOF' was cut. */
	free(run(EXPO_OPENMETRICS, "a 1\n", &ended));
	ok(!ended, "OpenMetrics without # EOF: cut");
	free(run(EXPO_OPENMETRICS, "a 1\n# EOF\n", &ended));
	ok(ended, "OpenMetrics with # EOF: whole");
	free(run(EXPO_PROMETHEUS, "a 1\n", &ended));
	ok(ended, "the text format has no end marker");
	/* A parser starts again for the next scrape. */
	ok(expo_format_parse("openmetrics", &f) == 0 && f == EXPO_OPENMETRICS,
	    "openmetrics");
	ok(expo_format_parse("influx", &f) == -1, "influx is not one");
	return done_testing();
}
