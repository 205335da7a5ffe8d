/* store_archive.c - back a store up to a tar.zst stream and restore it */
/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store/block.h"
#include "base/fileio.h"
#include "base/buf.h"
#include "base/conf.h"
#include "store/roll.h"
#include "store/store_int.h"
#include "store/tar.h"
#include "base/timestamp.h"
#include "base/xalloc.h"

/*
 * An archive is a pax tar stream compressed with zstd, holding:
 *
 *   mtk.conf          the store's settings, first
 *   raw/NAME.blk      the raw tier, rewritten from a merged snapshot
 *   1m/NAME.blk ...   blocks of the other tiers, copied as they are
 *
 * Export writes raw blocks of at most EXPORT_WINDOWS windows at a time
 * into a temporary directory, adds them and removes them, so memory and
 * temporary space are bounded by that many blocks whatever the range.
 */
#define EXPORT_WINDOWS 32
#define COPY_BUFSZ (64 * 1024)
#define CONF_MAX (64 * 1024)

/* Add the file 'path' to 'a' as member 'name'. */
static int
add_file(struct tar *a, const char *path, const char *name,
    struct errbuf *eb)
{
	int fd, rc;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return errbuf_set(eb, "cannot open '%s': %s", path,
		    strerror(errno));
	rc = tar_write_fd(a, fd, path, name, eb);
	close(fd);
	return rc;
}

/* Remove the temporary directory 'dir' and whatever is left in it. */
static void
remove_tmpdir(const char *dir)
{
	char path[PATH_MAX + 256];
	struct dirent *de;
	DIR *d;

	if ((d = opendir(dir)) != NULL) {
		while ((de = readdir(d)) != NULL) {
			if (strcmp(de->d_name, ".") == 0 ||
			    strcmp(de->d_name, "..") == 0)
				continue;
			snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
			unlink(path);
		}
		closedir(d);
	}
	rmdir(dir);
}

/*
 * One pass over the selection of 'r': write the samples in the windows
 * [lo, lo + EXPORT_WINDOWS windows) into blocks in 'tmp', add them to
 * 'a' and remove them.  Sets '*next' to the first window after those
 * that holds samples, or INT64_MAX.
 */
static int
export_windows(struct store_reader *r, struct tar *a, const char *tmp,
    int64_t lo, uint64_t *seq, int64_t *next, struct errbuf *eb)
{
	struct block_writer *bw[EXPORT_WINDOWS] = { NULL };
	struct store_iter *it;
	struct store_series s;
	char path[PATH_MAX], name[PATH_MAX + 8];
	int64_t hi = lo + EXPORT_WINDOWS * STORE_BLOCK_MS;
	int k, rc = -1, more;

	*next = INT64_MAX;
	if ((it = store_select(r, NULL, 0, eb)) == NULL)
		return -1;
	/*
	 * Series come in key order, so each window's writer receives its
	 * series in the order block_writer_add() wants.
	 */
	while ((more = store_iter_next(it, &s, eb)) == 1) {
		size_t j = ts_lower_bound(s.ts, s.n, lo), e;
		for (; j < s.n && s.ts[j] < hi; j = e) {
			int64_t ws = store_window_start(s.ts[j]);
			k = (int)((ws - lo) / STORE_BLOCK_MS);
			e = j + ts_lower_bound(s.ts + j, s.n - j, ws + STORE_BLOCK_MS);
			if (bw[k] == NULL &&
			    (bw[k] = block_writer_new(tmp, (*seq)++, eb)) == NULL)
				goto out;
			if (block_writer_add(bw[k], s.key, s.keylen, s.type,
			    s.unit, s.help, s.ts + j, s.v + j, e - j, eb) == -1)
				goto out;
		}
		if (j < s.n && store_window_start(s.ts[j]) < *next)
			*next = store_window_start(s.ts[j]);
	}
	if (more == -1)
		goto out;
	for (k = 0; k < EXPORT_WINDOWS; k++) {
		struct block_writer *w = bw[k];
		const char *base;
		if (w == NULL)
			continue;
		bw[k] = NULL;
		if (block_writer_finish(w, path, eb) == -1)
			goto out;
		base = strrchr(path, '/');
		snprintf(name, sizeof(name), "raw/%s", base ? base + 1 : path);
		if (add_file(a, path, name, eb) == -1) {
			unlink(path);
			goto out;
		}
		unlink(path);
	}
	rc = 0;
out:
	for (k = 0; k < EXPORT_WINDOWS; k++)
		block_writer_abort(bw[k]);
	store_iter_free(it);
	return rc;
}

