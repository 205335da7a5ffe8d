/* wal.c - the write-ahead log */
/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <xxhash.h>

#include "base/buf.h"
#include "base/fileio.h"
#include "base/varint.h"
#include "store/wal.h"
#include "stream/series.h"
#include "base/xalloc.h"

#define WAL_MAGIC "MTKWAL\0\3"	/* samples in batches of columns */
#define WAL_MAGIC_V2 "MTKWAL\0\2"	/* one 'D' entry per sample: still read */
#define WAL_MAGIC_V1 "MTKWAL\0\1"	/* as v2, with XXH32: still read */
#define WAL_HEADER 16
#define REC_HEADER 8
#define BATCH_ITEM 20		/* ref (le32), ts (le64), value (le64) */

/*
 * A record is closed once its payload would pass this: well under
 * WAL_RECORD_MAX, which a reader takes for damage, however many series
 * or samples are queued between two commits (a writer starting a new
 * log after a flush queues every series it still holds).
 */
#define REC_CAP (256u * 1024)

struct wal {
	int fd;
	char *path;
	struct buf out;		/* closed records, ready to write */
	struct buf rec;		/* the 'S' entries of the open record */
	uint32_t *ref;		/* and its samples, as columns */
	int64_t *ts;
	double *v;
	size_t n, cap;
	uint64_t size;
};

struct wal *
wal_create(const char *path, uint64_t seq, struct errbuf *eb)
{
	unsigned char hdr[WAL_HEADER];
	char tmp[PATH_MAX];
	struct wal *w;
	int fd, e;

	/*
	 * Made under another name, locked, and only then linked in as
	 * 'path': a writer looking for WALs of dead writers must never find
	 * one that is not locked yet, or it would take it for an orphan.
	 */
	if (snprintf(tmp, sizeof(tmp), "%s.new", path) >= (int)sizeof(tmp)) {
		errno = ENAMETOOLONG;
		errbuf_set(eb, "path too long: '%s'", path);
		return NULL;
	}
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd == -1) {
		errbuf_set(eb, "cannot create '%s': %s", tmp, strerror(errno));
		return NULL;
	}
	memcpy(hdr, WAL_MAGIC, 8);
	le64_put(hdr + 8, seq);
	if (flock(fd, LOCK_EX | LOCK_NB) == -1 ||
	    fileio_write_all(fd, hdr, sizeof(hdr)) == -1 || link(tmp, path) == -1) {
		e = errno;
		errbuf_set(eb, "cannot create '%s': %s", path, strerror(e));
		close(fd);
		unlink(tmp);
		errno = e;
		return NULL;
	}
	unlink(tmp);
	w = xcalloc(1, sizeof(*w));
	w->fd = fd;
	w->path = xstrdup(path);
	w->size = WAL_HEADER;
	return w;
}

/* Payload bytes of the open record. */
static size_t
rec_bytes(const struct wal *w)
{
	return w->rec.len + (w->n ? 1 + VARINT_MAX + BATCH_ITEM * w->n : 0);
}

/*
 * Close the open record onto 'out': its series entries, then one 'B'
 * entry with its samples, refs first, so that a reader looking for a
 * few series reads four bytes of each sample it passes by.
 */
static void
rec_close(struct wal *w)
{
	size_t at = w->out.len, i;
	unsigned char *p;

	if (w->rec.len == 0 && w->n == 0)
		return;
	buf_grow(&w->out, REC_HEADER + rec_bytes(w));
	p = (unsigned char *)w->out.p + at + REC_HEADER;
	memcpy(p, w->rec.p, w->rec.len);
	p += w->rec.len;
	if (w->n) {
		*p++ = 'B';
		p += varint_put(p, w->n);
		for (i = 0; i < w->n; i++, p += 4)
			le32_put(p, w->ref[i]);
		for (i = 0; i < w->n; i++, p += 8)
			le64_put(p, (uint64_t)w->ts[i]);
		for (i = 0; i < w->n; i++, p += 8) {
			uint64_t bits;
			memcpy(&bits, &w->v[i], 8);
			le64_put(p, bits);
		}
	}
	w->out.len = (size_t)(p - (unsigned char *)w->out.p);
	p = (unsigned char *)w->out.p + at;
	le32_put(p, (uint32_t)(w->out.len - at - REC_HEADER));
	le32_put(p + 4, (uint32_t)XXH3_64bits(p + REC_HEADER,
	    w->out.len - at - REC_HEADER));
	buf_reset(&w->rec);
	w->n = 0;
}

