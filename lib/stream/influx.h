/* influx.h - InfluxDB's line protocol, read into samples */
/* SPDX-License-Identifier: MIT */
#ifndef MTK_INFLUX_H
#define MTK_INFLUX_H

#include <stddef.h>
#include <stdint.h>

#include "base/errbuf.h"
#include "stream/metric.h"

/*
 * A line 'measurement[,tag=value...] field=value[,field=value...]
 * [timestamp]' gives a sample for each number field, named
 * measurement_field as VictoriaMetrics and Telegraf's Prometheus output
 * name them (each byte outside [A-Za-z0-9_:] an underscore), its tags
 * as labels.  Values: floats, integers (1i), unsigned (1u), booleans
 * (t, true, ...: 1 or 0); string fields give no sample.  Escapes (\, \=
 * \ and \\ in names and tags, \" in strings) as the protocol has them.
 * The timestamp is in nanoseconds, or the unit 'precision' says (n, u,
 * ms, s, m, h); lines starting with '#' are comments.
 */
struct influx_parser;

struct influx_parser *influx_parser_new(void);
void influx_parser_free(struct influx_parser *p);

/* The unit of timestamps: "n" (the default), "u", "ms", "s", "m", "h". */
int influx_set_precision(struct influx_parser *p, const char *precision);

/*
 * Parse one line.  Returns the number of samples it gives (0 for a
 * comment or a line of strings only; the first in '*s', the others from
 * influx_next()), or -1 with the reason in 'eb'.  The samples have
 * passed metric_check(); their strings are the parser's until the next
 * line.
 */
int influx_parse(struct influx_parser *p, const char *line, size_t len,
    struct sample *s, struct errbuf *eb);

/* The next sample of the line: 1 with '*s', 0 when there is none. */
int influx_next(struct influx_parser *p, struct sample *s);

#endif
