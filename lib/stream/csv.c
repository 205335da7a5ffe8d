/* csv.c - CSV files (RFC 4180) with a header, read into samples */
/* SPDX-License-Identifier: MIT */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/number.h"
#include "base/timeparse.h"
#include "base/timestamp.h"
#include "base/xalloc.h"
#include "base/goquote.h"
#include "stream/csv.h"
#include "stream/utf8.h"

#define NONE SIZE_MAX		/* no such column */

enum col_kind { COL_OTHER, COL_SERIES, COL_NAME, COL_TIMESTAMP, COL_TIME,
	COL_VALUE };

enum csv_state {
	CSV_HEADER,		/* no line but blank ones yet */
	CSV_ROWS,		/* the header was good */
	CSV_REFUSED		/* the header was bad: nothing more read */
};

/* A header name or a field of the line: 'len' bytes at 'off', then NUL. */
struct field {
	size_t off, len;
	enum col_kind kind;	/* of a column */
};

struct csv_parser {
	enum csv_state state;
	int in_quote;		/* the last line ended in a quoted field */
	/* The header: the names in 'head'. */
	struct buf head;
	struct field *cols;
	size_t ncols;
	size_t c_series, c_name, c_time, c_value;	/* or NONE */
	int c_time_ms;		/* 'c_time' is 'timestamp', not 'time' */
	/* The line being read: its fields, unquoted, in 'text'. */
	struct buf text;
	struct field *fields;
	size_t nfields, fcap;
	/* The names and values of a 'series' field, unescaped. */
	struct buf stext;
	/*
	 * What the line gives: the labels of its sample (long format: room
	 * for a series' and the label columns'), its samples (long: one;
	 * wide: one a metric column), 'next' the next for csv_next().
	 */
	struct label *labels;
	struct sample *out;
	size_t nout, next;
};

struct csv_parser *
csv_parser_new(void)
{
	return xcalloc(1, sizeof(struct csv_parser));
}

void
csv_parser_free(struct csv_parser *p)
{
	if (p == NULL)
		return;
	buf_release(&p->head);
	buf_release(&p->text);
	buf_release(&p->stext);
	free(p->cols);
	free(p->fields);
	free(p->labels);
	free(p->out);
	free(p);
}

static int
is_blank(char c)
{
	return c == ' ' || c == '\t';
}

/* 'len' bytes of input as one line of plain text, for a message. */
static const char *
quote(char out[80], const char *s, size_t len)
{
	return errbuf_quote(out, 80, s, len);
}

/*
 * Split 'line' into its fields, unquoted, each NUL-terminated in 'text'.
 * Returns 0, 1 when the line ends inside a quoted field, or -1 with the
 * reason.  RFC 4180 is followed to the letter: a quote may open a field
 * only as its first byte, and a closing quote is the end of the field.
 */
static int
split(struct csv_parser *p, const char *line, size_t len, struct errbuf *eb)
{
	const char *q = line, *end = line + len;

	buf_reset(&p->text);
	p->nfields = 0;
	for (;;) {
		struct field f = { p->text.len, 0, COL_OTHER };
		if (q < end && *q == '"') {
			for (q++;;) {
				const char *e;
				e = memchr(q, '"', (size_t)(end - q));
				if (e == NULL)
					return 1;
				buf_add(&p->text, q, (size_t)(e - q));
				q = e + 1;
				if (q < end && *q == '"') {
					buf_addch(&p->text, '"');
					q++;
					continue;
				}
				break;
			}
			if (q < end && *q != ',')
				return errbuf_set(eb, "field %zu: text after "
				    "its closing quote", p->nfields + 1);
		} else {
			const char *c = q;
			q = memchr(c, ',', (size_t)(end - c));
			if (q == NULL)
				q = end;
			if (memchr(c, '"', (size_t)(q - c)))
				return errbuf_set(eb, "field %zu: a quote "
				    "inside a field that is not quoted",
				    p->nfields + 1);
			buf_add(&p->text, c, (size_t)(q - c));
		}
		f.len = p->text.len - f.off;
		buf_addch(&p->text, '\0');
		p->fields = xgrow(p->fields, &p->fcap, p->nfields + 1,
		    sizeof(*p->fields));
		p->fields[p->nfields++] = f;
		if (q == end)
			return 0;
		q++;	/* the comma */
	}
}

