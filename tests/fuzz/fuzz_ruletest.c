/* fuzz_ruletest.c - rule test files and the values notation, arbitrary bytes */
/* SPDX-License-Identifier: MIT */
#include <limits.h>
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
 *
 * Up to a first NUL byte the input is the test file; what follows it
 * is a rule file beside it, "rules.yml".  Both are written into an
 * empty directory of their own, since rule_files are read relative to
 * the test file: in /proc/self/fd a name like "6" would be this
 * process' descriptor 6, perhaps a pipe never closed.  For the same
 * reason inputs naming /dev, /proc or /sys are skipped: a test file may
 * name a FIFO and wait on it, as cat(1) would.  At most 10,000 rule
 * evaluations per test group: each costs some 10 us, more here.
 */
static int
write_file(const char *dir, const char *name, const uint8_t *data,
    size_t size, char path[PATH_MAX])
{
	FILE *f;

	snprintf(path, PATH_MAX, "%s/%s", dir, name);
	if ((f = fopen(path, "w")) == NULL)
		return -1;
	fwrite(data, 1, size, f);
	return fclose(f) == 0 ? 0 : -1;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char path[PATH_MAX], why[80], *s;
	const char *dir;
	double *v;
	unsigned char *set;
	size_t n;
	FILE *out;
	const uint8_t *nul;
	int rc;

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
	if (memmem(data, size, "/dev", 4) != NULL ||
	    memmem(data, size, "/proc", 5) != NULL ||
	    memmem(data, size, "/sys", 4) != NULL)
		return 0;
	if ((dir = fuzz_scratch_dir()) == NULL)
		return 0;
	nul = memchr(data, '\0', size);
	if (nul != NULL && write_file(dir, "rules.yml", nul + 1,
	    size - (size_t)(nul + 1 - data), path) == -1)
		return 0;
	if (write_file(dir, "test.yml", data,
	    nul ? (size_t)(nul - data) : size, path) == -1)
		return 0;
	out = fopen("/dev/null", "w");
	fuzz_assert(out != NULL);
	rc = ruletest_run(path, 10000, out);
	fuzz_assert(rc == 0 || rc == 1);
	fclose(out);
	return 0;
}
