/* journal.c - what mpush read and has not delivered yet, on disk, in order */
/* SPDX-License-Identifier: MIT */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/fileio.h"
#include "base/xalloc.h"
#include "send/journal.h"

#define GATHER_MAX (64 * 1024)	/* bytes gathered before a write */
#define NAME_MAX_ 64
#define TMP_AGE_S 3600		/* a put's temporary file older: left over */

struct journal {
	char *dir;
	uint64_t max_bytes;
	int lock_fd;
	/* The open batch. */
	int fd;
	char open_name[NAME_MAX_];
	struct buf gathered;
	size_t lines;
	int64_t since;
	uint64_t open_bytes;
	unsigned seq;
	/* Ready batches, oldest first. */
	char (*ready)[NAME_MAX_];
	size_t nready, cap, first;
	uint64_t ready_bytes;
	uint64_t dropped;
	struct timespec dir_mtime;	/* when 'ready' was read */
};

static int
cmp_name(const void *a, const void *b)
{
	return strcmp(a, b);
}

static int
suffix(const char *name, const char *suf)
{
	size_t n = strlen(name), s = strlen(suf);

	return n > s && strcmp(name + n - s, suf) == 0;
}

static void
path_of(const struct journal *j, const char *name, char *out)
{
	snprintf(out, PATH_MAX, "%s/%s", j->dir, name);
}

/* mkdir -p, mode 700: the journal holds what others pushed. */
static int
make_dir(const char *dir, struct errbuf *eb)
{
	char tmp[PATH_MAX], *p;

	if (snprintf(tmp, sizeof(tmp), "%s", dir) >= (int)sizeof(tmp))
		return errbuf_set(eb, "%s: the name is too long", dir);
	for (p = tmp + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(tmp, 0700) == -1 && errno != EEXIST)
			return errbuf_set(eb, "%s: %s", tmp, strerror(errno));
		*p = '/';
	}
	if (mkdir(tmp, 0700) == -1 && errno != EEXIST)
		return errbuf_set(eb, "%s: %s", dir, strerror(errno));
	return 0;
}

/*
 * Read the ready batches of the directory again (others may have put
 * some), unless it has not changed since.
 */
static int
rescan(struct journal *j, int force, struct errbuf *eb)
{
	struct stat sb;
	struct dirent *de;
	DIR *d;

	if (stat(j->dir, &sb) == -1)
		return errbuf_set(eb, "%s: %s", j->dir, strerror(errno));
	if (!force && sb.st_mtim.tv_sec == j->dir_mtime.tv_sec &&
	    sb.st_mtim.tv_nsec == j->dir_mtime.tv_nsec)
		return 0;
	if ((d = opendir(j->dir)) == NULL)
		return errbuf_set(eb, "%s: %s", j->dir, strerror(errno));
	j->nready = j->first = 0;
	j->ready_bytes = 0;
	while ((de = readdir(d)) != NULL) {
		char path[PATH_MAX];
		struct stat fb;
		if (de->d_name[0] == '.' || !(suffix(de->d_name, ".jsonl") ||
		    suffix(de->d_name, ".statsd")) ||
		    strlen(de->d_name) >= NAME_MAX_)
			continue;
		path_of(j, de->d_name, path);
		if (stat(path, &fb) == -1)
			continue;
		j->ready = xgrow(j->ready, &j->cap, j->nready + 1,
		    sizeof(*j->ready));
		snprintf(j->ready[j->nready++], NAME_MAX_, "%s", de->d_name);
		j->ready_bytes += (uint64_t)fb.st_size;
	}
	closedir(d);
	if (j->nready > 1)
		qsort(j->ready, j->nready, sizeof(*j->ready), cmp_name);
	j->dir_mtime = sb.st_mtim;
	return 0;
}

/*
 * Batches a dead sender left open are ready now; a put's temporary
 * file long abandoned is removed.
 */