static int
export_raw(struct store *st, struct tar *a, int64_t since, int64_t until,
    struct errbuf *eb)
{
	struct store_reader *r = NULL;
	const char *tmpenv = getenv("TMPDIR");
	char tmp[PATH_MAX] = "";
	uint64_t seq = store_seq();
	int64_t lo = store_window_start(since), next;
	int rc = -1;

	if (snprintf(tmp, sizeof(tmp), "%s/mtk-export.XXXXXX",
	    tmpenv && *tmpenv ? tmpenv : "/tmp") >= (int)sizeof(tmp) ||
	    mkdtemp(tmp) == NULL) {
		errbuf_set(eb, "cannot create a temporary directory '%s': %s",
		    tmp, strerror(errno));
		tmp[0] = '\0';
		goto out;
	}
	/* One reader for the whole range: a consistent snapshot. */
	if ((r = store_reader_open(st, STORE_TIER_RAW, since, until, eb)) == NULL)
		goto out;
	/*
	 * NEEDSWORK: each pass decodes the whole range again; a range of
	 * more than EXPORT_WINDOWS windows costs one pass per group.
	 */
	for (; lo != INT64_MAX && lo <= until; lo = next)
		if (export_windows(r, a, tmp, lo, &seq, &next, eb) == -1)
			goto out;
	rc = 0;
out:
	store_reader_close(r);
	if (tmp[0])
		remove_tmpdir(tmp);
	return rc;
}

/*
 * Add the blocks of tier 't' that overlap [since, until] as they are.
 * Blocks are immutable; the lock only keeps a removal from racing the
 * listing, so it is held while the files are opened, not copied: an
 * open file stays readable even if removed meanwhile.
 */
