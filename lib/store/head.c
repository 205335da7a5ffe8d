/* head.c - series table and unsealed samples */
/* SPDX-License-Identifier: MIT */
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/strmap.h"
#include "store/head.h"
#include "stream/series.h"
#include "base/xalloc.h"

/*
 * Series keys are numbered by a strmap (base/strmap.h): a series' number
 * is its key's, and the keys live in the map's arena.
 */
struct head {
	struct strmap *keys;
	struct head_series *series;
	size_t nseries, cap;
	uint64_t nsamples;
};

struct head *
head_new(void)
{
	struct head *h = xcalloc(1, sizeof(*h));

	h->keys = strmap_new();
	return h;
}

void
head_free(struct head *h)
{
	size_t i;

	if (h == NULL)
		return;
	for (i = 0; i < h->nseries; i++) {
		free(h->series[i].ts);
		free(h->series[i].v);
		free(h->series[i].unit);
		free(h->series[i].help);
	}
	free(h->series);
	strmap_free(h->keys);
	free(h);
}

const char *
head_key(const struct head *h, const struct head_series *s)
{
	return strmap_str(h->keys, (uint32_t)(s - h->series), NULL);
}

long
head_series_find(const struct head *h, const char *key, size_t keylen,
    uint64_t hash)
{
	return strmap_find(h->keys, key, keylen, hash);
}

static void
set_str(char **dst, const char *s, size_t len)
{
	if (s == NULL) {
		free(*dst);
		*dst = NULL;
	} else if (*dst == NULL || strlen(*dst) != len ||
	    memcmp(*dst, s, len) != 0) {
		free(*dst);
		*dst = xstrndup(s, len);
	}
}

int
head_series_meta(struct head *h, uint32_t id, enum metric_type type,
    const char *unit, size_t unit_len, const char *help, size_t help_len)
{
	struct head_series *s = &h->series[id];

	if (s->type == type &&
	    (s->unit == NULL) == (unit == NULL) &&
	    (s->help == NULL) == (help == NULL) &&
	    (unit == NULL || (strlen(s->unit) == unit_len &&
	    memcmp(s->unit, unit, unit_len) == 0)) &&
	    (help == NULL || (strlen(s->help) == help_len &&
	    memcmp(s->help, help, help_len) == 0)))
		return 0;
	s->type = type;
	if (unit != s->unit)
		set_str(&s->unit, unit, unit_len);
	if (help != s->help)
		set_str(&s->help, help, help_len);
	return 1;
}

uint32_t
head_series_get(struct head *h, const char *key, size_t keylen, uint64_t hash,
    enum metric_type type, const char *unit, size_t unit_len,
    const char *help, size_t help_len, int *created)
{
	uint32_t id = strmap_intern(h->keys, key, keylen, hash, created);
	struct head_series *s;

	if (!*created) {
		head_series_meta(h, id, type, unit, unit_len, help, help_len);
		return id;
	}
	h->series = xgrow(h->series, &h->cap, h->nseries + 1, sizeof(*h->series));
	s = &h->series[h->nseries];
	memset(s, 0, sizeof(*s));
	s->keylen = (uint32_t)keylen;
	s->type = type;
	set_str(&s->unit, unit, unit_len);
	set_str(&s->help, help, help_len);
	return (uint32_t)h->nseries++;
}

void
head_append(struct head *h, uint32_t id, int64_t ts, double v)
{
	struct head_series *s = &h->series[id];

	if (s->n == s->cap) {
		size_t c = s->cap;
		s->ts = xgrow(s->ts, &c, s->n + 1, sizeof(*s->ts));
		s->v = xreallocarray(s->v, c, sizeof(*s->v));
		s->cap = c;
	}
	s->ts[s->n] = ts;
	s->v[s->n] = v;
	s->n++;
	h->nsamples++;
}

size_t
head_nseries(const struct head *h)
{
	return h->nseries;
}

struct head_series *
head_series(struct head *h, uint32_t id)
{
	return &h->series[id];
}

uint64_t
head_nsamples(const struct head *h)
{
	return h->nsamples;
}

struct pair {
	int64_t ts;
	size_t at;	/* arrival position: later wins */
	double v;
};

static int
cmp_pair(const void *a, const void *b)
{
	const struct pair *x = a, *y = b;

	if (x->ts != y->ts)
		return x->ts < y->ts ? -1 : 1;
	return x->at < y->at ? -1 : x->at > y->at;
}

void
head_series_sort(struct head *h, uint32_t id)
{
	struct head_series *s = &h->series[id];
	struct pair *p;
	size_t i, n = 0;
	int sorted = 1;

	for (i = 1; i < s->n && sorted; i++)
		sorted = s->ts[i] > s->ts[i - 1];
	if (sorted)
		return;		/* the usual case: in order, no repeats */
	p = xmalloc(s->n * sizeof(*p));
	for (i = 0; i < s->n; i++) {
		p[i].ts = s->ts[i];
		p[i].at = i;
		p[i].v = s->v[i];
	}
	qsort(p, s->n, sizeof(*p), cmp_pair);
	for (i = 0; i < s->n; i++) {
		if (n > 0 && s->ts[n - 1] == p[i].ts)
			n--;	/* a repeated timestamp: the later one wins */
		s->ts[n] = p[i].ts;
		s->v[n] = p[i].v;
		n++;
	}
	h->nsamples -= s->n - n;
	s->n = n;
	free(p);
}

void
head_set_nsamples(struct head *h, uint64_t n)
{
	h->nsamples = n;
}

void
head_clear_samples(struct head *h)
{
	size_t i;

	for (i = 0; i < h->nseries; i++) {
		struct head_series *s = &h->series[i];
		/* Keep room for the next batch unless it was a burst. */
		if (s->cap > 2 * s->n + 64) {
			free(s->ts);
			free(s->v);
			s->ts = NULL;
			s->v = NULL;
			s->cap = 0;
		}
		s->n = 0;
	}
	h->nsamples = 0;
}

static int
cmp_key(const void *a, const void *b, void *ctx)
{
	const struct head *h = ctx;
	const struct head_series *x = &h->series[*(const uint32_t *)a];
	const struct head_series *y = &h->series[*(const uint32_t *)b];
	size_t m = x->keylen < y->keylen ? x->keylen : y->keylen;
	int c = memcmp(head_key(h, x), head_key(h, y), m);

	return c ? c : (x->keylen > y->keylen) - (x->keylen < y->keylen);
}

uint32_t *
head_sorted(const struct head *h)
{
	uint32_t *ids = xmalloc((h->nseries ? h->nseries : 1) * sizeof(*ids));
	size_t i;

	for (i = 0; i < h->nseries; i++)
		ids[i] = (uint32_t)i;
	qsort_r(ids, h->nseries, sizeof(*ids), cmp_key, (void *)h);
	return ids;
}

size_t
head_memory(const struct head *h)
{
	size_t i, m = strmap_memory(h->keys) + h->cap * sizeof(*h->series);

	for (i = 0; i < h->nseries; i++)
		m += h->series[i].cap * 16;
	return m;
}
