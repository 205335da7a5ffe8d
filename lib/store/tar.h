/* tar.h - tar streams, through libarchive loaded when first needed */
/* SPDX-License-Identifier: MIT */
#ifndef MTK_TAR_H
#define MTK_TAR_H

#include <stddef.h>
#include <sys/types.h>

#include "base/errbuf.h"

/*
 * Backups, imports and archives of expired windows are tar streams
 * (mtk-store(5)), read and written with libarchive.  libarchive brings
 * libxml2, ICU and the C++ runtime with it, whose loading and
 * relocation would cost every run of every program some milliseconds
 * (more than a one-series query): so it is loaded with dlopen(3) by the
 * first stream opened, and a program that never reads or writes an
 * archive never loads it.  Each stream holds its own reference to the
 * library.
 */
struct tar;

enum tar_filter {
	TAR_ZSTD,
	TAR_XZ
};

/*
 * Start writing a pax tar stream (ustar where it can say it) compressed
 * with 'filter' to descriptor 'fd', left open, with nothing after the
 * compressed stream.  Returns a new stream (finish with
 * tar_write_close(), then tar_free()), or NULL with 'eb'.
 */
struct tar *tar_write_open(int fd, enum tar_filter filter, struct errbuf *eb);

/*
 * Add the regular file open on 'fd' ('path' in messages) as member
 * 'name', with its size and modification time, mode 0644.  Returns 0, or
 * -1 with 'eb'.
 */
int tar_write_fd(struct tar *t, int fd, const char *path, const char *name,
    struct errbuf *eb);

/* End the stream: the tar trailer, the compressor's end.  0, or -1. */
int tar_write_close(struct tar *t, struct errbuf *eb);

/*
 * Read a tar stream, compressed any way libarchive knows, from
 * descriptor 'fd' (left open) or the file 'path'.  Only tar is taken
 * (any other format would let a text file pass for an mtree(5) list).
 * Returns a new stream (tar_free()), or NULL with 'eb'.
 */
struct tar *tar_read_fd(int fd, struct errbuf *eb);
struct tar *tar_read_file(const char *path, struct errbuf *eb);

enum tar_type {
	TAR_FILE,
	TAR_DIR,
	TAR_OTHER
};

/*
 * The next member: returns 1 with its name (borrowed until the next
 * call) and type, 0 after the last one, -1 with 'eb'.
 */
int tar_next(struct tar *t, const char **name, enum tar_type *type,
    struct errbuf *eb);

/*
 * Read up to 'n' bytes of the current member's data into 'buf'.  Returns
 * how many, 0 at its end, -1 with 'eb'.
 */
ssize_t tar_read(struct tar *t, void *buf, size_t n, struct errbuf *eb);

/* Whether the input read so far had no tar at all, only emptiness. */
int tar_empty(const struct tar *t);

void tar_free(struct tar *t);

#endif
