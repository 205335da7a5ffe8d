/* promql_ast.h - the syntax tree of a PromQL query */
/* SPDX-License-Identifier: MIT */
#ifndef MTK_PROMQL_AST_H
#define MTK_PROMQL_AST_H

#include <stddef.h>
#include <stdint.h>

#include "stream/matcher.h"

/*
 * What promql_parse() (promql_parse.h) makes of a query, and what the
 * type checker, the printer and the evaluator read.
 */

/* The four types of PromQL values (NONE only for a missing argument). */
enum promql_type {
	PROMQL_TYPE_NONE,
	PROMQL_TYPE_SCALAR,
	PROMQL_TYPE_VECTOR,	/* an instant vector */
	PROMQL_TYPE_MATRIX,	/* a range vector */
	PROMQL_TYPE_STRING
};

enum promql_kind {
	PROMQL_NUMBER,		/* 1, -2.5, Inf: 'number' */
	PROMQL_STRING,		/* "text": 'string' */
	PROMQL_VECTOR_SELECTOR,	/* name{label="v"} @ t offset d: 'vs' */
	PROMQL_MATRIX_SELECTOR,	/* name{...}[5m]: 'ms' */
	PROMQL_SUBQUERY,	/* expr[30m:1m] @ t offset d: 'sq' */
	PROMQL_UNARY,		/* -expr, +expr: 'unary' */
	PROMQL_BINARY,		/* a + on(x) b: 'binary' */
	PROMQL_AGGREGATE,	/* sum by (x) (expr): 'agg' */
	PROMQL_CALL,		/* rate(x[5m]): 'call' */
	PROMQL_PAREN		/* (expr): 'paren' */
};

enum promql_binop {
	PROMQL_OP_ADD, PROMQL_OP_SUB, PROMQL_OP_MUL, PROMQL_OP_DIV,
	PROMQL_OP_MOD, PROMQL_OP_POW, PROMQL_OP_ATAN2,
	PROMQL_OP_EQLC, PROMQL_OP_NEQ, PROMQL_OP_LTE, PROMQL_OP_LSS,
	PROMQL_OP_GTE, PROMQL_OP_GTR,
	PROMQL_OP_AND, PROMQL_OP_OR, PROMQL_OP_UNLESS
};

enum promql_aggop {
	PROMQL_AGG_SUM, PROMQL_AGG_AVG, PROMQL_AGG_COUNT, PROMQL_AGG_MIN,
	PROMQL_AGG_MAX, PROMQL_AGG_GROUP, PROMQL_AGG_STDDEV,
	PROMQL_AGG_STDVAR, PROMQL_AGG_TOPK, PROMQL_AGG_BOTTOMK,
	PROMQL_AGG_COUNT_VALUES, PROMQL_AGG_QUANTILE
};

/* How series of the two sides of a binary operation pair up. */
enum promql_card {
	PROMQL_CARD_ONE_TO_ONE,
	PROMQL_CARD_MANY_TO_ONE,	/* group_left */
	PROMQL_CARD_ONE_TO_MANY,	/* group_right */
	PROMQL_CARD_MANY_TO_MANY	/* and, or, unless */
};

/* Where an "@" modifier pins the evaluation time. */
enum promql_at {
	PROMQL_AT_NONE,
	PROMQL_AT_TIME,		/* @ <at_ms / 1000> */
	PROMQL_AT_START,	/* @ start(): the query's start */
	PROMQL_AT_END		/* @ end(): the query's end */
};

/* A list of label names, each a NUL-terminated string owned by the tree. */
struct promql_labels {
	char **v;
	size_t n;
};

/* The offset and @ modifiers of a selector or subquery. */
struct promql_mods {
	int64_t offset_ms;	/* 0, or the offset; negative looks ahead */
	enum promql_at at;
	int64_t at_ms;		/* milliseconds since the epoch, for AT_TIME */
};

/* on/ignoring and group_left/group_right of a vector-vector operation. */
struct promql_matching {
	enum promql_card card;
	int on;				/* on(...), else ignoring(...) */
	struct promql_labels labels;	/* the on/ignoring list */
	struct promql_labels include;	/* the group_left/right list */
};

