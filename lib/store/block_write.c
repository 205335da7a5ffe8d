/* block_write.c - writing block files: frames, pages, postings, tables */
/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <xxhash.h>
#include <zstd.h>

#include "base/buf.h"
#include "base/fileio.h"
#include "base/strmap.h"
#include "base/varint.h"
#include "base/xalloc.h"
#include "store/block.h"
#include "store/block_int.h"
#include "store/chunk.h"
#include "store/rollup.h"
#include "stream/series.h"

/*
 * zstd levels: sealing runs beside ingestion, so cheap but effective for
 * the data; the index (pages, labels, postings) is a small part of a
 * block and read often, so worth packing harder.
 */
#define ZSTD_LEVEL 3
#define ZSTD_LEVEL_INDEX 9

/* Where a compressed frame or page is, as the tables record it. */
struct zref {
	uint64_t off;
	uint32_t clen, ulen;
	uint64_t sum;
};

struct frame {
	uint32_t first, count;
	struct zref ts, v;
};

/* The series numbers that have one label name and value. */
struct postings {
	uint32_t *v;
	size_t n, cap;
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
	struct buf page;	/* the page being filled, raw */
	struct buf key;		/* the last key added */
	struct buf z;		/* compression output */
	struct frame *frames;
	size_t nframes, frames_cap;
	struct zref *pages;
	uint32_t *page_first;	/* each page's first series */
	size_t npages, pages_cap;
	uint32_t page_start;	/* the first series of the page being filled */
	uint32_t nseries, frame_first;
	int64_t prev_first;	/* the previous series' first timestamp */
	struct strmap *pairs;	/* "name\0value" -> its postings */
	struct postings *post;
	size_t post_cap;
	double *delta;		/* rolled: scratch of inc_delta() */
	size_t delta_cap;
	ZSTD_CCtx *cctx;
};

static size_t
header_size(size_t nsources)
{
	return BLOCK_HEADER_V3 + 16 * nsources + 8;
}

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
	bw->off = header_size(0);
	bw->mint = INT64_MAX;
	bw->maxt = INT64_MIN;
	bw->pairs = strmap_new();
	if ((bw->cctx = ZSTD_createCCtx()) == NULL) {
		block_writer_abort(bw);
		errbuf_set(eb, "zstd: out of memory");
		return NULL;
	}
	return bw;
}

struct block_writer *
block_writer_new_rolled(const char *dir, uint64_t seq, int64_t res,
    const struct block_source *src, size_t nsrc, struct errbuf *eb)
{
	struct block_writer *bw;
	size_t i;

	/* What readers take (block_int.h). */
	if (res < BLOCK_ROLLED_RES_MIN) {
		errbuf_set(eb, "a rolled block of %lld ms: the finest is %d ms",
		    (long long)res, BLOCK_ROLLED_RES_MIN);
		return NULL;
	}
	if ((bw = block_writer_new(dir, seq, eb)) == NULL)
		return NULL;
	bw->res = res;
	for (i = 0; i < nsrc; i++) {
		buf_add_le64(&bw->sources, (uint64_t)src[i].window);
		buf_add_le64(&bw->sources, src[i].fingerprint);
	}
	bw->off = header_size(nsrc);
	return bw;
}

/* Compress 'len' bytes at 'p' and write them at the end; fill 'z'. */
static int
put_compressed(struct block_writer *bw, const void *p, size_t len, int level,
    struct zref *z, struct errbuf *eb)
{
	size_t bound = ZSTD_compressBound(len), n;

	buf_reset(&bw->z);
	buf_grow(&bw->z, bound);
	n = ZSTD_compressCCtx(bw->cctx, bw->z.p, bound, len ? p : "", len,
	    level);
	if (ZSTD_isError(n))
		return errbuf_set(eb, "zstd: %s", ZSTD_getErrorName(n));
	if (fileio_pwrite_all(bw->fd, bw->z.p, n, bw->off) == -1)
		return errbuf_set(eb, "cannot write '%s': %s", bw->tmp,
		    strerror(errno));
	z->off = bw->off;
	z->clen = (uint32_t)n;
	z->ulen = (uint32_t)len;
	z->sum = XXH64(bw->z.p, n, 0);
	bw->off += n;
	return 0;
}

