/* strmap.h - byte strings to dense numbers: an interning hash table */
/* SPDX-License-Identifier: MIT */
#ifndef MTK_STRMAP_H
#define MTK_STRMAP_H

#include <stddef.h>
#include <stdint.h>

/*
 * A strmap numbers the distinct byte strings given to it 0, 1, 2, ... in
 * the order they are first seen, and finds a string's number again.
 * Strings may hold any bytes, NUL included; each is kept once, back to
 * back in one arena, followed by a NUL byte so that a string without
 * NULs is also a C string.  Pointers returned by strmap_str() stay valid
 * until the next strmap_intern() that adds a string (the arena may
 * move); numbers stay valid for the map's life.
 *
 * The caller passes each string's hash (strmap_hash(), or one it already
 * has: series keys carry theirs), so that hashing happens once.
 */
struct strmap;

/* Returns a new, empty map; free with strmap_free(). */
struct strmap *strmap_new(void);
void strmap_free(struct strmap *m);

/* The hash strmap expects: XXH3 64 of the bytes. */
uint64_t strmap_hash(const void *s, size_t len);

/*
 * The number of 's' ('len' bytes, hash 'hash'), giving it the next
 * number when it is new; '*created' (may be NULL) says which.  Copies
 * the bytes.
 */
uint32_t strmap_intern(struct strmap *m, const void *s, size_t len,
    uint64_t hash, int *created);

/* The number of 's', or -1 when it is not in the map. */
long strmap_find(const struct strmap *m, const void *s, size_t len,
    uint64_t hash);

/* String 'id' (< strmap_count()) and its length.  Borrowed, see above. */
const char *strmap_str(const struct strmap *m, uint32_t id, size_t *len);

size_t strmap_count(const struct strmap *m);

/* Bytes of memory the map holds (approximately). */
size_t strmap_memory(const struct strmap *m);

#endif