static int
export_tier(struct store *st, enum store_tier t, struct tar *a,
    int64_t since, int64_t until, struct errbuf *eb)
{
	char dir[PATH_MAX], path[PATH_MAX + 256], name[PATH_MAX + 16];
	struct block **b = NULL;
	char **names = NULL;
	int *fds = NULL;
	size_t n = 0, i;
	int lock, rc = -1;

	store_path(st, dir, store_tier_name(t), NULL);
	if ((lock = store_lock(st, t, 0, eb)) == -1)
		return -1;
	if (store_list(dir, ".blk", &names, &n, eb) == -1) {
		store_unlock(lock);
		return -1;
	}
	b = xcalloc(n ? n : 1, sizeof(*b));
	fds = xcalloc(n ? n : 1, sizeof(*fds));
	for (i = 0; i < n; i++)
		fds[i] = -1;
	for (i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		if ((fds[i] = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
			errbuf_set(eb, "cannot open '%s': %s", path,
			    strerror(errno));
			store_unlock(lock);
			goto out;
		}
		if ((b[i] = block_open(path, eb)) == NULL) {
			store_unlock(lock);
			goto out;
		}
	}
	store_unlock(lock);
	for (i = 0; i < n; i++) {
		if (block_maxt(b[i]) < since || block_mint(b[i]) > until)
			continue;
		snprintf(name, sizeof(name), "%s/%s", store_tier_name(t),
		    names[i]);
		if (tar_write_fd(a, fds[i], block_path(b[i]), name, eb) == -1)
			goto out;
	}
	rc = 0;
out:
	for (i = 0; i < n; i++) {
		block_close(b[i]);
		if (fds[i] != -1)
			close(fds[i]);
	}
	free(b);
	free(fds);
	store_list_free(names, n);
	return rc;
}

/*
 * Read every block of every tier in [since, until] whole, and fail on
 * the first damaged one: a backup is worth reading the data twice.
 */
static int
export_check(struct store *st, int64_t since, int64_t until,
    struct errbuf *eb)
{
	struct store_span sp[STORE_NTIERS];
	struct store_reader *r;
	size_t i;
	int t;

	for (t = 0; t < STORE_NTIERS; t++)
		sp[t] = (struct store_span){ (enum store_tier)t, since, until };
	if ((r = store_reader_open_spans(st, sp, STORE_NTIERS, eb)) == NULL)
		return -1;
	for (i = 0; i < store_reader_nblocks(r); i++) {
		struct block *b = store_reader_block(r, i);
		struct errbuf e2 = ERRBUF_INIT;
		if (block_verify(b, &e2) == -1)
			store_damage_note(st, block_path(b), e2.msg);
	}
	store_reader_close(r);
	if (store_damage_count(st) > 0)
		return errbuf_set(eb, "%s: no archive written (mstore check "
		    "--repair moves damaged files aside)", store_damage(st, 0));
	return 0;
}

int
store_export(struct store *st, int64_t since, int64_t until, int fd,
    struct errbuf *eb)
{
	struct tar *a;
	char path[PATH_MAX];
	int t, rc = -1;

	/* Keep window arithmetic far from overflow. */
	if (since < TS_MIN)
		since = TS_MIN;
	if (until > TS_MAX)
		until = TS_MAX;
	/*
	 * A damaged block would leave a hole in the backup: refuse before
	 * writing anything when one shows at opening, and say so after
	 * when one shows only in its data.
	 */
	if (export_check(st, since, until, eb) == -1)
		return -1;
	if ((a = tar_write_open(fd, TAR_ZSTD, eb)) == NULL)
		return -1;
	store_path(st, path, "mtk.conf", NULL);
	if (add_file(a, path, "mtk.conf", eb) == -1 ||
	    export_raw(st, a, since, until, eb) == -1)
		goto out;
	for (t = STORE_TIER_1M; t < STORE_NTIERS; t++)
		if (export_tier(st, (enum store_tier)t, a, since, until, eb) == -1)
			goto out;
	if ((rc = tar_write_close(a, eb)) == 0 && store_damage_count(st) > 0)
		rc = errbuf_set(eb, "the archive misses the data of %s",
		    store_damage(st, 0));
out:
	tar_free(a);
	return rc;
}

/*
 * Import.
 */
enum member { MEMBER_BAD, MEMBER_CONF, MEMBER_BLOCK, MEMBER_DIR };

/*
 * What archive member 'name' is: "mtk.conf", "TIER/NAME.blk" (with
 * '*tier' set), a tier directory, or anything else, which is refused.
 * A leading "./" (tar -C dir -c .) is allowed.
 */
static enum member
member_kind(const char *name, enum store_tier *tier)
{
	const char *slash, *base;
	size_t tl, bl;
	int t;

	while (strncmp(name, "./", 2) == 0)
		name += 2;
	if (strcmp(name, "") == 0 || strcmp(name, ".") == 0)
		return MEMBER_DIR;
	if (strcmp(name, "mtk.conf") == 0)
		return MEMBER_CONF;
	slash = strchr(name, '/');
	tl = slash ? (size_t)(slash - name) : strlen(name);
	for (t = 0; t < STORE_NTIERS; t++)
		if (strlen(store_tier_name((enum store_tier)t)) == tl &&
		    strncmp(name, store_tier_name((enum store_tier)t), tl) == 0)
			break;
	if (t == STORE_NTIERS)
		return MEMBER_BAD;
	*tier = (enum store_tier)t;
	if (slash == NULL || slash[1] == '\0')
		return MEMBER_DIR;
	base = slash + 1;
	bl = strlen(base);
	if (strchr(base, '/') || base[0] == '.' || bl <= 4 ||
	    strcmp(base + bl - 4, ".blk") != 0)
		return MEMBER_BAD;
	return MEMBER_BLOCK;
}

/* Read the data of the current member into 'out', at most 'max' bytes. */
static int
read_member(struct tar *a, const char *name, struct buf *out, size_t max,
    struct errbuf *eb)
{
	char tmp[4096];
	ssize_t n;

	while ((n = tar_read(a, tmp, sizeof(tmp), eb)) > 0) {
		if (out->len + (size_t)n > max)
			return errbuf_set(eb, "archive member '%s': too large",
			    name);
		buf_add(out, tmp, (size_t)n);
	}
	return n < 0 ? -1 : 0;
}

/*
 * Create the store in 'dir' with the settings of the archive's mtk.conf
 * (the current member), checked as a store's own would be.
 */
static int
create_from_conf(const char *dir, struct tar *a, struct errbuf *eb)
{
	struct store_settings set = STORE_SETTINGS_INIT;
	struct buf data = BUF_INIT;
	char path[PATH_MAX];
	int fd = -1, rc = -1;

	if (read_member(a, "mtk.conf", &data, CONF_MAX, eb) == -1 ||
	    store_init(dir, NULL, eb) == -1)
		goto out;
	snprintf(path, sizeof(path), "%s/.tmp-import.conf-%d", dir,
	    (int)getpid());
	if ((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
	    0644)) == -1 || fileio_write_all(fd, data.p, data.len) == -1) {
		errbuf_set(eb, "cannot write '%s': %s", path, strerror(errno));
		goto out;
	}
	if (store_settings_load(path, &set, eb) == -1) {
		/* "path:line: reason": name the member instead of 'path'. */
		char why[sizeof(eb->msg)];
		snprintf(why, sizeof(why), "%s", strchr(eb->msg, ':') ?
		    strchr(eb->msg, ':') : "");
		errbuf_set(eb, "archive member 'mtk.conf'%s", why);
		goto out;
	}
	rc = store_settings_write(dir, &set, eb);
out:
	if (fd != -1) {
		close(fd);
		unlink(path);
	}
	store_settings_release(&set);
	buf_release(&data);
	return rc;
}