/*
 * Whether a line that starts inside a quoted field ends inside one: the
 * rest of a field that spans lines, read past, not parsed.
 */
static int
still_quoted(const char *line, size_t len)
{
	const char *q, *end = line + len;
	int in = 1;

	for (q = line; q < end; q++) {
		if (*q != '"')
			continue;
		if (in && q + 1 < end && q[1] == '"')
			q++;
		else if (in)
			in = 0;
		else if (q == line || q[-1] == ',')
			in = 1;
	}
	return in;
}

static enum col_kind
col_kind(const char *s)
{
	static const struct { const char *name; enum col_kind kind; } k[] = {
		{ "series", COL_SERIES }, { "name", COL_NAME },
		{ "__name__", COL_NAME }, { "timestamp", COL_TIMESTAMP },
		{ "time", COL_TIME }, { "value", COL_VALUE },
	};
	size_t i;

	for (i = 0; i < sizeof(k) / sizeof(k[0]); i++)
		if (strcmp(s, k[i].name) == 0)
			return k[i].kind;
	return COL_OTHER;
}

/*
 * The fields of the line as the header: the columns and what they are.
 * Returns 0, or -1 with the reason.
 */
static int
header(struct csv_parser *p, struct errbuf *eb)
{
	size_t i, j, nother = 0, c_ts = NONE;
	char q[80];

	buf_reset(&p->head);
	buf_add(&p->head, p->text.p, p->text.len);
	p->cols = xreallocarray(p->cols, p->nfields, sizeof(*p->cols));
	p->ncols = p->nfields;
	p->c_series = p->c_name = p->c_time = p->c_value = NONE;
	for (i = 0; i < p->ncols; i++) {
		struct field *c = &p->cols[i];
		const char *name = p->head.p + p->fields[i].off;
		*c = p->fields[i];
		if (c->len == 0)
			return errbuf_set(eb, "column %zu has no name", i + 1);
		for (j = 0; j < i; j++)
			if (p->cols[j].len == c->len && memcmp(p->head.p +
			    p->cols[j].off, name, c->len) == 0)
				return errbuf_set(eb, "duplicate column '%s'",
				    quote(q, name, c->len));
		c->kind = col_kind(name);
		switch (c->kind) {
		case COL_SERIES:
			p->c_series = i;
			break;
		case COL_NAME:
			if (p->c_name != NONE)
				return errbuf_set(eb, "both 'name' and "
				    "'__name__' columns");
			p->c_name = i;
			break;
		case COL_TIMESTAMP:
			c_ts = i;
			break;
		case COL_TIME:
			p->c_time = i;
			break;
		case COL_VALUE:
			p->c_value = i;
			break;
		case COL_OTHER:
			nother++;
			break;
		}
	}
	if (p->c_time != NONE && c_ts != NONE)
		return errbuf_set(eb, "both 'time' and 'timestamp' columns");
	p->c_time_ms = c_ts != NONE;
	if (c_ts != NONE)
		p->c_time = c_ts;
	if (p->c_value == NONE) {
		/* Wide: the other columns are metrics. */
		if (p->c_series != NONE || p->c_name != NONE)
			return errbuf_set(eb, "a '%s' column but no 'value' "
			    "column", p->c_series != NONE ? "series" :
			    p->head.p + p->cols[p->c_name].off);
		if (nother == 0)
			return errbuf_set(eb, "no 'value' column and no metric "
			    "columns");
		for (i = 0; i < p->ncols; i++) {
			const struct field *c = &p->cols[i];
			if (c->kind == COL_OTHER && (c->len > METRIC_NAME_MAX ||
			    !metric_name_is_prom(p->head.p + c->off, c->len)))
				return errbuf_set(eb, "column '%s': not a "
				    "metric name", quote(q, p->head.p + c->off,
				    c->len));
		}
		p->out = xreallocarray(p->out, nother, sizeof(*p->out));
		return 0;
	}
	/* Long: the other columns are labels. */
	if (p->c_series != NONE && p->c_name != NONE)
		return errbuf_set(eb, "both 'series' and '%s' columns",
		    p->head.p + p->cols[p->c_name].off);
	if (p->c_series == NONE && p->c_name == NONE)
		return errbuf_set(eb, "no 'series' or 'name' column");
	if (nother > METRIC_LABELS_MAX)
		return errbuf_set(eb, "more than %d label columns",
		    METRIC_LABELS_MAX);
	for (i = 0; i < p->ncols; i++) {
		const struct field *c = &p->cols[i];
		const char *name = p->head.p + c->off;
		if (c->kind != COL_OTHER)
			continue;
		if (c->len > METRIC_LABEL_NAME_MAX ||
		    !metric_label_name_valid(name, c->len))
			return errbuf_set(eb, "column '%s': not a label name",
			    quote(q, name, c->len));
		if (name[0] == '_' && name[1] == '_')
			return errbuf_set(eb, "column '%s': a reserved label "
			    "name", name);
	}
	p->labels = xreallocarray(p->labels, METRIC_LABELS_MAX + nother,
	    sizeof(*p->labels));
	p->out = xreallocarray(p->out, 1, sizeof(*p->out));
	return 0;
}

