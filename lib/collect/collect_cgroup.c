/* collect_cgroup.c - CPU and memory use and limits of mgather's own cgroup */
/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "collect/gather_int.h"

/*
 * In a container, the host's numbers (node_memory_MemTotal_bytes, the
 * CPUs) say little about what the container may use: its cgroup does.
 * /proc/self/cgroup names the cgroup; with cgroup v2 (the unified
 * hierarchy mounted on /sys/fs/cgroup) its files are in one directory,
 * with v1 in one per controller (cpu, cpuacct, memory).  A file that is
 * not there (the root cgroup has no limits) is just not reported, and a
 * limit of "max" means none: that metric is left out.
 */

#define CG_PATH_MAX 1024

struct cg_paths {
	char v2[CG_PATH_MAX];		/* "0::/path" */
	char cpu[CG_PATH_MAX];		/* v1 "N:...cpu...:/path" */
	char cpuacct[CG_PATH_MAX];
	char memory[CG_PATH_MAX];
};

/* Whether 'list' (comma-separated) has 'name'. */
static int
has_controller(const char *list, size_t len, const char *name)
{
	size_t n = strlen(name), i = 0;

	while (i < len) {
		size_t e = i;
		while (e < len && list[e] != ',')
			e++;
		if (e - i == n && memcmp(list + i, name, n) == 0)
			return 1;
		i = e + 1;
	}
	return 0;
}

static void
parse_self_cgroup(const char *p, struct cg_paths *cp)
{
	const char *c1, *c2, *nl;
	int len;

	memset(cp, 0, sizeof(*cp));
	for (; p; p = collect_line(p)) {
		if ((c1 = strchr(p, ':')) == NULL ||
		    (c2 = strchr(c1 + 1, ':')) == NULL)
			continue;
		nl = strchr(c2, '\n');
		len = (int)(nl ? nl - c2 - 1 : (long)strlen(c2 + 1));
		if (len <= 0 || len >= CG_PATH_MAX)
			continue;
		if (c2 == c1 + 1 && strncmp(p, "0:", 2) == 0)
			snprintf(cp->v2, CG_PATH_MAX, "%.*s", len, c2 + 1);
		if (has_controller(c1 + 1, (size_t)(c2 - c1 - 1), "cpu"))
			snprintf(cp->cpu, CG_PATH_MAX, "%.*s", len, c2 + 1);
		if (has_controller(c1 + 1, (size_t)(c2 - c1 - 1), "cpuacct"))
			snprintf(cp->cpuacct, CG_PATH_MAX, "%.*s", len, c2 + 1);
		if (has_controller(c1 + 1, (size_t)(c2 - c1 - 1), "memory"))
			snprintf(cp->memory, CG_PATH_MAX, "%.*s", len, c2 + 1);
	}
}

/*
 * Read SYSFS/fs/cgroup/DIR/PATH/FILE into 'g->file'.  Returns its text,
 * or NULL when it is not there.
 */
static const char *
cg_read(struct gather *g, const char *dir, const char *path, const char *file)
{
	char rel[CG_PATH_MAX + 128];

	snprintf(rel, sizeof(rel), "fs/cgroup%s%s%s/%s", *dir ? "/" : "", dir,
	    strcmp(path, "/") == 0 ? "" : path, file);
	if (collect_read(g, COLLECT_SYS, rel, &g->file) == -1)
		return NULL;
	return g->file.p;
}

/* A file holding one number; -1 when absent or "max". */
static int
cg_u64(struct gather *g, const char *dir, const char *path, const char *file,
    uint64_t *v)
{
	const char *p = cg_read(g, dir, path, file);

	if (p == NULL || *p < '0' || *p > '9')
		return -1;
	*v = collect_u64(&p);
	return 0;
}

/* The value of "key N" in a flat keyed file's text; -1 if absent. */
static int
cg_key(const char *text, const char *key, uint64_t *v)
{
	size_t n = strlen(key);
	const char *p;

	for (p = text; p; p = collect_line(p)) {
		if (strncmp(p, key, n) == 0 && p[n] == ' ') {
			p += n;
			*v = collect_u64(&p);
			return 0;
		}
	}
	return -1;
}

