/* t_encode.c - batches of samples in the wire formats of destinations */
/* SPDX-License-Identifier: MIT */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <dlfcn.h>
#include <snappy-c.h>

#include "send/encode.h"
#include "send/remote.pb-c.h"
#include "stream/expo.h"
#include "stream/graphite.h"
#include "stream/influx.h"
#include "stream/jsonl.h"
#include "tap.h"

#define NOW 1700000000500LL	/* the batch's time */
#define MAXL 12

/* A sample as the tests write it: labels sorted by name, NULL-ended. */
struct spec {
	const char *name;
	enum metric_type type;
	double value;
	int has_ts;
	int64_t ts;
	struct { const char *name, *value; } l[MAXL];
	const char *help;
};

/* Label values that need each format's escapes, on one sample. */
#define EDGE_LABELS {						\
	{ "a", "say \"hi\"" }, { "b", "C:\\dir\\" },		\
	{ "c", "two\nlines" }, { "d", "a,b" }, { "e", "a b" },	\
	{ "f", "k=v" }, { "g", "a;b" }, { "h", "~x~y" },	\
	{ "i", "na\xc3\xafve \xe2\x98\x83 \xe6\x97\xa5\xe6\x9c\xac" },	\
	{ "j", "a|b:c#d@e" }, { "k", "/var/lib.x" } }

struct held {
	struct sample s;
	struct label l[MAXL];
};

static void
to_sample(const struct spec *sp, struct held *h)
{
	size_t n;

	memset(h, 0, sizeof(*h));
	for (n = 0; n < MAXL && sp->l[n].name; n++) {
		h->l[n].name = sp->l[n].name;
		h->l[n].name_len = (uint32_t)strlen(sp->l[n].name);
		h->l[n].value = sp->l[n].value;
		h->l[n].value_len = (uint32_t)strlen(sp->l[n].value);
	}
	h->s.name = sp->name;
	h->s.name_len = strlen(sp->name);
	h->s.type = sp->type;
	h->s.value = sp->value;
	h->s.has_ts = sp->has_ts;
	h->s.ts = sp->ts;
	h->s.labels = h->l;
	h->s.nlabels = n;
	if (sp->help) {
		h->s.help = sp->help;
		h->s.help_len = strlen(sp->help);
	}
}

/* Encode 'n' specs as one batch into 'out' (reset); '*left' how many left out. */
static void
encode_specs(struct encoder *e, const struct spec *sp, size_t n,
    struct buf *out, int *left)
{
	struct held h;
	size_t i;

	buf_reset(out);
	*left = 0;
	encode_start(e, NOW);
	for (i = 0; i < n; i++) {
		to_sample(&sp[i], &h);
		*left += encode_add(e, &h.s);
	}
	encode_finish(e, out);
	if (out->p == NULL) {
		buf_addch(out, '\0');	/* is_str() wants a string */
		out->len = 0;
	}
}

static int
same_value(double a, double b)
{
	if (isnan(a) || isnan(b))
		return isnan(a) && isnan(b);
	return a == b && signbit(a) == signbit(b);
}

/*
 * Whether 's' (as a reader gave it) has the name 'name', the labels of
 * 'want' (the values as 'map' turns them, when given), and 'value'.
 */
static int
same_sample(const struct sample *s, const char *name, const struct spec *want,
    double value)
{
	size_t i;

	if (s->name_len != strlen(name) || memcmp(s->name, name, s->name_len)) {
		printf("#   name '%.*s', want '%s'\n", (int)s->name_len, s->name,
		    name);
		return 0;
	}
	for (i = 0; i < MAXL && want->l[i].name; i++) {
		const struct label *l = &s->labels[i];
		if (i >= s->nlabels || strcmp(l->name, want->l[i].name) != 0 ||
		    l->value_len != strlen(want->l[i].value) ||
		    memcmp(l->value, want->l[i].value, l->value_len) != 0) {
			printf("#   label %zu: got %s='%s', want %s='%s'\n", i,
			    i < s->nlabels ? l->name : "-",
			    i < s->nlabels ? l->value : "-", want->l[i].name,
			    want->l[i].value);
			return 0;
		}
	}
	if (i != s->nlabels) {
		printf("#   %zu labels, want %zu\n", s->nlabels, i);
		return 0;
	}
	if (!same_value(s->value, value)) {
		printf("#   value %.17g, want %.17g\n", s->value, value);
		return 0;
	}
	return 1;
}

/* The next line of 'b' from '*off': its length, or -1 at the end. */
static long
next_line(const struct buf *b, size_t *off, const char **line)
{
	const char *p, *nl;

	if (*off >= b->len)
		return -1;
	p = b->p + *off;
	nl = memchr(p, '\n', b->len - *off);
	*line = p;
	*off = nl ? (size_t)(nl - b->p) + 1 : b->len;
	return nl ? nl - p : (long)(b->len - (size_t)(p - b->p));
}

