/* collect_processes.c - processes by state, and chosen processes' usage */
/* SPDX-License-Identifier: MIT */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "collect/gather_int.h"
#include "base/xalloc.h"

/*
 * What /proc/PID/stat says about one process (proc(5) numbers the
 * fields from 1: comm is 2, state 3, utime 14, stime 15, num_threads 20,
 * starttime 22, vsize 23, rss 24).
 */
struct pstat {
	char comm[64];
	char state;
	uint64_t utime, stime, threads, start, vsize, rss;
};

/* Parse PID/stat in 'g->file'.  Returns 0, or -1 if it is not one. */
static int
pstat_parse(const char *text, struct pstat *ps)
{
	const char *open = strchr(text, '('), *close = strrchr(text, ')');
	const char *p;
	uint64_t v;
	size_t n;
	int field;

	/* comm may hold spaces and parentheses: it ends at the last ')'. */
	if (open == NULL || close == NULL || close < open || close[1] != ' ')
		return -1;
	n = (size_t)(close - open - 1);
	if (n >= sizeof(ps->comm))
		n = sizeof(ps->comm) - 1;
	memcpy(ps->comm, open + 1, n);
	ps->comm[n] = '\0';
	ps->state = close[2];
	p = close + 3;
	for (field = 4; field <= 24 && *p && *p != '\n'; field++) {
		v = collect_u64(&p);
		switch (field) {
		case 14: ps->utime = v; break;
		case 15: ps->stime = v; break;
		case 20: ps->threads = v; break;
		case 22: ps->start = v; break;
		case 23: ps->vsize = v; break;
		case 24: ps->rss = v; break;
		}
	}
	return field > 24 ? 0 : -1;
}

/* Read and parse PROCFS/'pid'/stat.  Returns 0 or -1. */
static int
pstat_read(struct gather *g, const char *pid, struct pstat *ps)
{
	char rel[NAME_MAX + 16];

	snprintf(rel, sizeof(rel), "%s/stat", pid);
	if (collect_read(g, COLLECT_PROC, rel, &g->file) == -1)
		return -1;
	return pstat_parse(g->file.p, ps);
}

static int
is_pid(const char *s)
{
	if (*s < '1' || *s > '9')
		return 0;
	while (*s >= '0' && *s <= '9')
		s++;
	return *s == '\0';
}

static int
read_u64_file(struct gather *g, const char *rel, uint64_t *v)
{
	const char *p;

	if (collect_read(g, COLLECT_PROC, rel, &g->file) == -1)
		return -1;
	p = g->file.p;
	*v = collect_u64(&p);
	return 0;
}

/*
 * The processes collector, node_exporter's names: every process's state
 * letter counted, and the threads summed (node_exporter also counts
 * threads by state, which takes a read per thread; this does not).
 */
int
collect_processes(struct gather *g)
{
	uint64_t states[256] = { 0 }, threads = 0, pids = 0, v;
	char letter[2] = { 0, 0 };
	struct pstat ps;
	struct dirent *de;
	struct label l;
	DIR *d;
	int c;

	if ((d = opendir(collect_path(g, COLLECT_PROC, ""))) == NULL)
		return collect_off(g, "cannot read '%s': %s", g->path,
		    strerror(errno));
	while ((de = readdir(d)) != NULL) {
		if (!is_pid(de->d_name) || pstat_read(g, de->d_name, &ps) == -1)
			continue;	/* gone since readdir, or not a pid */
		states[(unsigned char)ps.state]++;
		threads += ps.threads;
		pids++;
	}
	closedir(d);
	collect_emit(g, "node_processes_pids", METRIC_GAUGE, (double)pids,
	    NULL, 0);
	collect_emit(g, "node_processes_threads", METRIC_GAUGE,
	    (double)threads, NULL, 0);
	if (read_u64_file(g, "sys/kernel/pid_max", &v) == 0)
		collect_emit(g, "node_processes_max_processes", METRIC_GAUGE,
		    (double)v, NULL, 0);
	if (read_u64_file(g, "sys/kernel/threads-max", &v) == 0)
		collect_emit(g, "node_processes_max_threads", METRIC_GAUGE,
		    (double)v, NULL, 0);
	for (c = 1; c < 256; c++) {
		if (states[c] == 0)
			continue;
		letter[0] = (char)c;
		l = collect_label("state", letter);
		collect_emit(g, "node_processes_state", METRIC_GAUGE,
		    (double)states[c], &l, 1);
	}
	return 0;
}

