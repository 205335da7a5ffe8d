/* alertmanager.h - alerts pushed to a Prometheus Alertmanager (API v2) */
/* SPDX-License-Identifier: MIT */
#ifndef MTK_ALERTMANAGER_H
#define MTK_ALERTMANAGER_H

#include <stddef.h>
#include <stdint.h>

#include "base/errbuf.h"

/*
 * POST the JSON array of alerts 'body' ('len' bytes) to the Alertmanager
 * at 'url' (its base, "http://host:9093": /api/v2/alerts is added),
 * with libcurl, giving up after 'timeout_ms'.  Returns 0 when it
 * answered 2xx, or -1 with "http://...: 400 Bad Request: <its message>"
 * or the transport's error in 'eb'.
 */
int alertmanager_post(const char *url, const char *body, size_t len,
    int64_t timeout_ms, struct errbuf *eb);

#endif