void
wal_add_series(struct wal *w, uint64_t ref, enum metric_type type,
    const char *key, size_t keylen, const char *unit, size_t unit_len,
    const char *help, size_t help_len)
{
	unsigned char sig[8];

	if (!unit)
		unit_len = 0;
	if (!help)
		help_len = 0;
	if (rec_bytes(w) + 10 + 4 * VARINT_MAX + keylen + unit_len + help_len >
	    REC_CAP)
		rec_close(w);
	buf_addch(&w->rec, 'S');
	buf_add_varint(&w->rec, ref);
	buf_addch(&w->rec, (char)type);
	le64_put(sig, series_key_sig(key, keylen));
	buf_add(&w->rec, sig, 8);
	buf_add_varint(&w->rec, keylen);
	buf_add(&w->rec, key, keylen);
	buf_add_varint(&w->rec, unit_len);
	if (unit_len)
		buf_add(&w->rec, unit, unit_len);
	buf_add_varint(&w->rec, help_len);
	if (help_len)
		buf_add(&w->rec, help, help_len);
}

void
wal_add_sample(struct wal *w, uint64_t ref, int64_t ts, double v)
{
	/* This runs for every sample stored: three stores, mostly. */
	if (w->rec.len + 1 + VARINT_MAX + BATCH_ITEM * (w->n + 1) > REC_CAP)
		rec_close(w);
	if (w->n == w->cap) {
		w->cap = w->cap ? 2 * w->cap : 4096;
		w->ref = xreallocarray(w->ref, w->cap, sizeof(*w->ref));
		w->ts = xreallocarray(w->ts, w->cap, sizeof(*w->ts));
		w->v = xreallocarray(w->v, w->cap, sizeof(*w->v));
	}
	w->ref[w->n] = (uint32_t)ref;
	w->ts[w->n] = ts;
	w->v[w->n] = v;
	w->n++;
}

size_t
wal_pending(const struct wal *w)
{
	return w->out.len + rec_bytes(w);
}

int
wal_commit(struct wal *w, int sync, struct errbuf *eb)
{
	rec_close(w);
	if (w->out.len > 0) {
		if (fileio_write_all(w->fd, w->out.p, w->out.len) == -1) {
			int e = errno;
			/*
			 * The next commit goes where this one began, over what
			 * may have been written.  The file is never cut under
			 * its readers.  Until then what was written is a torn
			 * tail, as after a crash.
			 */
			lseek(w->fd, (off_t)w->size, SEEK_SET);
			buf_reset(&w->out);
			return errbuf_set(eb, "cannot write '%s': %s", w->path,
			    strerror(e));
		}
		w->size += w->out.len;
		buf_reset(&w->out);
	}
	if (sync && fdatasync(w->fd) == -1)
		return errbuf_set(eb, "cannot sync '%s': %s", w->path,
		    strerror(errno));
	return 0;
}

uint64_t
wal_size(const struct wal *w)
{
	return w->size;
}

void
wal_close(struct wal *w, int unlink_it)
{
	if (w == NULL)
		return;
	if (unlink_it)
		unlink(w->path);
	close(w->fd);
	buf_release(&w->out);
	buf_release(&w->rec);
	free(w->ref);
	free(w->ts);
	free(w->v);
	free(w->path);
	free(w);
}

/*
 * The numbers the visitor gave each ref: two levels of 2^16 entries, the
 * second made on first use, so a WAL of a few series costs a few pages
 * whatever its refs, and a damaged ref costs one page, not a map of 2^32.
 * An entry is UNDEFINED until an 'S' entry sets it.
 */
#define UNDEFINED 0xffffffffu
#define REF_PAGE 65536

struct refmap {
	uint32_t *page[65536];
	size_t hi;		/* pages from here on are all NULL */
};

static uint32_t *
ref_slot(struct refmap *m, uint32_t ref, int create)
{
	uint32_t **pg = &m->page[ref / REF_PAGE];

	if (*pg == NULL) {
		if (!create)
			return NULL;
		*pg = xmalloc(REF_PAGE * sizeof(**pg));
		memset(*pg, 0xff, REF_PAGE * sizeof(**pg));
		if (ref / REF_PAGE >= m->hi)
			m->hi = ref / REF_PAGE + 1;
	}
	return &(*pg)[ref % REF_PAGE];
}

static void
refmap_free(struct refmap *m)
{
	size_t i;

	if (m == NULL)
		return;
	/* Refs are dense from 0: most logs use the first page only. */
	for (i = 0; i < m->hi; i++)
		free(m->page[i]);
	free(m);
}