/* Write the bytes 'p' ('len') uncompressed at the end. */
static int
put_raw(struct block_writer *bw, const void *p, size_t len, struct errbuf *eb)
{
	if (len && fileio_pwrite_all(bw->fd, p, len, bw->off) == -1)
		return errbuf_set(eb, "cannot write '%s': %s", bw->tmp,
		    strerror(errno));
	bw->off += len;
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
	if (put_compressed(bw, bw->ts.p, bw->ts.len, ZSTD_LEVEL, &f->ts,
	    eb) == -1 ||
	    put_compressed(bw, bw->val.p, bw->val.len, ZSTD_LEVEL, &f->v,
	    eb) == -1)
		return -1;
	bw->nframes++;
	bw->frame_first = bw->nseries;
	buf_reset(&bw->ts);
	buf_reset(&bw->val);
	return 0;
}

static int
flush_page(struct block_writer *bw, struct errbuf *eb)
{
	if (bw->page.len == 0)
		return 0;
	bw->pages = xgrow(bw->pages, &bw->pages_cap, bw->npages + 1,
	    sizeof(*bw->pages));
	bw->page_first = xreallocarray(bw->page_first, bw->pages_cap,
	    sizeof(*bw->page_first));
	bw->page_first[bw->npages] = bw->page_start;
	if (put_compressed(bw, bw->page.p, bw->page.len, ZSTD_LEVEL_INDEX,
	    &bw->pages[bw->npages], eb) == -1)
		return -1;
	bw->npages++;
	bw->page_start = bw->nseries;
	buf_reset(&bw->page);
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
	return 0;
}

/* Keep 'key' as the previous key for the next series. */
static void
keep_key(struct block_writer *bw, const char *key, size_t keylen)
{
	buf_reset(&bw->key);
	buf_add(&bw->key, key, keylen);
}

/* Add series number 'id' to the postings of "name\0value" ('len'). */
static void
post_add(struct block_writer *bw, const char *pair, size_t len, uint32_t id)
{
	uint32_t p = strmap_intern(bw->pairs, pair, len, strmap_hash(pair, len),
	    NULL);
	struct postings *ps;

	if (p >= bw->post_cap) {
		size_t old = bw->post_cap;
		bw->post = xgrow(bw->post, &bw->post_cap, (size_t)p + 1,
		    sizeof(*bw->post));
		memset(bw->post + old, 0, (bw->post_cap - old) * sizeof(*bw->post));
	}
	ps = &bw->post[p];
	ps->v = xgrow(ps->v, &ps->cap, ps->n + 1, sizeof(*ps->v));
	ps->v[ps->n++] = id;
}

/*
 * The postings of a series: its key is "name\0l1\0v1\0l2\0v2\0...", so
 * each label's pair "l\0v" is already in it; the name's is made here.
 */
static int
add_postings(struct block_writer *bw, const char *key, size_t keylen,
    struct errbuf *eb)
{
	const char *p = key, *end = key + keylen, *nul;
	size_t nl = strnlen(key, keylen);

	buf_reset(&bw->z);
	buf_add(&bw->z, "__name__", 9);
	buf_add(&bw->z, key, nl);
	post_add(bw, bw->z.p, bw->z.len, bw->nseries);
	p = key + nl + 1;
	while (p < end) {
		const char *pair = p;
		if ((nul = memchr(p, '\0', (size_t)(end - p))) == NULL ||
		    (nul = memchr(nul + 1, '\0', (size_t)(end - nul - 1))) == NULL)
			return errbuf_set(eb, "block series key is malformed");
		/* Empty values are no label at all (mtk-stream(5)). */
		if (nul[-1] != '\0')
			post_add(bw, pair, (size_t)(nul - pair), bw->nseries);
		p = nul + 1;
	}
	return 0;
}

/*
 * The series entry, up to the lengths of its values.  A page starts with
 * where the data of its first series is (its frame, and its offsets in
 * the frame's two columns); the data of each next series follows that of
 * the one before, in the same frame or at the start of the next.  Keys
 * are written as the length of the prefix shared with the previous key
 * in the page and the rest; first timestamps as the difference from the
 * previous series'.
 */
static void
add_entry(struct block_writer *bw, const char *key, size_t keylen,
    const char *prev, size_t prev_len, enum metric_type type,
    const char *unit, const char *help, const int64_t *ts, size_t n,
    size_t ts_at, size_t ts_len, size_t v_at, size_t v_len)
{
	struct buf *b = &bw->page;
	size_t shared = 0;

	if (ts[0] < bw->mint)
		bw->mint = ts[0];
	if (ts[n - 1] > bw->maxt)
		bw->maxt = ts[n - 1];
	if (b->len == 0) {
		buf_add_varint(b, bw->nframes);
		buf_add_varint(b, ts_at);
		buf_add_varint(b, v_at);
		bw->prev_first = 0;
	} else {
		while (shared < keylen && shared < prev_len &&
		    key[shared] == prev[shared])
			shared++;
	}
	buf_add_varint(b, shared);
	buf_add_varint(b, keylen - shared);
	buf_add(b, key + shared, keylen - shared);
	buf_addch(b, (char)type);
	add_str(b, unit);
	add_str(b, help);
	buf_add_varint(b, n);
	buf_add_varint(b, zigzag((int64_t)((uint64_t)ts[0] -
	    (uint64_t)bw->prev_first)));
	buf_add_varint(b, (uint64_t)(ts[n - 1] - ts[0]));
	buf_add_varint(b, ts_len);
	buf_add_varint(b, v_len);
	bw->prev_first = ts[0];
}

