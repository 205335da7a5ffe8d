/* block_int.h - the block file format, shared by block.c and block_write.c */
/* SPDX-License-Identifier: MIT */
#ifndef MTK_BLOCK_INT_H
#define MTK_BLOCK_INT_H

#include "store/rollup.h"

/*
 * Byte layout of block files (mtk-store(5) is the reference).  Version
 * 3 is written; versions 1 (raw) and 2 (rolled) are read.
 */
#define BLOCK_MAGIC_V1 "MTKBLK\0\1"
#define BLOCK_MAGIC_V2 "MTKBLK\0\2"
#define BLOCK_MAGIC_V3 "MTKBLK\0\3"
#define BLOCK_END_V1 "MTKBEND\1"
#define BLOCK_END_V3 "MTKBEND\3"

#define BLOCK_HEADER_V1 32	/* magic, seq, mint, maxt */
#define BLOCK_HEADER_V2 48	/* and res, nsources; then the sources */
#define BLOCK_HEADER_V3 48	/* as v2; then the sources and an XXH64 */
#define BLOCK_FOOTER_V1 80
#define BLOCK_FOOTER_V3 136
#define BLOCK_FRAME_ENTRY 56
#define BLOCK_PAGE_ENTRY 28
#define BLOCK_NAME_ENTRY 16
#define BLOCK_PAIR_ENTRY 28
/* Postings lists of this many bytes or more are zstd frames. */
#define BLOCK_POSTINGS_ZMIN 64

/* Footer fields of version 3, by offset. */
enum {
	BF_FRAME_OFF = 0, BF_NFRAMES = 8, BF_PAGE_OFF = 16, BF_NPAGES = 24,
	BF_NSERIES = 32,
	BF_LABELS_OFF = 40, BF_LABELS_LEN = 48, BF_LABELS_ULEN = 56,
	BF_NNAMES = 64, BF_NPAIRS = 72, BF_LABELS_SUM = 80,
	BF_POST_OFF = 88, BF_POST_LEN = 96, BF_POST_ULEN = 104,
	BF_POST_SUM = 112, BF_SUM = 120, BF_END = 128
};

/*
 * A page ends once its entries take this many bytes; postings sections
 * up to BLOCK_POSTINGS_WHOLE bytes are one zstd frame, larger ones keep
 * each list apart (compressed from BLOCK_POSTINGS_ZMIN bytes), so that
 * a selection reads only its lists.
 */
#define BLOCK_PAGE_TARGET (16 * 1024)
#define BLOCK_POSTINGS_WHOLE (256 * 1024)

/*
 * Limits a reader checks every count and length read from a file
 * against, besides the file's own size: what a writer can produce.
 * A raw block holds one two-hour window of millisecond timestamps, a
 * rolled one at most a day of rows.
 */
#define BLOCK_RAW_SPAN_MAX (2 * 3600000LL)
#define BLOCK_ROLLED_SPAN_MAX (24 * 3600000LL)
#define BLOCK_FRAME_ULEN_MAX (256u * 1024 * 1024)
#define BLOCK_PAGE_ULEN_MAX (128u * 1024 * 1024)
#define BLOCK_LABELS_ULEN_MAX (1024u * 1024 * 1024)
#define BLOCK_SERIES_ULEN_MAX (0xffffffffu)
#define BLOCK_SOURCES_MAX 1024
/*
 * Rolled blocks are of a minute or coarser (roll.c's tiers); this bounds
 * the rows a series may claim in one to BLOCK_ROLLED_SPAN_MAX / 1m + 1.
 */
#define BLOCK_ROLLED_RES_MIN 60000
/*
 * No zstd frame decompresses to more than this many times its size: a
 * block of four bytes (an RLE block) gives at most 128 KiB.  Lengths a
 * file claims are held to it before memory is given to them.
 */
#define BLOCK_ZSTD_RATIO_MAX 32768u

/*
 * A series' flags byte in a rolled block: the rollup flags (rollup.h),
 * and this bit of the encoding: its increase column holds each row's
 * inc - (last - first), which is 0 until a counter resets, so that it
 * takes next to nothing; readers add (last - first) back.  Set only when
 * that gives back every row's increase bit for bit.
 */
#define BLOCK_F_INC_DELTA 0x80

/* The columns a row of 'flags' has, in the order they are stored. */
static inline int
block_rolled_cols(unsigned flags)
{
	return flags & ROLLUP_F_COUNTER ? ROLLUP_NCOLS : ROLLUP_BASE_COLS;
}

/* An increase from its BLOCK_F_INC_DELTA form, as readers compute it. */
static inline double
block_inc_from_delta(double last, double first, double delta)
{
	return (last - first) + delta;
}

#endif