/*
 * ENCODE_JSONL: the canonical lines, samples without a time at the
 * batch's, read back by the stream parser.
 */
static void
test_jsonl(void)
{
	static const struct spec in[] = {
		{ "node_load1", METRIC_GAUGE, 0.42, 1, 1700000000000LL,
		  { { "host", "web1" } }, NULL },
		{ "api.requests", METRIC_COUNTER, 1e21, 0, 0, EDGE_LABELS,
		  "requests\nserved \"ok\"" },
		{ "obs", METRIC_HISTOGRAM, -0.0, 1, -5, { { NULL, NULL } }, NULL },
		{ "inf", METRIC_GAUGE, -INFINITY, 1, 1, { { NULL, NULL } }, NULL },
	};
	struct encoder *e = encoder_new(ENCODE_JSONL);
	struct jsonl_parser *ps = jsonl_parser_new(0);
	struct buf out = BUF_INIT, want = BUF_INIT;
	struct errbuf eb = ERRBUF_INIT;
	struct held h;
	const char *line;
	size_t off = 0, i, k = 0;
	long n;
	int left;

	encode_specs(e, in, 4, &out, &left);
	is_int(left, 0, "jsonl: nothing left out");
	for (i = 0; i < 4; i++) {
		to_sample(&in[i], &h);
		if (!h.s.has_ts)
			h.s.ts = NOW;
		jsonl_format(&want, &h.s);
	}
	is_str(out.p, want.p, "jsonl: canonical lines, the batch's time given");
	while ((n = next_line(&out, &off, &line)) >= 0) {
		struct sample s;
		ok(jsonl_parse(ps, line, (size_t)n, &s, &eb) == 0,
		    "jsonl: line %zu reads back", k);
		ok(same_sample(&s, in[k].name, &in[k], in[k].value) &&
		    s.type == in[k].type &&
		    s.ts == (in[k].has_ts ? in[k].ts : NOW),
		    "jsonl: sample %zu is the same", k);
		k++;
	}
	is_int(k, 4, "jsonl: every sample");
	buf_release(&out);
	buf_release(&want);
	jsonl_parser_free(ps);
	encoder_free(e);
}

/*
 * ENCODE_PROMETHEUS: families in first-seen order, their TYPE first,
 * the last value of a series given twice; read back by the exposition
 * parser.
 */
