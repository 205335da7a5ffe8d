/* block.h - immutable, compressed block files of a store tier */
/* SPDX-License-Identifier: MIT */
#ifndef MTK_BLOCK_H
#define MTK_BLOCK_H

#include <stddef.h>
#include <stdint.h>

#include "errbuf.h"
#include "metric.h"

/*
 * A block holds the samples of many series for a span of time.  It is
 * written once, to a temporary name, synced and then linked into place,
 * so a reader sees a whole block or none.  Format (mtk-store(5)); every
 * integer little-endian:
 *
 *   header  "MTKBLK\0" version(1) | seq le64 | mint le64 | maxt le64
 *   frames  zstd-compressed timestamp and value columns of a run of
 *           series (chunk.h), about BLOCK_FRAME_TARGET bytes raw each
 *   series  zstd-compressed: for each series, in key order: key, type,
 *           unit, help, sample count, time range, chunk lengths
 *   table   per frame: first series, series count, offsets, lengths and
 *           the XXH64 of each compressed column
 *   footer  offsets and lengths of the above, counts, the XXH64 of the
 *           series section and of table+footer, "MTKBEND\1"
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
 * Add a series: 'key' (series.h) strictly after the previous one's in
 * byte order, and its 'n' >= 1 samples with strictly increasing 'ts'.
 * 'unit' and 'help' may be NULL.  Returns 0, or -1 with 'eb'.
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
 * Reading.
 */
struct block;

struct block_series {
	const char *key;	/* borrowed from the block */
	size_t keylen;
	enum metric_type type;
	const char *unit;	/* NULL if none */
	const char *help;
	size_t n;
	int64_t mint, maxt;
};

/*
 * Open block file 'path': read and check its header, footer, frame table
 * and series index.  Returns a new handle (the file stays open), or NULL
 * with the reason in 'eb'.
 */
struct block *block_open(const char *path, struct errbuf *eb);
void block_close(struct block *b);

uint64_t block_seq(const struct block *b);
int64_t block_mint(const struct block *b);
int64_t block_maxt(const struct block *b);
size_t block_nseries(const struct block *b);
uint64_t block_file_size(const struct block *b);
const char *block_path(const struct block *b);

/* Series 'i' (< block_nseries()), in key order.  Borrowed. */
const struct block_series *block_series(const struct block *b, size_t i);

/*
 * Decode the samples of series 'i' into 'ts' and 'v', each with room for
 * block_series()->n entries.  Returns 0, or -1 with the reason in 'eb'
 * (a checksum mismatch or undecodable data: a corrupt block).
 */
int block_read(struct block *b, size_t i, int64_t *ts, double *v,
    struct errbuf *eb);

/*
 * Read and check every frame of 'b' (for "mstore check").  Returns 0, or
 * -1 with the first problem in 'eb'.
 */
int block_verify(struct block *b, struct errbuf *eb);

#endif
