/* series.c - series keys */
/* SPDX-License-Identifier: MIT */
#include <string.h>

#include <xxhash.h>

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

int
series_key_matches(const char *key, size_t len, const struct matcher *m,
    size_t n)
{
	size_t i, vl;
	const char *v;

	for (i = 0; i < n; i++) {
		if (strcmp(m[i].name, "__name__") == 0) {
			v = key;
			vl = strlen(key);
		} else if ((v = series_key_label(key, len, m[i].name, &vl)) == NULL) {
			if (!matcher_matches_empty(&m[i]))
				return 0;
			continue;
		}
		if (!matcher_matches(&m[i], v, vl))
			return 0;
	}
	return 1;
}