static void
test_prometheus(void)
{
	static const struct spec in[] = {
		{ "a", METRIC_GAUGE, 1, 1, 1, { { "x", "1" } }, NULL },
		{ "b_total", METRIC_COUNTER, 7, 0, 0, { { NULL, NULL } },
		  "the b\\s\nof \"it\"" },
		{ "a", METRIC_GAUGE, 2, 1, 2, { { "x", "2" } }, "a's help" },
		{ "a", METRIC_GAUGE, 5, 1, 3, { { "x", "1" } }, NULL },
		{ "obs", METRIC_HISTOGRAM, 0.25, 0, 0, { { NULL, NULL } }, NULL },
		{ "api.requests total", METRIC_COUNTER, NAN, 0, 0, EDGE_LABELS,
		  NULL },
		{ "1st", METRIC_GAUGE, INFINITY, 0, 0, { { NULL, NULL } }, NULL },
		{ "neg", METRIC_GAUGE, -INFINITY, 0, 0, { { "e", "" } }, NULL },
		{ "neg", METRIC_GAUGE, -0.0, 0, 0, { { "e", "1" } }, NULL },
		{ "a", METRIC_COUNTER, 1e-300, 0, 0, { { "x", "3" } }, NULL },
	};
	/* What the parser gives: name, labels, value, type. */
	static const struct {
		const char *name;
		struct spec labels;
		double value;
		enum metric_type type;
	} want[] = {
		{ "a", { .l = { { "x", "1" } } }, 5, METRIC_GAUGE },
		{ "a", { .l = { { "x", "2" } } }, 2, METRIC_GAUGE },
		{ "a", { .l = { { "x", "3" } } }, 1e-300, METRIC_GAUGE },
		{ "b_total", { .l = { { NULL, NULL } } }, 7, METRIC_COUNTER },
		{ "obs", { .l = { { NULL, NULL } } }, 0.25, METRIC_GAUGE },
		{ "api_requests_total", { .l = EDGE_LABELS }, NAN,
		  METRIC_COUNTER },
		{ "_1st", { .l = { { NULL, NULL } } }, INFINITY, METRIC_GAUGE },
		{ "neg", { .l = { { NULL, NULL } } }, -INFINITY, METRIC_GAUGE },
		{ "neg", { .l = { { "e", "1" } } }, -0.0, METRIC_GAUGE },
	};
	static const char text[] =
	    "# TYPE a gauge\n"
	    "# HELP a a's help\n"
	    "a{x=\"1\"} 5\n"
	    "a{x=\"2\"} 2\n"
	    "a{x=\"3\"} 1e-300\n"
	    "# TYPE b_total counter\n"
	    "# HELP b_total the b\\\\s\\nof \"it\"\n"
	    "b_total 7\n"
	    "# TYPE obs untyped\n"
	    "obs 0.25\n"
	    "# TYPE api_requests_total counter\n"
	    "api_requests_total{a=\"say \\\"hi\\\"\",b=\"C:\\\\dir\\\\\","
	    "c=\"two\\nlines\",d=\"a,b\",e=\"a b\",f=\"k=v\",g=\"a;b\","
	    "h=\"~x~y\",i=\"na\xc3\xafve \xe2\x98\x83 \xe6\x97\xa5\xe6\x9c\xac\","
	    "j=\"a|b:c#d@e\",k=\"/var/lib.x\"} NaN\n"
	    "# TYPE _1st gauge\n"
	    "_1st +Inf\n"
	    "# TYPE neg gauge\n"
	    "neg -Inf\n"
	    "neg{e=\"1\"} -0\n";
	struct encoder *e = encoder_new(ENCODE_PROMETHEUS);
	struct expo_parser *p = expo_parser_new(EXPO_PROMETHEUS);
	struct errbuf eb = ERRBUF_INIT;
	struct buf out = BUF_INIT;
	const char *line;
	size_t off = 0, k = 0, nwant = sizeof(want) / sizeof(want[0]);
	long n;
	int left, r;

	encode_specs(e, in, sizeof(in) / sizeof(in[0]), &out, &left);
	is_int(left, 0, "prometheus: nothing left out");
	is_str(out.p, text, "prometheus: the text format, grouped, last wins");
	while ((n = next_line(&out, &off, &line)) >= 0) {
		struct sample s;
		if ((r = expo_parse(p, line, (size_t)n, &s, &eb)) == -1)
			ok(0, "prometheus: parse error '%s'", eb.msg);
		if (r != 1)
			continue;
		if (k < nwant)
			ok(same_sample(&s, want[k].name, &want[k].labels,
			    want[k].value) && s.type == want[k].type && !s.has_ts,
			    "prometheus: sample %zu reads back", k);
		/* A family's help goes with its first sample. */
		if (k == 0 || k == 3)
			ok(s.help && strcmp(s.help, k == 0 ? "a's help" :
			    "the b\\s\nof \"it\"") == 0,
			    "prometheus: help of family %zu reads back", k);
		k++;
	}
	is_int(k, nwant, "prometheus: every series once");
	ok(expo_end(p, &eb) == 0, "prometheus: a whole document");

	/* A batch keeps copies: the caller's strings may change. */
	{
		char name[8] = "m", val[8] = "v1";
		struct label l = { "k", val, 1, 2 };
		struct sample s = { 0 };
		s.name = name;
		s.name_len = 1;
		s.labels = &l;
		s.nlabels = 1;
		s.value = 3;
		buf_reset(&out);
		encode_start(e, NOW);
		encode_add(e, &s);
		strcpy(name, "z");
		strcpy(val, "v2");
		encode_add(e, &s);
		encode_finish(e, &out);
		is_str(out.p, "# TYPE m gauge\nm{k=\"v1\"} 3\n"
		    "# TYPE z gauge\nz{k=\"v2\"} 3\n",
		    "prometheus: samples copied when added");
		/* finish ends the batch: the next starts empty. */
		buf_reset(&out);
		encode_start(e, NOW);
		encode_finish(e, &out);
		ok(out.len == 0, "prometheus: an empty batch, an empty body");
		buf_adds(&out, "kept\n");
		encode_start(e, NOW);
		encode_add(e, &s);
		encode_finish(e, &out);
		is_str(out.p, "kept\n# TYPE z gauge\nz{k=\"v2\"} 3\n",
		    "prometheus: appended to what 'out' had");
	}
	buf_release(&out);
	expo_parser_free(p);
	encoder_free(e);
}

/*
 * ENCODE_INFLUX: escapes of the line protocol, read back by mtk's
 * reader, which names a sample measurement_field: "m" comes back
 * "m_value".
 */
