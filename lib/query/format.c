/* format.c - the names of the output formats */
/* SPDX-License-Identifier: MIT */
#include <string.h>

#include "query/format.h"

static const struct {
	const char *name;
	enum query_format f;
} format_names[] = {
	{ "table", QUERY_FMT_TABLE }, { "csv", QUERY_FMT_CSV },
	{ "jsonl", QUERY_FMT_JSONL }, { "prom-json", QUERY_FMT_PROM_JSON },
	{ "openmetrics", QUERY_FMT_OPENMETRICS }, { "chart", QUERY_FMT_CHART },
	{ "svg", QUERY_FMT_SVG },
};

#define NFORMATS (sizeof(format_names) / sizeof(format_names[0]))

int
query_format_parse(const char *s, enum query_format *f)
{
	size_t i;

	for (i = 0; i < NFORMATS; i++)
		if (strcmp(s, format_names[i].name) == 0) {
			*f = format_names[i].f;
			return 0;
		}
	return -1;
}

const char *
query_format_name(size_t i)
{
	return i < NFORMATS ? format_names[i].name : NULL;
}
