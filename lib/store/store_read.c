/* store_read.c - reading a store: snapshots, selection, merging */
/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/timestamp.h"
#include "stream/matcher.h"
#include "base/buf.h"
#include "base/strmap.h"
#include "base/xalloc.h"
#include "store/block.h"
#include "store/head.h"
#include "store/roll.h"
#include "store/rollup.h"
#include "store/store_int.h"
#include "store/tombstone.h"
#include "store/wal.h"
#include "stream/series.h"

/*
 * A reader holds the blocks and WALs of a tier that overlap its time
 * range, opened while holding the tier's lock shared: WALs first, then
 * blocks.  A writer removes a WAL only after linking the blocks that
 * hold its samples, and only under the lock held exclusively, so a WAL
 * the reader did not find had its blocks in place before the reader
 * listed them.  Once open, files stay readable even if removed.
 *
 * Blocks are mapped and indexed (block.h): a selection reads their
 * postings and the pages of the series it finds.  A WAL is kept open
 * and read at each selection, for the matching series only, into a head
 * of its own: a running writer's log costs a reader what it selects.
 */
struct source {
	struct block *b;	/* a block, or */
	int fd;			/* a WAL, read at each selection into */
	struct head *h;		/* the matching series of the WAL */
	char *path;		/* the WAL's */
	uint64_t seq;
	int64_t mint, maxt;	/* what the reader takes from it */
	int skip;		/* damaged: passed over */
	int whole;		/* a WAL read whole, for every selection */
	struct postings *post;	/* of a WAL read whole */
};

/*
 * Postings of a WAL read whole: each label pair ("name\0value", the
 * metric name as "__name__\0name") to the head's series that have it,
 * so that a selection reads the series of its rarest '=' matcher, not
 * every series of the log.
 */
struct postings {
	struct strmap *pairs;
	struct idlist {
		uint32_t *v;
		size_t n, cap;
	} *lists;
	size_t cap;
};

static void
post_add(struct postings *p, struct buf *pair, uint32_t series)
{
	uint32_t id;
	int created;
	struct idlist *l;

	id = strmap_intern(p->pairs, pair->p, pair->len,
	    strmap_hash(pair->p, pair->len), &created);
	if (created) {
		p->lists = xgrow(p->lists, &p->cap, (size_t)id + 1,
		    sizeof(*p->lists));
		memset(&p->lists[id], 0, sizeof(p->lists[id]));
	}
	l = &p->lists[id];
	l->v = xgrow(l->v, &l->cap, l->n + 1, sizeof(*l->v));
	l->v[l->n++] = series;
}

static struct postings *
post_build(const struct head *h)
{
	struct postings *p = xcalloc(1, sizeof(*p));
	struct buf pair = BUF_INIT;
	uint32_t i;

	p->pairs = strmap_new();
	for (i = 0; i < head_nseries(h); i++) {
		const struct head_series *hs = head_series((struct head *)h, i);
		const char *k = head_key(h, hs), *end = k + hs->keylen, *q;
		size_t nl = strnlen(k, hs->keylen);
		buf_reset(&pair);
		buf_add(&pair, "__name__", 9);
		buf_add(&pair, k, nl);
		post_add(p, &pair, i);
		/* "l1\0v1\0l2\0v2": each pair as it lies. */
		for (q = k + nl + 1; q < end; ) {
			const char *l = q, *v = memchr(l, '\0', (size_t)(end - l));
			const char *e;
			if (v == NULL)
				break;
			e = memchr(v + 1, '\0', (size_t)(end - v - 1));
			if (e == NULL)
				e = end;
			buf_reset(&pair);
			buf_add(&pair, l, (size_t)(e - l));
			post_add(p, &pair, i);
			q = e + 1;
		}
	}
	buf_release(&pair);
	return p;
}

static void
post_free(struct postings *p)
{
	size_t i;

	if (p == NULL)
		return;
	for (i = 0; i < strmap_count(p->pairs); i++)
		free(p->lists[i].v);
	free(p->lists);
	strmap_free(p->pairs);
	free(p);
}

/*
 * The series of 'p' that can match 'm': the shortest list of their '='
 * matchers with a value ('*all' set when none has one: every series).
 * NULL when a pair is in no series: nothing matches.
 */
