/* exec.h - a command run every interval, its output turned into samples */
/* SPDX-License-Identifier: MIT */
#ifndef MTK_EXEC_H
#define MTK_EXEC_H

#include <stddef.h>
#include <stdint.h>

#include "base/errbuf.h"
#include "stream/ingest.h"

/*
 * A run of the command (without a shell: base/proc.h) at 'ts', within
 * the timeout, its standard output read as
 *
 *  stream      stream lines (mtk-stream(5));
 *  prometheus  the Prometheus text format (stream/expo.h);
 *  nagios      a Monitoring Plugins check: its performance data,
 *              'label'=value[UOM];[warn];[crit];[min];[max] after the
 *              first '|' of the first line and of the long text; each
 *              item a gauge named after its label, in base units
 *              (s, ms, us: _seconds; B, KB, MB, GB, TB, as 1024s:
 *              _bytes; %: _ratio, 0 to 1; c: a counter, _total), its
 *              warn, crit, min and max, when numbers, as NAME_warning,
 *              NAME_critical, NAME_min and NAME_max;
 *  auto        the first line says: '{' a stream, a '|' a check, a
 *              comment or 'name value' the text format, else a check
 *              without performance data.
 *
 * Every sample gets the labels of 'labels' (NAME=VALUE, over its own),
 * and a check's the label command (argv[0]'s base name) too; one without
 * a timestamp gets 'ts'.  After them, the run's own, labelled command:
 * mtk_exec_exit_status (128 + the signal when one ended it),
 * mtk_exec_duration_seconds, mtk_exec_timed_out (1 when it was killed
 * at the timeout), mtk_exec_samples and mtk_exec_bad_lines.  A bad line
 * is told to 'warn' (once a run) and counted, the others kept.
 */
enum exec_format { EXEC_AUTO, EXEC_STREAM, EXEC_PROMETHEUS, EXEC_NAGIOS };

struct exec_opts {
	char *const *argv;
	int64_t timeout_ms;
	enum exec_format format;
	const char *const *labels;	/* "NAME=VALUE" */
	size_t nlabels;
	void (*warn)(void *arg, const char *msg);
	void *warn_arg;
};

/* "auto", "stream", "prometheus" or "nagios": 0, or -1. */
int exec_format_parse(const char *s, enum exec_format *f);

/* The name of format 'i' (from 0), NULL past the last: completions. */
const char *exec_format_name(size_t i);

/*
 * Run the command once at 'ts' (ms) and give its samples, then its own,
 * to 'sink'.  Returns 0 (whatever the command did), or -1 with 'eb' when
 * it could not be started or the sink failed.
 */
int exec_pass(const struct exec_opts *o, int64_t ts,
    const struct ingest_sink *sink, struct errbuf *eb);

#endif
