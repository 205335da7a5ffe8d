/* render.h - answers as text: series in PromQL form, CSV fields, aligned tables */
/* SPDX-License-Identifier: MIT */
#ifndef MTK_RENDER_H
#define MTK_RENDER_H

#include <stddef.h>

#include "base/buf.h"
#include "base/errbuf.h"
#include "stream/metric.h"

/*
 * Every writer of lib/query (output.c, promql_output.c, the views)
 * writes series, fields and tables through here, so that a series
 * reads the same in every format and every table lines up.
 */

/*
 * Append the PromQL form of a series: name{a="b",...}; a name that is
 * not a Prometheus name quoted, {"a.b",c="d"}; no name: {a="b"}, or {}
 * with no labels either.  In values, " \ and line feeds are escaped as
 * PromQL wants them, and NUL as \x00.
 */
void render_series(struct buf *b, const struct sample *m);

/*
 * Append the series as the JSON object of Prometheus' series API:
 * {"__name__":"x","a":"b"}.
 */
void render_series_json(struct buf *b, const struct sample *m);

/* Append a CSV field (RFC 4180): quoted when it has , " CR or LF. */
void render_csv_field(struct buf *b, const char *s, size_t len);

/*
 * The columns a terminal gives UTF-8 text: East Asian wide and emoji
 * characters 2, combining marks and zero-width characters 0, others 1
 * (a byte that is not UTF-8 counts 1).
 */
size_t render_width(const char *s, size_t len);

/*
 * A table: cells added row by row, written at the end, each column as
 * wide as its widest cell (by render_width()), two spaces apart.
 */
struct render_table {
	size_t ncols;
	unsigned right;		/* bit i: column i is aligned right */
	const char *const *heads;	/* borrowed: the header row */
	struct buf cells;	/* NUL-ended cells, ncols a row */
	size_t ncells;
	size_t *w;		/* the width of each column */
};

/* Start 't' with 'ncols' columns (at most 32) headed 'heads' (borrowed). */
void render_table_init(struct render_table *t, size_t ncols, unsigned right,
    const char *const *heads);

/* Add the next cell, of 'len' bytes. */
void render_table_cell(struct render_table *t, const char *s, size_t len);

/* The rows added so far. */
size_t render_table_rows(const struct render_table *t);

/*
 * Append the header and the rows to 'out' (nothing without rows), then
 * forget the rows.  Whenever 'out' holds 64 KiB, 'flush' (when not
 * NULL) is called with 'arg' to write it; its -1 (with 'eb') stops
 * the writing and is returned.  Returns 0, or -1.
 */
int render_table_write(struct render_table *t, struct buf *out,
    int (*flush)(void *arg, struct errbuf *eb), void *arg, struct errbuf *eb);

void render_table_release(struct render_table *t);

#endif