/*
 * Import the current member, block 'name' of tier 't': copy it to a
 * temporary file in the tier's directory, check all of it, give it a new
 * sequence number (the header's, which no checksum covers), and link it
 * into place under a fresh name.
 */
static int
import_block(struct store *st, enum store_tier t, struct tar *a,
    const char *name, struct store_import_stats *stats, struct errbuf *eb)
{
	char dir[PATH_MAX], tmp[PATH_MAX + 64], final[PATH_MAX + 64];
	struct block *b = NULL;
	struct errbuf e2 = ERRBUF_INIT;
	uint64_t seq = store_seq(), bytes = 0;
	char *buf = xmalloc(COPY_BUFSZ);
	ssize_t n;
	int fd, tries, rc = -1;

	store_path(st, dir, store_tier_name(t), NULL);
	/* Named like block_writer_new()'s, so writers clean it up if we die. */
	snprintf(tmp, sizeof(tmp), "%s/.tmp-%016llx-%d.blk", dir,
	    (unsigned long long)seq, (int)getpid());
	if ((fd = open(tmp, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644)) == -1) {
		free(buf);
		return errbuf_set(eb, "cannot create '%s': %s", tmp,
		    strerror(errno));
	}
	while ((n = tar_read(a, buf, COPY_BUFSZ, eb)) > 0) {
		ssize_t off = 0;
		while (off < n) {
			ssize_t w = write(fd, buf + off, (size_t)(n - off));
			if (w == -1 && errno == EINTR)
				continue;
			if (w == -1) {
				errbuf_set(eb, "cannot write '%s': %s", tmp,
				    strerror(errno));
				goto out;
			}
			off += w;
		}
		bytes += (uint64_t)n;
	}
	if (n < 0)
		goto out;
	if ((b = block_open(tmp, &e2)) == NULL || block_verify(b, &e2) == -1) {
		/* e2 names the temporary file: name the member instead. */
		size_t tl = strlen(tmp);
		if (e2.msg[0] == '\'' && strncmp(e2.msg + 1, tmp, tl) == 0 &&
		    e2.msg[tl + 1] == '\'')
			errbuf_set(eb, "archive member '%s'%s", name,
			    e2.msg + tl + 2);
		else
			errbuf_set(eb, "archive member '%s': %s", name, e2.msg);
		goto out;
	}
	if (block_res(b) != (t == STORE_TIER_RAW ? 0 : roll_resolution(t))) {
		errbuf_set(eb, "archive member '%s': a %s block, not one of tier %s",
		    name, block_res(b) ? "rolled" : "raw", store_tier_name(t));
		goto out;
	}
	if (block_set_seq(fd, tmp, seq, eb) == -1)
		goto out;
	if (fsync(fd) == -1) {
		errbuf_set(eb, "cannot sync '%s': %s", tmp, strerror(errno));
		goto out;
	}
	/* link(2) never replaces a block that has the same name. */
	for (tries = 0;; tries++) {
		snprintf(final, sizeof(final), "%s/%013lld-%016llx.blk", dir,
		    (long long)block_mint(b), (unsigned long long)seq + (unsigned)tries);
		if (link(tmp, final) == 0)
			break;
		if (errno != EEXIST || tries == 100) {
			errbuf_set(eb, "cannot link '%s': %s", final,
			    strerror(errno));
			goto out;
		}
	}
	if (fileio_sync_dir(dir) == -1) {
		errbuf_set(eb, "cannot sync '%s': %s", dir, strerror(errno));
		goto out;
	}
	stats->blocks++;
	stats->bytes += bytes;
	rc = 0;
out:
	block_close(b);
	close(fd);
	unlink(tmp);
	free(buf);
	return rc;
}