/* Field 'i' of the line, without the blanks around it (NUL-terminated). */
static char *
cell(struct csv_parser *p, size_t i, size_t *len)
{
	char *s = p->text.p + p->fields[i].off;
	size_t n = p->fields[i].len;

	while (n > 0 && is_blank(*s)) {
		s++;
		n--;
	}
	while (n > 0 && is_blank(s[n - 1]))
		n--;
	s[n] = '\0';
	*len = n;
	return s;
}

/*
 * A value: a number as strtod(3) reads it, NaN and infinities included,
 * one that overflows not (as the exposition format).  Returns 0 or -1.
 */
static int
value(const char *s, size_t n, double *v)
{
	int r;

	if (memchr(s, '(', n))	/* strtod's "nan(...)" */
		return -1;
	r = number_parse_text(s, n, v);
	return r == 0 || (r == 1 && isfinite(*v)) ? 0 : -1;
}

/* The time of the line, from its time column.  Returns 0, or -1 with 'eb'. */
static int
line_time(struct csv_parser *p, int64_t *ts, struct errbuf *eb)
{
	size_t n;
	const char *s = cell(p, p->c_time, &n), *d = s;
	int64_t t = 0;
	char q[80];

	if (n == 0)
		return errbuf_set(eb, "no %s", p->c_time_ms ? "timestamp" :
		    "time");
	if (!p->c_time_ms) {
		if (timeparse_absolute(s, ts) == -1)
			return errbuf_set(eb, "a time that is not RFC 3339 or "
			    "Unix seconds: '%s'", quote(q, s, n));
		return 0;
	}
	d += *d == '-';
	if (*d < '0' || *d > '9')
		return errbuf_set(eb, "a timestamp that is not one: '%s'",
		    quote(q, s, n));
	for (; *d >= '0' && *d <= '9'; d++)
		if ((t = t * 10 + (*d - '0')) > TS_MAX)
			break;
	if (*d >= '0' && *d <= '9')
		return errbuf_set(eb, "a timestamp not in years 1 to 9999");
	if (*d != '\0')
		return errbuf_set(eb, "a timestamp that is not one: '%s'",
		    quote(q, s, n));
	*ts = *s == '-' ? -t : t;
	if (*ts < TS_MIN || *ts > TS_MAX)
		return errbuf_set(eb, "a timestamp not in years 1 to 9999");
	return 0;
}

/*
 * A string literal as PromQL (Go) writes it, at '*q' (its opening
 * quote), unescaped into 'b'.  "..." and '...' take Go's escapes: \a \b
 * \f \n \r \t \v \\, the quote of the string, \NNN (octal) and \xNN (a
 * byte), \uNNNN and \UNNNNNNNN (a code point, in UTF-8); `...` none.
 * Returns 0 with '*q' past the closing quote, or -1 with the reason.
 */
