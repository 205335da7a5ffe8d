/* parse.c - benchmark: stream parsing and writing, against jansson */
/* SPDX-License-Identifier: MIT */
#include <err.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "base/buf.h"
#include "stream/jsonl.h"
#include "base/xalloc.h"

/*
 * usage: parse FILE [ROUNDS]
 *
 * Loads FILE into memory, then times, ROUNDS times each, on one core:
 *   mtk-parse    jsonl_parse() over every line (fast path, jansson fallback)
 *   jansson      json_loadb() of every line plus the same field lookups
 *   mtk-write    jsonl_format() of every sample (parsed beforehand)
 *   jansson-dump json_dumpb() of every line's json_t (compact, sorted keys)
 * and prints the median lines/s of each, and the ratios.
 */

static double
now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static int
cmpd(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double
median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), cmpd);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

int
main(int argc, char *argv[])
{
	struct errbuf eb = ERRBUF_INIT;
	struct jsonl_parser *ps;
	struct sample s;
	struct buf out = BUF_INIT;
	struct stat st;
	char *data, **line;
	size_t *len, nlines = 0, i, cap = 0;
	int fd, rounds = argc > 2 ? atoi(argv[2]) : 5, r;
	double t_parse[64], t_jan[64], t_write[64], t_dump[64], t0, sink = 0;
	struct sample *kept;

	if (argc < 2 || rounds < 1 || rounds > 64)
		errx(2, "usage: parse FILE [ROUNDS]");
	if ((fd = open(argv[1], O_RDONLY)) == -1 || fstat(fd, &st) == -1)
		err(1, "%s", argv[1]);
	data = xmalloc((size_t)st.st_size + 1);
	if (read(fd, data, (size_t)st.st_size) != st.st_size)
		err(1, "%s: short read", argv[1]);
	close(fd);
	data[st.st_size] = '\0';
	line = NULL;
	len = NULL;
	for (char *p = data, *nl; (nl = strchr(p, '\n')) != NULL; p = nl + 1) {
		size_t c2 = cap;
		line = xgrow(line, &cap, nlines + 1, sizeof(*line));
		len = xgrow(len, &c2, nlines + 1, sizeof(*len));
		line[nlines] = p;
		len[nlines++] = (size_t)(nl - p);
	}
	ps = jsonl_parser_new(0);
	/*
	 * The writer is timed on samples kept from one parse: deep copies in
	 * one arena, so that writing is measured alone.
	 */
	kept = xcalloc(nlines, sizeof(*kept));
	for (i = 0; i < nlines; i++) {
		if (jsonl_parse(ps, line[i], len[i], &s, &eb) == -1)
			errx(1, "line %zu: %s", i + 1, eb.msg);
		kept[i] = s;
		kept[i].name = xstrdup(s.name);
		kept[i].labels = xmemdup(s.labels, s.nlabels * sizeof(*s.labels));
		for (size_t k = 0; k < s.nlabels; k++) {
			kept[i].labels[k].name = xstrdup(s.labels[k].name);
			kept[i].labels[k].value = xstrdup(s.labels[k].value);
		}
		kept[i].unit = kept[i].help = NULL;
	}
	for (r = 0; r < rounds; r++) {
		t0 = now();
		for (i = 0; i < nlines; i++) {
			if (jsonl_parse(ps, line[i], len[i], &s, &eb) == -1)
				errx(1, "line %zu: %s", i + 1, eb.msg);
			sink += s.value;
		}
		t_parse[r] = now() - t0;

		t0 = now();
		for (i = 0; i < nlines; i++) {
			json_t *j = json_loadb(line[i], len[i],
			    JSON_REJECT_DUPLICATES | JSON_DECODE_INT_AS_REAL, NULL);
			json_t *l;
			const char *k;
			json_t *v;
			if (j == NULL)
				errx(1, "jansson: line %zu", i + 1);
			sink += json_number_value(json_object_get(j, "value"));
			sink += (double)json_string_length(json_object_get(j, "name"));
			l = json_object_get(j, "labels");
			json_object_foreach(l, k, v)
				sink += (double)json_string_length(v);
			json_decref(j);
		}
		t_jan[r] = now() - t0;

		t0 = now();
		for (i = 0; i < nlines; i++) {
			buf_reset(&out);
			jsonl_format(&out, &kept[i]);
			sink += (double)out.len;
		}
		t_write[r] = now() - t0;

		t0 = now();
		for (i = 0; i < nlines; i++) {
			json_t *j = json_loadb(line[i], len[i], 0, NULL);
			char tmp[4096];
			sink += (double)json_dumpb(j, tmp, sizeof(tmp),
			    JSON_COMPACT | JSON_SORT_KEYS);
			json_decref(j);
		}
		t_dump[r] = now() - t0 - t_jan[r];
	}
	{
		double p = (double)nlines / median(t_parse, rounds);
		double j = (double)nlines / median(t_jan, rounds);
		double w = (double)nlines / median(t_write, rounds);
		double d = (double)nlines / median(t_dump, rounds);
		printf("lines             %zu (%.0f bytes/line), %d rounds, medians\n",
		    nlines, (double)st.st_size / (double)nlines, rounds);
		printf("parse  mtk        %12.0f lines/s\n", p);
		printf("parse  jansson    %12.0f lines/s   mtk/jansson %.1fx\n", j, p / j);
		printf("write  mtk        %12.0f lines/s   write/parse %.2fx\n", w, w / p);
		printf("write  jansson    %12.0f lines/s   mtk/jansson %.1fx\n", d, w / d);
		printf("slow-path lines   %llu of %zu\n",
		    (unsigned long long)jsonl_parser_slow_count(ps),
		    nlines * (size_t)rounds * 2);
	}
	if (sink == 42)
		puts("");
	for (i = 0; i < nlines; i++) {
		for (size_t k = 0; k < kept[i].nlabels; k++) {
			free((char *)kept[i].labels[k].name);
			free((char *)kept[i].labels[k].value);
		}
		free(kept[i].labels);
		free((char *)kept[i].name);
	}
	free(kept);
	jsonl_parser_free(ps);
	buf_release(&out);
	free(line);
	free(len);
	free(data);
	return 0;
}
