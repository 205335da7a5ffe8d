/* fuzz_rules.c - Prometheus rule files made of arbitrary bytes */
/* SPDX-License-Identifier: MIT */
#include <string.h>
#include <unistd.h>

#include "fuzz.h"
#include "alert/rules.h"

/*
 * The input is a rule file.  Loading it never crashes; what it finds
 * wrong is told as "path:line:col: what" (or "path: what"), and what it
 * loads is whole: every rule named, with an expression, and templates
 * parsed for every label and annotation of an alerting rule that has
 * no error.
 */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rule_set rs;
	char path[32];
	size_t i, j, k;
	int fd;

	if ((fd = fuzz_memfile(data, size, path)) == -1)
		return 0;
	memset(&rs, 0, sizeof(rs));
	if (rules_load(&rs, path) > 0) {
		fuzz_assert(rs.nerrors > 0);
		for (i = 0; i < rs.nerrors; i++)
			fuzz_assert(strncmp(rs.errors[i], path, strlen(path)) == 0 &&
			    strlen(rs.errors[i]) > strlen(path) + 2);
	} else {
		fuzz_assert(rs.nerrors == 0);
		for (i = 0; i < rs.ngroups; i++)
			for (j = 0; j < rs.groups[i].nrules; j++) {
				const struct rule *r = &rs.groups[i].rules[j];
				fuzz_assert(r->name[0] != '\0' && r->expr[0] != '\0');
				for (k = 0; r->kind == RULE_ALERT && k < r->nlabels; k++)
					fuzz_assert(r->labels[k].t != NULL);
				for (k = 0; r->kind == RULE_ALERT &&
				    k < r->nannotations; k++)
					fuzz_assert(r->annotations[k].t != NULL);
			}
	}
	rules_free(&rs);
	close(fd);
	return 0;
}
