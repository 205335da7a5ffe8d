/* promql_parse.h - parse PromQL into a typed syntax tree */
/* SPDX-License-Identifier: MIT */
#ifndef MTK_PROMQL_PARSE_H
#define MTK_PROMQL_PARSE_H

#include "base/errbuf.h"
#include "promql/promql_ast.h"

/*
 * The language is Prometheus 2.42's PromQL: the same grammar, precedence,
 * type rules and (as far as practical) error messages, which carry the
 * line and byte column of the fault:
 *
 *	1:14: parse error: unexpected "}" in label matching, expected string
 *
 * One extension, from Prometheus 3: inside braces a lone string is the
 * metric name, so names outside [a-zA-Z_:][a-zA-Z0-9_:]* can be selected:
 * {"api.requests.total", job="x"} means {__name__="api.requests.total",
 * job="x"}, and a quoted label name ({"job"="x"}) is a label name.
 */

/*
 * Parse the NUL-terminated expression 'expr' and check its types.
 * Returns 0 and stores a new tree in '*out' (free it with promql_free()),
 * or -1 with "L:C: parse error: ..." in 'eb' ('*out' untouched).
 */
int promql_parse(const char *expr, struct promql_node **out,
    struct errbuf *eb);

/*
 * Parse a series selector alone, as the HTTP API's match[] takes it:
 * name, name{matchers} or {matchers}, no offset, @ or range.  Returns 0
 * and stores a new PROMQL_VECTOR_SELECTOR node in '*out', or -1 with the
 * error in 'eb'.
 */
int promql_parse_selector(const char *selector, struct promql_node **out,
    struct errbuf *eb);

#endif