static void
emit(struct gather *g, const char *name, enum metric_type t, double v,
    const char *cgroup)
{
	struct label l = collect_label("cgroup", cgroup);

	collect_emit(g, name, t, v, &l, 1);
}

static void
cgroup_v2(struct gather *g, const char *path)
{
	const char *p;
	uint64_t v, quota, period, usage = 0;
	int have_usage = 0;

	if ((p = cg_read(g, "", path, "cpu.stat")) != NULL) {
		if (cg_key(p, "usage_usec", &v) == 0)
			emit(g, "mtk_cgroup_cpu_usage_seconds_total",
			    METRIC_COUNTER, (double)v / 1e6, path);
		if (cg_key(p, "user_usec", &v) == 0)
			emit(g, "mtk_cgroup_cpu_user_seconds_total",
			    METRIC_COUNTER, (double)v / 1e6, path);
		if (cg_key(p, "system_usec", &v) == 0)
			emit(g, "mtk_cgroup_cpu_system_seconds_total",
			    METRIC_COUNTER, (double)v / 1e6, path);
		if (cg_key(p, "nr_throttled", &v) == 0)
			emit(g, "mtk_cgroup_cpu_throttled_periods_total",
			    METRIC_COUNTER, (double)v, path);
		if (cg_key(p, "throttled_usec", &v) == 0)
			emit(g, "mtk_cgroup_cpu_throttled_seconds_total",
			    METRIC_COUNTER, (double)v / 1e6, path);
	}
	/* "max 100000", or "QUOTA PERIOD" in microseconds. */
	if ((p = cg_read(g, "", path, "cpu.max")) != NULL &&
	    *p >= '0' && *p <= '9') {
		quota = collect_u64(&p);
		period = collect_u64(&p);
		if (period > 0)
			emit(g, "mtk_cgroup_cpu_limit_cores", METRIC_GAUGE,
			    (double)quota / (double)period, path);
	}
	if (cg_u64(g, "", path, "memory.current", &usage) == 0) {
		have_usage = 1;
		emit(g, "mtk_cgroup_memory_usage_bytes", METRIC_GAUGE,
		    (double)usage, path);
	}
	if (cg_u64(g, "", path, "memory.max", &v) == 0)
		emit(g, "mtk_cgroup_memory_limit_bytes", METRIC_GAUGE,
		    (double)v, path);
	if (cg_u64(g, "", path, "memory.swap.current", &v) == 0)
		emit(g, "mtk_cgroup_memory_swap_usage_bytes", METRIC_GAUGE,
		    (double)v, path);
	if (cg_u64(g, "", path, "memory.swap.max", &v) == 0)
		emit(g, "mtk_cgroup_memory_swap_limit_bytes", METRIC_GAUGE,
		    (double)v, path);
	if ((p = cg_read(g, "", path, "memory.stat")) != NULL) {
		if (cg_key(p, "anon", &v) == 0)
			emit(g, "mtk_cgroup_memory_anon_bytes", METRIC_GAUGE,
			    (double)v, path);
		if (cg_key(p, "file", &v) == 0)
			emit(g, "mtk_cgroup_memory_file_bytes", METRIC_GAUGE,
			    (double)v, path);
		/* What cAdvisor and 'kubectl top' call the working set. */
		if (have_usage && cg_key(p, "inactive_file", &v) == 0)
			emit(g, "mtk_cgroup_memory_working_set_bytes",
			    METRIC_GAUGE, (double)(usage > v ? usage - v : 0),
			    path);
	}
	if ((p = cg_read(g, "", path, "memory.events")) != NULL &&
	    cg_key(p, "oom_kill", &v) == 0)
		emit(g, "mtk_cgroup_memory_oom_kills_total", METRIC_COUNTER,
		    (double)v, path);
}

/* v1's "unlimited" is PAGE_COUNTER_MAX pages: about 2^63. */
#define CG_V1_UNLIMITED (1ULL << 62)