static const struct idlist *
post_candidates(const struct postings *p, const struct matcher *m, size_t n,
    int *all, struct buf *pair)
{
	static const struct idlist none = { NULL, 0, 0 };
	const struct idlist *best = NULL;
	size_t i;

	*all = 1;
	for (i = 0; i < n; i++) {
		long id;
		if (m[i].op != MATCHER_EQ || m[i].value_len == 0)
			continue;
		buf_reset(pair);
		buf_add(pair, m[i].name, m[i].name_len + 1);
		buf_add(pair, m[i].value, m[i].value_len);
		*all = 0;
		if ((id = strmap_find(p->pairs, pair->p, pair->len,
		    strmap_hash(pair->p, pair->len))) < 0)
			return &none;
		if (best == NULL || p->lists[id].n < best->n)
			best = &p->lists[id];
	}
	return best;
}

/*
 * A reader may take different spans of time from different tiers
 * (store_reader_open_spans()); 'mint' and 'maxt' span them all.
 */
struct store_reader {
	struct store *st;
	int64_t mint, maxt;
	int64_t span_mint, span_maxt;	/* of the span being opened */
	enum rollup_agg agg;
	struct source *src;
	size_t nsrc, cap;
	struct tombstones tomb;	/* deletions, applied to what is read */
	int tomb_loaded;
	int whole_logs;		/* store_reader_whole_logs() */
};

static struct source *
add_source(struct store_reader *r, struct block *b, int fd, const char *path,
    uint64_t seq)
{
	struct source *s;

	r->src = xgrow(r->src, &r->cap, r->nsrc + 1, sizeof(*r->src));
	s = &r->src[r->nsrc++];
	memset(s, 0, sizeof(*s));
	s->b = b;
	s->fd = fd;
	s->path = path ? xstrdup(path) : NULL;
	s->seq = seq;
	s->mint = r->span_mint;
	s->maxt = r->span_maxt;
	return s;
}

/* Note a damaged file of 'r' whose problem is in 'eb', and go on. */
static void
damage(struct store_reader *r, const char *path, const struct errbuf *eb)
{
	store_damage_note(r->st, path, eb->msg);
}

void
store_reader_add_block(struct store_reader *r, struct block *b, int64_t mint,
    int64_t maxt)
{
	if (block_maxt(b) < mint || block_mint(b) > maxt) {
		block_close(b);
		return;
	}
	if (mint < r->mint)
		r->mint = mint;
	if (maxt > r->maxt)
		r->maxt = maxt;
	r->span_mint = mint;
	r->span_maxt = maxt;
	add_source(r, b, -1, NULL, block_seq(b));
}

static int
open_wals(struct store_reader *r, struct errbuf *eb)
{
	char dir[PATH_MAX], path[PATH_MAX + 256];
	char **names;
	size_t n, i;

	store_path(r->st, dir, "raw", "wal");
	if (store_list(dir, ".wal", &names, &n, eb) == -1)
		return -1;
	for (i = 0; i < n; i++) {
		int fd;
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
			/* Removed since listed: its samples are in blocks. */
			if (errno == ENOENT)
				continue;
			errbuf_set(eb, "cannot open '%s': %s", path,
			    strerror(errno));
			store_list_free(names, n);
			return -1;
		}
		/* WAL samples are newer than any block sealed before them. */
		add_source(r, NULL, fd, path, strtoull(names[i], NULL, 16));
	}
	store_list_free(names, n);
	return 0;
}

/*
 * Whether the block named 'name' of tier 't' can hold anything in
 * [mint, maxt]: its name starts with its first timestamp, which gives
 * its window, so most blocks are passed over without opening them.
 */
static int
name_overlaps(enum store_tier t, const char *name, int64_t mint, int64_t maxt)
{
	int64_t first = strtoll(name, NULL, 10), span = roll_span(t), w;

	if (t == STORE_TIER_RAW) {
		w = store_window_start(first);
		return w <= maxt && w + span - 1 >= mint;
	}
	/* Rolled rows are stamped with their end: (w, w + span]. */
	w = first - 1;
	w = w / span * span - (w < 0 && w % span ? span : 0);
	return w + 1 <= maxt && w + span >= mint;
}

static int
open_blocks(struct store_reader *r, enum store_tier t, struct errbuf *eb)
{
	char dir[PATH_MAX], path[PATH_MAX + 256];
	char **names;
	size_t n, i;

	store_path(r->st, dir, store_tier_name(t), NULL);
	if (store_list(dir, ".blk", &names, &n, eb) == -1)
		return -1;
	for (i = 0; i < n; i++) {
		struct errbuf e2 = ERRBUF_INIT;
		struct block *b;
		if (!name_overlaps(t, names[i], r->span_mint, r->span_maxt))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		if ((b = block_open(path, &e2)) == NULL) {
			if (errno != ENOENT)
				damage(r, path, &e2);
			continue;
		}
		if (block_maxt(b) < r->span_mint || block_mint(b) > r->span_maxt) {
			block_close(b);
			continue;
		}
		if (r->st->cache)
			block_use_cache(b, r->st->cache);
		add_source(r, b, -1, NULL, block_seq(b));
	}
	store_list_free(names, n);
	return 0;
}

