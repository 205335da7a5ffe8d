/* output.h - query results as JSON Lines, CSV or an aligned table */
/* SPDX-License-Identifier: MIT */
#ifndef MTK_OUTPUT_H
#define MTK_OUTPUT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "base/errbuf.h"
#include "stream/metric.h"
#include "query/format.h"

struct output;

/*
 * A writer of results to 'fp' (borrowed) as a table, CSV or JSON Lines
 * (the formats of Prometheus' own writes a table: promql_output.h has
 * them).  A table is held until output_finish(), to align its columns.
 * Returns a new output; free with output_free().
 */
struct output *output_new(FILE *fp, enum query_format f);
void output_free(struct output *o);

/*
 * Write the points ('ts', 'v', 'n') of the series described by 'meta'
 * (name, labels, type, unit, help; other fields ignored).  Returns 0, or
 * -1 with a write error in 'eb'.
 */
int output_series(struct output *o, const struct sample *meta,
    const int64_t *ts, const double *v, size_t n, struct errbuf *eb);

/*
 * Write a line of plain text (for --series, --labels): as it is in a
 * table or JSON Lines, as one quoted field in CSV.
 */
int output_text(struct output *o, const char *s, size_t len, struct errbuf *eb);

/* Write out everything (the table) and flush.  Returns 0, or -1 with 'eb'. */
int output_finish(struct output *o, struct errbuf *eb);

#endif