static int
recover(struct journal *j, struct errbuf *eb)
{
	struct dirent *de;
	DIR *d;
	time_t now = time(NULL);

	if ((d = opendir(j->dir)) == NULL)
		return errbuf_set(eb, "%s: %s", j->dir, strerror(errno));
	while ((de = readdir(d)) != NULL) {
		char path[PATH_MAX], to[PATH_MAX];
		struct stat sb;
		path_of(j, de->d_name, path);
		if (strncmp(de->d_name, ".put-", 5) == 0) {
			if (stat(path, &sb) == 0 && now - sb.st_mtime > TMP_AGE_S)
				unlink(path);
			continue;
		}
		if (!suffix(de->d_name, ".open"))
			continue;
		if (stat(path, &sb) == 0 && sb.st_size == 0) {
			unlink(path);
			continue;
		}
		snprintf(to, sizeof(to), "%.*s.jsonl",
		    (int)(strlen(path) - 5), path);
		if (rename(path, to) == -1) {
			errbuf_set(eb, "%s: %s", path, strerror(errno));
			closedir(d);
			return -1;
		}
	}
	closedir(d);
	return rescan(j, 1, eb);
}

struct journal *
journal_open(const char *dir, uint64_t max_bytes, struct errbuf *eb)
{
	struct journal *j;
	char path[PATH_MAX], pid[32];
	int fd;

	if (make_dir(dir, eb) == -1)
		return NULL;
	snprintf(path, sizeof(path), "%s/lock", dir);
	if ((fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600)) == -1) {
		errbuf_set(eb, "%s: %s", path, strerror(errno));
		return NULL;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) == -1) {
		ssize_t n = pread(fd, pid, sizeof(pid) - 1, 0);
		pid[n > 0 ? n : 0] = '\0';
		pid[strcspn(pid, "\n")] = '\0';
		errbuf_set(eb, "another mpush sends from %s%s%s%s", dir,
		    *pid ? " (pid " : "", pid, *pid ? ")" : "");
		close(fd);
		return NULL;
	}
	snprintf(pid, sizeof(pid), "%ld\n", (long)getpid());
	if (ftruncate(fd, 0) == -1 || fileio_pwrite_all(fd, pid, strlen(pid),
	    0) == -1) {
		errbuf_set(eb, "%s: %s", path, strerror(errno));
		close(fd);
		return NULL;
	}
	j = xcalloc(1, sizeof(*j));
	j->dir = xstrdup(dir);
	j->max_bytes = max_bytes;
	j->lock_fd = fd;
	j->fd = -1;
	if (recover(j, eb) == -1) {
		journal_close(j, NULL);
		return NULL;
	}
	return j;
}

int
journal_flush(struct journal *j, struct errbuf *eb)
{
	if (j->gathered.len == 0)
		return 0;
	if (fileio_write_all(j->fd, j->gathered.p, j->gathered.len) == -1)
		return errbuf_set(eb, "%s/%s: %s", j->dir, j->open_name,
		    strerror(errno));
	j->open_bytes += j->gathered.len;
	buf_reset(&j->gathered);
	return 0;
}

int
journal_close(struct journal *j, struct errbuf *eb)
{
	int rc = 0;

	if (j == NULL)
		return 0;
	if (j->fd != -1) {
		rc = journal_flush(j, eb);
		close(j->fd);
	}
	buf_release(&j->gathered);
	close(j->lock_fd);
	free(j->ready);
	free(j->dir);
	free(j);
	return rc;
}

int
journal_add(struct journal *j, const char *line, size_t n, int64_t now,
    struct errbuf *eb)
{
	if (j->fd == -1) {
		char path[PATH_MAX];
		snprintf(j->open_name, sizeof(j->open_name), "%013lld-%ld-%08u.open",
		    (long long)now, (long)getpid(), j->seq++);
		path_of(j, j->open_name, path);
		if ((j->fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_APPEND |
		    O_CLOEXEC, 0600)) == -1)
			return errbuf_set(eb, "%s: %s", path, strerror(errno));
		j->since = now;
		j->lines = 0;
		j->open_bytes = 0;
	}
	buf_add(&j->gathered, line, n);
	buf_addch(&j->gathered, '\n');
	j->lines++;
	if (j->gathered.len >= GATHER_MAX)
		return journal_flush(j, eb);
	return 0;
}

