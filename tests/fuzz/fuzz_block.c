/* fuzz_block.c - reading block files made of corrupted bytes */
/* SPDX-License-Identifier: MIT */
#include <string.h>
#include <unistd.h>

#include <xxhash.h>

#include "fuzz.h"
#include "base/varint.h"
#include "store/block.h"
#include "store/block_int.h"
#include "store/rollup.h"

/*
 * The input is a block file (the corpus: blocks that block_writer_*()
 * wrote, from tests/fuzz/seeds.c, then mutated).  Whatever its bytes,
 * block_open(), block_verify(), block_select() and the reads must fail
 * cleanly or succeed, never crash, abort or allocate beyond what the
 * file's size can justify; a series they hand out is what block.h says.
 *
 * The checksums stop most mutations at the first check.  Built with
 * FUZZ_BLOCK_SUMS (fuzz_block_sum.c), the target first recomputes the
 * XXH64 sums of the header, footer and tables, and of every frame, page,
 * label and postings section they point at, so that mutations reach the
 * checks behind them (block_int.h, mtk-store(5)).
 */

#ifdef FUZZ_BLOCK_SUMS
/* Set the XXH64 at 'at' to that of 'len' bytes at 'off', when all fit. */
static void
fix_sum(unsigned char *m, uint64_t size, uint64_t at, uint64_t off,
    uint64_t len)
{
	if (at > size || size - at < 8 || off > size || len > size - off)
		return;
	le64_put(m + at, XXH64(m + off, (size_t)len, 0));
}

/* A table entry's zstd frame: offset (le64), length (le32) at 'e'. */
static void
fix_zref(unsigned char *m, uint64_t size, uint64_t e, uint64_t sum_at)
{
	if (e > size || size - e < 12)
		return;
	fix_sum(m, size, sum_at, le64_get(m + e), le32_get(m + e + 8));
}

static void
fix_v3(unsigned char *m, uint64_t size)
{
	uint64_t foot = size - BLOCK_FOOTER_V3, f_off, nf, p_off, np, i, e;

	if (size < BLOCK_FOOTER_V3)
		return;
	f_off = le64_get(m + foot + BF_FRAME_OFF);
	nf = le64_get(m + foot + BF_NFRAMES);
	p_off = le64_get(m + foot + BF_PAGE_OFF);
	np = le64_get(m + foot + BF_NPAGES);
	for (i = 0; i < nf && f_off <= foot &&
	    i < (foot - f_off) / BLOCK_FRAME_ENTRY; i++) {
		e = f_off + i * BLOCK_FRAME_ENTRY;
		fix_zref(m, size, e + 8, e + 40);
		fix_zref(m, size, e + 24, e + 48);
	}
	for (i = 0; i < np && p_off <= foot &&
	    i < (foot - p_off) / BLOCK_PAGE_ENTRY; i++) {
		e = p_off + i * BLOCK_PAGE_ENTRY;
		fix_zref(m, size, e + 4, e + 20);
	}
	fix_sum(m, size, foot + BF_LABELS_SUM,
	    le64_get(m + foot + BF_LABELS_OFF),
	    le64_get(m + foot + BF_LABELS_LEN));
	fix_sum(m, size, foot + BF_POST_SUM, le64_get(m + foot + BF_POST_OFF),
	    le64_get(m + foot + BF_POST_LEN));
	/* Last: the footer's own sum covers the tables and the footer. */
	if (f_off <= foot) {
		XXH64_state_t *st = XXH64_createState();
		XXH64_reset(st, 0);
		XXH64_update(st, m + f_off, (size_t)(foot - f_off));
		XXH64_update(st, m + foot, BF_SUM);
		le64_put(m + foot + BF_SUM, XXH64_digest(st));
		XXH64_freeState(st);
	}
}

/* Versions 1 and 2: the series section, then the footer's sum. */
static void
fix_legacy(unsigned char *m, uint64_t size)
{
	uint64_t foot = size - BLOCK_FOOTER_V1, t_off, i, nf;

	if (size < BLOCK_FOOTER_V1)
		return;
	fix_sum(m, size, foot + 24, le64_get(m + foot), le64_get(m + foot + 8));
	t_off = le64_get(m + foot + 32);
	nf = le64_get(m + foot + 40);
	for (i = 0; i < nf && t_off <= foot &&
	    i < (foot - t_off) / BLOCK_FRAME_ENTRY; i++) {
		uint64_t e = t_off + i * BLOCK_FRAME_ENTRY;
		fix_zref(m, size, e + 8, e + 40);
		fix_zref(m, size, e + 24, e + 48);
	}
	if (t_off <= foot) {
		XXH64_state_t *st = XXH64_createState();
		XXH64_reset(st, 0);
		XXH64_update(st, m + t_off, (size_t)(foot - t_off));
		XXH64_update(st, m + foot, 56);
		le64_put(m + foot + 56, XXH64_digest(st));
		XXH64_freeState(st);
	}
}

