/* conf.h - the "key = value" settings files of mtk (DIR/mtk.conf) */
/* SPDX-License-Identifier: MIT */
#ifndef MTK_CONF_H
#define MTK_CONF_H

#include <stddef.h>

#include "base/errbuf.h"

/*
 * A settings file is lines of "key = value"; white space around either
 * is dropped, '#' starts a comment line, blank lines are ignored.  Keys
 * are [a-z0-9_.]+.  A repeated key: the last one counts.
 */
struct conf_entry {
	char *key;
	char *value;
	unsigned line;
};

struct conf {
	struct conf_entry *v;
	size_t n, cap;
};

#define CONF_INIT { NULL, 0, 0 }

/*
 * Read 'path' into 'c' (which must be empty).  Returns 0, or -1 with
 * "path:line: reason" or the open error in 'eb'; 'c' must be released
 * either way.
 */
int conf_load(struct conf *c, const char *path, struct errbuf *eb);

/* The value of 'key' (borrowed from 'c'), or NULL.  Sets '*line' if asked. */
const char *conf_get(const struct conf *c, const char *key, unsigned *line);

/* Set 'key' to 'value' (copied), replacing an earlier value. */
void conf_set(struct conf *c, const char *key, const char *value);

void conf_release(struct conf *c);

#endif