size_t
journal_open_lines(const struct journal *j)
{
	return j->fd == -1 ? 0 : j->lines;
}

int64_t
journal_open_since(const struct journal *j)
{
	return j->fd == -1 ? 0 : j->since;
}

/* Count the lines of file 'path' (for what a drop loses). */
static uint64_t
count_lines(const char *path)
{
	char b[65536];
	uint64_t n = 0;
	ssize_t r;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd == -1)
		return 0;
	while ((r = read(fd, b, sizeof(b))) > 0) {
		const char *p = b, *e = b + r;
		while ((p = memchr(p, '\n', (size_t)(e - p))) != NULL) {
			n++;
			p++;
		}
	}
	close(fd);
	return n;
}

/* Past 'max_bytes': the oldest ready batches go, but the newest. */
static void
trim(struct journal *j)
{
	while (j->max_bytes && j->ready_bytes > j->max_bytes &&
	    j->nready - j->first > 1) {
		char path[PATH_MAX];
		struct stat sb;
		path_of(j, j->ready[j->first], path);
		if (stat(path, &sb) == 0) {
			j->dropped += count_lines(path);
			j->ready_bytes -= (uint64_t)sb.st_size < j->ready_bytes ?
			    (uint64_t)sb.st_size : j->ready_bytes;
		}
		unlink(path);
		j->first++;
	}
}

int
journal_cut(struct journal *j, struct errbuf *eb)
{
	char from[PATH_MAX], to[PATH_MAX];
	size_t n;

	if (j->fd == -1)
		return 0;
	if (journal_flush(j, eb) == -1)
		return -1;
	close(j->fd);
	j->fd = -1;
	j->open_bytes = 0;
	path_of(j, j->open_name, from);
	n = strlen(j->open_name) - 5;
	snprintf(to, sizeof(to), "%s/%.*s.jsonl", j->dir, (int)n, j->open_name);
	if (rename(from, to) == -1)
		return errbuf_set(eb, "%s: %s", from, strerror(errno));
	if (rescan(j, 0, eb) == -1)
		return -1;
	trim(j);
	return 0;
}

int
journal_oldest(struct journal *j, struct buf *body, char *name,
    struct errbuf *eb)
{
	char path[PATH_MAX];
	struct stat sb;
	int fd;

	if (rescan(j, 0, eb) == -1)
		return -1;
	if (j->first == j->nready)
		return 0;
	snprintf(name, NAME_MAX_, "%s", j->ready[j->first]);
	path_of(j, name, path);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1 ||
	    fstat(fd, &sb) == -1) {
		errbuf_set(eb, "%s: %s", path, strerror(errno));
		if (fd != -1)
			close(fd);
		return -1;
	}
	buf_reset(body);
	buf_grow(body, (size_t)sb.st_size);
	if (fileio_pread_all(fd, body->p, (size_t)sb.st_size, 0) == -1) {
		errbuf_set(eb, "%s: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	body->len = (size_t)sb.st_size;
	body->p[body->len] = '\0';
	close(fd);
	return 1;
}

int
journal_done(struct journal *j, const char *name, struct errbuf *eb)
{
	char path[PATH_MAX];
	struct stat sb;

	path_of(j, name, path);
	if (stat(path, &sb) == 0)
		j->ready_bytes -= (uint64_t)sb.st_size < j->ready_bytes ?
		    (uint64_t)sb.st_size : j->ready_bytes;
	if (unlink(path) == -1 && errno != ENOENT)
		return errbuf_set(eb, "%s: %s", path, strerror(errno));
	if (j->first < j->nready && strcmp(j->ready[j->first], name) == 0)
		j->first++;
	return 0;
}

size_t
journal_ready(const struct journal *j)
{
	return j->nready - j->first;
}

uint64_t
journal_bytes(const struct journal *j)
{
	return j->ready_bytes + j->open_bytes + j->gathered.len;
}

uint64_t
journal_dropped(const struct journal *j)
{
	return j->dropped;
}

int
journal_put(const char *dir, const char *body, size_t n, int64_t now,
    int statsd, struct errbuf *eb)
{
	char tmp[PATH_MAX], to[PATH_MAX];
	static const char fmt[] = "%s/%013lld-%ld-%08u.%s";
	unsigned seq;
	int fd;

	if (make_dir(dir, eb) == -1)
		return -1;
	snprintf(tmp, sizeof(tmp), "%s/.put-%ld", dir, (long)getpid());
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
	    0600)) == -1)
		return errbuf_set(eb, "%s: %s", tmp, strerror(errno));
	if (fileio_write_all(fd, body, n) == -1 || fsync(fd) == -1) {
		errbuf_set(eb, "%s: %s", tmp, strerror(errno));
		close(fd);
		unlink(tmp);
		return -1;
	}
	close(fd);
	/* link(2), not rename(2): a name taken is never replaced. */
	for (seq = 0;; seq++) {
		snprintf(to, sizeof(to), fmt, dir, (long long)now,
		    (long)getpid(), seq, statsd ? "statsd" : "jsonl");
		if (link(tmp, to) == 0)
			break;
		if (errno != EEXIST) {
			errbuf_set(eb, "%s: %s", to, strerror(errno));
			unlink(tmp);
			return -1;
		}
	}
	unlink(tmp);
	fileio_sync_dir(dir);
	return 0;
}