/* After a series' entry: count it, and flush what is full. */
static int
end_series(struct block_writer *bw, struct errbuf *eb)
{
	bw->nseries++;
	if (bw->page.len >= BLOCK_PAGE_TARGET && flush_page(bw, eb) == -1)
		return -1;
	if (bw->ts.len + bw->val.len >= BLOCK_FRAME_TARGET)
		return flush_frame(bw, eb);
	return 0;
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
	if (next_key(bw, key, keylen, eb) == -1 ||
	    add_postings(bw, key, keylen, eb) == -1)
		return -1;
	chunk_encode(&bw->ts, &bw->val, ts, v, n);
	add_entry(bw, key, keylen, bw->key.p, bw->key.len, type, unit, help,
	    ts, n, ts0, bw->ts.len - ts0, v0, bw->val.len - v0);
	keep_key(bw, key, keylen);
	return end_series(bw, eb);
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
		back = block_inc_from_delta(last[k], first[k], bw->delta[k]);
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
	int c, ncols = block_rolled_cols(r->flags);

	if (r->n == 0)
		return 0;
	if (bw->res == 0)
		return errbuf_set(eb, "rows added to a raw block");
	if (next_key(bw, key, keylen, eb) == -1 ||
	    add_postings(bw, key, keylen, eb) == -1)
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
	add_entry(bw, key, keylen, bw->key.p, bw->key.len, type, unit, help,
	    r->t, r->n, ts0, bw->ts.len - ts0, v0, bw->val.len - v0);
	keep_key(bw, key, keylen);
	buf_addch(&bw->page, (char)(r->flags | (delta ? BLOCK_F_INC_DELTA : 0)));
	for (c = 0; c < ncols; c++)
		buf_add_varint(&bw->page, len[c]);
	return end_series(bw, eb);
}

uint64_t
block_writer_bytes(const struct block_writer *bw)
{
	return bw->off;
}

void
block_writer_abort(struct block_writer *bw)
{
	size_t i;

	if (bw == NULL)
		return;
	close(bw->fd);
	if (bw->tmp[0])
		unlink(bw->tmp);
	buf_release(&bw->ts);
	buf_release(&bw->val);
	buf_release(&bw->page);
	buf_release(&bw->key);
	buf_release(&bw->z);
	buf_release(&bw->sources);
	for (i = 0; i < bw->post_cap; i++)
		free(bw->post[i].v);
	free(bw->post);
	strmap_free(bw->pairs);
	ZSTD_freeCCtx(bw->cctx);
	free(bw->delta);
	free(bw->frames);
	free(bw->pages);
	free(bw->page_first);
	free(bw->dir);
	free(bw);
}

/* Label pairs "name\0value" in byte order: by name, then value. */
static int
cmp_pair(const void *a, const void *b, void *ctx)
{
	const struct strmap *m = ctx;
	size_t la, lb, n;
	const char *x = strmap_str(m, *(const uint32_t *)a, &la);
	const char *y = strmap_str(m, *(const uint32_t *)b, &lb);
	int c;

	n = la < lb ? la : lb;
	if ((c = memcmp(x, y, n)) != 0)
		return c;
	return (la > lb) - (la < lb);
}

/*
 * Write the postings, then the label index (names, pairs, strings), and
 * fill their places in the footer 'foot'.
 */
