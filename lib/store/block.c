/* block.c - reading block files: mapped, checked where read, indexed */
/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <xxhash.h>
#include <zstd.h>

#include "base/buf.h"
#include "base/varint.h"
#include "base/xalloc.h"
#include "store/block.h"
#include "store/block_int.h"
#include "store/chunk.h"
#include "store/rollup.h"
#include "stream/series.h"

struct zref {
	uint64_t off;
	uint32_t clen, ulen;
	uint64_t sum;
};

struct frame {
	uint32_t first, count;
	struct zref ts, v;
};

/* What a reader knows of a series: its entry, and where its data is. */
struct series_ix {
	struct block_series s;
	uint32_t frame;
	uint32_t ts_at, ts_len, v_at, v_len;	/* within the frame, raw */
	uint32_t col_at;	/* rolled: first of its lengths in the page's */
	int inc_delta;		/* rolled: BLOCK_F_INC_DELTA */
	const uint32_t *cols;	/* rolled: its column lengths */
};

/*
 * A decoded page (version 3), or, for versions 1 and 2, the whole
 * series section as one page: the raw entries, whose strings are made
 * NUL-terminated in place, and the series parsed from them.
 */
struct page {
	char *raw;
	char *keys;		/* version 3: the keys, rebuilt, NUL-terminated */
	struct series_ix *ix;
	uint32_t *cols;		/* rolled: each series' column lengths */
	size_t ncols, cols_cap;
};

/*
 * A bump allocator for the series block_select() picks out of pages it
 * does not keep: what it hands out stays put until block_close().
 */
struct chunk {
	struct chunk *next;
	size_t used, cap;
	max_align_t data[];
};

static void *
arena_alloc(struct chunk **arena, size_t n)
{
	struct chunk *c = *arena;
	void *p;

	n = (n + sizeof(max_align_t) - 1) / sizeof(max_align_t) *
	    sizeof(max_align_t);
	if (c == NULL || c->cap - c->used < n) {
		size_t cap = n > 65536 ? n : 65536;
		c = xmalloc(sizeof(*c) + cap);
		c->next = *arena;
		c->used = 0;
		c->cap = cap;
		*arena = c;
	}
	p = (char *)c->data + c->used;
	c->used += n;
	return p;
}

static void
arena_free(struct chunk *c)
{
	while (c) {
		struct chunk *next = c->next;
		free(c);
		c = next;
	}
}

/* State of a section checked on first use. */
enum { UNCHECKED = 0, GOOD, BAD };

struct block {
	char *path;
	int version;
	const unsigned char *map;
	uint64_t size;
	uint64_t seq;
	int64_t mint, maxt;
	int64_t res;		/* rolled blocks, else 0 */
	struct block_source *sources;
	size_t nsources;
	size_t nseries;
	struct frame *frames;
	size_t nframes;
	/* Version 3: pages decoded on demand; labels, postings checked once. */
	struct zref *pagerefs;
	uint32_t *page_first;	/* each page's first series, ascending */
	struct page **pages;
	size_t npages;
	const unsigned char *labels, *post;	/* labels: in labels_buf */
	struct zref labels_z;
	uint64_t labels_len, post_len, post_ulen, post_sum;
	struct buf labels_buf;
	size_t nnames, npairs;
	int labels_state, post_state;
	/* Versions 1 and 2: every series, in one page. */
	struct page legacy;
	/* The last frame decompressed, kept for the next series in it. */
	long cached;
	struct buf ts, val;
	const char *fts, *fval;	/* its data: in 'ts' and 'val', or 'centry' */
	struct block_cache *cache;	/* or NULL */
	struct centry *centry;	/* the cache's entry being read, or NULL */
	struct buf post_buf;	/* a decompressed postings list */
	struct buf post_whole;	/* the section, when it is one frame */
	struct chunk *arena;	/* what block_select() picked out */
	struct buf scratch;	/* a page being walked */
	ZSTD_DCtx *dctx;	/* made on first use, used for every frame */
};

static void cache_release(struct block *b);

/* "'path' is not a valid block (what)": a damaged file. */
static int
damaged(const struct block *b, const char *what, struct errbuf *eb)
{
	errbuf_set(eb, "'%s' is not a valid block (%s)", b->path, what);
	/* Callers tell a damaged file from one removed by errno. */
	errno = EINVAL;
	return -1;
}

/*
 * ZSTD_decompress(), with the block's context: one made per frame would
 * cost its allocation and its first touch every time.
 */
static size_t
unzstd(struct block *b, void *dst, size_t cap, const void *src, size_t len)
{
	if (b->dctx == NULL && (b->dctx = ZSTD_createDCtx()) == NULL)
		abort();	/* out of memory, as xmalloc would */
	return ZSTD_decompressDCtx(b->dctx, dst, cap, src, len);
}

/*
 * Check and decompress the zstd frame 'z' of the file into 'out', which
 * may not decompress to more than 'limit' bytes.  Every length is
 * checked against the file and the frame's own header before memory is
 * given to it.  Returns 0, or -1 for a damaged frame.
 */
static int
decompress(struct block *b, const struct zref *z, uint32_t limit,
    struct buf *out)
{
	const unsigned char *p;
	unsigned long long want;
	size_t n;

	if (z->off > b->size || z->clen > b->size - z->off || z->ulen > limit ||
	    z->ulen / BLOCK_ZSTD_RATIO_MAX > z->clen)
		return -1;
	p = b->map + z->off;
	if (XXH64(p, z->clen, 0) != z->sum)
		return -1;
	want = ZSTD_getFrameContentSize(p, z->clen);
	if (want != z->ulen)
		return -1;
	buf_reset(out);
	buf_grow(out, z->ulen);
	n = unzstd(b, out->p, z->ulen, p, z->clen);
	if (ZSTD_isError(n) || n != z->ulen)
		return -1;
	out->len = z->ulen;
	out->p[out->len] = '\0';
	return 0;
}

/* A length-prefixed string made NUL-terminated in place (see parse_entry). */
static int
get_str(const unsigned char **p, const unsigned char *end, char **out,
    size_t *len)
{
	const char *s;
	char *d;

	if (*p < end && **p == 0) {	/* empty: the usual unit and help */
		(*p)++;
		*len = 0;
		*out = NULL;
		return 0;
	}
	if (varint_get_bytes(p, end, &s, len) == -1)
		return -1;
	/* Move it one byte back, over (the last byte of) its length. */
	d = (char *)s - 1;
	memmove(d, s, *len);
	d[*len] = '\0';
	*out = d;
	return 0;
}

/*
 * The part of a series entry after its key, the same in every version
 * but for the two things version 3 writes differently: the first
 * timestamp (the difference from 'prev_first', the previous series' in
 * the page) and where the data is (derived, not written).  Strings
 * become C strings in place: each moves one byte back over its length
 * varint, which is at least a byte long, and the byte after it becomes
 * NUL (the first byte of what follows, already read).  Every count and
 * length is checked against the block: its time range and the limits
 * of the format.  Returns 0, or -1 for a damaged entry.
 */