static void
test_influx(void)
{
	static const struct spec in[] = {
		{ "m", METRIC_GAUGE, 1.5, 1, 1700000000123LL,
		  { { "host", "web1" } }, NULL },
		{ "cpu load,x=y\\", METRIC_COUNTER, -2, 0, 0, EDGE_LABELS, NULL },
		{ "#hash", METRIC_GAUGE, 1e21, 1, -1, { { NULL, NULL } }, NULL },
		{ "nan", METRIC_GAUGE, NAN, 1, 1, { { NULL, NULL } }, NULL },
		{ "inf", METRIC_GAUGE, INFINITY, 1, 1, { { NULL, NULL } }, NULL },
		{ "late", METRIC_GAUGE, 1, 1, 9300000000000LL, { { NULL, NULL } },
		  NULL },
	};
	static const struct spec back[] = {
		{ "m_value", METRIC_GAUGE, 1.5, 1, 1700000000123LL,
		  { { "host", "web1" } }, NULL },
		{ "cpu_load_x_y__value", METRIC_GAUGE, -2, 1, NOW,
		  { { "a", "say \"hi\"" }, { "b", "C:\\dir\\" },
		    { "c", "two\\nlines" }, { "d", "a,b" }, { "e", "a b" },
		    { "f", "k=v" }, { "g", "a;b" }, { "h", "~x~y" },
		    { "i", "na\xc3\xafve \xe2\x98\x83 \xe6\x97\xa5\xe6\x9c\xac" },
		    { "j", "a|b:c#d@e" }, { "k", "/var/lib.x" } }, NULL },
		{ "_hash_value", METRIC_GAUGE, 1e21, 1, -1, { { NULL, NULL } },
		  NULL },
	};
	static const char text[] =
	    "m,host=web1 value=1.5 1700000000123000000\n"
	    "cpu\\ load\\,x=y\\\\,a=say\\ \"hi\",b=C:\\\\dir\\\\,c=two\\nlines,"
	    "d=a\\,b,e=a\\ b,f=k\\=v,g=a;b,h=~x~y,"
	    "i=na\xc3\xafve\\ \xe2\x98\x83\\ \xe6\x97\xa5\xe6\x9c\xac,"
	    "j=a|b:c#d@e,k=/var/lib.x value=-2 1700000000500000000\n"
	    "_hash value=1e+21 -1000000\n";
	struct encoder *e = encoder_new(ENCODE_INFLUX);
	struct influx_parser *p = influx_parser_new();
	struct errbuf eb = ERRBUF_INIT;
	struct buf out = BUF_INIT;
	const char *line;
	size_t off = 0, k = 0;
	long n;
	int left, r;

	encode_specs(e, in, sizeof(in) / sizeof(in[0]), &out, &left);
	is_int(left, 3, "influx: NaN, Inf and a time past 2262 left out");
	is_str(out.p, text, "influx: the line protocol, escaped");
	while ((n = next_line(&out, &off, &line)) >= 0) {
		struct sample s;
		if ((r = influx_parse(p, line, (size_t)n, &s, &eb)) != 1) {
			ok(0, "influx: line %zu: %d '%s'", k, r, eb.msg);
			continue;
		}
		if (k < 4)
			ok(same_sample(&s, back[k].name, &back[k], back[k].value) &&
			    s.has_ts && s.ts == back[k].ts,
			    "influx: sample %zu reads back", k);
		k++;
	}
	is_int(k, 3, "influx: every line");
	buf_release(&out);
	influx_parser_free(p);
	encoder_free(e);
}

