/* jsonl_fast.c - the stream parser's fast path */
/* SPDX-License-Identifier: MIT */
#include <stdlib.h>
#include <string.h>

#include "stream/jsonl_int.h"
#include "base/number.h"
#include "stream/series.h"
#include "stream/utf8.h"
#include "base/timestamp.h"
#include "base/xalloc.h"

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
	/* Every JSON white space byte is <= ' ': most calls stop at once. */
	while (c->p < c->end && (unsigned char)*c->p <= ' ' &&
	    (*c->p == ' ' || *c->p == '\t' || *c->p == '\n' || *c->p == '\r'))
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

/* Bytes that a JSON string holds as they are: printable ASCII but '"' and '\\'. */
static const unsigned char plain[256] = {
	['\x20'] = 1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
};

#define REP(b) (0x0101010101010101ULL * (b))

static inline uint64_t
haszero(uint64_t x)
{
	return (x - REP(0x01)) & ~x;
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
		/*
		 * The common case: a run of plain printable ASCII, eight
		 * bytes at a time.  'special' has the top bit set in each
		 * byte that is '"', '\\', a control character or >= 0x80
		 * (the bit tricks of "Bit Twiddling Hacks": a byte of x is
		 * zero iff (x - 0x01) & ~x has its top bit set).  Bits above
		 * the first hit may be false; the first is exact.
		 */
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
		while (end - p >= 8) {
			uint64_t x, special;
			memcpy(&x, p, 8);
			special = haszero(x ^ REP(0x22)) | haszero(x ^ REP(0x5c)) |
			    ((x - REP(0x20)) & ~x) | x;
			special &= REP(0x80);
			/*
			 * All eight bytes are copied even when fewer belong
			 * to the string: the arena has JSONL_ARENA_SLACK
			 * bytes to spare, and a fixed-size copy is one move.
			 */
			memcpy(d, p, 8);
			if (special) {
				size_t n = (size_t)__builtin_ctzll(special) / 8;
				d += n;
				p += n;
				break;
			}
			d += 8;
			p += 8;
		}
#endif
		while (p < end && plain[*p]) {
			*d++ = (char)*p++;
		}
		if (p >= end)
			return NULL;
		if (*p == '"') {
			p++;
			break;
		}
		if (*p < 0x20)
			return NULL;
		if (*p >= 0x80) {
			size_t n = utf8_seq_len(p, end);
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

/*
 * The first byte at or after 'p' that is not plain printable ASCII (a
 * quote, a backslash, a control or a byte >= 0x80), or 'end'.  Eight
 * bytes at a time, as in parse_string().
 */
static inline const unsigned char *
plain_run(const unsigned char *p, const unsigned char *end)
{
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	for (; end - p >= 8; p += 8) {
		uint64_t x, special;
		memcpy(&x, p, 8);
		special = (haszero(x ^ REP(0x22)) | haszero(x ^ REP(0x5c)) |
		    ((x - REP(0x20)) & ~x) | x) & REP(0x80);
		if (special)
			return p + (size_t)__builtin_ctzll(special) / 8;
	}
#endif
	while (p < end && plain[*p])
		p++;
	return p;
}

/*
 * A string as the canonical form mostly has them: printable ASCII with
 * no escape.  Find its closing quote eight bytes at a time, then copy it
 * whole.  Anything else goes to parse_string(), from the same place.
 */
static inline const char *
take_string(struct jsonl_parser *ps, struct cursor *c, size_t *lenp)
{
	const unsigned char *p = (const unsigned char *)c->p + 1, *q;
	const unsigned char *end = (const unsigned char *)c->end;
	char *d = ps->arena + ps->arena_len;
	size_t n;

	q = plain_run(p, end);
	if (q >= end || *q != '"')
		return parse_string(ps, c, lenp);
	n = (size_t)(q - p);
	memcpy(d, p, n);
	d[n] = '\0';
	ps->arena_len += n + 1;
	*lenp = n;
	c->p = (const char *)q + 1;
	return d;
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

/*
 * Look up the key at c->p when it is one of the known keys written
 * plainly (the usual case), without copying it.  Returns the key's bit
 * and moves past it, or -1, not moving, for anything else.
 */
static int
raw_key(struct cursor *c)
{
	static const struct {
		const char *text;	/* the key and its closing quote */
		size_t len;
		int key;
	} keys[] = {
		{ "name\"", 5, K_NAME }, { "type\"", 5, K_TYPE },
		{ "value\"", 6, K_VALUE }, { "ts\"", 3, K_TS },
		{ "labels\"", 7, K_LABELS }, { "unit\"", 5, K_UNIT },
		{ "help\"", 5, K_HELP },
	};
	const char *p = c->p + 1;
	size_t i, left = (size_t)(c->end - p);

	/* The length first: the line may end right after the quote. */
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (left >= keys[i].len && p[0] == keys[i].text[0] &&
		    memcmp(p, keys[i].text, keys[i].len) == 0) {
			c->p = p + keys[i].len;
			return keys[i].key;
		}
	return -1;	/* unknown, or escaped: decode it */
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

/* Whether string literal 'lit' comes next; if so, move past it. */
#define TAKE(c, lit) take((c), (lit), sizeof(lit) - 1)

static inline int
take(struct cursor *c, const char *lit, size_t n)
{
	if ((size_t)(c->end - c->p) < n || memcmp(c->p, lit, n) != 0)
		return 0;
	c->p += n;
	return 1;
}
/*
 * A whole-number "ts" as the canonical form writes it: an optional
 * minus, no leading zero, at most 15 digits, then ',' or '}'.  Returns 1
 * and sets '*ts', or 0 for anything else (left to the general path).
 */
static int
take_ts(struct cursor *c, int64_t *ts)
{
	const char *p = c->p;
	int64_t v = 0;
	int neg = 0, n = 0;

	if (p < c->end && *p == '-') {
		neg = 1;
		p++;
	}
	if (p >= c->end || *p < '0' || *p > '9' ||
	    (*p == '0' && p + 1 < c->end && p[1] >= '0' && p[1] <= '9'))
		return 0;
#ifdef NUMBER_HAVE_DIGITS8
	/*
	 * Millisecond times have 13 digits: eight at a time, while eight
	 * bytes are left to read.
	 */
	if (c->end - p >= 8) {
		uint64_t d;
		n = (int)number_digits8(p, &d);
		v = (int64_t)d;
		p += n;
		if (n == 8 && c->end - p >= 8) {
			static const int64_t pow10[8] = { 1, 10, 100, 1000,
				10000, 100000, 1000000, 10000000 };
			int k = (int)number_digits8(p, &d);
			if (k == 8)
				return 0;	/* more than 15 digits */
			v = v * pow10[k] + (int64_t)d;
			p += k;
			n += k;
		}
	}
#endif
	for (; p < c->end && *p >= '0' && *p <= '9' && n < 16; p++, n++)
		v = v * 10 + (*p - '0');
	if (n > 15 || p >= c->end || (*p != ',' && *p != '}'))
		return 0;
	v = neg ? -v : v;
	if (v < TS_MIN || v > TS_MAX)
		return 0;
	*ts = v;
	c->p = p;
	return 1;
}

/*
 * The members of a canonical labels object after its '{': "name":"value"
 * pairs separated by ',' without white space, then '}'.
 */
static int
take_labels(struct jsonl_parser *ps, struct cursor *c, struct sample *s)
{
	size_t n = 0, len;

	do {
		struct label *l;
		const char *str;

		if (n == METRIC_LABELS_MAX || c->p >= c->end || *c->p != '"' ||
		    (str = take_string(ps, c, &len)) == NULL)
			return 0;
		l = &ps->labels[n++];
		l->name = str;
		l->name_len = (uint32_t)len;
		if (c->end - c->p < 2 || c->p[0] != ':' || c->p[1] != '"')
			return 0;
		c->p++;
		if ((str = take_string(ps, c, &len)) == NULL)
			return 0;
		l->value = str;
		l->value_len = (uint32_t)len;
		if (c->p >= c->end)
			return 0;
	} while (*c->p++ == ',');
	if (c->p[-1] != '}')
		return 0;
	s->nlabels = n;
	return 1;
}

/*
 * The name and labels were decoded into the arena one after another,
 * each with its NUL: when nothing came between them and the labels
 * arrived sorted, the arena holds the series key (series.h) as it is.
 */
static void
set_key(struct jsonl_parser *ps, struct sample *s)
{
	const char *next = s->name + s->name_len + 1;
	size_t i;

	if (s->name != ps->arena)
		return;
	for (i = 0; i < s->nlabels; i++) {
		if (s->labels[i].name != next)
			return;
		next += s->labels[i].name_len + 1;
		if (s->labels[i].value != next)
			return;
		next += s->labels[i].value_len + 1;
	}
	s->key = ps->arena;
	s->key_len = (size_t)(next - ps->arena);
}

/*
 * The rest of a canonical line after its "ts": labels, unit, help, the
 * closing brace, then the checks of metric_check().  Returns 1 for a
 * record, 0 to let the general fast path try.
 */
static int
parse_tail(struct jsonl_parser *ps, struct cursor *c, struct sample *s)
{
	if (TAKE(c, ",\"labels\":{") && !TAKE(c, "}") &&
	    !take_labels(ps, c, s))
		return 0;
	if (TAKE(c, ",\"unit\":\"")) {
		c->p--;
		if ((s->unit = parse_string(ps, c, &s->unit_len)) == NULL)
			return 0;
	}
	if (TAKE(c, ",\"help\":\"")) {
		c->p--;
		if ((s->help = parse_string(ps, c, &s->help_len)) == NULL)
			return 0;
	}
	if (!TAKE(c, "}") || c->p != c->end || metric_check(s, NULL) == -1)
		return 0;
	set_key(ps, s);
	return 1;
}

/*
 * Known lines.  A canonical line is, in order, its name, its type, its
 * value, its "ts", and a tail: the labels, unit and help, and the
 * closing brace.  What the fast path makes of it depends on nothing but
 * these bytes, so two lines with the same name, type and tail give the
 * same sample but for the value and "ts".  For each canonical line it
 * accepts whose name needs no decoding, the parser keeps the name,
 * type and tail as they were written, next to the decoded labels, unit
 * and help and the series key and its hash; a later line that matches
 * them byte for byte only has its value and "ts" parsed.  Only what
 * the full parse accepted is kept, so a match gives exactly what the
 * full parse would.
 */
struct jsonl_known {
	uint64_t hash;		/* of the name, type and tail */
	uint64_t key_hash;	/* series_hash() of the key */
	const char *key;	/* the series key; the name is its start */
	const char *tail;	/* as it was in the line */
	const char *unit;	/* decoded, NUL-terminated; NULL if none */
	const char *help;
	uint32_t name_len, tail_len, key_len, unit_len, help_len;
	uint16_t nlabels;
	uint8_t type;
	struct jsonl_known *next;	/* the line after this one, last time */
	/* Per label: name length, value length.  Then the strings. */
	uint16_t lens[];
};

static inline uint64_t
mum(uint64_t a, uint64_t b)
{
	__uint128_t r = (__uint128_t)a * b;

	return (uint64_t)r ^ (uint64_t)(r >> 64);
}

#define HASH_K1 0xa0761d6478bd642fULL	/* wyhash's constants */
#define HASH_K2 0xe7037ed1a0b428dbULL

/*
 * Hash the name at 'name' ('nlen' bytes, followed in the line by at
 * least eight more), the type, and the tail at 'tail' ('tlen' bytes,
 * ending the line and preceded in it by at least eight more): eight
 * bytes at a time, reading only inside the line and masking off the
 * bytes outside each range.  Sixteen bytes go into each 128-bit
 * multiplication (as in wyhash).
 */
static uint64_t
known_hash(const char *name, size_t nlen, int type, const char *tail,
    size_t tlen)
{
	uint64_t h = ((uint64_t)nlen << 40) ^ ((uint64_t)tlen << 8) ^
	    (uint64_t)type, x, y;
	const char *p, *end;
	size_t skip;

	/* The name, its last word cut to its end. */
	for (p = name, end = name + nlen; end - p > 8; p += 16) {
		memcpy(&x, p, 8);
		memcpy(&y, p + 8, 8);
		if (end - p < 16)
			y &= ~0ULL >> (8 * (16 - (end - p)));
		h = mum(x ^ HASH_K1, y ^ h);
	}
	if (p < end) {
		memcpy(&x, p, 8);
		x &= ~0ULL >> (8 * (8 - (end - p)));
		h = mum(x ^ HASH_K1, h ^ HASH_K2);
	}
	/* The tail, from a multiple of eight bytes before its end. */
	skip = (8 - tlen % 8) % 8;
	p = tail - skip;
	end = tail + tlen;
	memcpy(&x, p, 8);
	x &= ~0ULL << (8 * skip);
	for (p += 8; end - p >= 8; p += 16) {
		memcpy(&y, p, 8);
		h = mum(x ^ HASH_K2, y ^ h);
		if (end - p < 16)
			return mum(h, HASH_K1);
		memcpy(&x, p + 8, 8);
	}
	return mum(mum(x ^ HASH_K2, h ^ HASH_K1), HASH_K1);
}

static inline int
known_match(const struct jsonl_known *e, const char *name, size_t nlen,
    int type, const char *tail, size_t tlen)
{
	return e->name_len == nlen && e->tail_len == tlen && e->type == type &&
	    memcmp(e->key, name, nlen) == 0 && memcmp(e->tail, tail, tlen) == 0;
}

static struct jsonl_known *
known_find(const struct jsonl_parser *ps, uint64_t hash, const char *name,
    size_t nlen, int type, const char *tail, size_t tlen)
{
	size_t mask = ps->known_slots - 1, i;
	struct jsonl_known *e;

	for (i = hash & mask; (e = ps->known[i]) != NULL; i = (i + 1) & mask)
		if (e->hash == hash &&
		    known_match(e, name, nlen, type, tail, tlen))
			return e;
	return NULL;
}

/* The sample of a known line, with 'value' and 'ts'. */
static void
known_fill(struct jsonl_parser *ps, struct jsonl_known *e,
    double value, int64_t ts, struct sample *s)
{
	const char *p = e->key + e->name_len + 1;
	size_t i;

	for (i = 0; i < e->nlabels; i++) {
		struct label *l = &ps->labels[i];
		l->name = p;
		l->name_len = e->lens[2 * i];
		p += l->name_len + 1;
		l->value = p;
		l->value_len = e->lens[2 * i + 1];
		p += l->value_len + 1;
	}
	*s = (struct sample){
		.name = e->key, .name_len = e->name_len,
		.type = (enum metric_type)e->type, .has_ts = 1,
		.value = value, .ts = ts,
		.labels = ps->labels, .nlabels = e->nlabels,
		.unit = e->unit, .unit_len = e->unit_len,
		.help = e->help, .help_len = e->help_len,
		.key = e->key, .key_len = e->key_len, .key_hash = e->key_hash,
	};
}

/* Put 'len' bytes at 's' and a NUL at '*d'; move '*d' past them. */
static const char *
put_str(char **d, const char *s, size_t len)
{
	char *start = *d;

	memcpy(start, s, len);
	start[len] = '\0';
	*d += len + 1;
	return start;
}

/*
 * Remember the accepted sample 's' of the line whose tail is given.
 * Returns the new entry, or NULL when the memory for known lines is used
 * up.
 */
static struct jsonl_known *
known_add(struct jsonl_parser *ps, uint64_t hash, const struct sample *s,
    const char *tail, size_t tlen)
{
	struct jsonl_known *e;
	size_t i, klen = s->name_len + 1, size, mask;
	char *d;

	for (i = 0; i < s->nlabels; i++)
		klen += s->labels[i].name_len + s->labels[i].value_len + 2;
	size = sizeof(*e) + 4 * s->nlabels + klen + tlen +
	    (s->unit ? s->unit_len + 1 : 0) + (s->help ? s->help_len + 1 : 0);
	if ((ps->known_count + 1) * 2 > ps->known_slots) {
		/* Grow at half full; keep the table within its share too. */
		size_t n = ps->known_slots ? ps->known_slots * 2 : 1024;
		struct jsonl_known **t;
		if (ps->known_bytes + n * sizeof(*t) + size > JSONL_KNOWN_BYTES)
			return NULL;
		t = xcalloc(n, sizeof(*t));
		for (i = 0; i < ps->known_slots; i++) {
			size_t j;
			if ((e = ps->known[i]) == NULL)
				continue;
			for (j = e->hash & (n - 1); t[j]; j = (j + 1) & (n - 1))
				;
			t[j] = e;
		}
		ps->known_bytes += (n - ps->known_slots) * sizeof(*t);
		free(ps->known);
		ps->known = t;
		ps->known_slots = n;
	}
	if (ps->known_bytes + size > JSONL_KNOWN_BYTES)
		return NULL;
	e = xmalloc(size);
	e->hash = hash;
	e->name_len = (uint32_t)s->name_len;
	e->tail_len = (uint32_t)tlen;
	e->key_len = (uint32_t)klen;
	e->nlabels = (uint16_t)s->nlabels;
	e->type = (uint8_t)s->type;
	e->next = NULL;
	d = (char *)(e->lens + 2 * s->nlabels);
	e->key = d;
	put_str(&d, s->name, s->name_len);
	for (i = 0; i < s->nlabels; i++) {
		e->lens[2 * i] = (uint16_t)s->labels[i].name_len;
		e->lens[2 * i + 1] = (uint16_t)s->labels[i].value_len;
		put_str(&d, s->labels[i].name, s->labels[i].name_len);
		put_str(&d, s->labels[i].value, s->labels[i].value_len);
	}
	e->tail = d;
	memcpy(d, tail, tlen);
	d += tlen;
	e->unit = s->unit ? put_str(&d, s->unit, s->unit_len) : NULL;
	e->unit_len = (uint32_t)s->unit_len;
	e->help = s->help ? put_str(&d, s->help, s->help_len) : NULL;
	e->help_len = (uint32_t)s->help_len;
	e->key_hash = series_hash(e->key, klen);
	mask = ps->known_slots - 1;
	for (i = hash & mask; ps->known[i]; i = (i + 1) & mask)
		;
	ps->known[i] = e;
	ps->known_count++;
	ps->known_bytes += size;
	return e;
}

void
jsonl_known_clear(struct jsonl_parser *ps)
{
	size_t i;

	for (i = 0; i < ps->known_slots; i++)
		free(ps->known[i]);
	free(ps->known);
	ps->known = NULL;
	ps->known_last = NULL;
	ps->known_slots = ps->known_count = ps->known_bytes = 0;
}

/*
 * The canonical form (mtk-stream(5)), which mtk's own programs write:
 * the members in their fixed order without white space, so each is
 * expected, not looked up.  Returns 1 for a record, 0 to let the general
 * fast path try.
 */
static int
parse_canonical(struct jsonl_parser *ps, const char *line, size_t len,
    struct sample *s)
{
	struct cursor c = { line, line + len };
	struct jsonl_known *e = NULL;
	const char *str, *name, *tail;
	enum metric_type type;
	double value;
	int64_t ts;
	uint64_t hash = 0;
	size_t nlen, slen, tlen;
	int plain_name, known = !(ps->flags & JSONL_NO_KNOWN);

	if (!TAKE(&c, "{\"name\":\""))
		return 0;
	/*
	 * Streams mostly repeat their series in the same order, so the
	 * known line that followed the last one last time is tried first:
	 * when its name is next, there is no need to look for the end of
	 * the name.  A name without escapes is left where it is until it
	 * is needed, with its room kept at the start of the arena, where
	 * set_key() looks for it.
	 */
	name = c.p;
	if (known && ps->known_last && (e = ps->known_last->next) != NULL &&
	    (size_t)(c.end - name) > e->name_len && name[e->name_len] == '"' &&
	    memcmp(name, e->key, e->name_len) == 0) {
		plain_name = 1;
		nlen = e->name_len;
	} else {
		const unsigned char *q = plain_run((const unsigned char *)name,
		    (const unsigned char *)c.end);
		e = NULL;
		plain_name = q < (const unsigned char *)c.end && *q == '"';
		nlen = (size_t)((const char *)q - name);
	}
	if (plain_name) {
		ps->arena_len = nlen + 1;
		c.p = name + nlen + 1;
	} else {
		c.p--;
		if ((name = parse_string(ps, &c, &nlen)) == NULL)
			return 0;
	}
	if (TAKE(&c, ",\"type\":\"gauge\""))
		type = METRIC_GAUGE;
	else if (TAKE(&c, ",\"type\":\"counter\""))
		type = METRIC_COUNTER;
	else if (TAKE(&c, ",\"type\":\"histogram\""))
		type = METRIC_HISTOGRAM;
	else
		return 0;
	if (!TAKE(&c, ",\"value\":") || c.p >= c.end)
		return 0;
	if (*c.p == '"') {
		if ((str = parse_string(ps, &c, &slen)) == NULL ||
		    jsonl_special_value(str, slen, &value) == -1)
			return 0;
	} else if (!parse_number(&c, &value)) {
		return 0;
	}
	if (!TAKE(&c, ",\"ts\":") || !take_ts(&c, &ts))
		return 0;
	tail = c.p;
	tlen = (size_t)(c.end - c.p);
	if (plain_name && known) {
		if (e == NULL || e->type != type || e->tail_len != tlen ||
		    memcmp(e->tail, tail, tlen) != 0) {
			hash = known_hash(name, nlen, (int)type, tail, tlen);
			e = ps->known_slots ? known_find(ps, hash, name, nlen,
			    (int)type, tail, tlen) : NULL;
		}
		if (e != NULL) {
			known_fill(ps, e, value, ts, s);
			ps->known_hits++;
			if (ps->known_last)
				ps->known_last->next = e;
			ps->known_last = e;
			return 1;
		}
	}
	memset(s, 0, sizeof(*s));
	s->labels = ps->labels;
	s->type = type;
	s->value = value;
	s->ts = ts;
	s->has_ts = 1;
	if (plain_name) {
		memcpy(ps->arena, name, nlen);
		ps->arena[nlen] = '\0';
		name = ps->arena;
	}
	s->name = name;
	s->name_len = nlen;
	if (!parse_tail(ps, &c, s))
		return 0;
	if (plain_name && known) {
		e = known_add(ps, hash, s, tail, tlen);
		if (ps->known_last && e)
			ps->known_last->next = e;
		ps->known_last = e;
		if (e) {
			/* The same key, kept for the parser's life. */
			s->key = e->key;
			s->key_len = e->key_len;
			s->key_hash = e->key_hash;
		}
	}
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
	if (parse_canonical(ps, line, len, s))
		return 1;
	/* Start again, for records in any other layout. */
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

		if (c.p >= c.end || *c.p != '"')
			return 0;
		key = raw_key(&c);
		if (key == -1) {
			/* A key with escapes in it: decode, then look. */
			if ((str = parse_string(ps, &c, &slen)) == NULL)
				return 0;
			key = key_of(str, slen);
			ps->arena_len = mark;	/* the key is not kept */
		}
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