static int
parse_rest(const struct block *b, struct page *pg, const unsigned char **p,
    const unsigned char *end, int64_t prev_first, struct series_ix *x)
{
	char *s;
	size_t sl;
	uint64_t n, u, span, tl, vl;
	int type;

	if (*p >= end || (type = **p) > METRIC_HISTOGRAM)
		return -1;
	(*p)++;
	x->s.type = (enum metric_type)type;
	if (get_str(p, end, &s, &sl) == -1)
		return -1;
	x->s.unit = sl ? s : NULL;
	if (get_str(p, end, &s, &sl) == -1)
		return -1;
	x->s.help = sl ? s : NULL;
	if (varint_get(p, end, &n) == -1 || n == 0 ||
	    varint_get(p, end, &u) == -1 ||
	    varint_get(p, end, &span) == -1 ||
	    varint_get(p, end, &tl) == -1 ||
	    varint_get(p, end, &vl) == -1)
		return -1;
	x->s.mint = (int64_t)((uint64_t)prev_first + (uint64_t)unzigzag(u));
	/* Within the block's time range, and no more samples than times. */
	if (x->s.mint < b->mint || x->s.mint > b->maxt ||
	    span > (uint64_t)(b->maxt - x->s.mint) ||
	    n - 1 > span / (uint64_t)(b->res ? b->res : 1) ||
	    tl > UINT32_MAX || vl > UINT32_MAX)
		return -1;
	x->s.maxt = x->s.mint + (int64_t)span;
	x->s.n = (size_t)n;
	x->ts_len = (uint32_t)tl;
	x->v_len = (uint32_t)vl;
	if (b->res) {
		int c, nc;
		uint64_t l, total = 0;
		if (*p >= end || (**p & ~(ROLLUP_F_COUNTER | ROLLUP_F_SKETCH |
		    BLOCK_F_INC_DELTA)) || ((**p & BLOCK_F_INC_DELTA) &&
		    !(**p & ROLLUP_F_COUNTER)))
			return -1;
		x->inc_delta = (**p & BLOCK_F_INC_DELTA) != 0;
		x->s.rollup_flags = *(*p)++ & ~BLOCK_F_INC_DELTA;
		nc = block_rolled_cols(x->s.rollup_flags);
		pg->cols = xgrow(pg->cols, &pg->cols_cap, pg->ncols + nc + 1,
		    sizeof(*pg->cols));
		x->col_at = (uint32_t)pg->ncols;
		for (c = 0; c < nc; c++) {
			if (varint_get(p, end, &l) == -1 || l > vl)
				return -1;
			pg->cols[pg->ncols++] = (uint32_t)l;
			total += l;
		}
		/* The sketches take what is left. */
		if (total > vl || (total < vl &&
		    !(x->s.rollup_flags & ROLLUP_F_SKETCH)))
			return -1;
		pg->cols[pg->ncols++] = (uint32_t)(vl - total);
	}
	return 0;
}

/* A series entry of versions 1 and 2: its key, then the rest. */
static int
parse_entry_legacy(const struct block *b, struct page *pg,
    const unsigned char **p, const unsigned char *end, struct series_ix *x)
{
	char *s;
	size_t sl;

	memset(x, 0, sizeof(*x));
	if (get_str(p, end, &s, &sl) == -1 || sl == 0)
		return -1;
	x->s.key = s;
	x->s.keylen = sl;
	return parse_rest(b, pg, p, end, 0, x);
}

static void
page_free(struct page *pg)
{
	if (pg == NULL)
		return;
	free(pg->raw);
	free(pg->keys);
	free(pg->ix);
	free(pg->cols);
}

/*
 * Walking a version 3 page (block_write.c's add_entry()): entry by
 * entry, each key rebuilt from the previous one, each series' place in
 * its frame from those before it.
 */
struct walk {
	const unsigned char *p, *end;
	size_t next, last;	/* the next series, and one past the page's */
	uint64_t f, tsat, vat;
	int64_t prev_first;
	struct buf key;		/* the current key */
};

static int
walk_start(const struct block *b, struct walk *w, const char *raw,
    size_t len, size_t first, size_t last)
{
	w->p = (const unsigned char *)raw;
	w->end = w->p + len;
	w->next = first;
	w->last = last;
	w->prev_first = 0;
	buf_reset(&w->key);
	if (varint_get(&w->p, w->end, &w->f) == -1 ||
	    varint_get(&w->p, w->end, &w->tsat) == -1 ||
	    varint_get(&w->p, w->end, &w->vat) == -1 || w->f >= b->nframes ||
	    first < b->frames[w->f].first ||
	    first >= (size_t)b->frames[w->f].first + b->frames[w->f].count)
		return -1;
	return 0;
}

/*
 * The next entry into 'x', its key in w->key (x->s.key points there,
 * until the next call), its strings in the page, its column lengths in
 * pg->cols at x->col_at (rolled blocks).  Returns 0, or -1 for damage.
 */
static int
walk_next(const struct block *b, struct walk *w, struct page *pg,
    struct series_ix *x)
{
	const struct frame *fr = &b->frames[w->f];
	uint64_t shared, rest;

	if (w->next >= (size_t)fr->first + fr->count) {
		if (++w->f >= b->nframes || b->frames[w->f].first != w->next)
			return -1;
		fr = &b->frames[w->f];
		w->tsat = w->vat = 0;
	}
	if (varint_get(&w->p, w->end, &shared) == -1 || shared > w->key.len ||
	    varint_get(&w->p, w->end, &rest) == -1 ||
	    rest > (uint64_t)(w->end - w->p) || shared + rest == 0)
		return -1;
	/*
	 * Keys strictly increase: a key that keeps all of the one before
	 * adds to it; one that keeps less has a greater byte where they part.
	 */
	if (w->key.len > 0 && (shared == w->key.len ? rest == 0 : rest == 0 ||
	    (unsigned char)w->p[0] <= (unsigned char)w->key.p[shared]))
		return -1;
	w->key.len = (size_t)shared;
	buf_add(&w->key, w->p, (size_t)rest);
	w->p += rest;
	memset(x, 0, sizeof(*x));
	x->s.key = w->key.p;
	x->s.keylen = w->key.len;
	if (parse_rest(b, pg, &w->p, w->end, w->prev_first, x) == -1)
		return -1;
	w->prev_first = x->s.mint;
	x->frame = (uint32_t)w->f;
	if (w->tsat > fr->ts.ulen || x->ts_len > fr->ts.ulen - w->tsat ||
	    w->vat > fr->v.ulen || x->v_len > fr->v.ulen - w->vat)
		return -1;
	x->ts_at = (uint32_t)w->tsat;
	x->v_at = (uint32_t)w->vat;
	w->tsat += x->ts_len;
	w->vat += x->v_len;
	w->next++;
	return 0;
}

/* Skip a string at '*p'.  Returns 0, or -1 past 'end'. */
static int
skip_str(const unsigned char **p, const unsigned char *end)
{
	const char *s;
	size_t len;

	return varint_get_bytes(p, end, &s, &len);
}

/*
 * The next entry, passed over: only what the entries after it need (its
 * key, first timestamp and data lengths) is read.  Returns 0, or -1 for
 * damage.
 */
static int
walk_skip(const struct block *b, struct walk *w)
{
	const struct frame *fr = &b->frames[w->f];
	uint64_t shared, rest, u, tl, vl, l;
	int c;

	if (w->next >= (size_t)fr->first + fr->count) {
		if (++w->f >= b->nframes || b->frames[w->f].first != w->next)
			return -1;
		fr = &b->frames[w->f];
		w->tsat = w->vat = 0;
	}
	if (varint_get(&w->p, w->end, &shared) == -1 || shared > w->key.len ||
	    varint_get(&w->p, w->end, &rest) == -1 ||
	    rest > (uint64_t)(w->end - w->p) || shared + rest == 0)
		return -1;
	w->key.len = (size_t)shared;
	buf_add(&w->key, w->p, (size_t)rest);
	w->p += rest;
	if (w->p >= w->end)
		return -1;
	w->p++;		/* type */
	if (skip_str(&w->p, w->end) == -1 || skip_str(&w->p, w->end) == -1 ||
	    varint_get(&w->p, w->end, &u) == -1 ||	/* count */
	    varint_get(&w->p, w->end, &u) == -1)
		return -1;
	w->prev_first = (int64_t)((uint64_t)w->prev_first +
	    (uint64_t)unzigzag(u));
	if (varint_get(&w->p, w->end, &u) == -1 ||	/* span */
	    varint_get(&w->p, w->end, &tl) == -1 ||
	    varint_get(&w->p, w->end, &vl) == -1)
		return -1;
	if (b->res) {
		if (w->p >= w->end)
			return -1;
		c = block_rolled_cols(*w->p++ & ~BLOCK_F_INC_DELTA);
		while (c-- > 0)
			if (varint_get(&w->p, w->end, &l) == -1)
				return -1;
	}
	w->tsat += tl;
	w->vat += vl;
	w->next++;
	return 0;
}

/* Whether the walk ended where the page does. */
static int
walk_done(const struct walk *w)
{
	return w->next == w->last && w->p == w->end;
}

static size_t
page_count(const struct block *b, size_t k)
{
	return (k + 1 < b->npages ? b->page_first[k + 1] : b->nseries) -
	    b->page_first[k];
}

