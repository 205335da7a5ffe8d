/* gen.c - generate a realistic metric stream for benchmarks and tests */
/* SPDX-License-Identifier: MIT */
#include <err.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/cli.h"
#include "stream/jsonl.h"
#include "base/timestamp.h"
#include "base/xalloc.h"

/*
 * node_exporter-like series: for each host, per-CPU counters in
 * hundredths of a second, byte counters, wandering integer and decimal
 * gauges, constants, a few high-precision floats, and now and then a
 * counter reset (a restarted host).  Deterministic for a given seed.
 *
 * With -b, each host also has a classic histogram of request latency:
 * http_request_duration_seconds_bucket counters for Prometheus' default
 * buckets and +Inf, then _sum and _count, all updated together from the
 * same requests, so that they agree at every timestamp.  Without -b the
 * output is what it always was (bench/store.sh depends on it).
 */

static const struct cli_option options[] = {
	{ "buckets", 'b', NULL, NULL, "also write a latency histogram per host" },
	{ "hosts", 'H', "hosts", NULL, "this many hosts (10)" },
	{ "interval", 'i', "interval", NULL, "samples this far apart (15s)" },
	{ "samples", 'n', "samples", NULL, "this many samples (1000000)" },
	{ "seed", 's', "seed", NULL, "the random seed" },
	{ "start", 't', "start", NULL, "the first time, in ms (2026-01-01)" },
	{ NULL, 0, NULL, NULL, NULL }
};

static const struct cli_program program = { options, { NULL, NULL, NULL },
	NULL, 0 };

enum kind {
	K_CPU,		/* counter, 0.01 s resolution */
	K_BYTES,	/* integer counter, bursty */
	K_MEM,		/* integer gauge, multiple of 4096, wandering */
	K_LOAD,		/* gauge, 2 decimals */
	K_CONST,	/* constant */
	K_TEMP,		/* high-precision float gauge */
	K_OBS,		/* histogram observation, high precision */
	K_HIST		/* a histogram's bucket, sum or count (-b) */
};

/* Prometheus' default buckets, then +Inf. */
static const double bucket_le[] = { 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5,
	1, 2.5, 5, 10, INFINITY };
#define NBUCKETS (sizeof(bucket_le) / sizeof(bucket_le[0]))

/* One host's latency histogram: cumulative counts, sum, count. */
struct hist {
	double bucket[NBUCKETS];
	double sum, count;
};

struct series {
	char name[64];
	struct label labels[3];
	char lv[3][32];
	size_t nlabels;
	enum kind kind;
	enum metric_type type;
	double v;
	double share;	/* K_CPU: mean seconds per interval */
	struct hist *h;	/* K_HIST: the histogram; which of its values: */
	int part;	/* a bucket's index, NBUCKETS for _sum, +1 for _count */
};

static uint64_t rng = 88172645463325252ULL;

static double
urand(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (double)(rng >> 11) / 9007199254740992.0;
}

static void
add(struct series **s, size_t *n, size_t *cap, const char *name,
    enum kind k, enum metric_type t, double v0, const char *host,
    const char *l2, const char *v2, const char *l3, const char *v3)
{
	struct series *x;

	*s = xgrow(*s, cap, *n + 1, sizeof(**s));
	x = &(*s)[(*n)++];
	memset(x, 0, sizeof(*x));
	snprintf(x->name, sizeof(x->name), "%s", name);
	x->kind = k;
	x->type = t;
	x->v = v0;
	/* Labels in sorted order: cpu/device < host < mode. */
	if (l2) {
		snprintf(x->lv[x->nlabels], 32, "%s", v2);
		x->labels[x->nlabels].name = l2;
		x->nlabels++;
	}
	snprintf(x->lv[x->nlabels], 32, "%s", host);
	x->labels[x->nlabels].name = "host";
	x->nlabels++;
	if (l3) {
		snprintf(x->lv[x->nlabels], 32, "%s", v3);
		x->labels[x->nlabels].name = l3;
		x->nlabels++;
	}
}

/*
 * New requests for the histogram whose series start at 's': a few a
 * second, with a log-normal latency around 60 ms and a slow tail.
 */
