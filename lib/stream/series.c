/* series.c - series keys */
/* SPDX-License-Identifier: MIT */
#include <string.h>

#include <xxhash.h>

#include "base/buf.h"
#include "stream/matcher.h"
#include "stream/series.h"

void
series_key(struct buf *out, const struct sample *s)
{
	size_t i;

	buf_add(out, s->name, s->name_len + 1);
	for (i = 0; i < s->nlabels; i++) {
		buf_add(out, s->labels[i].name, s->labels[i].name_len);
		buf_addch(out, '\0');
		buf_add(out, s->labels[i].value, s->labels[i].value_len);
		buf_addch(out, '\0');
	}
}

/* The NUL-terminated string at '*p', not past 'end'. */
static const char *
next_str(const char **p, const char *end, size_t *len)
{
	const char *s = *p, *nul = memchr(s, '\0', (size_t)(end - s));

	if (nul == NULL)
		return NULL;
	*len = (size_t)(nul - s);
	*p = nul + 1;
	return s;
}

int
series_key_decode(const char *key, size_t len, struct sample *s,
    struct label *labels)
{
	const char *p = key, *end = key + len;
	size_t n = 0, l;

	if ((s->name = next_str(&p, end, &s->name_len)) == NULL)
		return -1;
	while (p < end) {
		if (n == METRIC_LABELS_MAX)
			return -1;
		if ((labels[n].name = next_str(&p, end, &l)) == NULL)
			return -1;
		labels[n].name_len = (uint32_t)l;
		if ((labels[n].value = next_str(&p, end, &l)) == NULL)
			return -1;
		labels[n].value_len = (uint32_t)l;
		n++;
	}
	s->labels = labels;
	s->nlabels = n;
	return 0;
}

const char *
series_key_label(const char *key, size_t len, const char *name, size_t *vlen)
{
	const char *p = key, *end = key + len, *k, *v;
	size_t kl, vl;

	if (next_str(&p, end, &kl) == NULL)
		return NULL;
	while (p < end) {
		if ((k = next_str(&p, end, &kl)) == NULL ||
		    (v = next_str(&p, end, &vl)) == NULL)
			return NULL;
		if (strcmp(k, name) == 0) {
			*vlen = vl;
			return v;
		}
	}
	return NULL;
}

uint64_t
series_hash(const char *key, size_t len)
{
	return XXH3_64bits(key, len);
}

static uint64_t
sig_bits(uint64_t h)
{
	return 1ULL << (h & 63) | 1ULL << (h >> 6 & 63);
}

uint64_t
series_key_sig(const char *key, size_t len)
{
	const char *p = key, *end = key + len, *pair;
	uint64_t sig;

	while (p < end && *p != '\0')
		p++;
	sig = sig_bits(XXH3_64bits_withSeed(key, (size_t)(p - key), 1));
	/* The labels: "l1\0v1\0l2\0v2", each pair hashed as it lies. */
	while (p < end) {
		pair = ++p;
		while (p < end && *p != '\0')
			p++;
		if (p < end)
			p++;
		while (p < end && *p != '\0')
			p++;
		sig |= sig_bits(XXH3_64bits(pair, (size_t)(p - pair)));
	}
	return sig;
}

uint64_t
series_matchers_sig(const struct matcher *m, size_t n)
{
	struct buf pair = BUF_INIT;
	uint64_t sig = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		if (m[i].op != MATCHER_EQ || m[i].value_len == 0)
			continue;
		if (m[i].is_name) {
			sig |= sig_bits(XXH3_64bits_withSeed(m[i].value,
			    m[i].value_len, 1));
			continue;
		}
		buf_reset(&pair);
		buf_add(&pair, m[i].name, m[i].name_len + 1);
		buf_add(&pair, m[i].value, m[i].value_len);
		sig |= sig_bits(XXH3_64bits(pair.p, pair.len));
	}
	buf_release(&pair);
	return sig;
}

/*
 * The value of label 'name' ('nl' bytes) among the labels of a key from
 * 'p' to 'end' ("l1\0v1\0l2\0v2"), or NULL.  Keys are short and read
 * for every series a log or block passes by: plain byte loops, no calls.
 */
static const char *
find_label(const char *p, const char *end, const char *name, size_t nl,
    size_t *vlen)
{
	while (p < end) {
		const char *k = p, *v;
		while (p < end && *p != '\0')
			p++;
		if (p == end)
			return NULL;
		v = ++p;
		while (p < end && *p != '\0')
			p++;
		if ((size_t)(v - 1 - k) == nl && k[0] == name[0] &&
		    memcmp(k, name, nl) == 0) {
			*vlen = (size_t)(p - v);
			return v;
		}
		p++;
	}
	return NULL;
}

int
series_key_matches(const char *key, size_t len, const struct matcher *m,
    size_t n)
{
	const char *end = key + len, *labels, *v;
	size_t i, vl, name_len = 0;

	while (name_len < len && key[name_len] != '\0')
		name_len++;
	labels = key + name_len + (name_len < len);
	for (i = 0; i < n; i++) {
		if (m[i].is_name) {
			v = key;
			vl = name_len;
		} else if ((v = find_label(labels, end, m[i].name,
		    m[i].name_len, &vl)) == NULL) {
			if (!matcher_matches_empty(&m[i]))
				return 0;
			continue;
		}
		if (m[i].op == MATCHER_EQ) {
			/* The usual matcher, inline: most differ in length. */
			size_t j;
			if (vl != m[i].value_len)
				return 0;
			for (j = 0; j < vl; j++)
				if (v[j] != m[i].value[j])
					return 0;
		} else if (!matcher_matches(&m[i], v, vl)) {
			return 0;
		}
	}
	return 1;
}