struct promql_func;	/* promql_func.h */

/*
 * A node of the syntax tree.  'pos' and 'end' are the byte offsets of its
 * text in the source (end is one past the last byte).  The member of the
 * union named after 'kind' holds the rest; every pointer in it is owned
 * by the node and freed by promql_free().
 */
/*
 * How deep a tree may be.  Evaluating, printing and freeing recurse
 * into it; a query nested a thousand levels deep is not one a person
 * writes, and deeper ones would exhaust the stack.
 */
#define PROMQL_DEPTH_MAX 1000

struct promql_node {
	unsigned depth;		/* of the tree from here: 1 for a leaf */
	enum promql_kind kind;
	size_t pos;
	size_t end;
	union {
		double number;
		struct {
			char *s;	/* NUL-terminated; may hold NULs */
			size_t len;
		} string;
		struct {
			/*
			 * 'name' is the name written before '{', or NULL;
			 * when set, the last matcher is __name__="name",
			 * so 'matchers' alone decides what matches.
			 */
			char *name;
			struct matcher *matchers;
			size_t nmatchers;
			struct promql_mods mods;
		} vs;
		struct {
			struct promql_node *vs;	/* a PROMQL_VECTOR_SELECTOR */
			int64_t range_ms;
		} ms;
		struct {
			struct promql_node *expr;
			int64_t range_ms;
			int64_t step_ms;	/* 0: the query's step */
			struct promql_mods mods;
		} sq;
		struct {
			int negate;		/* '-', else '+' */
			struct promql_node *expr;
		} unary;
		struct {
			enum promql_binop op;
			int return_bool;
			struct promql_node *lhs;
			struct promql_node *rhs;
			/*
			 * NULL when a side is a scalar; for set operators
			 * the cardinality is MANY_TO_MANY.
			 */
			struct promql_matching *matching;
		} binary;
		struct {
			enum promql_aggop op;
			int without;
			struct promql_labels grouping;
			struct promql_node *param;	/* topk's k...; or NULL */
			struct promql_node *expr;
		} agg;
		struct {
			/* In the registry (promql_func.h); not owned. */
			const struct promql_func *func;
			struct promql_node **args;
			size_t nargs;
		} call;
		struct {
			struct promql_node *expr;
		} paren;
	};
};

/* 'n' without the parentheses around it. */
static inline const struct promql_node *
promql_unparen(const struct promql_node *n)
{
	while (n->kind == PROMQL_PAREN)
		n = n->paren.expr;
	return n;
}

/* Free 'n' and all it owns.  Accepts NULL. */
void promql_free(struct promql_node *n);

/* The type of the value 'n' evaluates to. */
enum promql_type promql_node_type(const struct promql_node *n);

/*
 * The metric name that a vector selector 'vs' requires, if one: its
 * 'name', else the value of a __name__="..." matcher.  Returns a pointer
 * into 'vs' (borrowed), or NULL.
 */
const char *promql_selector_name(const struct promql_node *vs);

/* Free the matching 'm' and what it owns.  Accepts NULL. */
void promql_matching_free(struct promql_matching *m);

/* "instant vector", "range vector", "scalar", "string" or "none". */
const char *promql_type_name(enum promql_type t);

/* "+", "atan2", "==", "and": the operator as written. */
const char *promql_binop_str(enum promql_binop op);

/* "sum", "count_values": the aggregation as written. */
const char *promql_aggop_str(enum promql_aggop op);

/* Whether 'op' is ==, !=, <=, <, >= or >. */
int promql_binop_is_comparison(enum promql_binop op);

/* Whether 'op' is and, or or unless. */
int promql_binop_is_set(enum promql_binop op);

/* Whether 'n' is a plain vector selector (perhaps in parentheses). */
static inline int
promql_is_selector(const struct promql_node *n)
{
	return promql_unparen(n)->kind == PROMQL_VECTOR_SELECTOR;
}

#endif
