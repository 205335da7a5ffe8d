/* xalloc.h - allocation wrappers that never return NULL */
/* SPDX-License-Identifier: MIT */
#ifndef MTK_XALLOC_H
#define MTK_XALLOC_H

#include <stddef.h>

/*
 * Like malloc(3) and friends, but on failure (or on a size computation
 * that would overflow) print "mtk: out of memory" and abort().  Running
 * out of memory is not a condition a metrics filter can recover from, and
 * checking every small allocation would hide the real error paths.
 * The caller owns what is returned; release it with free(3).
 */
void *xmalloc(size_t size);
void *xcalloc(size_t nmemb, size_t size);
void *xrealloc(void *ptr, size_t size);
void *xreallocarray(void *ptr, size_t nmemb, size_t size);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
void *xmemdup(const void *p, size_t n);

/* Free the 'n' strings of 'v', then 'v' (which may be NULL). */
void xfree_strv(char **v, size_t n);

/*
 * Grow '*arr' (of '*cap' elements of 'size' bytes) so that it holds at
 * least 'need' elements, at least doubling.  Returns the new array.
 */
void *xgrow(void *arr, size_t *cap, size_t need, size_t size);

#endif
