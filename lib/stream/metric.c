/* metric.c - sample checks shared by every stream reader */
/* SPDX-License-Identifier: MIT */
#include <stdlib.h>
#include <string.h>

#include "base/xalloc.h"
#include "stream/metric.h"

const char *
metric_type_name(enum metric_type t)
{
	switch (t) {
	case METRIC_COUNTER:	return "counter";
	case METRIC_HISTOGRAM:	return "histogram";
	case METRIC_GAUGE:	break;
	}
	return "gauge";
}

int
metric_type_parse(const char *s, size_t len, enum metric_type *t)
{
	if (len == 5 && memcmp(s, "gauge", 5) == 0)
		*t = METRIC_GAUGE;
	else if (len == 7 && memcmp(s, "counter", 7) == 0)
		*t = METRIC_COUNTER;
	else if (len == 9 && memcmp(s, "histogram", 9) == 0)
		*t = METRIC_HISTOGRAM;
	else
		return -1;
	return 0;
}

/* Character classes: 1 letter or '_', 2 digit, 4 ':', 8 control. */
static const unsigned char cclass[256] = {
	8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8,
	8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 4, 0, 0, 0, 0, 0,
	0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 1,
	0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 8,
};

static int
is_alpha_(unsigned char c)
{
	return cclass[c] & 1;
}

static int
is_digit(unsigned char c)
{
	return cclass[c] & 2;
}

int
metric_label_name_valid(const char *name, size_t len)
{
	const unsigned char *p = (const unsigned char *)name;
	size_t i;

	if (len == 0 || !(cclass[p[0]] & 1))
		return 0;
	for (i = 1; i < len; i++)
		if (!(cclass[p[i]] & 3))
			return 0;
	return 1;
}

int
metric_name_is_prom(const char *name, size_t len)
{
	size_t i;

	if (len == 0)
		return 0;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)name[i];
		if (!is_alpha_(c) && c != ':' && !(i > 0 && is_digit(c)))
			return 0;
	}
	return 1;
}

/*
 * Whether any of the 'len' bytes at 's' is a control character (< 0x20
 * or 0x7f).  Eight bytes at a time: a byte b of x is < 0x20 when
 * (b - 0x20) borrows, and 0x7f when b ^ 0x7f is zero; bytes >= 0x80 are
 * masked out by ~x.  Names are checked on every sample read.
 */
static int
has_control(const char *s, size_t len)
{
	const uint64_t ones = 0x0101010101010101ULL, high = ones * 0x80;
	size_t i = 0;

	for (; i + 8 <= len; i += 8) {
		uint64_t x, y;
		memcpy(&x, s + i, 8);
		y = x ^ (ones * 0x7f);
		if ((((x - ones * 0x20) | (y - ones)) & ~x & high) != 0)
			return 1;
	}
	for (; i < len; i++)
		if (cclass[(unsigned char)s[i]] & 8)
			return 1;
	return 0;
}

/* Byte order of label names, as strcmp(3) but with the known lengths. */
static int
label_cmp(const struct label *a, const struct label *b)
{
	uint32_t n = a->name_len < b->name_len ? a->name_len : b->name_len;
	int c = memcmp(a->name, b->name, n);

	return c ? c : (a->name_len > b->name_len) - (a->name_len < b->name_len);
}

/* Insertion sort: samples carry a handful of labels. */
static void
sort_labels(struct label *l, size_t n)
{
	size_t i, j;

	for (i = 1; i < n; i++) {
		struct label tmp = l[i];
		for (j = i; j > 0 && label_cmp(&l[j - 1], &tmp) > 0; j--)
			l[j] = l[j - 1];
		l[j] = tmp;
	}
}

/*
 * An empty label value is the label's absence, as in Prometheus: drop
 * such labels, keeping the order of the rest.  After the other checks,
 * so that a line is refused or accepted for the same reasons whatever
 * its values, and both parsers see the same duplicates.
 */