/* Visit the entries of one valid record. */
static int
read_record(const unsigned char *p, const unsigned char *end, int version,
    const struct wal_visitor *v, struct refmap *m, struct errbuf *eb)
{
	const char *what = "malformed entry";

	while (p < end) {
		uint64_t ref, u;
		uint32_t *slot;
		int tag = *p++;

		if (varint_get(&p, end, &ref) == -1 || ref > 0xffffffffu)
			goto bad;
		if (tag == 'B' && version >= 3) {
			/* 'ref' is the number of samples. */
			const unsigned char *rp = p, *tp, *vp;
			size_t i, n = (size_t)ref;
			if (n == 0 || n > (size_t)(end - p) / BATCH_ITEM)
				goto bad;
			tp = rp + 4 * n;
			vp = tp + 8 * n;
			for (i = 0; i < n; i++) {
				uint32_t r = le32_get(rp + 4 * i), id;
				const uint32_t *pg = m->page[r / REF_PAGE];
				uint64_t bits;
				double d;
				/* Most are passed by, when a reader selects. */
				if (pg != NULL && (id = pg[r % REF_PAGE]) == WAL_SKIP)
					continue;
				if (pg == NULL || id == UNDEFINED) {
					what = "sample of an undefined series";
					goto bad;
				}
				bits = le64_get(vp + 8 * i);
				memcpy(&d, &bits, 8);
				if (v->sample(v->ctx, id,
				    (int64_t)le64_get(tp + 8 * i), d) == -1)
					return -1;
			}
			p += BATCH_ITEM * n;
		} else if (tag == 'D' && version < 3) {
			uint64_t bits;
			double d;
			if ((slot = ref_slot(m, (uint32_t)ref, 0)) == NULL ||
			    *slot == UNDEFINED) {
				what = "sample of an undefined series";
				goto bad;
			}
			if (*slot == WAL_SKIP) {
				/*
				 * Passed by, as most samples are when a reader
				 * selects: the time is stepped over, not decoded.
				 */
				const unsigned char *q = p;
				uint64_t stop;
				/*
				 * The varint's last byte is the first without
				 * the top bit: found eight bytes at a time.
				 */
				if (end - p >= 16 && (stop = ~le64_get(p) &
				    0x8080808080808080ULL) != 0)
					q = p + (__builtin_ctzll(stop) >> 3);
				else
					while (q < end && q - p < VARINT_MAX &&
					    (*q & 0x80))
						q++;
				if (q >= end || (*q & 0x80) || end - (q + 1) < 8)
					goto bad;
				p = q + 1 + 8;
				continue;
			}
			if (varint_get(&p, end, &u) == -1 || end - p < 8)
				goto bad;
			bits = le64_get(p);
			p += 8;
			memcpy(&d, &bits, 8);
			if (v->sample(v->ctx, *slot, unzigzag(u), d) == -1)
				return -1;
		} else if (tag == 'S') {
			const char *key, *unit, *help;
			size_t kl, ul, hl;
			uint64_t sig = ~0ULL;
			int64_t id;
			int type;
			if (p >= end)
				goto bad;
			type = *p++;
			if (version >= 3) {
				if (end - p < 8)
					goto bad;
				sig = le64_get(p);
				p += 8;
			}
			if (type > METRIC_HISTOGRAM ||
			    varint_get_bytes(&p, end, &key, &kl) == -1 || kl == 0 ||
			    varint_get_bytes(&p, end, &unit, &ul) == -1 ||
			    varint_get_bytes(&p, end, &help, &hl) == -1)
				goto bad;
			if ((sig & v->need) != v->need) {
				/* Cannot match: the key is not even looked at. */
				*ref_slot(m, (uint32_t)ref, 1) = WAL_SKIP;
				continue;
			}
			id = v->series(v->ctx, ref, (enum metric_type)type, key,
			    kl, ul ? unit : NULL, ul, hl ? help : NULL, hl);
			if (id < 0)
				return -1;
			*ref_slot(m, (uint32_t)ref, 1) = (uint32_t)id;
		} else {
			goto bad;
		}
	}
	return 0;
bad:
	return errbuf_set(eb, "%s in a valid record", what);
}

/*
 * The file is read in slices of at least READ_SLICE bytes into one
 * buffer, a record at a time (records are at most REC_CAP, or what an
 * older writer wrote), so that reading a log costs the same memory
 * whatever its size.  A small buffer, used again and again, beats
 * mapping the file: each page a process touches for the first time
 * costs a fault, on some virtual machines several microseconds, and the
 * slice stays in the CPU's cache between the copy and the checksum.
 */
#define READ_SLICE (256u * 1024)

struct slicer {
	int fd;
	unsigned char *buf;
	size_t cap, start, end;	/* the data of the file from 'pos' */
	uint64_t pos;		/* file offset of buf[start] */
	uint64_t size;		/* what the file had when reading began */
};

/*
 * Make 'n' bytes from the current position available at
 * s->buf + s->start.  Returns 1, 0 when the file ends first, -1 on a
 * read error.
 */
