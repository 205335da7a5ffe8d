/* store_read.c - reading a store: snapshots, selection, merging */
/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <unistd.h>
#include <sys/file.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "store/block.h"
#include "store/head.h"
#include "store/rollup.h"
#include "store/store_int.h"
#include "base/timestamp.h"
#include "store/wal.h"
#include "base/xalloc.h"

/*
 * A reader holds the blocks and WALs of a tier that overlap its time
 * range, opened while holding the tier's lock shared: WALs first, then
 * blocks.  A writer removes a WAL only after linking the blocks that
 * hold its samples, and only under the lock held exclusively, so a WAL
 * the reader did not find had its blocks in place before the reader
 * listed them.  Once open, files stay readable even if removed.
 */
struct source {
	struct block *b;	/* a block, or */
	struct head *h;		/* the samples of a WAL */
	uint64_t seq;
	int64_t mint, maxt;	/* what the reader takes from it */
};

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
};

static void
add_source(struct store_reader *r, struct block *b, struct head *h,
    uint64_t seq)
{
	r->src = xgrow(r->src, &r->cap, r->nsrc + 1, sizeof(*r->src));
	r->src[r->nsrc].b = b;
	r->src[r->nsrc].h = h;
	r->src[r->nsrc].seq = seq;
	r->src[r->nsrc].mint = r->span_mint;
	r->src[r->nsrc].maxt = r->span_maxt;
	r->nsrc++;
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
	add_source(r, b, NULL, block_seq(b));
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
		struct head *h = head_new();
		uint64_t seq, samples;
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		if (store_replay_wal(path, h, &seq, &samples, eb) == -1) {
			head_free(h);
			/* Removed since listed: its samples are in blocks. */
			if (errno == ENOENT)
				continue;
			store_list_free(names, n);
			return -1;
		}
		if (samples == 0) {
			head_free(h);
			continue;
		}
		/* WAL samples are newer than any block sealed before them. */
		add_source(r, NULL, h, seq);
	}
	store_list_free(names, n);
	return 0;
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
		struct block *b;
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		if ((b = block_open(path, eb)) == NULL) {
			store_list_free(names, n);
			return -1;
		}
		if (block_maxt(b) < r->span_mint || block_mint(b) > r->span_maxt) {
			block_close(b);
			continue;
		}
		add_source(r, b, NULL, block_seq(b));
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
	}
	free(r->src);
	free(r);
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
	uint32_t idx;
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

struct store_iter *
store_select(struct store_reader *r, store_match_fn match, void *ctx,
    struct errbuf *eb)
{
	struct store_iter *it = xcalloc(1, sizeof(*it));
	size_t cap = 0, s, i;

	(void)eb;
	it->r = r;
	for (s = 0; s < r->nsrc; s++) {
		const struct source *src = &r->src[s];
		size_t n = src->b ? block_nseries(src->b) : head_nseries(src->h);
		for (i = 0; i < n; i++) {
			const char *key;
			size_t keylen;
			if (src->b) {
				const struct block_series *bs = block_series(src->b, i);
				if (bs->maxt < src->mint || bs->mint > src->maxt)
					continue;
				key = bs->key;
				keylen = bs->keylen;
			} else {
				struct head_series *hs = head_series(src->h,
				    (uint32_t)i);
				if (hs->n == 0)
					continue;
				key = head_key(src->h, hs);
				keylen = hs->keylen;
			}
			if (match && !match(ctx, key, keylen))
				continue;
			it->hits = xgrow(it->hits, &cap, it->nhits + 1,
			    sizeof(*it->hits));
			it->hits[it->nhits++] = (struct hit){ key, keylen,
			    (uint32_t)s, (uint32_t)i };
		}
	}
	if (it->nhits > 1)
		qsort_r(it->hits, it->nhits, sizeof(*it->hits), cmp_hit, r);
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
gather_rows(struct store_iter *it, const struct source *src, uint32_t idx,
    struct errbuf *eb)
{
	const struct block_series *bs = block_series(src->b, idx);
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
	if (block_read_rollup(src->b, idx, &it->rows, eb) == -1)
		return -1;
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
 * arrays, tagged with the source's sequence.
 */
static int
gather(struct store_iter *it, const struct hit *h, size_t *n,
    struct errbuf *eb)
{
	struct source *src = &it->r->src[h->src];
	const int64_t *ts;
	const double *v;
	size_t cnt, i;

