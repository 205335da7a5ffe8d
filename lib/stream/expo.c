/* expo.c - Prometheus' text exposition format and OpenMetrics, read into samples */
/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/number.h"
#include "base/buf.h"
#include "base/timestamp.h"
#include "base/xalloc.h"
#include "stream/expo.h"
#include "stream/utf8.h"

enum family_type {
	F_UNTYPED, F_COUNTER, F_GAUGE, F_HISTOGRAM, F_SUMMARY,
	F_GAUGEHISTOGRAM, F_STATESET, F_INFO
};

static const char *const type_names[] = {
	"untyped", "counter", "gauge", "histogram", "summary",
	"gaugehistogram", "stateset", "info", NULL
};

struct expo_parser {
	enum expo_format f;
	int raw;		/* no metric_check(): expo_parser_raw() */
	int ended;		/* OpenMetrics: '# EOF' seen */
	/* The family of the lines read last. */
	struct buf family;
	enum family_type type;
	struct buf help, unit;
	int has_help, has_unit;
	int told;		/* its help and unit went with a sample */
	/* The sample being parsed: its strings, NUL-terminated, in 'text'. */
	struct buf text;
	size_t name_off, help_off, unit_off;
	size_t loff[METRIC_LABELS_MAX + 1][3];	/* name, value, its length */
	struct label labels[METRIC_LABELS_MAX + 1];
};

struct expo_parser *
expo_parser_new(enum expo_format f)
{
	struct expo_parser *p = xcalloc(1, sizeof(*p));

	p->f = f;
	return p;
}

void
expo_parser_free(struct expo_parser *p)
{
	if (p == NULL)
		return;
	buf_release(&p->family);
	buf_release(&p->help);
	buf_release(&p->unit);
	buf_release(&p->text);
	free(p);
}

void
expo_parser_reset(struct expo_parser *p)
{
	p->ended = 0;
	buf_reset(&p->family);
	p->type = F_UNTYPED;
	p->has_help = p->has_unit = p->told = 0;
}

int
expo_format_parse(const char *s, enum expo_format *f)
{
	if (strcmp(s, "prometheus") == 0)
		*f = EXPO_PROMETHEUS;
	else if (strcmp(s, "openmetrics") == 0)
		*f = EXPO_OPENMETRICS;
	else
		return -1;
	return 0;
}

static int
name_start(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
	    c == ':';
}

static int
name_char(int c)
{
	return name_start(c) || (c >= '0' && c <= '9');
}

/* The length of the metric name at 'p' (0: none). */
static size_t
metric_name_len(const char *p, const char *end)
{
	const char *q = p;

	if (q == end || !name_start((unsigned char)*q))
		return 0;
	while (q < end && name_char((unsigned char)*q))
		q++;
	return (size_t)(q - p);
}

/* The length of the label name at 'p' (0: none): no ':' in it. */
static size_t
label_name_len(const char *p, const char *end)
{
	const char *q = p;

	if (q == end || *q == ':' || !name_start((unsigned char)*q))
		return 0;
	while (q < end && *q != ':' && name_char((unsigned char)*q))
		q++;
	return (size_t)(q - p);
}

static int
blank(int c)
{
	return c == ' ' || c == '\t';
}

/*
 * Blanks between tokens: the text format takes any run of spaces and
 * tabs, OpenMetrics exactly one space.  Returns how many were passed.
 */
static size_t
skip_sep(const struct expo_parser *p, const char **at, const char *end)
{
	const char *q = *at, *start = *at;

	if (p->f == EXPO_OPENMETRICS) {
		if (q < end && *q == ' ')
			q++;
	} else {
		while (q < end && blank((unsigned char)*q))
			q++;
	}
	*at = q;
	return (size_t)(q - start);
}

/*
 * What the stream cannot carry in a string, as Prometheus refuses it
 * too: a NUL byte, or bytes that are not UTF-8.  NULL when all is well.
 */
static const char *
text_bad(const char *s, size_t n)
{
	if (memchr(s, '\0', n))
		return "a NUL byte";
	if (utf8_invalid_count(s, n))
		return "not UTF-8";
	return NULL;
}

/*
 * Unescape 'n' bytes of a HELP text or a label value into 'out', ending
 * with a NUL: \\ and \n always, \" in label values and OpenMetrics
 * help; any other backslash stays as it is, as Prometheus keeps it.
 */
static void
unescape(struct buf *out, const char *s, size_t n, int quote)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (s[i] == '\\' && i + 1 < n) {
			char c = s[i + 1];
			if (c == '\\' || c == 'n' || (c == '"' && quote)) {
				buf_addch(out, c == 'n' ? '\n' : c);
				i++;
				continue;
			}
		}
		buf_addch(out, s[i]);
	}
	buf_addch(out, '\0');
}

/* A float as Go's strconv.ParseFloat reads one, 'n' bytes at 's'. */
static int
parse_float(const char *s, size_t n, double *out)
{
	int r;

	/* strtod takes "nan(...)" and leading blanks; Go does not. */
	if (n == 0 || memchr(s, '(', n) || blank((unsigned char)s[0]))
		return -1;
	/* Go refuses what overflows (ParseFloat's ErrRange), not underflow. */
	if ((r = number_parse_text(s, n, out)) == -1 ||
	    (r == 1 && !isfinite(*out)))
		return -1;
	return 0;
}

static int
parse_ts(const struct expo_parser *p, const char *s, size_t n, int64_t *ms)
{
	if (p->f == EXPO_OPENMETRICS) {
		double sec;
		if (parse_float(s, n, &sec) == -1 || !isfinite(sec) ||
		    fabs(sec) > 9.2e15)
			return -1;
		*ms = (int64_t)llround(sec * 1000);
		return 0;
	} else {
		char tmp[32], *end;
		long long v;
		if (n == 0 || n >= sizeof(tmp))
			return -1;
		memcpy(tmp, s, n);
		tmp[n] = '\0';
		errno = 0;
		v = strtoll(tmp, &end, 10);
		if (end != tmp + n || errno == ERANGE || blank((unsigned char)tmp[0]))
			return -1;
		*ms = v;
		return 0;
	}
}

/* '# HELP', '# TYPE', '# UNIT', '# EOF' or another comment. */
static int
parse_comment(struct expo_parser *p, const char *line, const char *end,
    struct errbuf *eb)
{
	const char *q = line + 1, *name, *rest;
	char qb[40];
	size_t kw, nl;
	int om = p->f == EXPO_OPENMETRICS;

