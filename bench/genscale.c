/* genscale.c - generate many series for the scale benchmark */
/* SPDX-License-Identifier: MIT */
#include <err.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * usage: genscale [-H hosts] [-n samples] [-s series] [-i interval_ms]
 *                 [-t start_ms]
 *
 * Writes 'samples' rounds of one sample for each of 'series' series of
 * the gauge x{host="hH",i="I"}, 'hosts' hosts with series / hosts series
 * each, the rounds 'interval' ms apart from 'start' on: the shape of many
 * targets scraped at once, as bench/scale.sh needs it (a million series,
 * or a writer holding 50 million samples).  Values are small integers
 * that change from round to round.  Lines are formatted by hand: the
 * benchmark spends its time in what it measures, not here.
 */
static char *
put_u(char *p, unsigned long long v)
{
	char tmp[24];
	int n = 0;

	do
		tmp[n++] = (char)('0' + v % 10);
	while ((v /= 10) != 0);
	while (n > 0)
		*p++ = tmp[--n];
	return p;
}

int
main(int argc, char *argv[])
{
	unsigned long long series = 1000000, hosts = 1000, samples = 3, i, k;
	long long start = 0, interval = 15000;
	static char out[1 << 16];
	char *p = out;
	int ch;

	while ((ch = getopt(argc, argv, "H:i:n:s:t:")) != -1) {
		switch (ch) {
		case 'H': hosts = strtoull(optarg, NULL, 10); break;
		case 'i': interval = strtoll(optarg, NULL, 10); break;
		case 'n': samples = strtoull(optarg, NULL, 10); break;
		case 's': series = strtoull(optarg, NULL, 10); break;
		case 't': start = strtoll(optarg, NULL, 10); break;
		default:
			fprintf(stderr, "usage: genscale [-H hosts] [-n samples] "
			    "[-s series] [-i interval_ms] [-t start_ms]\n");
			return 2;
		}
	}
	if (hosts == 0 || series % hosts != 0 || start < 0 || interval < 0)
		errx(2, "series must be a multiple of hosts; times not negative");
	for (k = 0; k < samples; k++) {
		unsigned long long ts = (unsigned long long)start +
		    k * (unsigned long long)interval;
		for (i = 0; i < series; i++) {
			if (p - out > (long)sizeof(out) - 256) {
				if (fwrite(out, 1, (size_t)(p - out), stdout) !=
				    (size_t)(p - out))
					err(1, "write");
				p = out;
			}
			memcpy(p, "{\"name\":\"x\",\"type\":\"gauge\",\"value\":", 35);
			p = put_u(p + 35, (i * 7 + k) % 1000);
			memcpy(p, ",\"ts\":", 6);
			p = put_u(p + 6, ts);
			memcpy(p, ",\"labels\":{\"host\":\"h", 20);
			p = put_u(p + 20, i / (series / hosts));
			memcpy(p, "\",\"i\":\"", 7);
			p = put_u(p + 7, i % (series / hosts));
			memcpy(p, "\"}}\n", 4);
			p += 4;
		}
	}
	if (fwrite(out, 1, (size_t)(p - out), stdout) != (size_t)(p - out) ||
	    fflush(stdout) == EOF)
		err(1, "write");
	return 0;
}