static void
fix_sums(unsigned char *m, uint64_t size)
{
	uint64_t ns;

	if (size < BLOCK_HEADER_V2)
		return;
	if (memcmp(m, BLOCK_MAGIC_V1, 8) == 0) {
		fix_legacy(m, size);
		return;
	}
	ns = le64_get(m + 40);
	if (ns <= BLOCK_SOURCES_MAX) {
		if (memcmp(m, BLOCK_MAGIC_V2, 8) == 0)
			fix_sum(m, size, BLOCK_HEADER_V2 + 16 * ns,
			    BLOCK_HEADER_V2, 16 * ns);
		else
			fix_sum(m, size, BLOCK_HEADER_V3 + 16 * ns, 0,
			    BLOCK_HEADER_V3 + 16 * ns);
	}
	if (memcmp(m, BLOCK_MAGIC_V3, 8) == 0)
		fix_v3(m, size);
	else
		fix_legacy(m, size);
}
#endif

/* Decode a series the way the store's readers do (store_read.c). */
static void
read_series(struct block *b, const struct block_series *s)
{
	struct errbuf eb = ERRBUF_INIT;
	struct rollup r = ROLLUP_INIT;
	int64_t *ts;
	double *v;
	size_t i;

	fuzz_assert(s->key != NULL && strlen(s->key) <= s->keylen);
	fuzz_assert(s->type <= METRIC_HISTOGRAM);
	if (block_res(b) != 0) {
		rollup_reset(&r, s->rollup_flags);
		if (block_read_rollup(b, s, &r, &eb) == 0)
			for (i = 1; i < r.n; i++)
				fuzz_assert(r.t[i - 1] < r.t[i]);
		rollup_release(&r);
		return;
	}
	ts = malloc((s->n ? s->n : 1) * sizeof(*ts));
	v = malloc((s->n ? s->n : 1) * sizeof(*v));
	fuzz_assert(ts != NULL && v != NULL);
	if (block_read(b, s, ts, v, &eb) == 0)
		for (i = 0; i < s->n; i++)
			fuzz_assert(i == 0 || ts[i - 1] < ts[i]);
	free(ts);
	free(v);
}

/* Keys in byte order: they hold NULs, so not strcmp(3). */
static int
key_cmp(const struct block_series *a, const struct block_series *b)
{
	size_t n = a->keylen < b->keylen ? a->keylen : b->keylen;
	int c = memcmp(a->key, b->key, n);

	if (c != 0)
		return c;
	return a->keylen < b->keylen ? -1 : a->keylen > b->keylen;
}

static int
count_label(void *arg, const char *s, size_t len)
{
	(void)s;
	(void)len;
	++*(size_t *)arg;
	return 0;
}

/* Select with 'n' matchers (none: all), over the block's range and less. */
static void
select_with(struct block *b, const struct matcher *m, size_t n)
{
	struct errbuf eb = ERRBUF_INIT;
	const struct block_series **out = NULL;
	size_t nout = 0, i;
	int64_t mid = block_mint(b) / 2 + block_maxt(b) / 2;

	if (block_select(b, m, n, block_mint(b), block_maxt(b), &out, &nout,
	    &eb) == 0) {
		fuzz_assert(nout <= block_nseries(b));
		for (i = 0; i < nout && i < 64; i++) {
			fuzz_assert(i == 0 || key_cmp(out[i - 1], out[i]) < 0);
			read_series(b, out[i]);
		}
	}
	free(out);
	out = NULL;
	if (block_select(b, m, n, mid, mid, &out, &nout, &eb) == 0)
		fuzz_assert(nout <= block_nseries(b));
	free(out);
}

static void
read_block(const char *path)
{
	struct errbuf eb = ERRBUF_INIT;
	struct matcher m[2];
	struct block *b;
	size_t i, n = 0;

	if ((b = block_open(path, &eb)) == NULL) {
		fuzz_assert(eb.msg[0] != '\0');
		return;
	}
	fuzz_assert(block_mint(b) <= block_maxt(b));
	memset(m, 0, sizeof(m));
	(void)block_verify(b, &eb);
	for (i = 0; i < block_nseries(b) && i < 64; i++) {
		const struct block_series *s = block_series(b, i, &eb);
		if (s == NULL)
			break;
		read_series(b, s);
	}
	select_with(b, NULL, 0);
	if (matcher_init(&m[0], MATCHER_EQ, "__name__", "node_load1", 10,
	    &eb) == 0 && matcher_init(&m[1], MATCHER_RE, "host", "a|c", 3,
	    &eb) == 0) {
		select_with(b, m, 1);
		select_with(b, m, 2);
		select_with(b, m + 1, 1);
	}
	matcher_release(&m[0]);
	matcher_release(&m[1]);
	memset(m, 0, sizeof(m));
	if (matcher_init(&m[0], MATCHER_NE, "mode", "idle", 4, &eb) == 0)
		select_with(b, m, 1);
	matcher_release(&m[0]);
	(void)block_labels(b, NULL, count_label, &n, &eb);
	(void)block_labels(b, "host", count_label, &n, &eb);
	block_close(b);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char path[32];
	int fd;

#ifdef FUZZ_BLOCK_SUMS
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
	read_block(path);
	close(fd);
	return 0;
}
