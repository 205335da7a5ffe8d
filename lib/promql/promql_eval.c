/* promql_eval.c - evaluate PromQL: selectors, operators, aggregations */
/* SPDX-License-Identifier: MIT */
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/xalloc.h"
#include "promql/promql_func.h"
#include "promql/promql_lex.h"
#include "promql/promql_number.h"
#include "promql/promql_eval.h"
#include "promql/promql_vector.h"
#include "stream/matcher.h"
#include "stream/metric.h"
#include "stream/series.h"

/*
 * The model is Prometheus' own: every expression is evaluated over a grid
 * of times (start, start + step, ..., end; one time for an instant query)
 * and gives a scalar per step, or series with at most one point per step.
 * Selectors are read once for the whole grid, a series at a time: an
 * instant selector's points, or a range function's windows, are computed
 * as the source gives each series, with two pointers over its samples,
 * which are then let go.  Operators and aggregations work step by step
 * (or, for the simple aggregations, series by series into a cell per
 * group and step), with the per-series work (signatures, groups, output
 * labels) done once per series, not once per point.
 */

static int pev_eval(struct pev *ev, const struct promql_node *n,
    struct pval *out);

/*
 * A hash table of byte strings to small integers, for signatures, groups
 * and output series.  Open addressing; the strings are borrowed.
 */
struct pmap {
	struct pmap_slot {
		const char *k;
		size_t len;
		uint64_t h;
		size_t id;
	} *slots;
	size_t nslots, n;
};

static void
pmap_grow(struct pmap *m)
{
	struct pmap_slot *old = m->slots;
	size_t i, oldn = m->nslots;

	m->nslots = oldn ? oldn * 2 : 64;
	m->slots = xcalloc(m->nslots, sizeof(*m->slots));
	for (i = 0; i < oldn; i++) {
		size_t j;
		if (old[i].k == NULL)
			continue;
		for (j = old[i].h & (m->nslots - 1); m->slots[j].k;
		    j = (j + 1) & (m->nslots - 1))
			;
		m->slots[j] = old[i];
	}
	free(old);
}

/*
 * The id of 'k', or (when absent) 'id' after adding it; '*added' says
 * which.
 */
static size_t
pmap_get(struct pmap *m, const char *k, size_t len, size_t id, int *added)
{
	uint64_t h = series_hash(k, len);
	size_t j;

	if ((m->n + 1) * 2 > m->nslots)
		pmap_grow(m);
	for (j = h & (m->nslots - 1); m->slots[j].k;
	    j = (j + 1) & (m->nslots - 1))
		if (m->slots[j].h == h && m->slots[j].len == len &&
		    memcmp(m->slots[j].k, k, len) == 0) {
			*added = 0;
			return m->slots[j].id;
		}
	m->slots[j].k = k;
	m->slots[j].len = len;
	m->slots[j].h = h;
	m->slots[j].id = id;
	m->n++;
	*added = 1;
	return id;
}

static void
pmap_release(struct pmap *m)
{
	free(m->slots);
	memset(m, 0, sizeof(*m));
}

/*
 * Selecting series from the source.
 */
/*
 * Who takes the series of a selection, instead of collecting them: each
 * series as the source reads it, its samples borrowed for the call (and
 * counted as held meanwhile), without the stale markers for a range
 * selector.  So a selector's points or a range function's windows are
 * computed without keeping every sample, and samples are counted against
 * the limit per series, as Prometheus counts them.  'series' returns 0,
 * or -1 with 'ev->eb'.
 */
struct psink {
	int (*series)(void *arg, const struct pseries *s);
	void *arg;
};

struct load_ctx {
	struct pev *ev;
	struct pval *out;		/* without a sink: collected here */
	const struct psink *sink;
	int drop_stale;
	int failed;
	/*
	 * A key whose first label sorts before __name__ came: the source's
	 * order (by key, name first) is then not PromQL's (by labels).
	 */
	int unordered;
	int64_t *t;			/* for a sink: the samples but stale */
	double *v;
	size_t cap;
};

/* Append a label to the set being built in 'b'. */
static void
put_label(struct buf *b, const char *name, size_t nl, const char *value,
    size_t vl)
{
	plabels_put_len(b, nl);
	buf_add(b, name, nl);
	plabels_put_len(b, vl);
	buf_add(b, value, vl);
}

/*
 * Turn a series key (series.h: NUL-terminated strings, which hold no NUL)
 * into a label set with __name__ in its place.
 */
static const char *
key_to_labels(struct pev *ev, const char *key, size_t keylen, size_t *len)
{
	struct buf *b = &ev->scratch;
	const char *p, *end = key + keylen, *name = key;
	size_t name_len = strlen(key);
	int named = 0;

	buf_reset(b);
	p = key + name_len + 1;
	while (p <= end) {
		const char *ln = p, *lv = NULL;
		size_t nl = 0, vl = 0;
		if (p == end) {
			ln = NULL;
		} else {
			nl = strlen(ln);
			lv = ln + nl + 1;
			vl = strlen(lv);
			p = lv + vl + 1;
		}
		if (!named && (ln == NULL || strcmp("__name__", ln) < 0)) {
			if (name_len)
				put_label(b, "__name__", 8, name, name_len);
			named = 1;
		}
		if (ln == NULL)
			break;
		if (vl)
			put_label(b, ln, nl, lv, vl);
	}
	*len = b->len;
	return parena_dup(&ev->ar, b->len ? b->p : "", b->len);
}

/* Copy what the kept samples of 'rows' stand for into 's->rows'. */
static void
load_rows(struct pseries *s, const struct promql_rows *rows,
    const size_t *keep, size_t m)
{
	struct prows *pr = xcalloc(1, sizeof(*pr));
	size_t i, len = 0;

	pr->from = xreallocarray(NULL, m ? m : 1, sizeof(*pr->from));
	pr->count = xreallocarray(NULL, m ? m : 1, sizeof(*pr->count));
	for (i = 0; i < m; i++) {
		pr->from[i] = rows->from[keep[i]];
		pr->count[i] = rows->count[keep[i]];
	}
	if (rows->sk) {
		pr->sk_off = xreallocarray(NULL, m ? m : 1, sizeof(*pr->sk_off));
		pr->sk_len = xreallocarray(NULL, m ? m : 1, sizeof(*pr->sk_len));
		for (i = 0; i < m; i++) {
			pr->sk_off[i] = len;
			len += pr->sk_len[i] = rows->sk_len[keep[i]];
		}
		pr->sk = xmalloc(len ? len : 1);
		for (i = 0; i < m; i++)
			if (pr->sk_len[i])
				memcpy(pr->sk + pr->sk_off[i],
				    rows->sk[keep[i]], pr->sk_len[i]);
	}
	s->rows = pr;
}

/*
 * Copy the 'n' samples (held already) of a series into 's', without
 * stale markers if 'drop_stale', with what 'rows' says of them.  Returns
 * 0, or -1 past the limit.
 */
static int
load_samples(struct pev *ev, int drop_stale, struct pseries *s,
    const int64_t *ts, const double *v, size_t n,
    const struct promql_rows *rows)
{
	size_t i, m = 0, *keep = NULL;

	s->t = xreallocarray(NULL, n, sizeof(*s->t));
	s->v = xreallocarray(NULL, n, sizeof(*s->v));
	s->cap = n;
	if (rows)
		keep = xreallocarray(NULL, n, sizeof(*keep));
	for (i = 0; i < n; i++) {
		if (drop_stale && pis_stale(v[i]))
			continue;
		if (keep)
			keep[m] = i;
		s->t[m] = ts[i];
		s->v[m++] = v[i];
	}
	if (rows) {
		/* Sketches count against --max-samples as 16-byte samples. */
		size_t bytes = 0;
		for (i = 0; rows->sk && i < m; i++)
			bytes += rows->sk_len[keep[i]];
		if (pev_hold(ev, bytes / 16) == -1) {
			free(keep);
			ev->samples -= n - m;
			s->n = m;
			return -1;
		}
		load_rows(s, rows, keep, m);
		s->rows->held = bytes / 16;
	}
	free(keep);
	ev->samples -= n - m;
	s->n = m;
	return 0;
}

/*
 * Whether any of the 'n' values at 'v' is a stale marker.  A marker is a
 * NaN, and NaNs are rare: four at a time, look for one first.
 */
static int
any_stale(const double *v, size_t n)
{
	size_t i = 0;

	for (; i + 4 <= n; i += 4)
		if (isnan(v[i]) | isnan(v[i + 1]) | isnan(v[i + 2]) |
		    isnan(v[i + 3]))
			if (pis_stale(v[i]) || pis_stale(v[i + 1]) ||
			    pis_stale(v[i + 2]) || pis_stale(v[i + 3]))
				return 1;
	for (; i < n; i++)
		if (pis_stale(v[i]))
			return 1;
	return 0;
}

