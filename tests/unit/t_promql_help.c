/* t_promql_help.c - the PromQL help: whole, in order, and every example a query that parses */
/* SPDX-License-Identifier: MIT */
#include <stdio.h>
#include <string.h>

#include "promql/promql_ast.h"
#include "promql/promql_func.h"
#include "promql/promql_help.h"
#include "promql/promql_lex.h"
#include "promql/promql_parse.h"
#include "tap.h"

/*
 * With --examples, print "name<TAB>example" for every entry and exit:
 * tests/t5190-promql-help.sh evaluates them over a gathered stream.
 */

/* The one token 'name' lexes as, or -1 when it is none or several. */
static int
lex_one(const char *name)
{
	struct promql_lexer lx;
	struct promql_token t, end;
	struct errbuf eb = ERRBUF_INIT;

	promql_lex_init(&lx, name, strlen(name));
	if (promql_lex_next(&lx, &t, &eb) == -1 ||
	    promql_lex_next(&lx, &end, &eb) == -1 || end.type != PROMQL_T_EOF)
		return -1;
	return (int)t.type;
}

/* Whether 'n' or a node under it does what the entry 'h' names. */
static int
uses(const struct promql_node *n, const struct promql_help *h)
{
	const struct promql_mods *mods = NULL;
	const struct promql_matching *m;
	size_t i;

	if (n == NULL)
		return 0;
	switch (n->kind) {
	case PROMQL_NUMBER:
	case PROMQL_STRING:
		return 0;
	case PROMQL_VECTOR_SELECTOR:
		mods = &n->vs.mods;
		break;
	case PROMQL_MATRIX_SELECTOR:
		return uses(n->ms.vs, h);
	case PROMQL_SUBQUERY:
		mods = &n->sq.mods;
		if (uses(n->sq.expr, h))
			return 1;
		break;
	case PROMQL_UNARY:
		if (n->unary.negate && strcmp(h->name, "-") == 0)
			return 1;
		return uses(n->unary.expr, h);
	case PROMQL_BINARY:
		m = n->binary.matching;
		if (strcmp(h->name, promql_binop_str(n->binary.op)) == 0 ||
		    (n->binary.return_bool && strcmp(h->name, "bool") == 0))
			return 1;
		if (m != NULL && m->labels.n > 0 &&
		    strcmp(h->name, m->on ? "on" : "ignoring") == 0)
			return 1;
		if (m != NULL && ((m->card == PROMQL_CARD_MANY_TO_ONE &&
		    strcmp(h->name, "group_left") == 0) ||
		    (m->card == PROMQL_CARD_ONE_TO_MANY &&
		    strcmp(h->name, "group_right") == 0)))
			return 1;
		return uses(n->binary.lhs, h) || uses(n->binary.rhs, h);
	case PROMQL_AGGREGATE:
		if (strcmp(h->name, promql_aggop_str(n->agg.op)) == 0 ||
		    (n->agg.grouping.n > 0 &&
		    strcmp(h->name, n->agg.without ? "without" : "by") == 0))
			return 1;
		return uses(n->agg.param, h) || uses(n->agg.expr, h);
	case PROMQL_CALL:
		if (strcmp(h->name, n->call.func->name) == 0)
			return 1;
		for (i = 0; i < n->call.nargs; i++)
			if (uses(n->call.args[i], h))
				return 1;
		return 0;
	case PROMQL_PAREN:
		return uses(n->paren.expr, h);
	}
	return (strcmp(h->name, "offset") == 0 && mods->offset_ms != 0) ||
	    (strcmp(h->name, "@") == 0 && mods->at != PROMQL_AT_NONE);
}