static int
put_labels(struct block_writer *bw, unsigned char *foot, struct errbuf *eb)
{
	size_t np = strmap_count(bw->pairs), i, nnames = 0;
	uint32_t *order = xmalloc((np ? np : 1) * sizeof(*order));
	struct buf post = BUF_INIT, names = BUF_INIT, pairs = BUF_INIT,
	    strs = BUF_INIT, deltas = BUF_INIT;
	size_t ulen;
	const char *last = NULL;
	size_t last_len = 0;
	struct zref lz;
	uint64_t total = 0;
	int whole, rc = -1;

	/*
	 * Each posting is a varint of at most five bytes: a bound on the
	 * section, to choose between one frame for it and lists apart.
	 */
	for (i = 0; i < np; i++) {
		order[i] = (uint32_t)i;
		total += bw->post[i].n;
	}
	whole = total * 5 <= BLOCK_POSTINGS_WHOLE;
	qsort_r(order, np, sizeof(*order), cmp_pair, bw->pairs);
	for (i = 0; i < np; i++) {
		size_t len, nl, k, before = post.len;
		const char *s = strmap_str(bw->pairs, order[i], &len);
		const struct postings *ps = &bw->post[order[i]];
		uint32_t prev = 0;

		nl = strlen(s);
		if (last == NULL || last_len != nl || memcmp(last, s, nl) != 0) {
			/* A new name: its entry, pairs to be counted. */
			buf_add_le32(&names, (uint32_t)strs.len);
			buf_add_le32(&names, (uint32_t)nl);
			buf_add_le32(&names, (uint32_t)i);
			buf_add_le32(&names, 0);
			buf_add(&strs, s, nl);
			nnames++;
			last = s;
			last_len = nl;
		}
		le32_put((unsigned char *)names.p + names.len - 4,
		    le32_get((unsigned char *)names.p + names.len - 4) + 1);
		buf_reset(&deltas);
		for (k = 0; k < ps->n; k++) {
			buf_add_varint(&deltas, k ? ps->v[k] - prev : ps->v[k]);
			prev = ps->v[k];
		}
		/* Long lists are compressed: runs of neighbours are common. */
		ulen = 0;
		if (!whole && deltas.len >= BLOCK_POSTINGS_ZMIN) {
			size_t bound = ZSTD_compressBound(deltas.len), zn;
			buf_reset(&bw->z);
			buf_grow(&bw->z, bound);
			zn = ZSTD_compressCCtx(bw->cctx, bw->z.p, bound, deltas.p,
			    deltas.len, ZSTD_LEVEL_INDEX);
			if (ZSTD_isError(zn)) {
				errbuf_set(eb, "zstd: %s", ZSTD_getErrorName(zn));
				goto out;
			}
			if (zn < deltas.len) {
				ulen = deltas.len;
				buf_add(&post, bw->z.p, zn);
			}
		}
		if (ulen == 0)
			buf_add(&post, deltas.p, deltas.len);
		buf_add_le32(&pairs, (uint32_t)strs.len);
		buf_add_le32(&pairs, (uint32_t)(len - nl - 1));
		buf_add_le64(&pairs, before);
		buf_add_le32(&pairs, (uint32_t)ps->n);
		buf_add_le32(&pairs, (uint32_t)(post.len - before));
		buf_add_le32(&pairs, (uint32_t)ulen);
		buf_add(&strs, s + nl + 1, len - nl - 1);
	}
	if (whole) {
		struct zref pz;
		if (put_compressed(bw, post.p, post.len, ZSTD_LEVEL_INDEX, &pz,
		    eb) == -1)
			goto out;
		le64_put(foot + BF_POST_OFF, pz.off);
		le64_put(foot + BF_POST_LEN, pz.clen);
		le64_put(foot + BF_POST_ULEN, pz.ulen);
		le64_put(foot + BF_POST_SUM, pz.sum);
	} else {
		le64_put(foot + BF_POST_OFF, bw->off);
		le64_put(foot + BF_POST_LEN, post.len);
		le64_put(foot + BF_POST_SUM, XXH64(post.p ? post.p : "",
		    post.len, 0));
		if (put_raw(bw, post.p, post.len, eb) == -1)
			goto out;
	}
	buf_add(&names, pairs.p ? pairs.p : "", pairs.len);
	buf_add(&names, strs.p ? strs.p : "", strs.len);
	/* The label index is one zstd frame, read whole when first used. */
	if (put_compressed(bw, names.p, names.len, ZSTD_LEVEL_INDEX, &lz,
	    eb) == -1)
		goto out;
	le64_put(foot + BF_LABELS_OFF, lz.off);
	le64_put(foot + BF_LABELS_LEN, lz.clen);
	le64_put(foot + BF_LABELS_ULEN, lz.ulen);
	le64_put(foot + BF_NNAMES, nnames);
	le64_put(foot + BF_NPAIRS, np);
	le64_put(foot + BF_LABELS_SUM, lz.sum);
	rc = 0;
out:
	free(order);
	buf_release(&post);
	buf_release(&names);
	buf_release(&pairs);
	buf_release(&strs);
	buf_release(&deltas);
	return rc;
}