int
store_import(const char *dir, int fd, struct store_import_stats *stats,
    struct errbuf *eb)
{
	struct store_import_stats dummy;
	struct tar *a = NULL;
	struct store *st = NULL;
	char conf[PATH_MAX];
	const char *name;
	enum tar_type type;
	int r, rc = -1;

	if (stats == NULL)
		stats = &dummy;
	memset(stats, 0, sizeof(*stats));
	snprintf(conf, sizeof(conf), "%s/mtk.conf", dir);
	if (access(conf, F_OK) == 0 && (st = store_open(dir, 1, eb)) == NULL)
		goto out;
	if ((a = tar_read_fd(fd, eb)) == NULL)
		goto out;
	while ((r = tar_next(a, &name, &type, eb)) == 1) {
		enum store_tier t = STORE_TIER_RAW;
		enum member k = member_kind(name, &t);

		if (k == MEMBER_DIR && type == TAR_DIR)
			continue;
		if (k == MEMBER_BAD || k == MEMBER_DIR || type != TAR_FILE) {
			errbuf_set(eb, "archive member '%s': refused (only "
			    "mtk.conf and TIER/NAME.blk files)", name);
			goto out;
		}
		if (k == MEMBER_CONF) {
			/* An existing store keeps its own settings. */
			if (st == NULL) {
				if (create_from_conf(dir, a, eb) == -1 ||
				    (st = store_open(dir, 1, eb)) == NULL)
					goto out;
				stats->conf_used = 1;
			}
			continue;
		}
		if (st == NULL && (st = store_open(dir, 1, eb)) == NULL)
			goto out;
		if (import_block(st, t, a, name, stats, eb) == -1)
			goto out;
	}
	if (r == -1)
		goto out;
	/* libarchive takes no input for an empty archive; a mistake, surely. */
	if (tar_empty(a)) {
		errbuf_set(eb, "cannot read archive: empty input");
		goto out;
	}
	if (st == NULL && (st = store_open(dir, 1, eb)) == NULL)
		goto out;
	rc = 0;
out:
	tar_free(a);
	store_close(st);
	return rc;
}

/*
 * Archives of expired windows (mroll).
 */
static int
mkdir_ok(const char *path, struct errbuf *eb)
{
	if (mkdir(path, 0755) == -1 && errno != EEXIST)
		return errbuf_set(eb, "cannot create '%s': %s", path,
		    strerror(errno));
	return 0;
}