/* Add the blocks, and with 'wals' the WALs, of tier 't' in [mint, maxt]. */
static int
add_span(struct store_reader *r, enum store_tier t, int64_t mint,
    int64_t maxt, int wals, struct errbuf *eb)
{
	int lock, rc = 0;

	if (mint < r->mint)
		r->mint = mint;
	if (maxt > r->maxt)
		r->maxt = maxt;
	r->span_mint = mint;
	r->span_maxt = maxt;
	/* Deletions first: one made after the files are listed is seen. */
	if (!r->tomb_loaded) {
		if (tombstones_load(r->st, &r->tomb, eb) == -1)
			return -1;
		r->tomb_loaded = 1;
	}
	if ((lock = store_lock(r->st, t, 0, eb)) == -1)
		return -1;
	if ((wals && t == STORE_TIER_RAW && open_wals(r, eb) == -1) ||
	    open_blocks(r, t, eb) == -1)
		rc = -1;
	store_unlock(lock);
	return rc;
}

static struct store_reader *
reader_new(struct store *st)
{
	struct store_reader *r = xcalloc(1, sizeof(*r));

	r->st = st;
	r->mint = INT64_MAX;
	r->maxt = INT64_MIN;
	return r;
}

struct store_reader *
store_reader_open_blocks(struct store *st, enum store_tier t, int64_t mint,
    int64_t maxt, struct errbuf *eb)
{
	struct store_reader *r = reader_new(st);

	if (add_span(r, t, mint, maxt, 0, eb) == -1) {
		store_reader_close(r);
		return NULL;
	}
	return r;
}

struct store_reader *
store_reader_open(struct store *st, enum store_tier t, int64_t mint,
    int64_t maxt, struct errbuf *eb)
{
	struct store_reader *r = reader_new(st);

	if (add_span(r, t, mint, maxt, 1, eb) == -1) {
		store_reader_close(r);
		return NULL;
	}
	return r;
}

struct store_reader *
store_reader_open_spans(struct store *st, const struct store_span *sp,
    size_t n, struct errbuf *eb)
{
	struct store_reader *r = reader_new(st);
	size_t i;

	for (i = 0; i < n; i++)
		if (add_span(r, sp[i].tier, sp[i].mint, sp[i].maxt, 1, eb) == -1) {
			store_reader_close(r);
			return NULL;
		}
	return r;
}

void
store_reader_keep_from(struct store_reader *r, uint64_t seq)
{
	size_t i, k = 0;

	for (i = 0; i < r->nsrc; i++) {
		if (r->src[i].b != NULL && r->src[i].seq < seq) {
			block_close(r->src[i].b);
			free(r->src[i].path);
			continue;
		}
		r->src[k++] = r->src[i];
	}
	r->nsrc = k;
}

void
store_reader_whole_logs(struct store_reader *r)
{
	r->whole_logs = 1;
}

void
store_reader_set_agg(struct store_reader *r, enum rollup_agg agg)
{
	r->agg = agg;
}

void
store_reader_close(struct store_reader *r)
{
	size_t i;

	if (r == NULL)
		return;
	for (i = 0; i < r->nsrc; i++) {
		block_close(r->src[i].b);
		head_free(r->src[i].h);
		post_free(r->src[i].post);
		if (r->src[i].fd >= 0)
			close(r->src[i].fd);
		free(r->src[i].path);
	}
	free(r->src);
	tombstones_release(&r->tomb);
	free(r);
}

size_t
store_reader_nblocks(const struct store_reader *r)
{
	size_t i, n = 0;

	for (i = 0; i < r->nsrc; i++)
		n += r->src[i].b != NULL;
	return n;
}

struct block *
store_reader_block(struct store_reader *r, size_t i)
{
	size_t k;

	for (k = 0; k < r->nsrc; k++)
		if (r->src[k].b && i-- == 0)
			return r->src[k].b;
	return NULL;
}

/*
 * Replaying a WAL into a head: every series, or those 'matchers' select.
 */
struct replay {
	struct head *h;
	const struct matcher *m;
	size_t n;
	uint64_t samples;
};

