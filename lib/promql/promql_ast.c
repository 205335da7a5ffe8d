/* promql_ast.c - the syntax tree of a PromQL query: freeing it, and what its nodes say */
/* SPDX-License-Identifier: MIT */
#include <stdlib.h>
#include <string.h>

#include "promql/promql_ast.h"

static const char *const binop_names[] = {
	"+", "-", "*", "/", "%", "^", "atan2",
	"==", "!=", "<=", "<", ">=", ">", "and", "or", "unless",
};

static const char *const aggop_names[] = {
	"sum", "avg", "count", "min", "max", "group", "stddev", "stdvar",
	"topk", "bottomk", "count_values", "quantile",
};

const char *
promql_binop_str(enum promql_binop op)
{
	return binop_names[op];
}

const char *
promql_aggop_str(enum promql_aggop op)
{
	return aggop_names[op];
}

int
promql_binop_is_comparison(enum promql_binop op)
{
	return op >= PROMQL_OP_EQLC && op <= PROMQL_OP_GTR;
}

int
promql_binop_is_set(enum promql_binop op)
{
	return op >= PROMQL_OP_AND;
}

const char *
promql_type_name(enum promql_type t)
{
	switch (t) {
	case PROMQL_TYPE_SCALAR: return "scalar";
	case PROMQL_TYPE_VECTOR: return "instant vector";
	case PROMQL_TYPE_MATRIX: return "range vector";
	case PROMQL_TYPE_STRING: return "string";
	case PROMQL_TYPE_NONE:   break;
	}
	return "none";
}

static void
labels_release(struct promql_labels *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

void
promql_matching_free(struct promql_matching *m)
{
	if (m == NULL)
		return;
	labels_release(&m->labels);
	labels_release(&m->include);
	free(m);
}

void
promql_free(struct promql_node *n)
{
	size_t i;

	if (n == NULL)
		return;
	switch (n->kind) {
	case PROMQL_NUMBER:
		break;
	case PROMQL_STRING:
		free(n->string.s);
		break;
	case PROMQL_VECTOR_SELECTOR:
		for (i = 0; i < n->vs.nmatchers; i++)
			matcher_release(&n->vs.matchers[i]);
		free(n->vs.matchers);
		free(n->vs.name);
		break;
	case PROMQL_MATRIX_SELECTOR:
		promql_free(n->ms.vs);
		break;
	case PROMQL_SUBQUERY:
		promql_free(n->sq.expr);
		break;
	case PROMQL_UNARY:
		promql_free(n->unary.expr);
		break;
	case PROMQL_BINARY:
		promql_free(n->binary.lhs);
		promql_free(n->binary.rhs);
		promql_matching_free(n->binary.matching);
		break;
	case PROMQL_AGGREGATE:
		labels_release(&n->agg.grouping);
		promql_free(n->agg.param);
		promql_free(n->agg.expr);
		break;
	case PROMQL_CALL:
		for (i = 0; i < n->call.nargs; i++)
			promql_free(n->call.args[i]);
		free(n->call.args);
		break;
	case PROMQL_PAREN:
		promql_free(n->paren.expr);
		break;
	}
	free(n);
}

const char *
promql_selector_name(const struct promql_node *vs)
{
	size_t i;

	if (vs->vs.name != NULL)
		return vs->vs.name;
	for (i = 0; i < vs->vs.nmatchers; i++) {
		const struct matcher *m = &vs->vs.matchers[i];
		if (m->op == MATCHER_EQ && strcmp(m->name, "__name__") == 0)
			return m->value;
	}
	return NULL;
}
