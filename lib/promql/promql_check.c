/* promql_check.c - the PromQL type checker */
/* SPDX-License-Identifier: MIT */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "promql/promql_check.h"
#include "promql/promql_func.h"
#include "promql/promql_lex.h"

/*
 * Type checking, after a successful parse, in the order of Prometheus'
 * checkAST(), so that the first error found is the one it reports; the
 * others are not looked for.
 */
struct checker {
	const char *src;
	size_t len;
	int failed;
	struct errbuf *eb;
};

static int cerr(struct checker *c, size_t pos, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Record the first error, prefixed with its line and byte column. */
static int
cerr(struct checker *c, size_t pos, const char *fmt, ...)
{
	va_list ap;

	if (c->failed)
		return -1;
	c->failed = 1;
	va_start(ap, fmt);
	promql_verror(c->eb, c->src, c->len, pos, fmt, ap);
	va_end(ap);
	return -1;
}

/* Prometheus' internal type names, which one message uses. */
static const char *
type_name_raw(enum promql_type t)
{
	switch (t) {
	case PROMQL_TYPE_VECTOR: return "vector";
	case PROMQL_TYPE_MATRIX: return "matrix";
	default:                 return promql_type_name(t);
	}
}

static enum promql_type check(struct checker *c, struct promql_node *n);

static void
expect_type(struct checker *c, struct promql_node *n, enum promql_type want,
    const char *context)
{
	enum promql_type t = check(c, n);

	if (t != want)
		cerr(c, n->pos, "expected type %s in %s, got %s",
		    promql_type_name(want), context, promql_type_name(t));
}

static void
check_selector(struct checker *c, const struct promql_node *n)
{
	struct buf a = BUF_INIT, b = BUF_INIT;
	size_t i;

	if (n->vs.name != NULL) {
		/* The last matcher is the name's own. */
		for (i = 0; i + 1 < n->vs.nmatchers; i++) {
			const struct matcher *m = &n->vs.matchers[i];
			if (strcmp(m->name, "__name__") == 0)
				cerr(c, n->pos, "metric name must not be set "
				    "twice: %s or %s", promql_quoted(&a, n->vs.name,
				    strlen(n->vs.name)), promql_quoted(&b, m->value,
				    m->value_len));
		}
		goto out;
	}
	/* Refuse selectors that would match every series, typos and all. */
	for (i = 0; i < n->vs.nmatchers; i++)
		if (!matcher_matches_empty(&n->vs.matchers[i]))
			goto out;
	cerr(c, n->pos, "vector selector must contain at least one "
	    "non-empty matcher");
out:
	buf_release(&a);
	buf_release(&b);
}

/* Where a binary operator is: between its operands, spaces skipped. */
static size_t
op_pos(const struct checker *c, const struct promql_node *n)
{
	size_t i = n->binary.lhs->end;

	while (i < c->len && strchr(" \t\n\r", c->src[i]) != NULL)
		i++;
	return i;
}

static void
check_matching(struct checker *c, struct promql_node *n)
{
	struct promql_matching *m = n->binary.matching;
	struct buf b = BUF_INIT;
	size_t i, j;

	if (promql_binop_is_set(n->binary.op) && m->card == PROMQL_CARD_ONE_TO_ONE)
		m->card = PROMQL_CARD_MANY_TO_MANY;
	for (i = 0; m->on && i < m->labels.n; i++)
		for (j = 0; j < m->include.n; j++)
			if (strcmp(m->labels.v[i], m->include.v[j]) == 0)
				cerr(c, op_pos(c, n), "label %s must not occur "
				    "in ON and GROUP clause at once",
				    promql_quoted(&b, m->labels.v[i], strlen(m->labels.v[i])));
	buf_release(&b);
}

static void
check_binary(struct checker *c, struct promql_node *n)
{
	enum promql_binop op = n->binary.op;
	enum promql_type lt = check(c, n->binary.lhs);
	enum promql_type rt = check(c, n->binary.rhs);
	struct promql_matching *m = n->binary.matching;
	int scalar = lt == PROMQL_TYPE_SCALAR || rt == PROMQL_TYPE_SCALAR;

	if (n->binary.return_bool && !promql_binop_is_comparison(op))
		cerr(c, op_pos(c, n), "bool modifier can only be used on "
		    "comparison operators");
	if (promql_binop_is_comparison(op) && !n->binary.return_bool &&
	    lt == PROMQL_TYPE_SCALAR && rt == PROMQL_TYPE_SCALAR)
		cerr(c, op_pos(c, n), "comparisons between scalars must use "
		    "BOOL modifier");
	check_matching(c, n);
	if (lt != PROMQL_TYPE_SCALAR && lt != PROMQL_TYPE_VECTOR)
		cerr(c, n->binary.lhs->pos, "binary expression must contain "
		    "only scalar and instant vector types");
	if (rt != PROMQL_TYPE_SCALAR && rt != PROMQL_TYPE_VECTOR)
		cerr(c, n->binary.rhs->pos, "binary expression must contain "
		    "only scalar and instant vector types");
	if (lt != PROMQL_TYPE_VECTOR || rt != PROMQL_TYPE_VECTOR) {
		if (m->labels.n > 0)
			cerr(c, n->pos, "vector matching only allowed between "
			    "instant vectors");
		/* Matching means nothing with a scalar: drop it. */
		promql_matching_free(m);
		n->binary.matching = NULL;
	} else if (promql_binop_is_set(op)) {
		if (m->card == PROMQL_CARD_ONE_TO_MANY ||
		    m->card == PROMQL_CARD_MANY_TO_ONE)
			cerr(c, n->pos, "no grouping allowed for \"%s\" operation",
			    promql_binop_str(op));
	}
	if (scalar && promql_binop_is_set(op))
		cerr(c, n->pos, "set operator \"%s\" not allowed in binary "
		    "scalar expression", promql_binop_str(op));
}

static void
check_call(struct checker *c, struct promql_node *n)
{
	const struct promql_func *f = n->call.func;
	char context[64];
	size_t i, k, nargs = (size_t)f->nargs, got = n->call.nargs;

	if (f->variadic == 0 && got != nargs)
		cerr(c, n->pos, "expected %zu argument(s) in call to \"%s\", got "
		    "%zu", nargs, f->name, got);
	else if (f->variadic != 0 && got < nargs - 1)
		cerr(c, n->pos, "expected at least %zu argument(s) in call to "
		    "\"%s\", got %zu", nargs - 1, f->name, got);
	else if (f->variadic > 0 && got > nargs - 1 + (size_t)f->variadic)
		cerr(c, n->pos, "expected at most %zu argument(s) in call to "
		    "\"%s\", got %zu", nargs - 1 + (size_t)f->variadic,
		    f->name, got);
	snprintf(context, sizeof(context), "call to function \"%s\"", f->name);
	for (i = 0; i < got; i++) {
		if (i >= nargs && f->variadic == 0)
			break;	/* already refused; the extra are not typed */
		k = i < nargs ? i : nargs - 1;
		expect_type(c, n->call.args[i], f->args[k], context);
	}
}

static void
check_aggregate(struct checker *c, struct promql_node *n)
{
	enum promql_aggop op = n->agg.op;

	expect_type(c, n->agg.expr, PROMQL_TYPE_VECTOR, "aggregation expression");
	if (op == PROMQL_AGG_TOPK || op == PROMQL_AGG_BOTTOMK ||
	    op == PROMQL_AGG_QUANTILE)
		expect_type(c, n->agg.param, PROMQL_TYPE_SCALAR,
		    "aggregation parameter");
	if (op == PROMQL_AGG_COUNT_VALUES)
		expect_type(c, n->agg.param, PROMQL_TYPE_STRING,
		    "aggregation parameter");
}

static enum promql_type
check(struct checker *c, struct promql_node *n)
{
	enum promql_type t;

	switch (n->kind) {
	case PROMQL_NUMBER:
	case PROMQL_STRING:
		break;
	case PROMQL_VECTOR_SELECTOR:
		check_selector(c, n);
		break;
	case PROMQL_MATRIX_SELECTOR:
		check(c, n->ms.vs);
		break;
	case PROMQL_SUBQUERY:
		if ((t = check(c, n->sq.expr)) != PROMQL_TYPE_VECTOR)
			cerr(c, n->pos, "subquery is only allowed on instant "
			    "vector, got %s instead", type_name_raw(t));
		break;
	case PROMQL_UNARY:
		t = check(c, n->unary.expr);
		if (t != PROMQL_TYPE_SCALAR && t != PROMQL_TYPE_VECTOR)
			cerr(c, n->pos, "unary expression only allowed on "
			    "expressions of type scalar or instant vector, got "
			    "\"%s\"", promql_type_name(t));
		break;
	case PROMQL_BINARY:
		check_binary(c, n);
		break;
	case PROMQL_AGGREGATE:
		check_aggregate(c, n);
		break;
	case PROMQL_CALL:
		check_call(c, n);
		break;
	case PROMQL_PAREN:
		check(c, n->paren.expr);
		break;
	}
	return promql_node_type(n);
}

int
promql_check(struct promql_node *n, const char *src, size_t len,
    struct errbuf *eb)
{
	struct checker c = { src, len, 0, eb };

	check(&c, n);
	return c.failed ? -1 : 0;
}

/* Declared in promql_ast.h: a call's type is its function's (the registry's). */
enum promql_type
promql_node_type(const struct promql_node *n)
{
	switch (n->kind) {
	case PROMQL_NUMBER:          return PROMQL_TYPE_SCALAR;
	case PROMQL_STRING:          return PROMQL_TYPE_STRING;
	case PROMQL_VECTOR_SELECTOR: return PROMQL_TYPE_VECTOR;
	case PROMQL_MATRIX_SELECTOR: return PROMQL_TYPE_MATRIX;
	case PROMQL_SUBQUERY:        return PROMQL_TYPE_MATRIX;
	case PROMQL_UNARY:           return promql_node_type(n->unary.expr);
	case PROMQL_AGGREGATE:       return PROMQL_TYPE_VECTOR;
	case PROMQL_CALL:            return n->call.func->ret;
	case PROMQL_PAREN:           return promql_node_type(n->paren.expr);
	case PROMQL_BINARY:
		return promql_node_type(n->binary.lhs) == PROMQL_TYPE_SCALAR &&
		    promql_node_type(n->binary.rhs) == PROMQL_TYPE_SCALAR ?
		    PROMQL_TYPE_SCALAR : PROMQL_TYPE_VECTOR;
	}
	return PROMQL_TYPE_NONE;
}
