/* block.h - immutable, compressed, indexed block files of a store tier */
/* SPDX-License-Identifier: MIT */
#ifndef MTK_BLOCK_H
#define MTK_BLOCK_H

#include <stddef.h>
#include <stdint.h>

#include "base/errbuf.h"
#include "stream/matcher.h"
#include "stream/metric.h"

struct rollup;

/*
 * A block holds the samples (raw) or rows (rolled) of many series for
 * one window of time.  It is written once, to a temporary name, synced
 * and then linked into place, so a reader sees a whole block or none.
 * The format, version 3 (mtk-store(5)); integers little-endian:
 *
 *   header    "MTKBLK\0\3" | seq | mint | maxt | res | nsources |
 *             sources (window, fingerprint) | XXH64 of all before it
 *   frames    zstd frames: the timestamps, then the values, of a run of
 *             series in key order, about BLOCK_FRAME_TARGET bytes raw
 *   pages     zstd frames: the entries of a run of series, some 16 KiB
 *             (key, type, unit, help, count, time range, where its data
 *             is in which frame; rolled: flags and column lengths)
 *   postings  for each label name and value, the ascending numbers of
 *             the series that have it (__name__ for the metric name)
 *   labels    the label names, their values and where their postings
 *             are, sorted, with the strings
 *   tables    per frame and per page: offset, lengths, XXH64
 *   footer    where all of that is, counts, XXH64s, "MTKBEND\3"
 *
 * A reader maps the file and checks, before using any of it, the
 * header, the footer and the tables; then each frame, page, the labels
 * and the postings when it first reads them, so opening a block costs
 * the same whatever its size and a selection reads only what it needs.
 * Versions 1 (raw) and 2 (rolled), which kept the series in one frame
 * and had no postings, are still read (whole, as before).
 */

#define BLOCK_FRAME_TARGET (256 * 1024)

struct block_writer;

/*
 * Start a block in directory 'dir' with sequence number 'seq' (larger
 * wins when two blocks hold the same sample).  Returns a new writer, or
 * NULL with the reason in 'eb'.
 */
struct block_writer *block_writer_new(const char *dir, uint64_t seq,
    struct errbuf *eb);

/*
 * What a rolled block was rolled from: for each window of the source
 * tier, a fingerprint of the blocks it had (roll.c).
 */
struct block_source {
	int64_t window;
	uint64_t fingerprint;
};

/*
 * Start a rolled block (rollup.h) of resolution 'res' ms (a minute at
 * least), recording the 'nsrc' entries of 'src'.
 */
struct block_writer *block_writer_new_rolled(const char *dir, uint64_t seq,
    int64_t res, const struct block_source *src, size_t nsrc,
    struct errbuf *eb);

/*
 * Add a series to a rolled block: as block_writer_add(), with its rows
 * 'r' (r->n >= 1, strictly increasing times).  Returns 0, or -1 with 'eb'.
 */
int block_writer_add_rollup(struct block_writer *bw, const char *key,
    size_t keylen, enum metric_type type, const char *unit, const char *help,
    const struct rollup *r, struct errbuf *eb);

/*
 * Add a series: 'key' (stream/series.h) strictly after the previous
 * one's in byte order, and its 'n' >= 1 samples with strictly increasing
 * 'ts'.  'unit' and 'help' may be NULL.  Returns 0, or -1 with 'eb'.
 */
int block_writer_add(struct block_writer *bw, const char *key, size_t keylen,
    enum metric_type type, const char *unit, const char *help,
    const int64_t *ts, const double *v, size_t n, struct errbuf *eb);

/*
 * Finish: write the index, sync, and link the block into place under a
 * new name (which is copied to 'path' if not NULL, PATH_MAX bytes), then
 * free 'bw'.  A block with no series is not written (and 'path' set to
 * "").  Returns 0, or -1 with the reason in 'eb': then no block was
 * linked, unless only the final sync of the directory failed.
 */
int block_writer_finish(struct block_writer *bw, char *path, struct errbuf *eb);

/* Give up on a block: remove the temporary file and free 'bw'. */
void block_writer_abort(struct block_writer *bw);

/* Bytes written so far (for statistics). */
uint64_t block_writer_bytes(const struct block_writer *bw);

/*
 * Give the block file open on 'fd' sequence number 'seq' in place (mstore
 * import), with its header checksum.  Returns 0, or -1 with 'eb'.
 */
int block_set_seq(int fd, const char *path, uint64_t seq, struct errbuf *eb);

/*
 * Reading.
 */
struct block;

struct block_series {
	const char *key;	/* borrowed from the block, NUL-terminated */
	size_t keylen;
	enum metric_type type;
	const char *unit;	/* NULL if none */
	const char *help;
	size_t n;
	int64_t mint, maxt;
	unsigned rollup_flags;	/* rolled blocks: ROLLUP_F_* */
};

