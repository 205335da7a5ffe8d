/* fuzz.h - what the fuzz targets (tests/fuzz/fuzz_*.c) share */
/* SPDX-License-Identifier: MIT */
#ifndef MTK_FUZZ_H
#define MTK_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

/*
 * Each target defines the libFuzzer entry point.  It returns 0 and never
 * keeps the data; a broken invariant is a crash (fuzz_assert), so that
 * libFuzzer and tests/fuzz/replay.c both see it.
 */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/*
 * Stop with a message when 'cond' is false: a finding, not bad input.
 * Unlike assert(3) it holds whatever NDEBUG says.
 */
#define fuzz_assert(cond) do { \
	if (!(cond)) { \
		fprintf(stderr, "%s:%d: fuzz invariant failed: %s\n", \
		    __FILE__, __LINE__, #cond); \
		abort(); \
	} \
} while (0)

/*
 * Put 'size' bytes at 'data' into an anonymous file (memfd_create(2), so
 * a run never touches the disk) and return its descriptor, positioned at
 * the start, or -1.  '*path' gets a name that opens the same file
 * ("/proc/self/fd/N"), for functions that take a path.  Close the
 * descriptor when done.
 */
int fuzz_memfile(const uint8_t *data, size_t size, char path[32]);

/*
 * A directory of its own for this process, made on first use and removed
 * at exit, with nothing in it that the previous call left.  Returns its
 * path (static storage), or NULL if none could be made.
 */
const char *fuzz_scratch_dir(void);

struct sample;

/* A message is one line of plain text: no control character. */
void fuzz_check_message(const char *msg);

/*
 * The next line of 'data' ('size' bytes) from '*off', without its
 * newline, copied into a buffer of exactly its length (so that a reader
 * going past it is caught), '*len' its length; '*off' moves past it.
 * NULL at the end.  Free it.
 */
char *fuzz_line(const uint8_t *data, size_t size, size_t *off, size_t *len);

/*
 * A sample a reader of another format gave is a stream sample: written
 * as a stream line (at time 0 when it has none) it reads back with the
 * same name, type, value, time and labels.
 */
void fuzz_check_sample(const struct sample *s);

#endif
