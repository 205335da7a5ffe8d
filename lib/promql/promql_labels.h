/* promql_labels.h - label sets of the evaluator's series, and the arena that holds them */
/* SPDX-License-Identifier: MIT */
#ifndef MTK_PROMQL_LABELS_H
#define MTK_PROMQL_LABELS_H

#include <stddef.h>

#include "base/buf.h"

/*
 * Label sets.
 *
 * Inside the evaluator a series' labels are one byte string: for each
 * label, sorted by name, its name and then its value, each written as its
 * length (a varint: seven bits a byte, low first, the top bit set on all
 * but the last byte) followed by its bytes.  The metric name is the label
 * "__name__" in its place among the others:
 *
 *	"\x08__name__\x02up\x08instance\x09a:9100\x03job\x04node"
 *
 * No value is empty (an empty value means the label is absent, as in
 * Prometheus), but a value may hold any byte, NUL included: a PromQL
 * string can spell one, and Prometheus carries it into the labels that
 * absent() and label_replace() make.  The encoding is canonical, so equal
 * sets are equal bytes and hashing and equality need no decoding;
 * ordering does (plabels_cmp()).
 */

/* One label: its name and value, pointing into other strings. */
struct plabel {
	const char *name, *value;
	size_t name_len, value_len;
};

/*
 * A label set taken apart to be changed, as Prometheus' labels.Builder:
 * from a set (plabels_builder_from()), labels set, deleted or kept, then
 * encoded into a set again.  It points into the strings it was given,
 * which must outlive it; it owns only its array.
 */
struct plabels_builder {
	struct plabel *v;
	size_t n, cap;
};

/*
 * Read the label at 'p' of a set into '*l' (pointing into the set).
 * Returns the position after it.
 */
const char *plabels_next(const char *p, struct plabel *l);

/* Fill 'b' with the labels of the set 'lbl' ('len' bytes), borrowed. */
void plabels_builder_from(struct plabels_builder *b, const char *lbl,
    size_t len);

/* The value of 'name' in 'b', or NULL; its length in '*vlen'. */
const char *plabels_builder_get(const struct plabels_builder *b,
    const char *name, size_t name_len, size_t *vlen);

/* Set 'name' to 'value' (both borrowed); an empty value deletes. */
void plabels_builder_set(struct plabels_builder *b, const char *name,
    size_t name_len, const char *value, size_t value_len);

/* Delete 'name' (NUL-terminated) if present. */
void plabels_builder_del(struct plabels_builder *b, const char *name);

/* Keep only the 'n' names (NUL-terminated) in 'names'. */
void plabels_builder_keep(struct plabels_builder *b, char *const *names,
    size_t n);

/* Encode 'b' (sorting it first) into 'out' (reset first). */
void plabels_builder_encode(struct plabels_builder *b, struct buf *out);

void plabels_builder_release(struct plabels_builder *b);

/* The value of 'name' ('name_len' bytes) in the set 'lbl', or NULL. */
const char *plabels_get(const char *lbl, size_t len, const char *name,
    size_t name_len, size_t *vlen);

/* Compare two sets as labels.Compare() does. */
int plabels_cmp(const char *a, size_t alen, const char *b, size_t blen);

/* Append 'n' to 'out' as a varint, as label sets write lengths. */
void plabels_put_len(struct buf *out, size_t n);

/*
 * An arena for label sets and other small strings that live as long as
 * one query: nothing in it is freed before the arena.
 */
struct parena {
	struct parena_chunk *head;
};

const char *parena_dup(struct parena *a, const void *p, size_t len);
void parena_release(struct parena *a);

#endif