static int
string_lit(struct buf *b, const char **q, const char *end, struct errbuf *eb)
{
	const char *s = *q;
	char quote_ch = *s++;

	if (quote_ch == '`') {
		const char *e = memchr(s, '`', (size_t)(end - s));
		if (e == NULL)
			return errbuf_set(eb, "series: a string without its "
			    "closing quote");
		buf_add(b, s, (size_t)(e - s));
		*q = e + 1;
		return 0;
	}
	while (s < end && *s != quote_ch) {
		size_t i = 0;
		if (*s != '\\') {
			buf_addch(b, *s++);
			continue;
		}
		if (++s == end)
			break;
		if (goquote_escape(s, (size_t)(end - s), &i, quote_ch, b) == -1)
			return errbuf_set(eb, "series: a bad escape in a string");
		s += i;
	}
	if (s == end)
		return errbuf_set(eb, "series: a string without its closing "
		    "quote");
	*q = s + 1;
	return 0;
}

static const char *
skip_blanks(const char *q, const char *end)
{
	while (q < end && (is_blank(*q) || *q == '\r'))
		q++;
	return q;
}

static int
name_byte(char c, int first, int colon)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
	    (colon && c == ':') || (!first && c >= '0' && c <= '9');
}

/* A name of [A-Za-z_(:)][A-Za-z0-9_(:)]* at '*q', into 'b' with a NUL. */
static size_t
bare_name(struct buf *b, const char **q, const char *end, int colon)
{
	const char *s = *q;
	size_t n;

	while (s < end && name_byte(*s, s == *q, colon))
		s++;
	n = (size_t)(s - *q);
	buf_add(b, *q, n);
	buf_addch(b, '\0');
	*q = s;
	return n;
}

/* Where a string of a series is in 'stext'. */
struct span {
	size_t off, len;
};

/* A series as it is read: its name (off NONE: none yet), its labels. */
struct parsed_series {
	struct span name;
	struct span lab[METRIC_LABELS_MAX][2];
	size_t n;
};

static int
is_quote(const char *q, const char *end)
{
	return q < end && (*q == '"' || *q == '\'' || *q == '`');
}

/* A string of the series at '*q' into 'b' with a NUL; its place in '*sp'. */
static int
series_string(struct buf *b, const char **q, const char *end, struct span *sp,
    struct errbuf *eb)
{
	sp->off = b->len;
	if (string_lit(b, q, end, eb) == -1)
		return -1;
	sp->len = b->len - sp->off;
	buf_addch(b, '\0');
	return 0;
}

/*
 * The item of a series at '*q', between its braces: NAME="VALUE",
 * "NAME"="VALUE", or "name", the metric name.  Returns 0 with '*q'
 * after it, or -1 with the reason.
 */
static int
series_item(struct buf *b, const char **q, const char *end,
    struct parsed_series *sr, struct errbuf *eb)
{
	struct span ln, lv;

	if (is_quote(*q, end)) {
		if (series_string(b, q, end, &ln, eb) == -1)
			return -1;
		*q = skip_blanks(*q, end);
		if (*q == end || **q != '=') {
			/* {"name",...} */
			if (sr->name.off != NONE)
				return errbuf_set(eb, "series: two metric "
				    "names");
			sr->name = ln;
			return 0;
		}
	} else if (*q < end && name_byte(**q, 1, 0)) {
		ln.off = b->len;
		ln.len = bare_name(b, q, end, 0);
		*q = skip_blanks(*q, end);
	} else {
		return errbuf_set(eb, "series: a label name expected");
	}
	/* Only '=': a series, not a selector. */
	if (*q == end || **q != '=' || (*q + 1 < end && (*q)[1] == '~'))
		return errbuf_set(eb, "series: '=' expected after a label "
		    "name");
	*q = skip_blanks(*q + 1, end);
	if (!is_quote(*q, end))
		return errbuf_set(eb, "series: a quoted label value expected");
	if (series_string(b, q, end, &lv, eb) == -1)
		return -1;
	if (ln.len == 8 && memcmp(b->p + ln.off, "__name__", 8) == 0) {
		if (sr->name.off != NONE)
			return errbuf_set(eb, "series: two metric names");
		sr->name = lv;
	} else {
		if (sr->n == METRIC_LABELS_MAX)
			return errbuf_set(eb, "series: more than %d labels",
			    METRIC_LABELS_MAX);
		sr->lab[sr->n][0] = ln;
		sr->lab[sr->n++][1] = lv;
	}
	return 0;
}