int
store_archive_window(struct store *st, enum store_tier t, int64_t window,
    uint64_t fingerprint, const char *const *names, size_t n,
    enum store_archive comp, char *out, uint64_t *bytes, struct errbuf *eb)
{
	struct tar *a = NULL;
	char dir[PATH_MAX], tmp[PATH_MAX + 64], path[PATH_MAX + 256];
	char member[PATH_MAX + 16];
	struct stat sb;
	size_t i;
	int fd = -1, rc = -1;

	store_path(st, dir, "archive", NULL);
	if (mkdir_ok(dir, eb) == -1)
		goto out;
	store_path(st, dir, "archive", store_tier_name(t));
	if (mkdir_ok(dir, eb) == -1)
		goto out;
	snprintf(out, PATH_MAX, "%s/%013lld-%016llx.tar.%s", dir,
	    (long long)window, (unsigned long long)fingerprint,
	    comp == STORE_ARCHIVE_XZ ? "xz" : "zst");
	snprintf(tmp, sizeof(tmp), "%s/.tmp-%d.tar", dir, (int)getpid());
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
	    0644)) == -1) {
		errbuf_set(eb, "cannot create '%s': %s", tmp, strerror(errno));
		goto out;
	}
	if ((a = tar_write_open(fd, comp == STORE_ARCHIVE_XZ ? TAR_XZ : TAR_ZSTD,
	    eb)) == NULL)
		goto out;
	/* With mtk.conf first, "mstore import" restores it as it is. */
	store_path(st, path, "mtk.conf", NULL);
	if (add_file(a, path, "mtk.conf", eb) == -1)
		goto out;
	for (i = 0; i < n; i++) {
		store_path(st, path, store_tier_name(t), names[i]);
		snprintf(member, sizeof(member), "%s/%s", store_tier_name(t),
		    names[i]);
		if (add_file(a, path, member, eb) == -1)
			goto out;
	}
	if (tar_write_close(a, eb) == -1)
		goto out;
	if (fsync(fd) == -1 || fstat(fd, &sb) == -1) {
		errbuf_set(eb, "cannot sync '%s': %s", tmp, strerror(errno));
		goto out;
	}
	if (rename(tmp, out) == -1) {
		errbuf_set(eb, "cannot rename '%s': %s", tmp, strerror(errno));
		goto out;
	}
	if (fileio_sync_dir(dir) == -1) {
		errbuf_set(eb, "cannot sync '%s': %s", dir, strerror(errno));
		goto out;
	}
	*bytes = (uint64_t)sb.st_size;
	rc = 0;
out:
	tar_free(a);
	if (fd != -1)
		close(fd);
	if (rc == -1)
		unlink(tmp);
	return rc;
}

/*
 * Extract each block of the current member's archive into 'dir', open
 * it and add it to 'r' for [mint, maxt]; the file is removed at once
 * (the open block keeps it readable).
 */
static int
extract_blocks(struct store_reader *r, struct tar *a, const char *dir,
    enum store_tier want, int64_t mint, int64_t maxt, struct errbuf *eb)
{
	const char *name;
	enum tar_type type;
	char tmp[PATH_MAX + 64];
	int k, n = 0;

	while ((k = tar_next(a, &name, &type, eb)) == 1) {
		enum store_tier t;
		struct block *b;
		struct buf data = BUF_INIT;
		int fd, ok;

		if (member_kind(name, &t) != MEMBER_BLOCK || t != want)
			continue;
		if (read_member(a, name, &data, (size_t)1 << 34, eb) == -1) {
			buf_release(&data);
			return -1;
		}
		snprintf(tmp, sizeof(tmp), "%s/%d.blk", dir, n++);
		fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
		ok = fd != -1 && fileio_write_all(fd, data.p, data.len) == 0;
		if (fd != -1)
			close(fd);
		buf_release(&data);
		if (!ok) {
			unlink(tmp);
			return errbuf_set(eb, "cannot write '%s': %s", tmp,
			    strerror(errno));
		}
		b = block_open(tmp, eb);
		unlink(tmp);
		if (b == NULL)
			return -1;
		store_reader_add_block(r, b, mint, maxt);
	}
	return k;
}

