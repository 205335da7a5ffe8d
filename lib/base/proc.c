/* proc.c - a command run without a shell, fed, read and stopped on time */
/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "base/proc.h"
#include "base/timestamp.h"

/* In the child: set up its descriptors and run it; never returns. */
static void __attribute__((noreturn))
child(char *const *argv, char *const *env, int in, int out)
{
	sigset_t none;
	size_t i;
	int null;

	setpgid(0, 0);
	/* Not what the caller blocks or ignores (its stop signals, SIGPIPE). */
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	signal(SIGPIPE, SIG_DFL);
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	if (in == -1 && (null = open("/dev/null", O_RDONLY)) != -1)
		in = null;
	if ((in != -1 && dup2(in, 0) == -1) ||
	    dup2(out == -1 ? 2 : out, 1) == -1)
		_exit(127);
	for (i = 0; env && env[i]; i++)
		putenv(env[i]);
	execvp(argv[0], argv);
	fprintf(stderr, "cannot run '%s': %s\n", argv[0], strerror(errno));
	_exit(127);
}

static void
nap(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000 };

	nanosleep(&ts, NULL);
}

/* Read what is there of 'fd' into 'out' (up to 'max'): 0 at its end. */
static int
drain(int fd, struct buf *out, size_t max, int *cut)
{
	char tmp[65536];
	ssize_t n;

	for (;;) {
		n = read(fd, tmp, sizeof(tmp));
		if (n > 0) {
			size_t keep = out->len >= max ? 0 :
			    (size_t)n < max - out->len ? (size_t)n : max - out->len;
			buf_add(out, tmp, keep);
			*cut |= keep < (size_t)n;
			continue;
		}
		if (n == 0)
			return 0;
		return errno == EINTR ? drain(fd, out, max, cut) : 1;
	}
}

int
proc_run(char *const *argv, char *const *env, const char *input,
    size_t input_len, struct buf *output, size_t max_output,
    int64_t timeout_ms, struct proc_result *r, struct errbuf *eb)
{
	int in[2] = { -1, -1 }, out[2] = { -1, -1 }, status = 0;
	int64_t start = ts_now(), deadline = start + timeout_ms;
	sigset_t pipe_set, old;
	size_t off = 0;
	pid_t pid;

	memset(r, 0, sizeof(*r));
	if ((input && pipe2(in, O_CLOEXEC) == -1) ||
	    (output && pipe2(out, O_CLOEXEC) == -1)) {
		errbuf_set(eb, "cannot make a pipe: %s", strerror(errno));
		goto fail;
	}
	if ((pid = fork()) == -1) {
		errbuf_set(eb, "cannot fork: %s", strerror(errno));
		goto fail;
	}
	if (pid == 0)
		child(argv, env, in[0], out[1]);
	if (in[0] != -1)
		close(in[0]);
	if (out[1] != -1)
		close(out[1]);
	if (in[1] != -1)
		fcntl(in[1], F_SETFL, O_NONBLOCK);
	if (out[0] != -1)
		fcntl(out[0], F_SETFL, O_NONBLOCK);
	/* A command that stops reading is its own business, not a SIGPIPE. */
	sigemptyset(&pipe_set);
	sigaddset(&pipe_set, SIGPIPE);
	sigprocmask(SIG_BLOCK, &pipe_set, &old);
	for (;;) {
		struct pollfd pf[2];
		int np = 0, w;
		int64_t left = deadline - ts_now();
		if (in[1] != -1 && off == input_len) {
			close(in[1]);
			in[1] = -1;
		}
		if (in[1] != -1)
			pf[np++] = (struct pollfd){ in[1], POLLOUT, 0 };
		if (out[0] != -1)
			pf[np++] = (struct pollfd){ out[0], POLLIN, 0 };
		if (left > 0 && poll(pf, (nfds_t)np, left < 20 ? (int)left : 20) > 0) {
			if (in[1] != -1 && (pf[0].revents & (POLLOUT | POLLERR))) {
				ssize_t n = write(in[1], input + off, input_len - off);
				if (n > 0)
					off += (size_t)n;
				else if (n == -1 && errno != EAGAIN && errno != EINTR)
					off = input_len;	/* it closed its end */
			}
			if (out[0] != -1 && pf[np - 1].revents &&
			    drain(out[0], output, max_output, &r->output_cut) == 0) {
				close(out[0]);
				out[0] = -1;
			}
		}
		if ((w = waitpid(pid, &status, WNOHANG)) == pid)
			break;
		if (w == -1 && errno != EINTR) {
			errbuf_set(eb, "cannot wait: %s", strerror(errno));
			status = -1;
			break;
		}
		if (ts_now() >= deadline) {
			int i;
			r->timed_out = 1;
			kill(-pid, SIGTERM);
			for (i = 0; i < 100 && waitpid(pid, &status, WNOHANG) != pid; i++)
				nap(10);
			if (i == 100) {
				kill(-pid, SIGKILL);
				waitpid(pid, &status, 0);
			}
			break;
		}
	}
	/* What it wrote before it exited is in the pipe: read it. */
	if (out[0] != -1)
		drain(out[0], output, max_output, &r->output_cut);
	{
		struct timespec zero = { 0, 0 };
		while (sigtimedwait(&pipe_set, NULL, &zero) > 0)
			;	/* a SIGPIPE it caused: consumed */
	}
	sigprocmask(SIG_SETMASK, &old, NULL);
	r->ms = ts_now() - start;
	r->exited = WIFEXITED(status);
	r->status = WIFEXITED(status) ? WEXITSTATUS(status) :
	    WIFSIGNALED(status) ? WTERMSIG(status) : -1;
	if (in[1] != -1)
		close(in[1]);
	if (out[0] != -1)
		close(out[0]);
	return status == -1 ? -1 : 0;
fail:
	if (in[0] != -1) {
		close(in[0]);
		close(in[1]);
	}
	if (out[0] != -1) {
		close(out[0]);
		close(out[1]);
	}
	return -1;
}

void
proc_describe(const struct proc_result *r, char *out, size_t size)
{
	if (r->timed_out)
		snprintf(out, size, "timed out after %lld ms", (long long)r->ms);
	else if (r->exited)
		snprintf(out, size, "exit status %d", r->status);
	else
		snprintf(out, size, "killed by signal %d", r->status);
}

int
proc_wrap(char *const *argv, struct proc_result *r, struct errbuf *eb)
{
	int64_t start = ts_now();
	int status;
	pid_t pid;

	memset(r, 0, sizeof(*r));
	if ((pid = fork()) == -1)
		return errbuf_set(eb, "cannot fork: %s", strerror(errno));
	if (pid == 0) {
		signal(SIGPIPE, SIG_DFL);
		execvp(argv[0], argv);
		fprintf(stderr, "cannot run '%s': %s\n", argv[0],
		    strerror(errno));
		_exit(127);
	}
	while (waitpid(pid, &status, 0) == -1)
		if (errno != EINTR)
			return errbuf_set(eb, "waitpid: %s", strerror(errno));
	r->ms = ts_now() - start;
	r->exited = WIFEXITED(status);
	r->status = r->exited ? WEXITSTATUS(status) : WTERMSIG(status);
	return 0;
}
