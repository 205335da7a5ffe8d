/* metric.h - one sample of the metric stream, its limits and its checks */
/* SPDX-License-Identifier: MIT */
#ifndef MTK_METRIC_H
#define MTK_METRIC_H

#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/errbuf.h"

/*
 * The stream's limits (mtk-stream(5)).  A record beyond any of them is
 * rejected with a message naming the limit.
 */
#define METRIC_NAME_MAX		255	/* bytes in 'name' */
#define METRIC_LABELS_MAX	64	/* labels per sample */
#define METRIC_LABEL_NAME_MAX	255	/* bytes in a label name */
#define METRIC_LABEL_VALUE_MAX	4096	/* bytes in a label value */
#define METRIC_LINE_MAX		(1024 * 1024)	/* bytes in one line */

enum metric_type {
	METRIC_GAUGE = 0,	/* the default */
	METRIC_COUNTER,		/* cumulative; a drop means a restart */
	METRIC_HISTOGRAM	/* one observation of a distribution */
};

/*
 * A label.  Strings are NUL-terminated; the lengths are kept because the
 * hot paths (hashing, writing) want them.  Whoever filled the struct says
 * who owns the bytes (see jsonl.h: the reader's, until its next call).
 */
struct label {
	const char *name;
	const char *value;
	uint32_t name_len;
	uint32_t value_len;
};

/*
 * One sample.  'labels' is sorted by name and has no duplicates and no
 * empty values once metric_check() has accepted it.  'unit' and 'help' are NULL when
 * absent.  'ts' is milliseconds since the Unix epoch, meaningful only
 * when 'has_ts' is set.
 */
struct sample {
	const char *name;
	size_t name_len;
	enum metric_type type;
	int has_ts;
	double value;
	int64_t ts;
	struct label *labels;
	size_t nlabels;
	const char *unit;
	const char *help;
	size_t unit_len;
	size_t help_len;
	/*
	 * The series key (series.h) of this sample, when whoever filled it
	 * had it for free (the stream parser often does), else NULL.  Saves
	 * the store building it again.
	 */
	const char *key;
	size_t key_len;
	/*
	 * series_hash() of 'key' when whoever set 'key' had that too, else
	 * 0 (a key whose hash is 0 is then only hashed again).
	 */
	uint64_t key_hash;
};

/* "gauge", "counter" or "histogram". */
const char *metric_type_name(enum metric_type t);

/*
 * Parse a type name of 'len' bytes.  Returns 0 and sets '*t', or -1 for a
 * name that is not a type.
 */
int metric_type_parse(const char *s, size_t len, enum metric_type *t);

/*
 * Sort the labels of 's' by name (byte order), then check every rule of
 * mtk-stream(5) that is not about JSON syntax: name length and control
 * characters, label count, label name syntax and reserved names,
 * duplicate label names, value length.  Then drop the labels whose value
 * is empty (an empty value is the label's absence), so 's->nlabels' may
 * shrink.  Returns 0, or -1 with the reason in 'eb'.  Both stream parsers
 * call this, so they agree.
 */
int metric_check(struct sample *s, struct errbuf *eb);

/*
 * Append the 'n' bytes at 's' to 'b' as a Prometheus name, as the
 * readers of other formats make one (api.requests is api_requests):
 * each byte outside [A-Za-z0-9_:] an '_', and an '_' first when it is
 * empty or starts with a digit.  No NUL is appended.
 */
void metric_name_from(struct buf *b, const char *s, size_t n);

/* Whether 'name' (of 'len' bytes) matches [A-Za-z_][A-Za-z0-9_]*. */
int metric_label_name_valid(const char *name, size_t len);

/*
 * Labels from "NAME=VALUE" strings (one without '=' is passed over),
 * at most 'max' into 'out': each name a copy (free them with
 * metric_labels_free_names()), each value borrowed from its string.
 * Returns how many.
 */
size_t metric_labels_from_pairs(const char *const *pairs, size_t n,
    struct label *out, size_t max);
void metric_labels_free_names(struct label *l, size_t n);

/*
 * The labels 'own' then 'over' into 'out' (room for n + nover), a label
 * of 'over' taking the place of one of 'own' of the same name: a
 * collector's labels (-l) over those of what it collected.  Returns how
 * many; metric_check() sorts them.
 */
size_t metric_labels_over(const struct label *own, size_t n,
    const struct label *over, size_t nover, struct label *out);

/* Whether 'name' matches the Prometheus metric name syntax [a-zA-Z_:][a-zA-Z0-9_:]*. */
int metric_name_is_prom(const char *name, size_t len);

#endif