	if (q < end && *q == ' ')
		q++;
	else if (om)
		return errbuf_set(eb, "a comment must start with '# '");
	else
		return 0;
	if (!om)
		while (q < end && blank((unsigned char)*q))
			q++;
	for (kw = 0; q + kw < end && !blank((unsigned char)q[kw]); kw++)
		;
	if (om && kw == 3 && memcmp(q, "EOF", 3) == 0 && q + 3 == end) {
		p->ended = 1;
		return 0;
	}
	if (!((kw == 4 && memcmp(q, "HELP", 4) == 0) ||
	    (kw == 4 && memcmp(q, "TYPE", 4) == 0) ||
	    (om && kw == 4 && memcmp(q, "UNIT", 4) == 0))) {
		if (om)
			return errbuf_set(eb, "'# %s': not HELP, TYPE, UNIT or "
			    "EOF", errbuf_quote(qb, 40, q, kw));
		return 0;	/* a comment */
	}
	rest = q + kw;
	if (skip_sep(p, &rest, end) == 0 || rest == end)
		return errbuf_set(eb, "%.4s without a metric name", q);
	name = rest;
	if ((nl = metric_name_len(name, end)) == 0)
		return errbuf_set(eb, "%.4s: invalid metric name", q);
	rest = name + nl;
	if (rest < end && !blank((unsigned char)*rest))
		return errbuf_set(eb, "%.4s: invalid metric name", q);
	/* A new family, or more about this one. */
	if (p->family.len != nl || memcmp(p->family.p, name, nl) != 0) {
		buf_reset(&p->family);
		buf_add(&p->family, name, nl);
		p->type = F_UNTYPED;
		p->has_help = p->has_unit = p->told = 0;
	}
	if (rest < end)
		skip_sep(p, &rest, end);
	if (q[0] == 'T') {
		size_t i, tl = (size_t)(end - rest);
		for (i = 0; type_names[i]; i++)
			if (strlen(type_names[i]) == tl &&
			    memcmp(type_names[i], rest, tl) == 0)
				break;
		/* OpenMetrics says "unknown"; the text format "untyped". */
		if (om && tl == 7 && memcmp(rest, "unknown", 7) == 0)
			i = F_UNTYPED;
		else if (type_names[i] == NULL || (om && i == F_UNTYPED) ||
		    (!om && i > F_SUMMARY))
			return errbuf_set(eb, "unknown metric type '%s'",
			    errbuf_quote(qb, 40, rest, tl));
		p->type = (enum family_type)i;
	} else if (q[0] == 'H') {
		buf_reset(&p->help);
		unescape(&p->help, rest, (size_t)(end - rest), om);
		p->help.len--;	/* without the NUL */
		if (text_bad(p->help.p, p->help.len)) {
			p->has_help = 0;
			return errbuf_set(eb, "HELP: %s",
			    text_bad(p->help.p, p->help.len));
		}
		p->has_help = 1;
		p->told = 0;
	} else {
		buf_reset(&p->unit);
		buf_add(&p->unit, rest, (size_t)(end - rest));
		if (text_bad(p->unit.p, p->unit.len)) {
			p->has_unit = 0;
			return errbuf_set(eb, "UNIT: %s",
			    text_bad(p->unit.p, p->unit.len));
		}
		p->has_unit = p->unit.len > 0;
		p->told = 0;
	}
	return 0;
}

/*
 * Whether the sample 'name' belongs to the current family, and then the
 * stream type Prometheus gives its series.
 */
static int
family_of(const struct expo_parser *p, const char *name, size_t n,
    enum metric_type *t)
{
	static const struct { enum family_type f; const char *sfx; int counter; }
	    sfx[] = {
		{ F_COUNTER, "_total", 1 }, { F_COUNTER, "_created", 0 },
		{ F_HISTOGRAM, "_bucket", 1 }, { F_HISTOGRAM, "_count", 1 },
		{ F_HISTOGRAM, "_sum", 1 }, { F_HISTOGRAM, "_created", 0 },
		{ F_SUMMARY, "_count", 1 }, { F_SUMMARY, "_sum", 1 },
		{ F_SUMMARY, "_created", 0 },
		{ F_GAUGEHISTOGRAM, "_bucket", 0 },
		{ F_GAUGEHISTOGRAM, "_gcount", 0 },
		{ F_GAUGEHISTOGRAM, "_gsum", 0 },
		{ F_INFO, "_info", 0 },
	};
	size_t fl = p->family.len, i;

	*t = METRIC_GAUGE;
	if (fl == 0 || n < fl || memcmp(name, p->family.p, fl) != 0)
		return 0;
	if (n == fl) {
		/* A counter's own name: the text format's way. */
		if (p->type == F_COUNTER && p->f == EXPO_PROMETHEUS)
			*t = METRIC_COUNTER;
		return 1;
	}
	for (i = 0; i < sizeof(sfx) / sizeof(sfx[0]); i++)
		if (sfx[i].f == p->type && strlen(sfx[i].sfx) == n - fl &&
		    memcmp(name + fl, sfx[i].sfx, n - fl) == 0) {
			*t = sfx[i].counter ? METRIC_COUNTER : METRIC_GAUGE;
			return 1;
		}
	return 0;
}

