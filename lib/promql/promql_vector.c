/* promql_vector.c - the evaluator's values over its grid, and the state they count against */
/* SPDX-License-Identifier: MIT */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/xalloc.h"
#include "promql/promql_vector.h"
#include "stream/series.h"

/*
 * The state: points held, and the time.
 */
int
pev_too_many(struct pev *ev)
{
	return errbuf_set(ev->eb, "query processing would load too many samples into memory in query execution");
}

int
pev_check_time(struct pev *ev)
{
	struct timespec now;

	if ((!ev->has_deadline && ev->o->cancel == NULL) ||
	    (++ev->ticks & 255) != 0)
		return 0;
	if (ev->o->cancel && *ev->o->cancel)
		return errbuf_set(ev->eb, "query cancelled");
	if (!ev->has_deadline)
		return 0;
	clock_gettime(CLOCK_MONOTONIC, &now);
	if (now.tv_sec > ev->deadline.tv_sec ||
	    (now.tv_sec == ev->deadline.tv_sec &&
	    now.tv_nsec >= ev->deadline.tv_nsec))
		return errbuf_set(ev->eb, "query timed out in expression evaluation");
	return 0;
}

size_t
ptime_after_far(const int64_t *t, size_t n, size_t i, int64_t limit)
{
	size_t lo = i, hi = i + 1, step = 64;

	/* Double the stride until past 'limit'... */
	while (hi < n && t[hi] <= limit) {
		lo = hi;
		hi = n - hi > step ? hi + step : n;
		step *= 2;
	}
	/* ...then bisect, with t[lo] <= limit < t[hi] (or hi == n). */
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;
		if (t[mid] <= limit)
			lo = mid;
		else
			hi = mid;
	}
	return hi;
}

void
pseries_reserve(struct pseries *s, size_t n)
{
	if (s->cap - s->n >= n)
		return;
	s->cap = s->n + n;
	s->t = xreallocarray(s->t, s->cap, sizeof(*s->t));
	s->v = xreallocarray(s->v, s->cap, sizeof(*s->v));
}

void
pseries_grow(struct pseries *s)
{
	size_t cap = s->cap;

	s->t = xgrow(s->t, &cap, s->n + 1, sizeof(*s->t));
	s->v = xreallocarray(s->v, cap, sizeof(*s->v));
	s->cap = cap;
}

void
pseries_release(struct pev *ev, struct pseries *s)
{
	ev->samples -= s->n;
	free(s->t);
	free(s->v);
	if (s->rows) {
		ev->samples -= s->rows->held;
		free(s->rows->from);
		free(s->rows->count);
		free(s->rows->sk);
		free(s->rows->sk_off);
		free(s->rows->sk_len);
		free(s->rows);
	}
	s->t = NULL;
	s->v = NULL;
	s->rows = NULL;
	s->n = s->cap = 0;
}

struct pseries *
pval_add(struct pval *pv, const char *lbl, size_t len)
{
	struct pseries *s;

	pv->s = xgrow(pv->s, &pv->cap, pv->n + 1, sizeof(*pv->s));
	s = &pv->s[pv->n++];
	memset(s, 0, sizeof(*s));
	s->lbl = lbl;
	s->lbl_len = len;
	return s;
}

void
pval_release(struct pev *ev, struct pval *pv)
{
	size_t i;

	for (i = 0; i < pv->n; i++)
		pseries_release(ev, &pv->s[i]);
	free(pv->s);
	free(pv->sc);
	memset(pv, 0, sizeof(*pv));
}

const char *
pev_encode(struct pev *ev, struct plabels_builder *b, size_t *len)
{
	plabels_builder_encode(b, &ev->scratch);
	*len = ev->scratch.len;
	return parena_dup(&ev->ar, ev->scratch.p, ev->scratch.len);
}

const char *
pev_drop_name(struct pev *ev, const char *lbl, size_t len, size_t *outlen)
{
	size_t vlen;

	if (plabels_get(lbl, len, "__name__", 8, &vlen) == NULL) {
		*outlen = len;
		return lbl;
	}
	plabels_builder_from(&ev->labels, lbl, len);
	plabels_builder_del(&ev->labels, "__name__");
	return pev_encode(ev, &ev->labels, outlen);
}

/*
 * The builder of output series.
 */
void
pbuilder_init(struct pbuilder *b, struct pval *out)
{
	memset(b, 0, sizeof(*b));
	b->out = out;
}

size_t
pbuilder_series(struct pev *ev, struct pbuilder *b, const char *lbl,
    size_t len)
{
	struct pval *out = b->out;
	uint64_t h = series_hash(lbl, len);
	size_t j, i;

	(void)ev;
	if ((out->n + 1) * 2 > b->nslots) {
		size_t n = b->nslots ? b->nslots * 2 : 64;
		free(b->slots);
		b->slots = xcalloc(n, sizeof(*b->slots));
		b->nslots = n;
		for (i = 0; i < out->n; i++) {
			uint64_t hi = series_hash(out->s[i].lbl, out->s[i].lbl_len);
			for (j = hi & (n - 1); b->slots[j]; j = (j + 1) & (n - 1))
				;
			b->slots[j] = i + 1;
		}
	}
	for (j = h & (b->nslots - 1); b->slots[j]; j = (j + 1) & (b->nslots - 1)) {
		const struct pseries *s = &out->s[b->slots[j] - 1];
		if (s->lbl_len == len && memcmp(s->lbl, lbl, len) == 0)
			return b->slots[j] - 1;
	}
	pval_add(out, lbl, len);
	b->slots[j] = out->n;
	return out->n - 1;
}

void
pbuilder_unsorted(struct pbuilder *b, size_t i)
{
	b->unsorted = xgrow(b->unsorted, &b->unsorted_cap, i + 1, 1);
	b->unsorted[i] = 1;
}

struct tv {
	int64_t t;
	double v;
};

static int
cmp_tv(const void *a, const void *b)
{
	const struct tv *x = a, *y = b;

	return x->t < y->t ? -1 : x->t > y->t;
}

int
pbuilder_finish(struct pev *ev, struct pbuilder *b)
{
	size_t i, j;
	int rc = 0;

	for (i = 0; b->unsorted && i < b->unsorted_cap && i < b->out->n; i++) {
		struct pseries *s = &b->out->s[i];
		struct tv *tmp;
		if (!b->unsorted[i])
			continue;
		tmp = xreallocarray(NULL, s->n, sizeof(*tmp));
		for (j = 0; j < s->n; j++) {
			tmp[j].t = s->t[j];
			tmp[j].v = s->v[j];
		}
		qsort(tmp, s->n, sizeof(*tmp), cmp_tv);
		for (j = 0; j < s->n; j++) {
			if (j > 0 && tmp[j].t == tmp[j - 1].t)
				rc = -1;
			s->t[j] = tmp[j].t;
			s->v[j] = tmp[j].v;
		}
		free(tmp);
	}
	free(b->slots);
	free(b->unsorted);
	b->slots = NULL;
	b->unsorted = NULL;
	if (rc == -1)
		return errbuf_set(ev->eb, "vector cannot contain metrics with the same labelset");
	return 0;
}

void
pbuilder_abort(struct pbuilder *b)
{
	free(b->slots);
	free(b->unsorted);
	b->slots = NULL;
	b->unsorted = NULL;
}
