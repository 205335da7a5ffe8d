/* render.c - answers as text: series in PromQL form, CSV fields, aligned tables */
/* SPDX-License-Identifier: MIT */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/xalloc.h"
#include "query/render.h"
#include "stream/jsonl.h"

#define CHUNK (64 * 1024)

/* A PromQL string literal of 's'. */
static void
promql_string(struct buf *b, const char *s, size_t len)
{
	size_t i;

	buf_addch(b, '"');
	for (i = 0; i < len; i++) {
		char c = s[i];
		if (c == '"' || c == '\\')
			buf_addch(b, '\\');
		if (c == '\n')
			buf_add(b, "\\n", 2);
		else if (c == '\0')
			buf_add(b, "\\x00", 4);
		else
			buf_addch(b, c);
	}
	buf_addch(b, '"');
}

void
render_series(struct buf *b, const struct sample *m)
{
	size_t i;
	int named = m->name_len > 0;
	int prom = named && metric_name_is_prom(m->name, m->name_len);

	if (prom)
		buf_add(b, m->name, m->name_len);
	if (!prom || m->nlabels > 0)
		buf_addch(b, '{');
	if (named && !prom) {
		promql_string(b, m->name, m->name_len);
		if (m->nlabels > 0)
			buf_addch(b, ',');
	}
	for (i = 0; i < m->nlabels; i++) {
		if (i > 0)
			buf_addch(b, ',');
		buf_add(b, m->labels[i].name, m->labels[i].name_len);
		buf_addch(b, '=');
		promql_string(b, m->labels[i].value, m->labels[i].value_len);
	}
	if (!prom || m->nlabels > 0)
		buf_addch(b, '}');
}

void
render_series_json(struct buf *b, const struct sample *m)
{
	size_t i;

	buf_adds(b, "{\"__name__\":");
	jsonl_quote(b, m->name, m->name_len);
	for (i = 0; i < m->nlabels; i++) {
		buf_addch(b, ',');
		jsonl_quote(b, m->labels[i].name, m->labels[i].name_len);
		buf_addch(b, ':');
		jsonl_quote(b, m->labels[i].value, m->labels[i].value_len);
	}
	buf_addch(b, '}');
}

void
render_csv_field(struct buf *b, const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (s[i] == ',' || s[i] == '"' || s[i] == '\r' || s[i] == '\n')
			break;
	if (i == len) {
		buf_add(b, s, len);
		return;
	}
	buf_addch(b, '"');
	for (i = 0; i < len; i++) {
		if (s[i] == '"')
			buf_addch(b, '"');
		buf_addch(b, s[i]);
	}
	buf_addch(b, '"');
}

/* The columns of code point 'c'. */
static int
cp_width(uint32_t c)
{
	/* Combining marks, zero-width spaces and joiners, variation selectors. */
	if ((c >= 0x0300 && c <= 0x036f) || (c >= 0x1ab0 && c <= 0x1aff) ||
	    (c >= 0x1dc0 && c <= 0x1dff) || (c >= 0x200b && c <= 0x200f) ||
	    (c >= 0x20d0 && c <= 0x20ff) || (c >= 0xfe00 && c <= 0xfe0f) ||
	    (c >= 0xfe20 && c <= 0xfe2f))
		return 0;
	/* East Asian wide and fullwidth, and emoji. */
	if ((c >= 0x1100 && c <= 0x115f) || (c >= 0x2e80 && c <= 0x303e) ||
	    (c >= 0x3041 && c <= 0x33ff) || (c >= 0x3400 && c <= 0x4dbf) ||
	    (c >= 0x4e00 && c <= 0x9fff) || (c >= 0xa000 && c <= 0xa4cf) ||
	    (c >= 0xac00 && c <= 0xd7a3) || (c >= 0xf900 && c <= 0xfaff) ||
	    (c >= 0xfe30 && c <= 0xfe4f) || (c >= 0xff00 && c <= 0xff60) ||
	    (c >= 0xffe0 && c <= 0xffe6) || (c >= 0x1f300 && c <= 0x1f64f) ||
	    (c >= 0x1f900 && c <= 0x1f9ff) || (c >= 0x20000 && c <= 0x3fffd))
		return 2;
	return 1;
}

size_t
render_width(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + len;
	size_t w = 0;

	while (p < end) {
		uint32_t c = *p;
		int n = c < 0x80 ? 0 : c >= 0xf8 ? -1 : c >= 0xf0 ? 3 :
		    c >= 0xe0 ? 2 : c >= 0xc0 ? 1 : -1;
		int i;
		if (n <= 0 || end - p <= n) {
			/* ASCII, a stray byte, or a sequence cut short. */
			w++;
			p++;
			continue;
		}
		c &= 0x3fu >> n;
		for (i = 1; i <= n && (p[i] & 0xc0) == 0x80; i++)
			c = (c << 6) | (p[i] & 0x3f);
		if (i <= n) {
			w++;
			p++;
			continue;
		}
		w += (size_t)cp_width(c);
		p += n + 1;
	}
	return w;
}

void
render_table_init(struct render_table *t, size_t ncols, unsigned right,
    const char *const *heads)
{
	size_t i;

	memset(t, 0, sizeof(*t));
	t->ncols = ncols;
	t->right = right;
	t->heads = heads;
	t->w = xcalloc(ncols, sizeof(*t->w));
	for (i = 0; i < ncols; i++)
		t->w[i] = render_width(heads[i], strlen(heads[i]));
}

void
render_table_cell(struct render_table *t, const char *s, size_t len)
{
	size_t col = t->ncells % t->ncols, w = render_width(s, len);

	buf_add(&t->cells, s, len);
	buf_addch(&t->cells, '\0');
	if (w > t->w[col])
		t->w[col] = w;
	t->ncells++;
}

size_t
render_table_rows(const struct render_table *t)
{
	return t->ncells / t->ncols;
}

static void
pad(struct buf *out, size_t n)
{
	while (n-- > 0)
		buf_addch(out, ' ');
}

/* One row of 'ncols' cells from 'cell' on; returns what follows it. */
static const char *
put_row(const struct render_table *t, struct buf *out, const char *const *heads,
    const char *cell)
{
	size_t i, len, w;
	const char *s;

	for (i = 0; i < t->ncols; i++) {
		s = heads ? heads[i] : cell;
		len = strlen(s);
		w = render_width(s, len);
		if (i > 0)
			buf_add(out, "  ", 2);
		if (t->right & (1u << i))
			pad(out, t->w[i] - w);
		/* The last column left aligned needs no padding after it. */
		buf_add(out, s, len);
		if (!(t->right & (1u << i)) && i + 1 < t->ncols)
			pad(out, t->w[i] - w);
		if (!heads)
			cell += len + 1;
	}
	buf_addch(out, '\n');
	return cell;
}

int
render_table_write(struct render_table *t, struct buf *out,
    int (*flush)(void *arg, struct errbuf *eb), void *arg, struct errbuf *eb)
{
	size_t r, rows = render_table_rows(t);
	const char *cell = t->cells.p;
	int rc = 0;

	if (rows > 0)
		put_row(t, out, t->heads, NULL);
	for (r = 0; r < rows && rc == 0; r++) {
		cell = put_row(t, out, NULL, cell);
		if (flush && out->len >= CHUNK)
			rc = flush(arg, eb);
	}
	buf_reset(&t->cells);
	t->ncells = 0;
	return rc;
}

void
render_table_release(struct render_table *t)
{
	buf_release(&t->cells);
	free(t->w);
	t->w = NULL;
}
