/* t_check.c - Monitoring Plugins ranges, states and the plugin's line */
/* SPDX-License-Identifier: MIT */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alert/check.h"
#include "tap.h"

/* A range, a value, and whether it alerts (the guidelines' table). */
static const struct {
	const char *range;
	double v;
	int alerts;
} cases[] = {
	{ "10", -1, 1 }, { "10", 0, 0 }, { "10", 10, 0 }, { "10", 10.5, 1 },
	{ "10:", 9.9, 1 }, { "10:", 10, 0 }, { "10:", 1e300, 0 },
	{ "~:10", -1e300, 0 }, { "~:10", 10, 0 }, { "~:10", 11, 1 },
	{ "10:20", 9, 1 }, { "10:20", 10, 0 }, { "10:20", 20, 0 },
	{ "10:20", 21, 1 },
	{ "@10:20", 9, 0 }, { "@10:20", 10, 1 }, { "@10:20", 20, 1 },
	{ "@10:20", 20.1, 0 },
	{ "-5:-1", -3, 0 }, { "-5:-1", 0, 1 }, { "1.5e3", 1500, 0 },
	{ ":5", -1, 1 }, { ":5", 0, 0 }, { "@~:0", -7, 1 }, { "@~:0", 1, 0 },
	{ "0:0", 0, 0 }, { "0:0", 1e-9, 1 }, { "10:", INFINITY, 0 },
};

static const char *const bad[] = { "", "x", "10:x", "1:~", "~", "@", "@~",
	"nan", "inf", "0x10", "5:1", "1e400", "10 ", " 10", "1:2:3",
	"123456789012345678901234567890123456789012345678901234567890123456789" };

/* The line check_write() writes, without its newline. */
static char *
line(const char *service, enum check_state st, const struct check_item *it,
    size_t n, const char *w, const char *c)
{
	struct errbuf eb = ERRBUF_INIT;
	struct check_range rw, rc;
	char *out = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&out, &len);

	memset(&rw, 0, sizeof(rw));
	memset(&rc, 0, sizeof(rc));
	if (w)
		check_range_parse(w, &rw, &eb);
	if (c)
		check_range_parse(c, &rc, &eb);
	check_write(fp, service, st, it, n, &rw, &rc, "no data", &eb);
	fclose(fp);
	if (len && out[len - 1] == '\n')
		out[len - 1] = '\0';
	return out;
}

int
main(void)
{
	struct errbuf eb = ERRBUF_INIT;
	struct check_range r, w, c;
	enum check_state st;
	size_t i;
	char *s;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ok(check_range_parse(cases[i].range, &r, &eb) == 0,
		    "'%s' parses", cases[i].range);
		is_int(check_range_alerts(&r, cases[i].v), cases[i].alerts,
		    "'%s' %s at %g", cases[i].range,
		    cases[i].alerts ? "alerts" : "does not alert", cases[i].v);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ok(check_range_parse(bad[i], &r, &eb) == -1 && !r.set &&
		    eb.msg[0], "'%.20s' refused: %s", bad[i], eb.msg);
	check_range_parse("5:1", &r, &eb);
	is_str(eb.msg, "range '5:1' starts after it ends", "why 5:1 is refused");

	/* States: critical before warning; NaN is unknown. */
	check_range_parse("2", &w, &eb);
	check_range_parse("4", &c, &eb);
	is_int(check_value_state(&w, &c, 1), CHECK_OK, "1: OK");
	is_int(check_value_state(&w, &c, 3), CHECK_WARNING, "3: WARNING");
	is_int(check_value_state(&w, &c, 5), CHECK_CRITICAL, "5: CRITICAL");
	is_int(check_value_state(&w, &c, NAN), CHECK_UNKNOWN, "NaN: UNKNOWN");
	memset(&r, 0, sizeof(r));
	is_int(check_value_state(&r, &r, 1e300), CHECK_OK, "no ranges: OK");
	is_int(check_worse(CHECK_OK, CHECK_UNKNOWN), CHECK_UNKNOWN,
	    "UNKNOWN is worse than OK");
	is_int(check_worse(CHECK_UNKNOWN, CHECK_WARNING), CHECK_WARNING,
	    "WARNING is worse than UNKNOWN");
	is_int(check_worse(CHECK_CRITICAL, CHECK_WARNING), CHECK_CRITICAL,
	    "CRITICAL is the worst");
	ok(check_state_parse("Critical", &st) == 0 && st == CHECK_CRITICAL,
	    "states are words, any case");
	ok(check_state_parse("crit", &st) == -1, "but whole words");

	/* The line. */
	{
		struct check_item one = { "node_load1", 0.42, CHECK_OK };
		s = line("LOAD", CHECK_OK, &one, 1, "2", "4");
		is_str(s, "LOAD OK - node_load1=0.42 | node_load1=0.42;2;4",
		    "the guidelines' line");
		free(s);
		s = line("LOAD", CHECK_OK, &one, 1, NULL, "4");
		is_str(s, "LOAD OK - node_load1=0.42 | node_load1=0.42;;4",
		    "no warning range: an empty field");
		free(s);
		s = line("LOAD", CHECK_OK, &one, 1, NULL, NULL);
		is_str(s, "LOAD OK - node_load1=0.42 | node_load1=0.42",
		    "no ranges: the value alone");
		free(s);
	}
	{
		struct check_item two[] = {
			{ "x{job=\"a\"}", 1, CHECK_OK },
			{ "it's|b", NAN, CHECK_UNKNOWN },
			{ "c\nd", 9, CHECK_CRITICAL },
		};
		s = line("X", CHECK_CRITICAL, two, 3, "5", "8");
		is_str(s, "X CRITICAL - c d=9, it's/b=NaN, x{job=\"a\"}=1 | "
		    "'x{job:\"a\"}'=1;5;8 'it\"s|b'=U;5;8 'c d'=9;5;8",
		    "worst first; quoting, NaN as U, one line");
		free(s);
	}
	{
		struct check_item many[12];
		char names[12][8];
		for (i = 0; i < 12; i++) {
			snprintf(names[i], sizeof(names[i]), "s%zu", i);
			many[i].label = names[i];
			many[i].value = (double)i;
			many[i].state = CHECK_OK;
		}
		s = line("M", CHECK_OK, many, 12, NULL, NULL);
		ok(strstr(s, "s9=9, and 2 more | s0=0") && strstr(s, "s11=11"),
		    "ten in the text, all in the performance data");
		free(s);
	}
	s = line("E", CHECK_UNKNOWN, NULL, 0, NULL, NULL);
	is_str(s, "E UNKNOWN - no data", "no items: the note");
	free(s);
	return done_testing();
}
