/* fileio.h - whole reads and writes on file descriptors, directory sync */
/* SPDX-License-Identifier: MIT */
#ifndef MTK_FILEIO_H
#define MTK_FILEIO_H

#include <stddef.h>
#include <stdint.h>

/*
 * Write all 'n' bytes at 'p' to 'fd' (at offset 'off' for the p-
 * variant), retrying short writes and EINTR.  Returns 0, or -1 with
 * errno set.
 */
int fileio_write_all(int fd, const void *p, size_t n);
int fileio_pwrite_all(int fd, const void *p, size_t n, uint64_t off);

/*
 * Read exactly 'n' bytes at offset 'off' of 'fd' into 'p'.  Returns 0, or
 * -1 on an error or when the file ends first.
 */
int fileio_pread_all(int fd, void *p, size_t n, uint64_t off);

/*
 * fsync(2) directory 'dir', so that names linked into it or removed from
 * it survive a crash.  Returns 0, or -1 with errno set.
 */
int fileio_sync_dir(const char *dir);

/*
 * Replace file 'path' with the 'n' bytes at 'p', atomically: written
 * whole to PATH.new-PID, synced, renamed over 'path', the directory
 * synced, so that a crash leaves the old file or the new one.  Returns
 * 0, or -1 with errno set (and nothing left behind).
 */
int fileio_replace(const char *path, const void *p, size_t n);

#endif
