/* host.h - the machine's name, as self-metrics and notices give it */
/* SPDX-License-Identifier: MIT */
#ifndef MTK_HOST_H
#define MTK_HOST_H

#include <stddef.h>

#define HOST_NAME_BUFSZ 256

/*
 * The host's name into 'out' (of 'size' bytes, NUL-terminated, cut if
 * longer), or "localhost" when it has none.  Returns 'out'.
 */
char *host_name(char *out, size_t size);

#endif
