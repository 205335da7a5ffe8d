/* metadata.c - the metadata of a store's metrics, as Prometheus' API gives it */
/* SPDX-License-Identifier: MIT */
#include <stdlib.h>
#include <string.h>

#include "base/strmap.h"
#include "base/xalloc.h"
#include "serve/metadata.h"
#include "stream/jsonl.h"
#include "stream/matcher.h"
#include "stream/series.h"

/* One distinct entry: four C strings of the map's arena. */
struct entry {
	const char *name, *type, *help, *unit;
	int dropped;
};

static const char *
type_word(enum metric_type t)
{
	switch (t) {
	case METRIC_COUNTER: return "counter";
	case METRIC_GAUGE: return "gauge";
	case METRIC_HISTOGRAM: break;
	}
	return "unknown";
}

static int
entry_cmp(const void *a, const void *b)
{
	const struct entry *x = a, *y = b;
	int c;

	if ((c = strcmp(x->name, y->name)) != 0 ||
	    (c = strcmp(x->type, y->type)) != 0 ||
	    (c = strcmp(x->help, y->help)) != 0)
		return c;
	return strcmp(x->unit, y->unit);
}

/*
 * Each distinct "name\0type\0help\0unit" of the series selected, once
 * (the series come in key order, so a name's series follow each other,
 * most with the same metadata: the map keeps that cheap).
 */
static int
collect(struct store *st, const struct metadata_opts *o, struct strmap *set,
    struct errbuf *eb)
{
	struct store_reader *r = NULL;
	struct store_iter *it = NULL;
	struct store_series ss;
	struct label labels[METRIC_LABELS_MAX];
	struct matcher m;
	struct buf key = BUF_INIT;
	size_t nm = 0;
	int rc = -1, n;

	memset(&m, 0, sizeof(m));
	if (o->metric) {
		if (matcher_init(&m, MATCHER_EQ, "__name__", o->metric,
		    strlen(o->metric), eb) == -1)
			goto out;
		nm = 1;
	}
	if ((r = tier_reader_open(st, &o->tier, o->start, o->end, NULL, NULL,
	    eb)) == NULL || (it = store_select(r, &m, nm, eb)) == NULL)
		goto out;
	while ((n = store_iter_next(it, &ss, eb)) == 1) {
		struct sample s;
		memset(&s, 0, sizeof(s));
		if (series_key_decode(ss.key, ss.keylen, &s, labels) == -1) {
			errbuf_set(eb, "corrupt series key in the store");
			goto out;
		}
		buf_reset(&key);
		buf_add(&key, s.name, s.name_len);
		buf_addch(&key, '\0');
		buf_adds(&key, type_word(ss.type));
		buf_addch(&key, '\0');
		buf_adds(&key, ss.help ? ss.help : "");
		buf_addch(&key, '\0');
		buf_adds(&key, ss.unit ? ss.unit : "");
		strmap_intern(set, key.p, key.len, strmap_hash(key.p, key.len),
		    NULL);
	}
	rc = n;
out:
	buf_release(&key);
	matcher_release(&m);
	store_iter_free(it);
	store_reader_close(r);
	return rc;
}

int
metadata_write(struct store *st, const struct metadata_opts *o,
    struct buf *out, struct errbuf *eb)
{
	struct strmap *set = strmap_new();
	struct entry *e = NULL;
	const char *cur = NULL;		/* the name being written */
	size_t n, i, j, names = 0, per = 0;
	int rc = -1;

	if (collect(st, o, set, eb) == -1)
		goto out;
	n = strmap_count(set);
	e = xcalloc(n ? n : 1, sizeof(*e));
	for (i = 0; i < n; i++) {
		e[i].name = strmap_str(set, (uint32_t)i, NULL);
		e[i].type = e[i].name + strlen(e[i].name) + 1;
		e[i].help = e[i].type + strlen(e[i].type) + 1;
		e[i].unit = e[i].help + strlen(e[i].help) + 1;
	}
	qsort(e, n, sizeof(*e), entry_cmp);
	/*
	 * A series without help or unit is of its name's family when
	 * another of the same type has them: a stream said them once.
	 */
	for (i = 0; i < n; i++) {
		if (*e[i].help || *e[i].unit)
			continue;
		for (j = i + 1; j < n && strcmp(e[j].name, e[i].name) == 0 &&
		    strcmp(e[j].type, e[i].type) == 0; j++)
			e[i].dropped = 1;
	}
	buf_addch(out, '{');
	for (i = 0; i < n; i++) {
		if (e[i].dropped)
			continue;
		if (cur == NULL || strcmp(e[i].name, cur) != 0) {
			if (o->limit >= 0 && names >= (size_t)o->limit)
				break;
			if (names++)
				buf_adds(out, "],");
			jsonl_quote(out, e[i].name, strlen(e[i].name));
			buf_adds(out, ":[");
			cur = e[i].name;
			per = 0;
		}
		if (o->limit_per_metric > 0 &&
		    per >= (size_t)o->limit_per_metric)
			continue;
		if (per++)
			buf_addch(out, ',');
		buf_adds(out, "{\"type\":");
		jsonl_quote(out, e[i].type, strlen(e[i].type));
		buf_adds(out, ",\"help\":");
		jsonl_quote(out, e[i].help, strlen(e[i].help));
		buf_adds(out, ",\"unit\":");
		jsonl_quote(out, e[i].unit, strlen(e[i].unit));
		buf_addch(out, '}');
	}
	buf_adds(out, names ? "]}" : "}");
	rc = 0;
out:
	free(e);
	strmap_free(set);
	return rc;
}
