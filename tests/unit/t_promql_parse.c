/* t_promql_parse.c - the PromQL lexer, parser, type checker and printer */
/* SPDX-License-Identifier: MIT */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "base/buf.h"
#include "promql/promql_lex.h"
#include "promql/promql_func.h"
#include "promql/promql_parse.h"
#include "promql/promql_print.h"
#include "tap.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/*
 * Valid expressions and how Prometheus prints them back (NULL: as
 * written).  The cases follow the spirit of Prometheus' parse_test.go and
 * printer_test.go.
 */
static const struct {
	const char *in;
	const char *out;
} valid[] = {
	/* Numbers. */
	{ "1", NULL }, { "+Inf", NULL }, { "-Inf", NULL }, { "Inf", "+Inf" },
	{ "inf", "+Inf" }, { "INF", "+Inf" }, { "NaN", NULL }, { "nan", "NaN" },
	{ "-NaN", "NaN" }, { ".5", "0.5" }, { "5.", "5" }, { "123.4567", NULL },
	{ "5e-3", "0.005" }, { "5e3", "5000" }, { "0xc", "12" }, { "0X1F", "31" },
	{ "0x1f", "31" }, { "0755", "493" }, { "+5.5e-3", "0.0055" },
	{ "-0755", "-493" }, { "010", "8" }, { "08", "8" }, { "09.5", "9.5" },
	{ "0", NULL }, { "00", "0" }, { "-0", NULL }, { "1e6", "1e+06" },
	{ "1E-10", "1e-10" }, { "123456", NULL }, { "1234567", "1.234567e+06" },
	{ "123456789", "1.23456789e+08" }, { "0.0001", NULL },
	{ "0.00001", "1e-05" }, { "1e-7", "1e-07" }, { "1.5e300", "1.5e+300" },
	{ "0.1", NULL }, { "0x7fffffffffffffff", "9.223372036854776e+18" },
	{ "4.9e-324", "5e-324" }, { "1.7976931348623157e308", "1.7976931348623157e+308" },
	/* Scalar arithmetic and precedence (the tree tests below check shape). */
	{ "1 + 1", NULL }, { "1 - 1", NULL }, { "1 * 1", NULL }, { "1 % 1", NULL },
	{ "1 / 1", NULL }, { "1 ^ 1", NULL }, { "1 atan2 1", NULL },
	{ "1 == bool 1", NULL }, { "1 != bool 1", NULL }, { "1 > bool 1", NULL },
	{ "1 >= bool 1", NULL }, { "1 < bool 1", NULL }, { "1 <= bool 1", NULL },
	{ "-1^2", "-1 ^ 2" }, { "-1*2", "-1 * 2" }, { "-1+2", "-1 + 2" },
	{ "-1^-2", "-1 ^ -2" }, { "+1 + -2 * 1", "1 + -2 * 1" },
	{ "1 + 2/(3*1)", "1 + 2 / (3 * 1)" },
	{ "1 < bool 2 - 1 * 2", NULL }, { "- - 1", "1" }, { "-(1)", NULL },
	{ "-some_metric", NULL }, { "+some_metric", NULL },
	{ " +some_metric", "+some_metric" }, { "- -a", "--a" },
	{ "2 ^ 3 ^ 2", NULL }, { "(1 + 2) * 3", NULL }, { "((1))", NULL },
	{ "Inf ^ 2", NULL }, { "+Inf * 2", NULL }, { "+Inf ^ 2", "+Inf ^ 2" },
	/* Vector operations. */
	{ "foo * bar", NULL }, { "foo * sum", NULL }, { "foo == 1", NULL },
	{ "foo == bool 1", NULL }, { "2.5 / bar", NULL }, { "foo and bar", NULL },
	{ "foo or bar", NULL }, { "foo unless bar", NULL },
	{ "foo + bar or bla and blub", NULL },
	{ "foo and bar unless baz or qux", NULL },
	{ "bar + on(foo) bla / on(baz, buz) group_right(test) blub",
	  "bar + on (foo) bla / on (baz, buz) group_right (test) blub" },
	{ "foo * on(test,blub) bar", "foo * on (test, blub) bar" },
	{ "foo * on(test,blub) group_left bar",
	  "foo * on (test, blub) group_left () bar" },
	{ "foo and on(test,blub) bar", "foo and on (test, blub) bar" },
	{ "foo and on() bar", "foo and on () bar" },
	{ "foo and ignoring(test,blub) bar", "foo and ignoring (test, blub) bar" },
	{ "foo and ignoring() bar", "foo and bar" },
	{ "foo unless on(bar) baz", "foo unless on (bar) baz" },
	{ "foo / on(test,blub) group_left(bar) bar",
	  "foo / on (test, blub) group_left (bar) bar" },
	{ "foo / ignoring(test,blub) group_left(blub) bar",
	  "foo / ignoring (test, blub) group_left (blub) bar" },
	{ "foo / ignoring(test,blub) group_left(bar) bar",
	  "foo / ignoring (test, blub) group_left (bar) bar" },
	{ "foo - on(test,blub) group_right(bar,foo) bar",
	  "foo - on (test, blub) group_right (bar, foo) bar" },
	{ "foo - ignoring(test,blub) group_right(bar,foo) bar",
	  "foo - ignoring (test, blub) group_right (bar, foo) bar" },
	{ "a * ignoring() group_left(x) b", "a * ignoring () group_left (x) b" },
	{ "foo == bool on(a) bar", "foo == bool on (a) bar" },
	{ "x > bool on(a) group_left y", "x > bool on (a) group_left () y" },
	{ "foo + on() 1", "foo + 1" }, { "a atan2 b", NULL },
	{ "foo * on(a) group_left (b) (c)", "foo * on (a) group_left (b) (c)" },
	{ "a + on(by, offset, sum, bool, start, end, atan2) b",
	  "a + on (by, offset, sum, bool, start, end, atan2) b" },
	/* Keywords are case-insensitive; they print in lower case. */
	{ "SUM(foo)", "sum(foo)" }, { "foo AND bar", "foo and bar" },
	{ "sum BY (a) (x)", "sum by (a) (x)" }, { "foo OFFSET 5m", "foo offset 5m" },
	{ "foo * ON(a) GROUP_LEFT(b) bar", "foo * on (a) group_left (b) bar" },
	{ "a AtAn2 b", "a atan2 b" }, { "foo > BOOL bar", "foo > bool bar" },
	{ "foo @ START()", "foo @ start()" },
	/* Keywords that can name metrics. */
	{ "sum", NULL }, { "avg", NULL }, { "by", NULL }, { "without", NULL },
	{ "offset", NULL }, { "and", NULL }, { "start", NULL }, { "end", NULL },
	{ "count_values", NULL }, { "BY", NULL }, { "foo + and", NULL },
	{ "sum{a=\"b\"}", NULL }, { "offset{step=\"1s\"}[5m]", NULL },
	/* Selectors. */
	{ "foo", NULL }, { "min", NULL }, { "foo:bar", NULL },
	{ "foo offset 5m", NULL }, { "foo offset -7m", NULL },
	{ "foo OFFSET 1h30m", "foo offset 1h30m" },
	{ "foo OFFSET 1m30ms", "foo offset 1m30ms" },
	{ "foo offset 60s", "foo offset 1m" },
	{ "foo @ 1603774568", "foo @ 1603774568.000" },
	{ "foo @ -100", "foo @ -100.000" }, { "foo @ .3", "foo @ 0.300" },
	{ "foo @ 3.", "foo @ 3.000" }, { "foo @ 3.33", "foo @ 3.330" },
	{ "foo @ 3.3333", "foo @ 3.333" }, { "foo @ 3.3335", "foo @ 3.334" },
	{ "foo @ 3e2", "foo @ 300.000" }, { "foo @ 3e-1", "foo @ 0.300" },
	{ "foo @ 0xA", "foo @ 10.000" }, { "foo @ -3.3e1", "foo @ -33.000" },
	{ "foo @ +5", "foo @ 5.000" },
	{ "foo offset 5m @ 100", "foo @ 100.000 offset 5m" },
	{ "foo @ 100 offset 5m", "foo @ 100.000 offset 5m" },
	{ "foo @ start()", NULL }, { "foo @ end()", NULL },
	{ "foo @ end() offset 1m", NULL },
	{ "foo:bar{a=\"bc\"}", NULL }, { "foo{NaN='bc'}", "foo{NaN=\"bc\"}" },
	{ "foo{bar='}'}", "foo{bar=\"}\"}" },
	{ "foo{a=\"b\", foo!=\"bar\", test=~\"test\", bar!~\"baz\"}",
	  "foo{a=\"b\",bar!~\"baz\",foo!=\"bar\",test=~\"test\"}" },
	{ "foo{a=\"b\", foo!=\"bar\", test=~\"test\", bar!~\"baz\",}",
	  "foo{a=\"b\",bar!~\"baz\",foo!=\"bar\",test=~\"test\"}" },
	{ "foo{}", "foo" }, { "foo {a=\"b\"}", "foo{a=\"b\"}" },
	{ "{__name__=\"foo\"}", NULL }, { "{__name__=~\"foo.*\"}", NULL },
	{ "{job=~\".+\"}", NULL }, { "{a=\"b\", c=\"\"}", "{a=\"b\",c=\"\"}" },
	{ "foo{by=\"x\", offset=\"y\"}", "foo{by=\"x\",offset=\"y\"}" },
	/* Quoted names, the Prometheus 3 form. */
	{ "{\"api.requests.total\"}", "{__name__=\"api.requests.total\"}" },
	{ "{\"api.requests.total\", job=\"x\"}",
	  "{__name__=\"api.requests.total\",job=\"x\"}" },
	{ "{job=\"x\", \"api.requests.total\"}",
	  "{__name__=\"api.requests.total\",job=\"x\"}" },
	{ "{'foo'}", "{__name__=\"foo\"}" }, { "{`foo`}", "{__name__=\"foo\"}" },
	{ "{\"job\"=\"x\"}", "{job=\"x\"}" }, { "foo{\"job\"=\"a\"}", "foo{job=\"a\"}" },
	{ "{\"a.b\", c=~\"d\"}[5m]", "{__name__=\"a.b\",c=~\"d\"}[5m]" },
	/* Strings in matchers print as Go quotes them. */
	{ "foo{a=\"\\n\"}", NULL }, { "foo{a='\"'}", "foo{a=\"\\\"\"}" },
	{ "foo{a=\"\\x41\"}", "foo{a=\"A\"}" },
	{ "foo{a=`\\d+`}", "foo{a=\"\\\\d+\"}" },
	{ "foo{a=\"\\u00e9\"}", "foo{a=\"\xc3\xa9\"}" },
	{ "foo{a=\"\xc3\xa9\"}", NULL }, { "foo{a=\"\\x00\"}", NULL },
	{ "foo{a=\"\\xff\"}", NULL }, { "foo{a=\"\\u00a0\"}", NULL },
	{ "foo{a=\"\\t\"}", NULL }, { "foo{a=\"\\x7f\"}", NULL },
	{ "foo{a=\"\\101\"}", "foo{a=\"A\"}" },
	/* Range selectors and how durations print. */
	{ "test[5s]", NULL }, { "test[5m]", NULL }, { "test[5m30s]", NULL },
	{ "test[5h] OFFSET 5m", "test[5h] offset 5m" },
	{ "test[5d] OFFSET 10s", "test[5d] offset 10s" },
	{ "test[5w] offset 2w", NULL },
	{ "test{a=\"b\"}[5y] OFFSET 3d", "test{a=\"b\"}[5y] offset 3d" },
	{ "test{a=\"b\"}[5y] @ 1603774699", "test{a=\"b\"}[5y] @ 1603774699.000" },
	{ "test[5m] @ start() offset -1m", NULL },
	{ "foo[90d]", NULL }, { "foo[14d]", "foo[2w]" }, { "foo[365d]", "foo[1y]" },
	{ "foo[60s]", "foo[1m]" }, { "foo[3600s]", "foo[1h]" },
	{ "foo[1000ms]", "foo[1s]" }, { "foo[1500ms]", "foo[1s500ms]" },
	{ "foo[1h30m]", NULL }, { "foo[25h]", "foo[1d1h]" },
	{ "foo[1y1d]", "foo[366d]" }, { "foo[1y2w]", "foo[379d]" },
	{ "foo[ 5m]", "foo[5m]" }, { "foo[5m ]", "foo[5m]" },
	{ "foo[1y1w1d1h1m1s1ms]", "foo[373d1h1m1s1ms]" },
	/* Subqueries. */
	{ "foo{bar=\"baz\"}[10m:6s]", NULL },
	{ "foo{bar=\"baz\"}[10m5s:1h6ms]", NULL },
	{ "foo[10m:]", NULL }, { "foo[10m : 1m]", "foo[10m:1m]" },
	{ "min_over_time(rate(foo{bar=\"baz\"}[2s])[5m:5s])", NULL },
	{ "min_over_time(rate(foo{bar=\"baz\"}[2s])[5m:])[4m:3s]", NULL },
	{ "min_over_time(rate(foo{bar=\"baz\"}[2s])[5m:] offset 4m)[4m:3s]", NULL },
	{ "min_over_time(rate(foo{bar=\"baz\"}[2s])[5m:] @ 1603775091)[4m:3s]",
	  "min_over_time(rate(foo{bar=\"baz\"}[2s])[5m:] @ 1603775091.000)[4m:3s]" },
	{ "min_over_time(rate(foo{bar=\"baz\"}[2s])[5m:] @ -160377509)[4m:3s]",
	  "min_over_time(rate(foo{bar=\"baz\"}[2s])[5m:] @ -160377509.000)[4m:3s]" },
	{ "sum without(and, by, avg, count, alert, annotations)(some_metric) [30m:10s]",
	  "sum without (and, by, avg, count, alert, annotations) (some_metric)[30m:10s]" },
	{ "some_metric OFFSET 1m [10m:5s]", "some_metric offset 1m[10m:5s]" },
	{ "some_metric @ 123 [10m:5s]", "some_metric @ 123.000[10m:5s]" },
	{ "some_metric @ 123 offset 1m [10m:5s]",
	  "some_metric @ 123.000 offset 1m[10m:5s]" },
	{ "some_metric offset 1m @ 123 [10m:5s]",
	  "some_metric @ 123.000 offset 1m[10m:5s]" },
	{ "some_metric[10m:5s] offset 1m @ 123",
	  "some_metric[10m:5s] @ 123.000 offset 1m" },
	{ "(foo + bar{nm=\"val\"})[5m:]", NULL },
	{ "(foo + bar{nm=\"val\"})[5m:] offset 10m", NULL },
	{ "(foo + bar{nm=\"val\"} @ 1234)[5m:] @ 1603775019",
	  "(foo + bar{nm=\"val\"} @ 1234.000)[5m:] @ 1603775019.000" },
	{ "rate(x[5m])[30m:1m]", NULL }, { "sum(foo)[5m:] @ end()", NULL },
	{ "1 + sum_over_time(vector(1)[5m:1m] offset 1m)", NULL },
	/* Prometheus 2.42 reads any letter after a range as the colon. */
	{ "foo[5m x]", "foo[5m:]" }, { "foo[5m m 1m]", "foo[5m:1m]" },
	/* Aggregations. */
	{ "sum by (foo)(some_metric)", "sum by (foo) (some_metric)" },
	{ "avg by (foo)(some_metric)", "avg by (foo) (some_metric)" },
	{ "max by (foo)(some_metric)", "max by (foo) (some_metric)" },
	{ "sum without (foo) (some_metric)", NULL },
	{ "sum (some_metric) without (foo)", "sum without (foo) (some_metric)" },
	{ "stddev(some_metric)", NULL },
	{ "stdvar by (foo)(some_metric)", "stdvar by (foo) (some_metric)" },
	{ "sum by ()(some_metric)", "sum(some_metric)" },
	{ "sum by (foo,bar,)(some_metric)", "sum by (foo, bar) (some_metric)" },
	{ "sum by (foo,)(some_metric)", "sum by (foo) (some_metric)" },
	{ "topk(5, some_metric)", NULL },
	{ "count_values(\"value\", some_metric)", NULL },
	{ "sum without(and, by, avg, count, alert, annotations)(some_metric)",
	  "sum without (and, by, avg, count, alert, annotations) (some_metric)" },
	{ "sum without() (x)", "sum without () (x)" },
	{ "sum(sum)", NULL }, { "group(foo)", NULL }, { "quantile(0.9, foo)", NULL },
	{ "bottomk(3, foo)", NULL }, { "min(foo)", NULL }, { "count(foo)", NULL },
	{ "sum(x) by (a)", "sum by (a) (x)" }, { "topk by (a) (3, x)", NULL },
	{ "sum by (on, ignoring, group_left, group_right, bool, offset, start, end, atan2, sum)(x)",
	  "sum by (on, ignoring, group_left, group_right, bool, offset, start, end, atan2, sum) (x)" },
	{ "sum by (BY) (x)", NULL }, { "sum(rate(x[5m])) by (job)",
	  "sum by (job) (rate(x[5m]))" },
	{ "count_values by (a) (\"v\", x)", NULL },
	{ "quantile(scalar(q), x)", NULL },
	/* Function calls. */
	{ "time()", NULL }, { "floor(some_metric{foo!=\"bar\"})", NULL },
	{ "rate(some_metric[5m])", NULL }, { "round(some_metric)", NULL },
	{ "round(some_metric, 5)", NULL },
	{ "label_join(a, \"dst\", \",\", \"a\", \"b\")", NULL },
	{ "label_join(a, \"dst\", \",\")", NULL },
	{ "label_replace(a, \"dst\", \"$1\", \"src\", \"(.*)\")", NULL },
	{ "hour()", NULL }, { "day_of_week(foo)", NULL },
	{ "histogram_quantile(0.9, rate(x[5m]))", NULL },
	{ "clamp(x, 0, 1)", NULL }, { "vector(1)", NULL }, { "scalar(x)", NULL },
	{ "pi()", NULL }, { "absent(nonexistent{job=\"myjob\"})", NULL },
	{ "quantile_over_time(0.5, x[5m])", NULL },
	{ "holt_winters(x[5m], 0.5, 0.5)", NULL },
	{ "predict_linear(x[5m], 3600)", NULL },
	{ "rate (x[5m])", "rate(x[5m])" },
	{ "abs(-x)", NULL }, { "sort_desc(sum by (a) (x))", NULL },
	/* Strings. */
	{ "\"double-quoted string \\\" with escaped quote\"", NULL },
	{ "'single-quoted string \\' with escaped quote'",
	  "\"single-quoted string ' with escaped quote\"" },
	{ "`backtick-quoted string`", "\"backtick-quoted string\"" },
	{ "\"\\a\\b\\f\\n\\r\\t\\v\\\\\\\" - \\xFF\\377\\u1234\\U00010111\\U0001011111\xe2\x98\xba\"",
	  "\"\\a\\b\\f\\n\\r\\t\\v\\\\\\\" - \\xff\\xff\xe1\x88\xb4\xf0\x90\x84\x91\xf0\x90\x84\x91" "11\xe2\x98\xba\"" },
	{ "'\\a\\b\\f\\n\\r\\t\\v\\\\\\' - \\xFF\\377\\u1234\\U00010111\\U0001011111\xe2\x98\xba'",
	  "\"\\a\\b\\f\\n\\r\\t\\v\\\\' - \\xff\\xff\xe1\x88\xb4\xf0\x90\x84\x91\xf0\x90\x84\x91" "11\xe2\x98\xba\"" },
	{ "`\\a\\b\\f\\n\\r\\t\\v\\\\\\\"\\' - \\xFF\\377\\u1234\\U00010111\\U0001011111\xe2\x98\xba`",
	  "\"\\\\a\\\\b\\\\f\\\\n\\\\r\\\\t\\\\v\\\\\\\\\\\\\\\"\\\\' - \\\\xFF\\\\377\\\\u1234\\\\U00010111\\\\U0001011111\xe2\x98\xba\"" },
	{ "\"\"", NULL }, { "(\"s\")", NULL },
	/* Comments and white space. */
	{ "foo # comment", "foo" }, { "foo # c\n+ bar", "foo + bar" },
	{ "foo{a=\"b\" # c\n}", "foo{a=\"b\"}" }, { "  foo  \n ", "foo" },
	{ "foo\n+\tbar", "foo + bar" }, { "# c\nfoo", "foo" },
	{ "sum\n(\nfoo\n)", "sum(foo)" },
};