static int
load_emit(void *arg, const char *key, size_t keylen, const int64_t *ts,
    const double *v, size_t n, const struct promql_rows *rows)
{
	struct load_ctx *c = arg;
	struct pev *ev = c->ev;
	struct pseries tmp, *s;
	size_t i, len;
	const char *lbl;
	int rc;

	if (n == 0)
		return 0;
	if (pev_check_time(ev) == -1 || pev_hold(ev, n) == -1)
		goto fail;
	if (!c->unordered) {
		const char *l1 = memchr(key, '\0', keylen);
		if (l1 != NULL && l1 + 1 < key + keylen &&
		    strcmp(l1 + 1, "__name__") < 0)
			c->unordered = 1;
	}
	lbl = key_to_labels(ev, key, keylen, &len);
	if (c->sink == NULL) {
		s = pval_add(c->out, lbl, len);
		if (load_samples(ev, c->drop_stale, s, ts, v, n, rows) == -1)
			goto fail;
		return 0;
	}
	memset(&tmp, 0, sizeof(tmp));
	tmp.lbl = lbl;
	tmp.lbl_len = len;
	if (rows != NULL) {
		/* Rare (a rolled tier's rows): a copy, as when collecting. */
		rc = load_samples(ev, c->drop_stale, &tmp, ts, v, n, rows);
		if (rc == 0 && tmp.n > 0)
			rc = c->sink->series(c->sink->arg, &tmp);
		pseries_release(ev, &tmp);
		if (rc == -1)
			goto fail;
		return 0;
	}
	/* The source's own arrays, read only, unless stale markers go. */
	tmp.t = (int64_t *)ts;
	tmp.v = (double *)v;
	tmp.n = n;
	if (c->drop_stale && any_stale(v, n)) {
		c->t = xgrow(c->t, &c->cap, n, sizeof(*c->t));
		c->v = xreallocarray(c->v, c->cap, sizeof(*c->v));
		tmp.t = c->t;
		tmp.v = c->v;
		for (i = tmp.n = 0; i < n; i++)
			if (!pis_stale(v[i])) {
				c->t[tmp.n] = ts[i];
				c->v[tmp.n++] = v[i];
			}
	}
	rc = tmp.n > 0 ? c->sink->series(c->sink->arg, &tmp) : 0;
	ev->samples -= n;
	if (rc == -1)
		goto fail;
	return 0;
fail:
	c->failed = 1;
	return -1;
}

static int
cmp_series(const void *a, const void *b)
{
	const struct pseries *x = a, *y = b;

	return plabels_cmp(x->lbl, x->lbl_len, y->lbl, y->lbl_len);
}

/* Sort the series of 'v' by labels, unless they are sorted. */
static void
sort_series(struct pval *v)
{
	size_t i;

	for (i = 1; i < v->n; i++)
		if (cmp_series(&v->s[i - 1], &v->s[i]) > 0) {
			qsort(v->s, v->n, sizeof(*v->s), cmp_series);
			return;
		}
}

/*
 * Load the series of selector 'vs' with samples in [mint, maxt]: into
 * 'out', sorted, or, with a sink, into the sink ('out' NULL) in the
 * source's order; then '*unordered' (when not NULL) says whether that
 * order may not be PromQL's, by labels.
 */
static int
load(struct pev *ev, const struct promql_node *vs, int64_t mint, int64_t maxt,
    int drop_stale, enum promql_use use, const struct psink *sink,
    struct pval *out, int *unordered)
{
	struct load_ctx c;
	size_t i, k;
	int rc;

	memset(&c, 0, sizeof(c));
	c.ev = ev;
	c.out = out;
	c.sink = sink;
	c.drop_stale = drop_stale;
	if (out != NULL)
		out->type = PROMQL_TYPE_MATRIX;
	if (mint > maxt)
		return 0;
	rc = ev->src->select(ev->src->ctx, vs->vs.matchers, vs->vs.nmatchers,
	    mint, maxt, use, load_emit, &c, ev->eb);
	free(c.t);
	free(c.v);
	if (rc == -1 || c.failed)
		return -1;
	if (unordered != NULL)
		*unordered = c.unordered;
	if (sink != NULL)
		return 0;
	/*
	 * Sources give key order (name first); PromQL's is by labels: the
	 * same unless a label name sorts before __name__.
	 */
	if (c.unordered)
		sort_series(out);
	/* Drop series left empty by stale markers. */
	for (i = k = 0; i < out->n; i++) {
		if (out->s[i].n == 0) {
			pseries_release(ev, &out->s[i]);
			continue;
		}
		out->s[k++] = out->s[i];
	}
	out->n = k;
	return 0;
}

/* The time an @ modifier pins, if any. */
static int
at_time(const struct pev *ev, const struct promql_mods *m, int64_t *at)
{
	switch (m->at) {
	case PROMQL_AT_TIME: *at = m->at_ms; return 1;
	case PROMQL_AT_START: *at = ev->qstart; return 1;
	case PROMQL_AT_END: *at = ev->qend; return 1;
	default: return 0;
	}
}

/* An instant vector selector's points of one series at a time. */
struct vs_ctx {
	struct pev *ev;
	struct pval *out;
	int64_t offset_ms, at, lb;
	int has_at, want_ts;
};

static int
vs_series(void *arg, const struct pseries *r)
{
	struct vs_ctx *c = arg;
	struct pev *ev = c->ev;
	struct pseries *s = pval_add(c->out, r->lbl, r->lbl_len);
	size_t j = 0, k;

	for (k = 0; k < ev->nsteps; k++) {
		int64_t t = pev_time(ev, k), ref;
		ref = ptime_sub(c->has_at ? c->at : t, c->offset_ms);
		while (j < r->n && r->t[j] <= ref)
			j++;
		if (j == 0 || r->t[j - 1] < ptime_sub(ref, c->lb) ||
		    pis_stale(r->v[j - 1]))
			continue;
		if (s->n == 0)
			pseries_reserve(s, ev->nsteps - k);
		if (pseries_push(ev, s, t, c->want_ts ?
		    (double)r->t[j - 1] / 1000 : r->v[j - 1]) == -1)
			return -1;
	}
	if (s->n == 0)
		c->out->n--;
	return 0;
}

/*
 * An instant vector selector: at each step the latest sample in
 * [ref - lookback, ref], ref being the step (or @) time less the offset,
 * unless that sample is a stale marker.  With 'want_ts' the value is
 * the sample's time in seconds (for timestamp()).
 */
static int
eval_vector_selector(struct pev *ev, const struct promql_node *n, int want_ts,
    struct pval *out)
{
	const struct promql_mods *m = &n->vs.mods;
	struct vs_ctx c;
	struct psink sink = { vs_series, &c };
	int64_t ref0, ref1;
	int unordered;

	out->type = PROMQL_TYPE_VECTOR;
	c.ev = ev;
	c.out = out;
	c.offset_ms = m->offset_ms;
	c.at = 0;
	c.has_at = at_time(ev, m, &c.at);
	c.lb = ev->o->lookback_ms;
	c.want_ts = want_ts;
	ref0 = ptime_sub(c.has_at ? c.at : ev->start, m->offset_ms);
	ref1 = ptime_sub(c.has_at ? c.at : ev->end, m->offset_ms);
	if (load(ev, n, ptime_sub(ref0, c.lb), ref1, 0, PROMQL_USE_VALUE,
	    &sink, NULL, &unordered) == -1)
		return -1;
	if (unordered)
		sort_series(out);
	return 0;
}

/*
 * Where the samples of the matrix selector 'n' lie, [*mint, *maxt], and
 * what of it 'shape' must say: its range, offset and @.
 */
static void
matrix_range(const struct pev *ev, const struct promql_node *n,
    struct pval *shape, int64_t *mint, int64_t *maxt)
{
	const struct promql_mods *m = &n->ms.vs->vs.mods;
	int64_t at = 0, ref0;
	int has_at = at_time(ev, m, &at);

	ref0 = ptime_sub(has_at ? at : ev->start, m->offset_ms);
	*maxt = ptime_sub(has_at ? at : ev->end, m->offset_ms);
	*mint = ptime_sub(ref0, n->ms.range_ms);
	shape->type = PROMQL_TYPE_MATRIX;
	shape->range_ms = n->ms.range_ms;
	shape->offset_ms = m->offset_ms;
	shape->has_at = has_at;
	shape->at_ms = at;
}

static int
eval_matrix_selector(struct pev *ev, const struct promql_node *n,
    enum promql_use use, struct pval *out)
{
	int64_t mint, maxt;

	matrix_range(ev, n, out, &mint, &maxt);
	return load(ev, n->ms.vs, mint, maxt, 1, use, NULL, out, NULL);
}

/*
 * A subquery: its expression evaluated at the multiples of its step from
 * the first one at or after (ref - range) of the first step up to the
 * ref of the last step, as Prometheus aligns them.
 */
static int
eval_subquery(struct pev *ev, const struct promql_node *n, struct pval *out)
{
	const struct promql_mods *m = &n->sq.mods;
	int64_t at = 0, ref0, ref1, lo, s0, step;
	int64_t o_start = ev->start, o_end = ev->end, o_step = ev->step;
	size_t o_nsteps = ev->nsteps, i, nsteps;
	int has_at = at_time(ev, m, &at);
	struct pval in = { 0 };
	int rc;

	step = n->sq.step_ms ? n->sq.step_ms : ev->o->subquery_step_ms;
	ref0 = ptime_sub(has_at ? at : ev->start, m->offset_ms);
	ref1 = ptime_sub(has_at ? at : ev->end, m->offset_ms);
	lo = ptime_sub(ref0, n->sq.range_ms);
	/* The first multiple of 'step' at or after 'lo', if int64 has one. */
	s0 = step * (lo / step);	/* '/' rounds toward 0 */
	if (s0 < lo && s0 <= INT64_MAX - step)
		s0 += step;
	out->type = PROMQL_TYPE_MATRIX;
	out->range_ms = n->sq.range_ms;
	out->offset_ms = m->offset_ms;
	out->has_at = has_at;
	out->at_ms = at;
	if (s0 < lo || s0 > ref1)
		return 0;
	nsteps = (size_t)(((uint64_t)ref1 - (uint64_t)s0) / (uint64_t)step) + 1;
	/*
	 * A scalar on this grid holds a point per step: refuse a grid past
	 * the limit before allocating it (Prometheus fails as it fills it).
	 */
	if (ev->o->max_samples && nsteps > ev->o->max_samples)
		return pev_hold(ev, nsteps);
	ev->start = s0;
	ev->end = ref1;
	ev->step = step;
	ev->nsteps = nsteps;
	rc = pev_eval(ev, n->sq.expr, &in);
	ev->start = o_start;
	ev->end = o_end;
	ev->step = o_step;
	ev->nsteps = o_nsteps;
	if (rc == -1) {
		pval_release(ev, &in);
		return -1;
	}
	if (in.type == PROMQL_TYPE_SCALAR) {
		struct pseries *s = pval_add(out, "", 0);
		size_t k;
		for (k = 0; k < nsteps; k++)
			if (pseries_push(ev, s, s0 + (int64_t)k * step,
			    in.sc[k]) == -1) {
				pval_release(ev, &in);
				return -1;
			}
		pval_release(ev, &in);
		return 0;
	}
	/* Take the series over as they are. */
	for (i = 0; i < in.n; i++) {
		struct pseries *s = pval_add(out, in.s[i].lbl, in.s[i].lbl_len);
		*s = in.s[i];
	}
	free(in.s);
	free(in.sc);
	return 0;
}

