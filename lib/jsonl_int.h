/* jsonl_int.h - what the stream parsers share; private to lib/jsonl*.c */
/* SPDX-License-Identifier: MIT */
#ifndef MTK_JSONL_INT_H
#define MTK_JSONL_INT_H

#include "jsonl.h"

/*
 * Decoded strings go into 'arena'.  Unescaping never makes a string
 * longer, and each string in a line costs at least its two quotes, so an
 * arena of the line's length plus one always holds all of them with
 * their NUL terminators.  The fast path copies eight bytes at a time and
 * may write up to JSONL_ARENA_SLACK bytes past the last string.
 */
#define JSONL_ARENA_SLACK 16

struct jsonl_parser {
	unsigned flags;
	char *arena;
	size_t arena_cap;
	size_t arena_len;
	struct label labels[METRIC_LABELS_MAX];
	uint64_t slow_count;
};

/* Make room in the arena for a line of 'len' bytes and empty it. */
void jsonl_arena_reset(struct jsonl_parser *ps, size_t len);

/* The parts of a record's meaning both parsers share. */

/*
 * "NaN", "+Inf" or "-Inf" as a value.  Returns 0 and sets '*v', or -1.
 */
int jsonl_special_value(const char *s, size_t len, double *v);

/*
 * A numeric "ts": finite, whole and within TS_MIN..TS_MAX.  Returns 0 and
 * sets '*ts', or -1.
 */
int jsonl_ts_from_double(double d, int64_t *ts);

/* The jansson parser: the reference, and the source of every message. */
int jsonl_parse_slow(struct jsonl_parser *ps, const char *line, size_t len,
    struct sample *s, struct errbuf *eb);

#endif