/*
 * The process collector: the pids of -p, and every process whose comm is
 * one of --process.  'warned' says which -p pids were reported missing,
 * so the warning comes once (and again if one comes back and goes).
 */
struct proc_state {
	unsigned char *warned;		/* one per -p pid */
};

void
collect_process_release(void *state)
{
	struct proc_state *st = state;

	if (st == NULL)
		return;
	free(st->warned);
	free(st);
}

static uint64_t
boot_time(struct gather *g)
{
	const char *p = collect_read_stat(g), *q;

	if (p && (q = strstr(p, "\nbtime ")) != NULL) {
		q += 7;
		return collect_u64(&q);
	}
	return 0;
}

static void
count_fds(struct gather *g, const char *pid, const struct label *l)
{
	char rel[NAME_MAX + 16];
	struct dirent *de;
	uint64_t n = 0;
	DIR *d;

	snprintf(rel, sizeof(rel), "%s/fd", pid);
	/* Another user's process: no fds for us to count, no metric. */
	if ((d = opendir(collect_path(g, COLLECT_PROC, rel))) == NULL)
		return;
	while ((de = readdir(d)) != NULL)
		if (de->d_name[0] != '.')
			n++;
	closedir(d);
	collect_emit(g, "mtk_process_open_fds", METRIC_GAUGE, (double)n, l, 2);
}

static void
report(struct gather *g, const char *pid, const struct pstat *ps,
    uint64_t btime)
{
	struct label l[3];
	double hz = (double)g->hz;

	/* Sorted: comm, mode, pid; without 'mode', comm and pid. */
	l[0] = collect_label("comm", ps->comm);
	l[2] = collect_label("pid", pid);
	l[1] = collect_label("mode", "user");
	collect_emit(g, "mtk_process_cpu_seconds_total", METRIC_COUNTER,
	    (double)ps->utime / hz, l, 3);
	l[1] = collect_label("mode", "system");
	collect_emit(g, "mtk_process_cpu_seconds_total", METRIC_COUNTER,
	    (double)ps->stime / hz, l, 3);
	l[1] = l[2];
	collect_emit(g, "mtk_process_resident_memory_bytes", METRIC_GAUGE,
	    (double)ps->rss * (double)g->pagesize, l, 2);
	collect_emit(g, "mtk_process_virtual_memory_bytes", METRIC_GAUGE,
	    (double)ps->vsize, l, 2);
	collect_emit(g, "mtk_process_threads", METRIC_GAUGE,
	    (double)ps->threads, l, 2);
	if (btime)
		collect_emit(g, "mtk_process_start_time_seconds", METRIC_GAUGE,
		    (double)btime + (double)ps->start / hz, l, 2);
	count_fds(g, pid, l);
}

/* Whether 'pid' is one of -p, so already reported. */
static int
is_listed(struct gather *g, const char *pid)
{
	long n = strtol(pid, NULL, 10);
	size_t i;

	for (i = 0; i < g->o.npids; i++)
		if ((long)g->o.pids[i] == n)
			return 1;
	return 0;
}

int
collect_process(struct gather *g)
{
	struct proc_state *st = g->state[GATHER_PROCESS];
	uint64_t btime = boot_time(g);
	struct pstat ps;
	struct dirent *de;
	char pid[24];
	size_t i;
	DIR *d;

	if (st == NULL) {
		st = g->state[GATHER_PROCESS] = xcalloc(1, sizeof(*st));
		st->warned = xcalloc(g->o.npids + 1, 1);
	}
	for (i = 0; i < g->o.npids; i++) {
		snprintf(pid, sizeof(pid), "%ld", (long)g->o.pids[i]);
		if (pstat_read(g, pid, &ps) == -1) {
			if (!st->warned[i])
				collect_warn(g, "no process %s", pid);
			st->warned[i] = 1;
			continue;
		}
		st->warned[i] = 0;
		report(g, pid, &ps, btime);
	}
	if (g->o.ncomms == 0)
		return 0;
	if ((d = opendir(collect_path(g, COLLECT_PROC, ""))) == NULL)
		return collect_off(g, "cannot read '%s': %s", g->path,
		    strerror(errno));
	while ((de = readdir(d)) != NULL) {
		if (!is_pid(de->d_name) || is_listed(g, de->d_name) ||
		    pstat_read(g, de->d_name, &ps) == -1)
			continue;
		for (i = 0; i < g->o.ncomms; i++) {
			if (strcmp(ps.comm, g->o.comms[i]) == 0) {
				report(g, de->d_name, &ps, btime);
				break;
			}
		}
	}
	closedir(d);
	return 0;
}
