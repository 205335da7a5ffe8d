/* replay.c - run a fuzz target over files, without libFuzzer */
/* SPDX-License-Identifier: MIT */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz.h"

/*
 * usage: TARGET file|dir ...
 *
 * Built with the ordinary compiler from the same target source, so that
 * 'make check' replays each corpus through each target: a crash or a
 * sanitizer report (SAN=1) fails the test.  Each input is given in a
 * buffer of exactly its size, as libFuzzer gives it, so that ASan sees a
 * read one past the end.  Prints one line per file replayed with -v.
 */

static int verbose;

static int
replay_file(const char *path)
{
	uint8_t *data = NULL;
	size_t len = 0, cap = 0, n;
	FILE *fp;

	if ((fp = fopen(path, "rb")) == NULL) {
		fprintf(stderr, "replay: cannot open '%s': %s\n", path,
		    strerror(errno));
		return -1;
	}
	for (;;) {
		if (len == cap) {
			cap = cap ? 2 * cap : 4096;
			if ((data = realloc(data, cap)) == NULL) {
				fprintf(stderr, "replay: out of memory\n");
				exit(1);
			}
		}
		if ((n = fread(data + len, 1, cap - len, fp)) == 0)
			break;
		len += n;
	}
	if (ferror(fp)) {
		fprintf(stderr, "replay: cannot read '%s'\n", path);
		fclose(fp);
		free(data);
		return -1;
	}
	fclose(fp);
	/* Exactly 'len' bytes, as libFuzzer hands them over. */
	if ((data = realloc(data, len ? len : 1)) == NULL) {
		fprintf(stderr, "replay: out of memory\n");
		exit(1);
	}
	if (verbose)
		fprintf(stderr, "replay: %s (%zu bytes)\n", path, len);
	LLVMFuzzerTestOneInput(data, len);
	free(data);
	return 0;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Replay the files of 'dir' in name order.  Returns how many. */
static long
replay_dir(const char *dir, int *bad)
{
	char **names = NULL, path[PATH_MAX];
	size_t n = 0, cap = 0, i;
	struct dirent *d;
	DIR *dp;
	long count = 0;

	if ((dp = opendir(dir)) == NULL) {
		fprintf(stderr, "replay: cannot open '%s': %s\n", dir,
		    strerror(errno));
		*bad = 1;
		return 0;
	}
	while ((d = readdir(dp)) != NULL) {
		if (d->d_name[0] == '.')
			continue;
		if (n == cap) {
			cap = cap ? 2 * cap : 64;
			if ((names = realloc(names, cap * sizeof(*names))) == NULL)
				exit(1);
		}
		if ((names[n++] = strdup(d->d_name)) == NULL)
			exit(1);
	}
	closedir(dp);
	qsort(names, n, sizeof(*names), cmp_str);
	for (i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		if (replay_file(path) == -1)
			*bad = 1;
		else
			count++;
		free(names[i]);
	}
	free(names);
	return count;
}

int
main(int argc, char *argv[])
{
	struct stat sb;
	long count = 0;
	int i, bad = 0;

	if (argc > 1 && strcmp(argv[1], "-v") == 0) {
		verbose = 1;
		argc--, argv++;
	}
	if (argc < 2) {
		fprintf(stderr, "usage: %s [-v] file|dir ...\n", argv[0]);
		return 2;
	}
	for (i = 1; i < argc; i++) {
		if (stat(argv[i], &sb) == 0 && S_ISDIR(sb.st_mode))
			count += replay_dir(argv[i], &bad);
		else if (replay_file(argv[i]) == -1)
			bad = 1;
		else
			count++;
	}
	printf("%ld inputs replayed\n", count);
	return bad;
}
