/* jsonl_int.h - what the stream parsers share; private to lib/jsonl*.c */
/* SPDX-License-Identifier: MIT */
#ifndef MTK_JSONL_INT_H
#define MTK_JSONL_INT_H

#include "stream/jsonl.h"

/*
 * Decoded strings go into 'arena'.  Unescaping never makes a string
 * longer, and each string in a line costs at least its two quotes, so an
 * arena of the line's length plus one always holds all of them with
 * their NUL terminators.  The fast path copies eight bytes at a time and
 * may write up to JSONL_ARENA_SLACK bytes past the last string.
 */
#define JSONL_ARENA_SLACK 16

/*
 * The known lines (jsonl_fast.c): the fast path remembers what it made
 * of the canonical lines it accepted, by the bytes that are not the
 * value or "ts", so that the next line of the same series costs a
 * lookup instead of decoding and checking the name and labels again.
 * At most JSONL_KNOWN_BYTES of memory go to them; past that, lines of
 * new series are parsed in full each time, as without the table.
 */
#define JSONL_KNOWN_BYTES (4u * 1024 * 1024)

struct jsonl_known;

struct jsonl_parser {
	unsigned flags;
	char *arena;
	size_t arena_cap;
	size_t arena_len;
	struct label labels[METRIC_LABELS_MAX];
	uint64_t slow_count;
	struct jsonl_known **known;	/* open addressing, NULL: free */
	size_t known_slots;		/* a power of two, or 0 */
	size_t known_count;
	size_t known_bytes;		/* entries and slots */
	struct jsonl_known *known_last;	/* of the last line, or NULL */
	uint64_t known_hits;
};

/* Free the known lines of 'ps'. */
void jsonl_known_clear(struct jsonl_parser *ps);

/* Make room in the arena for a line of 'len' bytes and empty it. */
void jsonl_arena_grow(struct jsonl_parser *ps, size_t len);

static inline void
jsonl_arena_reset(struct jsonl_parser *ps, size_t len)
{
	if (ps->arena_cap < len + 1 + JSONL_ARENA_SLACK)
		jsonl_arena_grow(ps, len);
	ps->arena_len = 0;
}

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