/* Version 3: decode page 'k'.  Returns it, or NULL for a damaged page. */
static struct page *
load_page(struct block *b, size_t k, struct errbuf *eb)
{
	struct buf raw = BUF_INIT, keys = BUF_INIT;
	struct walk w = { .key = BUF_INIT };
	struct page *pg;
	size_t i, count = page_count(b, k), cap = 0;

	if (b->pages[k])
		return b->pages[k];
	if (decompress(b, &b->pagerefs[k], BLOCK_PAGE_ULEN_MAX, &raw) == -1) {
		buf_release(&raw);
		errbuf_set(eb, "'%s': series page %zu is damaged", b->path, k);
		return NULL;
	}
	pg = xcalloc(1, sizeof(*pg));
	pg->raw = raw.p;
	if (walk_start(b, &w, raw.p, raw.len, b->page_first[k],
	    b->page_first[k] + count) == -1)
		goto bad;
	for (i = 0; i < count; i++) {
		/*
		 * Grown as entries parse, so that a damaged page costs what
		 * its bytes hold, not what its count claims.
		 */
		pg->ix = xgrow(pg->ix, &cap, i + 1, sizeof(*pg->ix));
		if (walk_next(b, &w, pg, &pg->ix[i]) == -1)
			goto bad;
		/* Keys go to one arena: offsets now, pointers at the end. */
		pg->ix[i].s.key = (const char *)(uintptr_t)keys.len;
		buf_add(&keys, w.key.p, w.key.len);
		buf_addch(&keys, '\0');
	}
	if (!walk_done(&w))
		goto bad;
	pg->keys = keys.p;
	for (i = 0; i < count; i++) {
		pg->ix[i].s.key = pg->keys + (uintptr_t)pg->ix[i].s.key;
		if (b->res)
			pg->ix[i].cols = pg->cols + pg->ix[i].col_at;
	}
	buf_release(&w.key);
	b->pages[k] = pg;
	return pg;
bad:
	buf_release(&w.key);
	buf_release(&keys);
	page_free(pg);
	free(pg);
	errbuf_set(eb, "'%s': series page %zu is damaged", b->path, k);
	return NULL;
}

/* The page holding series 'i' (version 3). */
static size_t
page_of(const struct block *b, size_t i)
{
	size_t lo = 0, hi = b->npages;

	/* The last page whose first series is at or before 'i'. */
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;
		if (b->page_first[mid] <= i)
			lo = mid;
		else
			hi = mid;
	}
	return lo;
}

/* The entry of series 'i', or NULL with 'eb'. */
static const struct series_ix *
ix_at(struct block *b, size_t i, struct errbuf *eb)
{
	struct page *pg;
	size_t k;

	if (b->version < 3)
		return &b->legacy.ix[i];
	k = page_of(b, i);
	if ((pg = load_page(b, k, eb)) == NULL)
		return NULL;
	return &pg->ix[i - b->page_first[k]];
}

/* The entry block_series() or block_select() gave out as 's'. */
static const struct series_ix *
ix_of(const struct block_series *s)
{
	return (const struct series_ix *)(const void *)s;
}

static void
read_zref(struct zref *z, const unsigned char *e)
{
	z->off = le64_get(e);
	z->clen = le32_get(e + 8);
	z->ulen = le32_get(e + 12);
}

/* Parse the frame table at 'e', checking each frame lies before 'limit'. */
static int
read_frames(struct block *b, const unsigned char *e, uint64_t limit)
{
	size_t i;

	b->frames = xcalloc(b->nframes ? b->nframes : 1, sizeof(*b->frames));
	for (i = 0; i < b->nframes; i++, e += BLOCK_FRAME_ENTRY) {
		struct frame *f = &b->frames[i];
		f->first = le32_get(e);
		f->count = le32_get(e + 4);
		read_zref(&f->ts, e + 8);
		read_zref(&f->v, e + 24);
		f->ts.sum = le64_get(e + 40);
		f->v.sum = le64_get(e + 48);
		if (f->ts.off > limit || f->ts.clen > limit - f->ts.off ||
		    f->v.off > limit || f->v.clen > limit - f->v.off ||
		    f->ts.ulen > BLOCK_FRAME_ULEN_MAX ||
		    f->v.ulen > BLOCK_FRAME_ULEN_MAX ||
		    f->first > b->nseries || f->count > b->nseries - f->first)
			return -1;
	}
	return 0;
}

/*
 * The header: magic, sequence, time range, and for versions 2 and 3 the
 * resolution and sources.  Sets '*hsize' to its length.
 */
static int
read_header(struct block *b, size_t *hsize, struct errbuf *eb)
{
	const unsigned char *h = b->map;
	uint64_t ns;
	size_t i;

	if (memcmp(h, BLOCK_MAGIC_V1, 8) == 0)
		b->version = 1;
	else if (memcmp(h, BLOCK_MAGIC_V2, 8) == 0)
		b->version = 2;
	else if (memcmp(h, BLOCK_MAGIC_V3, 8) == 0)
		b->version = 3;
	else
		return damaged(b, "not a block header", eb);
	b->seq = le64_get(h + 8);
	b->mint = (int64_t)le64_get(h + 16);
	b->maxt = (int64_t)le64_get(h + 24);
	*hsize = BLOCK_HEADER_V1;
	if (b->version >= 2) {
		b->res = (int64_t)le64_get(h + 32);
		ns = le64_get(h + 40);
		if (b->res < 0 || (b->version == 2 && b->res == 0) ||
		    (b->res != 0 && b->res < BLOCK_ROLLED_RES_MIN) ||
		    ns > BLOCK_SOURCES_MAX || b->size < BLOCK_HEADER_V2 + 16 * ns + 8)
			return damaged(b, "header", eb);
		if (XXH64(h + BLOCK_HEADER_V2, 16 * ns, 0) !=
		    le64_get(h + BLOCK_HEADER_V2 + 16 * ns) && b->version == 2)
			return damaged(b, "header", eb);
		if (b->version == 3 && XXH64(h, BLOCK_HEADER_V3 + 16 * ns, 0) !=
		    le64_get(h + BLOCK_HEADER_V3 + 16 * ns))
			return damaged(b, "header checksum", eb);
		b->sources = xcalloc(ns ? ns : 1, sizeof(*b->sources));
		for (i = 0; i < ns; i++) {
			b->sources[i].window = (int64_t)le64_get(h + 48 + i * 16);
			b->sources[i].fingerprint = le64_get(h + 56 + i * 16);
		}
		b->nsources = (size_t)ns;
		*hsize = BLOCK_HEADER_V2 + 16 * ns + 8;
	}
	if (b->mint > b->maxt || (uint64_t)b->maxt - (uint64_t)b->mint >=
	    (uint64_t)(b->res ? BLOCK_ROLLED_SPAN_MAX : BLOCK_RAW_SPAN_MAX))
		return damaged(b, "time range", eb);
	return 0;
}

