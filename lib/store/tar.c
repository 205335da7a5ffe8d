/* tar.c - tar streams, through libarchive loaded when first needed */
/* SPDX-License-Identifier: MIT */
#include <dlfcn.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>

#include "base/xalloc.h"
#include "store/tar.h"

/*
 * The libarchive functions used here, looked up by name: each field
 * has the type of the function it is named after (archive.h declares
 * them), so a call through the table is checked as a direct one would be.
 */
#define FN(name) __typeof__(&name) name
struct lib {
	void *handle;
	FN(archive_error_string);
	FN(archive_format);
	FN(archive_write_new);
	FN(archive_write_set_format_pax_restricted);
	FN(archive_write_add_filter_zstd);
	FN(archive_write_add_filter_xz);
	FN(archive_write_set_bytes_in_last_block);
	FN(archive_write_open_fd);
	FN(archive_write_header);
	FN(archive_write_data);
	FN(archive_write_close);
	FN(archive_write_free);
	FN(archive_read_new);
	FN(archive_read_support_filter_all);
	FN(archive_read_support_format_tar);
	FN(archive_read_support_format_empty);
	FN(archive_read_open_fd);
	FN(archive_read_open_filename);
	FN(archive_read_next_header);
	FN(archive_read_data);
	FN(archive_read_free);
	FN(archive_entry_new);
	FN(archive_entry_free);
	FN(archive_entry_set_pathname);
	FN(archive_entry_set_size);
	FN(archive_entry_set_filetype);
	FN(archive_entry_set_perm);
	FN(archive_entry_set_mtime);
	FN(archive_entry_pathname);
	FN(archive_entry_filetype);
};
#undef FN

/* The library's soname: its ABI, as the -dev package links against. */
#define LIBARCHIVE "libarchive.so.13"

struct tar {
	struct lib lib;
	struct archive *a;
	int writing;
};

#define COPY_BUFSZ (64 * 1024)

/*
 * Load the library into 'l'.  Returns 0, or -1 with 'eb'.  Each pointer
 * is set the way dlsym(3) shows, through a void **: POSIX makes a
 * function's address go through a void * unharmed.
 */
