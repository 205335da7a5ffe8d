/* output.c - query results as JSON Lines, CSV or an aligned table */
/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "stream/jsonl.h"
#include "base/number.h"
#include "query/output.h"
#include "query/render.h"
#include "base/timestamp.h"
#include "base/xalloc.h"

#define CHUNK (64 * 1024)

struct output {
	FILE *fp;
	enum query_format f;
	struct buf out;		/* pending bytes */
	struct buf name;	/* the current series, formatted once */
	struct buf rows;	/* scratch */
	struct render_table table;
	int header;		/* the CSV header is written */
};

static const char *const heads[3] = { "SERIES", "TIME", "VALUE" };

struct output *
output_new(FILE *fp, enum query_format f)
{
	struct output *o = xcalloc(1, sizeof(*o));

	o->fp = fp;
	o->f = f == QUERY_FMT_CSV || f == QUERY_FMT_JSONL ? f : QUERY_FMT_TABLE;
	render_table_init(&o->table, 3, 1u << 2, heads);
	return o;
}

void
output_free(struct output *o)
{
	if (o == NULL)
		return;
	buf_release(&o->out);
	buf_release(&o->name);
	buf_release(&o->rows);
	render_table_release(&o->table);
	free(o);
}

static int
flush_out(struct output *o, struct errbuf *eb)
{
	if (o->out.len && fwrite(o->out.p, 1, o->out.len, o->fp) != o->out.len) {
		buf_reset(&o->out);
		return errbuf_set(eb, "write error: %s", strerror(errno));
	}
	buf_reset(&o->out);
	return 0;
}

int
output_series(struct output *o, const struct sample *meta, const int64_t *ts,
    const double *v, size_t n, struct errbuf *eb)
{
	char num[NUMBER_BUFSZ], tbuf[TS_BUFSZ];
	struct sample s = *meta;
	size_t i, nl, tl;

	switch (o->f) {
	case QUERY_FMT_JSONL: {
		/*
		 * Every line of a series is the same but for value and ts:
		 * format the series once, then fill in each point.  The
		 * template's '"value":0,"ts":0' cannot occur earlier, inside
		 * the quoted name, whose quotes are escaped.
		 */
		static const char mark[] = "\"value\":0,\"ts\":0";
		const char *at;
		size_t pre, post;

		s.value = 0;
		s.ts = 0;
		s.has_ts = 1;
		buf_reset(&o->name);
		jsonl_format(&o->name, &s);
		at = strstr(o->name.p, mark);
		pre = (size_t)(at - o->name.p) + 8;	/* through "value": */
		post = pre + sizeof(mark) - 1 - 8;	/* after 0,"ts":0 */
		for (i = 0; i < n; i++) {
			size_t need = o->name.len + 2 * NUMBER_BUFSZ + 4;
			char *p;
			if (o->out.cap - o->out.len < need)
				buf_grow(&o->out, need);
			p = o->out.p + o->out.len;
			memcpy(p, o->name.p, pre);
			p += pre;
			if (isfinite(v[i])) {
				p += number_format(p, v[i]);
			} else {
				*p++ = '"';
				p += number_format(p, v[i]);
				*p++ = '"';
			}
			memcpy(p, ",\"ts\":", 6);
			p += 6;
			p += number_format_i64(p, ts[i]);
			memcpy(p, o->name.p + post, o->name.len - post + 1);
			p += o->name.len - post;
			o->out.len = (size_t)(p - o->out.p);
			if (o->out.len >= CHUNK && flush_out(o, eb) == -1)
				return -1;
		}
		break;
	}
	case QUERY_FMT_CSV:
		if (!o->header) {
			buf_adds(&o->out, "series,timestamp,value\n");
			o->header = 1;
		}
		/* The series field is the same on every line: quote it once. */
		buf_reset(&o->rows);
		render_series(&o->rows, meta);
		buf_reset(&o->name);
		render_csv_field(&o->name, o->rows.p, o->rows.len);
		buf_addch(&o->name, ',');
		buf_reset(&o->rows);
		for (i = 0; i < n; i++) {
			char *p;
			if (o->out.cap - o->out.len < o->name.len + 2 * NUMBER_BUFSZ + 2)
				buf_grow(&o->out, o->name.len + 2 * NUMBER_BUFSZ + 2);
			p = o->out.p + o->out.len;
			memcpy(p, o->name.p, o->name.len);
			p += o->name.len;
			p += number_format_i64(p, ts[i]);
			*p++ = ',';
			p += number_format(p, v[i]);
			*p++ = '\n';
			*p = '\0';
			o->out.len = (size_t)(p - o->out.p);
			if (o->out.len >= CHUNK && flush_out(o, eb) == -1)
				return -1;
		}
		break;
	default:	/* output_new() made it a table */
		buf_reset(&o->name);
		render_series(&o->name, meta);
		for (i = 0; i < n; i++) {
			tl = ts_format_local(tbuf, ts[i]);
			nl = number_format(num, v[i]);
			render_table_cell(&o->table, o->name.p, o->name.len);
			render_table_cell(&o->table, tbuf, tl);
			render_table_cell(&o->table, num, nl);
		}
		break;
	}
	return 0;
}

static int
table_flush(void *arg, struct errbuf *eb)
{
	return flush_out(arg, eb);
}

int
output_text(struct output *o, const char *s, size_t len, struct errbuf *eb)
{
	if (o->f == QUERY_FMT_CSV)
		render_csv_field(&o->out, s, len);
	else
		buf_add(&o->out, s, len);
	buf_addch(&o->out, '\n');
	return o->out.len >= CHUNK ? flush_out(o, eb) : 0;
}

int
output_finish(struct output *o, struct errbuf *eb)
{
	if (render_table_write(&o->table, &o->out, table_flush, o, eb) == -1)
		return -1;
	if (flush_out(o, eb) == -1)
		return -1;
	if (fflush(o->fp) == EOF)
		return errbuf_set(eb, "write error: %s", strerror(errno));
	return 0;
}
