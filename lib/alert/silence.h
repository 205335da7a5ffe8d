/* silence.h - silences: alerts muted by matchers for a while */
/* SPDX-License-Identifier: MIT */
#ifndef MTK_SILENCE_H
#define MTK_SILENCE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "alert/template.h"
#include "base/errbuf.h"
#include "stream/matcher.h"

/*
 * A silence mutes the notices of every alert its matchers all match,
 * from its start to its end, as Alertmanager's do.  An acknowledgement
 * ('ack') is kept the same way but mutes only escalation, and only of
 * the alerts that were already firing when it was made: someone is on
 * it, the second receiver need not be woken; an alert that fires again
 * later is a new one.  Both are kept in a JSON file beside the state
 * (STATE.silences), rewritten whole.
 */
struct silence {
	char *id;		/* 16 hexadecimal digits */
	char *matchers;		/* as given: 'alertname="x",job=~"y"' */
	struct matcher *m;
	size_t nm;
	int64_t starts_at, ends_at;
	char *comment;
	int ack;		/* an acknowledgement, not a silence */
};

struct silences {
	struct silence *v;
	size_t n, cap;
};

/* Read 'path' (missing: no silences).  0, or -1 with 'eb'. */
int silences_load(struct silences *ss, const char *path, struct errbuf *eb);

/* Write 'path' whole, atomically.  0, or -1 with 'eb'. */
int silences_save(const struct silences *ss, const char *path,
    struct errbuf *eb);

void silences_free(struct silences *ss);

/*
 * Add a silence (or with 'ack', an acknowledgement) of 'matchers' (PromQL
 * label matchers, with or without braces) from 'now' for 'ms'.  Returns
 * its id (borrowed), or NULL with 'eb' (matchers that do not parse, or
 * none).
 */
const char *silences_add(struct silences *ss, int ack, const char *matchers,
    int64_t now, int64_t ms, const char *comment, struct errbuf *eb);

/*
 * End the silence or acknowledgement 'id' (or a unique prefix of it) at
 * 'now', of the kind 'ack' says.  0, or -1.
 */
int silences_expire(struct silences *ss, int ack, const char *id,
    int64_t now);

/* Whether an active silence mutes an alert with 'labels' (sorted). */
int silences_mute(const struct silences *ss, const struct tmpl_label *labels,
    size_t n, int64_t now);

/*
 * Whether an active acknowledgement made at or after 'starts_at' covers
 * an alert with 'labels' (sorted) that fires since 'starts_at'.
 */
int silences_acked(const struct silences *ss, const struct tmpl_label *labels,
    size_t n, int64_t starts_at, int64_t now);

/*
 * List the silences (or with 'ack', the acknowledgements) not yet ended
 * at 'now' ('all': every one) to 'fp'.
 */
void silences_list(const struct silences *ss, int ack, int64_t now, int all,
    FILE *fp);

#endif