/*
 * Binary operators.
 */
static int
drops_name(enum promql_binop op)
{
	switch (op) {
	case PROMQL_OP_ADD: case PROMQL_OP_SUB: case PROMQL_OP_MUL:
	case PROMQL_OP_DIV: case PROMQL_OP_POW: case PROMQL_OP_MOD:
		return 1;
	default:
		return 0;
	}
}

/* The result of 'op' on two numbers; returns whether a comparison holds. */
static int
binop_value(enum promql_binop op, double l, double r, double *out)
{
	switch (op) {
	case PROMQL_OP_ADD: *out = l + r; return 1;
	case PROMQL_OP_SUB: *out = l - r; return 1;
	case PROMQL_OP_MUL: *out = l * r; return 1;
	case PROMQL_OP_DIV: *out = l / r; return 1;
	case PROMQL_OP_POW: *out = pow(l, r); return 1;	/* C99 and Go agree on the special cases */
	case PROMQL_OP_MOD: *out = fmod(l, r); return 1;
	case PROMQL_OP_ATAN2: *out = atan2(l, r); return 1;
	case PROMQL_OP_EQLC: *out = l; return l == r;
	case PROMQL_OP_NEQ: *out = l; return l != r;
	case PROMQL_OP_GTR: *out = l; return l > r;
	case PROMQL_OP_LSS: *out = l; return l < r;
	case PROMQL_OP_GTE: *out = l; return l >= r;
	case PROMQL_OP_LTE: *out = l; return l <= r;
	default: *out = 0; return 0;
	}
}

static int
eval_scalar_scalar(struct pev *ev, const struct promql_node *n,
    struct pval *l, struct pval *r, struct pval *out)
{
	size_t k;

	out->type = PROMQL_TYPE_SCALAR;
	out->sc = xreallocarray(NULL, ev->nsteps ? ev->nsteps : 1, sizeof(double));
	for (k = 0; k < ev->nsteps; k++) {
		double v;
		int keep = binop_value(n->binary.op, l->sc[k], r->sc[k], &v);
		if (promql_binop_is_comparison(n->binary.op))
			v = keep;
		out->sc[k] = v;
	}
	return 0;
}

static int
eval_vector_scalar(struct pev *ev, const struct promql_node *n,
    struct pval *vec, struct pval *sc, int swap, struct pval *out)
{
	enum promql_binop op = n->binary.op;
	int cmp = promql_binop_is_comparison(op), rb = n->binary.return_bool;
	struct pbuilder b;
	size_t i, j;

	out->type = PROMQL_TYPE_VECTOR;
	pbuilder_init(&b, out);
	for (i = 0; i < vec->n; i++) {
		struct pseries *s = &vec->s[i];
		const char *lbl = s->lbl;
		size_t len = s->lbl_len, oi = (size_t)-1;
		if (drops_name(op) || rb)
			lbl = pev_drop_name(ev, lbl, len, &len);
		for (j = 0; j < s->n; j++) {
			double lv = s->v[j], rv = sc->sc[pev_stepno(ev, s->t[j])];
			double v;
			int keep;
			if (swap) {
				double tmp = lv;
				lv = rv;
				rv = tmp;
			}
			keep = binop_value(op, lv, rv, &v);
			if (cmp && swap)
				v = rv;
			if (rb) {
				v = keep;
				keep = 1;
			}
			if (!keep)
				continue;
			if (oi == (size_t)-1)
				oi = pbuilder_series(ev, &b, lbl, len);
			if (pbuilder_push(ev, &b, oi, s->t[j], v) == -1) {
				pbuilder_abort(&b);
				return -1;
			}
		}
		pseries_release(ev, s);
		if (pev_check_time(ev) == -1) {
			pbuilder_abort(&b);
			return -1;
		}
	}
	return pbuilder_finish(ev, &b);
}

/* The signature of 'lbl' for matching: the on() labels, or all but ignoring() and __name__. */
static const char *
signature(struct pev *ev, const struct promql_matching *mt, const char *lbl,
    size_t len, size_t *outlen)
{
	size_t i;

	plabels_builder_from(&ev->labels, lbl, len);
	if (mt && mt->on) {
		plabels_builder_keep(&ev->labels, mt->labels.v, mt->labels.n);
	} else {
		plabels_builder_del(&ev->labels, "__name__");
		for (i = 0; mt && i < mt->labels.n; i++)
			plabels_builder_del(&ev->labels, mt->labels.v[i]);
	}
	return pev_encode(ev, &ev->labels, outlen);
}

/*
 * Go's labels.String(): {a="b", c="d"}, __name__ included, each value
 * as strconv.Quote() writes it.
 */
static void
go_labels_string(struct buf *b, const char *lbl, size_t len)
{
	const char *p = lbl, *end = lbl + len;
	struct plabel l;

	buf_addch(b, '{');
	while (p < end) {
		if (p != lbl)
			buf_adds(b, ", ");
		p = plabels_next(p, &l);
		buf_add(b, l.name, l.name_len);
		buf_addch(b, '=');
		promql_quote(b, l.value, l.value_len);
	}
	buf_addch(b, '}');
}

/* Which of a side's series have a point at the current step. */
struct cursor {
	size_t *cur;	/* per series: index of its next point */
	size_t *present;	/* series with a point at this step */
	size_t npresent;
};

static void
cursor_init(struct cursor *c, size_t n)
{
	c->cur = xcalloc(n ? n : 1, sizeof(*c->cur));
	c->present = xcalloc(n ? n : 1, sizeof(*c->present));
	c->npresent = 0;
}

static void
cursor_step(struct cursor *c, const struct pval *v, int64_t t)
{
	size_t i;

	c->npresent = 0;
	for (i = 0; i < v->n; i++)
		if (c->cur[i] < v->s[i].n && v->s[i].t[c->cur[i]] == t)
			c->present[c->npresent++] = i;
}

static void
cursor_advance(struct cursor *c, const struct pval *v)
{
	size_t i;

	for (i = 0; i < c->npresent; i++)
		c->cur[c->present[i]]++;
	(void)v;
}

static void
cursor_release(struct cursor *c)
{
	free(c->cur);
	free(c->present);
}

/*
 * A map of (lhs series, rhs series) pairs to output series, so that the
 * result labels of a pair are computed once.
 */
struct pairmap {
	uint64_t *keys;		/* (l + 1) << 32 | (r + 1); 0 is empty */
	size_t *vals;
	size_t nslots, n;
};

static size_t *
pairmap_slot(struct pairmap *pm, size_t l, size_t r, int *found)
{
	uint64_t key = ((uint64_t)(l + 1) << 32) | (uint64_t)(r + 1);
	size_t j;

	if ((pm->n + 1) * 2 > pm->nslots) {
		uint64_t *ok = pm->keys;
		size_t *ov = pm->vals, on = pm->nslots, i;
		pm->nslots = on ? on * 2 : 64;
		pm->keys = xcalloc(pm->nslots, sizeof(*pm->keys));
		pm->vals = xcalloc(pm->nslots, sizeof(*pm->vals));
		for (i = 0; i < on; i++) {
			if (ok[i] == 0)
				continue;
			for (j = (ok[i] * 0x9E3779B97F4A7C15ULL >> 17) & (pm->nslots - 1);
			    pm->keys[j]; j = (j + 1) & (pm->nslots - 1))
				;
			pm->keys[j] = ok[i];
			pm->vals[j] = ov[i];
		}
		free(ok);
		free(ov);
	}
	for (j = (key * 0x9E3779B97F4A7C15ULL >> 17) & (pm->nslots - 1);
	    pm->keys[j]; j = (j + 1) & (pm->nslots - 1))
		if (pm->keys[j] == key) {
			*found = 1;
			return &pm->vals[j];
		}
	pm->keys[j] = key;
	pm->n++;
	*found = 0;
	return &pm->vals[j];
}