static int
lib_load(struct lib *l, struct errbuf *eb)
{
	const char *missing = NULL;

	if ((l->handle = dlopen(LIBARCHIVE, RTLD_NOW | RTLD_LOCAL)) == NULL)
		return errbuf_set(eb, "cannot load %s: %s", LIBARCHIVE,
		    dlerror());
#define LOAD(name) \
	if (missing == NULL && \
	    (*(void **)(&l->name) = dlsym(l->handle, #name)) == NULL) \
		missing = #name
	LOAD(archive_error_string);
	LOAD(archive_format);
	LOAD(archive_write_new);
	LOAD(archive_write_set_format_pax_restricted);
	LOAD(archive_write_add_filter_zstd);
	LOAD(archive_write_add_filter_xz);
	LOAD(archive_write_set_bytes_in_last_block);
	LOAD(archive_write_open_fd);
	LOAD(archive_write_header);
	LOAD(archive_write_data);
	LOAD(archive_write_close);
	LOAD(archive_write_free);
	LOAD(archive_read_new);
	LOAD(archive_read_support_filter_all);
	LOAD(archive_read_support_format_tar);
	LOAD(archive_read_support_format_empty);
	LOAD(archive_read_open_fd);
	LOAD(archive_read_open_filename);
	LOAD(archive_read_next_header);
	LOAD(archive_read_data);
	LOAD(archive_read_free);
	LOAD(archive_entry_new);
	LOAD(archive_entry_free);
	LOAD(archive_entry_set_pathname);
	LOAD(archive_entry_set_size);
	LOAD(archive_entry_set_filetype);
	LOAD(archive_entry_set_perm);
	LOAD(archive_entry_set_mtime);
	LOAD(archive_entry_pathname);
	LOAD(archive_entry_filetype);
#undef LOAD
	if (missing) {
		errbuf_set(eb, "%s has no %s", LIBARCHIVE, missing);
		dlclose(l->handle);
		l->handle = NULL;
		return -1;
	}
	return 0;
}

static int
fail(struct tar *t, const char *what, struct errbuf *eb)
{
	const char *msg = t->a ? t->lib.archive_error_string(t->a) : NULL;

	return errbuf_set(eb, "%s: %s", what, msg ? msg : "unknown error");
}

void
tar_free(struct tar *t)
{
	if (t == NULL)
		return;
	if (t->a && t->writing)
		t->lib.archive_write_free(t->a);
	else if (t->a)
		t->lib.archive_read_free(t->a);
	if (t->lib.handle)
		dlclose(t->lib.handle);
	free(t);
}

struct tar *
tar_write_open(int fd, enum tar_filter filter, struct errbuf *eb)
{
	struct tar *t = xcalloc(1, sizeof(*t));
	struct lib *l = &t->lib;

	t->writing = 1;
	if (lib_load(l, eb) == -1)
		goto fail;
	if ((t->a = l->archive_write_new()) == NULL) {
		errbuf_set(eb, "cannot start the archive: out of memory");
		goto fail;
	}
	if (l->archive_write_set_format_pax_restricted(t->a) != ARCHIVE_OK ||
	    (filter == TAR_XZ ? l->archive_write_add_filter_xz(t->a) :
	    l->archive_write_add_filter_zstd(t->a)) < ARCHIVE_WARN ||
	    /* No zero padding after the zstd frame: zstd(1) rejects it. */
	    l->archive_write_set_bytes_in_last_block(t->a, 1) != ARCHIVE_OK ||
	    l->archive_write_open_fd(t->a, fd) != ARCHIVE_OK) {
		fail(t, "cannot start the archive", eb);
		goto fail;
	}
	return t;
fail:
	tar_free(t);
	return NULL;
}

int
tar_write_fd(struct tar *t, int fd, const char *path, const char *name,
    struct errbuf *eb)
{
	struct lib *l = &t->lib;
	struct archive_entry *e = NULL;
	struct stat sb;
	char *buf = NULL;
	ssize_t n;
	int rc = -1;

	if (fstat(fd, &sb) == -1) {
		errbuf_set(eb, "cannot stat '%s': %s", path, strerror(errno));
		goto out;
	}
	e = l->archive_entry_new();
	l->archive_entry_set_pathname(e, name);
	l->archive_entry_set_size(e, sb.st_size);
	l->archive_entry_set_filetype(e, AE_IFREG);
	l->archive_entry_set_perm(e, 0644);
	l->archive_entry_set_mtime(e, sb.st_mtime, 0);
	if (l->archive_write_header(t->a, e) < ARCHIVE_WARN) {
		fail(t, "cannot write archive", eb);
		goto out;
	}
	buf = xmalloc(COPY_BUFSZ);
	while ((n = read(fd, buf, COPY_BUFSZ)) != 0) {
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			errbuf_set(eb, "cannot read '%s': %s", path,
			    strerror(errno));
			goto out;
		}
		if (l->archive_write_data(t->a, buf, (size_t)n) != n) {
			fail(t, "cannot write archive", eb);
			goto out;
		}
	}
	rc = 0;
out:
	free(buf);
	if (e)
		l->archive_entry_free(e);
	return rc;
}

int
tar_write_close(struct tar *t, struct errbuf *eb)
{
	if (t->lib.archive_write_close(t->a) != ARCHIVE_OK)
		return fail(t, "cannot write archive", eb);
	return 0;
}

/* A stream to read, before it is opened. */
static struct tar *
read_new(struct errbuf *eb)
{
	struct tar *t = xcalloc(1, sizeof(*t));
	struct lib *l = &t->lib;

	if (lib_load(l, eb) == -1)
		goto fail;
	if ((t->a = l->archive_read_new()) == NULL) {
		errbuf_set(eb, "cannot read archive: out of memory");
		goto fail;
	}
	if (l->archive_read_support_filter_all(t->a) != ARCHIVE_OK ||
	    l->archive_read_support_format_tar(t->a) != ARCHIVE_OK ||
	    l->archive_read_support_format_empty(t->a) != ARCHIVE_OK) {
		fail(t, "cannot read archive", eb);
		goto fail;
	}
	return t;
fail:
	tar_free(t);
	return NULL;
}

struct tar *
tar_read_fd(int fd, struct errbuf *eb)
{
	struct tar *t = read_new(eb);

	if (t && t->lib.archive_read_open_fd(t->a, fd, COPY_BUFSZ) != ARCHIVE_OK) {
		fail(t, "cannot read archive", eb);
		tar_free(t);
		return NULL;
	}
	return t;
}

struct tar *
tar_read_file(const char *path, struct errbuf *eb)
{
	struct tar *t = read_new(eb);

	if (t && t->lib.archive_read_open_filename(t->a, path,
	    COPY_BUFSZ) != ARCHIVE_OK) {
		fail(t, path, eb);
		tar_free(t);
		return NULL;
	}
	return t;
}

int
tar_next(struct tar *t, const char **name, enum tar_type *type,
    struct errbuf *eb)
{
	struct archive_entry *e;
	int r = t->lib.archive_read_next_header(t->a, &e);

	if (r == ARCHIVE_EOF)
		return 0;
	if (r != ARCHIVE_OK && r != ARCHIVE_WARN)
		return fail(t, "cannot read archive", eb);
	*name = t->lib.archive_entry_pathname(e);
	if (*name == NULL)
		*name = "";
	switch (t->lib.archive_entry_filetype(e)) {
	case AE_IFREG: *type = TAR_FILE; break;
	case AE_IFDIR: *type = TAR_DIR; break;
	default: *type = TAR_OTHER; break;
	}
	return 1;
}

ssize_t
tar_read(struct tar *t, void *buf, size_t n, struct errbuf *eb)
{
	la_ssize_t got = t->lib.archive_read_data(t->a, buf, n);

	if (got < 0)
		return fail(t, "cannot read archive", eb);
	return (ssize_t)got;
}

int
tar_empty(const struct tar *t)
{
	return t->lib.archive_format(t->a) == ARCHIVE_FORMAT_EMPTY;
}
