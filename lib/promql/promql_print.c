/* promql_print.c - write a PromQL syntax tree back as text, as Prometheus prints it */
/* SPDX-License-Identifier: MIT */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/xalloc.h"
#include "promql/promql_func.h"
#include "promql/promql_lex.h"
#include "promql/promql_print.h"
#include "stream/metric.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* As Prometheus' String() methods print the nodes. */

void
promql_print_duration(struct buf *out, int64_t ms)
{
	static const struct {
		const char *unit;
		int64_t ms;
		int exact;	/* only when it divides: "90d", not "12w6d" */
	} units[] = {
		{ "y", 31536000000LL, 1 }, { "w", 604800000LL, 1 },
		{ "d", 86400000LL, 0 }, { "h", 3600000LL, 0 },
		{ "m", 60000LL, 0 }, { "s", 1000LL, 0 }, { "ms", 1LL, 0 },
	};
	size_t i;

	if (ms == 0) {
		buf_adds(out, "0s");
		return;
	}
	for (i = 0; i < NELEM(units); i++) {
		if (units[i].exact && ms % units[i].ms != 0)
			continue;
		if (ms / units[i].ms > 0) {
			buf_addf(out, "%lld%s", (long long)(ms / units[i].ms),
			    units[i].unit);
			ms %= units[i].ms;
		}
	}
}

/*
 * A float as Go's %v writes it: the shortest digits that read back,
 * in %e form when the exponent is below -4 or at least 6 ("1e+06",
 * "1.5e-05"), else plainly ("123456", "0.0001").
 */
static void
format_number(struct buf *out, double v)
{
	char e[40], digits[24];
	int prec, exp, nd = 0, dp, i;
	const char *s;

	if (isnan(v) || isinf(v)) {
		buf_adds(out, isnan(v) ? "NaN" : v > 0 ? "+Inf" : "-Inf");
		return;
	}
	for (prec = 1; prec < 17; prec++) {
		snprintf(e, sizeof(e), "%.*e", prec - 1, v);
		if (strtod(e, NULL) == v)
			break;
	}
	snprintf(e, sizeof(e), "%.*e", prec - 1, v);
	s = e;
	if (*s == '-')
		buf_addch(out, *s++);
	for (; *s != 'e'; s++)
		if (*s != '.')
			digits[nd++] = *s;
	exp = atoi(s + 1);
	if (exp < -4 || exp >= 6) {
		buf_addch(out, digits[0]);
		if (nd > 1) {
			buf_addch(out, '.');
			buf_add(out, digits + 1, (size_t)nd - 1);
		}
		buf_addf(out, "e%c%02d", exp < 0 ? '-' : '+', abs(exp));
		return;
	}
	dp = exp + 1;	/* digits before the point */
	if (dp <= 0) {
		buf_adds(out, "0.");
		for (i = dp; i < 0; i++)
			buf_addch(out, '0');
		buf_add(out, digits, (size_t)nd);
	} else if (dp >= nd) {
		buf_add(out, digits, (size_t)nd);
		for (i = nd; i < dp; i++)
			buf_addch(out, '0');
	} else {
		buf_add(out, digits, (size_t)dp);
		buf_addch(out, '.');
		buf_add(out, digits + dp, (size_t)(nd - dp));
	}
}

static void
format_labels(struct buf *out, const struct promql_labels *l)
{
	size_t i;

	for (i = 0; i < l->n; i++) {
		if (i > 0)
			buf_adds(out, ", ");
		buf_adds(out, l->v[i]);
	}
}

