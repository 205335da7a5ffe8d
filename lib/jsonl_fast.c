/* jsonl_fast.c - the stream parser's fast path */
/* SPDX-License-Identifier: MIT */
#include <string.h>

#include "jsonl_int.h"
#include "number.h"
#include "timestamp.h"

/*
 * A hand-written parser for exactly the records mtk-stream(5) describes:
 * one object whose members are the known keys, with string, number and
 * label-object values.  It allocates nothing.  It gives up (returns 0) on
 * anything unusual -- unknown keys, a repeated key, an invalid escape or
 * UTF-8 sequence, \u0000, a number that overflows, a record that fails
 * metric_check() -- and the caller hands the line to jansson, which
 * either accepts it or explains what is wrong.  So the fast path only has
 * to be right about what it accepts, and the differential test in
 * tests/unit/t_jsonl.c checks exactly that.
 */

struct cursor {
	const char *p;
	const char *end;
};

static inline void
skip_ws(struct cursor *c)
{
	while (c->p < c->end && (*c->p == ' ' || *c->p == '\t' ||
	    *c->p == '\n' || *c->p == '\r'))
		c->p++;
}

static int
hex4(const char *p, unsigned *out)
{
	unsigned v = 0;
	int i;

	for (i = 0; i < 4; i++) {
		char ch = p[i];
		v <<= 4;
		if (ch >= '0' && ch <= '9')
			v |= (unsigned)(ch - '0');
		else if (ch >= 'a' && ch <= 'f')
			v |= (unsigned)(ch - 'a' + 10);
		else if (ch >= 'A' && ch <= 'F')
			v |= (unsigned)(ch - 'A' + 10);
		else
			return -1;
	}
	*out = v;
	return 0;
}

static char *
put_utf8(char *d, unsigned cp)
{
	if (cp < 0x80) {
		*d++ = (char)cp;
	} else if (cp < 0x800) {
		*d++ = (char)(0xc0 | (cp >> 6));
		*d++ = (char)(0x80 | (cp & 0x3f));
	} else if (cp < 0x10000) {
		*d++ = (char)(0xe0 | (cp >> 12));
		*d++ = (char)(0x80 | ((cp >> 6) & 0x3f));
		*d++ = (char)(0x80 | (cp & 0x3f));
	} else {
		*d++ = (char)(0xf0 | (cp >> 18));
		*d++ = (char)(0x80 | ((cp >> 12) & 0x3f));
		*d++ = (char)(0x80 | ((cp >> 6) & 0x3f));
		*d++ = (char)(0x80 | (cp & 0x3f));
	}
	return d;
}

/*
 * Length of the valid UTF-8 sequence at 'p' (first byte >= 0x80), or 0.
 * Strict, as jansson is: no overlong forms, no surrogates, nothing past
 * U+10FFFF.
 */