static void
cgroup_v1(struct gather *g, const struct cg_paths *cp)
{
	const char *p;
	uint64_t v, quota, period, usage = 0;
	int have_usage = 0;

	if (*cp->cpuacct) {
		if (cg_u64(g, "cpuacct", cp->cpuacct, "cpuacct.usage", &v) == 0)
			emit(g, "mtk_cgroup_cpu_usage_seconds_total",
			    METRIC_COUNTER, (double)v / 1e9, cp->cpuacct);
		/* In USER_HZ ticks. */
		if ((p = cg_read(g, "cpuacct", cp->cpuacct, "cpuacct.stat"))) {
			if (cg_key(p, "user", &v) == 0)
				emit(g, "mtk_cgroup_cpu_user_seconds_total",
				    METRIC_COUNTER, (double)v / (double)g->hz,
				    cp->cpuacct);
			if (cg_key(p, "system", &v) == 0)
				emit(g, "mtk_cgroup_cpu_system_seconds_total",
				    METRIC_COUNTER, (double)v / (double)g->hz,
				    cp->cpuacct);
		}
	}
	if (*cp->cpu) {
		if ((p = cg_read(g, "cpu", cp->cpu, "cpu.stat")) != NULL) {
			if (cg_key(p, "nr_throttled", &v) == 0)
				emit(g, "mtk_cgroup_cpu_throttled_periods_total",
				    METRIC_COUNTER, (double)v, cp->cpu);
			if (cg_key(p, "throttled_time", &v) == 0)
				emit(g, "mtk_cgroup_cpu_throttled_seconds_total",
				    METRIC_COUNTER, (double)v / 1e9, cp->cpu);
		}
		/* A quota of -1 (no limit) does not read as a number. */
		if (cg_u64(g, "cpu", cp->cpu, "cpu.cfs_quota_us", &quota) == 0 &&
		    cg_u64(g, "cpu", cp->cpu, "cpu.cfs_period_us", &period) == 0 &&
		    period > 0)
			emit(g, "mtk_cgroup_cpu_limit_cores", METRIC_GAUGE,
			    (double)quota / (double)period, cp->cpu);
	}
	if (*cp->memory == '\0')
		return;
	if (cg_u64(g, "memory", cp->memory, "memory.usage_in_bytes",
	    &usage) == 0) {
		have_usage = 1;
		emit(g, "mtk_cgroup_memory_usage_bytes", METRIC_GAUGE,
		    (double)usage, cp->memory);
	}
	if (cg_u64(g, "memory", cp->memory, "memory.limit_in_bytes", &v) == 0 &&
	    v < CG_V1_UNLIMITED)
		emit(g, "mtk_cgroup_memory_limit_bytes", METRIC_GAUGE,
		    (double)v, cp->memory);
	if ((p = cg_read(g, "memory", cp->memory, "memory.stat")) != NULL) {
		/* The total_ keys include the child cgroups, as v2 does. */
		if (cg_key(p, "total_rss", &v) == 0)
			emit(g, "mtk_cgroup_memory_anon_bytes", METRIC_GAUGE,
			    (double)v, cp->memory);
		if (cg_key(p, "total_cache", &v) == 0)
			emit(g, "mtk_cgroup_memory_file_bytes", METRIC_GAUGE,
			    (double)v, cp->memory);
		if (have_usage && cg_key(p, "total_inactive_file", &v) == 0)
			emit(g, "mtk_cgroup_memory_working_set_bytes",
			    METRIC_GAUGE, (double)(usage > v ? usage - v : 0),
			    cp->memory);
	}
	if ((p = cg_read(g, "memory", cp->memory, "memory.oom_control")) &&
	    cg_key(p, "oom_kill", &v) == 0)
		emit(g, "mtk_cgroup_memory_oom_kills_total", METRIC_COUNTER,
		    (double)v, cp->memory);
}

int
collect_cgroup(struct gather *g)
{
	struct cg_paths cp;

	if (collect_read(g, COLLECT_PROC, "self/cgroup", &g->file) == -1)
		return collect_off(g, "cannot read '%s': %s", g->path,
		    strerror(errno));
	parse_self_cgroup(g->file.p, &cp);
	if (*cp.v2 && access(collect_path(g, COLLECT_SYS,
	    "fs/cgroup/cgroup.controllers"), F_OK) == 0)
		cgroup_v2(g, cp.v2);
	else
		cgroup_v1(g, &cp);
	return 0;
}
