/* query.h - answer a selector from the store: samples, series, labels */
/* SPDX-License-Identifier: MIT */
#ifndef MTK_QUERY_H
#define MTK_QUERY_H

#include <stdint.h>
#include <stdio.h>

#include "errbuf.h"
#include "output.h"
#include "store.h"

enum query_mode {
	QUERY_SAMPLES,		/* every sample of every matching series */
	QUERY_SERIES,		/* the matching series, one per line */
	QUERY_LABELS,		/* the label names they use */
	QUERY_LABEL_VALUES	/* the values of one label */
};

struct query_opts {
	enum query_mode mode;
	const char *selector;	/* NULL: every series */
	const char *label;	/* for QUERY_LABEL_VALUES */
	int64_t start, end;	/* inclusive, milliseconds */
	enum output_format format;
};

/*
 * Answer 'o' from store 'st', writing to 'fp'.  Returns 0, or -1 with
 * the reason in 'eb' (a bad selector, a corrupt block, a write error).
 */
int query_store(struct store *st, const struct query_opts *o, FILE *fp,
    struct errbuf *eb);

#endif