static void
hist_observe(struct series *s)
{
	struct hist *h = s->h;
	int i, k, n = (int)(urand() * 40);

	for (k = 0; k < n; k++) {
		double z = sqrt(-2 * log(1 - urand())) * cos(6.283185307179586 * urand());
		double lat = 0.06 * exp(0.9 * z);
		if (urand() < 0.01)
			lat *= 20;
		for (i = 0; i < (int)NBUCKETS; i++)
			if (lat <= bucket_le[i])
				h->bucket[i]++;
		h->sum += lat;
		h->count++;
	}
	for (i = 0; i < (int)NBUCKETS + 2; i++)
		s[i].v = i < (int)NBUCKETS ? h->bucket[i] :
		    i == (int)NBUCKETS ? h->sum : h->count;
}

static void
step(struct series *x)
{
	switch (x->kind) {
	case K_CPU:
		/*
		 * Seconds per interval spent in this mode, at USER_HZ
		 * resolution: 'share' of the interval, with noise.
		 */
		x->v = round((x->v + x->share * (0.5 + urand())) * 100) / 100;
		if (urand() < 0.00002)
			x->v = 0;
		break;
	case K_BYTES:
		x->v += floor(urand() * urand() * 5e6);
		if (urand() < 0.00002)
			x->v = 0;
		break;
	case K_MEM:
		x->v += 4096 * floor((urand() - 0.5) * 2000);
		if (x->v < 1e8)
			x->v = 1e8;
		break;
	case K_LOAD:
		x->v = round(fabs(x->v + (urand() - 0.5) * 0.3) * 100) / 100;
		break;
	case K_CONST:
		break;
	case K_TEMP:
		x->v = 40 + 10 * sin(x->v * 0 + urand() * 6.283185307179586) *
		    urand() + urand() / 3;
		break;
	case K_OBS:
		x->v = -log(1 - urand()) * 0.05;
		break;
	case K_HIST:
		/* The histogram moves when its last series (_count) has been written. */
		if (x->part == NBUCKETS + 1)
			hist_observe(x - NBUCKETS - 1);
		break;
	}
}