/* ENCODE_GRAPHITE and ENCODE_GRAPHITE_DOTTED, the tagged read back. */
static void
test_graphite(void)
{
	static const struct spec in[] = {
		{ "servers.web1.load", METRIC_GAUGE, 0.5, 1, 1700000000999LL,
		  { { "dc", "eu" } }, NULL },
		{ "~f(x) y;z", METRIC_COUNTER, -3, 0, 0, EDGE_LABELS, NULL },
		{ "old", METRIC_GAUGE, 1, 1, -1500, { { NULL, NULL } }, NULL },
		{ "job", METRIC_GAUGE, 1, 1, 0, { { "name", "x" } }, NULL },
		{ "nan", METRIC_GAUGE, NAN, 1, 1, { { NULL, NULL } }, NULL },
		{ "inf", METRIC_GAUGE, -INFINITY, 1, 1, { { NULL, NULL } }, NULL },
	};
	static const struct spec back[] = {
		{ "servers_web1_load", METRIC_GAUGE, 0.5, 1, 1700000000000LL,
		  { { "dc", "eu" } }, NULL },
		{ "_f_x__y_z", METRIC_GAUGE, -3, 1, 1700000000000LL,
		  { { "a", "say_\"hi\"" }, { "b", "C:\\dir\\" },
		    { "c", "two_lines" }, { "d", "a,b" }, { "e", "a_b" },
		    { "f", "k=v" }, { "g", "a_b" }, { "h", "_x~y" },
		    { "i", "na\xc3\xafve_\xe2\x98\x83_\xe6\x97\xa5\xe6\x9c\xac" },
		    { "j", "a|b:c#d@e" }, { "k", "/var/lib.x" } }, NULL },
		{ "old", METRIC_GAUGE, 1, 1, -2000, { { NULL, NULL } }, NULL },
		{ "job", METRIC_GAUGE, 1, 1, 0, { { "exported_name", "x" } },
		  NULL },
	};
	static const char text[] =
	    "servers.web1.load;dc=eu 0.5 1700000000\n"
	    "_f_x__y_z;a=say_\"hi\";b=C:\\dir\\;c=two_lines;d=a,b;e=a_b;f=k=v;"
	    "g=a_b;h=_x~y;i=na\xc3\xafve_\xe2\x98\x83_\xe6\x97\xa5\xe6\x9c\xac;"
	    "j=a|b:c#d@e;k=/var/lib.x -3 1700000000\n"
	    "old 1 -2\n"
	    "job;exported_name=x 1 0\n";
	static const char dotted[] =
	    "servers.web1.load.eu 0.5 1700000000\n"
	    "~f_x__y_z.say_\"hi\".C:\\dir\\.two_lines.a,b.a_b.k=v.a_b.~x~y."
	    "na\xc3\xafve_\xe2\x98\x83_\xe6\x97\xa5\xe6\x9c\xac.a|b:c#d@e."
	    "_var_lib_x -3 1700000000\n"
	    "old 1 -2\n"
	    "job.x 1 0\n";
	struct encoder *e = encoder_new(ENCODE_GRAPHITE);
	struct graphite_parser *p = graphite_parser_new();
	struct errbuf eb = ERRBUF_INIT;
	struct buf out = BUF_INIT;
	const char *line;
	size_t off = 0, k = 0;
	long n;
	int left;

	encode_specs(e, in, sizeof(in) / sizeof(in[0]), &out, &left);
	is_int(left, 2, "graphite: NaN and -Inf left out");
	is_str(out.p, text, "graphite: tagged lines, whole seconds");
	while ((n = next_line(&out, &off, &line)) >= 0) {
		struct sample s;
		if (graphite_parse(p, line, (size_t)n, &s, &eb) != 1) {
			ok(0, "graphite: line %zu: '%s'", k, eb.msg);
			continue;
		}
		if (k < 4)
			ok(same_sample(&s, back[k].name, &back[k], back[k].value) &&
			    s.has_ts && s.ts == back[k].ts,
			    "graphite: sample %zu reads back", k);
		k++;
	}
	is_int(k, 4, "graphite: every line");
	encoder_free(e);

	e = encoder_new(ENCODE_GRAPHITE_DOTTED);
	encode_specs(e, in, sizeof(in) / sizeof(in[0]), &out, &left);
	is_int(left, 2, "graphite dotted: NaN and -Inf left out");
	is_str(out.p, dotted, "graphite dotted: label values as nodes");
	buf_release(&out);
	graphite_parser_free(p);
	encoder_free(e);
}

