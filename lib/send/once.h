/* once.h - one sample, or a wrapped command's figures, sent now or spooled */
/* SPDX-License-Identifier: MIT */
#ifndef MTK_ONCE_H
#define MTK_ONCE_H

#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/errbuf.h"
#include "base/proc.h"
#include "send/dest.h"

/*
 * What a script's 'mpush gauge ...' or 'mpush wrap ...' does: make the
 * lines of one sample, or of how a command went, and send them in one
 * request (dest_opts.one_shot: no libcurl for plain http://), or, when
 * the destination cannot take them now, spool them (journal_put()) for
 * the next mpush to that URL.
 */

/*
 * The line of one sample of 'kind' ("gauge", "histogram", "timing": an
 * observation in milliseconds, written in seconds, "counter": an
 * increment) named 'name', of the value text 'value', at 'now' (ms),
 * with the labels of 'pairs' ("NAME=VALUE") then those of 'labels' (-l),
 * appended to 'out': a stream line, or for a counter a StatsD line
 * ("name:1|c|#k:v"), '*statsd' then set.  0, or -1 with 'eb' for a bad
 * name, value or label (a usage error).
 */
int once_line(const char *kind, const char *name, const char *value,
    char *const *pairs, size_t npairs, const char *const *labels,
    size_t nlabels, int64_t now, struct buf *out, int *statsd,
    struct errbuf *eb);

/*
 * The stream lines of how a command run went, labelled job='job' and
 * the -l 'labels': job_duration_seconds, job_exit_status (128 + the
 * signal that ended it), job_last_run_timestamp_seconds and, when it
 * succeeded, job_last_success_timestamp_seconds, at 'end' (ms),
 * appended to 'out'.  0, or -1 with 'eb' for a bad job or label.
 */
int once_wrap_lines(const char *job, const struct proc_result *r,
    int64_t end, const char *const *labels, size_t nlabels, struct buf *out,
    struct errbuf *eb);

/*
 * Send 'n' bytes of lines (StatsD lines with 'statsd') to 'o''s URL now,
 * in one request, or spool them in 'spool'.  Returns 0 when sent, 1 when
 * spooled (why in 'eb'), or -1 when neither, or refused (why in 'eb').
 */
int once_send(const struct dest_opts *o, const char *spool, const char *lines,
    size_t n, int64_t now, int statsd, struct errbuf *eb);

#endif
