/* graphite.c - Graphite's plaintext protocol, read into samples */
/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/number.h"
#include "base/buf.h"
#include "base/timestamp.h"
#include "base/xalloc.h"
#include "stream/graphite.h"
#include "stream/utf8.h"

struct graphite_parser {
	struct buf text;
	size_t off[METRIC_LABELS_MAX][2];
	struct label labels[METRIC_LABELS_MAX];
};

struct graphite_parser *
graphite_parser_new(void)
{
	return xcalloc(1, sizeof(struct graphite_parser));
}

void
graphite_parser_free(struct graphite_parser *p)
{
	if (p == NULL)
		return;
	buf_release(&p->text);
	free(p);
}

/* 'n' bytes at 's' into 'text' as a Prometheus name, with a NUL. */
static size_t
put_name(struct buf *b, const char *s, size_t n)
{
	size_t off = b->len;

	metric_name_from(b, s, n);
	buf_addch(b, '\0');
	return off;
}

/* The next blank-separated word of [*q, end). */
static size_t
word(const char **q, const char *end, const char **w)
{
	const char *s = *q;

	while (s < end && (*s == ' ' || *s == '\t'))
		s++;
	*w = s;
	while (s < end && *s != ' ' && *s != '\t')
		s++;
	*q = s;
	return (size_t)(s - *w);
}

/* A number, NaN and infinities included, not out of range. */
static int
number(const char *s, size_t n, double *v)
{
	return number_parse_text(s, n, v) == 0 ? 0 : -1;
}

int
graphite_parse(struct graphite_parser *p, const char *line, size_t len,
    struct sample *s, struct errbuf *eb)
{
	const char *q = line, *end = line + len, *path, *val, *ts, *semi;
	size_t pl, vl, tl, nl = 0, name_off, i;
	double v, t;

	while (end > q && (end[-1] == '\r' || end[-1] == ' ' || end[-1] == '\t'))
		end--;
	if ((pl = word(&q, end, &path)) == 0)
		return 0;
	if (memchr(line, '\0', len) || utf8_invalid_count(line, len))
		return errbuf_set(eb, "not UTF-8 text");
	if ((vl = word(&q, end, &val)) == 0)
		return errbuf_set(eb, "no value after the path");
	tl = word(&q, end, &ts);
	if (q < end && word(&q, end, &semi) > 0)
		return errbuf_set(eb, "more than path, value and time");
	if (number(val, vl, &v) == -1)
		return errbuf_set(eb, "a value that is not a number");
	memset(s, 0, sizeof(*s));
	if (tl && !(tl == 2 && ts[0] == '-' && ts[1] == '1')) {
		if (number(ts, tl, &t) == -1 || !isfinite(t) ||
		    t * 1000 < TS_MIN || t * 1000 > TS_MAX)
			return errbuf_set(eb, "a timestamp that is not one");
		s->ts = (int64_t)llround(t * 1000);
		s->has_ts = 1;
	}
	buf_reset(&p->text);
	semi = memchr(path, ';', pl);
	name_off = put_name(&p->text, path, (size_t)((semi ? semi : path + pl) -
	    path));
	while (semi) {
		const char *tag = semi + 1, *eq, *te;
		semi = memchr(tag, ';', (size_t)(path + pl - tag));
		te = semi ? semi : path + pl;
		if ((eq = memchr(tag, '=', (size_t)(te - tag))) == NULL ||
		    eq == tag)
			return errbuf_set(eb, "a tag that is not name=value");
		if (nl == METRIC_LABELS_MAX)
			return errbuf_set(eb, "more than %d tags",
			    METRIC_LABELS_MAX);
		p->off[nl][0] = put_name(&p->text, tag, (size_t)(eq - tag));
		p->off[nl][1] = p->text.len;
		buf_add(&p->text, eq + 1, (size_t)(te - eq - 1));
		buf_addch(&p->text, '\0');
		nl++;
	}
	for (i = 0; i < nl; i++) {
		p->labels[i].name = p->text.p + p->off[i][0];
		p->labels[i].name_len = (uint32_t)strlen(p->labels[i].name);
		p->labels[i].value = p->text.p + p->off[i][1];
		p->labels[i].value_len = (uint32_t)strlen(p->labels[i].value);
	}
	s->name = p->text.p + name_off;
	s->name_len = strlen(s->name);
	s->value = v;
	s->labels = p->labels;
	s->nlabels = nl;
	return metric_check(s, eb) == -1 ? -1 : 1;
}
