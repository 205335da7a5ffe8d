/* fuzz_ruletest.c - rule test files and the values notation, arbitrary bytes */
/* SPDX-License-Identifier: MIT */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "fuzz.h"
#include "alert/ruletest.h"

/*
 * The input is a rule test file, and also the values notation of an
 * input series.  Running the file never crashes and reports one
 * verdict; the notation expands to values and their flags, or names a
 * bad word.
 */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char path[32], why[80], *s;
	double *v;
	unsigned char *set;
	size_t n;
	FILE *out;
	int fd, rc;

	if (size > 4096)
		return 0;	/* "0x1000000" values: bounded, but slow */
	s = malloc(size + 1);
	fuzz_assert(s != NULL);
	memcpy(s, data, size);
	s[size] = '\0';
	if (ruletest_values(s, &v, &set, &n, why, sizeof(why)) == 0) {
		fuzz_assert(n == 0 || (v != NULL && set != NULL));
		free(v);
		free(set);
	} else {
		fuzz_assert(v == NULL && set == NULL && n == 0);
	}
	free(s);
	if ((fd = fuzz_memfile(data, size, path)) == -1)
		return 0;
	out = fopen("/dev/null", "w");
	fuzz_assert(out != NULL);
	rc = ruletest_run(path, out);
	fuzz_assert(rc == 0 || rc == 1);
	fclose(out);
	close(fd);
	return 0;
}