int
journal_status(const char *dir, struct journal_status *st, struct errbuf *eb)
{
	struct dirent *de;
	char path[PATH_MAX], oldest[NAME_MAX_] = "";
	DIR *d;
	int fd;

	memset(st, 0, sizeof(*st));
	if ((d = opendir(dir)) == NULL) {
		if (errno == ENOENT)
			return 0;
		return errbuf_set(eb, "%s: %s", dir, strerror(errno));
	}
	while ((de = readdir(d)) != NULL) {
		struct stat sb;
		if (de->d_name[0] == '.' || !(suffix(de->d_name, ".jsonl") ||
		    suffix(de->d_name, ".statsd") || suffix(de->d_name, ".open")))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (stat(path, &sb) == -1)
			continue;
		st->batches++;
		st->bytes += (uint64_t)sb.st_size;
		st->lines += count_lines(path);
		if (*oldest == '\0' || strcmp(de->d_name, oldest) < 0)
			snprintf(oldest, sizeof(oldest), "%s", de->d_name);
	}
	closedir(d);
	if (*oldest)
		st->oldest = strtoll(oldest, NULL, 10);
	snprintf(path, sizeof(path), "%s/lock", dir);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) != -1) {
		if (flock(fd, LOCK_SH | LOCK_NB) == -1 && errno == EWOULDBLOCK) {
			char pid[32];
			ssize_t n = pread(fd, pid, sizeof(pid) - 1, 0);
			pid[n > 0 ? n : 0] = '\0';
			st->sender = strtol(pid, NULL, 10);
		}
		close(fd);
	}
	return 0;
}

void
journal_name_for(const char *url, char *out, size_t size)
{
	const char *p = strstr(url, "://"), *at;
	uint64_t h = 1469598103934665603ULL;
	char name[JOURNAL_NAME_MAX];
	size_t n = 0;

	/* Never a password in a directory name. */
	if (p && (at = strchr(p + 3, '@')) != NULL &&
	    at < p + 3 + strcspn(p + 3, "/?#"))
		url = at + 1;
	for (; *url; url++) {
		unsigned char c = (unsigned char)*url;
		h = (h ^ c) * 1099511628211ULL;
		if (n < 100)
			name[n++] = (c >= 'a' && c <= 'z') || (c >= 'A' &&
			    c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
			    c == '-' ? (char)c : '_';
	}
	snprintf(out, size, "%.*s-%08llx", (int)n, name,
	    (unsigned long long)(h & 0xffffffffULL));
}
