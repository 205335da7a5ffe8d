/* torrd.c - convert a metric stream to rrdtool commands, one RRD per series */
/* SPDX-License-Identifier: MIT */
#include <err.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "load.h"
#include "base/number.h"

/*
 * usage: torrd DIR STEP CREATE UPDATE RRA... < stream.jsonl
 *
 * Reads a stream whose series are sampled every STEP seconds and writes,
 * for `rrdtool -` (its pipe mode), to file CREATE one command per series
 *
 *	create -O DIR/NAME.rrd --start T --step STEP DS:v:TYPE:HB:MIN:U RRA...
 *
 * and to file UPDATE one command per series with all its samples,
 *
 *	update DIR/NAME.rrd t:v t:v ...
 *
 * so the benchmark (bench/roll.sh) times rrdtool on its most favourable
 * feed: each file opened once.  NAME is the metric name and the labels,
 * "node_load1,host=web1", with any character of a name or value other
 * than [A-Za-z0-9_.-] turned into '_'; -O makes rrdtool fail on two
 * series of one NAME.
 *
 * The heartbeat HB is four steps.  DS types: GAUGE for gauges and
 * observations, whose AVERAGE, MIN and MAX are those of mtk's rows
 * (sum / count, min, max).  For counters DDERIVE with a minimum of 0:
 * rrdtool keeps the per-second increase (DDERIVE, not DERIVE, because
 * counters such as node_cpu_seconds_total are not integers), so a row's
 * AVERAGE times its length is the counter's increase in it, which is
 * what mtk keeps a counter's rows for (its 'inc' column, read by rate()
 * and increase()).  A drop, a reset, makes that one step unknown to
 * rrdtool, where mtk counts the value after the reset as the increase.
 * COUNTER would take a drop for a wrap of a 32- or 64-bit counter and
 * store a huge rate; GAUGE would keep min/max/average of the counter's
 * value, which mtk keeps too.  Any of them costs rrdtool the same work
 * per update and the same bytes.
 *
 * Times are shifted by one step: rrdtool gives an update at t to the
 * step (t - STEP, t], and a consolidated row stamped T the steps in
 * (T - res, T], while mtk's row stamped T holds the samples in
 * [T - res, T).  A sample at t fed at t + STEP lands in the rrdtool row
 * with the same stamp as the mtk row that holds it, so both consolidate
 * the same samples into the same rows.
 */
static void
put_name(struct buf *b, const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		char c = s[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '_' || c == '.' ||
		    c == '-'))
			c = '_';
		buf_addch(b, c);
	}
}

/* Seconds 'ms' as rrdtool reads them: an integer, else with a fraction. */
static void
put_seconds(struct buf *b, int64_t ms)
{
	char num[NUMBER_BUFSZ];

	if (ms % 1000 == 0)
		buf_add(b, num, number_format_i64(num, ms / 1000));
	else
		buf_add(b, num, number_format(num, (double)ms / 1000));
}

int
main(int argc, char *argv[])
{
	struct head *h;
	struct buf out = BUF_INIT, name = BUF_INIT;
	struct label labels[METRIC_LABELS_MAX];
	char num[NUMBER_BUFSZ];
	FILE *cf, *uf;
	int64_t step_ms;
	long step;
	size_t i, k;
	int c;

	if (argc < 6 || (step = strtol(argv[2], NULL, 10)) <= 0)
		errx(2, "usage: torrd dir step create update rra ... < stream");
	step_ms = (int64_t)step * 1000;
	if ((cf = fopen(argv[3], "w")) == NULL)
		err(1, "%s", argv[3]);
	if ((uf = fopen(argv[4], "w")) == NULL)
		err(1, "%s", argv[4]);
	h = load_stdin();
	for (i = 0; i < head_nseries(h); i++) {
		struct head_series *hs;
		struct sample m;

		head_series_sort(h, (uint32_t)i);
		hs = head_series(h, (uint32_t)i);
		series_key_decode(head_key(h, hs), hs->keylen, &m, labels);
		buf_reset(&name);
		buf_adds(&name, argv[1]);
		buf_addch(&name, '/');
		put_name(&name, m.name, m.name_len);
		for (k = 0; k < m.nlabels; k++) {
			buf_addch(&name, ',');
			put_name(&name, m.labels[k].name, m.labels[k].name_len);
			buf_addch(&name, '=');
			put_name(&name, m.labels[k].value, m.labels[k].value_len);
		}
		buf_adds(&name, ".rrd");

		buf_reset(&out);
		buf_adds(&out, "create -O ");
		buf_add(&out, name.p, name.len);
		buf_adds(&out, " --start ");
		put_seconds(&out, hs->ts[0]);
		buf_addf(&out, " --step %ld DS:v:%s:%ld:%s:U", step,
		    hs->type == METRIC_COUNTER ? "DDERIVE" : "GAUGE", 4 * step,
		    hs->type == METRIC_COUNTER ? "0" : "U");
		for (c = 5; c < argc; c++)
			buf_addf(&out, " %s", argv[c]);
		buf_addch(&out, '\n');
		fwrite(out.p, 1, out.len, cf);

		buf_reset(&out);
		buf_adds(&out, "update ");
		buf_add(&out, name.p, name.len);
		for (k = 0; k < hs->n; k++) {
			buf_addch(&out, ' ');
			put_seconds(&out, hs->ts[k] + step_ms);
			buf_addch(&out, ':');
			if (isnan(hs->v[k]))
				buf_addch(&out, 'U');
			else
				buf_add(&out, num, number_format(num, hs->v[k]));
		}
		buf_addch(&out, '\n');
		fwrite(out.p, 1, out.len, uf);
	}
	buf_release(&out);
	buf_release(&name);
	head_free(h);
	if (fclose(cf) != 0)
		err(1, "%s", argv[3]);
	return fclose(uf) == 0 && fclose(stdout) == 0 ? 0 : 1;
}