/* Labels of the result of one matched pair, as Prometheus' resultMetric(). */
static const char *
result_labels(struct pev *ev, const struct promql_node *n,
    const struct pseries *ls, const struct pseries *rs, size_t *len)
{
	const struct promql_matching *mt = n->binary.matching;
	size_t i, vl;

	plabels_builder_from(&ev->labels, ls->lbl, ls->lbl_len);
	if (drops_name(n->binary.op) || n->binary.return_bool)
		plabels_builder_del(&ev->labels, "__name__");
	if (mt->card == PROMQL_CARD_ONE_TO_ONE) {
		if (mt->on) {
			plabels_builder_keep(&ev->labels, mt->labels.v,
			    mt->labels.n);
		} else {
			for (i = 0; i < mt->labels.n; i++)
				plabels_builder_del(&ev->labels,
				    mt->labels.v[i]);
		}
	}
	for (i = 0; i < mt->include.n; i++) {
		const char *v = plabels_get(rs->lbl, rs->lbl_len,
		    mt->include.v[i], strlen(mt->include.v[i]), &vl);
		if (v)
			plabels_builder_set(&ev->labels, mt->include.v[i],
			    strlen(mt->include.v[i]), v, vl);
		else
			plabels_builder_del(&ev->labels, mt->include.v[i]);
	}
	return pev_encode(ev, &ev->labels, len);
}

/* Intern the signatures of a side's series; ids in 'sig', the strings in 'names'. */
static void
side_signatures(struct pev *ev, const struct promql_matching *mt,
    const struct pval *v, struct pmap *map, size_t *sig, const char ***names,
    size_t **nlens, size_t *nnames)
{
	size_t i, len;

	for (i = 0; i < v->n; i++) {
		const char *s = signature(ev, mt, v->s[i].lbl, v->s[i].lbl_len,
		    &len);
		int added;
		sig[i] = pmap_get(map, s, len, *nnames, &added);
		if (added) {
			*names = xreallocarray(*names, *nnames + 1, sizeof(**names));
			*nlens = xreallocarray(*nlens, *nnames + 1, sizeof(**nlens));
			(*names)[*nnames] = s;
			(*nlens)[*nnames] = len;
			(*nnames)++;
		}
	}
}

static int
eval_vector_vector(struct pev *ev, const struct promql_node *n,
    struct pval *lhs, struct pval *rhs, struct pval *out)
{
	const struct promql_matching *mt = n->binary.matching;
	enum promql_binop op = n->binary.op;
	int set = promql_binop_is_set(op), rb = n->binary.return_bool;
	int one_to_many = mt->card == PROMQL_CARD_ONE_TO_MANY;
	struct pval *L = lhs, *R = rhs;	/* R: the "one" side */
	struct pmap sigmap = { 0 };
	struct pairmap pm = { 0 };
	struct pbuilder b;
	struct cursor lc, rc;
	const char **signames = NULL;
	size_t *siglens = NULL, nsigs = 0, *lsig, *rsig, k, i;
	/* Per signature: the step it was last seen on each side, and where. */
	size_t *r_stamp = NULL, *r_who = NULL, *l_stamp = NULL;
	size_t *o_sig = NULL, o_cap = 0;
	int ret = -1;

	out->type = PROMQL_TYPE_VECTOR;
	pbuilder_init(&b, out);
	if (one_to_many) {
		L = rhs;
		R = lhs;
	}
	lsig = xcalloc(L->n ? L->n : 1, sizeof(*lsig));
	rsig = xcalloc(R->n ? R->n : 1, sizeof(*rsig));
	side_signatures(ev, mt, L, &sigmap, lsig, &signames, &siglens, &nsigs);
	side_signatures(ev, mt, R, &sigmap, rsig, &signames, &siglens, &nsigs);
	r_stamp = xcalloc(nsigs ? nsigs : 1, sizeof(*r_stamp));
	r_who = xcalloc(nsigs ? nsigs : 1, sizeof(*r_who));
	l_stamp = xcalloc(nsigs ? nsigs : 1, sizeof(*l_stamp));
	cursor_init(&lc, L->n);
	cursor_init(&rc, R->n);
	for (k = 0; k < ev->nsteps; k++) {
		int64_t t = pev_time(ev, k);
		size_t stamp = k + 1;
		if (pev_check_time(ev) == -1)
			goto out;
		cursor_step(&lc, L, t);
		cursor_step(&rc, R, t);
		if (op == PROMQL_OP_OR) {
			/* All of the left, then the right that did not match. */
			for (i = 0; i < lc.npresent; i++) {
				struct pseries *s = &L->s[lc.present[i]];
				size_t oi = pbuilder_series(ev, &b, s->lbl, s->lbl_len);
				l_stamp[lsig[lc.present[i]]] = stamp;
				if (pbuilder_push(ev, &b, oi, t,
				    s->v[lc.cur[lc.present[i]]]) == -1)
					goto out;
			}
			for (i = 0; i < rc.npresent; i++) {
				struct pseries *s = &R->s[rc.present[i]];
				size_t oi;
				if (l_stamp[rsig[rc.present[i]]] == stamp)
					continue;
				oi = pbuilder_series(ev, &b, s->lbl, s->lbl_len);
				if (pbuilder_push(ev, &b, oi, t,
				    s->v[rc.cur[rc.present[i]]]) == -1)
					goto out;
			}
			goto next;
		}
		/* Nothing can match (and no duplicate is looked for). */
		if ((lc.npresent == 0 || rc.npresent == 0) &&
		    op != PROMQL_OP_UNLESS)
			goto next;
		/* The "one" side, by signature. */
		for (i = 0; i < rc.npresent; i++) {
			size_t r = rc.present[i], s = rsig[r];
			if (!set && r_stamp[s] == stamp) {
				struct buf *e = &ev->scratch;
				buf_reset(e);
				buf_adds(e, "found duplicate series for the match group ");
				go_labels_string(e, signames[s], siglens[s]);
				buf_addf(e, " on the %s hand-side of the operation: [",
				    one_to_many ? "left" : "right");
				go_labels_string(e, R->s[r].lbl, R->s[r].lbl_len);
				buf_adds(e, ", ");
				go_labels_string(e, R->s[r_who[s]].lbl,
				    R->s[r_who[s]].lbl_len);
				buf_adds(e, "];many-to-many matching not allowed: matching labels must be unique on one side");
				errbuf_set(ev->eb, "%s", e->p);
				goto out;
			}
			r_stamp[s] = stamp;
			r_who[s] = r;
		}
		for (i = 0; i < lc.npresent; i++) {
			size_t l = lc.present[i], s = lsig[l], r, oi, *slot;
			struct pseries *ls = &L->s[l], *rs;
			double vl, vr, v;
			int keep, found;
			if (op == PROMQL_OP_AND || op == PROMQL_OP_UNLESS) {
				if ((r_stamp[s] == stamp) != (op == PROMQL_OP_AND))
					continue;
				oi = pbuilder_series(ev, &b, ls->lbl, ls->lbl_len);
				if (pbuilder_push(ev, &b, oi, t, ls->v[lc.cur[l]]) == -1)
					goto out;
				continue;
			}
			if (r_stamp[s] != stamp)
				continue;
			r = r_who[s];
			rs = &R->s[r];
			vl = ls->v[lc.cur[l]];
			vr = rs->v[rc.cur[r]];
			if (one_to_many) {
				double tmp = vl;
				vl = vr;
				vr = tmp;
			}
			keep = binop_value(op, vl, vr, &v);
			if (rb)
				v = keep;
			else if (!keep)
				continue;
			slot = pairmap_slot(&pm, l, r, &found);
			if (!found) {
				size_t len;
				const char *lbl = result_labels(ev, n, ls, rs, &len);
				*slot = pbuilder_series(ev, &b, lbl, len);
			}
			oi = *slot;
			if (mt->card == PROMQL_CARD_ONE_TO_ONE) {
				if (l_stamp[s] == stamp) {
					errbuf_set(ev->eb, "multiple matches for labels: many-to-one matching must be explicit (group_left/group_right)");
					goto out;
				}
				l_stamp[s] = stamp;
			} else if (out->s[oi].n > 0 &&
			    out->s[oi].t[out->s[oi].n - 1] == t && o_sig[oi] == s) {
				errbuf_set(ev->eb, "multiple matches for matching labels grouping labels must ensure uniqueness");
				goto out;
			}
			o_sig = xgrow(o_sig, &o_cap, out->n, sizeof(*o_sig));
			o_sig[oi] = s;
			if (pbuilder_push(ev, &b, oi, t, v) == -1)
				goto out;
		}
next:
		cursor_advance(&lc, L);
		cursor_advance(&rc, R);
	}
	ret = pbuilder_finish(ev, &b);
out:
	if (ret == -1)
		pbuilder_abort(&b);
	cursor_release(&lc);
	cursor_release(&rc);
	pmap_release(&sigmap);
	free(pm.keys);
	free(pm.vals);
	free(signames);
	free(siglens);
	free(lsig);
	free(rsig);
	free(r_stamp);
	free(r_who);
	free(l_stamp);
	free(o_sig);
	return ret;
}

static int
eval_binary(struct pev *ev, const struct promql_node *n, struct pval *out)
{
	struct pval l = { 0 }, r = { 0 };
	int rc = -1;

	if (pev_eval(ev, n->binary.lhs, &l) == -1 ||
	    pev_eval(ev, n->binary.rhs, &r) == -1)
		goto out;
	if (l.type == PROMQL_TYPE_SCALAR && r.type == PROMQL_TYPE_SCALAR)
		rc = eval_scalar_scalar(ev, n, &l, &r, out);
	else if (l.type == PROMQL_TYPE_VECTOR && r.type == PROMQL_TYPE_SCALAR)
		rc = eval_vector_scalar(ev, n, &l, &r, 0, out);
	else if (l.type == PROMQL_TYPE_SCALAR && r.type == PROMQL_TYPE_VECTOR)
		rc = eval_vector_scalar(ev, n, &r, &l, 1, out);
	else
		rc = eval_vector_vector(ev, n, &l, &r, out);
out:
	pval_release(ev, &l);
	pval_release(ev, &r);
	return rc;
}