/*
 * Invalid expressions and Prometheus' message for each ("line:column:
 * parse error: ..." with a 1-based byte column).
 */
static const struct {
	const char *in;
	const char *msg;
} invalid[] = {
	{ "", "1:1: parse error: no expression found in input" },
	{ "# just a comment\n\n", "1:1: parse error: no expression found in input" },
	{ "1+", "1:3: parse error: unexpected end of input" },
	{ ".", "1:1: parse error: unexpected character: '.'" },
	{ "2.5.", "1:4: parse error: unexpected character: '.'" },
	{ "100..4", "1:5: parse error: unexpected number \".4\"" },
	{ "0deadbeef", "1:1: parse error: bad number or duration syntax: \"0de\"" },
	{ "1 /", "1:4: parse error: unexpected end of input" },
	{ "*1", "1:1: parse error: unexpected <op:*>" },
	{ "(1))", "1:5: parse error: unexpected right parenthesis ')'" },
	{ "((1)", "1:5: parse error: unclosed left parenthesis" },
	{ "(", "1:2: parse error: unclosed left parenthesis" },
	{ "1 and 1", "1:1: parse error: set operator \"and\" not allowed in binary scalar expression" },
	{ "1 == 1", "1:3: parse error: comparisons between scalars must use BOOL modifier" },
	{ "1 or 1", "1:1: parse error: set operator \"or\" not allowed in binary scalar expression" },
	{ "1 unless 1", "1:1: parse error: set operator \"unless\" not allowed in binary scalar expression" },
	{ "1 !~ 1", "1:3: parse error: unexpected character after '!': '~'" },
	{ "1 =~ 1", "1:3: parse error: unexpected character after '=': '~'" },
	{ "-\"string\"", "1:1: parse error: unary expression only allowed on expressions of type scalar or instant vector, got \"string\"" },
	{ "-test[5m]", "1:1: parse error: unary expression only allowed on expressions of type scalar or instant vector, got \"range vector\"" },
	{ "-(foo[5m])", "1:1: parse error: unary expression only allowed on expressions of type scalar or instant vector, got \"range vector\"" },
	{ "*test", "1:1: parse error: unexpected <op:*>" },
	{ "1 offset 1d", "1:1: parse error: offset modifier must be preceded by an instant vector selector or range vector selector or a subquery" },
	{ "-1 offset 1d", "1:2: parse error: offset modifier must be preceded by an instant vector selector or range vector selector or a subquery" },
	{ "foo offset 1s offset 2s", "1:1: parse error: offset may not be set multiple times" },
	{ "a - on(b) ignoring(c) d", "1:11: parse error: unexpected <ignoring>" },
	{ "foo and 1", "1:1: parse error: set operator \"and\" not allowed in binary scalar expression" },
	{ "1 and foo", "1:1: parse error: set operator \"and\" not allowed in binary scalar expression" },
	{ "foo or 1", "1:1: parse error: set operator \"or\" not allowed in binary scalar expression" },
	{ "1 or foo", "1:1: parse error: set operator \"or\" not allowed in binary scalar expression" },
	{ "foo unless 1", "1:1: parse error: set operator \"unless\" not allowed in binary scalar expression" },
	{ "1 unless foo", "1:1: parse error: set operator \"unless\" not allowed in binary scalar expression" },
	{ "1 or on(bar) foo", "1:1: parse error: vector matching only allowed between instant vectors" },
	{ "foo == on(bar) 10", "1:1: parse error: vector matching only allowed between instant vectors" },
	{ "foo + group_left(baz) bar", "1:7: parse error: unexpected <group_left>" },
	{ "foo and on(bar) group_left(baz) bar", "1:1: parse error: no grouping allowed for \"and\" operation" },
	{ "foo and on(bar) group_right(baz) bar", "1:1: parse error: no grouping allowed for \"and\" operation" },
	{ "foo or on(bar) group_left(baz) bar", "1:1: parse error: no grouping allowed for \"or\" operation" },
	{ "foo unless on(bar) group_left(baz) bar", "1:1: parse error: no grouping allowed for \"unless\" operation" },
	{ "http_requests{group=\"production\"} + on(instance) group_left(job,instance) cpu_count{type=\"smp\"}",
	  "1:35: parse error: label \"instance\" must not occur in ON and GROUP clause at once" },
	{ "foo + bool bar", "1:5: parse error: bool modifier can only be used on comparison operators" },
	{ "foo + bool 10", "1:5: parse error: bool modifier can only be used on comparison operators" },
	{ "foo and bool 10", "1:5: parse error: bool modifier can only be used on comparison operators" },
	{ "foo unless bool bar", "1:5: parse error: bool modifier can only be used on comparison operators" },
	{ "foo == on(a) bool bar", "1:14: parse error: unexpected <bool>" },
	{ "{", "1:2: parse error: unexpected end of input inside braces" },
	{ "}", "1:1: parse error: unexpected character: '}'" },
	{ "some{", "1:6: parse error: unexpected end of input inside braces" },
	{ "some}", "1:5: parse error: unexpected character: '}'" },
	{ "some_metric{a=b}", "1:15: parse error: unexpected identifier \"b\" in label matching, expected string" },
	{ "some_metric{a:b=\"b\"}", "1:14: parse error: unexpected character inside braces: ':'" },
	{ "foo{a*\"b\"}", "1:6: parse error: unexpected character inside braces: '*'" },
	{ "foo{a>=\"b\"}", "1:6: parse error: unexpected character inside braces: '>'" },
	{ "some_metric{a=\"\xff\"}", "1:15: parse error: invalid UTF-8 rune" },
	{ "foo{gibberish}", "1:14: parse error: unexpected \"}\" in label matching, expected label matching operator" },
	{ "foo{1}", "1:5: parse error: unexpected character inside braces: '1'" },
	{ "{}", "1:1: parse error: vector selector must contain at least one non-empty matcher" },
	{ "{x=\"\"}", "1:1: parse error: vector selector must contain at least one non-empty matcher" },
	{ "{x=~\".*\"}", "1:1: parse error: vector selector must contain at least one non-empty matcher" },
	{ "{x!~\".+\"}", "1:1: parse error: vector selector must contain at least one non-empty matcher" },
	{ "{x!=\"a\"}", "1:1: parse error: vector selector must contain at least one non-empty matcher" },
	{ "{x=\"\", y!=\"a\"}[5m]", "1:1: parse error: vector selector must contain at least one non-empty matcher" },
	{ "foo{__name__=\"bar\"}", "1:1: parse error: metric name must not be set twice: \"foo\" or \"bar\"" },
	{ "foo{\"bar\"}", "1:1: parse error: metric name must not be set twice: \"foo\" or \"bar\"" },
	/* A label name may not hold a NUL: no series has one. */
	{ "x{a=\"1\", \"a\\x00b\"=\"v\"}", "1:10: parse error: invalid label name \"a\\x00b\"" },
	{ "foo{__name__= =}", "1:15: parse error: unexpected \"=\" in label matching, expected string" },
	{ "foo{,}", "1:5: parse error: unexpected \",\" in label matching, expected identifier or \"}\"" },
	{ "foo{a=\"b\",,}", "1:11: parse error: unexpected \",\" in label matching, expected identifier or \"}\"" },
	{ "foo{__name__ == \"bar\"}", "1:15: parse error: unexpected \"=\" in label matching, expected string" },
	{ "foo{__name__=\"bar\" lol}", "1:20: parse error: unexpected identifier \"lol\" in label matching, expected \",\" or \"}\"" },
	{ "foo{a=\"b\" c=\"d\"}", "1:11: parse error: unexpected identifier \"c\" in label matching, expected \",\" or \"}\"" },
	{ "foo{a!b=\"c\"}", "1:6: parse error: unexpected character after '!' inside braces: 'b'" },
	{ "foo{a=\"b\"}}", "1:11: parse error: unexpected character: '}'" },
	{ "foo{{", "1:5: parse error: unexpected left brace '{'" },
	{ "foo{a=\"b\"", "1:10: parse error: unexpected end of input inside braces" },
	{ "foo{a=\"b\"}{c=\"d\"}", "1:11: parse error: unexpected \"{\"" },
	{ "foo{\xc3\xa9=\"x\"}", "1:5: parse error: unexpected character inside braces: '\xc3\xa9'" },
	{ "foo{a=~\"(\"}", "1:5: parse error: invalid regular expression '(': missing closing parenthesis" },
	{ "foo{a!~\"x(\"}", "1:5: parse error: invalid regular expression 'x(': missing closing parenthesis" },
	{ "foo[5mm]", "1:5: parse error: bad duration syntax: \"5mm\"" },
	{ "foo[5m1]", "1:5: parse error: bad duration syntax: \"5m1\"" },
	{ "foo[5y1hs]", "1:5: parse error: not a valid duration string: \"5y1hs\"" },
	{ "foo[5m1h]", "1:5: parse error: not a valid duration string: \"5m1h\"" },
	{ "foo[5m1m]", "1:5: parse error: not a valid duration string: \"5m1m\"" },
	{ "foo[1.5m]", "1:5: parse error: not a valid duration string: \"1.5m\"" },
	{ "foo[0x1m]", "1:5: parse error: not a valid duration string: \"0x1m\"" },
	{ "foo[0m]", "1:5: parse error: duration must be greater than 0" },
	{ "foo offset 0s", "1:12: parse error: duration must be greater than 0" },
	{ "foo[300y]", "1:5: parse error: duration out of range" },
	{ "foo[\"5m\"]", "1:5: parse error: missing unit character in duration" },
	{ "foo[]", "1:5: parse error: missing unit character in duration" },
	{ "foo[1]", "1:5: parse error: missing unit character in duration" },
	{ "foo[-5m]", "1:5: parse error: missing unit character in duration" },
	{ "foo[[5m]", "1:5: parse error: missing unit character in duration" },
	{ "some_metric[5m] OFFSET 1", "1:24: parse error: unexpected number \"1\" in offset, expected duration" },
	{ "some_metric[5m] OFFSET 1mm", "1:24: parse error: bad number or duration syntax: \"1mm\"" },
	{ "some_metric[5m] OFFSET", "1:23: parse error: unexpected end of input in offset, expected duration" },
	{ "foo offset -", "1:13: parse error: unexpected end of input in offset, expected duration" },
	{ "foo offset - 1", "1:14: parse error: unexpected number \"1\" in offset, expected duration" },
	{ "some_metric OFFSET 1m[5m]", "1:22: parse error: no offset modifiers allowed before range" },
	{ "some_metric @ 1m", "1:15: parse error: unexpected duration \"1m\" in @, expected timestamp" },
	{ "some_metric[5m] @", "1:18: parse error: unexpected end of input in @, expected timestamp" },
	{ "some_metric @ 1234 [5m]", "1:20: parse error: no @ modifiers allowed before range" },
	{ "foo @ 1 offset 1s [5m]", "1:19: parse error: no offset modifiers allowed before range" },
	{ "(foo + bar)[5m]", "1:12: parse error: ranges only allowed for vector selectors" },
	{ "(foo)[5m]", "1:6: parse error: ranges only allowed for vector selectors" },
	{ "sum(foo)[5m]", "1:9: parse error: ranges only allowed for vector selectors" },
	{ "foo[5m][5m]", "1:8: parse error: ranges only allowed for vector selectors" },
	{ "rate(food[1m])[1h] offset 1h", "1:15: parse error: ranges only allowed for vector selectors" },
	{ "rate(food[1m])[1h] @ 100", "1:15: parse error: ranges only allowed for vector selectors" },
	{ "vector(1) offset 5m", "1:1: parse error: offset modifier must be preceded by an instant vector selector or range vector selector or a subquery" },
	{ "(foo) offset 5m", "1:1: parse error: offset modifier must be preceded by an instant vector selector or range vector selector or a subquery" },
	{ "sum without(==)(some_metric)", "1:13: parse error: unexpected <op:==> in grouping opts, expected label" },
	{ "sum some_metric by (test)", "1:5: parse error: unexpected identifier \"some_metric\"" },
	{ "sum (some_metric) by test", "1:22: parse error: unexpected identifier \"test\" in grouping opts, expected \"(\"" },
	{ "sum (some_metric) by test)", "1:22: parse error: unexpected identifier \"test\" in grouping opts, expected \"(\"" },
	{ "sum () by (test)", "1:1: parse error: no arguments for aggregate expression provided" },
	{ "MIN keep_common (some_metric)", "1:5: parse error: unexpected identifier \"keep_common\"" },
	{ "MIN (some_metric) keep_common", "1:19: parse error: unexpected identifier \"keep_common\"" },
	{ "sum (some_metric) without (test) by (test)", "1:34: parse error: unexpected <by>" },
	{ "sum without (test) (some_metric) by (test)", "1:34: parse error: unexpected <by>" },
	{ "sum by () (x) by (b)", "1:15: parse error: unexpected <by>" },
	{ "sum(x) by (a) by (b)", "1:15: parse error: unexpected <by>" },
	{ "topk(some_metric)", "1:1: parse error: wrong number of arguments for aggregate expression provided, expected 2, got 1" },
	{ "topk(1, x, y)", "1:1: parse error: wrong number of arguments for aggregate expression provided, expected 2, got 3" },
	{ "sum(a, b)", "1:1: parse error: wrong number of arguments for aggregate expression provided, expected 1, got 2" },
	{ "topk(some_metric,)", "1:17: parse error: trailing commas not allowed in function call args" },
	{ "rate(x[5m],)", "1:11: parse error: trailing commas not allowed in function call args" },
	{ "topk(some_metric, other_metric)", "1:6: parse error: expected type scalar in aggregation parameter, got instant vector" },
	{ "count_values(5, other_metric)", "1:14: parse error: expected type string in aggregation parameter, got scalar" },
	{ "quantile(\"a\", foo)", "1:10: parse error: expected type scalar in aggregation parameter, got string" },
	{ "sum(foo[5m])", "1:5: parse error: expected type instant vector in aggregation expression, got range vector" },
	{ "sum(\"x\")", "1:5: parse error: expected type instant vector in aggregation expression, got string" },
	{ "sum(1)", "1:5: parse error: expected type instant vector in aggregation expression, got scalar" },
	{ "rate(some_metric[5m]) @ 1234", "1:1: parse error: @ modifier must be preceded by an instant vector selector or range vector selector or a subquery" },
	{ "floor()", "1:1: parse error: expected 1 argument(s) in call to \"floor\", got 0" },
	{ "floor(some_metric, other_metric)", "1:1: parse error: expected 1 argument(s) in call to \"floor\", got 2" },
	{ "floor(some_metric, 1)", "1:1: parse error: expected 1 argument(s) in call to \"floor\", got 2" },
	{ "floor(1)", "1:7: parse error: expected type instant vector in call to function \"floor\", got scalar" },
	{ "hour(some_metric, some_metric, some_metric)", "1:1: parse error: expected at most 1 argument(s) in call to \"hour\", got 3" },
	{ "time(some_metric)", "1:1: parse error: expected 0 argument(s) in call to \"time\", got 1" },
	{ "non_existent_function_far_bar()", "1:1: parse error: unknown function with name \"non_existent_function_far_bar\"" },
	{ "rate(some_metric)", "1:6: parse error: expected type range vector in call to function \"rate\", got instant vector" },
	{ "rate(avg)", "1:6: parse error: expected type range vector in call to function \"rate\", got instant vector" },
	{ "label_join(a)", "1:1: parse error: expected at least 3 argument(s) in call to \"label_join\", got 1" },
	{ "label_join(a, \"b\", \"c\", 1)", "1:25: parse error: expected type string in call to function \"label_join\", got scalar" },
	{ "round(a, b)", "1:10: parse error: expected type scalar in call to function \"round\", got instant vector" },
	{ "round(a, 1, 2)", "1:1: parse error: expected at most 2 argument(s) in call to \"round\", got 3" },
	{ "label_replace(a, `b`, `c\xff`, `d`, `.*`)", "1:23: parse error: invalid UTF-8 rune" },
	{ "-=", "1:2: parse error: unexpected \"=\"" },
	{ "++-++-+-+-<", "1:11: parse error: unexpected <op:<>" },
	{ "e-+=/(0)", "1:4: parse error: unexpected \"=\"" },
	{ "a>b()", "1:3: parse error: unknown function with name \"b\"" },
	/* Unknown functions are parse errors, found before any type error. */
	{ "b(rate(x))", "1:1: parse error: unknown function with name \"b\"" },
	{ "\"\\", "1:1: parse error: escape sequence not terminated" },
	{ "\"\\c\"", "1:1: parse error: unknown escape sequence U+0063 'c'" },
	{ "\"\\x.\"", "1:1: parse error: illegal character U+002E '.' in escape sequence" },
	{ "`\\``", "1:4: parse error: unterminated raw string" },
	{ "\"\\ud800\"", "1:1: parse error: escape sequence is an invalid Unicode code point" },
	{ "\"\\400\"", "1:1: parse error: escape sequence is an invalid Unicode code point" },
	{ "\"\\U00110000\"", "1:1: parse error: escape sequence is an invalid Unicode code point" },
	{ "\"\\x4\"", "1:1: parse error: illegal character U+0022 '\"' in escape sequence" },
	{ "\"abc", "1:1: parse error: unterminated quoted string" },
	{ "\"a\nb\"", "1:1: parse error: unterminated quoted string" },
	{ "'\\\"'", "1:1: parse error: unknown escape sequence U+0022 '\"'" },
	{ "\"\\'\"", "1:1: parse error: unknown escape sequence U+0027 '''" },
	{ "foo{bar=\"baz\"}[", "1:16: parse error: missing unit character in duration" },
	{ "foo{bar=\"baz\"}[10m:6s", "1:22: parse error: unclosed left bracket" },
	{ "foo[5m:1m:1m]", "1:10: parse error: unexpected colon ':'" },
	{ "foo[5m x y]", "1:10: parse error: unexpected colon 'y'" },
	{ "foo{a=\"b\"}[5m:1]", "1:15: parse error: unexpected number \"1\" in subquery selector, expected duration or \"]\"" },
	{ "foo[5m 5m]", "1:8: parse error: unexpected duration \"5m\" in subquery or range, expected \":\" or \"]\"" },
	{ "foo[5m:5m 5m]", "1:11: parse error: unexpected duration \"5m\" in subquery selector, expected \"]\"" },
	{ "test[5d] OFFSET 10s [10m:5s]", "1:1: parse error: subquery is only allowed on instant vector, got matrix instead" },
	{ "(foo + bar{nm=\"val\"})[5m:][10m:5s]", "1:1: parse error: subquery is only allowed on instant vector, got matrix instead" },
	{ "1[5m:]", "1:1: parse error: subquery is only allowed on instant vector, got scalar instead" },
	{ "\"x\"[5m:]", "1:1: parse error: subquery is only allowed on instant vector, got string instead" },
	{ "foo @ +Inf", "1:1: parse error: timestamp out of bounds for @ modifier: +Inf" },
	{ "foo @ -Inf", "1:1: parse error: timestamp out of bounds for @ modifier: -Inf" },
	{ "foo @ NaN", "1:1: parse error: timestamp out of bounds for @ modifier: NaN" },
	{ "foo @ 9.223372036854776e+18", "1:1: parse error: timestamp out of bounds for @ modifier: 9223372036854775808.000000" },
	{ "foo @ -9.223372036854776e+18", "1:1: parse error: timestamp out of bounds for @ modifier: -9223372036854775808.000000" },
	{ "foo @ start() @ end()", "1:1: parse error: @ <timestamp> may not be set multiple times" },
	{ "foo @ 1 @ 2", "1:1: parse error: @ <timestamp> may not be set multiple times" },
	{ "foo[5m] @ start() @ 5", "1:1: parse error: @ <timestamp> may not be set multiple times" },
	{ "foo[5m:] offset 1m offset 2m", "1:1: parse error: offset may not be set multiple times" },
	{ "foo @ start", "1:12: parse error: unexpected end of input in @, expected timestamp" },
	{ "foo @ start(1)", "1:13: parse error: unexpected number \"1\" in @, expected timestamp" },
	{ "foo @ start(", "1:13: parse error: unclosed left parenthesis" },
	{ "foo @ 5m", "1:7: parse error: unexpected duration \"5m\" in @, expected timestamp" },
	{ "start()", "1:6: parse error: unexpected \"(\"" },
	{ "end()", "1:4: parse error: unexpected \"(\"" },
	{ "@", "1:1: parse error: unexpected <op:@>" },
	{ "@@", "1:1: parse error: unexpected <op:@>" },
	{ "sum(a b)", "1:7: parse error: unexpected identifier \"b\" in aggregation" },
	{ "sum(rate(a b))", "1:12: parse error: unexpected identifier \"b\" in aggregation" },
	{ "sum(,)", "1:5: parse error: unexpected \",\" in aggregation" },
	{ "rate(a b)", "1:8: parse error: unexpected identifier \"b\"" },
	{ "rate(,)", "1:6: parse error: unexpected \",\"" },
	{ "(a b)", "1:4: parse error: unexpected identifier \"b\"" },
	{ "()", "1:2: parse error: unexpected \")\"" },
	{ "sum by (a) foo", "1:12: parse error: unexpected identifier \"foo\" in aggregation" },
	{ "sum by", "1:7: parse error: unexpected end of input in grouping opts, expected \"(\"" },
	{ "sum by (a b) (x)", "1:11: parse error: unexpected identifier \"b\" in grouping opts, expected \",\" or \")\"" },
	{ "sum by (foo:bar) (x)", "1:9: parse error: unexpected metric identifier \"foo:bar\" in grouping opts, expected label" },
	{ "sum by (,) (x)", "1:9: parse error: unexpected \",\" in grouping opts, expected label" },
	{ "sum by (a,,) (x)", "1:11: parse error: unexpected \",\" in grouping opts, expected label" },
	{ "sum by (without) (x)", "1:9: parse error: unexpected <without> in grouping opts, expected label" },
	{ "sum by (\"a\") (x)", "1:9: parse error: unexpected string \"\\\"a\\\"\" in grouping opts, expected label" },
	{ "sum without (a) (b) (c)", "1:21: parse error: unexpected \"(\"" },
	{ "foo * on bar", "1:10: parse error: unexpected identifier \"bar\" in grouping opts, expected \"(\"" },
	{ "a = b", "1:3: parse error: unexpected \"=\"" },
	{ "foo bar", "1:5: parse error: unexpected identifier \"bar\"" },
	{ "foo bar:baz", "1:5: parse error: unexpected metric identifier \"bar:baz\"" },
	{ "1 2", "1:3: parse error: unexpected number \"2\"" },
	{ "foo \"bar\"", "1:5: parse error: unexpected string \"\\\"bar\\\"\"" },
	{ "foo \"a long string here\"", "1:5: parse error: unexpected string \"\\\"a long st\"..." },
	{ "1 12345678901", "1:3: parse error: unexpected number \"1234567890\"..." },
	{ "foo 5m", "1:5: parse error: unexpected duration \"5m\"" },
	{ "foo ]", "1:5: parse error: unexpected right bracket ']'" },
	{ "foo[5m]]", "1:8: parse error: unexpected right bracket ']'" },
	{ "foo on", "1:5: parse error: unexpected <on>" },
	{ "foo, bar", "1:4: parse error: unexpected \",\"" },
	{ "1e", "1:1: parse error: error parsing number: strconv.ParseFloat: parsing \"1e\": invalid syntax" },
	{ "0x", "1:1: parse error: error parsing number: strconv.ParseFloat: parsing \"0x\": invalid syntax" },
	{ "0x1.8", "1:1: parse error: error parsing number: strconv.ParseFloat: parsing \"0x1.8\": invalid syntax" },
	{ "1e500", "1:1: parse error: error parsing number: strconv.ParseFloat: parsing \"1e500\": value out of range" },
	{ "1_000", "1:1: parse error: bad number or duration syntax: \"1\"" },
	{ "1 + +", "1:6: parse error: unexpected end of input" },
	{ "\"foo\" + 1", "1:1: parse error: binary expression must contain only scalar and instant vector types" },
	{ "1 + foo[5m]", "1:5: parse error: binary expression must contain only scalar and instant vector types" },
	{ "foo{a=\"b\"}[5m] * 2", "1:1: parse error: binary expression must contain only scalar and instant vector types" },
	{ "foo\n+\n\"x\"", "3:1: parse error: binary expression must contain only scalar and instant vector types" },
	{ "foo{\n a=b}", "2:4: parse error: unexpected identifier \"b\" in label matching, expected string" },
	{ "foo !~ bar", "1:5: parse error: unexpected character after '!': '~'" },
	{ "foo ! bar", "1:5: parse error: unexpected character after '!': ' '" },
	{ "$foo", "1:1: parse error: unexpected character: '$'" },
	{ "foo \xc3\xa9", "1:5: parse error: unexpected character: '\xc3\xa9'" },
	{ "foo \x01", "1:5: parse error: unexpected character: '\\x01'" },
	{ "foo \xff", "1:5: parse error: unexpected character: '\xef\xbf\xbd'" },
	{ "foo(", "1:5: parse error: unclosed left parenthesis" },
	{ "foo[5m:1m", "1:10: parse error: unclosed left bracket" },
	{ "sum(x) + (a b)", "1:13: parse error: unexpected identifier \"b\"" },
};