static int64_t
replay_series(void *ctx, uint64_t ref, enum metric_type type, const char *key,
    size_t keylen, const char *unit, size_t unit_len, const char *help,
    size_t help_len)
{
	struct replay *r = ctx;
	int created;

	(void)ref;
	if (r->n && !series_key_matches(key, keylen, r->m, r->n))
		return WAL_SKIP;
	return head_series_get(r->h, key, keylen, series_hash(key, keylen), type,
	    unit, unit_len, help, help_len, &created);
}

static int
replay_sample(void *ctx, uint32_t id, int64_t ts, double v)
{
	struct replay *r = ctx;

	head_append(r->h, id, ts, v);
	r->samples++;
	return 0;
}

int
store_replay_wal(int fd, const char *path, struct head *h,
    const struct matcher *m, size_t n, uint64_t *seq, uint64_t *samples,
    struct errbuf *eb)
{
	struct replay r = { h, m, n, 0 };
	struct wal_visitor v = { replay_series, replay_sample, &r,
	    series_matchers_sig(m, n) };
	struct wal_read_stats st;
	int rc = wal_read_fd(fd, path, &v, &st, eb);

	*seq = st.seq;
	*samples = r.samples;
	return rc;
}

/* Read WAL source 's' for the series 'm' selects (all when 'n' is 0). */
static int
load_wal(struct store_reader *r, struct source *s, const struct matcher *m,
    size_t n)
{
	struct errbuf eb = ERRBUF_INIT;
	uint64_t seq, samples;

	head_free(s->h);
	s->h = head_new();
	if (store_replay_wal(s->fd, s->path, s->h, m, n, &seq, &samples,
	    &eb) == -1) {
		/*
		 * What came before the damage is good: keep it, and note
		 * the file.  A file that is not a WAL gives nothing.
		 */
		damage(r, s->path, &eb);
	}
	return 0;
}

/*
 * Selection: every matching series of every source, sorted by key and
 * then by source sequence, so that equal keys are adjacent and the
 * newest comes last.
 */
struct hit {
	const char *key;
	size_t keylen;
	uint32_t src;
	uint32_t idx;			/* a WAL's: its head series */
	const struct block_series *bs;	/* a block's */
};

struct store_iter {
	struct store_reader *r;
	struct hit *hits;
	size_t nhits, pos;
	/* Output and scratch arrays, reused from series to series. */
	int64_t *ts, *tts;
	double *v, *tv;
	uint64_t *seq;
	size_t cap, tcap;
	/*
	 * Rolled rows: as gathered from each block ('rows', with the
	 * block's sequence per row in 'rseq'), and merged ('merged').
	 */
	struct rollup rows, merged;
	uint64_t *rseq;
	size_t rseq_cap;
	int have_rows;
	int values_only;	/* store_iter_values_only() */
};

static int
cmp_hit(const void *a, const void *b, void *ctx)
{
	const struct hit *x = a, *y = b;
	const struct store_reader *r = ctx;
	size_t m = x->keylen < y->keylen ? x->keylen : y->keylen;
	int c = memcmp(x->key, y->key, m);

	if (c)
		return c;
	if (x->keylen != y->keylen)
		return x->keylen < y->keylen ? -1 : 1;
	return (r->src[x->src].seq > r->src[y->src].seq) -
	    (r->src[x->src].seq < r->src[y->src].seq);
}

/* Whether the hits, gathered source by source, are in order already. */
static int
hits_sorted(const struct store_iter *it)
{
	size_t i;

	for (i = 1; i < it->nhits; i++)
		if (cmp_hit(&it->hits[i - 1], &it->hits[i], it->r) > 0)
			return 0;
	return 1;
}

/* Add the series of WAL source 's' that 'm' selects to 'it'. */
static void
wal_hits(struct store_reader *r, struct store_iter *it, size_t *cap,
    size_t s, const struct matcher *m, size_t n, struct buf *pair)
{
	struct source *src = &r->src[s];
	const struct idlist *cand = NULL;
	size_t ncand, c, i;
	int all = 1;

	if (!r->whole_logs) {
		load_wal(r, src, m, n);
	} else if (!src->whole) {
		load_wal(r, src, NULL, 0);
		src->whole = 1;
		src->post = post_build(src->h);
	}
	ncand = head_nseries(src->h);
	if (src->post) {
		cand = post_candidates(src->post, m, n, &all, pair);
		if (!all)
			ncand = cand->n;
	}
	for (c = 0; c < ncand; c++) {
		struct head_series *hs;
		i = all ? c : cand->v[c];
		hs = head_series(src->h, (uint32_t)i);
		/* A log read whole has every series: the matchers decide. */
		if (hs->n == 0 || (r->whole_logs && n &&
		    !series_key_matches(head_key(src->h, hs), hs->keylen, m, n)))
			continue;
		it->hits = xgrow(it->hits, cap, it->nhits + 1, sizeof(*it->hits));
		it->hits[it->nhits++] = (struct hit){ head_key(src->h, hs),
		    hs->keylen, (uint32_t)s, (uint32_t)i, NULL };
	}
}