static int
slice_need(struct slicer *s, size_t n)
{
	if (s->end - s->start >= n)
		return 1;
	if (s->size - s->pos < n)
		return 0;
	if (s->start > 0) {
		memmove(s->buf, s->buf + s->start, s->end - s->start);
		s->end -= s->start;
		s->start = 0;
	}
	if (n > s->cap) {
		/* A slice, or the rest of a smaller file: no 4 MiB for 1 KiB. */
		size_t want = READ_SLICE;
		if (want > s->size - s->pos)
			want = (size_t)(s->size - s->pos);
		s->cap = n > want ? n : want;
		s->buf = xrealloc(s->buf, s->cap);
	}
	while (s->end < n) {
		uint64_t at = s->pos + s->end;
		size_t want = s->cap - s->end;
		ssize_t got;
		if (want > s->size - at)
			want = (size_t)(s->size - at);
		if ((got = pread(s->fd, s->buf + s->end, want, (off_t)at)) == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (got == 0)
			return 0;	/* cut short since fstat(2) */
		s->end += (size_t)got;
	}
	return 1;
}

static void
slice_skip(struct slicer *s, size_t n)
{
	s->start += n;
	s->pos += n;
}

int
wal_read_fd(int fd, const char *path, const struct wal_visitor *v,
    struct wal_read_stats *st, struct errbuf *eb)
{
	struct slicer sl = { fd, NULL, 0, 0, 0, 0, 0 };
	struct refmap *m = NULL;
	struct stat sb;
	int rc = -1, k, version;

	memset(st, 0, sizeof(*st));
	if (fstat(fd, &sb) == -1)
		return errbuf_set(eb, "cannot stat '%s': %s", path,
		    strerror(errno));
	/* The owner may be appending: read what is there now. */
	st->file_bytes = sl.size = (uint64_t)sb.st_size;
	if ((k = slice_need(&sl, WAL_HEADER)) <= 0) {
		/* A writer killed before its header was written left nothing. */
		if (k == 0)
			rc = 0;
		else
			errbuf_set(eb, "cannot read '%s': %s", path,
			    strerror(errno));
		goto out;
	}
	if (memcmp(sl.buf, WAL_MAGIC, 8) == 0)
		version = 3;
	else if (memcmp(sl.buf, WAL_MAGIC_V2, 8) == 0)
		version = 2;
	else if (memcmp(sl.buf, WAL_MAGIC_V1, 8) == 0)
		version = 1;
	else
		version = 0;
	if (version == 0) {
		errbuf_set(eb, "'%s' is not an mtk WAL file", path);
		goto out;
	}
	st->seq = le64_get(sl.buf + 8);
	slice_skip(&sl, WAL_HEADER);
	st->valid_bytes = sl.pos;
	m = xcalloc(1, sizeof(*m));
	while ((k = slice_need(&sl, REC_HEADER)) == 1) {
		const unsigned char *r = sl.buf + sl.start;
		uint32_t len = le32_get(r), sum = le32_get(r + 4), got;
		if (len == 0 || len > WAL_RECORD_MAX ||
		    (k = slice_need(&sl, REC_HEADER + (size_t)len)) != 1)
			break;		/* the torn tail */
		r = sl.buf + sl.start + REC_HEADER;
		got = version == 1 ? XXH32(r, len, 0) :
		    (uint32_t)XXH3_64bits(r, len);
		if (got != sum)
			break;		/* the torn or corrupt tail */
		if (read_record(r, r + len, version, v, m, eb) == -1) {
			errbuf_prefix(eb, "%s: offset %llu", path,
			    (unsigned long long)sl.pos);
			goto out;
		}
		slice_skip(&sl, REC_HEADER + (size_t)len);
		st->records++;
		st->valid_bytes = sl.pos;
	}
	if (k == -1) {
		errbuf_set(eb, "cannot read '%s': %s", path, strerror(errno));
		goto out;
	}
	rc = 0;
out:
	refmap_free(m);
	free(sl.buf);
	return rc;
}

int
wal_read(const char *path, const struct wal_visitor *v,
    struct wal_read_stats *st, struct errbuf *eb)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), rc;

	if (fd == -1) {
		memset(st, 0, sizeof(*st));
		return errbuf_set(eb, "cannot open '%s': %s", path,
		    strerror(errno));
	}
	rc = wal_read_fd(fd, path, v, st, eb);
	close(fd);
	return rc;
}

int
wal_is_live(const char *path, struct errbuf *eb)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), live;

	if (fd == -1)
		return errbuf_set(eb, "cannot open '%s': %s", path,
		    strerror(errno));
	if (flock(fd, LOCK_SH | LOCK_NB) == 0) {
		live = 0;
	} else if (errno == EWOULDBLOCK) {
		live = 1;
	} else {
		live = errbuf_set(eb, "cannot lock '%s': %s", path,
		    strerror(errno));
	}
	close(fd);
	return live;
}
