/* fuzz_complete.c - mshell's reading of a line being typed: completion, whole inputs */
/* SPDX-License-Identifier: MIT */
#include <string.h>

#include "fuzz.h"
#include "shell/complete.h"
#include "shell/shell.h"

/*
 * The input is a line.  At every cursor position the context is read
 * (the word must lie before the cursor) and completed over an empty
 * stream (so only commands, functions, keywords, durations, formats);
 * every word offered must begin with what is typed.
 */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct shell_opts o = { NULL, "/dev/null", NULL, NULL, NULL, 0, 0,
		NULL };
	struct complete_ctx c;
	struct completion w;
	struct shell *sh;
	char *line;
	size_t point, i, len;

	if (size > 512)
		return 0;
	line = malloc(size + 1);
	memcpy(line, data, size);
	line[size] = '\0';
	len = strlen(line);
	(void)shell_input_done(line);
	o.out = o.err = fopen("/dev/null", "w");
	sh = shell_new(&o);
	for (point = 0; point <= len; point++) {
		complete_context(line, len, point, &c);
		fuzz_assert(c.start <= point);
		fuzz_assert(strlen(c.metric) < COMPLETE_NAME_MAX);
		complete_line(sh, line, point, &w);
		fuzz_assert(w.start <= point);
		for (i = 0; i < w.n; i++) {
			size_t n = point - w.start;

			/* A value is escaped: it need not match byte for byte. */
			if (c.kind != COMPLETE_VALUE)
				fuzz_assert(strncmp(w.v[i], line + w.start,
				    n) == 0);
		}
		completion_release(&w);
	}
	shell_free(sh);
	fclose(o.out);
	free(line);
	return 0;
}