/*
 * The matchers of a selection on 'r': 'm' itself, or, for a store
 * restricted (store_restrict()), a copy in '*tmp' (to free) with the
 * restriction added.
 */
static const struct matcher *
restricted(const struct store_reader *r, const struct matcher *m, size_t *n,
    struct matcher **tmp)
{
	*tmp = NULL;
	if (!r->st->scoped)
		return m;
	*tmp = xreallocarray(NULL, *n + 1, sizeof(**tmp));
	if (*n)
		memcpy(*tmp, m, *n * sizeof(*m));
	(*tmp)[(*n)++] = r->st->scope;
	return *tmp;
}

static struct store_iter *
select_series(struct store_reader *r, const struct matcher *m, size_t n)
{
	struct store_iter *it = xcalloc(1, sizeof(*it));
	struct buf pair = BUF_INIT;
	size_t cap = 0, s, i;

	it->r = r;
	for (s = 0; s < r->nsrc; s++) {
		struct source *src = &r->src[s];
		if (src->skip)
			continue;
		if (src->b) {
			struct errbuf e2 = ERRBUF_INIT;
			const struct block_series **bs;
			size_t nbs;
			if (block_select(src->b, m, n, src->mint, src->maxt, &bs,
			    &nbs, &e2) == -1) {
				damage(r, block_path(src->b), &e2);
				continue;
			}
			it->hits = xgrow(it->hits, &cap, it->nhits + nbs,
			    sizeof(*it->hits));
			for (i = 0; i < nbs; i++)
				it->hits[it->nhits++] = (struct hit){ bs[i]->key,
				    bs[i]->keylen, (uint32_t)s, 0, bs[i] };
			free(bs);
			continue;
		}
		wal_hits(r, it, &cap, s, m, n, &pair);
	}
	buf_release(&pair);
	if (it->nhits > 1 && !hits_sorted(it))
		qsort_r(it->hits, it->nhits, sizeof(*it->hits), cmp_hit, r);
	return it;
}

struct store_iter *
store_select(struct store_reader *r, const struct matcher *m, size_t n,
    struct errbuf *eb)
{
	struct matcher *tmp;
	struct store_iter *it;

	(void)eb;
	m = restricted(r, m, &n, &tmp);
	it = select_series(r, m, n);
	free(tmp);
	return it;
}

static void
reserve(struct store_iter *it, size_t n)
{
	if (n > it->cap) {
		size_t c = it->cap;
		it->ts = xgrow(it->ts, &c, n, sizeof(*it->ts));
		it->v = xreallocarray(it->v, c, sizeof(*it->v));
		it->seq = xreallocarray(it->seq, c, sizeof(*it->seq));
		it->cap = c;
	}
}

/*
 * Append the rows of series 'idx' of the rolled block of 'src' within the
 * source's range to it->rows, tagged with the block's sequence.
 */
static int
gather_rows(struct store_iter *it, const struct source *src,
    const struct block_series *bs, struct errbuf *eb)
{
	size_t base = it->rows.n, i, out;

	if (!it->have_rows) {
		rollup_reset(&it->rows, bs->rollup_flags);
		it->have_rows = 1;
	} else if (it->rows.flags != bs->rollup_flags) {
		/*
		 * The series changed kind between blocks (say, gauge to
		 * counter): keep the newest block's kind.
		 */
		rollup_reset(&it->rows, bs->rollup_flags);
		base = 0;
	}
	if (block_read_rollup_cols(src->b, bs, &it->rows, it->values_only ?
	    rollup_agg_cols(it->r->agg, bs->rollup_flags) : ROLLUP_ALL_BITS,
	    eb) == -1) {
		it->rows.n = base;
		return -1;
	}
	it->rseq = xgrow(it->rseq, &it->rseq_cap, it->rows.n, sizeof(*it->rseq));
	for (i = out = base; i < it->rows.n; i++) {
		if (it->rows.t[i] < src->mint || it->rows.t[i] > src->maxt)
			continue;
		rollup_move_row(&it->rows, out, i);
		it->rseq[out++] = src->seq;
	}
	it->rows.n = out;
	return 0;
}

/*
 * Append the samples of hit 'h' within the reader's range to the output
 * arrays, tagged with the source's sequence.  A block whose data is
 * damaged is noted and gives nothing.
 */
