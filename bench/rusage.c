/* rusage.c - run a command; report its wall time, CPU time and peak RSS */
/* SPDX-License-Identifier: MIT */
#include <err.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/*
 * usage: rusage COMMAND [ARG...]
 *
 * Prints to stderr one line: "wall=S user=S sys=S maxrss_kib=N", the
 * figures the benchmarks compare, then exits with the command's status.
 */
int
main(int argc, char *argv[])
{
	struct timespec a, b;
	struct rusage ru;
	int status;
	pid_t pid;

	if (argc < 2)
		errx(2, "usage: rusage command [arg ...]");
	clock_gettime(CLOCK_MONOTONIC, &a);
	if ((pid = fork()) == -1)
		err(1, "fork");
	if (pid == 0) {
		execvp(argv[1], argv + 1);
		err(127, "%s", argv[1]);
	}
	if (wait4(pid, &status, 0, &ru) == -1)
		err(1, "wait4");
	clock_gettime(CLOCK_MONOTONIC, &b);
	fprintf(stderr, "wall=%.3f user=%.3f sys=%.3f maxrss_kib=%ld\n",
	    (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9,
	    (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6,
	    (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6,
	    ru.ru_maxrss);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}