/* The type a word of a synopsis names, or PROMQL_TYPE_NONE. */
static enum promql_type
type_word(const char *w, size_t len)
{
	static const struct {
		const char *word;
		enum promql_type type;
	} words[] = {
		{ "scalar", PROMQL_TYPE_SCALAR },
		{ "instant-vector", PROMQL_TYPE_VECTOR },
		{ "range-vector", PROMQL_TYPE_MATRIX },
		{ "string", PROMQL_TYPE_STRING },
	};
	size_t i;

	for (i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (strlen(words[i].word) == len &&
		    memcmp(words[i].word, w, len) == 0)
			return words[i].type;
	return PROMQL_TYPE_NONE;
}

/*
 * Whether a function's synopsis agrees with its signature: the types of
 * its arguments in order, then of its result, and brackets around what
 * may be left out exactly when something may.
 */
static int
synopsis_matches(const struct promql_help *h, const struct promql_func *f)
{
	enum promql_type seen[8];
	const char *p = h->synopsis + strlen(h->name);
	int n = 0, i;

	while (*p != '\0') {
		size_t len = strspn(p, "abcdefghijklmnopqrstuvwxyz-");
		enum promql_type t = type_word(p, len);

		if (t != PROMQL_TYPE_NONE) {
			if (n == 8)
				return 0;
			seen[n++] = t;
		}
		p += len > 0 ? len : 1;
	}
	if (n != f->nargs + 1 || seen[n - 1] != f->ret)
		return 0;
	for (i = 0; i < f->nargs; i++)
		if (seen[i] != f->args[i])
			return 0;
	return (strchr(h->synopsis, '[') != NULL) == (f->variadic != 0);
}

/* Whether every line of 'text' has 1 to 72 characters. */
static int
lines_fit(const char *text)
{
	const char *p = text;

	for (;;) {
		size_t len = strcspn(p, "\n");

		if (len == 0 || len > 72)
			return 0;
		if (p[len] == '\0')
			return 1;
		p += len + 1;
	}
}

static void
check_entry(const struct promql_help *h)
{
	static const char grouping[] = " [by|without (label, ...)] (";
	struct errbuf eb = ERRBUF_INIT;
	struct promql_node *tree = NULL;
	const struct promql_func *f;
	size_t len = strlen(h->name);
	int tok = lex_one(h->name);
	char after;

	f = promql_func_lookup(h->name, len);
	switch (h->kind) {
	case PROMQL_HELP_FUNCTION:
		ok(f != NULL, "%s: a function of the registry", h->name);
		if (f != NULL)
			ok(synopsis_matches(h, f),
			    "%s: the synopsis has the signature's types", h->name);
		break;
	case PROMQL_HELP_AGGREGATION:
		ok(tok != -1 && promql_tok_is_aggregator(tok),
		    "%s: an aggregation of the lexer", h->name);
		break;
	case PROMQL_HELP_OPERATOR:
		ok(tok != -1 && promql_tok_is_operator(tok) &&
		    tok != PROMQL_T_AT && tok != PROMQL_T_EQL_REGEX &&
		    tok != PROMQL_T_NEQ_REGEX,
		    "%s: a binary operator of the lexer", h->name);
		break;
	case PROMQL_HELP_KEYWORD:
		ok(tok != -1 && (promql_tok_is_keyword(tok) ||
		    tok == PROMQL_T_AT),
		    "%s: a keyword of the lexer", h->name);
		break;
	}
	if (h->kind != PROMQL_HELP_FUNCTION)
		ok(f == NULL, "%s: no function of that name", h->name);

	after = h->synopsis[len];
	ok(strncmp(h->synopsis, h->name, len) == 0 &&
	    after == (h->kind == PROMQL_HELP_FUNCTION ? '(' :
	    h->kind == PROMQL_HELP_AGGREGATION ? ' ' : ':'),
	    "%s: the synopsis starts with the name", h->name);
	if (h->kind == PROMQL_HELP_AGGREGATION)
		ok(strncmp(h->synopsis + len, grouping, strlen(grouping)) == 0,
		    "%s: the synopsis has by and without", h->name);
	ok(lines_fit(h->text) && strchr(" .", h->text[0]) == NULL,
	    "%s: text in lines of at most 72 characters", h->name);
	ok(promql_help_lookup(h->name) == h, "%s: looked up", h->name);

	if (!ok(promql_parse(h->example, &tree, &eb) == 0,
	    "%s: the example parses and checks: %s", h->name, h->example))
		printf("#   %s\n", eb.msg);
	else
		ok(uses(tree, h), "%s: the example uses it", h->name);
	ok(strstr(h->example, "node_") != NULL ||
	    strstr(h->example, "http_") != NULL,
	    "%s: the example reads a metric", h->name);
	promql_free(tree);
}

/* Whether an entry of kind 'kind' is called 'name'. */
static int
has(const char *name, enum promql_help_kind kind)
{
	const struct promql_help *h = promql_help_lookup(name);

	return h != NULL && h->kind == kind;
}

int
main(int argc, char *argv[])
{
	const struct promql_help *h;
	const struct promql_func *f;
	unsigned char seen[PROMQL_T_END + 1] = { 0 };
	int t, i, sorted = 1;

	if (argc == 2 && strcmp(argv[1], "--examples") == 0) {
		for (h = promql_help; h->name != NULL; h++)
			printf("%s\t%s\n", h->name, h->example);
		return ferror(stdout) || fflush(stdout) != 0;
	}

	for (h = promql_help; h->name != NULL; h++) {
		if (h != promql_help && strcmp(h[-1].name, h->name) >= 0) {
			sorted = 0;
			printf("# '%s' before '%s'\n", h[-1].name, h->name);
		}
		check_entry(h);
		if ((t = lex_one(h->name)) != -1)
			seen[t] = 1;
	}
	ok(sorted, "the entries are sorted by name, each once");

	/* Every function of the registry, as the parser looks it up. */
	for (f = promql_funcs; f->name != NULL; f++)
		ok(has(f->name, PROMQL_HELP_FUNCTION), "function %s: an entry",
		    f->name);
	/*
	 * Every aggregation, operator and keyword the lexer has a token for:
	 * the operators but the matchers =~ and !~ (the operators of the
	 * tree too), the aggregations, the keywords.
	 */
	for (t = PROMQL_T_ADD; t <= PROMQL_T_WITHOUT; t++)
		if (t != PROMQL_T_EQL_REGEX && t != PROMQL_T_NEQ_REGEX)
			ok(seen[t], "token %d: an entry", t);
	for (i = 0; i <= PROMQL_OP_UNLESS; i++)
		ok(has(promql_binop_str(i), PROMQL_HELP_OPERATOR),
		    "operator %s: an entry", promql_binop_str(i));
	for (i = 0; i <= PROMQL_T_TOPK - PROMQL_T_AVG; i++)
		ok(has(promql_aggop_str(i), PROMQL_HELP_AGGREGATION),
		    "aggregation %s: an entry", promql_aggop_str(i));

	ok(promql_help_lookup("") == NULL, "no entry for nothing");
	ok(promql_help_lookup("rat") == NULL && promql_help_lookup("rates") ==
	    NULL, "only exact names");
	ok(promql_help_lookup("RATE") == NULL, "names are lower case");
	h = promql_help_lookup("rate");
	ok(h != NULL && h->kind == PROMQL_HELP_FUNCTION &&
	    strcmp(h->synopsis, "rate(v range-vector) instant-vector") == 0,
	    "rate: found, with its synopsis");
	return done_testing();
}