/* ENCODE_STATSD: lines, and counters' increases from batch to batch. */
static void
test_statsd(void)
{
	static const struct spec b1[] = {
		{ "reqs", METRIC_COUNTER, 10, 1, 1, { { "code", "200" } }, NULL },
		{ "reqs", METRIC_COUNTER, 4, 1, 1, { { "code", "500" } }, NULL },
		{ "temp", METRIC_GAUGE, -5, 1, 1, { { NULL, NULL } }, NULL },
		{ "zero", METRIC_GAUGE, -0.0, 1, 1, { { NULL, NULL } }, NULL },
		{ "lat", METRIC_HISTOGRAM, 0.125, 1, 1, { { NULL, NULL } }, NULL },
		{ "a:b|c d", METRIC_GAUGE, 2, 1, 1, EDGE_LABELS, NULL },
		{ "nan", METRIC_GAUGE, NAN, 1, 1, { { NULL, NULL } }, NULL },
		{ "inf", METRIC_HISTOGRAM, INFINITY, 1, 1, { { NULL, NULL } },
		  NULL },
		{ "neg", METRIC_COUNTER, -1, 1, 1, { { NULL, NULL } }, NULL },
	};
	static const struct spec b2[] = {
		{ "reqs", METRIC_COUNTER, 15.5, 1, 2, { { "code", "200" } }, NULL },
		{ "reqs", METRIC_COUNTER, 4, 1, 2, { { "code", "500" } }, NULL },
		{ "reqs", METRIC_COUNTER, NAN, 1, 2, { { "code", "200" } }, NULL },
	};
	static const struct spec b3[] = {
		{ "reqs", METRIC_COUNTER, 3, 1, 3, { { "code", "200" } }, NULL },
		{ "reqs", METRIC_COUNTER, 7, 1, 3, { { "code", "200" } }, NULL },
		{ "reqs", METRIC_COUNTER, 1, 1, 3, { { NULL, NULL } }, NULL },
	};
	struct encoder *e = encoder_new(ENCODE_STATSD);
	struct buf out = BUF_INIT;
	int left;

	encode_specs(e, b1, sizeof(b1) / sizeof(b1[0]), &out, &left);
	is_int(left, 3, "statsd: NaN, Inf, a negative counter left out");
	is_str(out.p,
	    "temp:0|g\ntemp:-5|g\n"
	    "zero:0|g\n"
	    "lat:0.125|h\n"
	    "a_b_c_d:2|g|#a:say \"hi\",b:C:\\dir\\,c:two_lines,d:a_b,e:a b,"
	    "f:k=v,g:a;b,h:~x~y,"
	    "i:na\xc3\xafve \xe2\x98\x83 \xe6\x97\xa5\xe6\x9c\xac,"
	    "j:a_b:c#d@e,k:/var/lib.x\n",
	    "statsd: first counters send nothing; gauges, observations, tags");
	encode_specs(e, b2, sizeof(b2) / sizeof(b2[0]), &out, &left);
	is_int(left, 1, "statsd: a NaN counter left out");
	is_str(out.p, "reqs:5.5|c|#code:200\nreqs:0|c|#code:500\n",
	    "statsd: counters send their increase, per series");
	encode_specs(e, b3, sizeof(b3) / sizeof(b3[0]), &out, &left);
	is_str(out.p, "reqs:3|c|#code:200\nreqs:4|c|#code:200\n",
	    "statsd: a drop is a restart; a series without labels is new");
	buf_release(&out);
	encoder_free(e);
}

/*
 * ENCODE_STATSD over series that come and go: the state kept stays
 * bounded, and a counter sent at every batch keeps its increases.
 */
static void
test_statsd_churn(void)
{
	struct encoder *e = encoder_new(ENCODE_STATSD);
	struct buf out = BUF_INIT;
	struct held h;
	struct spec sp = { "steady", METRIC_COUNTER, 0, 1, 1,
	    { { NULL, NULL } }, NULL };
	struct spec churn = { "pid_cpu", METRIC_COUNTER, 1, 1, 1,
	    { { "pid", NULL } }, NULL };
	char pid[32], want[64];
	size_t most = 0;
	int b, i, steady_ok = 1;

	for (b = 0; b < 40; b++) {
		buf_reset(&out);
		encode_start(e, NOW);
		sp.value = 10.0 * b;
		to_sample(&sp, &h);
		encode_add(e, &h.s);
		for (i = 0; i < 1000; i++) {
			snprintf(pid, sizeof(pid), "%d", b * 1000 + i);
			churn.l[0].value = pid;
			to_sample(&churn, &h);
			encode_add(e, &h.s);
		}
		encode_finish(e, &out);
		snprintf(want, sizeof(want), "steady:10|c\n");
		if (b > 0 && (out.len < strlen(want) ||
		    memcmp(out.p, want, strlen(want)) != 0))
			steady_ok = 0;
		if (encoder_kept(e) > most)
			most = encoder_kept(e);
	}
	ok(steady_ok, "statsd churn: a counter sent at every batch keeps "
	    "its increases across prunings");
	ok(most <= 2 * 4096 + 1000, "statsd churn: 40,001 counters seen, "
	    "at most %zu kept at once", most);
	ok(encoder_kept(e) >= 1000, "statsd churn: the last batch's "
	    "counters are kept (%zu)", encoder_kept(e));
	/* One forgotten long ago is new again: its value sends nothing. */
	buf_reset(&out);
	encode_start(e, NOW);
	churn.l[0].value = "0";
	churn.value = 5;
	to_sample(&churn, &h);
	encode_add(e, &h.s);
	encode_finish(e, &out);
	is_int((int)out.len, 0, "statsd churn: a forgotten counter "
	    "starts again as a first value");
	buf_release(&out);
	encoder_free(e);
}

/*
 * ENCODE_REMOTE_WRITE, uncompressed and unpacked again (libsnappy loaded
 * here as the encoder loads it: with dlopen).
 */
