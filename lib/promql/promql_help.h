/* promql_help.h - a short manual of PromQL: each function, operator and keyword, with an example */
/* SPDX-License-Identifier: MIT */
#ifndef MTK_PROMQL_HELP_H
#define MTK_PROMQL_HELP_H

/*
 * What an interactive shell's help prints about the language: one entry
 * for every function of the registry (promql_func.h), every aggregation
 * operator, every binary operator and every keyword the parser knows.
 * The semantics are Prometheus 2.42's, as the evaluator has them.
 */

enum promql_help_kind {
	PROMQL_HELP_FUNCTION,
	PROMQL_HELP_AGGREGATION,
	PROMQL_HELP_OPERATOR,
	PROMQL_HELP_KEYWORD
};

/*
 * One entry.  'synopsis' starts with the name: a function's arguments
 * and their types, then its type ("rate(v range-vector)
 * instant-vector"; an optional argument in brackets); an aggregation's
 * grouping and arguments ("sum [by|without (label, ...)] (v
 * instant-vector)"); an operator's or keyword's name, a colon and how it
 * is written ("and: v1 and [on|ignoring (label, ...)] v2").  'text' is
 * one or two sentences of plain text, in lines of at most 72 characters
 * without a final newline.  'example' is one expression over the metrics
 * mgather(1) gathers, which parses and evaluates.
 */
struct promql_help {
	const char *name;
	enum promql_help_kind kind;
	const char *synopsis;
	const char *text;
	const char *example;
};

/* All entries, sorted by name (strcmp), ending with a NULL name. */
extern const struct promql_help promql_help[];

/*
 * The entry of exactly 'name' ("rate", "sum", "and", "@"), or NULL when
 * there is none.  The entry is static.
 */
const struct promql_help *promql_help_lookup(const char *name);

#endif
