/* query_run.c - the front door: a request checked, planned and answered */
/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <string.h>

#include "base/buf.h"
#include "base/timestamp.h"
#include "promql/promql_parse.h"
#include "promql/promql_print.h"
#include "query/query_int.h"
#include "query/query_view.h"
#include "store/tier.h"

const char *
query_request_conflict(const struct query_request *rq)
{
	int plain = rq->format == QUERY_FMT_TABLE ||
	    rq->format == QUERY_FMT_CSV || rq->format == QUERY_FMT_JSONL;
	int time = rq->given & QUERY_GIVEN_TIME;
	int range = rq->given & (QUERY_GIVEN_START | QUERY_GIVEN_END);
	int stream = rq->given & QUERY_GIVEN_STREAM;

	switch (rq->what) {
	case QUERY_ANSWER:
		break;
	case QUERY_SERIES:
	case QUERY_LABELS:
	case QUERY_LABEL_VALUES:
		break;
	case QUERY_LATEST:
		if (range || rq->step)
			return "--latest takes --time, not --start, --since, --end or --step";
		break;
	case QUERY_STATS:
		if (time)
			return "--stats needs a range: --start, --since, --end, not --time";
		if (!plain)
			return "--stats writes table, csv or jsonl";
		break;
	case QUERY_FOLLOW:
		if (time || (rq->given & QUERY_GIVEN_END))
			return "--follow runs until stopped: no --time or --end";
		if (stream)
			return "--follow reads the store, not a stream";
		if (!plain)
			return "--follow writes table, csv or jsonl";
		break;
	}
	if ((rq->format == QUERY_FMT_CHART || rq->format == QUERY_FMT_SVG) &&
	    rq->what != QUERY_ANSWER)
		return "-o chart and -o svg draw an answer: not with --series, "
		    "--labels, --label-values, --latest, --stats or --follow";
	if (rq->format == QUERY_FMT_SVG && time)
		return "-o svg draws a range: --start, --since, --end, not --time";
	if (time && (range || rq->step))
		return "--time excludes --start, --since, --end and --step";
	/* Series and labels may be of every series; the rest need one. */
	if (rq->expr == NULL && rq->what != QUERY_SERIES &&
	    rq->what != QUERY_LABELS && rq->what != QUERY_LABEL_VALUES)
		return "an expression is needed";
	return NULL;
}

int
query_request_parse(const struct query_request *rq, struct errbuf *eb)
{
	struct promql_node *tree = NULL;
	int rc;

	if (rq->expr == NULL)
		return 0;
	if (rq->what == QUERY_SERIES || rq->what == QUERY_LABELS ||
	    rq->what == QUERY_LABEL_VALUES)
		rc = promql_parse_selector(rq->expr, &tree, eb);
	else
		rc = promql_parse(rq->expr, &tree, eb);
	promql_free(tree);
	return rc;
}

/*
 * Whether 'rq' is answered with the stored samples of a bare selector
 * rather than evaluated (mquery(1), "Raw samples or PromQL").  Returns
 * 1 or 0, or -1 with a parse error in 'eb'.
 */
static int
plan_raw(const struct query_request *rq, struct errbuf *eb)
{
	struct promql_node *tree = NULL;
	int raw;

	if (rq->what == QUERY_SERIES || rq->what == QUERY_LABELS ||
	    rq->what == QUERY_LABEL_VALUES)
		return 1;
	if (promql_parse(rq->expr, &tree, eb) == -1)
		return -1;
	raw = promql_is_selector(tree) && (rq->what == QUERY_LATEST ||
	    (!(rq->given & QUERY_GIVEN_TIME) && !rq->step &&
	    rq->format != QUERY_FMT_PROM_JSON && rq->format != QUERY_FMT_CHART &&
	    rq->format != QUERY_FMT_SVG));
	promql_free(tree);
	return raw;
}

/* The view of query_view.h that 'w' asks for. */
static enum query_view
plan_view(enum query_what w)
{
	switch (w) {
	case QUERY_LATEST: return QUERY_VIEW_LATEST;
	case QUERY_STATS: return QUERY_VIEW_STATS;
	case QUERY_FOLLOW: return QUERY_VIEW_FOLLOW;
	default: return QUERY_VIEW_NONE;
	}
}

