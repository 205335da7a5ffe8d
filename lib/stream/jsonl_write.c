/* jsonl_write.c - canonical stream lines */
/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stream/ingest.h"
#include "stream/jsonl.h"
#include "stream/utf8.h"
#include "base/number.h"
#include "base/xalloc.h"

/* Queue this much before writing out. */
#define WRITER_CHUNK (64 * 1024)

struct jsonl_writer {
	FILE *fp;
	struct buf out;
};

/*
 * Bytes that need escaping in a JSON string: '"', '\\' and the control
 * characters.  Everything else, UTF-8 included, is copied as it is.
 */
static const unsigned char needs_escape[256] = {
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0,
};

/*
 * Whether any of the 'len' bytes at 's' needs escaping or is not ASCII,
 * eight at a time (the same bit trick as the parser's string scan,
 * jsonl_fast.c).
 */
static int
any_special(const char *s, size_t len)
{
	const uint64_t ones = 0x0101010101010101ULL, high = ones * 0x80;
	size_t i = 0;

	for (; i + 8 <= len; i += 8) {
		uint64_t x, q, bs;
		memcpy(&x, s + i, 8);
		q = x ^ (ones * 0x22);
		bs = x ^ (ones * 0x5c);
		if ((((q - ones) & ~q) | ((bs - ones) & ~bs) |
		    ((x - ones * 0x20) & ~x) | x) & high)
			return 1;
	}
	for (; i < len; i++)
		if (needs_escape[(unsigned char)s[i]] ||
		    (unsigned char)s[i] >= 0x80)
			return 1;
	return 0;
}

void
jsonl_quote(struct buf *b, const char *s, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *u = (const unsigned char *)s;
	size_t i, start = 0;

	buf_grow(b, len + 2);
	if (!any_special(s, len)) {
		/* The usual case: one copy between the quotes. */
		char *p = b->p + b->len;
		*p++ = '"';
		memcpy(p, s, len);
		p[len] = '"';
		p[len + 1] = '\0';
		b->len += len + 2;
		return;
	}
	b->p[b->len++] = '"';
	for (i = 0; i < len; i++) {
		unsigned char c = u[i];
		char esc[6];
		size_t n = 2;

		if (c >= 0x80) {
			/*
			 * UTF-8 is copied as it is; a byte outside any valid
			 * sequence (a file name, a process name) becomes
			 * U+FFFD, so that the line stays valid UTF-8 and
			 * every reader takes it.
			 */
			if ((n = utf8_seq_len(u + i, u + len)) > 0) {
				i += n - 1;
				continue;
			}
			buf_add(b, s + start, i - start);
			start = i + 1;
			buf_add(b, UTF8_REPLACEMENT, 3);
			continue;
		}
		if (!needs_escape[c])
			continue;
		buf_add(b, s + start, i - start);
		start = i + 1;
		esc[0] = '\\';
		switch (c) {
		case '"':  esc[1] = '"'; break;
		case '\\': esc[1] = '\\'; break;
		case '\n': esc[1] = 'n'; break;
		case '\t': esc[1] = 't'; break;
		case '\r': esc[1] = 'r'; break;
		case '\b': esc[1] = 'b'; break;
		case '\f': esc[1] = 'f'; break;
		default:
			memcpy(esc + 1, "u00", 3);
			esc[4] = hex[c >> 4];
			esc[5] = hex[c & 15];
			n = 6;
		}
		buf_add(b, esc, n);
	}
	buf_add(b, s + start, len - start);
	buf_addch(b, '"');
}

void
jsonl_format(struct buf *b, const struct sample *s)
{
	char num[NUMBER_BUFSZ];
	size_t i, n;

	/* No name, for a query result that has none (mtk-stream(5)). */
	if (s->name_len > 0) {
		buf_add(b, "{\"name\":", 8);
		jsonl_quote(b, s->name, s->name_len);
		buf_add(b, ",\"type\":\"", 9);
	} else {
		buf_add(b, "{\"type\":\"", 9);
	}
	buf_adds(b, metric_type_name(s->type));
	buf_add(b, "\",\"value\":", 10);
	n = number_format(num, s->value);
	if (isfinite(s->value)) {
		buf_add(b, num, n);
	} else {
		buf_addch(b, '"');
		buf_add(b, num, n);
		buf_addch(b, '"');
	}
	buf_add(b, ",\"ts\":", 6);
	n = number_format_i64(num, s->ts);
	buf_add(b, num, n);
	/* A label with an empty value is no label (mtk-stream(5)). */
	for (i = 0, n = 0; i < s->nlabels; i++) {
		if (s->labels[i].value_len == 0)
			continue;
		if (n++ == 0)
			buf_add(b, ",\"labels\":{", 11);
		else
			buf_addch(b, ',');
		jsonl_quote(b, s->labels[i].name, s->labels[i].name_len);
		buf_addch(b, ':');
		jsonl_quote(b, s->labels[i].value, s->labels[i].value_len);
	}
	if (n > 0)
		buf_addch(b, '}');
	if (s->unit) {
		buf_add(b, ",\"unit\":", 8);
		jsonl_quote(b, s->unit, s->unit_len);
	}
	if (s->help) {
		buf_add(b, ",\"help\":", 8);
		jsonl_quote(b, s->help, s->help_len);
	}
	buf_add(b, "}\n", 2);
}

struct jsonl_writer *
jsonl_writer_new(FILE *fp)
{
	struct jsonl_writer *w = xcalloc(1, sizeof(*w));

	w->fp = fp;
	buf_init(&w->out);
	buf_grow(&w->out, WRITER_CHUNK + 4096);
	return w;
}

void
jsonl_writer_free(struct jsonl_writer *w)
{
	if (w == NULL)
		return;
	buf_release(&w->out);
	free(w);
}

static int
write_out(struct jsonl_writer *w, struct errbuf *eb)
{
	if (w->out.len > 0 &&
	    fwrite(w->out.p, 1, w->out.len, w->fp) != w->out.len) {
		buf_reset(&w->out);
		return errbuf_set(eb, "write error: %s", strerror(errno));
	}
	buf_reset(&w->out);
	return 0;
}

int
jsonl_write(struct jsonl_writer *w, const struct sample *s, struct errbuf *eb)
{
	jsonl_format(&w->out, s);
	if (w->out.len >= WRITER_CHUNK)
		return write_out(w, eb);
	return 0;
}

int
jsonl_writer_flush(struct jsonl_writer *w, struct errbuf *eb)
{
	if (write_out(w, eb) == -1)
		return -1;
	if (fflush(w->fp) == EOF)
		return errbuf_set(eb, "write error: %s", strerror(errno));
	return 0;
}

static int
sink_add(void *ctx, const struct sample *s, struct errbuf *eb)
{
	return jsonl_write(ctx, s, eb);
}

static int
sink_commit(void *ctx, struct errbuf *eb)
{
	return jsonl_writer_flush(ctx, eb);
}

void
jsonl_writer_sink(struct jsonl_writer *w, struct ingest_sink *out)
{
	*out = (struct ingest_sink){ sink_add, sink_commit, NULL, NULL, w };
}
