/* t_complete.c - what a word being typed in mshell may become */
/* SPDX-License-Identifier: MIT */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "shell/complete.h"
#include "shell/shell.h"
#include "tap.h"

/* '|' in 'in' marks the cursor. */
static void
context(const char *in, enum complete_kind kind, const char *word,
    const char *metric, const char *label)
{
	struct complete_ctx c;
	char line[512];
	const char *bar = strchr(in, '|');
	size_t point = (size_t)(bar - in);

	snprintf(line, sizeof(line), "%.*s%s", (int)point, in, bar + 1);
	complete_context(line, strlen(line), point, &c);
	ok(c.kind == kind, "%s: kind %d (got %d)", in, kind, c.kind);
	ok(c.start <= point && strlen(word) == point - c.start &&
	    strncmp(line + c.start, word, point - c.start) == 0,
	    "%s: the word is '%s' (from %zu)", in, word, c.start);
	if (metric)
		ok(strcmp(c.metric, metric) == 0, "%s: metric '%s' (got '%s')",
		    in, metric, c.metric);
	if (label)
		ok(strcmp(c.label, label) == 0, "%s: label '%s' (got '%s')",
		    in, label, c.label);
}

/* The completions of 'in' at its '|', joined by spaces. */
static char *
words(struct shell *sh, const char *in, size_t *start)
{
	struct completion c;
	char line[512], *out = calloc(1, 8192);
	const char *bar = strchr(in, '|');
	size_t point = (size_t)(bar - in), i;

	snprintf(line, sizeof(line), "%.*s%s", (int)point, in, bar + 1);
	complete_line(sh, line, point, &c);
	for (i = 0; i < c.n; i++) {
		if (i)
			strcat(out, " ");
		strncat(out, c.v[i], 8192 - strlen(out) - 2);
	}
	*start = c.start;
	completion_release(&c);
	return out;
}

static void
is_words(struct shell *sh, const char *in, const char *want)
{
	size_t start;
	char *got = words(sh, in, &start);

	if (!ok(strcmp(got, want) == 0, "complete %s", in))
		printf("#   got '%s'\n#  want '%s'\n", got, want);
	free(got);
}

