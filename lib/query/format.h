/* format.h - the output formats of every query: one enum, one list of names */
/* SPDX-License-Identifier: MIT */
#ifndef MTK_QUERY_FORMAT_H
#define MTK_QUERY_FORMAT_H

#include <stddef.h>

enum query_format {
	QUERY_FMT_TABLE,	/* aligned columns SERIES, TIME, VALUE, for
				   people; times in the process's time zone
				   (ts_format_local()) */
	QUERY_FMT_CSV,		/* RFC 4180: a header, then series,timestamp
				   (ms),value */
	QUERY_FMT_JSONL,	/* canonical stream lines (mtk-stream(5)) */
	QUERY_FMT_PROM_JSON,	/* the "data" of Prometheus' /api/v1/query */
	QUERY_FMT_OPENMETRICS,	/* text that promtool imports */
	QUERY_FMT_CHART,	/* a chart for a terminal (chart.h) */
	QUERY_FMT_SVG		/* an SVG image of a chart (chart.h) */
};

/*
 * Parse "table", "csv", "jsonl", "prom-json", "openmetrics", "chart" or "svg".  Returns
 * 0, or -1 for another name.
 */
int query_format_parse(const char *s, enum query_format *f);

/* The 'i'-th of those names (from 0), or NULL past the last. */
const char *query_format_name(size_t i);

#endif
