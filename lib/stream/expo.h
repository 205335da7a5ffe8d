/* expo.h - Prometheus' text exposition format and OpenMetrics, read into samples */
/* SPDX-License-Identifier: MIT */
#ifndef MTK_EXPO_H
#define MTK_EXPO_H

#include <stddef.h>

#include "base/errbuf.h"
#include "stream/metric.h"

/*
 * What a /metrics endpoint serves, one line at a time: the text format
 * 0.0.4 of Prometheus, or OpenMetrics 1.0, as Prometheus 2.42 reads
 * them.
 *
 *  - '# HELP name text' and '# TYPE name type' (and in OpenMetrics
 *    '# UNIT name unit') describe a family; its first sample carries the
 *    help and unit into the stream.  Other comments are ignored in the
 *    text format, and an error in OpenMetrics, whose document ends with
 *    '# EOF' (nothing may follow, and a document without it is cut).
 *  - A sample: name, labels in braces (values with the escapes \\, \"
 *    and \n), a value (NaN, +Inf, -Inf as Go reads floats) and an
 *    optional timestamp: integer milliseconds in the text format,
 *    seconds with a fraction in OpenMetrics.  OpenMetrics exemplars
 *    ('# {trace_id="x"} 1') are read past.
 *  - Families give samples their stream type as Prometheus stores them:
 *    a counter's samples (a '_total' one in OpenMetrics) and the
 *    '_bucket', '_count' and '_sum' series of histograms and summaries
 *    are counters; quantiles, gauges and everything else are gauges;
 *    '_created' series are gauges of their own.
 *
 * Each sample has passed metric_check(), as the stream's do.
 */
enum expo_format { EXPO_PROMETHEUS, EXPO_OPENMETRICS };

struct expo_parser;

/* A new parser of 'f', at the start of a document. */
struct expo_parser *expo_parser_new(enum expo_format f);
void expo_parser_free(struct expo_parser *p);

/*
 * Give samples as they are written, without metric_check(): labels in
 * their order, empty values kept (a scraper tells an empty label from
 * none, as Prometheus' honor_labels does).  The caller checks them.
 */
void expo_parser_raw(struct expo_parser *p);

/* Start a new document (the next scrape) with the same parser. */
void expo_parser_reset(struct expo_parser *p);

/*
 * Parse one line ('len' bytes, without its newline).  Returns 1 with a
 * sample in '*s' (its strings the parser's until the next call;
 * 's->has_ts' 0 when the line gave no timestamp), 0 for a line without
 * a sample, or -1 with the reason in 'eb'.
 */
int expo_parse(struct expo_parser *p, const char *line, size_t len,
    struct sample *s, struct errbuf *eb);

/*
 * The document ended.  Returns 0, or -1 with 'eb' when it was cut (an
 * OpenMetrics document without '# EOF').
 */
int expo_end(struct expo_parser *p, struct errbuf *eb);

/* Parse "prometheus" or "openmetrics": 0, or -1. */
int expo_format_parse(const char *s, enum expo_format *f);

#endif