/*
 * Aggregations.
 */

/* What an aggregation has of a group at one step. */
struct agg_acc {
	double value, mean;
	double count;
};

struct group {
	const char *lbl;	/* the output labels */
	size_t lbl_len;
	size_t stamp;		/* the step it last had input, + 1 */
	size_t out;		/* its output series, or -1 */
	struct agg_acc acc;
	/* topk, bottomk, quantile: the inputs of this step */
	size_t *items;
	double *vals;
	size_t nitems, cap;
};

static void
group_item(struct group *g, size_t item, double v)
{
	if (g->nitems == g->cap) {
		size_t cap = g->cap;
		g->items = xgrow(g->items, &cap, g->nitems + 1, sizeof(*g->items));
		g->vals = xreallocarray(g->vals, cap, sizeof(*g->vals));
		g->cap = cap;
	}
	g->items[g->nitems] = item;
	g->vals[g->nitems++] = v;
}

/* The group labels of 'lbl': by() keeps, without() drops (and __name__). */
static const char *
group_labels(struct pev *ev, const struct promql_node *n, const char *lbl,
    size_t len, size_t *outlen)
{
	size_t i;

	plabels_builder_from(&ev->labels, lbl, len);
	if (n->agg.without) {
		plabels_builder_del(&ev->labels, "__name__");
		for (i = 0; i < n->agg.grouping.n; i++)
			plabels_builder_del(&ev->labels, n->agg.grouping.v[i]);
	} else {
		plabels_builder_keep(&ev->labels, n->agg.grouping.v,
		    n->agg.grouping.n);
	}
	return pev_encode(ev, &ev->labels, outlen);
}

/* The order topk (desc) and bottomk (asc) pick in; NaN always last. */
struct kitem {
	double v;
	size_t item;
};

/* 'desc' points at 1 for topk (largest first), 0 for bottomk. */
static int
cmp_k(const void *a, const void *b, void *desc)
{
	const struct kitem *x = a, *y = b;

	if (isnan(x->v) || isnan(y->v)) {
		if (isnan(x->v) && isnan(y->v))
			return x->item < y->item ? -1 : x->item > y->item;
		return isnan(x->v) ? 1 : -1;
	}
	if (x->v != y->v)
		return (x->v > y->v) == *(const int *)desc ? -1 : 1;
	return x->item < y->item ? -1 : x->item > y->item;
}

/*
 * The first 'take' of the items of 'g' in cmp_k() order, into 'kit' (room
 * for all of them): for a few, by insertion into the best so far; else
 * by sorting them all.  cmp_k() orders every pair, so both agree.
 */
static void
k_select(struct kitem *kit, const struct group *g, size_t take, int desc)
{
	size_t j, m = 0, pos;

	if (take == 0)
		return;
	if (take * 8 >= g->nitems) {
		for (j = 0; j < g->nitems; j++) {
			kit[j].v = g->vals[j];
			kit[j].item = g->items[j];
		}
		qsort_r(kit, g->nitems, sizeof(*kit), cmp_k, &desc);
		return;
	}
	for (j = 0; j < g->nitems; j++) {
		struct kitem x = { g->vals[j], g->items[j] };
		if (m == take && cmp_k(&x, &kit[m - 1], &desc) >= 0)
			continue;
		pos = m < take ? m++ : take - 1;
		while (pos > 0 && cmp_k(&x, &kit[pos - 1], &desc) < 0) {
			kit[pos] = kit[pos - 1];
			pos--;
		}
		kit[pos] = x;
	}
}

static void
agg_add(enum promql_aggop op, struct agg_acc *g, double v)
{
	double delta;

	g->count++;
	switch (op) {
	case PROMQL_AGG_SUM:
		g->value += v;
		break;
	case PROMQL_AGG_AVG:
		if (isinf(g->mean)) {
			if (isinf(v) && (g->mean > 0) == (v > 0))
				break;
			if (!isinf(v) && !isnan(v))
				break;
		}
		g->mean += v / g->count - g->mean / g->count;
		break;
	case PROMQL_AGG_MAX:
		if (g->value < v || isnan(g->value))
			g->value = v;
		break;
	case PROMQL_AGG_MIN:
		if (g->value > v || isnan(g->value))
			g->value = v;
		break;
	case PROMQL_AGG_STDDEV:
	case PROMQL_AGG_STDVAR:
		delta = v - g->mean;
		g->mean += delta / g->count;
		g->value += delta * (v - g->mean);
		break;
	default:
		break;
	}
}

static void
agg_first(enum promql_aggop op, struct agg_acc *g, double v)
{
	g->count = 1;
	g->value = v;
	g->mean = v;
	if (op == PROMQL_AGG_STDDEV || op == PROMQL_AGG_STDVAR)
		g->value = 0;
}

static double
agg_result(enum promql_aggop op, const struct agg_acc *g)
{
	switch (op) {
	case PROMQL_AGG_AVG: return g->mean;
	case PROMQL_AGG_COUNT: return g->count;
	case PROMQL_AGG_GROUP: return 1;
	case PROMQL_AGG_STDVAR: return g->value / g->count;
	case PROMQL_AGG_STDDEV: return sqrt(g->value / g->count);
	default: return g->value;
	}
}

/* Grow 'a' to 'need' entries, the new ones zero. */
static void
grow_zero(size_t **a, size_t *cap, size_t need)
{
	size_t old = *cap;

	if (need <= old)
		return;
	*a = xgrow(*a, cap, need, sizeof(**a));
	memset(*a + old, 0, (*cap - old) * sizeof(**a));
}

static int
eval_count_values(struct pev *ev, const struct promql_node *n,
    struct pval *in, const char *label, struct pval *out)
{
	struct pbuilder b;
	struct cursor c;
	struct buf num = BUF_INIT;
	char **keep = NULL;
	size_t k, i, j, *counts = NULL, ccap = 0, *order = NULL, norder = 0,
	    ocap = 0, *stamps = NULL, scap = 0;
	int ret = -1;

	out->type = PROMQL_TYPE_VECTOR;
	pbuilder_init(&b, out);
	cursor_init(&c, in->n);
	keep = xreallocarray(NULL, n->agg.grouping.n + 1, sizeof(*keep));
	if (n->agg.grouping.n)
		memcpy(keep, n->agg.grouping.v, n->agg.grouping.n * sizeof(*keep));
	keep[n->agg.grouping.n] = (char *)label;
	for (k = 0; k < ev->nsteps; k++) {
		int64_t t = pev_time(ev, k);
		cursor_step(&c, in, t);
		norder = 0;
		for (i = 0; i < c.npresent; i++) {
			struct pseries *s = &in->s[c.present[i]];
			size_t oi, before = out->n;
			buf_reset(&num);
			pformat_float(&num, s->v[c.cur[c.present[i]]]);
			plabels_builder_from(&ev->labels, s->lbl, s->lbl_len);
			plabels_builder_set(&ev->labels, label, strlen(label),
			    num.p, num.len);
			if (n->agg.without) {
				plabels_builder_del(&ev->labels, "__name__");
				for (j = 0; j < n->agg.grouping.n; j++)
					plabels_builder_del(&ev->labels,
					    n->agg.grouping.v[j]);
			} else {
				plabels_builder_keep(&ev->labels, keep,
				    n->agg.grouping.n + 1);
			}
			plabels_builder_encode(&ev->labels, &ev->scratch);
			oi = pbuilder_series(ev, &b, ev->scratch.p, ev->scratch.len);
			if (out->n > before)	/* new: keep its labels */
				out->s[oi].lbl = parena_dup(&ev->ar,
				    ev->scratch.p, ev->scratch.len);
			grow_zero(&stamps, &scap, out->n);
			grow_zero(&counts, &ccap, out->n);
			if (stamps[oi] != k + 1) {
				stamps[oi] = k + 1;
				counts[oi] = 0;
				order = xgrow(order, &ocap, norder + 1, sizeof(*order));
				order[norder++] = oi;
			}
			counts[oi]++;
		}
		for (i = 0; i < norder; i++)
			if (pbuilder_push(ev, &b, order[i], t,
			    (double)counts[order[i]]) == -1)
				goto out;
		cursor_advance(&c, in);
	}
	ret = pbuilder_finish(ev, &b);
out:
	if (ret == -1)
		pbuilder_abort(&b);
	cursor_release(&c);
	buf_release(&num);
	free(keep);
	free(counts);
	free(order);
	free(stamps);
	return ret;
}

/* The most cells (groups times steps) aggregate_cells() takes on. */
#define AGG_CELLS_MAX (1u << 20)

/* Order groups by the step they first have a value, then by series. */
struct first {
	size_t step, series, group;
};

static int
cmp_first(const void *a, const void *b)
{
	const struct first *x = a, *y = b;

	if (x->step != y->step)
		return x->step < y->step ? -1 : 1;
	return x->series < y->series ? -1 : x->series > y->series;
}

/*
 * The aggregations without a list per step (all but topk, bottomk and
 * quantile) a series at a time: each point goes into the cell of its
 * group and step.  Each cell takes its points in the order of the input
 * series, as the step-by-step way adds them, so the results are the same
 * to the bit; and the output series come in the same order, by the first
 * step their group has a value, then by the first series there.  Each
 * input series is released once added.
 */
static int
aggregate_cells(struct pev *ev, enum promql_aggop op, struct pval *in,
    const size_t *gid, const struct group *groups, size_t ngroups,
    struct pval *out)
{
	size_t nsteps = ev->nsteps, i, j, k, nfirst = 0;
	struct agg_acc *cells = xcalloc(ngroups * nsteps, sizeof(*cells));
	struct first *first = xreallocarray(NULL, ngroups, sizeof(*first));
	int rc = -1;

