/* promql_print.h - write a PromQL syntax tree back as text, as Prometheus prints it */
/* SPDX-License-Identifier: MIT */
#ifndef MTK_PROMQL_PRINT_H
#define MTK_PROMQL_PRINT_H

#include <stdint.h>

#include "base/buf.h"
#include "promql/promql_ast.h"

/*
 * Append 'n' to 'out' as Prometheus' printer writes it: "sum by (job)
 * (rate(x{a=\"b\"}[5m] offset 1m))".  Parsing the output gives the same
 * tree, positions aside.
 */
void promql_print(struct buf *out, const struct promql_node *n);

/*
 * Append 'n' as Prometheus' /api/v1/format_query writes it (its
 * Pretty()): one line when that is at most 100 bytes, else each node
 * too long for a line split at its children, indented two spaces a
 * level: an aggregation's and a call's arguments, a binary operation's
 * sides around its operator, a parenthesis' contents.
 */
void promql_print_pretty(struct buf *out, const struct promql_node *n);

/*
 * Append 'n' as a tree, a node a line, each child indented two spaces
 * under its parent, ending in the node's type:
 *
 *	aggregation sum by (mode)  : instant vector
 *	  call rate()  : instant vector
 *	    range selector node_cpu_seconds_total[5m]  : range vector
 */
void promql_print_tree(struct buf *out, const struct promql_node *n);

/*
 * Append a duration of 'ms' milliseconds as Prometheus writes one:
 * "1h30m", "90d", "1w", "500ms", "0s"; 'ms' must not be negative.
 */
void promql_print_duration(struct buf *out, int64_t ms);

#endif