int
store_archive_check(const char *path, enum store_tier want, uint64_t *blocks,
    struct errbuf *eb)
{
	struct tar *a = NULL;
	const char *td = getenv("TMPDIR"), *name;
	enum tar_type type;
	char tmp[PATH_MAX], file[PATH_MAX + 16];
	int k, rc = -1;

	*blocks = 0;
	snprintf(tmp, sizeof(tmp), "%s/mtk-check.XXXXXX", td && *td ? td : "/tmp");
	if (mkdtemp(tmp) == NULL)
		return errbuf_set(eb, "cannot create '%s': %s", tmp,
		    strerror(errno));
	snprintf(file, sizeof(file), "%s/b.blk", tmp);
	if ((a = tar_read_file(path, eb)) == NULL)
		goto out;
	while ((k = tar_next(a, &name, &type, eb)) == 1) {
		struct buf data = BUF_INIT;
		enum store_tier t;
		struct block *b;
		int fd, ok;

		switch (member_kind(name, &t)) {
		case MEMBER_CONF:
		case MEMBER_DIR:
			continue;
		case MEMBER_BLOCK:
			if (t == want)
				break;
			/* FALLTHROUGH */
		default:
			errbuf_set(eb, "member '%s' does not belong in it", name);
			goto out;
		}
		if (read_member(a, name, &data, (size_t)1 << 34, eb) == -1) {
			buf_release(&data);
			goto out;
		}
		fd = open(file, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
		ok = fd != -1 && fileio_write_all(fd, data.p, data.len) == 0;
		if (fd != -1)
			close(fd);
		buf_release(&data);
		if (!ok) {
			errbuf_set(eb, "cannot write '%s': %s", file,
			    strerror(errno));
			goto out;
		}
		if ((b = block_open(file, eb)) == NULL ||
		    block_verify(b, eb) == -1) {
			block_close(b);
			errbuf_set(eb, "member '%s' is not a valid block", name);
			goto out;
		}
		block_close(b);
		(*blocks)++;
	}
	rc = k;
out:
	unlink(file);
	rmdir(tmp);
	tar_free(a);
	return rc;
}

int
store_reader_add_archives(struct store_reader *r, struct store *st,
    enum store_tier t, int64_t mint, int64_t maxt, struct errbuf *eb)
{
	char dir[PATH_MAX], path[PATH_MAX + 256], tmp[PATH_MAX];
	const char *td = getenv("TMPDIR");
	char **names;
	size_t n, i;
	int rc = 0;

	store_path(st, dir, "archive", store_tier_name(t));
	if (store_list(dir, "", &names, &n, eb) == -1)
		return -1;
	snprintf(tmp, sizeof(tmp), "%s/mtk-archive.XXXXXX",
	    td && *td ? td : "/tmp");
	if (n > 0 && mkdtemp(tmp) == NULL) {
		store_list_free(names, n);
		return errbuf_set(eb, "cannot create '%s': %s", tmp,
		    strerror(errno));
	}
	for (i = 0; i < n && rc == 0; i++) {
		int64_t w = strtoll(names[i], NULL, 10);
		struct errbuf e2 = ERRBUF_INIT;
		struct tar *a;
		/* Named by window: skip those outside the range. */
		if (w > maxt || w + roll_span(t) < mint)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		/*
		 * A damaged archive is noted and passed over, like a damaged
		 * block: the blocks read before the damage are kept.
		 */
		if ((a = tar_read_file(path, &e2)) != NULL &&
		    extract_blocks(r, a, tmp, t, mint, maxt, &e2) == -1)
			errbuf_prefix(&e2, "'%s'", path);
		if (e2.msg[0])
			store_damage_note(st, path, e2.msg);
		tar_free(a);
	}
	if (n > 0)
		rmdir(tmp);
	store_list_free(names, n);
	return rc;
}
