/* fuzz_wal.c - reading write-ahead logs made of corrupted bytes */
/* SPDX-License-Identifier: MIT */
#include <string.h>
#include <unistd.h>

#include <xxhash.h>

#include "fuzz.h"
#include "base/varint.h"
#include "store/wal.h"

/*
 * The input is a WAL file (the corpus: logs that wal_create() and
 * wal_commit() wrote, from tests/fuzz/seeds.c, then mutated).  Reading
 * it must stop cleanly at the first bad record, never crash, and hand
 * out only what wal.h promises.  Built with FUZZ_WAL_SUMS
 * (fuzz_wal_sum.c), the target first recomputes each record's checksum
 * (XXH3, or XXH32 in a version 1 log), so that mutations reach the
 * entries inside the records.
 */

#define WAL_HEADER 16
#define REC_HEADER 8

#ifdef FUZZ_WAL_SUMS
static void
fix_sums(unsigned char *m, size_t size)
{
	size_t at = WAL_HEADER;
	int v1;

	if (size < WAL_HEADER)
		return;
	v1 = m[7] == 1;
	while (size - at >= REC_HEADER) {
		uint32_t len = le32_get(m + at), sum;
		if (len == 0 || len > size - at - REC_HEADER)
			break;
		sum = v1 ? XXH32(m + at + REC_HEADER, len, 0) :
		    (uint32_t)XXH3_64bits(m + at + REC_HEADER, len);
		le32_put(m + at + 4, sum);
		at += REC_HEADER + len;
	}
}
#endif

struct seen {
	uint64_t series, samples;
};

static int64_t
on_series(void *ctx, uint64_t ref, enum metric_type type, const char *key,
    size_t keylen, const char *unit, size_t unit_len, const char *help,
    size_t help_len)
{
	struct seen *s = ctx;

	fuzz_assert(type <= METRIC_HISTOGRAM && key != NULL && keylen > 0);
	fuzz_assert((unit == NULL) == (unit_len == 0));
	fuzz_assert((help == NULL) == (help_len == 0));
	/* Touch every byte handed out, so that ASan checks the bounds. */
	s->series += (unsigned char)key[keylen - 1];
	if (unit)
		s->series += (unsigned char)unit[unit_len - 1];
	if (help)
		s->series += (unsigned char)help[help_len - 1];
	/* Skip some, as a reader after some series only does. */
	if (ref % 3 == 2)
		return WAL_SKIP;
	return (int64_t)(ref & 0xffff);
}

static int
on_sample(void *ctx, uint32_t id, int64_t ts, double v)
{
	struct seen *s = ctx;

	(void)ts;
	(void)v;
	fuzz_assert(id <= 0xffff);
	s->samples++;
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct seen seen = { 0, 0 };
	/* Half the inputs as a reader after series with some bits set. */
	struct wal_visitor v = { on_series, on_sample, &seen,
	    size % 2 ? 0x0101010101010101ULL : 0 };
	struct wal_read_stats st;
	struct errbuf eb = ERRBUF_INIT;
	char path[32];
	int fd, rc;

#ifdef FUZZ_WAL_SUMS
	unsigned char *m = malloc(size ? size : 1);

	fuzz_assert(m != NULL);
	memcpy(m, data, size);
	fix_sums(m, size);
	fd = fuzz_memfile(m, size, path);
	free(m);
#else
	fd = fuzz_memfile(data, size, path);
#endif
	if (fd == -1)
		return 0;
	rc = wal_read_fd(fd, path, &v, &st, &eb);
	fuzz_assert(st.file_bytes == size);
	fuzz_assert(st.valid_bytes <= st.file_bytes);
	if (rc == -1)
		fuzz_assert(eb.msg[0] != '\0');
	close(fd);
	return 0;
}
