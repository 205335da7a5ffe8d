/* block.c - immutable, compressed block files */
/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <xxhash.h>
#include <zstd.h>

#include "store/block.h"
#include "base/buf.h"
#include "store/chunk.h"
#include "base/fileio.h"
#include "store/rollup.h"
#include "base/varint.h"
#include "base/xalloc.h"

#define BLOCK_MAGIC "MTKBLK\0\1"
#define BLOCK_MAGIC_ROLLED "MTKBLK\0\2"
#define BLOCK_END "MTKBEND\1"
#define HEADER_SIZE 32
#define HEADER_SIZE_ROLLED 48
#define FRAME_ENTRY 56
#define FOOTER_SIZE 80
/* zstd level: sealing runs beside ingestion, so cheap but effective. */
#define ZSTD_LEVEL 3

/*
 * A series' flags byte in a rolled block: the rollup flags (rollup.h),
 * and this bit of the encoding: its increase column holds each row's
 * inc - (last - first), which is 0 until a counter resets, so that it
 * takes next to nothing; readers add (last - first) back.  Set only when
 * that gives back every row's increase bit for bit.
 */
#define BLOCK_F_INC_DELTA 0x80

struct frame {
	uint32_t first, count;
	uint64_t ts_off, v_off;
	uint32_t ts_clen, ts_ulen, v_clen, v_ulen;
	uint64_t ts_sum, v_sum;
};

struct block_writer {
	int fd;
	char *dir;
	char tmp[PATH_MAX];
	uint64_t seq, off;
	int64_t mint, maxt;
	int64_t res;		/* rolled blocks: the resolution, else 0 */
	struct buf sources;	/* rolled blocks: the source list, encoded */
	struct buf ts, val;	/* the frame being filled */
	struct buf series;	/* the series section, raw */
	struct buf key;		/* the last key added */
	struct buf z;		/* compression output */
	struct frame *frames;
	size_t nframes, frames_cap;
	uint32_t nseries, frame_first;
	double *delta;		/* rolled: scratch of inc_delta() */
	size_t delta_cap;
};