/* Whether the string at 'sp' of 'b' holds a NUL byte. */
static int
has_nul(const struct buf *b, const struct span *sp)
{
	return memchr(b->p + sp->off, '\0', sp->len) != NULL;
}

/*
 * The series 's' of 'n' bytes, 'name{label="value",...}', into 'stext'
 * and the first labels of 'labels'.  Returns the number of labels, the
 * name in '*name', or -1 with the reason.
 */
static int
parse_series(struct csv_parser *p, const char *s, size_t n,
    struct span *name, struct errbuf *eb)
{
	const char *q = s, *end = s + n;
	struct buf *b = &p->stext;
	struct parsed_series sr;
	size_t i;

	buf_reset(b);
	sr.name.off = NONE;
	sr.n = 0;
	q = skip_blanks(q, end);
	if (q < end && name_byte(*q, 1, 1)) {
		sr.name.off = b->len;
		sr.name.len = bare_name(b, &q, end, 1);
		q = skip_blanks(q, end);
	}
	if (q < end && *q == '{') {
		for (q = skip_blanks(q + 1, end); q == end || *q != '}';) {
			if (series_item(b, &q, end, &sr, eb) == -1)
				return -1;
			q = skip_blanks(q, end);
			if (q < end && *q == ',')
				q = skip_blanks(q + 1, end);
			else if (q == end || *q != '}')
				return errbuf_set(eb, "series: ',' or '}' "
				    "expected after a label");
		}
		q = skip_blanks(q + 1, end);
	}
	if (q != end)
		return errbuf_set(eb, "series: %s", sr.name.off == NONE &&
		    b->len == 0 ? "not a series" : "text after the series");
	if (sr.name.off == NONE)
		return errbuf_set(eb, "series: no metric name");
	/*
	 * Escapes may spell what the stream cannot carry: a NUL (look in
	 * each string: one of ours ends each), bytes that are not UTF-8.
	 */
	for (i = 0; i < sr.n; i++)
		if (has_nul(b, &sr.lab[i][0]) || has_nul(b, &sr.lab[i][1]))
			break;
	if (i < sr.n || has_nul(b, &sr.name))
		return errbuf_set(eb, "series: a NUL byte in a string");
	if (utf8_invalid_count(b->p, b->len))
		return errbuf_set(eb, "series: a string that is not UTF-8");
	for (i = 0; i < sr.n; i++) {
		p->labels[i].name = b->p + sr.lab[i][0].off;
		p->labels[i].name_len = (uint32_t)sr.lab[i][0].len;
		p->labels[i].value = b->p + sr.lab[i][1].off;
		p->labels[i].value_len = (uint32_t)sr.lab[i][1].len;
	}
	*name = sr.name;
	return (int)sr.n;
}

/* A line of the long format: one sample, in 'out[0]'. */
static int
long_line(struct csv_parser *p, const struct sample *proto, struct errbuf *eb)
{
	struct sample *s = &p->out[0];
	size_t i, n, nl = 0;
	const char *v;
	char q[80];

	*s = *proto;
	if (p->c_series != NONE) {
		struct span name;
		int k;
		const char *ser = cell(p, p->c_series, &n);
		if (n == 0)
			return errbuf_set(eb, "no series");
		if ((k = parse_series(p, ser, n, &name, eb)) == -1)
			return -1;
		nl = (size_t)k;
		s->name = p->stext.p + name.off;
		s->name_len = name.len;
	} else {
		s->name = p->text.p + p->fields[p->c_name].off;
		s->name_len = p->fields[p->c_name].len;
	}
	for (i = 0; i < p->ncols; i++) {
		const struct field *f = &p->fields[i];
		if (p->cols[i].kind != COL_OTHER || f->len == 0)
			continue;	/* an empty cell: no such label */
		p->labels[nl].name = p->head.p + p->cols[i].off;
		p->labels[nl].name_len = (uint32_t)p->cols[i].len;
		p->labels[nl].value = p->text.p + f->off;
		p->labels[nl++].value_len = (uint32_t)f->len;
	}
	s->labels = p->labels;
	s->nlabels = nl;
	v = cell(p, p->c_value, &n);
	if (n == 0)
		return errbuf_set(eb, "no value");
	if (value(v, n, &s->value) == -1)
		return errbuf_set(eb, "a value that is not a number: '%s'",
		    quote(q, v, n));
	if (metric_check(s, eb) == -1)
		return -1;
	p->nout = 1;
	return 0;
}

