/* csv.h - CSV files (RFC 4180) with a header, read into samples */
/* SPDX-License-Identifier: MIT */
#ifndef MTK_CSV_H
#define MTK_CSV_H

#include <stddef.h>

#include "base/errbuf.h"
#include "stream/metric.h"

/*
 * Fields as RFC 4180 has them: separated by commas, in double quotes
 * when they hold a comma or a quote ("" is a quote inside), each line a
 * record (CRLF too: the reader drops the CR).  A quoted field may not
 * span lines: its first line is an error, and so is each line up to
 * its closing quote.  The first line that is not blank is the header,
 * naming the columns (a UTF-8 byte order mark before it is passed
 * over); names are compared as written:
 *
 *   series      the series in PromQL form, 'up{job="a",x="q,\"z"}', as
 *               mquery -o csv writes it: a metric name, labels NAME="VALUE"
 *               with PromQL's string escapes ("...", '...' or `...`), a
 *               quoted name '{"weird.name",job="a"}', or __name__="x"
 *   name        the metric name (or '__name__'), any the stream takes
 *   timestamp   milliseconds since the epoch, an integer
 *   time        RFC 3339, or Unix seconds with a fraction (1700000000.5)
 *   value       the value: a number as strtod(3) reads it, NaN, +Inf, -Inf
 *
 * With a 'value' column (long format) a line is one sample: its name
 * from 'series' or 'name' (one of them, not both), and every other
 * column a label of that name, which an empty cell leaves out.  Without
 * one (wide format, 'time,cpu_temp_celsius,fan_rpm'), every column but
 * 'time' or 'timestamp' is a metric named by its header (a Prometheus
 * name), and each cell that is not empty a sample of it, without labels;
 * 'series' and 'name' are then errors.  Without 'time' or 'timestamp'
 * (not both) samples have no time (the reader gives them the time they
 * were read).  Blanks around a value or a time are passed over; an
 * empty value (long format) or time is an error.
 *
 * A bad header (a duplicate or empty column, a bad label or metric
 * name, no metric at all) is an error at its line, and every later line
 * of the file gives nothing: the file is refused.  A bad line after it
 * (a field too many or too few, a bad number, time or series) gives no
 * sample, not even from its good cells.
 */
struct csv_parser;

/* Returns a new parser, for one file; free with csv_parser_free(). */
struct csv_parser *csv_parser_new(void);
void csv_parser_free(struct csv_parser *p);

/*
 * Parse the next line of the file ('len' bytes, without the newline).
 * Returns the number of samples it gives (0 for a blank line, the
 * header, a wide line of empty cells, or any line after a bad header;
 * the first in '*s', the others from csv_next()), or -1 with the reason
 * in 'eb'.  The samples have passed metric_check(); their strings are
 * the parser's until the next line.
 */
int csv_parse(struct csv_parser *p, const char *line, size_t len,
    struct sample *s, struct errbuf *eb);

/* The next sample of the line: 1 with '*s', 0 when there is none. */
int csv_next(struct csv_parser *p, struct sample *s);

#endif