/* The shape of a tree: binary and unary nodes as S-expressions. */
static void
dump(struct buf *b, const struct promql_node *n)
{
	switch (n->kind) {
	case PROMQL_BINARY:
		buf_addf(b, "(%s%s ", promql_binop_str(n->binary.op),
		    n->binary.return_bool ? " bool" : "");
		dump(b, n->binary.lhs);
		buf_addch(b, ' ');
		dump(b, n->binary.rhs);
		buf_addch(b, ')');
		break;
	case PROMQL_UNARY:
		buf_adds(b, n->unary.negate ? "(neg " : "(pos ");
		dump(b, n->unary.expr);
		buf_addch(b, ')');
		break;
	case PROMQL_PAREN:
		buf_adds(b, "(paren ");
		dump(b, n->paren.expr);
		buf_addch(b, ')');
		break;
	default:
		promql_print(b, n);
		break;
	}
}

static const struct {
	const char *in;
	const char *tree;
} trees[] = {
	{ "1 + 2 * 3", "(+ 1 (* 2 3))" },
	{ "1 * 2 + 3", "(+ (* 1 2) 3)" },
	{ "2 ^ 3 ^ 2", "(^ 2 (^ 3 2))" },
	{ "1 - 2 - 3", "(- (- 1 2) 3)" },
	{ "1 / 2 / 3", "(/ (/ 1 2) 3)" },
	{ "1 / 2 * 3 % 4", "(% (* (/ 1 2) 3) 4)" },
	{ "-2 ^ 2", "(neg (^ 2 2))" },
	{ "-2 * 2", "(* -2 2)" },
	{ "a or b and c", "(or a (and b c))" },
	{ "a and b or c", "(or (and a b) c)" },
	{ "a unless b and c", "(and (unless a b) c)" },
	{ "a or b unless c", "(or a (unless b c))" },
	{ "a or b or c", "(or (or a b) c)" },
	{ "a == b + c", "(== a (+ b c))" },
	{ "a + b == c", "(== (+ a b) c)" },
	{ "a > b and c < d", "(and (> a b) (< c d))" },
	{ "a == bool b != bool c", "(!= bool (== bool a b) c)" },
	{ "a atan2 b * c", "(* (atan2 a b) c)" },
	{ "a + b atan2 c", "(+ a (atan2 b c))" },
	{ "a % b ^ c", "(% a (^ b c))" },
	{ "a ^ b * c", "(* (^ a b) c)" },
	{ "-a ^ b", "(neg (^ a b))" },
	{ "-a * b", "(* (neg a) b)" },
	{ "-a + b", "(+ (neg a) b)" },
	{ "- -a", "(neg (neg a))" },
	{ "- - 1", "1" },
	{ "+-1", "-1" },
	{ "Inf ^ 2", "(^ +Inf 2)" },
	{ "+Inf ^ 2", "(pos (^ +Inf 2))" },
	{ "a ^ -b ^ c", "(^ a (neg (^ b c)))" },
	{ "2 * -3 ^ 2", "(* 2 (neg (^ 3 2)))" },
	{ "a - b offset 5m", "(- a b offset 5m)" },
	{ "-a offset 5m", "(neg a offset 5m)" },
	{ "-a @ 5", "(neg a @ 5.000)" },
	{ "a + rate(b[5m])", "(+ a rate(b[5m]))" },
	{ "a + b + c", "(+ (+ a b) c)" },
	{ "a * (b + c)", "(* a (paren (+ b c)))" },
	{ "a < bool b", "(< bool a b)" },
	{ "a + on(x) b * ignoring(y) c", "(+ a (* b c))" },
	{ "1 + -2 * 1", "(+ 1 (* -2 1))" },
	{ "a - -b", "(- a (neg b))" },
	{ "a or b + c > d and e", "(or a (and (> (+ b c) d) e))" },
	{ "a * on(x) group_left (y) b", "(* a b)" },
};

