/* t_metric.c - metric_check(): every rule of mtk-stream(5) on a sample */
/* SPDX-License-Identifier: MIT */
#include <stdio.h>
#include <string.h>

#include "stream/metric.h"
#include "tap.h"

int
main(void)
{
	struct errbuf eb = ERRBUF_INIT;
	char name[40];
	int c, pos, bad = 0;

	/* Every byte at every position of a name: only controls refused. */
	for (c = 1; c < 256; c++)
		for (pos = 0; pos < 20; pos++) {
			struct sample s = { .name = name, .name_len = 20 };
			int want = c < 0x20 || c == 0x7f ? -1 : 0;
			memset(name, 'a', 20);
			name[pos] = (char)c;
			if (metric_check(&s, &eb) != want)
				bad++;
		}
	is_int(bad, 0, "control characters found at every position");

	{
		struct label l[3] = { { "b", "1", 1, 1 }, { "a", "2", 1, 1 },
			{ "c", "3", 1, 1 } };
		struct sample s = { .name = "m", .name_len = 1, .labels = l,
			.nlabels = 3 };
		ok(metric_check(&s, &eb) == 0 && strcmp(l[0].name, "a") == 0 &&
		    strcmp(l[1].name, "b") == 0 && strcmp(l[2].name, "c") == 0,
		    "labels sorted");
		l[2].name = "a";
		is_int(metric_check(&s, &eb), -1, "duplicate found after sorting");
		is_str(eb.msg, "duplicate label 'a'", "message");
	}
	{
		struct label l[2] = { { "ab", "1", 2, 1 }, { "a", "2", 1, 1 } };
		struct sample s = { .name = "m", .name_len = 1, .labels = l,
			.nlabels = 2 };
		ok(metric_check(&s, &eb) == 0 && strcmp(l[0].name, "a") == 0,
		    "a prefix sorts first");
	}
	{
		/* Empty values go, wherever they are; the rest stay sorted. */
		struct label l[5] = { { "d", "", 1, 0 }, { "b", "1", 1, 1 },
			{ "a", "", 1, 0 }, { "e", "5", 1, 1 }, { "c", "", 1, 0 } };
		struct sample s = { .name = "m", .name_len = 1, .labels = l,
			.nlabels = 5 };
		ok(metric_check(&s, &eb) == 0 && s.nlabels == 2 &&
		    strcmp(l[0].name, "b") == 0 && strcmp(l[1].name, "e") == 0,
		    "empty label values dropped");
		s.nlabels = 1;
		l[0].value_len = 0;
		ok(metric_check(&s, &eb) == 0 && s.nlabels == 0,
		    "a lone empty label dropped");
	}
	{
		/* A duplicate is an error even when one of the two is empty. */
		struct label l[2] = { { "a", "", 1, 0 }, { "a", "1", 1, 1 } };
		struct sample s = { .name = "m", .name_len = 1, .labels = l,
			.nlabels = 2 };
		is_int(metric_check(&s, &eb), -1, "duplicate with an empty value");
	}
	ok(metric_label_name_valid("_a1", 3) && !metric_label_name_valid("1a", 2) &&
	    !metric_label_name_valid("a-b", 3) && !metric_label_name_valid("", 0),
	    "label name syntax");
	ok(metric_name_is_prom("a:b_c1", 6) && !metric_name_is_prom("a.b", 3) &&
	    !metric_name_is_prom("1a", 2), "Prometheus name syntax");
	return done_testing();
}
