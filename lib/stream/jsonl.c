/* jsonl.c - the stream reader: lines in, samples out */
/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "stream/jsonl_int.h"
#include "base/timestamp.h"
#include "base/xalloc.h"

struct jsonl_parser *
jsonl_parser_new(unsigned flags)
{
	struct jsonl_parser *ps = xcalloc(1, sizeof(*ps));

	ps->flags = flags;
	return ps;
}

void
jsonl_parser_free(struct jsonl_parser *ps)
{
	if (ps == NULL)
		return;
	jsonl_known_clear(ps);
	free(ps->arena);
	free(ps);
}

void
jsonl_arena_grow(struct jsonl_parser *ps, size_t len)
{
	free(ps->arena);
	ps->arena_cap = len + 1 + JSONL_ARENA_SLACK < 4096 ? 4096 :
	    len + 1 + JSONL_ARENA_SLACK;
	ps->arena = xmalloc(ps->arena_cap);
}

uint64_t
jsonl_parser_slow_count(const struct jsonl_parser *ps)
{
	return ps->slow_count;
}

uint64_t
jsonl_parser_known_count(const struct jsonl_parser *ps)
{
	return ps->known_hits;
}

int
jsonl_special_value(const char *s, size_t len, double *v)
{
	if (len == 3 && memcmp(s, "NaN", 3) == 0)
		*v = NAN;
	else if (len == 4 && memcmp(s, "+Inf", 4) == 0)
		*v = INFINITY;
	else if (len == 4 && memcmp(s, "-Inf", 4) == 0)
		*v = -INFINITY;
	else
		return -1;
	return 0;
}

int
jsonl_ts_from_double(double d, int64_t *ts)
{
	/* The comparisons are false for NaN, so it is refused too. */
	if (!(d >= (double)TS_MIN && d <= (double)TS_MAX) || d != floor(d))
		return -1;
	*ts = (int64_t)d;
	return 0;
}

int
jsonl_parse(struct jsonl_parser *ps, const char *line, size_t len,
    struct sample *s, struct errbuf *eb)
{
	if (len > METRIC_LINE_MAX)
		return errbuf_set(eb, "line longer than %d bytes",
		    METRIC_LINE_MAX);
	if (!(ps->flags & JSONL_SLOW_ONLY) &&
	    jsonl_parse_fast(ps, line, len, s))
		return 0;
	return jsonl_parse_slow(ps, line, len, s, eb);
}

/*
 * The reader keeps one buffer: bytes [start, end) are read but not yet
 * returned.  It grows to hold the longest line allowed, no further; a
 * longer line is reported and skipped up to its newline.
 */
#define READ_CHUNK (256 * 1024)
#define NO_NEWLINE SIZE_MAX

struct jsonl_reader {
	int fd;
	int own_fd;
	int eof;
	int failed;
	int skipping;		/* inside an over-long line */
	char *name;
	char *buf;
	size_t cap, start, end;
	size_t nl;		/* a newline at or after 'start', or NO_NEWLINE */
	uint64_t lineno;
	struct jsonl_parser *ps;
	struct jsonl_format fmt;	/* another format's lines, when set */
	int ended;			/* fmt.end() was called */
	int more;			/* fmt.more() has samples of the line */
	int64_t line_ts;		/* when the line was stamped, or INT64_MIN */
};

struct jsonl_reader *
jsonl_reader_new(int fd, const char *name, unsigned flags)
{
	struct jsonl_reader *r = xcalloc(1, sizeof(*r));

	r->fd = fd;
	r->name = xstrdup(name);
	r->cap = READ_CHUNK;
	r->buf = xmalloc(r->cap);
	r->nl = NO_NEWLINE;
	r->ps = jsonl_parser_new(flags);
	return r;
}

void
jsonl_reader_set_format(struct jsonl_reader *r, const struct jsonl_format *f)
{
	r->fmt = *f;
}

struct jsonl_reader *
jsonl_reader_open(const char *path, unsigned flags, struct errbuf *eb)
{
	struct jsonl_reader *r;
	int fd;

	if (strcmp(path, "-") == 0)
		return jsonl_reader_new(STDIN_FILENO, "<stdin>", flags);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		errbuf_set(eb, "cannot open '%s': %s", path, strerror(errno));
		return NULL;
	}
	r = jsonl_reader_new(fd, path, flags);
	r->own_fd = 1;
	return r;
}

void
jsonl_reader_free(struct jsonl_reader *r)
{
	if (r == NULL)
		return;
	if (r->own_fd)
		close(r->fd);
	jsonl_parser_free(r->ps);
	free(r->name);
	free(r->buf);
	free(r);
}

uint64_t
jsonl_reader_lineno(const struct jsonl_reader *r)
{
	return r->lineno;
}

/*
 * The offset of the next newline in the buffer, or NO_NEWLINE when there
 * is none yet.  Remembered, so that asking jsonl_reader_ready() and then
 * reading the line scans it once.
 */
