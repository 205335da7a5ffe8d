/* fuzz_promql_parse.c - the PromQL parser and printer */
/* SPDX-License-Identifier: MIT */
#include <string.h>

#include "fuzz.h"
#include "base/buf.h"
#include "promql/promql_parse.h"
#include "promql/promql_print.h"

/*
 * promql_parse.h promises that parsing what promql_print() wrote gives
 * the same tree: so the printed form must parse, to the same type, and
 * print the same again.  So must the prettified form (format_query's).
 */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct promql_node *n = NULL, *again = NULL;
	struct errbuf eb = ERRBUF_INIT;
	struct buf a = BUF_INIT, b = BUF_INIT;
	char *expr = malloc(size + 1);

	fuzz_assert(expr != NULL);
	memcpy(expr, data, size);
	expr[size] = '\0';
	if (promql_parse(expr, &n, &eb) == 0) {
		promql_print(&a, n);
		if (promql_parse(a.p, &again, &eb) != 0) {
			fprintf(stderr, "printed '%s' does not parse: %s\n",
			    a.p, eb.msg);
			fuzz_assert(!"the printed expression parses");
		}
		fuzz_assert(promql_node_type(n) == promql_node_type(again));
		promql_print(&b, again);
		fuzz_assert(strcmp(a.p, b.p) == 0);
		promql_free(again);
		again = NULL;
		buf_reset(&b);
		promql_print_pretty(&b, n);
		if (promql_parse(b.p, &again, &eb) != 0) {
			fprintf(stderr, "prettified '%s' does not parse: %s\n",
			    b.p, eb.msg);
			fuzz_assert(!"the prettified expression parses");
		}
		buf_reset(&b);
		promql_print(&b, again);
		fuzz_assert(strcmp(a.p, b.p) == 0);
		promql_free(again);
	} else {
		fuzz_assert(eb.msg[0] != '\0');
	}
	promql_free(n);
	n = NULL;
	if (promql_parse_selector(expr, &n, &eb) == 0) {
		fuzz_assert(n->kind == PROMQL_VECTOR_SELECTOR);
		promql_free(n);
	}
	buf_release(&a);
	buf_release(&b);
	free(expr);
	return 0;
}
