/* promql_output.h - write PromQL results: table, CSV, stream lines, Prometheus JSON, OpenMetrics */
/* SPDX-License-Identifier: MIT */
#ifndef MTK_PROMQL_OUTPUT_H
#define MTK_PROMQL_OUTPUT_H

#include <stdint.h>
#include <stdio.h>

#include "base/buf.h"
#include "base/errbuf.h"
#include "stream/metric.h"
#include "promql/promql_eval.h"
#include "query/format.h"

/*
 * Write 'r' to 'fp' (borrowed) in format 'f'.  'name', when not NULL,
 * becomes the metric name of every series, as a recording rule names
 * its result; without it, the stream and OpenMetrics formats refuse a
 * series that has no name ("result series '{job=\"a\"}' has no metric
 * name: name it with --name").  Table and CSV write series without a
 * name as {labels}.  Returns 0, or -1 with 'eb' (that, or a write error).
 */
int promql_result_write(FILE *fp, const struct promql_result *r,
    enum query_format f, const char *name, struct errbuf *eb);

/*
 * Write 'r' as promql_result_write() writes a table, with a last column,
 * TREND: for each series, the sparkline ('width' characters,
 * chart_sparkline()) over [t0, t1] of the points of the series of
 * 'trend' (a range query's result) that has the same labels, blank when
 * there is none.  Returns 0, or -1 with a write error in 'eb'.
 */
int promql_result_write_trend(FILE *fp, const struct promql_result *r,
    const struct promql_result *trend, int64_t t0, int64_t t1,
    size_t width, const char *name, struct errbuf *eb);

/*
 * Append the samples of one series ('meta': name and labels) as
 * OpenMetrics lines, "name{a=\"b\"} value seconds".  Returns 0, or -1
 * when the name or a label cannot be written in OpenMetrics.
 */
int promql_om_series(struct buf *out, const struct sample *meta,
    const int64_t *ts, const double *v, size_t n, struct errbuf *eb);

/* Append a millisecond time as Prometheus' JSON writes it: 1.5 -> "1.500". */
void promql_format_time(struct buf *out, int64_t ms);

#endif
