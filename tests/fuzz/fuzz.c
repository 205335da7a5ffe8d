/* fuzz.c - helpers for the fuzz targets, linked into each */
/* SPDX-License-Identifier: MIT */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fuzz.h"

int
fuzz_memfile(const uint8_t *data, size_t size, char path[32])
{
	size_t off = 0;
	ssize_t n;
	int fd;

	if ((fd = memfd_create("fuzz", MFD_CLOEXEC)) == -1)
		return -1;
	while (off < size) {
		if ((n = write(fd, data + off, size - off)) == -1) {
			if (errno == EINTR)
				continue;
			close(fd);
			return -1;
		}
		off += (size_t)n;
	}
	if (lseek(fd, 0, SEEK_SET) == -1) {
		close(fd);
		return -1;
	}
	snprintf(path, 32, "/proc/self/fd/%d", fd);
	return fd;
}

/* The process' directory; a test program may keep this one global. */
static char scratch[PATH_MAX];

/* Remove everything under 'dir' (not 'dir' itself). */
static void
empty_dir(const char *dir)
{
	char path[PATH_MAX];
	struct dirent *d;
	DIR *dp;

	if ((dp = opendir(dir)) == NULL)
		return;
	while ((d = readdir(dp)) != NULL) {
		if (strcmp(d->d_name, ".") == 0 || strcmp(d->d_name, "..") == 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, d->d_name);
		if (unlink(path) == -1 && (errno == EISDIR || errno == EPERM)) {
			empty_dir(path);
			rmdir(path);
		}
	}
	closedir(dp);
}

static void
remove_scratch(void)
{
	empty_dir(scratch);
	rmdir(scratch);
}

const char *
fuzz_scratch_dir(void)
{
	const char *tmp = getenv("TMPDIR");

	if (scratch[0] != '\0') {
		empty_dir(scratch);
		return scratch;
	}
	snprintf(scratch, sizeof(scratch), "%s/mtk-fuzz.XXXXXX",
	    tmp && *tmp ? tmp : "/tmp");
	if (mkdtemp(scratch) == NULL) {
		scratch[0] = '\0';
		return NULL;
	}
	atexit(remove_scratch);
	return scratch;
}
