/* promql_labels.c - label sets, the query arena and number helpers of the evaluator */
/* SPDX-License-Identifier: MIT */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/number.h"
#include "promql/promql_int.h"
#include "base/xalloc.h"

/*
 * The arena.  Chunks of 64 KiB, or one of the exact size for a larger
 * string; label sets are small, so waste is small.
 */
struct parena_chunk {
	struct parena_chunk *next;
	size_t used, size;
	char data[];
};

#define PARENA_CHUNK (64 * 1024)

const char *
parena_dup(struct parena *a, const void *p, size_t len)
{
	struct parena_chunk *c = a->head;
	char *dst;

	if (c == NULL || c->size - c->used < len + 1) {
		size_t size = len + 1 > PARENA_CHUNK ? len + 1 : PARENA_CHUNK;
		c = xmalloc(sizeof(*c) + size);
		c->size = size;
		c->used = 0;
		c->next = a->head;
		a->head = c;
	}
	dst = c->data + c->used;
	if (len)
		memcpy(dst, p, len);
	dst[len] = '\0';
	c->used += len + 1;
	return dst;
}

void
parena_release(struct parena *a)
{
	struct parena_chunk *c, *next;

	for (c = a->head; c; c = next) {
		next = c->next;
		free(c);
	}
	a->head = NULL;
}

/*
 * Label lists.
 */
void
plabels_put_len(struct buf *out, size_t n)
{
	unsigned char b[10];
	size_t k = 0;

	while (n >= 0x80) {
		b[k++] = (unsigned char)(n | 0x80);
		n >>= 7;
	}
	b[k++] = (unsigned char)n;
	buf_add(out, b, k);
}

/* The length at '*p', moving '*p' past it. */
static size_t
get_len(const char **p)
{
	const unsigned char *q = (const unsigned char *)*p;
	size_t n = 0;
	unsigned shift = 0;

	while (*q & 0x80) {
		n |= (size_t)(*q++ & 0x7f) << shift;
		shift += 7;
	}
	n |= (size_t)*q++ << shift;
	*p = (const char *)q;
	return n;
}

const char *
plabels_next(const char *p, struct plb_label *l)
{
	l->name_len = get_len(&p);
	l->name = p;
	p += l->name_len;
	l->value_len = get_len(&p);
	l->value = p;
	return p + l->value_len;
}

void
plb_from(struct plb *b, const char *lbl, size_t len)
{
	const char *p = lbl, *end = lbl + len;

	b->n = 0;
	while (p < end) {
		b->v = xgrow(b->v, &b->cap, b->n + 1, sizeof(*b->v));
		p = plabels_next(p, &b->v[b->n++]);
	}
}

/* Whether label 'l' is named 'name' of 'len' bytes. */
static int
named(const struct plb_label *l, const char *name, size_t len)
{
	return l->name_len == len && memcmp(l->name, name, len) == 0;
}

const char *
plb_get(const struct plb *b, const char *name, size_t name_len, size_t *vlen)
{
	size_t i;

	for (i = 0; i < b->n; i++)
		if (named(&b->v[i], name, name_len)) {
			*vlen = b->v[i].value_len;
			return b->v[i].value;
		}
	return NULL;
}

void
plb_del(struct plb *b, const char *name)
{
	size_t i, len = strlen(name);

	for (i = 0; i < b->n; i++)
		if (named(&b->v[i], name, len)) {
			memmove(&b->v[i], &b->v[i + 1],
			    (b->n - i - 1) * sizeof(*b->v));
			b->n--;
			return;
		}
}

void
plb_set(struct plb *b, const char *name, size_t name_len, const char *value,
    size_t value_len)
{
	size_t i;

	for (i = 0; i < b->n; i++)
		if (named(&b->v[i], name, name_len))
			break;
	if (value_len == 0) {
		if (i < b->n) {
			memmove(&b->v[i], &b->v[i + 1],
			    (b->n - i - 1) * sizeof(*b->v));
			b->n--;
		}
		return;
	}
	if (i == b->n) {
		b->v = xgrow(b->v, &b->cap, b->n + 1, sizeof(*b->v));
		b->n++;
		b->v[i].name = name;
		b->v[i].name_len = name_len;
	}
	b->v[i].value = value;
	b->v[i].value_len = value_len;
}

void
plb_keep(struct plb *b, char *const *names, size_t n)
{
	size_t i, j, k = 0;

	for (i = 0; i < b->n; i++) {
		for (j = 0; j < n; j++)
			if (named(&b->v[i], names[j], strlen(names[j])))
				break;
		if (j < n)
			b->v[k++] = b->v[i];
	}
	b->n = k;
}

/* Byte order, a prefix first: Go's order of strings. */
static int
cmp_bytes(const char *a, size_t alen, const char *b, size_t blen)
{
	int c = memcmp(a, b, alen < blen ? alen : blen);

	if (c)
		return c;
	return alen < blen ? -1 : alen > blen;
}

static int
cmp_label(const void *a, const void *b)
{
	const struct plb_label *x = a, *y = b;

	return cmp_bytes(x->name, x->name_len, y->name, y->name_len);
}

