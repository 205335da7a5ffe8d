/* buf.h - growable byte buffer */
/* SPDX-License-Identifier: MIT */
#ifndef MTK_BUF_H
#define MTK_BUF_H

#include <stddef.h>
#include <string.h>

/*
 * A growable byte buffer in the manner of git's strbuf.  'p' is always
 * NUL-terminated once anything has been added (len excludes the NUL).
 * Initialise with BUF_INIT or buf_init(); release with buf_release().
 */
struct buf {
	char *p;
	size_t len;
	size_t cap;
};

#define BUF_INIT { NULL, 0, 0 }

void buf_init(struct buf *b);
void buf_release(struct buf *b);

/* Make room for 'extra' more bytes plus the terminating NUL. */
void buf_grow(struct buf *b, size_t extra);

/* Forget the contents, keep the allocation. */
static inline void
buf_reset(struct buf *b)
{
	b->len = 0;
	if (b->p)
		b->p[0] = '\0';
}

static inline void
buf_add(struct buf *b, const void *data, size_t n)
{
	if (b->cap - b->len <= n)
		buf_grow(b, n);
	if (n)		/* an empty buffer's data may be NULL */
		memcpy(b->p + b->len, data, n);
	b->len += n;
	b->p[b->len] = '\0';
}

static inline void
buf_addch(struct buf *b, char c)
{
	if (b->cap - b->len <= 1)
		buf_grow(b, 1);
	b->p[b->len++] = c;
	b->p[b->len] = '\0';
}

static inline void
buf_adds(struct buf *b, const char *s)
{
	buf_add(b, s, strlen(s));
}

void buf_addf(struct buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif
