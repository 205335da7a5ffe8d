/* proc.h - a command run without a shell, fed, read and stopped on time */
/* SPDX-License-Identifier: MIT */
#ifndef MTK_PROC_H
#define MTK_PROC_H

#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/errbuf.h"

/*
 * The command runs in a process group of its own, with 'input' on its
 * standard input (or /dev/null), its standard output kept in 'output'
 * (or, when that is NULL, sent to standard error) and its standard
 * error shared.  Past the deadline its whole group is sent SIGTERM,
 * then SIGKILL a second later.
 */
struct proc_result {
	int exited;		/* it exited (else a signal ended it) */
	int status;		/* its exit status, or the signal */
	int timed_out;		/* it was killed at the deadline */
	int64_t ms;		/* how long it ran */
	int output_cut;		/* it wrote more than 'max_output' */
};

/*
 * Run 'argv' (argv[0] found on PATH), with 'env' (NULL-terminated
 * "NAME=value" strings added to the environment; may be NULL), for at
 * most 'timeout_ms'.  'max_output' bytes of its output are kept, the
 * rest read and dropped.  Returns 0 with '*r' (whatever the command's
 * fate), or -1 with 'eb' when it could not be started (127 from the
 * child is "cannot run": said on standard error by the child).
 */
int proc_run(char *const *argv, char *const *env, const char *input,
    size_t input_len, struct buf *output, size_t max_output,
    int64_t timeout_ms, struct proc_result *r, struct errbuf *eb);

/*
 * Run 'argv' in the foreground, as a shell would: the caller's standard
 * input, output and error, its process group, no deadline (a cron job
 * that mpush wraps).  Returns 0 with '*r' once it ended, or -1 with 'eb'
 * when it could not be started.
 */
int proc_wrap(char *const *argv, struct proc_result *r, struct errbuf *eb);

/* "exit status 3", "killed by signal 9" or "timed out after 1000 ms". */
void proc_describe(const struct proc_result *r, char *out, size_t size);

#endif