int
main(void)
{
	static const char stream[] =
	    "{\"name\":\"node_load1\",\"value\":1,\"ts\":1000,\"labels\":{\"host\":\"a\"}}\n"
	    "{\"name\":\"node_load15\",\"value\":1,\"ts\":1000,\"labels\":{\"host\":\"b\"}}\n"
	    "{\"name\":\"node_cpu_seconds_total\",\"type\":\"counter\",\"value\":1,\"ts\":1000,\"labels\":{\"cpu\":\"0\",\"mode\":\"idle\"}}\n"
	    "{\"name\":\"node_cpu_seconds_total\",\"type\":\"counter\",\"value\":1,\"ts\":1000,\"labels\":{\"cpu\":\"0\",\"mode\":\"system\"}}\n"
	    "{\"name\":\"node_cpu_seconds_total\",\"type\":\"counter\",\"value\":1,\"ts\":1000,\"labels\":{\"cpu\":\"1\",\"mode\":\"say \\\"hi\\\"\"}}\n"
	    "{\"name\":\"rate\",\"value\":1,\"ts\":1000}\n";
	char path[] = "/tmp/t_complete.XXXXXX";
	struct shell_opts o = { NULL, path, NULL, stdout, stdout, 0, 0, NULL };
	struct shell *sh;
	int fd = mkstemp(path);

	context("|", COMPLETE_EXPR, "", "", NULL);
	context("node_lo|", COMPLETE_EXPR, "node_lo", "", NULL);
	context("sum(rate(node_c|", COMPLETE_EXPR, "node_c", "", NULL);
	context("x{mo|", COMPLETE_LABEL, "mo", "x", NULL);
	context("x {a=\"b\", mo|}", COMPLETE_LABEL, "mo", "x", NULL);
	context("{mo|", COMPLETE_LABEL, "mo", "", NULL);
	context("x{mode=\"sy|", COMPLETE_VALUE, "sy", "x", "mode");
	context("x{mode=~\"sy|\"}", COMPLETE_VALUE, "sy", "x", "mode");
	context("x{mode!=`|", COMPLETE_VALUE, "", "x", "mode");
	context("x{a=\"}{\", mode=\"i|", COMPLETE_VALUE, "i", "x", "mode");
	context("rate(x[5|", COMPLETE_DURATION, "5", NULL, NULL);
	context("rate(x[|", COMPLETE_DURATION, "", NULL, NULL);
	context("rate(x[5m]) > 1|", COMPLETE_NONE, "1", NULL, NULL);
	context("sum by (mo|", COMPLETE_LABEL, "mo", "", NULL);
	context("sum without(|", COMPLETE_LABEL, "", "", NULL);
	context("a / on (in|) b", COMPLETE_LABEL, "in", "", NULL);
	context("sum by (mode) (ra|", COMPLETE_EXPR, "ra", "", NULL);
	context("x{mode=\"a\"} + y|", COMPLETE_EXPR, "y", "", NULL);
	context("\"str|", COMPLETE_NONE, "str", NULL, NULL);
	context("x # a comment|", COMPLETE_NONE, "", NULL, NULL);
	context("\\ra|", COMPLETE_COMMAND, "\\ra", NULL, NULL);
	context("  \\|", COMPLETE_COMMAND, "\\", NULL, NULL);
	context("\\range 1|", COMPLETE_DURATION, "1", NULL, NULL);
	context("\\step |", COMPLETE_DURATION, "", NULL, NULL);
	context("\\format c|", COMPLETE_FORMAT, "c", NULL, NULL);
	context("\\help ra|", COMPLETE_TOPIC, "ra", NULL, NULL);
	context("\\metrics no|", COMPLETE_METRIC, "no", NULL, NULL);
	context("\\at n|", COMPLETE_TIME, "n", NULL, NULL);
	context("\\store /t|", COMPLETE_FILE, "/t", NULL, NULL);
	context("\\explain sum(x{a|", COMPLETE_LABEL, "a", "x", NULL);
	context("\\series up{jo|", COMPLETE_LABEL, "jo", "up", NULL);
	context("\\watch 5|", COMPLETE_DURATION, "5", NULL, NULL);
	context("\\watch 5s rate(no|", COMPLETE_EXPR, "no", "", NULL);
	context("\\range 1h x|", COMPLETE_NONE, "x", NULL, NULL);

	if (fd == -1 || write(fd, stream, sizeof(stream) - 1) !=
	    (ssize_t)sizeof(stream) - 1 || close(fd) == -1) {
		ok(0, "write %s", path);
		return done_testing();
	}
	sh = shell_new(&o);
	is_words(sh, "node_lo|", "node_load1 node_load15");
	is_words(sh, "node_load1|", "node_load1 node_load15");
	is_words(sh, "node_cpu_seconds_total{|", "cpu mode");
	is_words(sh, "node_load1{|", "host");
	is_words(sh, "{|", "cpu host mode");
	is_words(sh, "node_cpu_seconds_total{mode=\"|", "idle\" say \\\"hi\\\"\" system\"");
	is_words(sh, "node_cpu_seconds_total{mode='s|", "say \"hi\"' system'");
	is_words(sh, "node_cpu_seconds_total{cpu=\"1\", mode=\"|", "idle\" say \\\"hi\\\"\" system\"");
	is_words(sh, "rat|", "rate rate(");
	is_words(sh, "sum by (h|", "host");
	is_words(sh, "\\ra|", "\\range");
	is_words(sh, "\\format cs|", "csv");
	is_words(sh, "\\step a|", "auto");
	is_words(sh, "rate(x[1|", "10m 12h 15m 1d 1h 1m");
	is_words(sh, "histogram_q|", "histogram_quantile(");
	is_words(sh, "quan|", "quantile quantile_over_time(");
	is_words(sh, "wi|", "without");
	is_words(sh, "x of|", "offset");
	is_words(sh, "\\help =|", "==");
	is_words(sh, "\\help fun|", "functions");
	is_words(sh, "\\help ra|", "rad range rate");
	shell_free(sh);
	unlink(path);
	return done_testing();
}