/*
 * Plan the evaluation of 'rq' (its answer raw samples or not, 'raw'):
 * the step, the times, and from a store the tiers and the lookback,
 * into 'e'; the source to read into '*src' ('qs' holds a store's).
 * Returns 0, or -1 with 'eb'.
 */
static int
plan_eval(struct store *st, const struct promql_source *stream,
    const struct query_request *rq, int raw, struct query_eval_opts *e,
    struct tier_opts *tier, struct query_store_source *qs,
    const struct promql_source **src, struct errbuf *eb)
{
	int64_t lookback;

	if ((st == NULL) == (stream == NULL))
		return errbuf_set(eb, "a query reads a store or a stream");
	if (rq->start > rq->end)
		return errbuf_set(eb, "the start is after the end");
	if (rq->step) {
		e->eval.step = rq->step;
	} else if (!raw && ((rq->given & QUERY_GIVEN_START) ||
	    ((rq->format == QUERY_FMT_CHART || rq->format == QUERY_FMT_SVG) &&
	    !(rq->given & QUERY_GIVEN_TIME)))) {
		/*
		 * Prometheus' graph: about 250 points, at least 1s apart.
		 * A chart is of a range unless an instant is asked.
		 */
		e->eval.step = (rq->end - rq->start) / 250 / 1000 * 1000;
		if (e->eval.step < 1000)
			e->eval.step = 1000;
	}
	e->eval.start = e->eval.step ? rq->start : rq->time;
	e->eval.end = e->eval.step ? rq->end : e->eval.start;
	*src = stream;
	if (st) {
		tier->step = raw ? 0 : e->eval.step;
		lookback = tier_lookback(st, tier, e->eval.start -
		    e->eval.lookback_ms, e->eval.end, e->eval.lookback_ms, eb);
		if (lookback == -1)
			return -1;
		e->eval.lookback_ms = lookback;
		query_store_source(qs, st, tier, rq->cache);
		*src = &qs->src;
	}
	return 0;
}

int
query_run(struct store *st, const struct promql_source *stream,
    const struct query_request *rq, FILE *fp, struct errbuf *eb)
{
	struct query_opts o = { rq->what, rq->expr, rq->label, rq->start,
		rq->end, rq->format, rq->tier };
	struct query_eval_opts e = { rq->expr, rq->limits, rq->format,
		rq->name, &rq->chart };
	struct query_view_opts v = { plan_view(rq->what), 0, rq->start,
		rq->end, (rq->given & QUERY_GIVEN_START) != 0, rq->step,
		rq->stop };
	struct query_store_source qs;
	const struct promql_source *src;
	const char *why;
	int raw;

	if ((why = query_request_conflict(rq)) != NULL)
		return errbuf_set(eb, "%s", why);
	if ((raw = plan_raw(rq, eb)) == -1 ||
	    plan_eval(st, stream, rq, raw, &e, &o.tier, &qs, &src, eb) == -1)
		return -1;
	v.raw = raw;
	if (v.view != QUERY_VIEW_NONE)
		return query_view(st, src, &v, &e, fp, eb);
	if (raw && o.mode == QUERY_ANSWER && st == NULL)
		return query_raw(src, rq->expr, rq->start, rq->end, rq->format,
		    fp, eb);
	if (raw && st == NULL)
		return query_listing(src, &o, fp, eb);
	if (raw)
		return query_store(st, &o, fp, eb);
	return query_eval(src, &e, fp, eb);
}

struct promql_result *
query_result(struct store *st, const struct promql_source *stream,
    const struct query_request *rq, struct errbuf *eb)
{
	struct query_eval_opts e = { rq->expr, rq->limits, rq->format,
		rq->name, &rq->chart };
	struct tier_opts tier = rq->tier;
	struct query_store_source qs;
	const struct promql_source *src;
	struct promql_node *tree = NULL;
	struct promql_result *r;
	const char *why;

	if (rq->what != QUERY_ANSWER || rq->expr == NULL)
		return errbuf_set(eb, "a result is of an expression"), NULL;
	if ((why = query_request_conflict(rq)) != NULL)
		return errbuf_set(eb, "%s", why), NULL;
	if (promql_parse(rq->expr, &tree, eb) == -1 ||
	    plan_eval(st, stream, rq, 0, &e, &tier, &qs, &src, eb) == -1) {
		promql_free(tree);
		return NULL;
	}
	r = promql_eval(tree, src, &e.eval, eb);
	promql_free(tree);
	return r;
}