static void
add_zref(struct buf *t, const struct zref *z)
{
	buf_add_le64(t, z->off);
	buf_add_le32(t, z->clen);
	buf_add_le32(t, z->ulen);
}

int
block_writer_finish(struct block_writer *bw, char *path, struct errbuf *eb)
{
	unsigned char foot[BLOCK_FOOTER_V3];
	struct buf table = BUF_INIT, hdr = BUF_INIT;
	char final[PATH_MAX];
	size_t i;
	int rc = -1, tries;

	if (path)
		path[0] = '\0';
	if (bw->nseries == 0) {
		block_writer_abort(bw);
		return 0;
	}
	memset(foot, 0, sizeof(foot));
	if (flush_frame(bw, eb) == -1 || flush_page(bw, eb) == -1 ||
	    put_labels(bw, foot, eb) == -1)
		goto out;
	for (i = 0; i < bw->nframes; i++) {
		const struct frame *f = &bw->frames[i];
		buf_add_le32(&table, f->first);
		buf_add_le32(&table, f->count);
		add_zref(&table, &f->ts);
		add_zref(&table, &f->v);
		buf_add_le64(&table, f->ts.sum);
		buf_add_le64(&table, f->v.sum);
	}
	for (i = 0; i < bw->npages; i++) {
		buf_add_le32(&table, bw->page_first[i]);
		add_zref(&table, &bw->pages[i]);
		buf_add_le64(&table, bw->pages[i].sum);
	}
	le64_put(foot + BF_FRAME_OFF, bw->off);
	le64_put(foot + BF_NFRAMES, bw->nframes);
	le64_put(foot + BF_PAGE_OFF, bw->off + bw->nframes * BLOCK_FRAME_ENTRY);
	le64_put(foot + BF_NPAGES, bw->npages);
	le64_put(foot + BF_NSERIES, bw->nseries);
	/* The footer's own sum covers the tables and the footer before it. */
	buf_add(&table, foot, BF_SUM);
	le64_put(foot + BF_SUM, XXH64(table.p, table.len, 0));
	memcpy(foot + BF_END, BLOCK_END_V3, 8);
	table.len -= BF_SUM;
	buf_add(&hdr, BLOCK_MAGIC_V3, 8);
	buf_add_le64(&hdr, bw->seq);
	buf_add_le64(&hdr, (uint64_t)bw->mint);
	buf_add_le64(&hdr, (uint64_t)bw->maxt);
	buf_add_le64(&hdr, (uint64_t)bw->res);
	buf_add_le64(&hdr, bw->sources.len / 16);
	buf_add(&hdr, bw->sources.p ? bw->sources.p : "", bw->sources.len);
	buf_add_le64(&hdr, XXH64(hdr.p, hdr.len, 0));
	if (put_raw(bw, table.p, table.len, eb) == -1 ||
	    put_raw(bw, foot, sizeof(foot), eb) == -1)
		goto out;
	if (fileio_pwrite_all(bw->fd, hdr.p, hdr.len, 0) == -1) {
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
	buf_release(&hdr);
	block_writer_abort(bw);
	return rc;
}

int
block_set_seq(int fd, const char *path, uint64_t seq, struct errbuf *eb)
{
	unsigned char hdr[BLOCK_HEADER_V3 + 16 * BLOCK_SOURCES_MAX + 8];
	uint64_t nsrc;
	size_t len;

	if (fileio_pread_all(fd, hdr, BLOCK_HEADER_V3, 0) == -1)
		goto bad;
	le64_put(hdr + 8, seq);
	if (memcmp(hdr, BLOCK_MAGIC_V3, 8) != 0) {
		/* Versions 1 and 2: no checksum covers the header. */
		if (fileio_pwrite_all(fd, hdr + 8, 8, 8) == -1)
			goto bad;
		return 0;
	}
	if ((nsrc = le64_get(hdr + 40)) > BLOCK_SOURCES_MAX)
		return errbuf_set(eb, "'%s' is not a valid block (header)", path);
	len = BLOCK_HEADER_V3 + 16 * (size_t)nsrc;
	if (fileio_pread_all(fd, hdr + BLOCK_HEADER_V3, len - BLOCK_HEADER_V3,
	    BLOCK_HEADER_V3) == -1)
		goto bad;
	le64_put(hdr + len, XXH64(hdr, len, 0));
	if (fileio_pwrite_all(fd, hdr, len + 8, 0) == -1)
		goto bad;
	return 0;
bad:
	return errbuf_set(eb, "cannot rewrite '%s': %s", path, strerror(errno));
}