/* A line of the wide format: a sample for each cell that is not empty. */
static int
wide_line(struct csv_parser *p, const struct sample *proto, struct errbuf *eb)
{
	size_t i, n;
	char q[80];

	for (i = 0; i < p->ncols; i++) {
		struct sample *s = &p->out[p->nout];
		const char *v;
		if (p->cols[i].kind != COL_OTHER)
			continue;
		v = cell(p, i, &n);
		if (n == 0)
			continue;
		*s = *proto;
		s->name = p->head.p + p->cols[i].off;
		s->name_len = p->cols[i].len;
		if (value(v, n, &s->value) == -1)
			return errbuf_set(eb, "column '%s': a value that is "
			    "not a number: '%s'", s->name, quote(q, v, n));
		if (metric_check(s, eb) == -1)
			return -1;
		p->nout++;
	}
	return 0;
}

int
csv_parse(struct csv_parser *p, const char *line, size_t len,
    struct sample *s, struct errbuf *eb)
{
	struct sample proto;
	size_t i;
	int k;

	p->nout = p->next = 0;
	if (p->in_quote) {
		p->in_quote = still_quoted(line, len);
		if (p->state == CSV_REFUSED)
			return 0;
		return errbuf_set(eb, "inside a quoted field that spans lines, "
		    "which is not read");
	}
	if (p->state == CSV_REFUSED)
		return 0;
	for (i = 0; i < len && (is_blank(line[i]) || line[i] == '\r'); i++)
		;
	if (i == len)
		return 0;
	if (p->state == CSV_HEADER && len >= 3 && memcmp(line, "\xef\xbb\xbf",
	    3) == 0) {
		line += 3;
		len -= 3;
	}
	if (memchr(line, '\0', len) || utf8_invalid_count(line, len)) {
		k = errbuf_set(eb, "not UTF-8 text");
	} else if ((k = split(p, line, len, eb)) == 1) {
		p->in_quote = 1;
		k = errbuf_set(eb, "a quoted field that spans lines, which is "
		    "not read");
	}
	if (p->state == CSV_HEADER) {
		if (k == 0 && (k = header(p, eb)) == 0) {
			p->state = CSV_ROWS;
			return 0;
		}
		p->state = CSV_REFUSED;
		return errbuf_prefix(eb, "bad header, file not read");
	}
	if (k == -1)
		return -1;
	if (p->nfields != p->ncols)
		return errbuf_set(eb, "%zu field%s, not %zu as in the header",
		    p->nfields, p->nfields == 1 ? "" : "s", p->ncols);
	memset(&proto, 0, sizeof(proto));
	if (p->c_time != NONE) {
		if (line_time(p, &proto.ts, eb) == -1)
			return -1;
		proto.has_ts = 1;
	}
	if ((p->c_value != NONE ? long_line(p, &proto, eb) :
	    wide_line(p, &proto, eb)) == -1) {
		p->nout = 0;
		return -1;
	}
	if (p->nout == 0)
		return 0;
	*s = p->out[0];
	p->next = 1;
	return (int)p->nout;
}

int
csv_next(struct csv_parser *p, struct sample *s)
{
	if (p->next >= p->nout)
		return 0;
	*s = p->out[p->next++];
	return 1;
}
