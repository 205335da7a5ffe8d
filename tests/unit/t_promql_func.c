/* t_promql_func.c - the registry of PromQL functions: each entry whole and consistent */
/* SPDX-License-Identifier: MIT */
#include <string.h>

#include "promql/promql_func.h"
#include "tap.h"

/* How many of the signature's arguments are of type 't'. */
static int
count_args(const struct promql_func *f, enum promql_type t)
{
	int i, n = 0;

	for (i = 0; i < f->nargs; i++)
		n += f->args[i] == t;
	return n;
}

int
main(void)
{
	const struct promql_func *f;
	int i;

	for (f = promql_funcs; f->name != NULL; f++) {
		int impls = (f->window != NULL) + (f->point != NULL) +
		    (f->call != NULL);
		ok(impls == 1, "%s: one implementation", f->name);
		ok(promql_func_lookup(f->name, strlen(f->name)) == f,
		    "%s: found by name", f->name);
		if (f->window != NULL)
			ok(count_args(f, PROMQL_TYPE_MATRIX) == 1 &&
			    f->ret == PROMQL_TYPE_VECTOR,
			    "%s: a window function of one range vector", f->name);
		else
			ok(f->use == PROMQL_USE_VALUE,
			    "%s: only window functions read rolled rows", f->name);
		if (f->point != NULL) {
			int shape = f->ret == PROMQL_TYPE_VECTOR &&
			    f->args[0] == PROMQL_TYPE_VECTOR;
			for (i = 1; i < f->nargs; i++)
				shape &= f->args[i] == PROMQL_TYPE_SCALAR;
			ok(shape, "%s: a point function of a vector and scalars",
			    f->name);
		}
		if (f->flags & PROMQL_FUNC_KEEP_NAME)
			ok(f->window != NULL, "%s: keeps the name of its series",
			    f->name);
		if (f->flags & PROMQL_FUNC_SAMPLE_TIMES)
			ok(f->args[0] == PROMQL_TYPE_VECTOR &&
			    (f->flags & PROMQL_FUNC_TIME),
			    "%s: sample times depend on the time", f->name);
	}
	f = promql_func_lookup("quantile_over_time", 18);
	ok(f != NULL && f->use == PROMQL_USE_QUANTILE &&
	    f->args[1] == PROMQL_TYPE_MATRIX, "quantile_over_time: sketches");
	f = promql_func_lookup("hour", 4);
	ok(f != NULL && (f->flags & PROMQL_FUNC_TIME) && f->variadic == 1,
	    "hour: of the time, argument optional");
	return done_testing();
}