static const struct {
	const char *in;
	enum promql_type type;
} types[] = {
	{ "1", PROMQL_TYPE_SCALAR }, { "foo", PROMQL_TYPE_VECTOR },
	{ "foo[5m]", PROMQL_TYPE_MATRIX }, { "foo[5m:]", PROMQL_TYPE_MATRIX },
	{ "\"s\"", PROMQL_TYPE_STRING }, { "1 + 1", PROMQL_TYPE_SCALAR },
	{ "foo + 1", PROMQL_TYPE_VECTOR }, { "1 - foo", PROMQL_TYPE_VECTOR },
	{ "time()", PROMQL_TYPE_SCALAR }, { "scalar(foo)", PROMQL_TYPE_SCALAR },
	{ "-1", PROMQL_TYPE_SCALAR }, { "-foo", PROMQL_TYPE_VECTOR },
	{ "(foo[5m])", PROMQL_TYPE_MATRIX }, { "sum(foo)", PROMQL_TYPE_VECTOR },
	{ "pi() * 2", PROMQL_TYPE_SCALAR }, { "rate(x[1m])", PROMQL_TYPE_VECTOR },
	{ "(\"s\")", PROMQL_TYPE_STRING }, { "-(1)", PROMQL_TYPE_SCALAR },
	{ "1 > bool 2", PROMQL_TYPE_SCALAR }, { "vector(1)", PROMQL_TYPE_VECTOR },
	{ "rate(x[5m])[30m:1m]", PROMQL_TYPE_MATRIX },
};