/* "2026-12-07 16:00:00" in the time zone of TZ, as tables write times. */
static void
explain_time(struct buf *b, int64_t ms)
{
	char t[64];

	ts_format_local(t, ms);
	buf_adds(b, t);
}

int
query_explain(struct store *st, const struct promql_source *stream,
    const struct query_request *rq, FILE *fp, struct errbuf *eb)
{
	struct query_eval_opts e = { rq->expr, rq->limits, rq->format,
		rq->name, &rq->chart };
	struct tier_opts tier = rq->tier;
	struct store_span spans[TIER_MAX_SPANS];
	struct query_store_source qs;
	const struct promql_source *src;
	struct promql_node *tree = NULL;
	struct buf b = BUF_INIT, t = BUF_INIT;
	const char *why;
	int64_t mint, maxt;
	size_t i, n;
	int raw, rc = -1;

	if (rq->what != QUERY_ANSWER || rq->expr == NULL)
		return errbuf_set(eb, "an explanation is of an expression");
	if ((why = query_request_conflict(rq)) != NULL)
		return errbuf_set(eb, "%s", why);
	if (promql_parse(rq->expr, &tree, eb) == -1 ||
	    (raw = plan_raw(rq, eb)) == -1 ||
	    plan_eval(st, stream, rq, raw, &e, &tier, &qs, &src, eb) == -1)
		goto out;
	buf_adds(&b, "query     ");
	promql_print(&b, tree);
	buf_adds(&b, "\nanswer    ");
	if (raw) {
		buf_adds(&b, "the stored samples of the selector, ");
		mint = rq->start;
		maxt = rq->end;
	} else if (e.eval.step) {
		buf_adds(&b, "a range query, ");
		mint = e.eval.start - e.eval.lookback_ms;
		maxt = e.eval.end;
	} else {
		buf_adds(&b, "an instant query at ");
		mint = e.eval.start - e.eval.lookback_ms;
		maxt = e.eval.start;
	}
	if (raw || e.eval.step) {
		explain_time(&b, raw ? rq->start : e.eval.start);
		buf_adds(&b, " to ");
		explain_time(&b, raw ? rq->end : e.eval.end);
	} else {
		explain_time(&b, e.eval.start);
	}
	if (!raw && e.eval.step) {
		buf_adds(&b, ", step ");
		promql_print_duration(&b, e.eval.step);
		buf_addf(&b, " (%lld points)", (long long)((e.eval.end -
		    e.eval.start) / e.eval.step + 1));
	}
	if (!raw) {
		buf_adds(&b, "\nlookback  ");
		promql_print_duration(&b, e.eval.lookback_ms);
	}
	buf_addch(&b, '\n');
	if (st == NULL) {
		buf_adds(&b, "reads     a stream, in memory\n");
	} else {
		if (tier_plan(st, &tier, mint, maxt, spans, &n, eb) == -1)
			goto out;
		for (i = 0; i < n; i++) {
			buf_addf(&b, "reads     tier %-4s ",
			    store_tier_name(spans[i].tier));
			explain_time(&b, spans[i].mint);
			buf_adds(&b, " to ");
			explain_time(&b, spans[i].maxt);
			buf_addch(&b, '\n');
		}
		if (n == 0)
			buf_adds(&b, "reads     nothing: no tier holds the range\n");
	}
	buf_adds(&b, "tree\n");
	promql_print_tree(&t, tree);
	/* Indented under its heading. */
	for (i = 0; i < t.len; i++) {
		if (i == 0 || t.p[i - 1] == '\n')
			buf_adds(&b, "  ");
		buf_addch(&b, t.p[i]);
	}
	if (fwrite(b.p, 1, b.len, fp) != b.len || fflush(fp) == EOF) {
		errbuf_set(eb, "write error: %s", strerror(errno));
		goto out;
	}
	rc = 0;
out:
	buf_release(&t);
	buf_release(&b);
	promql_free(tree);
	return rc;
}
