/* template.h - alert templates: the part of Go's text/template rules use */
/* SPDX-License-Identifier: MIT */
#ifndef MTK_TEMPLATE_H
#define MTK_TEMPLATE_H

#include <stddef.h>

#include "base/buf.h"
#include "base/errbuf.h"

/*
 * The labels and annotations of an alerting rule are templates, expanded
 * for each alert as Prometheus expands them (Go's text/template, with
 * Prometheus' functions).  This is the subset malert implements; a
 * template outside it is refused when the rules are loaded, never
 * expanded to an empty string:
 *
 *  - text, and actions {{ pipeline }}, with {{- and -}} trimming the
 *    blanks beside them, and comments ({{ then a C comment, then }});
 *  - {{ if pipeline }} ... {{ else if pipeline }} ... {{ else }} ...
 *    {{ end }}, true unless false, 0, "", or no value;
 *  - operands: $labels.NAME, $externalLabels.NAME, $value,
 *    $externalURL, the same as .Labels.NAME, .ExternalLabels.NAME,
 *    .Value, .ExternalURL; "strings" (Go escapes), `raw strings`,
 *    numbers, true, false, and ( pipelines );
 *  - pipelines: cmd | cmd ..., each cmd a function and its arguments,
 *    the value piped in as the last argument;
 *  - functions: humanize, humanize1024, humanizeDuration,
 *    humanizePercentage, humanizeTimestamp, printf, print, toUpper,
 *    toLower, title, stripPort, len, index, eq, ne, lt, le, gt, ge, and,
 *    or, not (tmpl_function() lists them).
 *
 * Numbers print as Go prints a float64 (%v: 0.42, 1e+06, NaN, +Inf).
 */

struct tmpl;

struct tmpl_label {
	const char *name, *value;
};

/* What a template sees. */
struct tmpl_data {
	const struct tmpl_label *labels;	/* $labels */
	size_t nlabels;
	const struct tmpl_label *external;	/* $externalLabels */
	size_t nexternal;
	double value;				/* $value */
	const char *external_url;		/* $externalURL, or NULL */
};

/*
 * Parse the 'len' bytes at 'text'.  Returns 0 with '*out' (free with
 * tmpl_free()), or -1 with "1:5: function \"query\" is not supported"
 * in 'eb' (line and column of the template's text).
 */
int tmpl_parse(const char *text, size_t len, struct tmpl **out,
    struct errbuf *eb);

/*
 * Expand 't' with 'd', appending to 'out'.  Returns 0, or -1 with an
 * error of the data in 'eb' ("humanize: cannot convert \"x\" to a
 * number"), as Prometheus fails such an expansion.
 */
int tmpl_exec(const struct tmpl *t, const struct tmpl_data *d,
    struct buf *out, struct errbuf *eb);

void tmpl_free(struct tmpl *t);

/* The 'i'-th (from 0) function name, NULL past the last. */
const char *tmpl_function(size_t i);

/*
 * Write 'v' as Go's %v writes a float64 (strconv 'g', shortest):
 * 0.42, 123456, 1e+06, 1.5e-05, NaN, +Inf, -Inf.  'out' has at least
 * 32 bytes.  Returns the length.
 */
size_t tmpl_format_float(char *out, double v);

#endif
