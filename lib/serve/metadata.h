/* metadata.h - the metadata of a store's metrics, as Prometheus' API gives it */
/* SPDX-License-Identifier: MIT */
#ifndef MTK_METADATA_H
#define MTK_METADATA_H

#include <stdint.h>

#include "base/buf.h"
#include "base/errbuf.h"
#include "store/store.h"
#include "store/tier.h"

/*
 * What /api/v1/metadata answers: for each metric name, the distinct
 * type, help and unit its series were stored with.  A stream says a
 * family's help and unit once, with its first sample, so a series
 * stored without either takes those of its name's other series of the
 * same type (one entry, not two).  Types are Prometheus' words:
 * "counter", "gauge", and "unknown" for mtk's observations
 * (METRIC_HISTOGRAM), which are no Prometheus histogram.
 */
struct metadata_opts {
	const char *metric;	/* only this metric name; NULL: every one */
	long limit;		/* at most this many names; < 0: all */
	long limit_per_metric;	/* at most this many entries a name; <= 0: all */
	struct tier_opts tier;	/* which tiers are read */
	int64_t start, end;	/* the series with samples in this range */
};

/*
 * Append to 'out' the data object of Prometheus' answer,
 * {"NAME":[{"type":"counter","help":"...","unit":""}],...}, names and
 * each name's entries sorted, read from 'st' (borrowed, as restricted
 * as it is: store_restrict()) as 'o' says.  Returns 0, or -1 with 'eb'.
 */
int metadata_write(struct store *st, const struct metadata_opts *o,
    struct buf *out, struct errbuf *eb);

#endif
