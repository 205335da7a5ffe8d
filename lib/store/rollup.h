/* rollup.h - the aggregates of a series over fixed windows of time */
/* SPDX-License-Identifier: MIT */
#ifndef MTK_ROLLUP_H
#define MTK_ROLLUP_H

#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"

/*
 * The rolled tiers (1m, 5m, 1h) keep, per series and window, a row of
 * aggregates instead of the samples.  A window of resolution 'res' is
 * [t - res, t) for a row stamped 't': rows are stamped with the end of
 * their window, so a row never holds a sample from after its timestamp
 * and a query at time t sees only the past.  Windows are aligned to the
 * Unix epoch.
 *
 * Every row has:
 *   count  samples in the window
 *   sum    their sum (NaN if one is NaN, as sum_over_time)
 *   min    the smallest, NaN ignored unless all are NaN (as min_over_time)
 *   max    the largest, likewise
 *   last   the value of the last sample (for counters: the last one
 *          that is not NaN)
 * Counters also have:
 *   first  the value of the first sample
 *   inc    the reset-aware increase between the window's first and last
 *          samples: the sum over successive samples of v[i] - v[i-1], or
 *          of v[i] where the counter went down (a reset).  NaN samples
 *          are skipped.  Computed as (last - first) + drops, drops being
 *          the sum of the v[i-1] before each reset: exactly last - first
 *          until the counter resets (and so cheap to store).
 * Between two windows the increase is (first - previous last), or first
 * after a reset, so increases add up over any run of windows to exactly
 * the raw data's reset-aware increase, and rolling rolls up exactly:
 * every column of a 5m row computed from 1m rows equals the one computed
 * from the samples.
 * Series of type histogram (observations), and gauges so configured,
 * also have:
 *   sketch a quantile sketch of the values (sketch.h), merged exactly
 *          when windows are rolled up.
 */
enum rollup_col {
	ROLLUP_COUNT = 0,
	ROLLUP_SUM,
	ROLLUP_MIN,
	ROLLUP_MAX,
	ROLLUP_LAST,
	ROLLUP_FIRST,		/* counters */
	ROLLUP_INC,		/* counters */
	ROLLUP_NCOLS
};

#define ROLLUP_BASE_COLS 5	/* count .. last: every row */
#define ROLLUP_F_COUNTER 1	/* has first and inc */
#define ROLLUP_F_SKETCH 2	/* has a sketch per row */

/*
 * The rows of one series, in time order, as columns.  Owns its arrays.
 * Row i's sketch is 'sk_len[i]' encoded bytes at 'sk.p + sk_off[i]'.
 */
struct rollup {
	unsigned flags;
	size_t n, cap;
	int64_t *t;
	double *col[ROLLUP_NCOLS];
	struct buf sk;
	size_t *sk_off, *sk_len;
};

#define ROLLUP_INIT { 0, 0, 0, NULL, { NULL }, BUF_INIT, NULL, NULL }

void rollup_release(struct rollup *r);

/* Empty 'r' and set its flags; keeps the memory. */
void rollup_reset(struct rollup *r, unsigned flags);

/* Room for 'n' rows in all: grows every array. */
void rollup_reserve(struct rollup *r, size_t n);

/*
 * Append a copy of row 'i' of 'src' to 'dst' (same flags).
 */
void rollup_copy_row(struct rollup *dst, const struct rollup *src, size_t i);

/* Overwrite row 'to' with row 'from' (for compacting rows in place). */
void rollup_move_row(struct rollup *r, size_t to, size_t from);

/*
 * Add the rows of the 'n' raw samples 'ts'/'v' (strictly increasing
 * times) to 'r' in windows of 'res' ms, after its rows (the samples must
 * come after them).
 */
void rollup_from_samples(struct rollup *r, const int64_t *ts, const double *v,
    size_t n, int64_t res);

/*
 * Add to 'dst' the rows of 'src' (a finer resolution) rolled up into
 * windows of 'res' ms.  'dst' must have the flags of 'src'.
 */
void rollup_coarsen(struct rollup *dst, const struct rollup *src, int64_t res);

/*
 * What a query reads from a rolled tier: one value per row.
 */
enum rollup_agg {
	ROLLUP_AGG_AUTO = 0,	/* COUNTER for counters, else AVG */
	ROLLUP_AGG_AVG,
	ROLLUP_AGG_MIN,
	ROLLUP_AGG_MAX,
	ROLLUP_AGG_SUM,
	ROLLUP_AGG_COUNT,
	ROLLUP_AGG_LAST,
	ROLLUP_AGG_P50,
	ROLLUP_AGG_P95,
	ROLLUP_AGG_P99,
	/*
	 * A counter rebuilt from the increases: each row adds the increase
	 * since the previous one, and the whole is placed so that the last
	 * row's value is the counter's own last value.  Equal to 'last'
	 * from the last reset on, and without resets before it, so rate()
	 * and increase() over it give the raw data's increases, and raw
	 * samples after it carry on from it.
	 */
	ROLLUP_AGG_COUNTER
};

/* Parse "avg", "min", ... "p99", "counter" (not "auto").  -1 if unknown. */
int rollup_agg_parse(const char *s, enum rollup_agg *out);
const char *rollup_agg_name(enum rollup_agg a);

/*
 * The value of 'agg' for every row of 'r' into 'out' (r->n entries).
 * A quantile of a row without a sketch is NaN; ROLLUP_AGG_COUNTER of a
 * series without counter columns is 'last'.
 */
void rollup_values(const struct rollup *r, enum rollup_agg agg, double *out);

/* The sketches, in masks of columns (1 << ROLLUP_COUNT, ...). */
#define ROLLUP_SKETCH_BIT (1u << ROLLUP_NCOLS)
#define ROLLUP_ALL_BITS ((1u << (ROLLUP_NCOLS + 1)) - 1)

/*
 * The columns (and ROLLUP_SKETCH_BIT for the sketches) rollup_values()
 * reads for 'agg' from rows of 'flags'.
 */
unsigned rollup_agg_cols(enum rollup_agg agg, unsigned flags);

#endif