/* Versions 1 and 2: the footer, the frame table and every series. */
static int
open_legacy(struct block *b, size_t hsize, struct errbuf *eb)
{
	const unsigned char *foot = b->map + b->size - BLOCK_FOOTER_V1;
	struct buf tsum = BUF_INIT, raw = BUF_INIT;
	struct zref s;
	uint64_t t_off, ns;
	const unsigned char *p, *end;
	size_t i, f = 0, ts_at = 0, v_at = 0, cap = 0;

	if (memcmp(foot + 72, BLOCK_END_V1, 8) != 0)
		return damaged(b, "footer", eb);
	s.off = le64_get(foot);
	s.sum = le64_get(foot + 24);
	t_off = le64_get(foot + 32);
	b->nframes = (size_t)le64_get(foot + 40);
	ns = le64_get(foot + 48);
	if (le64_get(foot + 8) > UINT32_MAX || le64_get(foot + 16) > UINT32_MAX ||
	    t_off > b->size - BLOCK_FOOTER_V1 || t_off < hsize ||
	    (b->size - BLOCK_FOOTER_V1 - t_off) % BLOCK_FRAME_ENTRY != 0 ||
	    b->nframes != (b->size - BLOCK_FOOTER_V1 - t_off) / BLOCK_FRAME_ENTRY)
		return damaged(b, "footer", eb);
	s.clen = (uint32_t)le64_get(foot + 8);
	s.ulen = (uint32_t)le64_get(foot + 16);
	/* An entry takes at least eight bytes. */
	if (s.off > t_off || s.clen > t_off - s.off || ns > s.ulen / 8)
		return damaged(b, "footer", eb);
	b->nseries = (size_t)ns;
	buf_add(&tsum, b->map + t_off, b->nframes * BLOCK_FRAME_ENTRY);
	buf_add(&tsum, foot, 56);
	if (XXH64(tsum.p, tsum.len, 0) != le64_get(foot + 56)) {
		buf_release(&tsum);
		return damaged(b, "footer checksum", eb);
	}
	buf_release(&tsum);
	if (read_frames(b, b->map + t_off, t_off) == -1)
		return damaged(b, "frame table", eb);
	if (decompress(b, &s, BLOCK_SERIES_ULEN_MAX, &raw) == -1) {
		buf_release(&raw);
		return damaged(b, "series section", eb);
	}
	b->legacy.raw = raw.p;
	p = (const unsigned char *)raw.p;
	end = p + raw.len;
	for (i = 0; i < b->nseries; i++) {
		struct series_ix *x;
		/* Grown as entries parse, as in load_page(). */
		b->legacy.ix = xgrow(b->legacy.ix, &cap, i + 1,
		    sizeof(*b->legacy.ix));
		x = &b->legacy.ix[i];
		while (f < b->nframes &&
		    i >= (size_t)b->frames[f].first + b->frames[f].count)
			f++, ts_at = v_at = 0;
		if (f == b->nframes || i < b->frames[f].first ||
		    parse_entry_legacy(b, &b->legacy, &p, end, x) == -1)
			return damaged(b, "series section", eb);
		x->frame = (uint32_t)f;
		x->ts_at = (uint32_t)ts_at;
		x->v_at = (uint32_t)v_at;
		ts_at += x->ts_len;
		v_at += x->v_len;
		if (ts_at > b->frames[f].ts.ulen || v_at > b->frames[f].v.ulen)
			return damaged(b, "series section", eb);
	}
	if (p != end)
		return damaged(b, "series section", eb);
	if (b->res)
		for (i = 0; i < b->nseries; i++)
			b->legacy.ix[i].cols = b->legacy.cols + b->legacy.ix[i].col_at;
	return 0;
}

/* Version 3: the footer and the tables it checks; the rest on demand. */
static int
open_v3(struct block *b, size_t hsize, struct errbuf *eb)
{
	const unsigned char *foot = b->map + b->size - BLOCK_FOOTER_V3;
	uint64_t f_off, p_off, nf, np, ns, l_off, pst_off, tables_end;
	struct buf tsum = BUF_INIT;
	size_t i;

	if (b->size < hsize + BLOCK_FOOTER_V3 ||
	    memcmp(foot + BF_END, BLOCK_END_V3, 8) != 0)
		return damaged(b, "footer", eb);
	f_off = le64_get(foot + BF_FRAME_OFF);
	nf = le64_get(foot + BF_NFRAMES);
	p_off = le64_get(foot + BF_PAGE_OFF);
	np = le64_get(foot + BF_NPAGES);
	ns = le64_get(foot + BF_NSERIES);
	tables_end = b->size - BLOCK_FOOTER_V3;
	/* The tables fill what is between their start and the footer. */
	if (f_off < hsize || f_off > tables_end ||
	    nf > (tables_end - f_off) / BLOCK_FRAME_ENTRY ||
	    p_off != f_off + nf * BLOCK_FRAME_ENTRY ||
	    np != (tables_end - p_off) / BLOCK_PAGE_ENTRY ||
	    (tables_end - p_off) % BLOCK_PAGE_ENTRY != 0 ||
	    np == 0 || np > ns)
		return damaged(b, "footer", eb);
	buf_add(&tsum, b->map + f_off, (size_t)(tables_end - f_off));
	buf_add(&tsum, foot, BF_SUM);
	if (XXH64(tsum.p, tsum.len, 0) != le64_get(foot + BF_SUM)) {
		buf_release(&tsum);
		return damaged(b, "footer checksum", eb);
	}
	buf_release(&tsum);
	b->nseries = (size_t)ns;
	b->nframes = (size_t)nf;
	if (read_frames(b, b->map + f_off, f_off) == -1)
		return damaged(b, "frame table", eb);
	/* With its arrays, for block_close() walks 'pages' to 'npages'. */
	b->npages = (size_t)np;
	b->pagerefs = xcalloc(b->npages, sizeof(*b->pagerefs));
	b->page_first = xcalloc(b->npages, sizeof(*b->page_first));
	b->pages = xcalloc(b->npages, sizeof(*b->pages));
	for (i = 0; i < b->npages; i++) {
		const unsigned char *e = b->map + p_off + i * BLOCK_PAGE_ENTRY;
		b->page_first[i] = le32_get(e);
		read_zref(&b->pagerefs[i], e + 4);
		b->pagerefs[i].sum = le64_get(e + 20);
		/* Pages start at series 0 and each holds one at least. */
		if (b->pagerefs[i].off > f_off ||
		    b->pagerefs[i].clen > f_off - b->pagerefs[i].off ||
		    b->page_first[i] >= b->nseries ||
		    (i == 0 ? b->page_first[i] != 0 :
		    b->page_first[i] <= b->page_first[i - 1]))
			return damaged(b, "page table", eb);
	}
	/*
	 * A series entry takes eight bytes at least, so each page's size
	 * (bounded by its compressed size) bounds its count, and the
	 * pages bound the series count: what every array sized by it
	 * costs stays in proportion to the file.
	 */
	for (i = 0; i < b->npages; i++)
		if (b->pagerefs[i].ulen > BLOCK_PAGE_ULEN_MAX ||
		    b->pagerefs[i].ulen / BLOCK_ZSTD_RATIO_MAX >
		    b->pagerefs[i].clen ||
		    page_count(b, i) > b->pagerefs[i].ulen / 8)
			return damaged(b, "page table", eb);
	l_off = le64_get(foot + BF_LABELS_OFF);
	pst_off = le64_get(foot + BF_POST_OFF);
	b->post_len = le64_get(foot + BF_POST_LEN);
	b->nnames = (size_t)le64_get(foot + BF_NNAMES);
	b->npairs = (size_t)le64_get(foot + BF_NPAIRS);
	b->labels_len = le64_get(foot + BF_LABELS_ULEN);
	if (l_off > f_off || le64_get(foot + BF_LABELS_LEN) > f_off - l_off ||
	    le64_get(foot + BF_LABELS_LEN) > UINT32_MAX ||
	    b->labels_len > BLOCK_LABELS_ULEN_MAX ||
	    pst_off > f_off || b->post_len > f_off - pst_off ||
	    b->nnames > b->labels_len / BLOCK_NAME_ENTRY ||
	    b->npairs > b->labels_len / BLOCK_PAIR_ENTRY ||
	    b->nnames * BLOCK_NAME_ENTRY + b->npairs * BLOCK_PAIR_ENTRY >
	    b->labels_len)
		return damaged(b, "footer", eb);
	b->labels_z.off = l_off;
	b->labels_z.clen = (uint32_t)le64_get(foot + BF_LABELS_LEN);
	b->labels_z.ulen = (uint32_t)b->labels_len;
	b->labels_z.sum = le64_get(foot + BF_LABELS_SUM);
	b->post = b->map + pst_off;
	b->post_sum = le64_get(foot + BF_POST_SUM);
	b->post_ulen = le64_get(foot + BF_POST_ULEN);
	if (b->post_ulen > BLOCK_POSTINGS_WHOLE || b->post_len > UINT32_MAX)
		return damaged(b, "footer", eb);
	return 0;
}

struct block *
block_open(const char *path, struct errbuf *eb)
{
	struct block *b = xcalloc(1, sizeof(*b));
	struct stat st;
	size_t hsize = 0;
	void *map;
	int fd;

	b->path = xstrdup(path);
	b->cached = -1;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		errbuf_set(eb, "cannot open '%s': %s", path, strerror(errno));
		goto fail;
	}
	if (fstat(fd, &st) == -1) {
		errbuf_set(eb, "cannot stat '%s': %s", path, strerror(errno));
		close(fd);
		goto fail;
	}
	if ((uint64_t)st.st_size < BLOCK_HEADER_V2 + BLOCK_FOOTER_V1) {
		close(fd);
		damaged(b, "truncated", eb);
		goto fail;
	}
	b->size = (uint64_t)st.st_size;
	map = mmap(NULL, (size_t)b->size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (map == MAP_FAILED) {
		errbuf_set(eb, "cannot map '%s': %s", path, strerror(errno));
		goto fail;
	}
	b->map = map;
	if (read_header(b, &hsize, eb) == -1 ||
	    (b->version < 3 ? open_legacy(b, hsize, eb) :
	    open_v3(b, hsize, eb)) == -1)
		goto fail;
	return b;
fail:
	block_close(b);
	return NULL;
}