static size_t
next_newline(struct jsonl_reader *r)
{
	char *nl;

	if (r->nl != NO_NEWLINE && r->nl >= r->start)
		return r->nl;
	nl = memchr(r->buf + r->start, '\n', r->end - r->start);
	r->nl = nl ? (size_t)(nl - r->buf) : NO_NEWLINE;
	return r->nl;
}

int
jsonl_reader_ready(struct jsonl_reader *r)
{
	return r->eof || next_newline(r) != NO_NEWLINE;
}

int
jsonl_reader_fd(const struct jsonl_reader *r)
{
	return r->fd;
}

const char *
jsonl_reader_name(const struct jsonl_reader *r)
{
	return r->name;
}

int
jsonl_reader_failed(const struct jsonl_reader *r)
{
	return r->failed;
}

/*
 * Read more input after the unreturned bytes.  Returns the number of
 * bytes read, 0 at end of input, -1 on error.
 */
static ssize_t
fill(struct jsonl_reader *r)
{
	ssize_t n;

	if (r->start > 0) {
		memmove(r->buf, r->buf + r->start, r->end - r->start);
		r->nl = NO_NEWLINE;	/* offsets moved */
		r->end -= r->start;
		r->start = 0;
	}
	if (r->end == r->cap) {
		/* Room for METRIC_LINE_MAX bytes plus the newline. */
		size_t want = r->cap * 2;
		if (want > METRIC_LINE_MAX + 1)
			want = METRIC_LINE_MAX + 1;
		if (want <= r->cap)
			return -2;	/* full: the line is too long */
		r->buf = xrealloc(r->buf, want);
		r->cap = want;
	}
	do
		n = read(r->fd, r->buf + r->end, r->cap - r->end);
	while (n == -1 && errno == EINTR);
	if (n > 0)
		r->end += (size_t)n;
	return n;
}

static int
is_blank(const char *p, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (p[i] != ' ' && p[i] != '\t' && p[i] != '\r')
			return 0;
	return 1;
}

int
jsonl_next(struct jsonl_reader *r, struct sample *s, struct errbuf *eb)
{
	if (r->more) {
		if (r->fmt.more(r->fmt.ctx, s)) {
			/* The samples of one line are of one time. */
			if (!s->has_ts) {
				if (r->line_ts == INT64_MIN)
					r->line_ts = ts_now();
				s->ts = r->line_ts;
				s->has_ts = 1;
			}
			return 1;
		}
		r->more = 0;
	}
	for (;;) {
		char *line = r->buf + r->start;
		size_t len, at = next_newline(r);
		char *nl = at == NO_NEWLINE ? NULL : r->buf + at;
		ssize_t n;

		if (nl == NULL) {
			if (!r->eof) {
				n = fill(r);
				if (n > 0)
					continue;
				if (n == -2) {
					/* Drop the long line's bytes so far. */
					r->start = r->end = 0;
					if (!r->skipping) {
						r->skipping = 1;
						r->lineno++;
						return errbuf_set(eb,
						    "%s:%llu: line longer than "
						    "%d bytes", r->name,
						    (unsigned long long)r->lineno,
						    METRIC_LINE_MAX);
					}
					continue;
				}
				if (n == -1) {
					r->eof = r->failed = 1;
					return errbuf_set(eb, "%s: read error: %s",
					    r->name, strerror(errno));
				}
				r->eof = 1;
			}
			if (r->start == r->end) {
				if (r->fmt.end && !r->ended && !r->failed) {
					r->ended = 1;
					if (r->fmt.end(r->fmt.ctx, eb) == -1)
						return errbuf_prefix(eb, "%s:%llu",
						    r->name, (unsigned long long)
						    r->lineno);
				}
				return 0;
			}
			/* A last line without a newline. */
			line = r->buf + r->start;
			len = r->end - r->start;
			r->start = r->end;
		} else {
			len = (size_t)(nl - line);
			r->start += len + 1;
		}
		if (r->skipping) {
			/* The rest of an over-long line. */
			r->skipping = 0;
			continue;
		}
		r->lineno++;
		if (r->fmt.parse) {
			int k;
			if (len && line[len - 1] == '\r' && r->fmt.crlf)
				len--;
			if ((k = r->fmt.parse(r->fmt.ctx, line, len, s, eb)) == 0)
				continue;
			if (k == -1)
				return errbuf_prefix(eb, "%s:%llu", r->name,
				    (unsigned long long)r->lineno);
			r->more = k > 1 && r->fmt.more;
			r->line_ts = INT64_MIN;
			if (!s->has_ts) {
				s->ts = r->line_ts = ts_now();
				s->has_ts = 1;
			}
			return 1;
		}
		if (len == 0 || is_blank(line, len))
			continue;
		if (jsonl_parse(r->ps, line, len, s, eb) == -1)
			return errbuf_prefix(eb, "%s:%llu", r->name,
			    (unsigned long long)r->lineno);
		if (!s->has_ts) {
			s->ts = ts_now();
			s->has_ts = 1;
		}
		return 1;
	}
}