static void
drop_empty(struct sample *s)
{
	size_t i, n;

	for (i = 0; i < s->nlabels && s->labels[i].value_len > 0; i++)
		;
	for (n = i; i < s->nlabels; i++)
		if (s->labels[i].value_len > 0)
			s->labels[n++] = s->labels[i];
	s->nlabels = n;
}

int
metric_check(struct sample *s, struct errbuf *eb)
{
	size_t i;

	if (s->name_len == 0)
		return errbuf_set(eb, "empty metric name");
	if (s->name_len > METRIC_NAME_MAX)
		return errbuf_set(eb, "metric name longer than %d bytes",
		    METRIC_NAME_MAX);
	if (has_control(s->name, s->name_len))
		return errbuf_set(eb, "control character in metric name");
	if (s->nlabels > METRIC_LABELS_MAX)
		return errbuf_set(eb, "more than %d labels",
		    METRIC_LABELS_MAX);
	for (i = 0; i < s->nlabels; i++) {
		const struct label *l = &s->labels[i];
		if (l->name_len > METRIC_LABEL_NAME_MAX)
			return errbuf_set(eb,
			    "label name longer than %d bytes",
			    METRIC_LABEL_NAME_MAX);
		if (!metric_label_name_valid(l->name, l->name_len)) {
			char q[80];
			return errbuf_set(eb, "invalid label name '%s'",
			    errbuf_quote(q, sizeof(q), l->name, l->name_len));
		}
		if (l->name_len >= 2 && l->name[0] == '_' && l->name[1] == '_')
			return errbuf_set(eb, "reserved label name '%s'",
			    l->name);
		if (l->value_len > METRIC_LABEL_VALUE_MAX)
			return errbuf_set(eb,
			    "value of label '%s' longer than %d bytes",
			    l->name, METRIC_LABEL_VALUE_MAX);
	}
	/*
	 * Labels usually arrive sorted: one pass of comparisons confirms
	 * order and distinctness at once, and only otherwise do we sort.
	 */
	for (i = 1; i < s->nlabels; i++)
		if (label_cmp(&s->labels[i - 1], &s->labels[i]) >= 0)
			break;
	if (i < s->nlabels) {
		sort_labels(s->labels, s->nlabels);
		for (i = 1; i < s->nlabels; i++)
			if (label_cmp(&s->labels[i - 1], &s->labels[i]) == 0)
				return errbuf_set(eb, "duplicate label '%s'",
				    s->labels[i].name);
	}
	drop_empty(s);
	return 0;
}

size_t
metric_labels_from_pairs(const char *const *pairs, size_t n,
    struct label *out, size_t max)
{
	size_t i, k = 0;

	for (i = 0; i < n && k < max; i++) {
		const char *eq = strchr(pairs[i], '=');
		char *name;
		if (eq == NULL)
			continue;
		name = xstrndup(pairs[i], (size_t)(eq - pairs[i]));
		out[k].name = name;
		out[k].name_len = (uint32_t)(eq - pairs[i]);
		out[k].value = eq + 1;
		out[k++].value_len = (uint32_t)strlen(eq + 1);
	}
	return k;
}

void
metric_labels_free_names(struct label *l, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free((char *)l[i].name);
}

size_t
metric_labels_over(const struct label *own, size_t n,
    const struct label *over, size_t nover, struct label *out)
{
	size_t i, k, m = 0;

	for (i = 0; i < n; i++) {
		for (k = 0; k < nover; k++)
			if (strcmp(over[k].name, own[i].name) == 0)
				break;
		if (k == nover)
			out[m++] = own[i];
	}
	for (k = 0; k < nover; k++)
		out[m++] = over[k];
	return m;
}

void
metric_name_from(struct buf *b, const char *s, size_t n)
{
	size_t i;

	if (n == 0 || (s[0] >= '0' && s[0] <= '9'))
		buf_addch(b, '_');
	for (i = 0; i < n; i++) {
		char c = s[i];
		buf_addch(b, (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '_' || c == ':' ? c : '_');
	}
}