static Prometheus__WriteRequest *
remote_unpack(const struct buf *b)
{
	snappy_status (*length)(const char *, size_t, size_t *);
	snappy_status (*uncompress)(const char *, size_t, char *, size_t *);
	Prometheus__WriteRequest *req;
	void *h = dlopen("libsnappy.so.1", RTLD_NOW | RTLD_LOCAL);
	size_t n;
	char *raw;

	if (h == NULL ||
	    (*(void **)&length = dlsym(h, "snappy_uncompressed_length")) == NULL ||
	    (*(void **)&uncompress = dlsym(h, "snappy_uncompress")) == NULL ||
	    length(b->p, b->len, &n) != SNAPPY_OK) {
		if (h)
			dlclose(h);
		return NULL;
	}
	raw = malloc(n ? n : 1);
	if (raw == NULL || uncompress(b->p, b->len, raw, &n) != SNAPPY_OK) {
		free(raw);
		dlclose(h);
		return NULL;
	}
	dlclose(h);
	req = prometheus__write_request__unpack(NULL, n, (const uint8_t *)raw);
	free(raw);
	return req;
}

static int
same_labels_rw(const Prometheus__TimeSeries *ts, const char *const *want)
{
	size_t i;

	for (i = 0; want[i]; i += 2)
		if (i / 2 >= ts->n_labels ||
		    strcmp(ts->labels[i / 2]->name, want[i]) != 0 ||
		    strcmp(ts->labels[i / 2]->value, want[i + 1]) != 0) {
			printf("#   label %zu: got %s='%s', want %s='%s'\n", i / 2,
			    i / 2 < ts->n_labels ? ts->labels[i / 2]->name : "-",
			    i / 2 < ts->n_labels ? ts->labels[i / 2]->value : "-",
			    want[i], want[i + 1]);
			return 0;
		}
	return i / 2 == ts->n_labels;
}

static void
test_remote(void)
{
	static const struct spec in[] = {
		{ "up", METRIC_GAUGE, 1, 1, 3000, { { "Zone", "a" }, { "job", "x" } },
		  NULL },
		{ "api.requests", METRIC_COUNTER, 2, 1, 1000, EDGE_LABELS, NULL },
		{ "up", METRIC_GAUGE, 0, 1, 1000, { { "Zone", "a" }, { "job", "x" } },
		  NULL },
		{ "up", METRIC_GAUGE, NAN, 1, 2000, { { "Zone", "a" },
		  { "job", "x" } }, NULL },
		{ "up", METRIC_GAUGE, 7, 1, 3000, { { "Zone", "a" }, { "job", "x" } },
		  NULL },
		{ "up", METRIC_GAUGE, -INFINITY, 0, 0, { { "Zone", "a" },
		  { "job", "x" } }, NULL },
		{ "api.requests", METRIC_COUNTER, 1, 0, 0, EDGE_LABELS, NULL },
	};
	static const char *const up_labels[] = { "Zone", "a", "__name__", "up",
		"job", "x", NULL };
	static const char *const api_labels[] = { "__name__", "api.requests",
		"a", "say \"hi\"", "b", "C:\\dir\\", "c", "two\nlines",
		"d", "a,b", "e", "a b", "f", "k=v", "g", "a;b", "h", "~x~y",
		"i", "na\xc3\xafve \xe2\x98\x83 \xe6\x97\xa5\xe6\x9c\xac",
		"j", "a|b:c#d@e", "k", "/var/lib.x", NULL };
	struct encoder *e = encoder_new(ENCODE_REMOTE_WRITE);
	Prometheus__WriteRequest *req;
	struct buf out = BUF_INIT;
	int left;

	encode_specs(e, in, sizeof(in) / sizeof(in[0]), &out, &left);
	is_int(left, 0, "remote_write: nothing left out");
	req = remote_unpack(&out);
	ok(req != NULL, "remote_write: snappy, then a WriteRequest");
	if (req) {
		const Prometheus__TimeSeries *up, *api;
		is_int(req->n_timeseries, 2, "remote_write: one TimeSeries a series");
		up = req->n_timeseries > 0 ? req->timeseries[0] : NULL;
		api = req->n_timeseries > 1 ? req->timeseries[1] : NULL;
		ok(up && same_labels_rw(up, up_labels),
		    "remote_write: labels sorted, __name__ where it sorts");
		ok(api && same_labels_rw(api, api_labels),
		    "remote_write: label values as they are");
		ok(up && up->n_samples == 4 &&
		    up->samples[0]->timestamp == 1000 &&
		    up->samples[0]->value == 0 &&
		    up->samples[1]->timestamp == 2000 &&
		    isnan(up->samples[1]->value) &&
		    up->samples[2]->timestamp == 3000 &&
		    up->samples[2]->value == 7 &&
		    up->samples[3]->timestamp == NOW &&
		    up->samples[3]->value == -INFINITY,
		    "remote_write: in time order, the last of one time, "
		    "the batch's time");
		ok(api && api->n_samples == 2 &&
		    api->samples[0]->timestamp == 1000 &&
		    api->samples[0]->value == 2 &&
		    api->samples[1]->timestamp == NOW &&
		    api->samples[1]->value == 1,
		    "remote_write: a second series");
		prometheus__write_request__free_unpacked(req, NULL);
	}

	/* Copies: the caller's strings may change before finish. */
	{
		char name[8] = "m", val[8] = "v1";
		struct label l = { "k", val, 1, 2 };
		struct sample s = { 0 };
		s.name = name;
		s.name_len = 1;
		s.labels = &l;
		s.nlabels = 1;
		s.has_ts = 1;
		buf_reset(&out);
		encode_start(e, NOW);
		encode_add(e, &s);
		strcpy(name, "z");
		strcpy(val, "v2");
		encode_add(e, &s);
		encode_finish(e, &out);
		req = remote_unpack(&out);
		ok(req && req->n_timeseries == 2 &&
		    strcmp(req->timeseries[0]->labels[0]->value, "m") == 0 &&
		    strcmp(req->timeseries[0]->labels[1]->value, "v1") == 0 &&
		    strcmp(req->timeseries[1]->labels[0]->value, "z") == 0 &&
		    strcmp(req->timeseries[1]->labels[1]->value, "v2") == 0,
		    "remote_write: samples copied when added");
		if (req)
			prometheus__write_request__free_unpacked(req, NULL);
	}

	/* An empty batch is an empty request. */
	buf_reset(&out);
	encode_start(e, NOW);
	encode_finish(e, &out);
	req = remote_unpack(&out);
	ok(req && req->n_timeseries == 0, "remote_write: an empty batch");
	if (req)
		prometheus__write_request__free_unpacked(req, NULL);
	buf_release(&out);
	encoder_free(e);
}

