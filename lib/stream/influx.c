/* influx.c - InfluxDB's line protocol, read into samples */
/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/timestamp.h"
#include "base/xalloc.h"
#include "stream/influx.h"
#include "stream/utf8.h"

#define TAGS_MAX METRIC_LABELS_MAX

struct field {
	size_t name_off;	/* in 'text' */
	double value;
};

struct influx_parser {
	int64_t mul, div;	/* timestamp unit to ms */
	struct buf text, name;
	size_t tag_off[TAGS_MAX][2];
	size_t ntags;
	struct label tags[TAGS_MAX];
	struct field *fields;
	size_t nfields, cap, next;
	int has_ts;
	int64_t ts;
};

struct influx_parser *
influx_parser_new(void)
{
	struct influx_parser *p = xcalloc(1, sizeof(*p));

	p->mul = 1;
	p->div = 1000000;
	return p;
}

void
influx_parser_free(struct influx_parser *p)
{
	if (p == NULL)
		return;
	buf_release(&p->text);
	buf_release(&p->name);
	free(p->fields);
	free(p);
}

int
influx_set_precision(struct influx_parser *p, const char *pr)
{
	static const struct { const char *u; int64_t mul, div; } units[] = {
		{ "n", 1, 1000000 }, { "ns", 1, 1000000 }, { "u", 1, 1000 },
		{ "us", 1, 1000 }, { "ms", 1, 1 }, { "s", 1000, 1 },
		{ "m", 60000, 1 }, { "h", 3600000, 1 },
	};
	size_t i;

	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++)
		if (strcmp(pr, units[i].u) == 0) {
			p->mul = units[i].mul;
			p->div = units[i].div;
			return 0;
		}
	return -1;
}

/*
 * Read a name or tag up to an unescaped byte of 'stops' into 'text'
 * (unescaped, NUL-terminated), from '*q'.  Returns its offset.
 */
static size_t
token(struct influx_parser *p, const char **q, const char *end,
    const char *stops)
{
	size_t off = p->text.len;
	const char *s = *q;

	while (s < end && !strchr(stops, *s)) {
		if (*s == '\\' && s + 1 < end && strchr(",= \\", s[1]))
			s++;
		buf_addch(&p->text, *s++);
	}
	buf_addch(&p->text, '\0');
	*q = s;
	return off;
}

/* A Prometheus name of the bytes at 'off' (NUL-terminated), in place. */
static void
sanitize(struct buf *b, size_t off)
{
	char *c;

	for (c = b->p + off; *c; c++)
		if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
		    (*c >= '0' && *c <= '9') || *c == '_' || *c == ':'))
			*c = '_';
}

/* A field's value: 1 with a number, 0 for a string, -1 when bad. */
static int
field_value(const char **q, const char *end, double *v)
{
	static const char *const yes[] = { "t", "T", "true", "True", "TRUE",
		NULL };
	static const char *const no[] = { "f", "F", "false", "False", "FALSE",
		NULL };
	const char *s = *q, *e;
	char tmp[64], *x;
	size_t n, i;

	if (s < end && *s == '"') {
		for (s++; s < end && *s != '"'; s++)
			if (*s == '\\' && s + 1 < end)
				s++;
		if (s == end)
			return -1;
		*q = s + 1;
		return 0;
	}
	for (e = s; e < end && *e != ',' && *e != ' '; e++)
		;
	n = (size_t)(e - s);
	*q = e;
	if (n == 0 || n >= sizeof(tmp))
		return -1;
	memcpy(tmp, s, n);
	tmp[n] = '\0';
	for (i = 0; yes[i]; i++)
		if (strcmp(tmp, yes[i]) == 0 || strcmp(tmp, no[i]) == 0) {
			*v = strcmp(tmp, yes[i]) == 0;
			return 1;
		}
	errno = 0;
	if (tmp[n - 1] == 'i' || tmp[n - 1] == 'u') {
		int u = tmp[n - 1] == 'u';
		tmp[n - 1] = '\0';
		if (n == 1 || (u && tmp[0] == '-'))
			return -1;
		*v = u ? (double)strtoull(tmp, &x, 10) : (double)strtoll(tmp, &x,
		    10);
	} else {
		*v = strtod(tmp, &x);
		if (!isfinite(*v) || strchr("nNiI", tmp[tmp[0] == '-' ||
		    tmp[0] == '+']))
			return -1;	/* the protocol has no NaN or Inf */
	}
	return *x == '\0' && errno == 0 ? 1 : -1;
}

int
influx_parse(struct influx_parser *p, const char *line, size_t len,
    struct sample *s, struct errbuf *eb)
{
	const char *q = line, *end = line + len;
	size_t mo, i;