/* " @ 123.000 offset 5m", as a selector's or subquery's suffix. */
static void
format_mods(struct buf *out, const struct promql_mods *m)
{
	if (m->at == PROMQL_AT_TIME)
		buf_addf(out, " @ %.3f", (double)m->at_ms / 1000.0);
	else if (m->at == PROMQL_AT_START)
		buf_adds(out, " @ start()");
	else if (m->at == PROMQL_AT_END)
		buf_adds(out, " @ end()");
	if (m->offset_ms > 0) {
		buf_adds(out, " offset ");
		promql_print_duration(out, m->offset_ms);
	} else if (m->offset_ms < 0) {
		buf_adds(out, " offset -");
		promql_print_duration(out, -m->offset_ms);
	}
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * name{a="b",c=~"d"}, the matchers sorted as text, leaving out the one
 * that repeats the name.
 */
static void
format_selector(struct buf *out, const struct promql_node *n)
{
	char **ms = xcalloc(n->vs.nmatchers + 1, sizeof(*ms));
	struct buf b = BUF_INIT;
	size_t i, k = 0;

	for (i = 0; i < n->vs.nmatchers; i++) {
		const struct matcher *m = &n->vs.matchers[i];
		if (n->vs.name != NULL && m->op == MATCHER_EQ &&
		    strcmp(m->name, "__name__") == 0 &&
		    strcmp(m->value, n->vs.name) == 0)
			continue;
		buf_reset(&b);
		/* A name the parser took quoted ("" say) goes back quoted. */
		if (metric_label_name_valid(m->name, strlen(m->name)))
			buf_adds(&b, m->name);
		else
			promql_quote(&b, m->name, strlen(m->name));
		buf_adds(&b, matcher_op_str(m->op));
		promql_quote(&b, m->value, m->value_len);
		ms[k++] = xstrdup(b.p);
	}
	qsort(ms, k, sizeof(*ms), cmp_str);
	if (n->vs.name != NULL)
		buf_adds(out, n->vs.name);
	for (i = 0; i < k; i++) {
		buf_adds(out, i == 0 ? "{" : ",");
		buf_adds(out, ms[i]);
		free(ms[i]);
	}
	if (k > 0)
		buf_addch(out, '}');
	free(ms);
	buf_release(&b);
}

/*
 * " on (a) group_left (b)".  Prometheus 2.42 printed nothing for
 * "ignoring () group_left", which reads back as one-to-one; like later
 * versions, we print it.
 */
static void
format_matching(struct buf *out, const struct promql_matching *m)
{
	int grouped = m->card == PROMQL_CARD_MANY_TO_ONE ||
	    m->card == PROMQL_CARD_ONE_TO_MANY;

	if (m->labels.n > 0 || m->on || grouped) {
		buf_adds(out, m->on ? " on (" : " ignoring (");
		format_labels(out, &m->labels);
		buf_addch(out, ')');
	}
	if (grouped) {
		buf_adds(out, m->card == PROMQL_CARD_MANY_TO_ONE ?
		    " group_left (" : " group_right (");
		format_labels(out, &m->include);
		buf_addch(out, ')');
	}
}

/* "sum by (job) ", an aggregation up to its parenthesis. */
static void
format_aggregate_head(struct buf *out, const struct promql_node *n)
{
	buf_adds(out, promql_aggop_str(n->agg.op));
	if (n->agg.without || n->agg.grouping.n > 0) {
		buf_adds(out, n->agg.without ? " without (" : " by (");
		format_labels(out, &n->agg.grouping);
		buf_adds(out, ") ");
	}
}

/* "[30m:1m] offset 5m", what follows a subquery's expression. */
static void
format_subquery_tail(struct buf *out, const struct promql_node *n)
{
	buf_addch(out, '[');
	promql_print_duration(out, n->sq.range_ms);
	buf_addch(out, ':');
	if (n->sq.step_ms != 0)
		promql_print_duration(out, n->sq.step_ms);
	buf_addch(out, ']');
	format_mods(out, &n->sq.mods);
}

static void
format_aggregate(struct buf *out, const struct promql_node *n)
{
	format_aggregate_head(out, n);
	buf_addch(out, '(');
	if (n->agg.param != NULL) {
		promql_print(out, n->agg.param);
		buf_adds(out, ", ");
	}
	promql_print(out, n->agg.expr);
	buf_addch(out, ')');
}

void
promql_print(struct buf *out, const struct promql_node *n)
{
	size_t i;

	switch (n->kind) {
	case PROMQL_NUMBER:
		format_number(out, n->number);
		break;
	case PROMQL_STRING:
		promql_quote(out, n->string.s, n->string.len);
		break;
	case PROMQL_VECTOR_SELECTOR:
		format_selector(out, n);
		format_mods(out, &n->vs.mods);
		break;
	case PROMQL_MATRIX_SELECTOR:
		format_selector(out, n->ms.vs);
		buf_addch(out, '[');
		promql_print_duration(out, n->ms.range_ms);
		buf_addch(out, ']');
		format_mods(out, &n->ms.vs->vs.mods);
		break;
	case PROMQL_SUBQUERY:
		promql_print(out, n->sq.expr);
		format_subquery_tail(out, n);
		break;
	case PROMQL_UNARY:
		buf_addch(out, n->unary.negate ? '-' : '+');
		promql_print(out, n->unary.expr);
		break;
	case PROMQL_BINARY:
		/*
		 * "+Inf ^ x" would read back as +(Inf ^ x): a sign binds
		 * looser than '^'.  Prometheus prints it so; we drop the '+'.
		 */
		if (n->binary.op == PROMQL_OP_POW &&
		    n->binary.lhs->kind == PROMQL_NUMBER &&
		    isinf(n->binary.lhs->number) && n->binary.lhs->number > 0)
			buf_adds(out, "Inf");
		else
			promql_print(out, n->binary.lhs);
		buf_addf(out, " %s%s", promql_binop_str(n->binary.op),
		    n->binary.return_bool ? " bool" : "");
		if (n->binary.matching != NULL)
			format_matching(out, n->binary.matching);
		buf_addch(out, ' ');
		promql_print(out, n->binary.rhs);
		break;
	case PROMQL_AGGREGATE:
		format_aggregate(out, n);
		break;
	case PROMQL_CALL:
		buf_addf(out, "%s(", n->call.func->name);
		for (i = 0; i < n->call.nargs; i++) {
			if (i > 0)
				buf_adds(out, ", ");
			promql_print(out, n->call.args[i]);
		}
		buf_addch(out, ')');
		break;
	case PROMQL_PAREN:
		buf_addch(out, '(');
		promql_print(out, n->paren.expr);
		buf_addch(out, ')');
		break;
	}
}

/* One line of promql_print_tree(): the node's own part, indented. */
static void
tree_head(struct buf *out, const struct promql_node *n)
{
	switch (n->kind) {
	case PROMQL_NUMBER:
	case PROMQL_STRING:
		promql_print(out, n);
		break;
	case PROMQL_VECTOR_SELECTOR:
		buf_adds(out, "selector ");
		promql_print(out, n);
		break;
	case PROMQL_MATRIX_SELECTOR:
		buf_adds(out, "range selector ");
		promql_print(out, n);
		break;
	case PROMQL_SUBQUERY:
		buf_adds(out, "subquery ");
		format_subquery_tail(out, n);
		break;
	case PROMQL_UNARY:
		buf_adds(out, n->unary.negate ? "unary -" : "unary +");
		break;
	case PROMQL_BINARY:
		buf_addf(out, "binary %s%s", promql_binop_str(n->binary.op),
		    n->binary.return_bool ? " bool" : "");
		if (n->binary.matching != NULL)
			format_matching(out, n->binary.matching);
		break;
	case PROMQL_AGGREGATE:
		buf_adds(out, "aggregation ");
		format_aggregate_head(out, n);
		out->len -= out->p[out->len - 1] == ' ';	/* "by (x) " */
		out->p[out->len] = '\0';
		break;
	case PROMQL_CALL:
		buf_addf(out, "call %s()", n->call.func->name);
		break;
	case PROMQL_PAREN:
		buf_adds(out, "parentheses");
		break;
	}
	buf_addf(out, "  : %s\n", promql_type_name(promql_node_type(n)));
}

static void
tree(struct buf *out, const struct promql_node *n, unsigned level)
{
	size_t i;

	for (i = 0; i < level; i++)
		buf_adds(out, "  ");
	tree_head(out, n);
	switch (n->kind) {
	case PROMQL_SUBQUERY:
		tree(out, n->sq.expr, level + 1);
		break;
	case PROMQL_UNARY:
		tree(out, n->unary.expr, level + 1);
		break;
	case PROMQL_BINARY:
		tree(out, n->binary.lhs, level + 1);
		tree(out, n->binary.rhs, level + 1);
		break;
	case PROMQL_AGGREGATE:
		if (n->agg.param != NULL)
			tree(out, n->agg.param, level + 1);
		tree(out, n->agg.expr, level + 1);
		break;
	case PROMQL_CALL:
		for (i = 0; i < n->call.nargs; i++)
			tree(out, n->call.args[i], level + 1);
		break;
	case PROMQL_PAREN:
		tree(out, n->paren.expr, level + 1);
		break;
	default:
		break;
	}
}

void
promql_print_tree(struct buf *out, const struct promql_node *n)
{
	tree(out, n, 0);
}

/* Past this many bytes on one line, promql_print_pretty() splits a node. */
#define PRETTY_COLUMNS 100

static void
indent(struct buf *out, int level)
{
	int i;

	for (i = 0; i < level; i++)
		buf_adds(out, "  ");
}

/* The end of a node split over lines: its ')' on a line of its own. */
static void
close_split(struct buf *out, int level)
{
	buf_addch(out, '\n');
	indent(out, level);
	buf_addch(out, ')');
}

/*
 * 'n' at nesting 'level', as Prometheus 2.42's Pretty(level) writes it:
 * on one line (indented) when that line is short enough, else split at
 * its children, each a level deeper.  Its quirks are kept: a short
 * subquery is not indented, a long one takes its expression's split.
 */
static void
pretty(struct buf *out, const struct promql_node *n, int level)
{
	struct buf flat = BUF_INIT, child = BUF_INIT;
	size_t i, a, e;
	int split;

	promql_print(&flat, n);
	split = flat.len > PRETTY_COLUMNS;
	if (!split || n->kind == PROMQL_NUMBER || n->kind == PROMQL_STRING ||
	    n->kind == PROMQL_VECTOR_SELECTOR ||
	    n->kind == PROMQL_MATRIX_SELECTOR) {
		if (n->kind != PROMQL_SUBQUERY && n->kind != PROMQL_UNARY)
			indent(out, level);
		if (n->kind != PROMQL_UNARY) {
			buf_add(out, flat.p, flat.len);
			goto out;
		}
	}
	switch (n->kind) {
	case PROMQL_AGGREGATE:
		indent(out, level);
		format_aggregate_head(out, n);
		buf_adds(out, "(\n");
		if (n->agg.param != NULL) {
			pretty(out, n->agg.param, level + 1);
			buf_adds(out, ",\n");
		}
		pretty(out, n->agg.expr, level + 1);
		close_split(out, level);
		break;
	case PROMQL_BINARY:
		/* Each side indents itself, a level deeper; "+Inf ^ x" is
		 * written "Inf", as promql_print() writes it. */
		if (n->binary.op == PROMQL_OP_POW &&
		    n->binary.lhs->kind == PROMQL_NUMBER &&
		    isinf(n->binary.lhs->number) && n->binary.lhs->number > 0) {
			indent(out, level + 1);
			buf_adds(out, "Inf");
		} else {
			pretty(out, n->binary.lhs, level + 1);
		}
		buf_addch(out, '\n');
		indent(out, level);
		buf_addf(out, "%s%s", promql_binop_str(n->binary.op),
		    n->binary.return_bool ? " bool" : "");
		if (n->binary.matching != NULL)
			format_matching(out, n->binary.matching);
		buf_addch(out, '\n');
		pretty(out, n->binary.rhs, level + 1);
		break;
	case PROMQL_CALL:
		indent(out, level);
		buf_addf(out, "%s(\n", n->call.func->name);
		for (i = 0; i < n->call.nargs; i++) {
			if (i > 0)
				buf_adds(out, ",\n");
			pretty(out, n->call.args[i], level + 1);
		}
		close_split(out, level);
		break;
	case PROMQL_PAREN:
		indent(out, level);
		buf_adds(out, "(\n");
		pretty(out, n->paren.expr, level + 1);
		close_split(out, level);
		break;
	case PROMQL_SUBQUERY:
		pretty(out, n->sq.expr, level);
		format_subquery_tail(out, n);
		break;
	case PROMQL_UNARY:
		/* The operand's own indent and blanks go; the sign's comes first. */
		pretty(&child, n->unary.expr, level);
		for (a = 0; a < child.len && isspace((unsigned char)child.p[a]);)
			a++;
		for (e = child.len; e > a && isspace((unsigned char)child.p[e - 1]);)
			e--;
		indent(out, level);
		buf_addch(out, n->unary.negate ? '-' : '+');
		buf_add(out, child.p + a, e - a);
		break;
	default:
		break;
	}
out:
	buf_release(&child);
	buf_release(&flat);
}

void
promql_print_pretty(struct buf *out, const struct promql_node *n)
{
	pretty(out, n, 0);
}