/* Every function of Prometheus 2.42, which must all be known. */
static const char *const functions[] = {
	"abs", "absent", "absent_over_time", "acos", "acosh", "asin", "asinh",
	"atan", "atanh", "avg_over_time", "ceil", "changes", "clamp",
	"clamp_max", "clamp_min", "cos", "cosh", "count_over_time",
	"days_in_month", "day_of_month", "day_of_week", "day_of_year", "deg",
	"delta", "deriv", "exp", "floor", "histogram_count",
	"histogram_fraction", "histogram_quantile", "histogram_sum",
	"holt_winters", "hour", "idelta", "increase", "irate", "label_join",
	"label_replace", "last_over_time", "ln", "log10", "log2",
	"mad_over_time", "max_over_time", "min_over_time", "minute", "month",
	"pi", "predict_linear", "present_over_time", "quantile_over_time",
	"rad", "rate", "resets", "round", "scalar", "sgn", "sin", "sinh",
	"sort", "sort_desc", "sqrt", "stddev_over_time", "stdvar_over_time",
	"sum_over_time", "tan", "tanh", "time", "timestamp", "vector", "year",
};

static int
parse_fmt(const char *in, struct buf *out, struct errbuf *eb)
{
	struct promql_node *n;

	buf_reset(out);
	if (promql_parse(in, &n, eb) == -1)
		return -1;
	promql_print(out, n);
	promql_free(n);
	return 0;
}