	p->ntags = p->nfields = p->next = 0;
	p->has_ts = 0;
	buf_reset(&p->text);
	while (q < end && (*q == ' ' || *q == '\t'))
		q++;
	while (end > q && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r'))
		end--;
	if (q == end || *q == '#')
		return 0;
	if (memchr(q, '\0', (size_t)(end - q)) ||
	    utf8_invalid_count(q, (size_t)(end - q)))
		return errbuf_set(eb, "not UTF-8 text");
	mo = token(p, &q, end, ", ");
	if (p->text.p[mo] == '\0')
		return errbuf_set(eb, "no measurement");
	while (q < end && *q == ',') {
		q++;
		if (p->ntags == TAGS_MAX)
			return errbuf_set(eb, "more than %d tags", TAGS_MAX);
		p->tag_off[p->ntags][0] = token(p, &q, end, ",= ");
		if (q == end || *q != '=')
			return errbuf_set(eb, "a tag without '='");
		q++;
		p->tag_off[p->ntags][1] = token(p, &q, end, ", ");
		sanitize(&p->text, p->tag_off[p->ntags][0]);
		p->ntags++;
	}
	if (q == end || *q != ' ')
		return errbuf_set(eb, "no fields");
	q++;
	for (;;) {
		size_t fo = token(p, &q, end, ",= ");
		double v;
		int k;
		if (q == end || *q != '=' || p->text.p[fo] == '\0')
			return errbuf_set(eb, "a field without '='");
		q++;
		if ((k = field_value(&q, end, &v)) == -1)
			return errbuf_set(eb, "a field value that is not one");
		if (k == 1) {
			/*
			 * measurement_field, kept after the tags in 'text'
			 * (made apart: 'text' may move as it grows).
			 */
			size_t no = p->text.len;
			buf_reset(&p->name);
			buf_adds(&p->name, p->text.p + mo);
			buf_addch(&p->name, '_');
			buf_adds(&p->name, p->text.p + fo);
			buf_add(&p->text, p->name.p, p->name.len + 1);
			sanitize(&p->text, no);
			p->fields = xgrow(p->fields, &p->cap, p->nfields + 1,
			    sizeof(*p->fields));
			p->fields[p->nfields].name_off = no;
			p->fields[p->nfields++].value = v;
		}
		if (q < end && *q == ',') {
			q++;
			continue;
		}
		break;
	}
	if (q < end) {
		char tmp[32], *x;
		long long t;
		size_t n;
		if (*q != ' ')
			return errbuf_set(eb, "a field value that is not one");
		q++;
		n = (size_t)(end - q);
		if (n == 0 || n >= sizeof(tmp))
			return errbuf_set(eb, "a timestamp that is not one");
		memcpy(tmp, q, n);
		tmp[n] = '\0';
		errno = 0;
		t = strtoll(tmp, &x, 10);
		if (*x || errno)
			return errbuf_set(eb, "a timestamp that is not one");
		/* Floor division, for times before 1970. */
		if (p->div > 1) {
			long long d = t / p->div;
			p->ts = (t % p->div < 0) ? d - 1 : d;
		} else if (llabs(t) > TS_MAX / p->mul) {
			return errbuf_set(eb, "a timestamp not in years 1 to 9999");
		} else {
			p->ts = t * p->mul;
		}
		if (p->ts < TS_MIN || p->ts > TS_MAX)
			return errbuf_set(eb, "a timestamp not in years 1 to 9999");
		p->has_ts = 1;
	}
	for (i = 0; i < p->ntags; i++) {
		p->tags[i].name = p->text.p + p->tag_off[i][0];
		p->tags[i].value = p->text.p + p->tag_off[i][1];
		p->tags[i].name_len = (uint32_t)strlen(p->tags[i].name);
		p->tags[i].value_len = (uint32_t)strlen(p->tags[i].value);
	}
	if (p->nfields == 0)
		return 0;
	influx_next(p, s);
	if (metric_check(s, eb) == -1)
		return -1;
	/* The tags now sorted, without empty values, for every field. */
	p->ntags = s->nlabels;
	return (int)p->nfields;
}

int
influx_next(struct influx_parser *p, struct sample *s)
{
	struct errbuf eb = ERRBUF_INIT;
	const struct field *f;

	if (p->next == p->nfields)
		return 0;
	f = &p->fields[p->next++];
	memset(s, 0, sizeof(*s));
	s->name = p->text.p + f->name_off;
	s->name_len = strlen(s->name);
	s->value = f->value;
	s->has_ts = p->has_ts;
	s->ts = p->ts;
	s->labels = p->tags;
	s->nlabels = p->ntags;
	/* After the first, the tags are checked: a name may still be long. */
	if (p->next > 1 && metric_check(s, &eb) == -1)
		return influx_next(p, s);
	return 1;
}
