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

#endif
