/* jsonl.h - read and write the JSON Lines metric stream (mtk-stream(5)) */
/* SPDX-License-Identifier: MIT */
#ifndef MTK_JSONL_H
#define MTK_JSONL_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "base/buf.h"
#include "base/errbuf.h"
#include "stream/metric.h"

/*
 * Parsing one line.
 *
 * A record is parsed by a hand-written fast path that handles the stream
 * grammar without allocating; whatever it does not accept (unknown keys,
 * odd escapes, any error) is parsed again by jansson, which is the
 * reference: both must give the same sample for every line, and every
 * error message comes from the jansson path.  tests/unit/t_jsonl.c checks
 * that they agree over many generated and mutated lines.
 */
struct jsonl_parser;

enum {
	JSONL_SLOW_ONLY = 1,	/* skip the fast path (for tests and benchmarks) */
	JSONL_NO_KNOWN = 2	/* parse every line in full: no known lines */
};

/* Returns a new parser; free with jsonl_parser_free(). */
struct jsonl_parser *jsonl_parser_new(unsigned flags);
void jsonl_parser_free(struct jsonl_parser *ps);

/*
 * Parse the record in 'line' ('len' bytes, without the newline) into
 * '*s'.  The strings and labels of '*s' belong to 'ps' and stay valid
 * until its next call.  's->has_ts' is 0 when the record has no "ts".
 * Returns 0, or -1 with the reason in 'eb'.
 */
int jsonl_parse(struct jsonl_parser *ps, const char *line, size_t len,
    struct sample *s, struct errbuf *eb);

/*
 * Parse with the fast path only.  Returns 1 for a record it accepted, 0
 * for a line it leaves to jansson.  For tests and benchmarks.
 */
int jsonl_parse_fast(struct jsonl_parser *ps, const char *line, size_t len,
    struct sample *s);

/* How many records the last parser calls sent to jansson (for tests). */
uint64_t jsonl_parser_slow_count(const struct jsonl_parser *ps);

/*
 * How many records the fast path took from its known lines, the
 * canonical lines of series it has parsed before (for tests).
 */
uint64_t jsonl_parser_known_count(const struct jsonl_parser *ps);

/*
 * Reading a stream.
 *
 * The reader splits a file descriptor into lines (no line may exceed
 * METRIC_LINE_MAX bytes), skips blank lines, parses the rest, and stamps
 * records that have no "ts" with the time they were read.
 */
struct jsonl_reader;

/*
 * Returns a new reader of 'fd' (not closed by the reader), named 'name'
 * in messages; 'flags' go to the parser.  Free with jsonl_reader_free().
 */
struct jsonl_reader *jsonl_reader_new(int fd, const char *name, unsigned flags);

/*
 * Open 'path' ("-" is standard input) for reading.  Returns a new reader
 * that closes the file when freed, or NULL with the reason in 'eb'.
 */
struct jsonl_reader *jsonl_reader_open(const char *path, unsigned flags,
    struct errbuf *eb);

void jsonl_reader_free(struct jsonl_reader *r);

/*
 * Read the next record into '*s' (valid until the next call; 's->has_ts'
 * is always set).  Returns 1 for a record, 0 at the end of the input,
 * and -1 for a bad line or a read error, with "name:line: reason" in
 * 'eb'.  After a bad line the next call goes on with the line after it;
 * after a read error it returns 0.
 */
int jsonl_next(struct jsonl_reader *r, struct sample *s, struct errbuf *eb);

/*
 * Whether the next jsonl_next() can answer without reading: a whole line
 * is buffered, or the input has ended.  A program that must act while
 * its input is idle (sync, flush) polls jsonl_reader_fd() when it is not.
 */
int jsonl_reader_ready(struct jsonl_reader *r);

/*
 * Another format read line by line in place of the stream's (expo.h,
 * influx.h): every line, blank ones too, goes to 'parse', which returns
 * 1 (or more) with a sample, 0 for a line without one, or -1 with the
 * reason; a line of several samples gives the others through 'more'.  At the end
 * of the input 'end' (may be NULL) may say the document was cut.  The
 * reader numbers lines, stamps samples without a time (those of one
 * line with one time), and prefixes errors with "name:line" as for the
 * stream.  With 'crlf', a '\r' before the newline is dropped first.
 */
struct jsonl_format {
	/* 1 or more: samples, the first in 's', the others from 'more'. */
	int (*parse)(void *ctx, const char *line, size_t len, struct sample *s,
	    struct errbuf *eb);
	/* The next sample of the line: 1, or 0 when none is left (or NULL). */
	int (*more)(void *ctx, struct sample *s);
	int (*end)(void *ctx, struct errbuf *eb);
	void *ctx;
	int crlf;
};

void jsonl_reader_set_format(struct jsonl_reader *r, const struct jsonl_format *f);

/* The file descriptor read from. */
int jsonl_reader_fd(const struct jsonl_reader *r);

/* The name given to the reader (for messages). */
const char *jsonl_reader_name(const struct jsonl_reader *r);

/* The number of the line last returned (1-based). */
uint64_t jsonl_reader_lineno(const struct jsonl_reader *r);

/* Whether the last -1 from jsonl_next() was a read error, not a bad line. */
int jsonl_reader_failed(const struct jsonl_reader *r);

/*
 * Writing a stream.
 */

/*
 * Append 's' to 'out' as one canonical line: keys in the order name,
 * type, value, ts, labels (omitted when empty), unit, help; labels in the
 * order they are in 's' (metric_check() sorts them), but for those whose
 * value is empty, which are no labels; compact; ending in '\n'.  's' must
 * have passed metric_check().
 */
void jsonl_format(struct buf *out, const struct sample *s);

/*
 * Append 'len' bytes at 's' as a JSON string, quoted and escaped the
 * canonical way.  The string should be UTF-8: each byte that is not part
 * of a valid sequence is written as U+FFFD (utf8.h), so what is written
 * is always valid UTF-8, which every reader takes.
 */
void jsonl_quote(struct buf *out, const char *s, size_t len);

/*
 * A buffered writer of canonical lines to 'fp' (borrowed, not closed).
 * Returns a new writer; free with jsonl_writer_free(), which does not
 * flush.
 */
struct jsonl_writer *jsonl_writer_new(FILE *fp);
void jsonl_writer_free(struct jsonl_writer *w);

/*
 * Queue 's' (as jsonl_format()).  Writes out when the buffer is large.
 * Returns 0, or -1 on a write error with the reason in 'eb'.
 */
int jsonl_write(struct jsonl_writer *w, const struct sample *s,
    struct errbuf *eb);

/*
 * Write out everything queued and fflush() 'fp', so a reader at the other
 * end of a pipe sees it now.  Returns 0, or -1 with the reason in 'eb'.
 */
int jsonl_writer_flush(struct jsonl_writer *w, struct errbuf *eb);

struct ingest_sink;

/*
 * 'w' as a sink of the ingest loop (ingest.h): each sample written, and
 * flushed when input is idle.  'w' stays the caller's.
 */
void jsonl_writer_sink(struct jsonl_writer *w, struct ingest_sink *out);

#endif
