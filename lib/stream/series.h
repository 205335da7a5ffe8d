/* series.h - the identity of a series: its key bytes and their hash */
/* SPDX-License-Identifier: MIT */
#ifndef MTK_SERIES_H
#define MTK_SERIES_H

#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "stream/metric.h"

/*
 * A series is a metric name and a set of labels.  Its key is the name,
 * then each label's name and value in label-name order, every string
 * followed by a NUL byte:
 *
 *	"node_load1\0host\0web1\0"
 *
 * Stream strings cannot contain NUL (mtk-stream(5)), so the key is
 * unambiguous, two samples of the same series have the same key whatever
 * the order of their labels on input, and comparing keys as bytes sorts
 * series by name, then by labels.  Keys are what the store writes to
 * disk: never a file name.
 */

/* Append the key of 's' (labels sorted, as metric_check() leaves them). */
void series_key(struct buf *out, const struct sample *s);

/*
 * Decode 'key' ('len' bytes) into the name and labels of 's': pointers
 * into 'key' (so valid while it is), 'labels' an array of at least
 * METRIC_LABELS_MAX entries owned by the caller.  Other fields of 's' are
 * left alone.  Returns 0, or -1 for bytes that are not a key.
 */
int series_key_decode(const char *key, size_t len, struct sample *s,
    struct label *labels);

/* The value of label 'name' in 'key', with its length; NULL if absent. */
const char *series_key_label(const char *key, size_t len, const char *name,
    size_t *vlen);

struct matcher;

/*
 * Whether the series 'key' satisfies all 'n' matchers; a matcher on
 * "__name__" looks at the metric name, one on a label the series lacks
 * sees the empty string (as in PromQL).
 */
int series_key_matches(const char *key, size_t len, const struct matcher *m,
    size_t n);

/* A 64-bit hash of the series 'key' ('len' bytes): XXH3. */
uint64_t series_hash(const char *key, size_t len);

/*
 * A signature of a key's label pairs, for passing by series that cannot
 * match without reading their keys: each pair sets two of 64 bits, the
 * low two 6-bit fields of its hash, XXH3 of "label\0value" (a label),
 * or XXH3 with seed 1 of the name (the metric name).  A series can match
 * matchers 'm' only if its signature has every bit of
 * series_matchers_sig(m, n) set: those of their '=' matchers with a
 * value.  Stored in files: never change it.
 */
uint64_t series_key_sig(const char *key, size_t len);
uint64_t series_matchers_sig(const struct matcher *m, size_t n);

#endif