/* encode_datagrams(): each datagram recorded as "[...]". */
struct grams {
	struct buf b;
	int stop_at, calls;
};

static int
gram(void *arg, const char *p, size_t n)
{
	struct grams *g = arg;

	buf_addch(&g->b, '[');
	buf_add(&g->b, p, n);
	buf_addch(&g->b, ']');
	return ++g->calls == g->stop_at ? 42 : 0;
}

static void
datagrams(const char *in, size_t mtu, int stop_at, const char *want,
    int want_rc, const char *what)
{
	struct grams g = { BUF_INIT, stop_at, 0 };
	int rc;

	buf_addch(&g.b, '\0');
	g.b.len = 0;
	rc = encode_datagrams(in, strlen(in), mtu, gram, &g);
	is_str(g.b.p, want, "datagrams: %s", what);
	is_int(rc, want_rc, "datagrams: %s: returns", what);
	buf_release(&g.b);
}

static void
test_datagrams(void)
{
	datagrams("aaa\nbbb\nccc\n", 11, 0, "[aaa\nbbb\nccc]", 0,
	    "all in one, exactly the mtu");
	datagrams("aaa\nbbb\nccc\n", 10, 0, "[aaa\nbbb][ccc]", 0,
	    "one byte short of the mtu");
	datagrams("aaa\nbbb\nccc\n", 7, 0, "[aaa\nbbb][ccc]", 0,
	    "two lines at the mtu");
	datagrams("aaa\nbbb\nccc\n", 6, 0, "[aaa][bbb][ccc]", 0,
	    "a line each");
	datagrams("aaa\nbbb\nccc\n", 3, 0, "[aaa][bbb][ccc]", 0,
	    "lines of the mtu");
	datagrams("a\nxxxxxxxxxxxx\nb\nc\n", 5, 0, "[a][xxxxxxxxxxxx][b\nc]", 0,
	    "a line longer than the mtu alone");
	datagrams("xxxxxxxxxxxx\n", 5, 0, "[xxxxxxxxxxxx]", 0,
	    "only a long line");
	datagrams("aaa\nbbb", 100, 0, "[aaa\nbbb]", 0,
	    "a last line without its newline");
	datagrams("aa\n\nbb\n", 100, 0, "[aa][bb]", 0,
	    "an empty line is not sent");
	datagrams("", 100, 0, "", 0, "nothing, no datagram");
	datagrams("aaa\nbbb\nccc\n", 3, 2, "[aaa][bbb]", 42,
	    "stops at the callback's value");
}

int
main(void)
{
	test_jsonl();
	test_prometheus();
	test_influx();
	test_graphite();
	test_statsd();
	test_statsd_churn();
	test_remote();
	test_datagrams();
	return done_testing();
}
