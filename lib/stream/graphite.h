/* graphite.h - Graphite's plaintext protocol, read into samples */
/* SPDX-License-Identifier: MIT */
#ifndef MTK_GRAPHITE_H
#define MTK_GRAPHITE_H

#include <stddef.h>

#include "base/errbuf.h"
#include "stream/metric.h"

/*
 * A line 'path value [timestamp]', the path with Graphite's tags
 * ('path;tag=value;...'), the timestamp in seconds (a fraction allowed;
 * none, or -1: the time it is read).  The path is the metric name, each
 * byte outside [A-Za-z0-9_:] an underscore (servers.web1.load is
 * servers_web1_load); tags are labels.
 */
struct graphite_parser;

struct graphite_parser *graphite_parser_new(void);
void graphite_parser_free(struct graphite_parser *p);

/*
 * Parse one line: 1 with a sample in '*s' (passed metric_check(); its
 * strings the parser's until the next line), 0 for a blank line, -1
 * with the reason in 'eb'.
 */
int graphite_parse(struct graphite_parser *p, const char *line, size_t len,
    struct sample *s, struct errbuf *eb);

#endif