void
block_close(struct block *b)
{
	size_t i;

	if (b == NULL)
		return;
	if (b->map)
		munmap((void *)b->map, (size_t)b->size);
	for (i = 0; i < b->npages; i++)
		if (b->pages[i]) {
			page_free(b->pages[i]);
			free(b->pages[i]);
		}
	free(b->pages);
	free(b->pagerefs);
	free(b->page_first);
	page_free(&b->legacy);
	free(b->path);
	free(b->sources);
	free(b->frames);
	cache_release(b);
	buf_release(&b->ts);
	buf_release(&b->val);
	buf_release(&b->post_buf);
	buf_release(&b->post_whole);
	buf_release(&b->labels_buf);
	buf_release(&b->scratch);
	ZSTD_freeDCtx(b->dctx);
	arena_free(b->arena);
	free(b);
}

int block_version(const struct block *b) { return b->version; }
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
block_series(struct block *b, size_t i, struct errbuf *eb)
{
	const struct series_ix *x = ix_at(b, i, eb);

	return x ? &x->s : NULL;
}

/*
 * The postings: checked, and when the section is one frame (small
 * blocks), decompressed; then b->post and b->post_len are the lists.
 */
static int
check_postings(struct block *b, struct errbuf *eb)
{
	if (b->post_state == GOOD)
		return 0;
	if (b->post_state == BAD)
		goto bad;
	if (b->post_ulen) {
		struct zref z = { (uint64_t)(b->post - b->map),
		    (uint32_t)b->post_len, (uint32_t)b->post_ulen, b->post_sum };
		if (decompress(b, &z, BLOCK_POSTINGS_WHOLE, &b->post_whole) == -1)
			goto bad;
		b->post = (const unsigned char *)b->post_whole.p;
		b->post_len = b->post_ulen;
	} else if (XXH64(b->post, b->post_len, 0) != b->post_sum) {
		goto bad;
	}
	b->post_state = GOOD;
	return 0;
bad:
	b->post_state = BAD;
	return errbuf_set(eb, "'%s': the postings are damaged", b->path);
}

/*
 * The label index and the postings (version 3), checked once: their
 * checksums, and that every name's pairs and every string lie within.
 */
static int
check_labels(struct block *b, struct errbuf *eb)
{
	const unsigned char *names, *pairs;
	uint64_t strs = b->labels_len - b->nnames * BLOCK_NAME_ENTRY -
	    b->npairs * BLOCK_PAIR_ENTRY;
	size_t i, covered = 0;

	if (b->labels_state == GOOD)
		return 0;
	/* The pairs point into the postings: those first. */
	if (check_postings(b, eb) == -1)
		return -1;
	if (b->labels_state == BAD ||
	    decompress(b, &b->labels_z, BLOCK_LABELS_ULEN_MAX, &b->labels_buf) == -1)
		goto bad;
	b->labels = (const unsigned char *)b->labels_buf.p;
	names = b->labels;
	pairs = names + b->nnames * BLOCK_NAME_ENTRY;
	for (i = 0; i < b->nnames; i++) {
		const unsigned char *e = names + i * BLOCK_NAME_ENTRY;
		uint64_t so = le32_get(e), sl = le32_get(e + 4);
		uint64_t first = le32_get(e + 8), n = le32_get(e + 12);
		if (so > strs || sl > strs - so || first != covered ||
		    n > b->npairs - covered)
			goto bad;
		covered += n;
	}
	if (covered != b->npairs)
		goto bad;
	for (i = 0; i < b->npairs; i++) {
		const unsigned char *e = pairs + i * BLOCK_PAIR_ENTRY;
		uint64_t so = le32_get(e), sl = le32_get(e + 4);
		uint64_t po = le64_get(e + 8), pc = le32_get(e + 16);
		uint64_t pl = le32_get(e + 20), ul = le32_get(e + 24);
		/* A posting takes a byte at least, once decompressed. */
		if (so > strs || sl > strs - so || po > b->post_len ||
		    pl > b->post_len - po || pc > b->nseries ||
		    pc > (ul ? ul : pl) || ul > (uint64_t)b->nseries * 5)
			goto bad;
	}
	b->labels_state = GOOD;
	return 0;
bad:
	b->labels_state = BAD;
	return errbuf_set(eb, "'%s': the label index is damaged", b->path);
}

static const char *
label_str(const struct block *b, const unsigned char *e, size_t *len)
{
	const char *strs = (const char *)b->labels +
	    b->nnames * BLOCK_NAME_ENTRY + b->npairs * BLOCK_PAIR_ENTRY;

	*len = le32_get(e + 4);
	return strs + le32_get(e);
}

static int
cmp_bytes(const char *a, size_t al, const char *b, size_t bl)
{
	int c = memcmp(a, b, al < bl ? al : bl);

	return c ? c : (al > bl) - (al < bl);
}

