/* t_template.c - alert templates expand as Prometheus expands them */
/* SPDX-License-Identifier: MIT */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alert/template.h"
#include "tap.h"

static const struct tmpl_label labels[] = {
	{ "instance", "web1:9100" }, { "job", "node" }, { "mode", "idle" },
};
static const struct tmpl_label ext[] = { { "cluster", "eu" } };

/* Expansions, as Prometheus 2.42 gives them for $value 1234.5678. */
static const struct {
	const char *in, *out;
} cases[] = {
	{ "plain text", "plain text" },
	{ "{{ $labels.instance }} down", "web1:9100 down" },
	{ "{{ .Labels.job }}/{{ $labels.missing }}/", "node//" },
	{ "{{ $value }}", "1234.5678" },
	{ "{{ .Value }}", "1234.5678" },
	{ "{{ $externalLabels.cluster }}", "eu" },
	{ "{{ $value | humanize }}", "1.235k" },
	{ "{{ humanize $value }}", "1.235k" },
	{ "{{ 1048576 | humanize1024 }}", "1Mi" },
	{ "{{ 0.000012 | humanize }}", "12u" },
	{ "{{ 0 | humanize }}", "0" },
	{ "{{ 90061 | humanizeDuration }}", "1d 1h 1m 1s" },
	{ "{{ 3725 | humanizeDuration }}", "1h 2m 5s" },
	{ "{{ 1.5 | humanizeDuration }}", "1.5s" },
	{ "{{ 0.0015 | humanizeDuration }}", "1.5ms" },
	{ "{{ 0.2345 | humanizePercentage }}", "23.45%" },
	{ "{{ 1435065584.128 | humanizeTimestamp }}",
	    "2015-06-23 13:19:44.128 +0000 UTC" },
	{ "{{ printf \"%.2f\" $value }}", "1234.57" },
	{ "{{ printf \"%s is %v\" $labels.job $value }}", "node is 1234.5678" },
	{ "{{ printf \"%5.1f|%-4s|\" 2.25 \"ab\" }}", "  2.2|ab  |" },
	{ "{{ $labels.mode | toUpper }}", "IDLE" },
	{ "{{ \"DOWN\" | toLower }}", "down" },
	{ "{{ title \"hello wide world\" }}", "Hello Wide World" },
	{ "{{ stripPort $labels.instance }}", "web1" },
	{ "{{ if gt $value 1000.0 }}high{{ else }}low{{ end }}", "high" },
	{ "{{ if lt $value 10.0 }}a{{ else if eq $labels.job \"node\" }}b{{ else }}c{{ end }}", "b" },
	{ "{{ if $labels.missing }}x{{ end }}y", "y" },
	{ "a  {{- \" b \" -}}  c", "a b c" },
	{ "x{{/* a comment */}}y", "xy" },
	{ "{{ `raw\\n` }}", "raw\\n" },
	{ "{{ \"tab\\there\" }}", "tab\there" },
	{ "{{ len $labels }}", "3" },
	{ "{{ index $labels \"job\" }}", "node" },
	{ "{{ and 1 0 }}{{ or 0 \"x\" }}{{ not true }}", "0xfalse" },
	{ "{{ 1e6 }} {{ 123456 }} {{ 0.00001 }} {{ -2.5 }}", "1e+06 123456 1e-05 -2.5" },
	{ "{{ (1234.5678 | humanize) }}", "1.235k" },
	{ "{{ print 1 2 \"a\" 3 }}", "1 2a3" },
	{ "{{ $labels }}", "map[instance:web1:9100 job:node mode:idle]" },
};

/* Refused when parsed, with what the message says. */
static const struct {
	const char *in, *why;
} bad[] = {
	{ "{{ query \"up\" }}", "1:4: function \"query\" is not supported" },
	{ "{{ nosuch 1 }}", "1:4: function \"nosuch\" is not defined" },
	{ "{{ $nosuch }}", "undefined variable \"$nosuch\"" },
	{ "{{ $labels.x ", "unclosed action" },
	{ "{{ if 1 }}x", "without {{ end }}" },
	{ "x{{ end }}", "unexpected {{ end }}" },
	{ "{{ range $labels }}{{ end }}", "{{ range }} is not supported" },
	{ "{{ \"abc }}", "unterminated string" },
	{ "{{ }}", "missing value" },
	{ "{{ 1 | }}", "missing value" },
	{ "{{ $x := 1 }}", "undefined variable \"$x\"" },
	{ "line\n  {{ nosuch }}", "2:6:" },
};

int
main(void)
{
	struct tmpl_data d = { labels, 3, ext, 1, 1234.5678, NULL };
	struct errbuf eb = ERRBUF_INIT;
	struct tmpl *t;
	struct buf out = BUF_INIT;
	char num[40];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		buf_reset(&out);
		if (tmpl_parse(cases[i].in, strlen(cases[i].in), &t, &eb) == -1) {
			ok(0, "%s: %s", cases[i].in, eb.msg);
			continue;
		}
		if (tmpl_exec(t, &d, &out, &eb) == -1) {
			ok(0, "%s: %s", cases[i].in, eb.msg);
		} else {
			buf_addch(&out, '\0');
			is_str(out.p, cases[i].out, "%s", cases[i].in);
		}
		tmpl_free(t);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		eb.msg[0] = '\0';
		ok(tmpl_parse(bad[i].in, strlen(bad[i].in), &t, &eb) == -1 &&
		    t == NULL && strstr(eb.msg, bad[i].why), "template %zu "
		    "refused: %s", i, eb.msg);
	}
	/* An error of the data: Prometheus fails the expansion too. */
	tmpl_parse("{{ humanize $labels.job }}", 26, &t, &eb);
	ok(tmpl_exec(t, &d, &out, &eb) == -1 && strstr(eb.msg, "humanize"),
	    "humanize of a word fails: %s", eb.msg);
	tmpl_free(t);

	tmpl_format_float(num, 0.1 + 0.2);
	is_str(num, "0.30000000000000004", "shortest digits");
	tmpl_format_float(num, NAN);
	is_str(num, "NaN", "NaN");
	tmpl_format_float(num, -INFINITY);
	is_str(num, "-Inf", "-Inf");
	tmpl_format_float(num, 1234567);
	is_str(num, "1.234567e+06", "an exponent from the seventh digit");
	buf_release(&out);
	return done_testing();
}