static size_t
utf8_len(const unsigned char *p, const unsigned char *end)
{
	unsigned c = p[0], cp;
	size_t n, i;

	if (c >= 0xc2 && c <= 0xdf) {
		n = 2;
		cp = c & 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		n = 3;
		cp = c & 0x0f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		n = 4;
		cp = c & 0x07;
	} else {
		return 0;
	}
	if ((size_t)(end - p) < n)
		return 0;
	for (i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (p[i] & 0x3f);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
	    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
		return 0;
	return n;
}

/*
 * Decode the string whose opening quote is at c->p into the arena.
 * Returns the NUL-terminated copy and its length, or NULL to give up.
 */
static const char *
parse_string(struct jsonl_parser *ps, struct cursor *c, size_t *lenp)
{
	const unsigned char *p = (const unsigned char *)c->p + 1;
	const unsigned char *end = (const unsigned char *)c->end;
	char *start = ps->arena + ps->arena_len, *d = start;

	for (;;) {
		const unsigned char *q = p;
		/* The common case: a run of plain printable ASCII. */
		while (q < end && *q >= 0x20 && *q != '"' && *q != '\\' &&
		    *q < 0x80)
			q++;
		memcpy(d, p, (size_t)(q - p));
		d += q - p;
		p = q;
		if (p >= end)
			return NULL;
		if (*p == '"') {
			p++;
			break;
		}
		if (*p < 0x20)
			return NULL;
		if (*p >= 0x80) {
			size_t n = utf8_len(p, end);
			if (n == 0)
				return NULL;
			memcpy(d, p, n);
			d += n;
			p += n;
			continue;
		}
		/* A backslash escape. */
		if (end - p < 2)
			return NULL;
		switch (p[1]) {
		case '"':  *d++ = '"'; break;
		case '\\': *d++ = '\\'; break;
		case '/':  *d++ = '/'; break;
		case 'b':  *d++ = '\b'; break;
		case 'f':  *d++ = '\f'; break;
		case 'n':  *d++ = '\n'; break;
		case 'r':  *d++ = '\r'; break;
		case 't':  *d++ = '\t'; break;
		case 'u': {
			unsigned cp, lo;
			if (end - p < 6 || hex4((const char *)p + 2, &cp) == -1 ||
			    cp == 0)
				return NULL;
			if (cp >= 0xdc00 && cp <= 0xdfff)
				return NULL;
			if (cp >= 0xd800 && cp <= 0xdbff) {
				if (end - p < 12 || p[6] != '\\' || p[7] != 'u' ||
				    hex4((const char *)p + 8, &lo) == -1 ||
				    lo < 0xdc00 || lo > 0xdfff)
					return NULL;
				cp = 0x10000 + ((cp - 0xd800) << 10) +
				    (lo - 0xdc00);
				p += 6;
			}
			d = put_utf8(d, cp);
			p += 6;
			continue;
		}
		default:
			return NULL;
		}
		p += 2;
	}
	*d = '\0';
	*lenp = (size_t)(d - start);
	ps->arena_len += *lenp + 1;
	c->p = (const char *)p;
	return start;
}

/* Known keys, as bits, to refuse a repeated one. */
enum {
	K_NAME = 1, K_TYPE = 2, K_VALUE = 4, K_TS = 8, K_LABELS = 16,
	K_UNIT = 32, K_HELP = 64
};

static int
key_of(const char *k, size_t len)
{
	switch (len) {
	case 2: return memcmp(k, "ts", 2) == 0 ? K_TS : 0;
	case 4:
		if (memcmp(k, "name", 4) == 0) return K_NAME;
		if (memcmp(k, "type", 4) == 0) return K_TYPE;
		if (memcmp(k, "unit", 4) == 0) return K_UNIT;
		if (memcmp(k, "help", 4) == 0) return K_HELP;
		return 0;
	case 5: return memcmp(k, "value", 5) == 0 ? K_VALUE : 0;
	case 6: return memcmp(k, "labels", 6) == 0 ? K_LABELS : 0;
	}
	return 0;
}

static int
parse_labels(struct jsonl_parser *ps, struct cursor *c, struct sample *s)
{
	size_t n = 0, len;

	c->p++;			/* '{' */
	skip_ws(c);
	if (c->p < c->end && *c->p == '}') {
		c->p++;
		s->nlabels = 0;
		return 1;
	}
	for (;;) {
		struct label *l;
		const char *str;

		if (n == METRIC_LABELS_MAX || c->p >= c->end || *c->p != '"')
			return 0;
		l = &ps->labels[n++];
		if ((str = parse_string(ps, c, &len)) == NULL)
			return 0;
		l->name = str;
		l->name_len = (uint32_t)len;
		skip_ws(c);
		if (c->p >= c->end || *c->p++ != ':')
			return 0;
		skip_ws(c);
		if (c->p >= c->end || *c->p != '"' ||
		    (str = parse_string(ps, c, &len)) == NULL)
			return 0;
		l->value = str;
		l->value_len = (uint32_t)len;
		skip_ws(c);
		if (c->p >= c->end)
			return 0;
		if (*c->p == '}') {
			c->p++;
			break;
		}
		if (*c->p++ != ',')
			return 0;
		skip_ws(c);
	}
	s->nlabels = n;
	return 1;
}

static int
parse_number(struct cursor *c, double *out)
{
	int n = number_parse_json(c->p, (size_t)(c->end - c->p), out);

	if (n <= 0)
		return 0;
	c->p += n;
	return 1;
}

int
jsonl_parse_fast(struct jsonl_parser *ps, const char *line, size_t len,
    struct sample *s)
{
	struct cursor c = { line, line + len };
	unsigned seen = 0;
	const char *str;
	size_t slen;

	jsonl_arena_reset(ps, len);
	memset(s, 0, sizeof(*s));
	s->labels = ps->labels;
	skip_ws(&c);
	if (c.p >= c.end || *c.p++ != '{')
		return 0;
	skip_ws(&c);
	if (c.p < c.end && *c.p == '}')
		return 0;	/* no name, no value: jansson explains */
	for (;;) {
		int key;
		size_t mark = ps->arena_len;

		if (c.p >= c.end || *c.p != '"' ||
		    (str = parse_string(ps, &c, &slen)) == NULL)
			return 0;
		key = key_of(str, slen);
		ps->arena_len = mark;	/* the key itself is not kept */
		if (key == 0 || (seen & (unsigned)key))
			return 0;
		seen |= (unsigned)key;
		skip_ws(&c);
		if (c.p >= c.end || *c.p++ != ':')
			return 0;
		skip_ws(&c);
		if (c.p >= c.end)
			return 0;
		switch (key) {
		case K_NAME:
		case K_TYPE:
		case K_UNIT:
		case K_HELP:
			if (*c.p != '"' ||
			    (str = parse_string(ps, &c, &slen)) == NULL)
				return 0;
			if (key == K_NAME) {
				s->name = str;
				s->name_len = slen;
			} else if (key == K_TYPE) {
				if (metric_type_parse(str, slen, &s->type) == -1)
					return 0;
			} else if (key == K_UNIT) {
				s->unit = str;
				s->unit_len = slen;
			} else {
				s->help = str;
				s->help_len = slen;
			}
			break;
		case K_VALUE:
			if (*c.p == '"') {
				if ((str = parse_string(ps, &c, &slen)) == NULL ||
				    jsonl_special_value(str, slen, &s->value) == -1)
					return 0;
			} else if (!parse_number(&c, &s->value)) {
				return 0;
			}
			break;
		case K_TS:
			if (*c.p == '"') {
				if ((str = parse_string(ps, &c, &slen)) == NULL ||
				    ts_parse_rfc3339(str, slen, &s->ts) == -1)
					return 0;
			} else {
				double d;
				if (!parse_number(&c, &d) ||
				    jsonl_ts_from_double(d, &s->ts) == -1)
					return 0;
			}
			s->has_ts = 1;
			break;
		case K_LABELS:
			if (*c.p != '{' || !parse_labels(ps, &c, s))
				return 0;
			break;
		}
		skip_ws(&c);
		if (c.p >= c.end)
			return 0;
		if (*c.p == '}') {
			c.p++;
			break;
		}
		if (*c.p++ != ',')
			return 0;
		skip_ws(&c);
	}
	skip_ws(&c);
	if (c.p != c.end || !(seen & K_NAME) || !(seen & K_VALUE))
		return 0;
	return metric_check(s, NULL) == 0;
}
