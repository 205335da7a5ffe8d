/* strmap.c - byte strings to dense numbers: an interning hash table */
/* SPDX-License-Identifier: MIT */
#include <stdlib.h>
#include <string.h>

#include <xxhash.h>

#include "base/buf.h"
#include "base/strmap.h"
#include "base/xalloc.h"

/*
 * Open addressing with linear probing over slots of (hash, number + 1);
 * 0 marks an empty slot.  The table is kept at most half full, so a
 * probe ends within a few slots.  Strings are addressed by offset into
 * the arena, never by pointer, so growing the arena moves nothing that
 * the table refers to.
 */
struct slot {
	uint64_t hash;
	uint32_t id1;
};

struct str {
	size_t off;
	size_t len;
};

struct strmap {
	struct slot *slots;
	size_t nslots;
	struct str *str;
	size_t n, cap;
	struct buf arena;
};

struct strmap *
strmap_new(void)
{
	struct strmap *m = xcalloc(1, sizeof(*m));

	m->nslots = 64;
	m->slots = xcalloc(m->nslots, sizeof(*m->slots));
	return m;
}

void
strmap_free(struct strmap *m)
{
	if (m == NULL)
		return;
	free(m->slots);
	free(m->str);
	buf_release(&m->arena);
	free(m);
}

uint64_t
strmap_hash(const void *s, size_t len)
{
	return XXH3_64bits(s, len);
}

static int
same(const struct strmap *m, uint32_t id, const void *s, size_t len)
{
	return m->str[id].len == len &&
	    memcmp(m->arena.p + m->str[id].off, s, len) == 0;
}

long
strmap_find(const struct strmap *m, const void *s, size_t len, uint64_t hash)
{
	size_t mask = m->nslots - 1, i;

	for (i = hash & mask; m->slots[i].id1; i = (i + 1) & mask)
		if (m->slots[i].hash == hash && same(m, m->slots[i].id1 - 1, s, len))
			return (long)m->slots[i].id1 - 1;
	return -1;
}

static void
rehash(struct strmap *m)
{
	size_t n = m->nslots * 2, mask = n - 1, i, j;
	struct slot *s = xcalloc(n, sizeof(*s));

	for (i = 0; i < m->nslots; i++) {
		if (!m->slots[i].id1)
			continue;
		for (j = m->slots[i].hash & mask; s[j].id1; j = (j + 1) & mask)
			;
		s[j] = m->slots[i];
	}
	free(m->slots);
	m->slots = s;
	m->nslots = n;
}

uint32_t
strmap_intern(struct strmap *m, const void *s, size_t len, uint64_t hash,
    int *created)
{
	long found = strmap_find(m, s, len, hash);
	size_t mask, i;

	if (created)
		*created = found < 0;
	if (found >= 0)
		return (uint32_t)found;
	if ((m->n + 1) * 2 > m->nslots)
		rehash(m);
	m->str = xgrow(m->str, &m->cap, m->n + 1, sizeof(*m->str));
	m->str[m->n].off = m->arena.len;
	m->str[m->n].len = len;
	buf_add(&m->arena, s, len);
	buf_addch(&m->arena, '\0');
	mask = m->nslots - 1;
	for (i = hash & mask; m->slots[i].id1; i = (i + 1) & mask)
		;
	m->slots[i].hash = hash;
	m->slots[i].id1 = (uint32_t)m->n + 1;
	return (uint32_t)m->n++;
}

const char *
strmap_str(const struct strmap *m, uint32_t id, size_t *len)
{
	if (len)
		*len = m->str[id].len;
	return m->arena.p + m->str[id].off;
}

size_t
strmap_count(const struct strmap *m)
{
	return m->n;
}

size_t
strmap_memory(const struct strmap *m)
{
	return m->nslots * sizeof(*m->slots) + m->cap * sizeof(*m->str) +
	    m->arena.cap;
}
