/* promql_check.h - the PromQL type checker */
/* SPDX-License-Identifier: MIT */
#ifndef MTK_PROMQL_CHECK_H
#define MTK_PROMQL_CHECK_H

#include <stddef.h>

#include "base/errbuf.h"
#include "promql/promql_ast.h"

/*
 * Check the types of the tree 'n' that the parser made of 'src' ('len'
 * bytes), as Prometheus' checkAST() does: the arguments of functions and
 * aggregations, the operands of operators, vector matching, selectors
 * that would match every series.  It settles what the evaluator relies
 * on: set operators match many-to-many, and an operation with a scalar
 * side has no matching (freed).  Returns 0, or -1 with the first error,
 * as "L:C: parse error: ...", in 'eb'.
 */
int promql_check(struct promql_node *n, const char *src, size_t len,
    struct errbuf *eb);

#endif