void
plb_encode(struct plb *b, struct buf *out)
{
	size_t i;

	buf_reset(out);
	/* Usually sorted already: only sort when needed. */
	for (i = 1; i < b->n; i++)
		if (cmp_label(&b->v[i - 1], &b->v[i]) > 0) {
			qsort(b->v, b->n, sizeof(*b->v), cmp_label);
			break;
		}
	for (i = 0; i < b->n; i++) {
		plabels_put_len(out, b->v[i].name_len);
		buf_add(out, b->v[i].name, b->v[i].name_len);
		plabels_put_len(out, b->v[i].value_len);
		buf_add(out, b->v[i].value, b->v[i].value_len);
	}
	if (out->p == NULL)
		buf_grow(out, 1);
}

void
plb_release(struct plb *b)
{
	free(b->v);
	b->v = NULL;
	b->n = b->cap = 0;
}

const char *
plabels_get(const char *lbl, size_t len, const char *name, size_t name_len,
    size_t *vlen)
{
	const char *p = lbl, *end = lbl + len;
	struct plb_label l;

	while (p < end) {
		p = plabels_next(p, &l);
		if (named(&l, name, name_len)) {
			*vlen = l.value_len;
			return l.value;
		}
	}
	return NULL;
}

int
plabels_cmp(const char *a, size_t alen, const char *b, size_t blen)
{
	const char *p = a, *pend = a + alen, *q = b, *qend = b + blen;
	struct plb_label x, y;
	int c;

	while (p < pend && q < qend) {
		p = plabels_next(p, &x);
		q = plabels_next(q, &y);
		if ((c = cmp_bytes(x.name, x.name_len, y.name, y.name_len)) != 0 ||
		    (c = cmp_bytes(x.value, x.value_len, y.value,
		    y.value_len)) != 0)
			return c;
	}
	/* The set with fewer labels first. */
	return (p < pend) - (q < qend);
}

/*
 * Numbers.
 */
double
pgo_max(double a, double b)
{
	if (isinf(a) && a > 0)
		return a;
	if (isinf(b) && b > 0)
		return b;
	if (isnan(a) || isnan(b))
		return NAN;
	if (a == 0 && a == b)
		return signbit(a) ? b : a;
	return a > b ? a : b;
}

double
pgo_min(double a, double b)
{
	if (isinf(a) && a < 0)
		return a;
	if (isinf(b) && b < 0)
		return b;
	if (isnan(a) || isnan(b))
		return NAN;
	if (a == 0 && a == b)
		return signbit(a) ? a : b;
	return a < b ? a : b;
}

/* Ascending, NaN first: the order Prometheus' vectorByValueHeap sorts. */
static int
cmp_nan_first(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	if (isnan(x))
		return isnan(y) ? 0 : -1;
	if (isnan(y))
		return 1;
	return x < y ? -1 : x > y;
}

double
pquantile(double q, double *v, size_t n)
{
	double rank, lo, hi, w;

	if (n == 0)
		return NAN;
	if (q < 0)
		return -INFINITY;
	if (q > 1)
		return INFINITY;
	if (isnan(q))
		return NAN;
	qsort(v, n, sizeof(*v), cmp_nan_first);
	rank = q * (double)(n - 1);
	lo = fmax(0, floor(rank));
	hi = fmin((double)n - 1, lo + 1);
	w = rank - floor(rank);
	return v[(size_t)lo] * (1 - w) + v[(size_t)hi] * w;
}

void
pformat_float(struct buf *out, double v)
{
	char num[NUMBER_BUFSZ], digits[NUMBER_BUFSZ];
	const char *p, *e;
	size_t nd = 0, i;
	long exp10, point;

	number_format(num, v);
	if (isnan(v) || isinf(v) || (e = strchr(num, 'e')) == NULL) {
		buf_adds(out, num);
		return;
	}
	/* Rewrite d.ddde±x without the exponent. */
	p = num;
	if (*p == '-') {
		buf_addch(out, '-');
		p++;
	}
	point = -1;
	for (; p < e; p++) {
		if (*p == '.')
			point = (long)nd;
		else
			digits[nd++] = *p;
	}
	if (point < 0)
		point = (long)nd;
	exp10 = strtol(e + 1, NULL, 10);
	point += exp10;
	while (nd > 1 && digits[nd - 1] == '0' && (long)nd > point)
		nd--;
	if (point <= 0) {
		buf_adds(out, "0.");
		for (i = 0; i < (size_t)-point; i++)
			buf_addch(out, '0');
		buf_add(out, digits, nd);
	} else if ((size_t)point >= nd) {
		buf_add(out, digits, nd);
		for (i = nd; i < (size_t)point; i++)
			buf_addch(out, '0');
	} else {
		buf_add(out, digits, (size_t)point);
		buf_addch(out, '.');
		buf_add(out, digits + point, nd - (size_t)point);
	}
}

int
promql_is_stale(double v)
{
	uint64_t bits;

	memcpy(&bits, &v, sizeof(bits));
	return bits == PROMQL_STALE_NAN_BITS;
}