struct block_writer *
block_writer_new(const char *dir, uint64_t seq, struct errbuf *eb)
{
	struct block_writer *bw = xcalloc(1, sizeof(*bw));

	snprintf(bw->tmp, sizeof(bw->tmp), "%s/.tmp-%016llx-%d.blk", dir,
	    (unsigned long long)seq, (int)getpid());
	bw->fd = open(bw->tmp, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (bw->fd == -1) {
		errbuf_set(eb, "cannot create '%s': %s", bw->tmp,
		    strerror(errno));
		free(bw);
		return NULL;
	}
	bw->dir = xstrdup(dir);
	bw->seq = seq;
	bw->off = HEADER_SIZE;
	bw->mint = INT64_MAX;
	bw->maxt = INT64_MIN;
	return bw;
}

struct block_writer *
block_writer_new_rolled(const char *dir, uint64_t seq, int64_t res,
    const struct block_source *src, size_t nsrc, struct errbuf *eb)
{
	struct block_writer *bw = block_writer_new(dir, seq, eb);
	size_t i;

	if (bw == NULL)
		return NULL;
	bw->res = res;
	for (i = 0; i < nsrc; i++) {
		buf_add_le64(&bw->sources, (uint64_t)src[i].window);
		buf_add_le64(&bw->sources, src[i].fingerprint);
	}
	buf_add_le64(&bw->sources, XXH64(bw->sources.p, bw->sources.len, 0));
	bw->off = HEADER_SIZE_ROLLED + bw->sources.len;
	return bw;
}

/* Compress 'src' into bw->z and write it at the end.  Fills off/clen/sum. */
static int
put_compressed(struct block_writer *bw, const struct buf *src, uint64_t *off,
    uint32_t *clen, uint64_t *sum, struct errbuf *eb)
{
	size_t bound = ZSTD_compressBound(src->len), n;

	buf_reset(&bw->z);
	buf_grow(&bw->z, bound);
	n = ZSTD_compress(bw->z.p, bound, src->len ? src->p : "", src->len,
	    ZSTD_LEVEL);
	if (ZSTD_isError(n))
		return errbuf_set(eb, "zstd: %s", ZSTD_getErrorName(n));
	if (fileio_pwrite_all(bw->fd, bw->z.p, n, bw->off) == -1)
		return errbuf_set(eb, "cannot write '%s': %s", bw->tmp,
		    strerror(errno));
	*off = bw->off;
	*clen = (uint32_t)n;
	*sum = XXH64(bw->z.p, n, 0);
	bw->off += n;
	return 0;
}

static int
flush_frame(struct block_writer *bw, struct errbuf *eb)
{
	struct frame *f;

	if (bw->nseries == bw->frame_first)
		return 0;
	bw->frames = xgrow(bw->frames, &bw->frames_cap, bw->nframes + 1,
	    sizeof(*bw->frames));
	f = &bw->frames[bw->nframes];
	f->first = bw->frame_first;
	f->count = bw->nseries - bw->frame_first;
	f->ts_ulen = (uint32_t)bw->ts.len;
	f->v_ulen = (uint32_t)bw->val.len;
	if (put_compressed(bw, &bw->ts, &f->ts_off, &f->ts_clen, &f->ts_sum,
	    eb) == -1 || put_compressed(bw, &bw->val, &f->v_off, &f->v_clen,
	    &f->v_sum, eb) == -1)
		return -1;
	bw->nframes++;
	bw->frame_first = bw->nseries;
	buf_reset(&bw->ts);
	buf_reset(&bw->val);
	return 0;
}

static void
add_str(struct buf *b, const char *s)
{
	size_t n = s ? strlen(s) : 0;

	buf_add_varint(b, n);
	if (n)
		buf_add(b, s, n);
}

/* Check that 'key' comes after the previous series' key, and keep it. */
static int
next_key(struct block_writer *bw, const char *key, size_t keylen,
    struct errbuf *eb)
{
	if (bw->nseries > 0) {
		size_t m = keylen < bw->key.len ? keylen : bw->key.len;
		int c = memcmp(key, bw->key.p, m);
		if (c < 0 || (c == 0 && keylen <= bw->key.len))
			return errbuf_set(eb, "block series out of order");
	}
	buf_reset(&bw->key);
	buf_add(&bw->key, key, keylen);
	return 0;
}

/* The series entry, up to the lengths of its values. */
static void
add_entry(struct block_writer *bw, const char *key, size_t keylen,
    enum metric_type type, const char *unit, const char *help,
    const int64_t *ts, size_t n, size_t ts_len, size_t v_len)
{
	if (ts[0] < bw->mint)
		bw->mint = ts[0];
	if (ts[n - 1] > bw->maxt)
		bw->maxt = ts[n - 1];
	buf_add_varint(&bw->series, keylen);
	buf_add(&bw->series, key, keylen);
	buf_addch(&bw->series, (char)type);
	add_str(&bw->series, unit);
	add_str(&bw->series, help);
	buf_add_varint(&bw->series, n);
	buf_add_varint(&bw->series, zigzag(ts[0]));
	buf_add_varint(&bw->series, (uint64_t)(ts[n - 1] - ts[0]));
	buf_add_varint(&bw->series, ts_len);
	buf_add_varint(&bw->series, v_len);
}

int
block_writer_add(struct block_writer *bw, const char *key, size_t keylen,
    enum metric_type type, const char *unit, const char *help,
    const int64_t *ts, const double *v, size_t n, struct errbuf *eb)
{
	size_t ts0 = bw->ts.len, v0 = bw->val.len;

	if (n == 0)
		return 0;
	if (bw->res)
		return errbuf_set(eb, "samples added to a rolled block");
	if (next_key(bw, key, keylen, eb) == -1)
		return -1;
	chunk_encode(&bw->ts, &bw->val, ts, v, n);
	add_entry(bw, key, keylen, type, unit, help, ts, n, bw->ts.len - ts0,
	    bw->val.len - v0);
	bw->nseries++;
	if (bw->ts.len + bw->val.len >= BLOCK_FRAME_TARGET)
		return flush_frame(bw, eb);
	return 0;
}

/* The columns a row of 'flags' has, in the order they are stored. */
static int
rolled_cols(unsigned flags)
{
	return flags & ROLLUP_F_COUNTER ? ROLLUP_NCOLS : ROLLUP_BASE_COLS;
}

/* An increase from its BLOCK_F_INC_DELTA form, as readers compute it. */
static double
inc_from_delta(double last, double first, double delta)
{
	return (last - first) + delta;
}

/*
 * The increase column of 'r' in BLOCK_F_INC_DELTA form, in bw->delta, or
 * NULL when some row would not read back bit for bit.
 */
static const double *
inc_delta(struct block_writer *bw, const struct rollup *r)
{
	const double *last = r->col[ROLLUP_LAST], *first = r->col[ROLLUP_FIRST];
	const double *inc = r->col[ROLLUP_INC];
	size_t k;

	bw->delta = xgrow(bw->delta, &bw->delta_cap, r->n, sizeof(double));
	for (k = 0; k < r->n; k++) {
		double back;
		bw->delta[k] = inc[k] - (last[k] - first[k]);
		back = inc_from_delta(last[k], first[k], bw->delta[k]);
		if (memcmp(&back, &inc[k], sizeof(back)) != 0)
			return NULL;
	}
	return bw->delta;
}

int
block_writer_add_rollup(struct block_writer *bw, const char *key,
    size_t keylen, enum metric_type type, const char *unit, const char *help,
    const struct rollup *r, struct errbuf *eb)
{
	size_t ts0 = bw->ts.len, v0 = bw->val.len, len[ROLLUP_NCOLS + 1];
	const double *delta;
	int c, ncols = rolled_cols(r->flags);

	if (r->n == 0)
		return 0;
	if (bw->res == 0)
		return errbuf_set(eb, "rows added to a raw block");
	if (next_key(bw, key, keylen, eb) == -1)
		return -1;
	chunk_encode(&bw->ts, &bw->val, r->t, r->col[ROLLUP_COUNT], r->n);
	len[0] = bw->val.len - v0;
	delta = (r->flags & ROLLUP_F_COUNTER) ? inc_delta(bw, r) : NULL;
	for (c = 1; c < ncols; c++) {
		size_t before = bw->val.len;
		chunk_encode_values(&bw->val, c == ROLLUP_INC && delta ? delta :
		    r->col[c], r->n);
		len[c] = bw->val.len - before;
	}
	if (r->flags & ROLLUP_F_SKETCH) {
		size_t before = bw->val.len, i;
		for (i = 0; i < r->n; i++) {
			buf_add_varint(&bw->val, r->sk_len[i]);
			buf_add(&bw->val, r->sk.p + r->sk_off[i], r->sk_len[i]);
		}
		len[ncols] = bw->val.len - before;
	}
	add_entry(bw, key, keylen, type, unit, help, r->t, r->n,
	    bw->ts.len - ts0, bw->val.len - v0);
	buf_addch(&bw->series, (char)(r->flags | (delta ? BLOCK_F_INC_DELTA : 0)));
	for (c = 0; c < ncols; c++)
		buf_add_varint(&bw->series, len[c]);
	bw->nseries++;
	if (bw->ts.len + bw->val.len >= BLOCK_FRAME_TARGET)
		return flush_frame(bw, eb);
	return 0;
}

uint64_t
block_writer_bytes(const struct block_writer *bw)
{
	return bw->off;
}

void
block_writer_abort(struct block_writer *bw)
{
	if (bw == NULL)
		return;
	close(bw->fd);
	if (bw->tmp[0])
		unlink(bw->tmp);
	buf_release(&bw->ts);
	buf_release(&bw->val);
	buf_release(&bw->series);
	buf_release(&bw->key);
	buf_release(&bw->z);
	buf_release(&bw->sources);
	free(bw->delta);
	free(bw->frames);
	free(bw->dir);
	free(bw);
}

int
block_writer_finish(struct block_writer *bw, char *path, struct errbuf *eb)
{
	unsigned char hdr[HEADER_SIZE_ROLLED], foot[FOOTER_SIZE];
	struct buf table = BUF_INIT;
	uint64_t s_off, s_sum, t_off;
	uint32_t s_clen;
	char final[PATH_MAX];
	size_t i;
	int rc = -1, tries;

	if (path)
		path[0] = '\0';
	if (bw->nseries == 0) {
		block_writer_abort(bw);
		return 0;
	}
	if (flush_frame(bw, eb) == -1 ||
	    put_compressed(bw, &bw->series, &s_off, &s_clen, &s_sum, eb) == -1)
		goto out;
	for (i = 0; i < bw->nframes; i++) {
		const struct frame *f = &bw->frames[i];
		buf_add_le32(&table, f->first);
		buf_add_le32(&table, f->count);
		buf_add_le64(&table, f->ts_off);
		buf_add_le32(&table, f->ts_clen);
		buf_add_le32(&table, f->ts_ulen);
		buf_add_le64(&table, f->v_off);
		buf_add_le32(&table, f->v_clen);
		buf_add_le32(&table, f->v_ulen);
		buf_add_le64(&table, f->ts_sum);
		buf_add_le64(&table, f->v_sum);
	}
	t_off = bw->off;
	le64_put(foot, s_off);
	le64_put(foot + 8, s_clen);
	le64_put(foot + 16, bw->series.len);
	le64_put(foot + 24, s_sum);
	le64_put(foot + 32, t_off);
	le64_put(foot + 40, bw->nframes);
	le64_put(foot + 48, bw->nseries);
	/* The footer's own sum covers the table and the footer before it. */
	buf_add(&table, foot, 56);
	le64_put(foot + 56, XXH64(table.p, table.len, 0));
	memcpy(foot + 64, "\0\0\0\0\0\0\0\0", 8);
	memcpy(foot + 72, BLOCK_END, 8);
	table.len -= 56;
	memcpy(hdr, bw->res ? BLOCK_MAGIC_ROLLED : BLOCK_MAGIC, 8);
	le64_put(hdr + 8, bw->seq);
	le64_put(hdr + 16, (uint64_t)bw->mint);
	le64_put(hdr + 24, (uint64_t)bw->maxt);
	le64_put(hdr + 32, (uint64_t)bw->res);
	le64_put(hdr + 40, (bw->sources.len - 8) / 16);
	if ((bw->res && fileio_pwrite_all(bw->fd, bw->sources.p, bw->sources.len,
	    HEADER_SIZE_ROLLED) == -1) ||
	    fileio_pwrite_all(bw->fd, table.p, table.len, t_off) == -1 ||
	    fileio_pwrite_all(bw->fd, foot, sizeof(foot), t_off + table.len) == -1 ||
	    fileio_pwrite_all(bw->fd, hdr, bw->res ? HEADER_SIZE_ROLLED :
	    HEADER_SIZE, 0) == -1) {
		errbuf_set(eb, "cannot write '%s': %s", bw->tmp, strerror(errno));
		goto out;
	}
	if (fsync(bw->fd) == -1) {
		errbuf_set(eb, "cannot sync '%s': %s", bw->tmp, strerror(errno));
		goto out;
	}
	/*
	 * link(2), unlike rename(2), never replaces a block another writer
	 * put there under the same name.
	 */
	for (tries = 0;; tries++) {
		snprintf(final, sizeof(final), "%s/%013lld-%016llx.blk", bw->dir,
		    (long long)bw->mint, (unsigned long long)bw->seq + (unsigned)tries);
		if (link(bw->tmp, final) == 0)
			break;
		if (errno != EEXIST || tries == 100) {
			errbuf_set(eb, "cannot link '%s': %s", final,
			    strerror(errno));
			goto out;
		}
	}
	unlink(bw->tmp);
	bw->tmp[0] = '\0';	/* nothing for block_writer_abort() to remove */
	if (fileio_sync_dir(bw->dir) == -1) {
		errbuf_set(eb, "cannot sync '%s': %s", bw->dir, strerror(errno));
		goto out;
	}
	if (path)
		snprintf(path, PATH_MAX, "%s", final);
	rc = 0;
out:
	buf_release(&table);
	block_writer_abort(bw);
	return rc;
}

/*
 * Reading.
 */
struct series_ix {
	struct block_series s;
	uint32_t frame;
	uint32_t ts_at, ts_len, v_at, v_len;	/* within the frame, raw */
	uint32_t col_at;	/* rolled: first of its lengths in b->cols */
	int inc_delta;		/* rolled: BLOCK_F_INC_DELTA */
};

struct block {
	int fd;
	char *path;
	uint64_t seq, size;
	int64_t mint, maxt;
	int64_t res;		/* rolled blocks, else 0 */
	struct block_source *sources;
	size_t nsources;
	uint32_t *cols;		/* rolled: each series' column lengths */
	size_t ncols, cols_cap;
	char *series_raw;	/* the decompressed series section */
	struct series_ix *ix;
	size_t nseries;
	struct frame *frames;
	size_t nframes;
	/* The last frame decompressed, kept for the next series in it. */
	long cached;
	struct buf ts, val, z;
};

static int
decompress(int fd, uint64_t off, uint32_t clen, uint32_t ulen, uint64_t sum,
    struct buf *z, struct buf *out)
{
	size_t n;

	buf_reset(z);
	buf_grow(z, clen);
	if (fileio_pread_all(fd, z->p, clen, off) == -1 || XXH64(z->p, clen, 0) != sum)
		return -1;
	buf_reset(out);
	buf_grow(out, ulen);
	n = ZSTD_decompress(out->p, ulen, z->p, clen);
	if (ZSTD_isError(n) || n != ulen)
		return -1;
	out->len = ulen;
	return 0;
}

/* A length-prefixed string of the series section, which 'b' owns. */
static int
get_str(const unsigned char **p, const unsigned char *end, char **out,
    size_t *len)
{
	const char *s;

	if (varint_get_bytes(p, end, &s, len) == -1)
		return -1;
	*out = (char *)s;
	return 0;
}

/*
 * Parse the series section.  Strings are made NUL-terminated in place by
 * moving each one byte back over its length varint, which is at least a
 * byte long, so keys, units and helps are plain C strings too.
 */
static int
parse_series(struct block *b, size_t len)
{
	const unsigned char *p = (unsigned char *)b->series_raw;
	const unsigned char *end = p + len;
	size_t i, f = 0, ts_at = 0, v_at = 0;

	b->ix = xcalloc(b->nseries ? b->nseries : 1, sizeof(*b->ix));
	for (i = 0; i < b->nseries; i++) {
		struct series_ix *x = &b->ix[i];
		char *s;
		size_t sl;
		uint64_t n, u, span, tl, vl;
		int type;

		while (f < b->nframes && i >= b->frames[f].first + b->frames[f].count)
			f++, ts_at = v_at = 0;
		if (f == b->nframes || i < b->frames[f].first)
			return -1;
		if (get_str(&p, end, &s, &sl) == -1 || sl == 0)
			return -1;
		memmove(s - 1, s, sl);
		s[sl - 1] = '\0';
		x->s.key = s - 1;
		x->s.keylen = sl;
		if (p >= end || (type = *p++) > METRIC_HISTOGRAM)
			return -1;
		x->s.type = (enum metric_type)type;
		if (get_str(&p, end, &s, &sl) == -1)
			return -1;
		if (sl) {
			memmove(s - 1, s, sl);
			s[sl - 1] = '\0';
			x->s.unit = s - 1;
		}
		if (get_str(&p, end, &s, &sl) == -1)
			return -1;
		if (sl) {
			memmove(s - 1, s, sl);
			s[sl - 1] = '\0';
			x->s.help = s - 1;
		}
		if (varint_get(&p, end, &n) == -1 || n == 0 ||
		    varint_get(&p, end, &u) == -1 ||
		    varint_get(&p, end, &span) == -1 ||
		    varint_get(&p, end, &tl) == -1 ||
		    varint_get(&p, end, &vl) == -1)
			return -1;
		if (b->res) {
			int c, nc;
			uint64_t l, total = 0;
			if (p >= end || (*p & ~(ROLLUP_F_COUNTER | ROLLUP_F_SKETCH |
			    BLOCK_F_INC_DELTA)) || ((*p & BLOCK_F_INC_DELTA) &&
			    !(*p & ROLLUP_F_COUNTER)))
				return -1;
			x->inc_delta = (*p & BLOCK_F_INC_DELTA) != 0;
			x->s.rollup_flags = *p++ & ~BLOCK_F_INC_DELTA;
			nc = rolled_cols(x->s.rollup_flags);
			b->cols = xgrow(b->cols, &b->cols_cap, b->ncols + nc + 1,
			    sizeof(*b->cols));
			x->col_at = (uint32_t)b->ncols;
			for (c = 0; c < nc; c++) {
				if (varint_get(&p, end, &l) == -1 || l > vl)
					return -1;
				b->cols[b->ncols++] = (uint32_t)l;
				total += l;
			}
			/* The sketches take what is left. */
			if (total > vl || (total < vl &&
			    !(x->s.rollup_flags & ROLLUP_F_SKETCH)))
				return -1;
			b->cols[b->ncols++] = (uint32_t)(vl - total);
		}
		x->s.n = (size_t)n;
		x->s.mint = unzigzag(u);
		x->s.maxt = (int64_t)((uint64_t)x->s.mint + span);
		x->frame = (uint32_t)f;
		x->ts_at = (uint32_t)ts_at;
		x->ts_len = (uint32_t)tl;
		x->v_at = (uint32_t)v_at;
		x->v_len = (uint32_t)vl;
		ts_at += tl;
		v_at += vl;
		if (ts_at > b->frames[f].ts_ulen || v_at > b->frames[f].v_ulen)
			return -1;
	}
	return p == end ? 0 : -1;
}

struct block *
block_open(const char *path, struct errbuf *eb)
{
	unsigned char hdr[HEADER_SIZE_ROLLED], foot[FOOTER_SIZE];
	struct block *b = xcalloc(1, sizeof(*b));
	size_t hsize;
	struct buf table = BUF_INIT, z = BUF_INIT, raw = BUF_INIT;
	uint64_t s_off, s_clen, s_ulen, s_sum, t_off;
	struct stat st;
	size_t i;

	b->path = xstrdup(path);
	b->cached = -1;
	if ((b->fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		errbuf_set(eb, "cannot open '%s': %s", path, strerror(errno));
		goto fail;
	}
	if (fstat(b->fd, &st) == -1 ||
	    (uint64_t)st.st_size < HEADER_SIZE_ROLLED + FOOTER_SIZE ||
	    fileio_pread_all(b->fd, hdr, sizeof(hdr), 0) == -1 ||
	    fileio_pread_all(b->fd, foot, sizeof(foot),
	    (uint64_t)st.st_size - FOOTER_SIZE) == -1 ||
	    memcmp(foot + 72, BLOCK_END, 8) != 0)
		goto corrupt;
	if (memcmp(hdr, BLOCK_MAGIC, 8) == 0)
		hsize = HEADER_SIZE;
	else if (memcmp(hdr, BLOCK_MAGIC_ROLLED, 8) == 0)
		hsize = HEADER_SIZE_ROLLED;
	else
		goto corrupt;
	b->size = (uint64_t)st.st_size;
	b->seq = le64_get(hdr + 8);
	b->mint = (int64_t)le64_get(hdr + 16);
	b->maxt = (int64_t)le64_get(hdr + 24);
	if (hsize == HEADER_SIZE_ROLLED) {
		uint64_t ns = le64_get(hdr + 40);
		const unsigned char *u;
		b->res = (int64_t)le64_get(hdr + 32);
		if (b->res <= 0 || ns > (b->size - hsize - FOOTER_SIZE) / 16)
			goto corrupt;
		buf_grow(&table, ns * 16 + 8);
		u = (const unsigned char *)table.p;
		if (fileio_pread_all(b->fd, table.p, ns * 16 + 8, hsize) == -1 ||
		    XXH64(table.p, ns * 16, 0) != le64_get(u + ns * 16))
			goto corrupt;
		b->sources = xcalloc(ns ? ns : 1, sizeof(*b->sources));
		for (i = 0; i < ns; i++) {
			b->sources[i].window = (int64_t)le64_get(u + i * 16);
			b->sources[i].fingerprint = le64_get(u + i * 16 + 8);
		}
		b->nsources = (size_t)ns;
		hsize += ns * 16 + 8;
	}
	s_off = le64_get(foot);
	s_clen = le64_get(foot + 8);
	s_ulen = le64_get(foot + 16);
	s_sum = le64_get(foot + 24);
	t_off = le64_get(foot + 32);
	b->nframes = (size_t)le64_get(foot + 40);
	b->nseries = (size_t)le64_get(foot + 48);
	if (t_off > b->size - FOOTER_SIZE || t_off < hsize ||
	    b->nframes != (b->size - FOOTER_SIZE - t_off) / FRAME_ENTRY ||
	    (b->size - FOOTER_SIZE - t_off) % FRAME_ENTRY != 0 ||
	    s_off + s_clen > t_off || s_clen > UINT32_MAX || s_ulen > UINT32_MAX)
		goto corrupt;
	buf_grow(&table, b->nframes * FRAME_ENTRY + 56);
	if (fileio_pread_all(b->fd, table.p, b->nframes * FRAME_ENTRY, t_off) == -1)
		goto corrupt;
	table.len = b->nframes * FRAME_ENTRY;
	buf_add(&table, foot, 56);
	if (XXH64(table.p, table.len, 0) != le64_get(foot + 56))
		goto corrupt;
	b->frames = xcalloc(b->nframes ? b->nframes : 1, sizeof(*b->frames));
	for (i = 0; i < b->nframes; i++) {
		const unsigned char *e = (unsigned char *)table.p + i * FRAME_ENTRY;
		struct frame *f = &b->frames[i];
		f->first = le32_get(e);
		f->count = le32_get(e + 4);
		f->ts_off = le64_get(e + 8);
		f->ts_clen = le32_get(e + 16);
		f->ts_ulen = le32_get(e + 20);
		f->v_off = le64_get(e + 24);
		f->v_clen = le32_get(e + 32);
		f->v_ulen = le32_get(e + 36);
		f->ts_sum = le64_get(e + 40);
		f->v_sum = le64_get(e + 48);
		if (f->ts_off + f->ts_clen > t_off || f->v_off + f->v_clen > t_off)
			goto corrupt;
	}
	if (decompress(b->fd, s_off, (uint32_t)s_clen, (uint32_t)s_ulen, s_sum,
	    &z, &raw) == -1)
		goto corrupt;
	b->series_raw = raw.p;
	raw.p = NULL;
	if (parse_series(b, (size_t)s_ulen) == -1)
		goto corrupt;
	buf_release(&table);
	buf_release(&z);
	return b;
corrupt:
	errbuf_set(eb, "'%s' is not a valid block (corrupt or truncated)", path);
fail:
	buf_release(&table);
	buf_release(&z);
	buf_release(&raw);
	block_close(b);
	return NULL;
}

void
block_close(struct block *b)
{
	if (b == NULL)
		return;
	if (b->fd >= 0)
		close(b->fd);
	free(b->path);
	free(b->series_raw);
	free(b->ix);
	free(b->cols);
	free(b->sources);
	free(b->frames);
	buf_release(&b->ts);
	buf_release(&b->val);
	buf_release(&b->z);
	free(b);
}

uint64_t block_seq(const struct block *b) { return b->seq; }
int64_t block_res(const struct block *b) { return b->res; }

const struct block_source *
block_sources(const struct block *b, size_t *n)
{
	*n = b->nsources;
	return b->sources;
}
int64_t block_mint(const struct block *b) { return b->mint; }
int64_t block_maxt(const struct block *b) { return b->maxt; }
size_t block_nseries(const struct block *b) { return b->nseries; }
uint64_t block_file_size(const struct block *b) { return b->size; }
const char *block_path(const struct block *b) { return b->path; }

const struct block_series *
block_series(const struct block *b, size_t i)
{
	return &b->ix[i].s;
}

static int
load_frame(struct block *b, size_t f, struct errbuf *eb)
{
	const struct frame *fr = &b->frames[f];

	if (b->cached == (long)f)
		return 0;
	b->cached = -1;
	if (decompress(b->fd, fr->ts_off, fr->ts_clen, fr->ts_ulen, fr->ts_sum,
	    &b->z, &b->ts) == -1 ||
	    decompress(b->fd, fr->v_off, fr->v_clen, fr->v_ulen, fr->v_sum,
	    &b->z, &b->val) == -1)
		return errbuf_set(eb, "'%s': frame %zu is corrupt", b->path, f);
	b->cached = (long)f;
	return 0;
}

int
block_read(struct block *b, size_t i, int64_t *ts, double *v,
    struct errbuf *eb)
{
	const struct series_ix *x = &b->ix[i];

	if (b->res)
		return errbuf_set(eb, "'%s' is a rolled block", b->path);
	if (load_frame(b, x->frame, eb) == -1)
		return -1;
	if (chunk_decode_ts((unsigned char *)b->ts.p + x->ts_at, x->ts_len,
	    x->s.n, ts) == -1 ||
	    chunk_decode_values((unsigned char *)b->val.p + x->v_at, x->v_len,
	    x->s.n, v) == -1)
		return errbuf_set(eb, "'%s': series %zu does not decode",
		    b->path, i);
	return 0;
}

int
block_read_rollup(struct block *b, size_t i, struct rollup *out,
    struct errbuf *eb)
{
	const struct series_ix *x = &b->ix[i];
	const uint32_t *len = b->cols + x->col_at;
	const unsigned char *p, *end;
	size_t n = x->s.n, base = out->n, k;
	int c, nc = rolled_cols(x->s.rollup_flags);

	if (b->res == 0)
		return errbuf_set(eb, "'%s' is not a rolled block", b->path);
	if (out->flags != x->s.rollup_flags)
		return errbuf_set(eb, "'%s': series %zu: unexpected columns",
		    b->path, i);
	if (load_frame(b, x->frame, eb) == -1)
		return -1;
	rollup_reserve(out, base + n);
	p = (unsigned char *)b->val.p + x->v_at;
	if (chunk_decode_ts((unsigned char *)b->ts.p + x->ts_at, x->ts_len, n,
	    out->t + base) == -1)
		goto bad;
	for (c = 0; c < nc; c++) {
		if (chunk_decode_values(p, len[c], n, out->col[c] + base) == -1)
			goto bad;
		p += len[c];
	}
	for (; c < ROLLUP_NCOLS; c++)
		for (k = 0; k < n; k++)
			out->col[c][base + k] = NAN;
	if (x->inc_delta)
		for (k = base; k < base + n; k++)
			out->col[ROLLUP_INC][k] = inc_from_delta(
			    out->col[ROLLUP_LAST][k], out->col[ROLLUP_FIRST][k],
			    out->col[ROLLUP_INC][k]);
	end = p + len[nc];
	for (k = 0; k < n; k++) {
		const char *s;
		size_t sl = 0;
		if ((x->s.rollup_flags & ROLLUP_F_SKETCH) &&
		    varint_get_bytes(&p, end, &s, &sl) == -1)
			goto bad;
		out->sk_off[base + k] = out->sk.len;
		out->sk_len[base + k] = sl;
		if (sl)
			buf_add(&out->sk, s, sl);
	}
	if (p != end)
		goto bad;
	out->n = base + n;
	return 0;
bad:
	return errbuf_set(eb, "'%s': series %zu does not decode", b->path, i);
}

int
block_verify(struct block *b, struct errbuf *eb)
{
	int64_t *ts = NULL;
	double *v = NULL;
	size_t i, cap = 0;
	int rc = 0;

	if (b->res) {
		struct rollup r = ROLLUP_INIT;
		for (i = 0; i < b->nseries && rc == 0; i++) {
			rollup_reset(&r, b->ix[i].s.rollup_flags);
			rc = block_read_rollup(b, i, &r, eb);
		}
		rollup_release(&r);
		return rc;
	}

	for (i = 0; i < b->nseries && rc == 0; i++) {
		size_t c2 = cap;
		ts = xgrow(ts, &cap, b->ix[i].s.n, sizeof(*ts));
		v = xgrow(v, &c2, b->ix[i].s.n, sizeof(*v));
		rc = block_read(b, i, ts, v, eb);
	}
	free(ts);
	free(v);
	return rc;
}