int
main(int argc, char *argv[])
{
	static const char *const modes[] = { "idle", "iowait", "irq", "nice",
		"softirq", "steal", "system", "user" };
	/* Share of a CPU's time per mode, as on a lightly loaded server. */
	static const double shares[] = { 0.80, 0.02, 0.005, 0.01, 0.015, 0,
		0.05, 0.10 };
	struct errbuf eb = ERRBUF_INIT;
	struct series *s = NULL;
	struct hist *hists = NULL;
	struct jsonl_writer *w;
	size_t n = 0, cap = 0, i, h, c, m;
	long hosts = 10;
	int64_t interval = 15000, start = 1767225600000LL;	/* 2026-01-01 */
	unsigned long long total = 1000000, done = 0;
	struct cli cli;
	int ch, buckets = 0;

	cli_start(&cli, &program, argc, argv);
	while ((ch = cli_next(&cli)) != -1) {
		switch (ch) {
		case 'b': buckets = 1; break;
		case 'H': hosts = atol(optarg); break;
		case 'i':
			if (ts_parse_duration(optarg, &interval) == -1 || interval <= 0)
				cli_usage_error(&cli, "bad interval '%s'", optarg);
			break;
		case 'n': total = strtoull(optarg, NULL, 10); break;
		case 's': rng = strtoull(optarg, NULL, 0) | 1; break;
		case 't': start = atoll(optarg); break;
		}
	}
	cli_operands(&cli, &argc, &argv);
	if (hosts < 1)
		cli_usage_error(&cli, "bad host count");
	if (buckets)
		hists = xcalloc((size_t)hosts, sizeof(*hists));
	for (h = 0; h < (size_t)hosts; h++) {
		char host[32], dev[16];
		snprintf(host, sizeof(host), "host-%03zu", h);
		for (c = 0; c < 8; c++) {
			snprintf(dev, sizeof(dev), "%zu", c);
			for (m = 0; m < 8; m++) {
				add(&s, &n, &cap, "node_cpu_seconds_total", K_CPU,
				    METRIC_COUNTER, round(urand() * 1e8 * shares[m]) / 100,
				    host, "cpu", dev, "mode", modes[m]);
				s[n - 1].share = shares[m] * (double)interval / 1000 *
				    (0.5 + urand());
			}
		}
		for (c = 0; c < 4; c++) {
			snprintf(dev, sizeof(dev), "eth%zu", c);
			add(&s, &n, &cap, "node_network_receive_bytes_total",
			    K_BYTES, METRIC_COUNTER, floor(urand() * 1e12), host,
			    "device", dev, NULL, NULL);
			add(&s, &n, &cap, "node_network_transmit_bytes_total",
			    K_BYTES, METRIC_COUNTER, floor(urand() * 1e12), host,
			    "device", dev, NULL, NULL);
		}
		add(&s, &n, &cap, "node_memory_MemAvailable_bytes", K_MEM,
		    METRIC_GAUGE, 4096 * floor(urand() * 4e6), host, NULL, NULL,
		    NULL, NULL);
		add(&s, &n, &cap, "node_memory_MemTotal_bytes", K_CONST,
		    METRIC_GAUGE, 33554432000, host, NULL, NULL, NULL, NULL);
		add(&s, &n, &cap, "node_boot_time_seconds", K_CONST, METRIC_GAUGE,
		    1767000000 + floor(urand() * 1e5), host, NULL, NULL, NULL, NULL);
		add(&s, &n, &cap, "node_load1", K_LOAD, METRIC_GAUGE, 1.5, host,
		    NULL, NULL, NULL, NULL);
		add(&s, &n, &cap, "node_load5", K_LOAD, METRIC_GAUGE, 1.2, host,
		    NULL, NULL, NULL, NULL);
		add(&s, &n, &cap, "node_hwmon_temp_celsius", K_TEMP, METRIC_GAUGE,
		    45, host, "chip", "coretemp", NULL, NULL);
		add(&s, &n, &cap, "http_request_duration_seconds", K_OBS,
		    METRIC_HISTOGRAM, 0.1, host, NULL, NULL, NULL, NULL);
		for (c = 0; buckets && c < NBUCKETS + 2; c++) {
			char le[16];
			if (c < NBUCKETS)
				snprintf(le, sizeof(le), "%g", bucket_le[c]);
			/* Labels sorted: host < le. */
			if (c < NBUCKETS)
				add(&s, &n, &cap, "http_request_duration_seconds_bucket",
				    K_HIST, METRIC_COUNTER, 0, host, NULL, NULL,
				    "le", isinf(bucket_le[c]) ? "+Inf" : le);
			else
				add(&s, &n, &cap, c == NBUCKETS ?
				    "http_request_duration_seconds_sum" :
				    "http_request_duration_seconds_count", K_HIST,
				    METRIC_COUNTER, 0, host, NULL, NULL, NULL, NULL);
			s[n - 1].h = &hists[h];
			s[n - 1].part = (int)c;
		}
	}
	for (i = 0; i < n; i++)
		for (c = 0; c < s[i].nlabels; c++) {
			s[i].labels[c].value = s[i].lv[c];
			s[i].labels[c].name_len = (uint32_t)strlen(s[i].labels[c].name);
			s[i].labels[c].value_len = (uint32_t)strlen(s[i].lv[c]);
		}

	w = jsonl_writer_new(stdout);
	for (int64_t t = start; done < total; t += interval) {
		for (i = 0; i < n && done < total; i++, done++) {
			struct sample smp = {
				.name = s[i].name, .name_len = strlen(s[i].name),
				.type = s[i].type, .has_ts = 1, .value = s[i].v,
				.ts = t, .labels = s[i].labels,
				.nlabels = s[i].nlabels,
			};
			if (jsonl_write(w, &smp, &eb) == -1)
				errx(1, "%s", eb.msg);
			step(&s[i]);
		}
	}
	if (jsonl_writer_flush(w, &eb) == -1)
		errx(1, "%s", eb.msg);
	jsonl_writer_free(w);
	free(s);
	free(hists);
	return cli_finish(0);
}