int
expo_parse(struct expo_parser *p, const char *line, size_t len,
    struct sample *s, struct errbuf *eb)
{
	const char *q = line, *end = line + len, *v;
	char qb[40];
	size_t nl, nlab = 0, i;
	int om = p->f == EXPO_OPENMETRICS;
	enum metric_type t;

	if (len > METRIC_LINE_MAX)
		return errbuf_set(eb, "line longer than %d bytes",
		    METRIC_LINE_MAX);
	if (p->ended)
		return errbuf_set(eb, "a line after '# EOF'");
	if (!om) {
		while (q < end && blank((unsigned char)*q))
			q++;
		while (end > q && (blank((unsigned char)end[-1]) ||
		    end[-1] == '\r'))
			end--;
		if (q == end)
			return 0;
	} else if (q == end) {
		return errbuf_set(eb, "an empty line");
	}
	if (*q == '#')
		return parse_comment(p, q, end, eb) == -1 ? -1 : 0;
	if ((nl = metric_name_len(q, end)) == 0)
		return errbuf_set(eb, "invalid metric name");
	buf_reset(&p->text);
	p->name_off = 0;
	buf_add(&p->text, q, nl);
	buf_addch(&p->text, '\0');
	if (!family_of(p, q, nl, &t)) {
		/* A sample of no family described: a family of its own. */
		buf_reset(&p->family);
		if (!om)
			buf_add(&p->family, q, nl);
		p->type = F_UNTYPED;
		p->has_help = p->has_unit = p->told = 0;
	}
	q += nl;
	if (!om) {
		/* Blanks before the braces, in the text format. */
		const char *b = q;
		while (b < end && blank((unsigned char)*b))
			b++;
		if (b < end && *b == '{')
			q = b;
	}
	if (q < end && *q == '{') {
		q++;
		for (;;) {
			const char *vs;
			size_t ln;
			if (!om)
				while (q < end && blank((unsigned char)*q))
					q++;
			if (q < end && *q == '}')
				break;
			if ((ln = label_name_len(q, end)) == 0)
				return errbuf_set(eb, "invalid label name");
			if (nlab == METRIC_LABELS_MAX)
				return errbuf_set(eb, "more than %d labels",
				    METRIC_LABELS_MAX);
			p->loff[nlab][0] = p->text.len;
			buf_add(&p->text, q, ln);
			buf_addch(&p->text, '\0');
			q += ln;
			if (!om)
				while (q < end && blank((unsigned char)*q))
					q++;
			if (q == end || *q != '=')
				return errbuf_set(eb, "'=' expected after label "
				    "name");
			q++;
			if (!om)
				while (q < end && blank((unsigned char)*q))
					q++;
			if (q == end || *q != '"')
				return errbuf_set(eb, "label value must be quoted");
			vs = ++q;
			while (q < end && *q != '"') {
				if (*q == '\\' && q + 1 < end)
					q++;
				q++;
			}
			if (q == end)
				return errbuf_set(eb, "unterminated label value");
			p->loff[nlab][1] = p->text.len;
			unescape(&p->text, vs, (size_t)(q - vs), 1);
			p->loff[nlab][2] = p->text.len - 1 - p->loff[nlab][1];
			if (text_bad(p->text.p + p->loff[nlab][1], p->loff[nlab][2]))
				return errbuf_set(eb, "label value: %s",
				    text_bad(p->text.p + p->loff[nlab][1],
				    p->loff[nlab][2]));
			nlab++;
			q++;
			if (!om)
				while (q < end && blank((unsigned char)*q))
					q++;
			if (q < end && *q == ',') {
				q++;
				if (om && q < end && *q == '}')
					return errbuf_set(eb, "a ',' before '}'");
				continue;
			}
			if (q < end && *q == '}')
				break;
			return errbuf_set(eb, "',' or '}' expected after a label");
		}
		q++;	/* '}' */
	}
	/* The value. */
	if (q == end || !blank((unsigned char)*q))
		return errbuf_set(eb, "a value is needed after the name");
	skip_sep(p, &q, end);
	for (v = q; q < end && !blank((unsigned char)*q); q++)
		;
	memset(s, 0, sizeof(*s));
	if (parse_float(v, (size_t)(q - v), &s->value) == -1)
		return errbuf_set(eb, "invalid value '%s'",
		    errbuf_quote(qb, 40, v, (size_t)(q - v)));
	if (q < end) {
		const char *ts;
		skip_sep(p, &q, end);
		if (q == end && om)
			return errbuf_set(eb, "a blank at the end of the line");
		if (q < end && *q == '#') {
			/* An exemplar (OpenMetrics): read past. */
			if (!om || q + 3 > end || q[1] != ' ' || q[2] != '{')
				return errbuf_set(eb, "invalid exemplar");
			q = end;
		}
		for (ts = q; q < end && !blank((unsigned char)*q); q++)
			;
		if (q > ts) {
			if (parse_ts(p, ts, (size_t)(q - ts), &s->ts) == -1)
				return errbuf_set(eb, "invalid timestamp '%s'",
				    errbuf_quote(qb, 40, ts, (size_t)(q - ts)));
			if (s->ts < TS_MIN || s->ts > TS_MAX)
				return errbuf_set(eb, "timestamp '%s' not in years "
				    "1 to 9999", errbuf_quote(qb, 40, ts, (size_t)(q - ts)));
			s->has_ts = 1;
		}
		if (q < end) {
			skip_sep(p, &q, end);
			if (om && q + 2 < end && q[0] == '#' && q[1] == ' ' &&
			    q[2] == '{')
				q = end;
			else if (q < end)
				return errbuf_set(eb, "unexpected '%s' after the "
				    "value", errbuf_quote(qb, 40, q, (size_t)(end - q)));
		}
	}
	/* The family's help and unit go with its first sample. */
	if (!p->told && (p->has_help || p->has_unit)) {
		if (p->has_help) {
			p->help_off = p->text.len;
			buf_add(&p->text, p->help.p, p->help.len);
			buf_addch(&p->text, '\0');
		}
		if (p->has_unit) {
			p->unit_off = p->text.len;
			buf_add(&p->text, p->unit.p, p->unit.len);
			buf_addch(&p->text, '\0');
		}
	}
	s->name = p->text.p + p->name_off;
	s->name_len = nl;
	s->type = t;
	for (i = 0; i < nlab; i++) {
		p->labels[i].name = p->text.p + p->loff[i][0];
		p->labels[i].value = p->text.p + p->loff[i][1];
		p->labels[i].name_len = (uint32_t)strlen(p->labels[i].name);
		p->labels[i].value_len = (uint32_t)p->loff[i][2];
	}
	s->labels = p->labels;
	s->nlabels = nlab;
	if (!p->told && (p->has_help || p->has_unit)) {
		if (p->has_help) {
			s->help = p->text.p + p->help_off;
			s->help_len = p->help.len;
		}
		if (p->has_unit) {
			s->unit = p->text.p + p->unit_off;
			s->unit_len = p->unit.len;
		}
		p->told = 1;
	}
	if (p->raw)
		return 1;
	return metric_check(s, eb) == -1 ? -1 : 1;
}

void
expo_parser_raw(struct expo_parser *p)
{
	p->raw = 1;
}

int
expo_end(struct expo_parser *p, struct errbuf *eb)
{
	if (p->f == EXPO_OPENMETRICS && !p->ended)
		return errbuf_set(eb, "no '# EOF' at the end: the document "
		    "was cut");
	return 0;
}