	if (src->b && block_res(src->b))
		return gather_rows(it, src, h->idx, eb);
	if (src->b) {
		cnt = block_series(src->b, h->idx)->n;
		if (cnt > it->tcap) {
			size_t c = it->tcap;
			it->tts = xgrow(it->tts, &c, cnt, sizeof(*it->tts));
			it->tv = xreallocarray(it->tv, c, sizeof(*it->tv));
			it->tcap = c;
		}
		if (block_read(src->b, h->idx, it->tts, it->tv, eb) == -1)
			return -1;
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
	return 0;
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
	int sorted = 1;

	for (i = 0; i < rows->n; i++) {
		ref[i] = (struct row_ref){ rows->t[i], it->rseq[i], i };
		if (i > 0 && cmp_row_ref(&ref[i - 1], &ref[i]) > 0)
			sorted = 0;
	}
	/* Rows of one block, or of blocks in time order, are sorted. */
	if (!sorted)
		qsort(ref, rows->n, sizeof(*ref), cmp_row_ref);
	rollup_reset(&it->merged, rows->flags);
	for (i = 0; i < rows->n; i++)
		if (i + 1 == rows->n || ref[i + 1].t != ref[i].t)
			rollup_copy_row(&it->merged, rows, ref[i].i);
	free(ref);
	reserve(it, *n + it->merged.n);
	rollup_values(&it->merged, it->r->agg, it->v + *n);
	for (k = 0; k < it->merged.n; k++) {
		it->ts[*n + k] = it->merged.t[k];
		it->seq[*n + k] = 0;
	}
	*n += it->merged.n;
}

const struct rollup *
store_iter_rollup(const struct store_iter *it)
{
	return it->merged.n ? &it->merged : NULL;
}

int
store_iter_next(struct store_iter *it, struct store_series *out,
    struct errbuf *eb)
{
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
			if (gather(it, &it->hits[k], &n, eb) == -1)
				return -1;
		if (it->have_rows)
			merge_rows(it, &n);
		if (end - it->pos > 1 && !in_order(it, n))
			n = merge(it, n);
		last = &it->hits[end - 1];
		it->pos = end;
		if (n == 0)
			continue;
		src = &it->r->src[last->src];
		out->key = first->key;
		out->keylen = first->keylen;
		if (src->b) {
			const struct block_series *bs = block_series(src->b, last->idx);
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
	for (i = 0; i < r->nsrc; i++) {
		const struct source *src = &r->src[i];
		if (src->b) {
			size_t j;
			out->blocks++;
			out->block_bytes += block_file_size(src->b);
			for (j = 0; j < block_nseries(src->b); j++)
				out->samples += block_series(src->b, j)->n;
			if (block_mint(src->b) < out->mint)
				out->mint = block_mint(src->b);
			if (block_maxt(src->b) > out->maxt)
				out->maxt = block_maxt(src->b);
		} else {
			out->wal_files++;
			out->wal_samples += head_nsamples(src->h);
		}
	}
	/* Distinct series: the selection is sorted, count key changes. */
	it = store_select(r, NULL, NULL, eb);
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

static int
check_series_noop(void *ctx, uint64_t ref, enum metric_type type,
    const char *key, size_t keylen, const char *unit, size_t unit_len,
    const char *help, size_t help_len)
{
	(void)ctx; (void)ref; (void)type; (void)key; (void)keylen;
	(void)unit; (void)unit_len; (void)help; (void)help_len;
	return 0;
}

static int
check_sample_noop(void *ctx, uint64_t ref, int64_t ts, double v)
{
	(void)ctx; (void)ref; (void)ts; (void)v;
	return 0;
}

int
store_check(struct store *st, struct store_check_stats *out,
    struct errbuf *eb)
{
	struct wal_visitor nothing = { check_series_noop, check_sample_noop,
		NULL };
	char dir[PATH_MAX], path[PATH_MAX + 256];
	char **names;
	size_t n, i;
	int t, rc = 0;

	memset(out, 0, sizeof(*out));
	for (t = 0; t < STORE_NTIERS && rc == 0; t++) {
		store_path(st, dir, store_tier_name((enum store_tier)t), NULL);
		if (store_list(dir, ".blk", &names, &n, eb) == -1)
			return -1;
		for (i = 0; i < n && rc == 0; i++) {
			struct block *b;
			size_t j;
			snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
			if ((b = block_open(path, eb)) == NULL) {
				rc = -1;
				break;
			}
			rc = block_verify(b, eb);
			for (j = 0; j < block_nseries(b); j++)
				out->samples += block_series(b, j)->n;
			out->blocks++;
			block_close(b);
		}
		store_list_free(names, n);
	}
	if (rc == -1)
		return -1;
	store_path(st, dir, "raw", "wal");
	if (store_list(dir, ".wal", &names, &n, eb) == -1)
		return -1;
	for (i = 0; i < n && rc == 0; i++) {
		struct wal_read_stats ws;
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		if ((rc = wal_read(path, &nothing, &ws, eb)) == 0) {
			out->wal_files++;
			out->wal_records += ws.records;
			out->wal_torn_bytes += ws.file_bytes - ws.valid_bytes;
		}
	}
	store_list_free(names, n);
	return rc;
}

/*
 * Whether a WAL's sequence lies strictly between 'lo' and 'hi': its
 * samples outrank the blocks below it and are outranked by those above,
 * which a merged block (ranked as the highest) would change.  Such a
 * WAL lives until its writer next seals, when its samples go to blocks
 * and a WAL numbered above both.  Returns 1 or 0, or -1 with 'eb'.
 */
static int
wal_between(struct store *st, uint64_t lo, uint64_t hi, struct errbuf *eb)
{
	char dir[PATH_MAX];
	char **names;
	size_t n, i;
	int between = 0;

	store_path(st, dir, "raw", "wal");
	if (store_list(dir, ".wal", &names, &n, eb) == -1)
		return -1;
	for (i = 0; i < n && !between; i++) {
		uint64_t seq = strtoull(names[i], NULL, 16);
		between = seq > lo && seq < hi;
	}
	store_list_free(names, n);
	return between;
}

/*
 * Merge the blocks of one raw window into one.  The new block takes the
 * highest sequence number of those it replaces, so it ranks against
 * every other block as they did, and against every WAL too: a window
 * is left alone while a WAL numbered between its blocks exists.  It is
 * linked in before they are removed (under the tier's lock, held
 * exclusively), so a reader sees the old blocks, the new one, or both,
 * which merge to the same.
 */
static int
compact_window(struct store *st, int64_t start, uint64_t *removed,
    struct errbuf *eb)
{
	struct store_reader *r;
	struct store_iter *it = NULL;
	struct block_writer *bw = NULL;
	struct store_series ss;
	char dir[PATH_MAX];
	uint64_t seq = 0, low = UINT64_MAX;
	size_t i;
	int rc = -1, n, lock, between;

	r = store_reader_open_blocks(st, STORE_TIER_RAW, start,
	    start + STORE_BLOCK_MS - 1, eb);
	if (r == NULL)
		return -1;
	if (r->nsrc < 2) {
		store_reader_close(r);
		return 0;
	}
	for (i = 0; i < r->nsrc; i++) {
		if (r->src[i].seq > seq)
			seq = r->src[i].seq;
		if (r->src[i].seq < low)
			low = r->src[i].seq;
	}
	if ((between = wal_between(st, low, seq, eb)) != 0) {
		store_reader_close(r);
		return between == 1 ? 0 : -1;
	}
	store_path(st, dir, "raw", NULL);
	if ((it = store_select(r, NULL, NULL, eb)) == NULL ||
	    (bw = block_writer_new(dir, seq, eb)) == NULL)
		goto out;
	while ((n = store_iter_next(it, &ss, eb)) == 1)
		if (block_writer_add(bw, ss.key, ss.keylen, ss.type, ss.unit,
		    ss.help, ss.ts, ss.v, ss.n, eb) == -1)
			goto out;
	if (n == -1)
		goto out;
	n = block_writer_finish(bw, NULL, eb);
	bw = NULL;
	if (n == -1 || (lock = store_lock(st, STORE_TIER_RAW, 1, eb)) == -1)
		goto out;
	for (i = 0; i < r->nsrc; i++)
		if (unlink(block_path(r->src[i].b)) == 0)
			(*removed)++;
	store_unlock(lock);
	rc = 0;
out:
	block_writer_abort(bw);
	store_iter_free(it);
	store_reader_close(r);
	return rc;
}

int
store_compact(struct store *st, int64_t closed_before, uint64_t *removed,
    struct errbuf *eb)
{
	char dir[PATH_MAX], path[PATH_MAX + 256];
	char **names;
	int64_t *wins = NULL;
	size_t n, i, nw = 0;
	int fd, rc = 0;

	*removed = 0;
	/* One compaction at a time; a busy lock means someone is at it. */
	store_path(st, path, "raw", ".compact");
	if ((fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644)) == -1)
		return errbuf_set(eb, "cannot open '%s': %s", path,
		    strerror(errno));
	if (flock(fd, LOCK_EX | LOCK_NB) == -1) {
		close(fd);
		return 0;
	}
	store_path(st, dir, "raw", NULL);
	if (store_list(dir, ".blk", &names, &n, eb) == -1) {
		close(fd);
		return -1;
	}
	/* Block names start with their first timestamp: its window. */
	wins = xmalloc((n ? n : 1) * sizeof(*wins));
	for (i = 0; i < n; i++) {
		int64_t w = store_window_start(strtoll(names[i], NULL, 10));
		if (w + STORE_BLOCK_MS <= closed_before)
			wins[nw++] = w;
	}
	store_list_free(names, n);
	qsort(wins, nw, sizeof(*wins), ts_cmp);
	for (i = 0; i < nw && rc == 0; i++)
		if (i + 1 < nw && wins[i + 1] == wins[i] &&
		    (i == 0 || wins[i - 1] != wins[i]))
			rc = compact_window(st, wins[i], removed, eb);
	free(wins);
	close(fd);
	return rc;
}
