/* auth.h - bearer tokens of a file, each naming a tenant and its rate */
/* SPDX-License-Identifier: MIT */
#ifndef MTK_AUTH_H
#define MTK_AUTH_H

#include <stddef.h>
#include <stdint.h>

#include "base/errbuf.h"

/*
 * The tokens file of a server that takes bearer tokens (mgather listen
 * --auth; mtk-auth(5)): one token a line,
 *
 *	TENANT TOKEN [rate=SAMPLES/s] [burst=SAMPLES]
 *
 * blank lines and lines starting with '#' aside.  A tenant is a label
 * value (printable UTF-8, at most 128 bytes); it may have several tokens
 * (to change one without a gap), a token names one tenant.  A token is
 * 16 to 256 printable ASCII bytes, no spaces.  rate= and burst= set the
 * tenant's rate limit (its first line's win), else the server's default
 * applies.
 *
 * The file must be its owner's alone: one that its group may write or
 * anyone else may read or write is refused, as ssh refuses a key.
 */
struct auth;

struct auth_tenant {
	const char *name;
	double rate;		/* samples a second; 0: the server's */
	double burst;		/* 0: the server's */
};

/*
 * Load 'path' (as its mode allows).  NULL with "path:line: what is
 * wrong" in 'eb'.
 */
struct auth *auth_load(const char *path, struct errbuf *eb);
void auth_free(struct auth *a);

/* The same from the text of a file ('path' names it in messages). */
struct auth *auth_parse(const char *text, size_t len, const char *path,
    struct errbuf *eb);

/* The tenants, in the order of the file's first line for each. */
size_t auth_ntenants(const struct auth *a);
const struct auth_tenant *auth_tenant(const struct auth *a, size_t i);

/*
 * The tenant of an Authorization header ("Bearer TOKEN"; NULL when the
 * request has none): its index, or -1 when there is no token or it is
 * not one of the file's.  Every token is compared whole, in time that
 * does not depend on where a guess goes wrong.
 */
int auth_check(const struct auth *a, const char *authorization);

/* A rate or a burst: a positive number of samples, "/s" allowed after. */
int auth_rate_parse(const char *s, double *out);

/*
 * A token bucket: 'rate' tokens a second, up to 'burst' held, full at
 * first.  Take what was used after the fact (a batch's samples are
 * known once it is read): the level may go below zero, and the next
 * request waits until it is back above.
 */
struct bucket {
	double rate, burst, level;
	int64_t last;		/* ms of the last refill */
};

void bucket_init(struct bucket *b, double rate, double burst, int64_t now);

/*
 * 0 when a request may go on at 'now' (ms), else the milliseconds until
 * it may (at least 1).
 */
int64_t bucket_wait(struct bucket *b, int64_t now);

/* Take 'n' tokens (the samples a request gave). */
void bucket_take(struct bucket *b, double n);

#endif