static void
test_valid(void)
{
	struct buf got = BUF_INIT, again = BUF_INIT, t1 = BUF_INIT, t2 = BUF_INIT;
	struct promql_node *n1, *n2;
	size_t i;

	for (i = 0; i < NELEM(valid); i++) {
		struct errbuf eb = ERRBUF_INIT;
		const char *want = valid[i].out ? valid[i].out : valid[i].in;

		if (parse_fmt(valid[i].in, &got, &eb) == -1) {
			ok(0, "valid: %s: %s", valid[i].in, eb.msg);
			continue;
		}
		is_str(got.p, want, "valid: %s", valid[i].in);
		/* Round trip: the printed form parses to the same tree. */
		buf_reset(&t1);
		buf_reset(&t2);
		if (promql_parse(valid[i].in, &n1, &eb) == 0 &&
		    promql_parse(got.p, &n2, &eb) == 0) {
			dump(&t1, n1);
			dump(&t2, n2);
			parse_fmt(got.p, &again, &eb);
			ok(strcmp(t1.p, t2.p) == 0 && strcmp(again.p, got.p) == 0,
			    "round trip: %s", got.p);
			promql_free(n1);
			promql_free(n2);
		} else {
			ok(0, "round trip: %s: %s", got.p, eb.msg);
		}
	}
	buf_release(&got);
	buf_release(&again);
	buf_release(&t1);
	buf_release(&t2);
}

static void
test_invalid(void)
{
	struct promql_node *n = NULL;
	struct buf name = BUF_INIT;
	size_t i;

	for (i = 0; i < NELEM(invalid); i++) {
		struct errbuf eb = ERRBUF_INIT;
		int rc = promql_parse(invalid[i].in, &n, &eb);

		buf_reset(&name);
		promql_quote(&name, invalid[i].in, strlen(invalid[i].in));
		if (invalid[i].msg[0] == '\0')
			continue;
		is_int(rc, -1, "invalid: %s", name.p);
		is_str(eb.msg, invalid[i].msg, "... its message: %s", name.p);
	}
	buf_release(&name);
}

static void
test_big_number(void)
{
	char in[320], want[512];
	struct promql_node *n;
	struct errbuf eb = ERRBUF_INIT;

	memset(in, '9', 309);
	in[309] = '\0';
	snprintf(want, sizeof(want), "1:1: parse error: error parsing number: "
	    "strconv.ParseFloat: parsing \"%s\": value out of range", in);
	is_int(promql_parse(in, &n, &eb), -1, "309 nines overflow a double");
	is_str(eb.msg, want, "... saying so");
}

static void
test_trees(void)
{
	struct buf b = BUF_INIT;
	struct promql_node *n;
	size_t i;

	for (i = 0; i < NELEM(trees); i++) {
		struct errbuf eb = ERRBUF_INIT;

		buf_reset(&b);
		if (promql_parse(trees[i].in, &n, &eb) == -1) {
			ok(0, "tree: %s: %s", trees[i].in, eb.msg);
			continue;
		}
		dump(&b, n);
		is_str(b.p, trees[i].tree, "tree: %s", trees[i].in);
		promql_free(n);
	}
	buf_release(&b);
}

static void
test_types(void)
{
	struct promql_node *n;
	size_t i;

	for (i = 0; i < NELEM(types); i++) {
		struct errbuf eb = ERRBUF_INIT;

		if (promql_parse(types[i].in, &n, &eb) == -1) {
			ok(0, "type: %s: %s", types[i].in, eb.msg);
			continue;
		}
		is_str(promql_type_name(promql_node_type(n)),
		    promql_type_name(types[i].type), "type: %s", types[i].in);
		promql_free(n);
	}
}

/* An argument of type 't', as text. */
static const char *
arg_of(enum promql_type t)
{
	switch (t) {
	case PROMQL_TYPE_SCALAR: return "1";
	case PROMQL_TYPE_VECTOR: return "v";
	case PROMQL_TYPE_MATRIX: return "m[5m]";
	case PROMQL_TYPE_STRING: return "\"s\"";
	default:                 return "?";
	}
}