	for (i = 0; i < ngroups; i++)
		first[i].step = (size_t)-1;
	for (i = 0; i < in->n; i++) {
		struct pseries *s = &in->s[i];
		struct agg_acc *row = cells + gid[i] * nsteps;
		for (j = 0; j < s->n; j++) {
			k = pev_stepno(ev, s->t[j]);
			if (row[k].count == 0) {
				agg_first(op, &row[k], s->v[j]);
				if (k < first[gid[i]].step) {
					first[gid[i]].step = k;
					first[gid[i]].series = i;
				}
			} else {
				agg_add(op, &row[k], s->v[j]);
			}
		}
		pseries_release(ev, s);
		if (pev_check_time(ev) == -1)
			goto out;
	}
	for (i = 0; i < ngroups; i++)
		if (first[i].step != (size_t)-1) {
			first[nfirst] = first[i];
			first[nfirst++].group = i;
		}
	qsort(first, nfirst, sizeof(*first), cmp_first);
	out->type = PROMQL_TYPE_VECTOR;
	for (i = 0; i < nfirst; i++) {
		const struct group *g = &groups[first[i].group];
		const struct agg_acc *row = cells + first[i].group * nsteps;
		struct pseries *o = pval_add(out, g->lbl, g->lbl_len);
		for (k = first[i].step; k < nsteps; k++)
			if (row[k].count > 0 && pseries_push(ev, o,
			    pev_time(ev, k), agg_result(op, &row[k])) == -1)
				goto out;
	}
	rc = 0;
out:
	free(cells);
	free(first);
	return rc;
}

/*
 * An aggregation of a plain vector selector whose groups take their
 * values one at a time (sum, avg, count, min, max, group, stddev,
 * stdvar): each series' points go into its group's cells as the source
 * gives it, and no input series is kept (a million series need not be
 * held to be counted).  The cells, the order of the additions and of
 * the output are aggregate_cells()'s, to the bit, provided the source's
 * order is the labels' (then also the sorted input's); when it is not,
 * or the cells would be too many, STREAM_AGAIN: evaluate as usual.
 */
#define STREAM_AGAIN 1

struct agg_stream {
	struct vs_ctx vs;		/* the selector's offset, @, lookback */
	const struct promql_node *n;
	struct pmap gmap;
	struct group *groups;
	size_t ngroups, gcap;
	struct agg_acc *cells;		/* ngroups rows of nsteps */
	size_t ccap;			/* rows allocated */
	struct first *first;		/* by group */
	size_t nseries;			/* series with a point so far */
	/*
	 * Points counted as held, as the input vector would hold them, so
	 * that --max-samples stops the same queries.
	 */
	size_t held;
	int too_many;
};

static int
agg_stream_series(void *arg, const struct pseries *r)
{
	struct agg_stream *a = arg;
	struct pev *ev = a->vs.ev;
	enum promql_aggop op = a->n->agg.op;
	size_t nsteps = ev->nsteps, j = 0, k, g = 0;
	struct agg_acc *row = NULL;
	int any = 0;

	for (k = 0; k < nsteps; k++) {
		int64_t t = pev_time(ev, k), ref;
		double v;
		ref = ptime_sub(a->vs.has_at ? a->vs.at : t, a->vs.offset_ms);
		while (j < r->n && r->t[j] <= ref)
			j++;
		if (j == 0 || r->t[j - 1] < ptime_sub(ref, a->vs.lb) ||
		    pis_stale(r->v[j - 1]))
			continue;
		v = r->v[j - 1];
		if (pev_hold(ev, 1) == -1)
			return -1;
		a->held++;
		if (!any) {
			/* The series' group, once it has a point. */
			size_t len;
			const char *lbl;
			int added;
			any = 1;
			if (a->ngroups == 1 && !a->n->agg.without &&
			    a->n->agg.grouping.n == 0) {
				g = 0;
			} else {
				lbl = group_labels(ev, a->n, r->lbl, r->lbl_len,
				    &len);
				g = pmap_get(&a->gmap, lbl, len, a->ngroups,
				    &added);
				if (added) {
					if ((a->ngroups + 1) > AGG_CELLS_MAX / nsteps) {
						a->too_many = 1;
						return -1;
					}
					a->groups = xgrow(a->groups, &a->gcap,
					    a->ngroups + 1, sizeof(*a->groups));
					memset(&a->groups[a->ngroups], 0,
					    sizeof(*a->groups));
					a->groups[a->ngroups].lbl = lbl;
					a->groups[a->ngroups].lbl_len = len;
					if (a->ngroups + 1 > a->ccap) {
						size_t old = a->ccap;
						a->ccap = a->ccap ? 2 * a->ccap : 16;
						a->cells = xreallocarray(a->cells,
						    a->ccap * nsteps, sizeof(*a->cells));
						memset(a->cells + old * nsteps, 0,
						    (a->ccap - old) * nsteps *
						    sizeof(*a->cells));
						a->first = xreallocarray(a->first,
						    a->ccap, sizeof(*a->first));
					}
					a->first[a->ngroups].step = (size_t)-1;
					a->ngroups++;
				}
			}
			row = a->cells + g * nsteps;
		}
		if (row[k].count == 0) {
			agg_first(op, &row[k], v);
			if (k < a->first[g].step) {
				a->first[g].step = k;
				a->first[g].series = a->nseries;
			}
		} else {
			agg_add(op, &row[k], v);
		}
	}
	if (any)
		a->nseries++;
	return pev_check_time(ev);
}

static int
aggregate_stream(struct pev *ev, const struct promql_node *n,
    struct pval *out)
{
	const struct promql_node *vs = promql_unparen(n->agg.expr);
	const struct promql_mods *m = &vs->vs.mods;
	struct agg_stream a;
	struct psink sink = { agg_stream_series, &a };
	size_t nsteps = ev->nsteps, i, k, nfirst = 0;
	int64_t ref0, ref1;
	int unordered = 0, rc;

	memset(&a, 0, sizeof(a));
	a.n = n;
	a.vs.ev = ev;
	a.vs.offset_ms = m->offset_ms;
	a.vs.has_at = at_time(ev, m, &a.vs.at);
	a.vs.lb = ev->o->lookback_ms;
	ref0 = ptime_sub(a.vs.has_at ? a.vs.at : ev->start, m->offset_ms);
	ref1 = ptime_sub(a.vs.has_at ? a.vs.at : ev->end, m->offset_ms);
	rc = load(ev, vs, ptime_sub(ref0, a.vs.lb), ref1, 0, PROMQL_USE_VALUE,
	    &sink, NULL, &unordered);
	if (rc == -1 && a.too_many) {
		rc = STREAM_AGAIN;
		goto out;
	}
	if (rc == -1)
		goto out;
	if (unordered) {
		rc = STREAM_AGAIN;
		goto out;
	}
	for (i = 0; i < a.ngroups; i++)
		if (a.first[i].step != (size_t)-1) {
			a.first[nfirst] = a.first[i];
			a.first[nfirst++].group = i;
		}
	if (nfirst > 1)
		qsort(a.first, nfirst, sizeof(*a.first), cmp_first);
	out->type = PROMQL_TYPE_VECTOR;
	rc = 0;
	for (i = 0; i < nfirst && rc == 0; i++) {
		const struct group *g = &a.groups[a.first[i].group];
		const struct agg_acc *row = a.cells + a.first[i].group * nsteps;
		struct pseries *o = pval_add(out, g->lbl, g->lbl_len);
		for (k = a.first[i].step; k < nsteps && rc == 0; k++)
			if (row[k].count > 0 && pseries_push(ev, o,
			    pev_time(ev, k), agg_result(n->agg.op, &row[k])) == -1)
				rc = -1;
	}
out:
	ev->samples -= a.held;
	free(a.cells);
	free(a.first);
	free(a.groups);
	pmap_release(&a.gmap);
	return rc;
}

/* Whether aggregate_stream() can take the aggregation 'n'. */
static int
streamable(const struct pev *ev, const struct promql_node *n)
{
	switch (n->agg.op) {
	case PROMQL_AGG_SUM: case PROMQL_AGG_AVG: case PROMQL_AGG_COUNT:
	case PROMQL_AGG_MIN: case PROMQL_AGG_MAX: case PROMQL_AGG_GROUP:
	case PROMQL_AGG_STDDEV: case PROMQL_AGG_STDVAR:
		break;
	default:
		return 0;
	}
	return promql_unparen(n->agg.expr)->kind == PROMQL_VECTOR_SELECTOR &&
	    ev->nsteps > 0 && ev->nsteps <= AGG_CELLS_MAX;
}

