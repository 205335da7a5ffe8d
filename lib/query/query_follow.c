/* query_follow.c - mquery --follow: the live view of a store */
/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/buf.h"
#include "store/head.h"
#include "query/output.h"
#include "query/query_view.h"
#include "stream/series.h"
#include "base/timestamp.h"
#include "base/xalloc.h"

/*
 * Sleep until the wall clock reaches 'deadline' (ms) or '*stop' is set.
 * A signal cuts nanosleep() short (sleeps are never restarted, whatever
 * SA_RESTART says); a signal that lands between the test and the sleep
 * costs at most one slice of a second.
 */
static void
nap_until(int64_t deadline, const volatile sig_atomic_t *stop)
{
	int64_t now;

	while (!*stop && (now = ts_now()) < deadline) {
		int64_t ms = deadline - now < 1000 ? deadline - now : 1000;
		struct timespec ts = { 0, (long)ms * 1000000 };
		nanosleep(&ts, NULL);
	}
}

/*
 * A selector: the store is read every QUERY_FOLLOW_POLL_MS from 'lo' on,
 * and each series prints its samples newer than the last it printed
 * (from 'from' on for a series not seen yet).  'lo' trails the newest
 * sample printed by the lookback, so that samples committed a little
 * late still come out, in order, while a poll reads little.
 */
struct follow_ctx {
	struct output *out;
	struct head *seen;	/* the series printed, numbered */
	int64_t *last;		/* by number: the time of the last printed */
	size_t cap;
	struct buf key;
	int64_t from;		/* where a new series starts */
	int64_t newest;		/* the newest sample printed */
};

static int
follow_series(void *arg, const struct sample *meta, const int64_t *ts,
    const double *v, size_t n, const struct promql_rows *rows,
    struct errbuf *eb)
{
	struct follow_ctx *c = arg;
	uint32_t id;
	size_t a;
	int created;

	(void)rows;	/* raw samples */
	buf_reset(&c->key);
	series_key(&c->key, meta);
	id = head_series_get(c->seen, c->key.p, c->key.len,
	    series_hash(c->key.p, c->key.len), meta->type, NULL, 0, NULL, 0,
	    &created);
	if (created) {
		c->last = xgrow(c->last, &c->cap, (size_t)id + 1,
		    sizeof(*c->last));
		c->last[id] = c->from - 1;
	}
	/* Only what is newer than the last printed: no repeats, in order. */
	a = ts_lower_bound(ts, n, c->last[id] + 1);
	if (a == n)
		return 0;
	if (output_series(c->out, meta, ts + a, v + a, n - a, eb) == -1)
		return -1;
	c->last[id] = ts[n - 1];
	if (ts[n - 1] > c->newest)
		c->newest = ts[n - 1];
	return 0;
}

static int
follow_samples(struct store *st, const struct query_view_opts *v,
    const struct query_eval_opts *e, FILE *fp, struct errbuf *eb)
{
	struct follow_ctx c = { 0 };
	int64_t lo, next;
	int rc = -1;

	c.out = output_new(fp, e->format);
	c.seen = head_new();
	c.from = v->history ? v->start : ts_now();
	c.newest = INT64_MIN;
	lo = c.from;
	while (!*v->stop) {
		next = ts_now() + QUERY_FOLLOW_POLL_MS;
		if (query_select_series(st, NULL, e->expr, lo, INT64_MAX,
		    PROMQL_USE_VALUE, follow_series, &c, eb) == -1 ||
		    output_finish(c.out, eb) == -1)
			goto out;
		if (c.newest != INT64_MIN && c.newest - e->eval.lookback_ms > lo)
			lo = c.newest - e->eval.lookback_ms;
		nap_until(next, v->stop);
	}
	rc = 0;
out:
	output_free(c.out);
	head_free(c.seen);
	buf_release(&c.key);
	free(c.last);
	return rc;
}

/* The multiple of 'step' at or before 't'. */
static int64_t
align_down(int64_t t, int64_t step)
{
	int64_t r = t % step;

	return r < 0 ? t - r - step : t - r;
}

/*
 * Write one batch of points.  CSV has its header once, at the start:
 * later batches are written to memory first, to drop theirs.
 */
static int
write_batch(FILE *fp, const struct promql_result *r, const struct query_eval_opts *e,
    int first, struct errbuf *eb)
{
	char *p = NULL, *nl;
	size_t len = 0;
	FILE *mem;
	int rc;

	if (first || e->format != QUERY_FMT_CSV)
		return promql_result_write(fp, r, e->format, e->name, eb);
	if ((mem = open_memstream(&p, &len)) == NULL)
		return errbuf_set(eb, "cannot buffer output: %s", strerror(errno));
	rc = promql_result_write(mem, r, e->format, e->name, eb);
	if (fclose(mem) == EOF && rc == 0)
		rc = errbuf_set(eb, "cannot buffer output: %s", strerror(errno));
	if (rc == 0 && (nl = memchr(p, '\n', len)) != NULL) {
		size_t skip = (size_t)(nl + 1 - p);
		if (fwrite(p + skip, 1, len - skip, fp) != len - skip ||
		    fflush(fp) == EOF)
			rc = errbuf_set(eb, "write error: %s", strerror(errno));
	}
	free(p);
	return rc;
}

/*
 * An expression: evaluated at every multiple of the step once the clock
 * has passed it, as a range query over the steps passed since the last
 * batch (the history first, with a start).
 */
static int
follow_expr(const struct promql_source *src, const struct query_view_opts *v,
    const struct query_eval_opts *e, FILE *fp, struct errbuf *eb)
{
	struct promql_node *expr = NULL;
	struct promql_eval_opts o = e->eval;
	int64_t step = v->step ? v->step : QUERY_FOLLOW_STEP_MS, next, now;
	int first = 1, rc = -1;

	if (promql_parse(e->expr, &expr, eb) == -1)
		return -1;
	now = ts_now();
	next = v->history ? align_down(v->start + step - 1, step) :
	    align_down(now, step);
	while (!*v->stop) {
		struct promql_result *r;
		if ((now = ts_now()) >= next) {
			o.start = next;
			o.end = align_down(now, step);
			o.step = step;
			if ((r = promql_eval(expr, src, &o, eb)) == NULL)
				goto out;
			rc = write_batch(fp, r, e, first, eb);
			promql_result_free(r);
			if (rc == -1)
				goto out;
			rc = -1;
			first = 0;
			next = o.end + step;
		}
		nap_until(next, v->stop);
	}
	rc = 0;
out:
	promql_free(expr);
	return rc;
}

int
query_follow(struct store *st, const struct promql_source *src,
    const struct query_view_opts *v, const struct query_eval_opts *e,
    FILE *fp, struct errbuf *eb)
{
	if (v->raw)
		return follow_samples(st, v, e, fp, eb);
	return follow_expr(src, v, e, fp, eb);
}