/* Call 'f' with 'nargs' arguments of the right types. */
static int
call_ok(const struct promql_func *f, int nargs)
{
	struct buf b = BUF_INIT;
	struct promql_node *n = NULL;
	struct errbuf eb = ERRBUF_INIT;
	int i, rc;

	buf_addf(&b, "%s(", f->name);
	for (i = 0; i < nargs; i++)
		buf_addf(&b, "%s%s", i ? ", " : "",
		    arg_of(f->args[i < f->nargs ? i : f->nargs - 1]));
	buf_addch(&b, ')');
	rc = promql_parse(b.p, &n, &eb) == 0 && n->kind == PROMQL_CALL &&
	    n->call.func == f && promql_node_type(n) == f->ret;
	if (!rc)
		printf("# %s: %s\n", b.p, eb.msg);
	promql_free(n);
	buf_release(&b);
	return rc;
}

static void
test_functions(void)
{
	const struct promql_func *f;
	size_t i, count = 0;

	for (i = 0; i < NELEM(functions); i++) {
		f = promql_func_lookup(functions[i], strlen(functions[i]));
		ok(f != NULL && strcmp(f->name, functions[i]) == 0,
		    "function %s is known", functions[i]);
		if (f == NULL)
			continue;
		ok(call_ok(f, f->nargs), "... and takes %d argument(s)", f->nargs);
		if (f->variadic != 0)
			ok(call_ok(f, f->nargs - 1), "... or one fewer");
		if (f->variadic == -1)
			ok(call_ok(f, f->nargs + 3), "... or three more");
	}
	for (f = promql_funcs; f->name != NULL; f++) {
		count++;
		ok(f[1].name == NULL || strcmp(f->name, f[1].name) < 0,
		    "table sorted at %s", f->name);
	}
	is_int(count, NELEM(functions), "no function beyond the list");
	ok(promql_func_lookup("rat", 3) == NULL, "no 'rat'");
	ok(promql_func_lookup("rates", 5) == NULL, "no 'rates'");
	ok(promql_func_lookup("", 0) == NULL, "no ''");
	ok(promql_func_lookup("zzz", 3) == NULL, "no 'zzz'");
	ok(promql_func_lookup("aaa", 3) == NULL, "no 'aaa'");
	ok(promql_func_lookup("ratex", 4) != NULL, "'rate' by length");
}

static const char *const tok_names[] = {
	"EOF", "IDENT", "METRIC_IDENT", "NUMBER", "DURATION", "STRING",
	"(", ")", "{", "}", "[", "]", ",", ":", "=",
	"+", "-", "*", "/", "%", "^", "==", "!=", "<=", "<", ">=", ">", "=~",
	"!~", "@", "and", "or", "unless", "atan2",
	"avg", "bottomk", "count", "count_values", "group", "max", "min",
	"quantile", "stddev", "stdvar", "sum", "topk",
	"bool", "by", "group_left", "group_right", "ignoring", "offset", "on",
	"without", "start", "end",
};

static const struct {
	const char *in;
	const char *toks;
} lexes[] = {
	{ "foo{a=\"b\"}[5m] offset 1h",
	  "IDENT { IDENT = STRING } [ DURATION ] offset DURATION EOF" },
	{ "sum by (a) (x)", "sum by ( IDENT ) ( IDENT ) EOF" },
	{ "a:b_c :x", "METRIC_IDENT METRIC_IDENT EOF" },
	{ "1 0x1f .5 5. 1e3 Inf nan 1E-3", "NUMBER NUMBER NUMBER NUMBER NUMBER NUMBER NUMBER NUMBER EOF" },
	{ "5m 1h30m 500ms 1y 2w1d", "DURATION DURATION DURATION DURATION DURATION EOF" },
	{ "== != <= < >= > + - * / % ^ @ =", "== != <= < >= > + - * / % ^ @ = EOF" },
	{ "and or unless atan2 AND", "and or unless atan2 and EOF" },
	{ "by without on ignoring group_left group_right bool offset start end",
	  "by without on ignoring group_left group_right bool offset start end EOF" },
	{ "avg bottomk count count_values group max min quantile stddev stdvar sum topk",
	  "avg bottomk count count_values group max min quantile stddev stdvar sum topk EOF" },
	{ "{a!=\"b\",c=~\"d\",e!~'f',g=`h`}",
	  "{ IDENT != STRING , IDENT =~ STRING , IDENT !~ STRING , IDENT = STRING } EOF" },
	{ "{by=\"x\", offset=\"y\"}", "{ IDENT = STRING , IDENT = STRING } EOF" },
	{ "x # comment\n y", "IDENT IDENT EOF" },
	{ "x[5m:1m]", "IDENT [ DURATION : DURATION ] EOF" },
	{ "x[5m:]", "IDENT [ DURATION : ] EOF" },
	{ "`raw`'single'\"double\"", "STRING STRING STRING EOF" },
	{ "infinity nanx", "IDENT IDENT EOF" },
	{ "", "EOF" },
};

static void
test_lexer(void)
{
	struct promql_lexer lx;
	struct promql_token t;
	struct buf b = BUF_INIT;
	size_t i;

	for (i = 0; i < NELEM(lexes); i++) {
		struct errbuf eb = ERRBUF_INIT;

		buf_reset(&b);
		promql_lex_init(&lx, lexes[i].in, strlen(lexes[i].in));
		do {
			if (promql_lex_next(&lx, &t, &eb) == -1) {
				buf_addf(&b, "ERROR(%s)", eb.msg);
				break;
			}
			buf_addf(&b, "%s%s", b.len ? " " : "", tok_names[t.type]);
		} while (t.type != PROMQL_T_EOF);
		is_str(b.p, lexes[i].toks, "lex: %s", lexes[i].in);
	}
	promql_lex_init(&lx, "  foo  bar", 10);
	promql_lex_next(&lx, &t, NULL);
	ok(t.pos == 2 && t.len == 3, "token position 2, length 3");
	promql_lex_next(&lx, &t, NULL);
	ok(t.pos == 7 && t.len == 3, "token position 7, length 3");
	promql_lex_next(&lx, &t, NULL);
	ok(t.type == PROMQL_T_EOF && t.pos == 10, "EOF at the end");
	promql_lex_next(&lx, &t, NULL);
	ok(t.type == PROMQL_T_EOF, "EOF again");
	/* The source need not be NUL-terminated: lex a prefix. */
	promql_lex_init(&lx, "foo{", 3);
	promql_lex_next(&lx, &t, NULL);
	ok(t.type == PROMQL_T_IDENT && t.len == 3, "length bounds the source");
	promql_lex_next(&lx, &t, NULL);
	ok(t.type == PROMQL_T_EOF, "... and ends it");
	buf_release(&b);
}

static void
test_quoting(void)
{
	static const struct {
		const char *in;
		const char *out;
		size_t outlen;
	} unq[] = {
		{ "\"a\\tb\"", "a\tb", 3 }, { "'\\''", "'", 1 },
		{ "`\\n`", "\\n", 2 }, { "\"\\x41\\101\"", "AA", 2 },
		{ "\"\\u00e9\\U0001F600\"", "\xc3\xa9\xf0\x9f\x98\x80", 6 },
		{ "\"\\xff\"", "\xff", 1 }, { "\"\\x00z\"", "\0z", 2 },
		{ "\"\"", "", 0 }, { "\"\\\\\"", "\\", 1 },
	};
	static const char *const bad[] = {
		"\"\\q\"", "\"abc", "'a\"", "\"", "x", "\"\\x4\"", "\"\\400\"",
		"\"\\'\"", "`a`b`", "\"a\"b\"", "\"\\ud800\"",
	};
	struct buf b = BUF_INIT;
	size_t i;

	for (i = 0; i < NELEM(unq); i++) {
		buf_reset(&b);
		ok(promql_unquote(unq[i].in, strlen(unq[i].in), &b, NULL) == 0 &&
		    b.len == unq[i].outlen &&
		    memcmp(b.p ? b.p : "", unq[i].out, b.len) == 0,
		    "unquote %s", unq[i].in);
	}
	for (i = 0; i < NELEM(bad); i++) {
		struct errbuf eb = ERRBUF_INIT;
		buf_reset(&b);
		is_int(promql_unquote(bad[i], strlen(bad[i]), &b, &eb), -1,
		    "unquote refuses %s", bad[i]);
	}
	buf_reset(&b);
	promql_quote(&b, "a\"b\\c\n\x01\x7f\xff \xc3\xa9\xc2\xa0\xe2\x80\xa8", 17);
	is_str(b.p, "\"a\\\"b\\\\c\\n\\x01\\x7f\\xff \xc3\xa9\\u00a0\\u2028\"",
	    "quote as Go does");
	buf_reset(&b);
	promql_quote(&b, "\xed\xa0\x80\xc0\xaf", 5);	/* surrogate, overlong */
	is_str(b.p, "\"\\xed\\xa0\\x80\\xc0\\xaf\"", "invalid UTF-8 byte by byte");
	buf_release(&b);
}

static void
test_durations(void)
{
	static const struct {
		long long ms;
		const char *s;
	} d[] = {
		{ 0, "0s" }, { 1, "1ms" }, { 1000, "1s" }, { 90000, "1m30s" },
		{ 5400000, "1h30m" }, { 7776000000LL, "90d" }, { 604800000, "1w" },
		{ 31536000000LL, "1y" }, { 31622400000LL, "366d" },
		{ 1209600000, "2w" }, { 90000000, "1d1h" }, { 1500, "1s500ms" },
		{ 63072000000LL, "2y" },
	};
	struct buf b = BUF_INIT;
	size_t i;

	for (i = 0; i < NELEM(d); i++) {
		buf_reset(&b);
		promql_print_duration(&b, d[i].ms);
		is_str(b.p, d[i].s, "duration %lld ms", d[i].ms);
	}
	buf_release(&b);
}