static int
eval_aggregate(struct pev *ev, const struct promql_node *n, struct pval *out)
{
	enum promql_aggop op = n->agg.op;
	struct pval in = { 0 }, param = { 0 };
	struct pmap gmap = { 0 };
	struct group *groups = NULL;
	size_t ngroups = 0, gcap = 0, *gid = NULL, k, i, j;
	size_t *touched = NULL, ntouched;
	struct kitem *kit = NULL;
	int desc;
	size_t kcap = 0;
	struct pbuilder b;
	struct cursor c;
	int ret = -1, topk = op == PROMQL_AGG_TOPK || op == PROMQL_AGG_BOTTOMK;

	if (streamable(ev, n)) {
		int rc = aggregate_stream(ev, n, out);
		if (rc != STREAM_AGAIN)
			return rc;
		/* Start again, the usual way. */
		pval_release(ev, out);
		memset(out, 0, sizeof(*out));
	}
	out->type = PROMQL_TYPE_VECTOR;
	pbuilder_init(&b, out);
	memset(&c, 0, sizeof(c));
	if (n->agg.param && op != PROMQL_AGG_COUNT_VALUES &&
	    pev_eval(ev, n->agg.param, &param) == -1)
		goto out;
	if (pev_eval(ev, n->agg.expr, &in) == -1)
		goto out;
	if (op == PROMQL_AGG_COUNT_VALUES) {
		const struct promql_node *p = promql_unparen(n->agg.param);
		if (!metric_label_name_valid(p->string.s, p->string.len)) {
			struct buf e = BUF_INIT;
			promql_quote(&e, p->string.s, p->string.len);
			errbuf_set(ev->eb, "invalid label name %s", e.p);
			buf_release(&e);
			goto out;
		}
		ret = eval_count_values(ev, n, &in, p->string.s, out);
		goto out;
	}
	/*
	 * Each input series' group, computed once; without grouping labels
	 * (sum(x), by ()) there is one, the first series'.
	 */
	gid = xcalloc(in.n ? in.n : 1, sizeof(*gid));
	for (i = 0; i < in.n; i++) {
		size_t len;
		const char *lbl;
		int added;
		if (i > 0 && !n->agg.without && n->agg.grouping.n == 0)
			continue;	/* group 0 */
		lbl = group_labels(ev, n, in.s[i].lbl, in.s[i].lbl_len, &len);
		gid[i] = pmap_get(&gmap, lbl, len, ngroups, &added);
		if (added) {
			groups = xgrow(groups, &gcap, ngroups + 1, sizeof(*groups));
			memset(&groups[ngroups], 0, sizeof(*groups));
			groups[ngroups].lbl = lbl;
			groups[ngroups].lbl_len = len;
			groups[ngroups].out = (size_t)-1;
			ngroups++;
		}
	}
	if (!topk && op != PROMQL_AGG_QUANTILE && ngroups > 0 &&
	    ev->nsteps <= AGG_CELLS_MAX / ngroups) {
		ret = aggregate_cells(ev, op, &in, gid, groups, ngroups, out);
		goto out;
	}
	touched = xcalloc(ngroups ? ngroups : 1, sizeof(*touched));
	cursor_init(&c, in.n);
	for (k = 0; k < ev->nsteps; k++) {
		int64_t t = pev_time(ev, k);
		double p = param.sc ? param.sc[k] : 0;
		int64_t kk = 0;
		if (pev_check_time(ev) == -1)
			goto out;
		cursor_step(&c, &in, t);
		if (topk) {
			if (!(p <= 9223372036854775807.0 && p >= -9223372036854775808.0)) {
				struct buf e = BUF_INIT;
				pformat_float(&e, p);
				errbuf_set(ev->eb, "Scalar value %s overflows int64", e.p);
				buf_release(&e);
				goto out;
			}
			kk = (int64_t)p;
			if (kk < 1)
				goto next;
		}
		if (c.npresent == 0)
			goto next;
		ntouched = 0;
		for (i = 0; i < c.npresent; i++) {
			size_t si = c.present[i];
			struct group *g = &groups[gid[si]];
			double v = in.s[si].v[c.cur[si]];
			if (g->stamp != k + 1) {
				g->stamp = k + 1;
				g->nitems = 0;
				touched[ntouched++] = gid[si];
				agg_first(op, &g->acc, v);
			} else {
				agg_add(op, &g->acc, v);
			}
			if (topk || op == PROMQL_AGG_QUANTILE)
				group_item(g, si, v);
		}
		for (i = 0; i < ntouched; i++) {
			struct group *g = &groups[touched[i]];
			if (topk) {
				size_t take = g->nitems < (size_t)kk ?
				    g->nitems : (size_t)kk;
				kit = xgrow(kit, &kcap, g->nitems, sizeof(*kit));
				desc = op == PROMQL_AGG_TOPK;
				k_select(kit, g, take, desc);
				for (j = 0; j < take; j++) {
					struct pseries *s = &in.s[kit[j].item];
					size_t oi = pbuilder_series(ev, &b, s->lbl,
					    s->lbl_len);
					if (pbuilder_push(ev, &b, oi, t, kit[j].v) == -1)
						goto out;
				}
				continue;
			}
			if (g->out == (size_t)-1)
				g->out = pbuilder_series(ev, &b, g->lbl, g->lbl_len);
			if (pbuilder_push(ev, &b, g->out, t,
			    op == PROMQL_AGG_QUANTILE ?
			    pquantile(p, g->vals, g->nitems) :
			    agg_result(op, &g->acc)) == -1)
				goto out;
		}
next:
		cursor_advance(&c, &in);
	}
	ret = pbuilder_finish(ev, &b);
out:
	if (ret == -1)
		pbuilder_abort(&b);
	if (c.cur)
		cursor_release(&c);
	for (i = 0; i < ngroups; i++) {
		free(groups[i].items);
		free(groups[i].vals);
	}
	free(groups);
	free(gid);
	free(touched);
	free(kit);
	pmap_release(&gmap);
	pval_release(ev, &in);
	pval_release(ev, &param);
	return ret;
}

/*
 * Unary minus: negate; the metric name goes, and two series left with
 * the same labels are an error even at different times (as Prometheus
 * checks the whole matrix).
 */
static int
eval_unary(struct pev *ev, const struct promql_node *n, struct pval *out)
{
	struct pmap seen = { 0 };
	size_t i, j;
	int added, rc = 0;

	if (pev_eval(ev, n->unary.expr, out) == -1)
		return -1;
	if (!n->unary.negate)
		return 0;
	if (out->type == PROMQL_TYPE_SCALAR) {
		for (j = 0; j < ev->nsteps; j++)
			out->sc[j] = -out->sc[j];
		return 0;
	}
	for (i = 0; i < out->n; i++) {
		struct pseries *s = &out->s[i];
		s->lbl = pev_drop_name(ev, s->lbl, s->lbl_len, &s->lbl_len);
		for (j = 0; j < s->n; j++)
			s->v[j] = -s->v[j];
		pmap_get(&seen, s->lbl, s->lbl_len, i, &added);
		if (!added)
			rc = errbuf_set(ev->eb, "vector cannot contain metrics with the same labelset");
	}
	pmap_release(&seen);
	return rc;
}

/*
 * Step invariance, as Prometheus' preprocessExpr() decides it: an
 * expression whose value does not depend on the evaluation time (under
 * @, or literals) is evaluated once, at the first step, and repeated.
 */
static int
invariant(const struct promql_node *n)
{
	size_t i;
	int inv;

	switch (n->kind) {
	case PROMQL_NUMBER:
	case PROMQL_STRING:
		return 1;
	case PROMQL_VECTOR_SELECTOR:
		return n->vs.mods.at != PROMQL_AT_NONE;
	case PROMQL_MATRIX_SELECTOR:
		return invariant(n->ms.vs);
	case PROMQL_SUBQUERY:
		return n->sq.mods.at != PROMQL_AT_NONE;
	case PROMQL_PAREN:
		return invariant(n->paren.expr);
	case PROMQL_UNARY:
		return invariant(n->unary.expr);
	case PROMQL_AGGREGATE:
		return invariant(n->agg.expr);
	case PROMQL_BINARY:
		return invariant(n->binary.lhs) && invariant(n->binary.rhs);
	case PROMQL_CALL:
		inv = !(n->call.func->flags & PROMQL_FUNC_TIME);
		for (i = 0; i < n->call.nargs; i++)
			if (!invariant(n->call.args[i]))
				inv = 0;
		return inv;
	}
	return 0;
}

/*
 * Evaluate 'n' as the argument of a range function whose samples serve
 * 'use': a matrix selector asks its source for them; anything else is
 * evaluated as it stands.
 */
static int
pev_eval_matrix(struct pev *ev, const struct promql_node *n,
    enum promql_use use, struct pval *out)
{
	const struct promql_node *u = promql_unparen(n);

	if (u->kind != PROMQL_MATRIX_SELECTOR)
		return pev_eval(ev, n, out);
	if (pev_check_time(ev) == -1)
		return -1;
	return eval_matrix_selector(ev, u, use, out);
}

static int
windows_series(void *arg, const struct pseries *s)
{
	return pwindows_series(arg, s);
}

/*
 * A window function of the matrix selector 'ms', argument 'mi' of the
 * call 'n': its other arguments first, then the selector's series one at
 * a time through the function, never all held at once.
 */
static int
eval_windows(struct pev *ev, const struct promql_node *n, size_t mi,
    const struct promql_node *ms, struct pval *args, struct pval *out)
{
	struct pval shape = { 0 };
	struct pwindows *w;
	struct psink sink = { windows_series, NULL };
	int64_t mint, maxt;
	size_t i;
	int rc;

	for (i = 0; i < n->call.nargs; i++)
		if (i != mi && pev_eval(ev, n->call.args[i], &args[i]) == -1)
			return -1;
	if (pev_check_time(ev) == -1)
		return -1;
	matrix_range(ev, ms, &shape, &mint, &maxt);
	w = pwindows_new(ev, n, args, &shape, 1, out);
	sink.arg = w;
	rc = load(ev, ms->ms.vs, mint, maxt, 1, n->call.func->use, &sink, NULL,
	    NULL);
	return pwindows_end(w, rc == 0);
}

/*
 * A function call: the arguments evaluated as its entry in the registry
 * says (a range vector for what its rolled rows can answer, a selector
 * into sample times), then the function.
 */
