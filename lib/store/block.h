/* block.h - immutable, compressed block files of a store tier */
/* SPDX-License-Identifier: MIT */
#ifndef MTK_BLOCK_H
#define MTK_BLOCK_H

#include <stddef.h>
#include <stdint.h>

#include "base/errbuf.h"
#include "stream/metric.h"

struct rollup;

/*
 * A block holds the samples of many series for a span of time.  It is
 * written once, to a temporary name, synced and then linked into place,
 * so a reader sees a whole block or none.  Format (mtk-store(5)); every
 * integer little-endian:
 *
 *   header  "MTKBLK\0" version(1) | seq le64 | mint le64 | maxt le64
 *           rolled blocks (version 2) add: res le64 | nsources le64,
 *           then nsources (window le64, fingerprint le64) and their XXH64
 *   frames  zstd-compressed timestamp and value columns of a run of
 *           series (chunk.h), about BLOCK_FRAME_TARGET bytes raw each
 *   series  zstd-compressed: for each series, in key order: key, type,
 *           unit, help, sample count, time range, chunk lengths; in
 *           rolled blocks also the row's flags (rollup.h) and the
 *           length of each value column; the column chunks follow each
 *           other, then each row's sketch (varint length and bytes)
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
 * What a rolled block was rolled from: for each window of the source
 * tier, a fingerprint of the blocks it had (roll.c).
 */
struct block_source {
	int64_t window;
	uint64_t fingerprint;
};

/*
 * Start a rolled block (rollup.h) of resolution 'res' ms, recording the
 * 'nsrc' entries of 'src'.
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
	unsigned rollup_flags;	/* rolled blocks: ROLLUP_F_* */
};

/*
 * Open block file 'path': read and check its header, footer, frame table
 * and series index.  Returns a new handle (the file stays open), or NULL
 * with the reason in 'eb'.
 */
struct block *block_open(const char *path, struct errbuf *eb);
void block_close(struct block *b);

uint64_t block_seq(const struct block *b);
int64_t block_res(const struct block *b);	/* 0: a raw block */
/* A rolled block's sources, '*n' of them (none for raw blocks).  Borrowed. */
const struct block_source *block_sources(const struct block *b, size_t *n);
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
 * Append the rows of series 'i' of a rolled block to 'out', whose flags
 * must be block_series()->rollup_flags.  Returns 0, or -1 with 'eb'.
 * (block_read() refuses rolled blocks.)
 */
int block_read_rollup(struct block *b, size_t i, struct rollup *out,
    struct errbuf *eb);

/*
 * Read and check every frame of 'b' (for "mstore check").  Returns 0, or
 * -1 with the first problem in 'eb'.
 */
int block_verify(struct block *b, struct errbuf *eb);

#endif