/*
 * Open block file 'path': map it and check its header, footer and
 * tables (for versions 1 and 2, also read its whole series section).
 * Returns a new handle, or NULL with the reason in 'eb': "'path' is not
 * a valid block (...)" for a damaged file (errno EINVAL), or the error
 * of open(2) (errno ENOENT for a file removed meanwhile).
 */
struct block *block_open(const char *path, struct errbuf *eb);
void block_close(struct block *b);

/*
 * A cache of decompressed frames, for a server that answers query after
 * query over the same blocks: each frame is decompressed once, not once
 * a query.  A frame is known by its compressed bytes' checksums and its
 * lengths, so the same frame is found by any block that holds it, opened
 * again by a later reader.  The cache keeps up to 'bytes' of frames no
 * block is reading, dropping the least recently used first (a frame
 * being read stays, whatever the bound).  It may be used from several
 * threads at once.  Returns a new cache; free it with block_cache_free()
 * once every block given it is closed.
 */
struct block_cache *block_cache_new(size_t bytes);
void block_cache_free(struct block_cache *c);

/* Let 'b' find its frames in 'c' and keep them there.  Borrows 'c'. */
void block_use_cache(struct block *b, struct block_cache *c);

int block_version(const struct block *b);	/* 1, 2 or 3 */
uint64_t block_seq(const struct block *b);
int64_t block_res(const struct block *b);	/* 0: a raw block */
/* A rolled block's sources, '*n' of them (none for raw blocks).  Borrowed. */
const struct block_source *block_sources(const struct block *b, size_t *n);
int64_t block_mint(const struct block *b);
int64_t block_maxt(const struct block *b);
size_t block_nseries(const struct block *b);
uint64_t block_file_size(const struct block *b);
const char *block_path(const struct block *b);

/*
 * Series 'i' (< block_nseries()), in key order.  Borrowed from 'b',
 * valid until block_close().  NULL with 'eb' when the page holding it
 * is damaged.
 */
const struct block_series *block_series(struct block *b, size_t i,
    struct errbuf *eb);

/*
 * The series of 'b' that satisfy the 'n' matchers 'm' (all series when
 * 'n' is 0) and have data in [mint, maxt], in key order: '*out' gets a
 * new array (free(3) it, not what it points to; NULL when none) of
 * pointers borrowed from 'b', valid until block_close(); '*nout' their
 * count.  The postings narrow the candidates, each then checked on its
 * key; only the pages holding candidates are read.  Returns 0, or -1
 * with 'eb' (a damaged page, label index or postings).
 */
int block_select(struct block *b, const struct matcher *m, size_t n,
    int64_t mint, int64_t maxt, const struct block_series ***out,
    size_t *nout, struct errbuf *eb);

/*
 * Call 'fn' with each label name of the block ("__name__" too), in byte
 * order, or with each value of label 'name' when it is not NULL.
 * Strings are borrowed for the call.  'fn' returns 0, or -1 to stop
 * (returned).  Returns 0, or -1 with 'eb'.
 */
typedef int (*block_label_fn)(void *arg, const char *s, size_t len);
int block_labels(struct block *b, const char *name, block_label_fn fn,
    void *arg, struct errbuf *eb);

/*
 * Decode the samples of series 's' (from block_series() or
 * block_select() of 'b') into 'ts' and 'v', each with room for s->n
 * entries.  Returns 0, or -1 with the reason in 'eb' (a checksum
 * mismatch or undecodable data: a damaged block).
 */
int block_read(struct block *b, const struct block_series *s, int64_t *ts,
    double *v, struct errbuf *eb);

/*
 * Append the rows of series 's' of a rolled block to 'out', whose flags
 * must be s->rollup_flags.  Returns 0, or -1 with 'eb'.  (block_read()
 * refuses rolled blocks.)
 */
int block_read_rollup(struct block *b, const struct block_series *s,
    struct rollup *out, struct errbuf *eb);

/*
 * block_read_rollup(), decoding only the columns of 'cols' (bits
 * 1 << ROLLUP_COUNT and so on, and ROLLUP_SKETCH_BIT for the sketches,
 * rollup.h): the others are NaN, and the rows without sketches.
 */
int block_read_rollup_cols(struct block *b, const struct block_series *s,
    struct rollup *out, unsigned cols, struct errbuf *eb);

/*
 * Read and check all of 'b': every frame, page, the labels and the
 * postings, every series decoded (for "mstore check").  Returns 0, or -1
 * with the first problem in 'eb'.
 */
int block_verify(struct block *b, struct errbuf *eb);

#endif