static void
gather(struct store_iter *it, const struct hit *h, size_t *n)
{
	struct source *src = &it->r->src[h->src];
	struct errbuf eb = ERRBUF_INIT;
	const int64_t *ts;
	const double *v;
	size_t cnt, i;

	if (src->b && block_res(src->b)) {
		if (gather_rows(it, src, h->bs, &eb) == -1)
			damage(it->r, block_path(src->b), &eb);
		return;
	}
	if (src->b) {
		cnt = h->bs->n;
		if (cnt > it->tcap) {
			size_t c = it->tcap;
			it->tts = xgrow(it->tts, &c, cnt, sizeof(*it->tts));
			it->tv = xreallocarray(it->tv, c, sizeof(*it->tv));
			it->tcap = c;
		}
		if (block_read(src->b, h->bs, it->tts, it->tv, &eb) == -1) {
			damage(it->r, block_path(src->b), &eb);
			return;
		}
		ts = it->tts;
		v = it->tv;
	} else {
		struct head_series *hs = head_series(src->h, h->idx);
		head_series_sort(src->h, h->idx);
		ts = hs->ts;
		v = hs->v;
		cnt = hs->n;
	}
	reserve(it, *n + cnt);
	for (i = 0; i < cnt; i++) {
		if (ts[i] < src->mint || ts[i] > src->maxt)
			continue;
		it->ts[*n] = ts[i];
		it->v[*n] = v[i];
		it->seq[*n] = src->seq;
		(*n)++;
	}
}

struct tagged {
	int64_t ts;
	uint64_t seq;
	double v;
};

static int
cmp_tagged(const void *a, const void *b)
{
	const struct tagged *x = a, *y = b;

	if (x->ts != y->ts)
		return x->ts < y->ts ? -1 : 1;
	return (x->seq > y->seq) - (x->seq < y->seq);
}

/* Sort by time and keep, for each timestamp, the newest source's value. */
static size_t
merge(struct store_iter *it, size_t n)
{
	struct tagged *t;
	size_t i, out = 0;

	t = xmalloc(n * sizeof(*t));
	for (i = 0; i < n; i++)
		t[i] = (struct tagged){ it->ts[i], it->seq[i], it->v[i] };
	qsort(t, n, sizeof(*t), cmp_tagged);
	for (i = 0; i < n; i++) {
		if (out > 0 && it->ts[out - 1] == t[i].ts)
			out--;
		it->ts[out] = t[i].ts;
		it->v[out] = t[i].v;
		out++;
	}
	free(t);
	return out;
}

/*
 * Whether the gathered samples are already strictly increasing in time:
 * a series spread over blocks of successive windows, the usual case,
 * needs no merging.
 */
static int
in_order(const struct store_iter *it, size_t n)
{
	size_t i;

	for (i = 1; i < n; i++)
		if (it->ts[i] <= it->ts[i - 1])
			return 0;
	return 1;
}

struct row_ref {
	int64_t t;
	uint64_t seq;
	size_t i;
};

static int
cmp_row_ref(const void *a, const void *b)
{
	const struct row_ref *x = a, *y = b;

	if (x->t != y->t)
		return x->t < y->t ? -1 : 1;
	if (x->seq != y->seq)
		return x->seq < y->seq ? -1 : 1;
	return (x->i > y->i) - (x->i < y->i);
}

/*
 * Merge the gathered rows into it->merged (for each time, the newest
 * block's row) and append their values, as the reader's aggregate says,
 * to the output arrays.  Rolled points rank below raw samples of the
 * same time.
 */
static void
merge_rows(struct store_iter *it, size_t *n)
{
	struct rollup *rows = &it->rows;
	struct row_ref *ref = xmalloc((rows->n ? rows->n : 1) * sizeof(*ref));
	size_t i, k;
	int sorted = 1, twice = 0;

	for (i = 0; i < rows->n; i++) {
		ref[i] = (struct row_ref){ rows->t[i], it->rseq[i], i };
		if (i > 0 && cmp_row_ref(&ref[i - 1], &ref[i]) > 0)
			sorted = 0;
		if (i > 0 && ref[i - 1].t == ref[i].t)
			twice = 1;
	}
	if (sorted && !twice) {
		/*
		 * Rows of one block, or of blocks of successive windows, the
		 * usual case, are merged already: the two sets of arrays
		 * change places, instead of each row being copied (a tenth
		 * of a dashboard's time over the 1m tier).
		 */
		struct rollup tmp = it->merged;
		it->merged = it->rows;
		it->rows = tmp;
	} else {
		if (!sorted)
			qsort(ref, rows->n, sizeof(*ref), cmp_row_ref);
		rollup_reset(&it->merged, rows->flags);
		for (i = 0; i < rows->n; i++)
			if (i + 1 == rows->n || ref[i + 1].t != ref[i].t)
				rollup_copy_row(&it->merged, rows, ref[i].i);
	}
	free(ref);
	reserve(it, *n + it->merged.n);
	rollup_values(&it->merged, it->r->agg, it->v + *n);
	for (k = 0; k < it->merged.n; k++) {
		it->ts[*n + k] = it->merged.t[k];
		it->seq[*n + k] = 0;
	}
	*n += it->merged.n;
}

