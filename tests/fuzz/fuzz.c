/* fuzz.c - helpers for the fuzz targets, linked into each */
/* SPDX-License-Identifier: MIT */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fuzz.h"
#include "stream/jsonl.h"

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

void
fuzz_check_message(const char *msg)
{
	const unsigned char *m;

	fuzz_assert(msg[0] != '\0');
	for (m = (const unsigned char *)msg; *m; m++)
		fuzz_assert(*m >= 0x20 && *m != 0x7f);
}

void
fuzz_check_sample(const struct sample *in)
{
	struct jsonl_parser *jp = jsonl_parser_new(0);
	struct errbuf eb = ERRBUF_INIT;
	struct buf b = BUF_INIT;
	struct sample s = *in, back;
	size_t i;

	if (!s.has_ts) {
		s.has_ts = 1;
		s.ts = 0;
	}
	jsonl_format(&b, &s);
	fuzz_assert(b.len > 0 && b.p[b.len - 1] == '\n');
	if (jsonl_parse(jp, b.p, b.len - 1, &back, &eb) == -1) {
		fprintf(stderr, "%.*s: %s\n", (int)b.len, b.p, eb.msg);
		fuzz_assert(!"a sample read back");
	}
	fuzz_assert(back.name_len == s.name_len &&
	    memcmp(back.name, s.name, s.name_len) == 0);
	fuzz_assert(back.type == s.type);
	fuzz_assert((isnan(back.value) && isnan(s.value)) ||
	    back.value == s.value);
	fuzz_assert(back.has_ts && back.ts == s.ts);
	fuzz_assert(back.nlabels == s.nlabels);
	for (i = 0; i < s.nlabels; i++) {
		fuzz_assert(strcmp(back.labels[i].name, s.labels[i].name) == 0);
		fuzz_assert(back.labels[i].value_len == s.labels[i].value_len);
		fuzz_assert(memcmp(back.labels[i].value, s.labels[i].value,
		    s.labels[i].value_len) == 0);
	}
	buf_release(&b);
	jsonl_parser_free(jp);
}

char *
fuzz_line(const uint8_t *data, size_t size, size_t *off, size_t *len)
{
	const uint8_t *nl;
	char *line;

	if (*off >= size)
		return NULL;
	nl = memchr(data + *off, '\n', size - *off);
	*len = nl ? (size_t)(nl - (data + *off)) : size - *off;
	line = malloc(*len ? *len : 1);
	fuzz_assert(line != NULL);
	memcpy(line, data + *off, *len);
	*off += *len + 1;
	return line;
}
