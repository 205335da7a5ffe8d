/* promql_labels.c - label sets of the evaluator's series, and the arena that holds them */
/* SPDX-License-Identifier: MIT */
#include <stdlib.h>
#include <string.h>

#include "base/xalloc.h"
#include "promql/promql_labels.h"

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
plabels_next(const char *p, struct plabel *l)
{
	l->name_len = get_len(&p);
	l->name = p;
	p += l->name_len;
	l->value_len = get_len(&p);
	l->value = p;
	return p + l->value_len;
}

void
plabels_builder_from(struct plabels_builder *b, const char *lbl, size_t len)
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
named(const struct plabel *l, const char *name, size_t len)
{
	return l->name_len == len && memcmp(l->name, name, len) == 0;
}

const char *
plabels_builder_get(const struct plabels_builder *b, const char *name,
    size_t name_len, size_t *vlen)
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
plabels_builder_del(struct plabels_builder *b, const char *name)
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
plabels_builder_set(struct plabels_builder *b, const char *name,
    size_t name_len, const char *value, size_t value_len)
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
plabels_builder_keep(struct plabels_builder *b, char *const *names, size_t n)
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
	const struct plabel *x = a, *y = b;

	return cmp_bytes(x->name, x->name_len, y->name, y->name_len);
}

void
plabels_builder_encode(struct plabels_builder *b, struct buf *out)
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
plabels_builder_release(struct plabels_builder *b)
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
	struct plabel l;

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
	struct plabel x, y;
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