/*
 * Leave out of the 'n' merged samples (and rows) of series 'key' what
 * the reader's tombstones delete.  Returns the samples left.
 */
static size_t
deleted(struct store_iter *it, const char *key, size_t keylen, size_t n)
{
	int64_t ranges[64][2];
	size_t nr = tombstones_match(&it->r->tomb, key, keylen, ranges, 64), i,
	    out, k;

	if (nr == 0)
		return n;
	if (nr > 64)
		nr = 64;	/* NEEDSWORK: more at once for one series */
	tombstones_cut(ranges, nr, it->ts, it->v, &n);
	for (i = out = 0; i < it->merged.n; i++) {
		for (k = 0; k < nr; k++)
			if (it->merged.t[i] >= ranges[k][0] &&
			    it->merged.t[i] <= ranges[k][1])
				break;
		if (k < nr)
			continue;
		rollup_move_row(&it->merged, out++, i);
	}
	it->merged.n = out;
	return n;
}

const struct rollup *
store_iter_rollup(const struct store_iter *it)
{
	return it->merged.n ? &it->merged : NULL;
}

void
store_iter_values_only(struct store_iter *it)
{
	it->values_only = 1;
}

int
store_iter_next(struct store_iter *it, struct store_series *out,
    struct errbuf *eb)
{
	(void)eb;
	while (it->pos < it->nhits) {
		const struct hit *first = &it->hits[it->pos], *last;
		size_t end = it->pos + 1, n = 0, k;
		struct source *src;

		while (end < it->nhits && it->hits[end].keylen == first->keylen &&
		    memcmp(it->hits[end].key, first->key, first->keylen) == 0)
			end++;
		it->have_rows = 0;
		it->rows.n = 0;
		it->merged.n = 0;
		for (k = it->pos; k < end; k++)
			gather(it, &it->hits[k], &n);
		if (it->have_rows)
			merge_rows(it, &n);
		if (end - it->pos > 1 && !in_order(it, n))
			n = merge(it, n);
		if (it->r->tomb.n)
			n = deleted(it, first->key, first->keylen, n);
		last = &it->hits[end - 1];
		it->pos = end;
		if (n == 0)
			continue;
		src = &it->r->src[last->src];
		out->key = first->key;
		out->keylen = first->keylen;
		if (src->b) {
			const struct block_series *bs = last->bs;
			out->type = bs->type;
			out->unit = bs->unit;
			out->help = bs->help;
		} else {
			struct head_series *hs = head_series(src->h, last->idx);
			out->type = hs->type;
			out->unit = hs->unit;
			out->help = hs->help;
		}
		out->ts = it->ts;
		out->v = it->v;
		out->n = n;
		return 1;
	}
	return 0;
}

void
store_iter_free(struct store_iter *it)
{
	if (it == NULL)
		return;
	free(it->hits);
	free(it->ts);
	free(it->v);
	free(it->tts);
	free(it->tv);
	free(it->seq);
	free(it->rseq);
	rollup_release(&it->rows);
	rollup_release(&it->merged);
	free(it);
}

/*
 * Label names and values.
 */
struct strset {
	struct strmap *m;
};

static int
add_label(void *arg, const char *s, size_t len)
{
	struct strmap *m = arg;

	strmap_intern(m, s, len, strmap_hash(s, len), NULL);
	return 0;
}

/* Add the label names (name NULL) or values of 'name' of key 'k'. */
static void
key_labels(struct strmap *out, const char *key, size_t keylen,
    const char *name)
{
	struct label l[METRIC_LABELS_MAX];
	struct sample m;
	size_t k;

	if (series_key_decode(key, keylen, &m, l) == -1)
		return;
	if (name == NULL)
		add_label(out, "__name__", 8);
	else if (strcmp(name, "__name__") == 0)
		add_label(out, m.name, m.name_len);
	for (k = 0; k < m.nlabels; k++) {
		if (m.labels[k].value_len == 0)
			continue;
		if (name == NULL)
			add_label(out, m.labels[k].name, m.labels[k].name_len);
		else if (strcmp(m.labels[k].name, name) == 0)
			add_label(out, m.labels[k].value, m.labels[k].value_len);
	}
}