static int
eval_call(struct pev *ev, const struct promql_node *n, struct pval *out)
{
	const struct promql_func *f = n->call.func;
	size_t i, nargs = n->call.nargs;
	struct pval *args = xcalloc(nargs ? nargs : 1, sizeof(*args));
	int rc = -1;

	for (i = 0; f->window != NULL && i < nargs; i++) {
		const struct promql_node *a = promql_unparen(n->call.args[i]);
		if (a->kind == PROMQL_MATRIX_SELECTOR) {
			rc = eval_windows(ev, n, i, a, args, out);
			goto out;
		}
	}
	for (i = 0; i < nargs; i++) {
		const struct promql_node *a = n->call.args[i];
		enum promql_type t = f->args[i < (size_t)f->nargs ? i :
		    (size_t)f->nargs - 1];
		if (t == PROMQL_TYPE_MATRIX)
			rc = pev_eval_matrix(ev, a, f->use, &args[i]);
		else if ((f->flags & PROMQL_FUNC_SAMPLE_TIMES) &&
		    promql_is_selector(a))
			rc = eval_vector_selector(ev, promql_unparen(a), 1,
			    &args[i]);
		else
			rc = pev_eval(ev, a, &args[i]);
		if (rc == -1)
			goto out;
	}
	rc = promql_func_eval(ev, n, args, out);
out:
	for (i = 0; i < nargs; i++)
		pval_release(ev, &args[i]);
	free(args);
	return rc;
}

static int
eval_node(struct pev *ev, const struct promql_node *n, struct pval *out)
{
	size_t k;

	switch (n->kind) {
	case PROMQL_NUMBER:
		out->type = PROMQL_TYPE_SCALAR;
		out->sc = xreallocarray(NULL, ev->nsteps ? ev->nsteps : 1,
		    sizeof(double));
		for (k = 0; k < ev->nsteps; k++)
			out->sc[k] = n->number;
		return 0;
	case PROMQL_STRING:
		out->type = PROMQL_TYPE_STRING;
		out->str = n->string.s;
		out->str_len = n->string.len;
		return 0;
	case PROMQL_VECTOR_SELECTOR:
		return eval_vector_selector(ev, n, 0, out);
	case PROMQL_MATRIX_SELECTOR:
		return eval_matrix_selector(ev, n, PROMQL_USE_VALUE, out);
	case PROMQL_SUBQUERY:
		return eval_subquery(ev, n, out);
	case PROMQL_PAREN:
		return pev_eval(ev, n->paren.expr, out);
	case PROMQL_UNARY:
		return eval_unary(ev, n, out);
	case PROMQL_BINARY:
		return eval_binary(ev, n, out);
	case PROMQL_AGGREGATE:
		return eval_aggregate(ev, n, out);
	case PROMQL_CALL:
		return eval_call(ev, n, out);
	}
	return errbuf_set(ev->eb, "cannot evaluate this expression");
}

static int
pev_eval(struct pev *ev, const struct promql_node *n, struct pval *out)
{
	enum promql_type t = promql_node_type(n);
	int64_t o_end = ev->end;
	size_t o_nsteps = ev->nsteps, i, k;
	int rc;

	if (pev_check_time(ev) == -1)
		return -1;
	if (ev->nsteps <= 1 || n->kind == PROMQL_NUMBER ||
	    n->kind == PROMQL_STRING ||
	    (t != PROMQL_TYPE_VECTOR && t != PROMQL_TYPE_SCALAR) ||
	    !invariant(n))
		return eval_node(ev, n, out);
	/* Once at the first step, then the same value at every step. */
	ev->end = ev->start;
	ev->nsteps = 1;
	rc = eval_node(ev, n, out);
	ev->end = o_end;
	ev->nsteps = o_nsteps;
	if (rc == -1)
		return -1;
	if (out->type == PROMQL_TYPE_SCALAR) {
		double v = out->sc[0];
		out->sc = xreallocarray(out->sc, ev->nsteps, sizeof(double));
		for (k = 1; k < ev->nsteps; k++)
			out->sc[k] = v;
		return 0;
	}
	for (i = 0; i < out->n; i++) {
		struct pseries *s = &out->s[i];
		double v;
		if (s->n == 0)
			continue;
		v = s->v[0];
		for (k = 1; k < ev->nsteps; k++)
			if (pseries_push(ev, s, pev_time(ev, k), v) == -1)
				return -1;
	}
	return 0;
}

/*
 * The result handed back: labels split into pairs of NUL-terminated
 * strings (with their lengths, as a value may hold a NUL), the points
 * moved.
 */
static void
result_series(struct promql_result *r, struct pval *pv, struct pev *ev)
{
	size_t i, total = 0;
	char *p;

	/* A label takes at least two bytes of lengths, as many as its NULs. */
	for (i = 0; i < pv->n; i++)
		total += pv->s[i].lbl_len;
	r->strings = xmalloc(total + 1);
	p = r->strings;
	r->series = xcalloc(pv->n ? pv->n : 1, sizeof(*r->series));
	r->n = pv->n;
	for (i = 0; i < pv->n; i++) {
		struct pseries *s = &pv->s[i];
		struct promql_rseries *rs = &r->series[i];
		const char *q = s->lbl, *end = s->lbl + s->lbl_len;
		struct plabel l;
		size_t j = 0;
		rs->nlabels = 0;
		while (q < end) {
			q = plabels_next(q, &l);
			rs->nlabels++;
		}
		rs->labels = xcalloc(rs->nlabels ? rs->nlabels : 1,
		    sizeof(*rs->labels));
		for (q = s->lbl; q < end; j++) {
			struct promql_label *o = &rs->labels[j];
			q = plabels_next(q, &l);
			memcpy(p, l.name, l.name_len);
			p[l.name_len] = '\0';
			o->name = p;
			o->name_len = l.name_len;
			p += l.name_len + 1;
			memcpy(p, l.value, l.value_len);
			p[l.value_len] = '\0';
			o->value = p;
			o->value_len = l.value_len;
			p += l.value_len + 1;
		}
		rs->t = s->t;
		rs->v = s->v;
		rs->n = s->n;
		ev->samples -= s->n;
		s->t = NULL;
		s->v = NULL;
		s->n = s->cap = 0;
	}
}

struct promql_result *
promql_eval(const struct promql_node *expr, const struct promql_source *src,
    const struct promql_eval_opts *o, struct errbuf *eb)
{
	struct promql_result *r = NULL;
	struct pev ev;
	struct pval v = { 0 };
	enum promql_type t = promql_node_type(expr);
	size_t i;

	memset(&ev, 0, sizeof(ev));
	if (o->step > 0 && t != PROMQL_TYPE_VECTOR && t != PROMQL_TYPE_SCALAR) {
		errbuf_set(eb, "invalid expression type \"%s\" for range query, must be Scalar or instant Vector",
		    promql_type_name(t));
		return NULL;
	}
	if (o->step > 0 && o->end < o->start) {
		errbuf_set(eb, "end timestamp must not be before start time");
		return NULL;
	}
	if (o->step > 0 &&
	    ((uint64_t)o->end - (uint64_t)o->start) / (uint64_t)o->step > 11000) {
		errbuf_set(eb, "exceeded maximum resolution of 11,000 points per timeseries. Try decreasing the query resolution (?step=XX)");
		return NULL;
	}
	ev.src = src;
	ev.o = o;
	ev.eb = eb;
	ev.start = o->start;
	ev.end = o->step > 0 ? o->end : o->start;
	ev.step = o->step > 0 ? o->step : 1;
	ev.nsteps = (size_t)(((uint64_t)ev.end - (uint64_t)ev.start) /
	    (uint64_t)ev.step) + 1;
	ev.qstart = ev.start;
	ev.qend = ev.end;
	if (o->timeout_ms > 0) {
		clock_gettime(CLOCK_MONOTONIC, &ev.deadline);
		ev.deadline.tv_sec += o->timeout_ms / 1000;
		ev.deadline.tv_nsec += (o->timeout_ms % 1000) * 1000000L;
		if (ev.deadline.tv_nsec >= 1000000000L) {
			ev.deadline.tv_sec++;
			ev.deadline.tv_nsec -= 1000000000L;
		}
		ev.has_deadline = 1;
	}
	if (pev_eval(&ev, expr, &v) == -1)
		goto out;
	r = xcalloc(1, sizeof(*r));
	r->type = v.type;
	r->range = o->step > 0;
	r->t = ev.start;
	switch (v.type) {
	case PROMQL_TYPE_STRING:
		r->string = xmemdup(v.str, v.str_len + 1);
		r->string_len = v.str_len;
		break;
	case PROMQL_TYPE_SCALAR: {
		struct pseries *s = pval_add(&v, "", 0);
		for (i = 0; i < ev.nsteps; i++)
			if (pseries_push(&ev, s, pev_time(&ev, i), v.sc[i]) == -1) {
				free(r);
				r = NULL;
				goto out;
			}
		result_series(r, &v, &ev);
		break;
	}
	default:
		if (r->range && v.n > 1)
			qsort(v.s, v.n, sizeof(*v.s), cmp_series);
		result_series(r, &v, &ev);
		break;
	}
out:
	pval_release(&ev, &v);
	parena_release(&ev.ar);
	buf_release(&ev.scratch);
	plabels_builder_release(&ev.labels);
	return r;
}

void
promql_result_free(struct promql_result *r)
{
	size_t i;

	if (r == NULL)
		return;
	for (i = 0; i < r->n; i++) {
		free(r->series[i].labels);
		free(r->series[i].t);
		free(r->series[i].v);
	}
	free(r->series);
	free(r->string);
	free(r->strings);
	free(r);
}
