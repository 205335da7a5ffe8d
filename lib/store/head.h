/* head.h - the in-memory part of a store: series and unsealed samples */
/* SPDX-License-Identifier: MIT */
#ifndef MTK_HEAD_H
#define MTK_HEAD_H

#include <stddef.h>
#include <stdint.h>

#include "base/errbuf.h"
#include "stream/metric.h"

/*
 * A head maps series keys (stream/series.h) to small integers and buffers the
 * samples of each series in arrival order.  A writer has one for what
 * it has accepted and not yet sealed into blocks; a reader builds one
 * from each WAL it reads.  Series stay known after their samples are
 * sealed, so their numbers (the WAL's refs) stay valid.
 */
struct head;

struct head_series {
	uint32_t keylen;	/* the key: head_key() */
	enum metric_type type;
	char *unit;		/* owned, NULL if none */
	char *help;
	int64_t *ts;		/* arrival order, may repeat or go back */
	double *v;
	size_t n, cap;
};

/* Returns a new, empty head; free with head_free(). */
struct head *head_new(void);
void head_free(struct head *h);

/*
 * The number of the series with 'key', adding it (with 'type', 'unit'
 * and 'help', copied) when new; '*created' says which.  Returns the
 * number.  A known series takes the given type, unit and help when they
 * differ (the last seen wins).
 */
uint32_t head_series_get(struct head *h, const char *key, size_t keylen,
    uint64_t hash, enum metric_type type, const char *unit, size_t unit_len,
    const char *help, size_t help_len, int *created);

/*
 * Give series 'id' this type, unit and help (copied; NULL for none).
 * Returns 1 if that changed them, 0 if they were so already.
 */
int head_series_meta(struct head *h, uint32_t id, enum metric_type type,
    const char *unit, size_t unit_len, const char *help, size_t help_len);

/* The number of 'key', or -1 if unknown. */
long head_series_find(const struct head *h, const char *key, size_t keylen,
    uint64_t hash);

/* Append a sample to series 'id'. */
void head_append(struct head *h, uint32_t id, int64_t ts, double v);

size_t head_nseries(const struct head *h);
struct head_series *head_series(struct head *h, uint32_t id);
const char *head_key(const struct head *h, const struct head_series *s);

/* Samples buffered over all series. */
uint64_t head_nsamples(const struct head *h);

/*
 * Sort series 'id''s samples by time, keeping for each timestamp the one
 * appended last.  Afterwards ts is strictly increasing.
 */
void head_series_sort(struct head *h, uint32_t id);

/* Set the sample count after the caller trimmed series arrays itself. */
void head_set_nsamples(struct head *h, uint64_t n);

/*
 * Drop the samples of every series (after sealing), keeping the series.
 * Arrays larger than needed are released.
 */
void head_clear_samples(struct head *h);

/*
 * Series numbers in key order (for writing blocks).  Returns a new array
 * of head_nseries() entries; free(3) it.
 */
uint32_t *head_sorted(const struct head *h);

/* Bytes of memory the head holds (approximately). */
size_t head_memory(const struct head *h);

#endif