/* The name entry of 'name', or NULL. */
static const unsigned char *
find_name(const struct block *b, const char *name)
{
	size_t lo = 0, hi = b->nnames, nl = strlen(name);

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2, sl;
		const unsigned char *e = b->labels + mid * BLOCK_NAME_ENTRY;
		const char *s = label_str(b, e, &sl);
		int c = cmp_bytes(s, sl, name, nl);
		if (c == 0)
			return e;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

static const unsigned char *
pair_at(const struct block *b, size_t i)
{
	return b->labels + b->nnames * BLOCK_NAME_ENTRY + i * BLOCK_PAIR_ENTRY;
}

/* Set the bits of the series in the postings of pair entry 'e'. */
static int
mark_postings(struct block *b, const unsigned char *e, uint64_t *bits,
    struct errbuf *eb)
{
	const unsigned char *p = b->post + le64_get(e + 8);
	const unsigned char *end = p + le32_get(e + 20);
	uint64_t n = le32_get(e + 16), k, id = 0, d;
	uint32_t ulen = le32_get(e + 24);

	if (ulen) {
		/* Checked already: the section's XXH64 covers the frame. */
		size_t got;
		buf_reset(&b->post_buf);
		buf_grow(&b->post_buf, ulen);
		if (ZSTD_getFrameContentSize(p, (size_t)(end - p)) != ulen ||
		    (got = unzstd(b, b->post_buf.p, ulen, p,
		    (size_t)(end - p)), ZSTD_isError(got)) || got != ulen)
			return errbuf_set(eb, "'%s': the postings are damaged",
			    b->path);
		p = (const unsigned char *)b->post_buf.p;
		end = p + ulen;
	}

	for (k = 0; k < n; k++) {
		if (varint_get(&p, end, &d) == -1 || (k > 0 && d == 0) ||
		    d >= b->nseries - id || (k == 0 && d >= b->nseries))
			return errbuf_set(eb, "'%s': the postings are damaged",
			    b->path);
		id = k ? id + d : d;
		bits[id / 64] |= 1ULL << (id % 64);
	}
	if (p != end)
		return errbuf_set(eb, "'%s': the postings are damaged", b->path);
	return 0;
}

/*
 * The pairs matcher 'm' (one that does not match the empty value, so
 * only series with its label can match) selects: the label's values it
 * matches, as pair numbers into '*pairs' (a new array; free(3) it), how
 * many in '*npairs', and their postings counted together in '*count'.
 */
static void
match_pairs(struct block *b, const struct matcher *m, uint32_t **pairs,
    size_t *npairs, uint64_t *count)
{
	const unsigned char *ne = find_name(b, m->name);
	size_t first, n, i, cap = 0;

	*pairs = NULL;
	*npairs = 0;
	*count = 0;
	if (ne == NULL)
		return;
	first = le32_get(ne + 8);
	n = le32_get(ne + 12);
	if (m->op == MATCHER_EQ) {
		size_t lo = first, hi = first + n;
		while (lo < hi) {
			size_t mid = lo + (hi - lo) / 2, sl;
			const char *s = label_str(b, pair_at(b, mid), &sl);
			int c = cmp_bytes(s, sl, m->value, m->value_len);
			if (c == 0) {
				*pairs = xmalloc(sizeof(**pairs));
				(*pairs)[0] = (uint32_t)mid;
				*npairs = 1;
				*count = le32_get(pair_at(b, mid) + 16);
				return;
			}
			if (c < 0)
				lo = mid + 1;
			else
				hi = mid;
		}
		return;
	}
	for (i = first; i < first + n; i++) {
		size_t sl;
		const char *s = label_str(b, pair_at(b, i), &sl);
		if (!matcher_matches(m, s, sl))
			continue;
		*pairs = xgrow(*pairs, &cap, *npairs + 1, sizeof(**pairs));
		(*pairs)[(*npairs)++] = (uint32_t)i;
		*count += le32_get(pair_at(b, i) + 16);
	}
}

/* What a restricting matcher selects, for candidates() to order. */
struct narrowing {
	uint32_t *pairs;
	size_t npairs;
	uint64_t count;
};

static int
cmp_narrowing(const void *a, const void *b)
{
	const struct narrowing *x = a, *y = b;

	return (x->count > y->count) - (x->count < y->count);
}

/*
 * Narrow the series of a version 3 block to those that can satisfy 'm':
 * '*bits' gets a bit per series (NULL when nothing narrows: every series
 * is a candidate).  Only what narrows is read: the matchers' postings are
 * intersected from the shortest, and a list much longer than the
 * candidates so far is left to the check of each candidate's key (a
 * selector with a metric name and a rare label reads only the rare
 * label's list).  Returns 0, or -1 with 'eb'.
 */
static int
candidates(struct block *b, const struct matcher *m, size_t n,
    uint64_t **bits, struct errbuf *eb)
{
	size_t words = (b->nseries + 63) / 64, i, k, w, nr = 0;
	struct narrowing *r = xcalloc(n ? n : 1, sizeof(*r));
	uint64_t *acc = NULL, *one = NULL, have = 0;
	int rc = -1;

	*bits = NULL;
	for (i = 0; i < n; i++) {
		if (matcher_matches_empty(&m[i]))
			continue;
		if (nr == 0 && (check_labels(b, eb) == -1 ||
		    check_postings(b, eb) == -1))
			goto out;
		match_pairs(b, &m[i], &r[nr].pairs, &r[nr].npairs, &r[nr].count);
		nr++;
	}
	qsort(r, nr, sizeof(*r), cmp_narrowing);
	for (i = 0; i < nr; i++) {
		/* Every series: nothing to narrow.  Far more: left to keys. */
		if (r[i].count >= b->nseries || (acc && r[i].count / 16 > have))
			continue;
		if (acc == NULL) {
			acc = xcalloc(words, sizeof(*acc));
			for (k = 0; k < r[i].npairs; k++)
				if (mark_postings(b, pair_at(b, r[i].pairs[k]), acc,
				    eb) == -1)
					goto out;
			have = r[i].count;
			continue;
		}
		if (one == NULL)
			one = xmalloc(words * sizeof(*one));
		memset(one, 0, words * sizeof(*one));
		for (k = 0; k < r[i].npairs; k++)
			if (mark_postings(b, pair_at(b, r[i].pairs[k]), one,
			    eb) == -1)
				goto out;
		for (w = 0; w < words; w++)
			acc[w] &= one[w];
	}
	*bits = acc;
	acc = NULL;
	rc = 0;
out:
	for (i = 0; i < nr; i++)
		free(r[i].pairs);
	free(r);
	free(acc);
	free(one);
	return rc;
}

/* Whether any of the 'n' bits from 'first' on is set. */
static int
any_bit(const uint64_t *bits, size_t first, size_t n)
{
	size_t i;

	for (i = first; i < first + n; i++) {
		if (bits[i / 64] == 0) {
			i |= 63;
			continue;
		}
		if (bits[i / 64] & (1ULL << (i % 64)))
			return 1;
	}
	return 0;
}

static int
picked(const uint64_t *bits, size_t i)
{
	return bits == NULL || (bits[i / 64] & (1ULL << (i % 64)));
}

static int
wanted(const struct series_ix *x, const struct matcher *m, size_t n,
    int64_t mint, int64_t maxt)
{
	return x->s.maxt >= mint && x->s.mint <= maxt &&
	    (n == 0 || series_key_matches(x->s.key, x->s.keylen, m, n));
}

/* A copy of 'x' (and its strings) that lasts until block_close(). */
static const struct block_series *
keep(struct block *b, const struct series_ix *x)
{
	struct series_ix *k = arena_alloc(&b->arena, sizeof(*k));
	char *key = arena_alloc(&b->arena, x->s.keylen + 1);

	*k = *x;
	memcpy(key, x->s.key, x->s.keylen + 1);
	k->s.key = key;
	if (x->s.unit)
		k->s.unit = memcpy(arena_alloc(&b->arena, strlen(x->s.unit) + 1),
		    x->s.unit, strlen(x->s.unit) + 1);
	if (x->s.help)
		k->s.help = memcpy(arena_alloc(&b->arena, strlen(x->s.help) + 1),
		    x->s.help, strlen(x->s.help) + 1);
	if (x->cols) {
		size_t len = (size_t)block_rolled_cols(x->s.rollup_flags) + 1;
		k->cols = memcpy(arena_alloc(&b->arena, len * sizeof(*x->cols)),
		    x->cols, len * sizeof(*x->cols));
	}
	return &k->s;
}

/*
 * Pick out of page 'k' the series that 'bits' (NULL: all) and the
 * rest of the selection want, appending them to '*v'.  A page decoded
 * before is used as it is; any other is walked, and only what is picked
 * is kept.
 */
static int
select_page(struct block *b, size_t k, const uint64_t *bits,
    const struct matcher *m, size_t n, int64_t mint, int64_t maxt,
    const struct block_series ***v, size_t *nv, size_t *cap,
    struct errbuf *eb)
{
	struct walk w = { .key = BUF_INIT };
	struct page tmp = { 0 };
	struct series_ix x;
	size_t first = b->page_first[k], count = page_count(b, k), i;
	int rc = -1;

	if (b->pages[k]) {
		for (i = 0; i < count; i++) {
			const struct series_ix *px = &b->pages[k]->ix[i];
			if (!picked(bits, first + i) || !wanted(px, m, n, mint, maxt))
				continue;
			*v = xgrow(*v, cap, *nv + 1, sizeof(**v));
			(*v)[(*nv)++] = &px->s;
		}
		return 0;
	}
	if (decompress(b, &b->pagerefs[k], BLOCK_PAGE_ULEN_MAX,
	    &b->scratch) == -1 ||
	    walk_start(b, &w, b->scratch.p, b->scratch.len, first,
	    first + count) == -1)
		goto bad;
	for (i = 0; i < count; i++) {
		if (!picked(bits, first + i)) {
			if (walk_skip(b, &w) == -1)
				goto bad;
			continue;
		}
		tmp.ncols = 0;
		if (walk_next(b, &w, &tmp, &x) == -1)
			goto bad;
		if (b->res)
			x.cols = tmp.cols + x.col_at;
		if (!picked(bits, first + i) || !wanted(&x, m, n, mint, maxt))
			continue;
		*v = xgrow(*v, cap, *nv + 1, sizeof(**v));
		(*v)[(*nv)++] = keep(b, &x);
	}
	if (!walk_done(&w))
		goto bad;
	rc = 0;
	goto out;
bad:
	errbuf_set(eb, "'%s': series page %zu is damaged", b->path, k);
out:
	buf_release(&w.key);
	free(tmp.cols);
	return rc;
}

int
block_select(struct block *b, const struct matcher *m, size_t n,
    int64_t mint, int64_t maxt, const struct block_series ***out,
    size_t *nout, struct errbuf *eb)
{
	uint64_t *bits = NULL;
	const struct block_series **v = NULL;
	size_t cap = 0, nv = 0, i, k;
	int rc = -1;

	*out = NULL;
	*nout = 0;
	if (b->maxt < mint || b->mint > maxt)
		return 0;
	if (b->version < 3) {
		for (i = 0; i < b->nseries; i++) {
			const struct series_ix *x = &b->legacy.ix[i];
			if (!wanted(x, m, n, mint, maxt))
				continue;
			v = xgrow(v, &cap, nv + 1, sizeof(*v));
			v[nv++] = &x->s;
		}
		*out = v;
		*nout = nv;
		return 0;
	}
	if (candidates(b, m, n, &bits, eb) == -1)
		return -1;
	for (k = 0; k < b->npages; k++) {
		if (bits && !any_bit(bits, b->page_first[k], page_count(b, k)))
			continue;
		if (select_page(b, k, bits, m, n, mint, maxt, &v, &nv, &cap,
		    eb) == -1)
			goto out;
	}
	*out = v;
	*nout = nv;
	v = NULL;
	rc = 0;
out:
	free(bits);
	free(v);
	return rc;
}

/* Versions 1 and 2: the names or values, from every key. */
static int
labels_legacy(struct block *b, const char *name, block_label_fn fn,
    void *arg)
{
	struct label l[METRIC_LABELS_MAX];
	size_t i, k;

	for (i = 0; i < b->nseries; i++) {
		const struct block_series *s = &b->legacy.ix[i].s;
		struct sample m;
		if (series_key_decode(s->key, s->keylen, &m, l) == -1)
			continue;
		if (name == NULL) {
			if (fn(arg, "__name__", 8) == -1)
				return -1;
		} else if (strcmp(name, "__name__") == 0) {
			if (fn(arg, m.name, m.name_len) == -1)
				return -1;
		}
		for (k = 0; k < m.nlabels; k++) {
			if (m.labels[k].value_len == 0)
				continue;
			if (name == NULL ? fn(arg, m.labels[k].name,
			    m.labels[k].name_len) == -1 :
			    strcmp(m.labels[k].name, name) == 0 &&
			    fn(arg, m.labels[k].value, m.labels[k].value_len) == -1)
				return -1;
		}
	}
	return 0;
}

int
block_labels(struct block *b, const char *name, block_label_fn fn, void *arg,
    struct errbuf *eb)
{
	const unsigned char *ne;
	size_t i, first, n, sl;
	const char *s;

	if (b->version < 3)
		return labels_legacy(b, name, fn, arg);
	if (check_labels(b, eb) == -1)
		return -1;
	if (name == NULL) {
		for (i = 0; i < b->nnames; i++) {
			s = label_str(b, b->labels + i * BLOCK_NAME_ENTRY, &sl);
			if (fn(arg, s, sl) == -1)
				return -1;
		}
		return 0;
	}
	if ((ne = find_name(b, name)) == NULL)
		return 0;
	first = le32_get(ne + 8);
	n = le32_get(ne + 12);
	for (i = first; i < first + n; i++) {
		s = label_str(b, pair_at(b, i), &sl);
		if (fn(arg, s, sl) == -1)
			return -1;
	}
	return 0;
}

/*
 * A cached frame: its key (the checksums and lengths of its two zstd
 * frames), its data, the blocks reading it, and its place in the hash
 * chain and in the list of frames nobody reads, oldest first.
 */
struct centry {
	uint64_t ts_sum, v_sum;
	uint32_t ts_clen, v_clen, ts_ulen, v_ulen;
	char *ts, *val;
	size_t refs;
	struct centry *hnext;
	struct centry *older, *newer;	/* in the idle list when refs == 0 */
};

struct block_cache {
	pthread_mutex_t lock;
	struct centry **bucket;
	size_t nbuckets, n;
	size_t bytes;		/* of all entries */
	size_t max;		/* the bound on idle ones */
	size_t idle_bytes;
	struct centry *oldest, *newest;	/* idle entries */
};

struct block_cache *
block_cache_new(size_t bytes)
{
	struct block_cache *c = xcalloc(1, sizeof(*c));

	pthread_mutex_init(&c->lock, NULL);
	c->nbuckets = 64;	/* doubled as entries come */
	c->bucket = xcalloc(c->nbuckets, sizeof(*c->bucket));
	c->max = bytes;
	return c;
}

static void
centry_free(struct centry *e)
{
	free(e->ts);
	free(e->val);
	free(e);
}

void
block_cache_free(struct block_cache *c)
{
	size_t i;

	if (c == NULL)
		return;
	for (i = 0; i < c->nbuckets; i++)
		while (c->bucket[i]) {
			struct centry *e = c->bucket[i];
			c->bucket[i] = e->hnext;
			centry_free(e);
		}
	free(c->bucket);
	pthread_mutex_destroy(&c->lock);
	free(c);
}

void
block_use_cache(struct block *b, struct block_cache *c)
{
	b->cache = c;
}

static size_t
centry_size(const struct centry *e)
{
	return sizeof(*e) + e->ts_ulen + e->v_ulen + 2;
}

static uint64_t
centry_hash(uint64_t ts_sum, uint64_t v_sum)
{
	return ts_sum ^ (v_sum * 0x9e3779b97f4a7c15ULL);
}

static size_t
centry_bucket(const struct block_cache *c, uint64_t ts_sum, uint64_t v_sum)
{
	return (size_t)(centry_hash(ts_sum, v_sum) % c->nbuckets);
}

static int
centry_is(const struct centry *e, const struct frame *fr)
{
	return e->ts_sum == fr->ts.sum && e->v_sum == fr->v.sum &&
	    e->ts_clen == fr->ts.clen && e->v_clen == fr->v.clen &&
	    e->ts_ulen == fr->ts.ulen && e->v_ulen == fr->v.ulen;
}

/* Take 'e' out of the idle list, or put it at its new end. (Locked.) */
static void
idle_remove(struct block_cache *c, struct centry *e)
{
	if (e->older)
		e->older->newer = e->newer;
	else
		c->oldest = e->newer;
	if (e->newer)
		e->newer->older = e->older;
	else
		c->newest = e->older;
	e->older = e->newer = NULL;
	c->idle_bytes -= centry_size(e);
}

static void
idle_add(struct block_cache *c, struct centry *e)
{
	e->newer = NULL;
	e->older = c->newest;
	if (c->newest)
		c->newest->newer = e;
	else
		c->oldest = e;
	c->newest = e;
	c->idle_bytes += centry_size(e);
}

/* Drop the oldest idle entries while they pass the bound. (Locked.) */
static void
cache_trim(struct block_cache *c)
{
	while (c->oldest && c->idle_bytes > c->max) {
		struct centry *e = c->oldest, **pp;
		idle_remove(c, e);
		for (pp = &c->bucket[centry_bucket(c, e->ts_sum, e->v_sum)];
		    *pp != e; pp = &(*pp)->hnext)
			;
		*pp = e->hnext;
		c->bytes -= centry_size(e);
		c->n--;
		centry_free(e);
	}
}

/* Twice the buckets, for as many entries as buckets at most. (Locked.) */
static void
cache_grow(struct block_cache *c)
{
	size_t n = c->nbuckets * 2, i;
	struct centry **b = xcalloc(n, sizeof(*b));

	for (i = 0; i < c->nbuckets; i++)
		while (c->bucket[i]) {
			struct centry *e = c->bucket[i];
			size_t k = (size_t)(centry_hash(e->ts_sum, e->v_sum) %
			    n);
			c->bucket[i] = e->hnext;
			e->hnext = b[k];
			b[k] = e;
		}
	free(c->bucket);
	c->bucket = b;
	c->nbuckets = n;
}

/* The entry of frame 'fr', now read by one more block, or NULL. */
static struct centry *
cache_get(struct block_cache *c, const struct frame *fr)
{
	struct centry *e;

	pthread_mutex_lock(&c->lock);
	e = c->bucket[centry_bucket(c, fr->ts.sum, fr->v.sum)];
	for (; e; e = e->hnext)
		if (centry_is(e, fr))
			break;
	if (e && e->refs++ == 0)
		idle_remove(c, e);
	pthread_mutex_unlock(&c->lock);
	return e;
}

/*
 * Add frame 'fr' decompressed in 'ts' and 'val' (taken; they become the
 * entry's), read by one block.  Returns the entry: the one another block
 * added meanwhile, if it did, and then 'ts' and 'val' are freed.
 */
static struct centry *
cache_put(struct block_cache *c, const struct frame *fr, char *ts, char *val)
{
	struct centry *e, **head;

	pthread_mutex_lock(&c->lock);
	head = &c->bucket[centry_bucket(c, fr->ts.sum, fr->v.sum)];
	for (e = *head; e; e = e->hnext)
		if (centry_is(e, fr))
			break;
	if (e) {
		if (e->refs++ == 0)
			idle_remove(c, e);
		free(ts);
		free(val);
	} else {
		e = xcalloc(1, sizeof(*e));
		e->ts_sum = fr->ts.sum;
		e->v_sum = fr->v.sum;
		e->ts_clen = fr->ts.clen;
		e->v_clen = fr->v.clen;
		e->ts_ulen = fr->ts.ulen;
		e->v_ulen = fr->v.ulen;
		e->ts = ts;
		e->val = val;
		e->refs = 1;
		e->hnext = *head;
		*head = e;
		c->bytes += centry_size(e);
		if (++c->n > c->nbuckets)
			cache_grow(c);
	}
	pthread_mutex_unlock(&c->lock);
	return e;
}

/* 'b' no longer reads its cached frame. */
static void
cache_release(struct block *b)
{
	struct block_cache *c = b->cache;
	struct centry *e = b->centry;

	if (e == NULL)
		return;
	b->centry = NULL;
	pthread_mutex_lock(&c->lock);
	if (--e->refs == 0) {
		idle_add(c, e);
		cache_trim(c);
	}
	pthread_mutex_unlock(&c->lock);
}

/* Frame 'f' of 'b' from its cache, decompressed into it if not there. */
static int
load_frame_cached(struct block *b, size_t f)
{
	const struct frame *fr = &b->frames[f];
	struct centry *e;

	cache_release(b);
	if ((e = cache_get(b->cache, fr)) == NULL) {
		if (decompress(b, &fr->ts, BLOCK_FRAME_ULEN_MAX, &b->ts) ==
		    -1 || decompress(b, &fr->v, BLOCK_FRAME_ULEN_MAX,
		    &b->val) == -1)
			return -1;
		/* The buffers become the entry's. */
		e = cache_put(b->cache, fr, b->ts.p, b->val.p);
		buf_init(&b->ts);
		buf_init(&b->val);
	}
	b->centry = e;
	b->fts = e->ts;
	b->fval = e->val;
	return 0;
}

static int
load_frame(struct block *b, size_t f, struct errbuf *eb)
{
	const struct frame *fr = &b->frames[f];

	if (b->cached == (long)f)
		return 0;
	b->cached = -1;
	if (b->cache) {
		if (load_frame_cached(b, f) == -1)
			return errbuf_set(eb, "'%s': frame %zu is damaged",
			    b->path, f);
		b->cached = (long)f;
		return 0;
	}
	if (decompress(b, &fr->ts, BLOCK_FRAME_ULEN_MAX, &b->ts) == -1 ||
	    decompress(b, &fr->v, BLOCK_FRAME_ULEN_MAX, &b->val) == -1)
		return errbuf_set(eb, "'%s': frame %zu is damaged", b->path, f);
	b->fts = b->ts.p;
	b->fval = b->val.p;
	b->cached = (long)f;
	return 0;
}

/*
 * Whether the 'n' decoded times 'ts' are what the entry 's' promises:
 * strictly increasing from its mint to its maxt, which readers select
 * and merge by.
 */
static int
times_fit(const int64_t *ts, size_t n, const struct block_series *s)
{
	size_t i;

	if (ts[0] != s->mint || ts[n - 1] != s->maxt)
		return 0;
	for (i = 1; i < n; i++)
		if (ts[i] <= ts[i - 1])
			return 0;
	return 1;
}

int
block_read(struct block *b, const struct block_series *s, int64_t *ts,
    double *v, struct errbuf *eb)
{
	const struct series_ix *x = ix_of(s);

	if (b->res)
		return errbuf_set(eb, "'%s' is a rolled block", b->path);
	if (load_frame(b, x->frame, eb) == -1)
		return -1;
	if (chunk_decode_ts((const unsigned char *)b->fts + x->ts_at,
	    x->ts_len, x->s.n, ts) == -1 ||
	    chunk_decode_values((const unsigned char *)b->fval + x->v_at,
	    x->v_len, x->s.n, v) == -1)
		return errbuf_set(eb, "'%s': series '%s' does not decode",
		    b->path, x->s.key);
	if (!times_fit(ts, x->s.n, &x->s))
		return errbuf_set(eb, "'%s': series '%s' does not decode",
		    b->path, x->s.key);
	return 0;
}

int
block_read_rollup(struct block *b, const struct block_series *s,
    struct rollup *out, struct errbuf *eb)
{
	return block_read_rollup_cols(b, s, out, ROLLUP_ALL_BITS, eb);
}

int
block_read_rollup_cols(struct block *b, const struct block_series *s,
    struct rollup *out, unsigned cols, struct errbuf *eb)
{
	const struct series_ix *x = ix_of(s);
	const uint32_t *len;
	const unsigned char *p, *end;
	size_t n, base = out->n, k;
	int c, nc;

	if (b->res == 0)
		return errbuf_set(eb, "'%s' is not a rolled block", b->path);
	len = x->cols;
	n = x->s.n;
	nc = block_rolled_cols(x->s.rollup_flags);
	if (out->flags != x->s.rollup_flags)
		return errbuf_set(eb, "'%s': series '%s': unexpected columns",
		    b->path, x->s.key);
	if (load_frame(b, x->frame, eb) == -1)
		return -1;
	rollup_reserve(out, base + n);
	p = (const unsigned char *)b->fval + x->v_at;
	if (chunk_decode_ts((const unsigned char *)b->fts + x->ts_at,
	    x->ts_len, n, out->t + base) == -1 ||
	    !times_fit(out->t + base, n, &x->s))
		goto bad;
	/*
	 * A column not asked for is passed over: most of a row's columns
	 * are floats of all their digits, the most costly to decode, and a
	 * plain selector's average reads two of them, a counter three.
	 */
	for (c = 0; c < nc; c++) {
		if (cols & (1u << c)) {
			if (chunk_decode_values(p, len[c], n,
			    out->col[c] + base) == -1)
				goto bad;
		} else {
			for (k = 0; k < n; k++)
				out->col[c][base + k] = NAN;
		}
		p += len[c];
	}
	for (; c < ROLLUP_NCOLS; c++)
		for (k = 0; k < n; k++)
			out->col[c][base + k] = NAN;
	if (x->inc_delta && (cols & (1u << ROLLUP_INC)))
		for (k = base; k < base + n; k++)
			out->col[ROLLUP_INC][k] = block_inc_from_delta(
			    out->col[ROLLUP_LAST][k], out->col[ROLLUP_FIRST][k],
			    out->col[ROLLUP_INC][k]);
	end = p + len[nc];
	for (k = 0; k < n; k++) {
		const char *sk;
		size_t sl = 0;
		if ((x->s.rollup_flags & ROLLUP_F_SKETCH) &&
		    varint_get_bytes(&p, end, &sk, &sl) == -1)
			goto bad;
		if (!(cols & ROLLUP_SKETCH_BIT))
			sl = 0;
		out->sk_off[base + k] = out->sk.len;
		out->sk_len[base + k] = sl;
		if (sl)
			buf_add(&out->sk, sk, sl);
	}
	if (p != end)
		goto bad;
	out->n = base + n;
	return 0;
bad:
	return errbuf_set(eb, "'%s': series '%s' does not decode", b->path,
	    x->s.key);
}

int
block_verify(struct block *b, struct errbuf *eb)
{
	int64_t *ts = NULL;
	double *v = NULL;
	struct rollup r = ROLLUP_INIT;
	size_t i, cap = 0;
	int rc = 0;

	if (b->version == 3) {
		uint64_t *bits = xcalloc((b->nseries + 63) / 64, sizeof(*bits));
		if (check_labels(b, eb) == -1 || check_postings(b, eb) == -1)
			rc = -1;
		for (i = 0; i < b->npairs && rc == 0; i++)
			rc = mark_postings(b, pair_at(b, i), bits, eb);
		free(bits);
	}
	for (i = 0; i < b->nseries && rc == 0; i++) {
		const struct series_ix *x = ix_at(b, i, eb);
		if (x == NULL) {
			rc = -1;
			break;
		}
		if (b->res) {
			rollup_reset(&r, x->s.rollup_flags);
			rc = block_read_rollup(b, &x->s, &r, eb);
		} else {
			size_t c2 = cap;
			ts = xgrow(ts, &cap, x->s.n, sizeof(*ts));
			v = xgrow(v, &c2, x->s.n, sizeof(*v));
			rc = block_read(b, &x->s, ts, v, eb);
		}
	}
	rollup_release(&r);
	free(ts);
	free(v);
	return rc;
}