int
store_labels(struct store_reader *r, const char *name,
    const struct matcher *m, size_t n, struct strmap *out, struct errbuf *eb)
{
	struct matcher *tmp;
	size_t s, i;

	m = restricted(r, m, &n, &tmp);
	if (r->tomb.n) {
		/* Deletions pending: only series with samples left count. */
		struct store_iter *it = select_series(r, m, n);
		struct store_series ss;
		int got;
		while ((got = store_iter_next(it, &ss, eb)) == 1)
			key_labels(out, ss.key, ss.keylen, name);
		store_iter_free(it);
		free(tmp);
		return got;
	}
	for (s = 0; s < r->nsrc; s++) {
		struct source *src = &r->src[s];
		struct errbuf e2 = ERRBUF_INIT;
		if (src->skip)
			continue;
		if (src->b && n == 0) {
			/* Straight from the index: no series read. */
			if (block_labels(src->b, name, add_label, out, &e2) == -1)
				damage(r, block_path(src->b), &e2);
			continue;
		}
		if (src->b) {
			const struct block_series **bs;
			size_t nbs;
			if (block_select(src->b, m, n, src->mint, src->maxt, &bs,
			    &nbs, &e2) == -1) {
				damage(r, block_path(src->b), &e2);
				continue;
			}
			for (i = 0; i < nbs; i++)
				key_labels(out, bs[i]->key, bs[i]->keylen, name);
			free(bs);
			continue;
		}
		load_wal(r, src, m, n);
		for (i = 0; i < head_nseries(src->h); i++) {
			struct head_series *hs = head_series(src->h, (uint32_t)i);
			size_t j;
			for (j = 0; j < hs->n; j++)
				if (hs->ts[j] >= src->mint && hs->ts[j] <= src->maxt)
					break;
			if (j < hs->n)
				key_labels(out, head_key(src->h, hs), hs->keylen,
				    name);
		}
	}
	free(tmp);
	return 0;
}

/* Sum the sizes of the WAL files of 'st'. */
static uint64_t
wal_bytes(struct store *st)
{
	char dir[PATH_MAX], path[PATH_MAX + 256];
	char **names;
	size_t n, i;
	uint64_t total = 0;
	struct stat sb;

	store_path(st, dir, "raw", "wal");
	if (store_list(dir, ".wal", &names, &n, NULL) == -1)
		return 0;
	for (i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		if (stat(path, &sb) == 0)
			total += (uint64_t)sb.st_size;
	}
	store_list_free(names, n);
	return total;
}

int
store_tier_stats(struct store *st, enum store_tier t,
    struct store_tier_stats *out, struct errbuf *eb)
{
	struct store_reader *r;
	struct store_iter *it;
	size_t i;

	memset(out, 0, sizeof(*out));
	out->mint = INT64_MAX;
	out->maxt = INT64_MIN;
	if ((r = store_reader_open(st, t, INT64_MIN, INT64_MAX, eb)) == NULL)
		return -1;
	/* The selection reads every WAL, and every block's series. */
	it = store_select(r, NULL, 0, eb);
	for (i = 0; i < r->nsrc; i++) {
		struct source *src = &r->src[i];
		if (src->b) {
			size_t j;
			out->blocks++;
			out->block_bytes += block_file_size(src->b);
			for (j = 0; j < block_nseries(src->b); j++) {
				const struct block_series *bs =
				    block_series(src->b, j, NULL);
				if (bs)
					out->samples += bs->n;
			}
			if (block_mint(src->b) < out->mint)
				out->mint = block_mint(src->b);
			if (block_maxt(src->b) > out->maxt)
				out->maxt = block_maxt(src->b);
		} else if (src->h) {
			out->wal_files++;
			out->wal_samples += head_nsamples(src->h);
		}
	}
	/* Distinct series: the selection is sorted, count key changes. */
	for (i = 0; i < it->nhits; i++)
		if (i == 0 || it->hits[i].keylen != it->hits[i - 1].keylen ||
		    memcmp(it->hits[i].key, it->hits[i - 1].key,
		    it->hits[i].keylen) != 0)
			out->series++;
	store_iter_free(it);
	store_reader_close(r);
	if (t == STORE_TIER_RAW)
		out->wal_bytes = wal_bytes(st);
	return 0;
}