/* The fields an evaluator reads. */
static void
test_ast(void)
{
	struct promql_node *n;
	struct errbuf eb = ERRBUF_INIT;
	const struct promql_node *vs;

	promql_parse("foo{a=\"b\"} offset 5m @ 10", &n, &eb);
	ok(n->kind == PROMQL_VECTOR_SELECTOR && strcmp(n->vs.name, "foo") == 0,
	    "selector named foo");
	ok(n->vs.nmatchers == 2 && strcmp(n->vs.matchers[1].name, "__name__") == 0 &&
	    strcmp(n->vs.matchers[1].value, "foo") == 0, "... name matcher last");
	ok(n->vs.mods.offset_ms == 300000 && n->vs.mods.at == PROMQL_AT_TIME &&
	    n->vs.mods.at_ms == 10000, "... offset and @");
	ok(n->pos == 0 && n->end == 25, "... spans the text");
	is_str(promql_selector_name(n), "foo", "... promql_selector_name");
	promql_free(n);

	promql_parse("rate(x[5m] offset -1m)", &n, &eb);
	vs = n->call.args[0]->ms.vs;
	ok(n->kind == PROMQL_CALL && n->call.nargs == 1 &&
	    n->call.args[0]->kind == PROMQL_MATRIX_SELECTOR &&
	    n->call.args[0]->ms.range_ms == 300000 &&
	    vs->vs.mods.offset_ms == -60000, "matrix: range and offset");
	ok(n->end == 22 && n->call.args[0]->pos == 5, "... positions");
	promql_free(n);

	promql_parse("a * on(x) group_left(y) b", &n, &eb);
	ok(n->binary.matching != NULL &&
	    n->binary.matching->card == PROMQL_CARD_MANY_TO_ONE &&
	    n->binary.matching->on && n->binary.matching->labels.n == 1 &&
	    strcmp(n->binary.matching->include.v[0], "y") == 0,
	    "group_left: card, on, labels");
	ok(n->binary.rhs->pos == 24, "... right operand position");
	promql_free(n);

	promql_parse("1 + a", &n, &eb);
	ok(n->binary.matching == NULL, "no matching with a scalar");
	promql_free(n);
	promql_parse("a and b", &n, &eb);
	ok(n->binary.matching->card == PROMQL_CARD_MANY_TO_MANY, "and: many-to-many");
	promql_free(n);

	promql_parse("topk(3, x)", &n, &eb);
	ok(n->agg.op == PROMQL_AGG_TOPK && n->agg.param->number == 3 &&
	    n->agg.expr->kind == PROMQL_VECTOR_SELECTOR, "topk: param and expr");
	promql_free(n);
	promql_parse("sum without (a, b) (x)", &n, &eb);
	ok(n->agg.without && n->agg.grouping.n == 2 && n->agg.param == NULL,
	    "without: labels");
	promql_free(n);

	promql_parse("x[1h:] @ end()", &n, &eb);
	ok(n->kind == PROMQL_SUBQUERY && n->sq.step_ms == 0 &&
	    n->sq.range_ms == 3600000 && n->sq.mods.at == PROMQL_AT_END,
	    "subquery: default step, @ end()");
	promql_free(n);

	promql_parse("\"a\\x00b\"", &n, &eb);
	ok(n->kind == PROMQL_STRING && n->string.len == 3 &&
	    memcmp(n->string.s, "a\0b", 3) == 0, "string with a NUL");
	promql_free(n);

	promql_parse("{\"a.b\"}", &n, &eb);
	ok(n->vs.name == NULL && strcmp(promql_selector_name(n), "a.b") == 0,
	    "quoted name is a __name__ matcher");
	promql_free(n);
	promql_parse("{a=~\"b\"}", &n, &eb);
	ok(promql_selector_name(n) == NULL, "no name");
	promql_free(n);
	promql_parse("-(1)", &n, &eb);
	ok(n->kind == PROMQL_UNARY && n->unary.negate &&
	    n->unary.expr->kind == PROMQL_PAREN, "unary on parens is kept");
	promql_free(n);
	promql_parse("-1", &n, &eb);
	ok(n->kind == PROMQL_NUMBER && n->number == -1 && n->pos == 0,
	    "sign folded into the literal");
	promql_free(n);
	promql_parse("-0", &n, &eb);
	ok(n->number == 0 && signbit(n->number), "-0 keeps its sign");
	promql_free(n);
}

static void
test_selector(void)
{
	static const struct {
		const char *in;
		const char *out;	/* NULL: the error below */
		const char *err;
	} sel[] = {
		{ "foo{a=\"b\"}", "foo{a=\"b\"}", NULL },
		{ "{__name__=~\"x.*\"}", "{__name__=~\"x.*\"}", NULL },
		{ "{\"a.b\"}", "{__name__=\"a.b\"}", NULL },
		{ "sum", "sum", NULL },
		{ " foo ", "foo", NULL },
		{ "foo offset 5m", NULL, "1:5: parse error: unexpected <offset>" },
		{ "foo[5m]", NULL, "1:4: parse error: unexpected \"[\"" },
		{ "rate(x)", NULL, "1:5: parse error: unexpected \"(\"" },
		{ "{}", NULL, "1:1: parse error: vector selector must contain at least one non-empty matcher" },
		{ "1", NULL, "1:1: parse error: unexpected number \"1\"" },
		{ "", NULL, "1:1: parse error: unexpected end of input" },
		{ "foo + bar", NULL, "1:5: parse error: unexpected <op:+>" },
	};
	struct buf b = BUF_INIT;
	size_t i;

	for (i = 0; i < NELEM(sel); i++) {
		struct promql_node *n = NULL;
		struct errbuf eb = ERRBUF_INIT;
		int rc = promql_parse_selector(sel[i].in, &n, &eb);

		buf_reset(&b);
		if (sel[i].out != NULL) {
			if (rc == 0)
				promql_print(&b, n);
			ok(rc == 0 && n->kind == PROMQL_VECTOR_SELECTOR &&
			    strcmp(b.p, sel[i].out) == 0, "selector: %s %s",
			    sel[i].in, eb.msg);
			promql_free(n);
		} else {
			is_int(rc, -1, "selector refused: %s", sel[i].in);
			is_str(eb.msg, sel[i].err, "... %s",
			    sel[i].err ? sel[i].err : "");
		}
	}
	buf_release(&b);
}

static void
test_misc(void)
{
	struct errbuf eb = ERRBUF_INIT;
	struct promql_node *n = (struct promql_node *)&eb;

	is_int(promql_parse("foo +", &n, &eb), -1, "failure");
	ok(n == (struct promql_node *)&eb, "... leaves *out alone");
	is_int(promql_parse("foo", &n, NULL), 0, "NULL errbuf is fine");
	promql_free(n);
	is_int(promql_parse("foo +", &n, NULL), -1, "... also on failure");
	promql_free(NULL);
	ok(1, "promql_free(NULL)");
	is_str(promql_type_name(PROMQL_TYPE_MATRIX), "range vector", "type name");
	is_str(promql_binop_str(PROMQL_OP_UNLESS), "unless", "binop name");
	is_str(promql_aggop_str(PROMQL_AGG_COUNT_VALUES), "count_values", "aggop name");
	ok(promql_binop_is_comparison(PROMQL_OP_GTE) &&
	    !promql_binop_is_comparison(PROMQL_OP_AND), "comparison ops");
	ok(promql_binop_is_set(PROMQL_OP_OR) && !promql_binop_is_set(PROMQL_OP_POW),
	    "set ops");
}

int
main(void)
{
	test_valid();
	test_invalid();
	test_big_number();
	test_trees();
	test_types();
	test_functions();
	test_lexer();
	test_quoting();
	test_durations();
	test_ast();
	test_selector();
	test_misc();
	/*
	 * Depth: a thousand levels parse, one more is refused, whichever
	 * way the tree deepens (a fuzzer's 3,600 unary minuses overflowed
	 * the evaluator's stack).
	 */
	{
		struct buf q = BUF_INIT;
		struct promql_node *t = NULL;
		struct errbuf e2 = ERRBUF_INIT;
		static const char *const ways[][3] = {
			{ "", "x", "+x" },	/* x+x+x...: left-deep */
			{ "-", "x", "" },	/* --x */
			{ "(", "x", ")" },	/* ((x)) */
			{ "abs(", "x", ")" },
			{ "-", "1", "" },	/* folded into one number */
		};
		size_t w, i;
		for (w = 0; w < sizeof(ways) / sizeof(ways[0]); w++) {
			int depth;
			for (depth = 999; depth <= 1001; depth += 2) {
				buf_reset(&q);
				if (w == 0) {
					buf_adds(&q, "x");
					for (i = 1; i < (size_t)depth; i++)
						buf_adds(&q, "+x");
				} else {
					for (i = 0; i < (size_t)depth; i++)
						buf_adds(&q, ways[w][0]);
					buf_adds(&q, ways[w][1]);
					for (i = 0; i < (size_t)depth; i++)
						buf_adds(&q, ways[w][2]);
				}
				buf_addch(&q, '\0');
				e2.msg[0] = '\0';
				if (depth < 1000)
					ok(promql_parse(q.p, &t, &e2) == 0,
					    "%s%s%s nested %d deep parses: %s",
					    ways[w][0], ways[w][1], ways[w][2],
					    depth, e2.msg);
				else
					ok(promql_parse(q.p, &t, &e2) == -1 &&
					    strstr(e2.msg, "nested too deeply"),
					    "%s%s%s nested %d deep is refused",
					    ways[w][0], ways[w][1], ways[w][2], depth);
				promql_free(t);
				t = NULL;
			}
		}
		buf_release(&q);
	}
	return done_testing();
}
