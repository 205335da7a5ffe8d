/* collect_stat.c - kernel-wide counters: stat, loadavg, time, filefd */
/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "collect/gather_int.h"

/* The lines of /proc/stat that the stat collector reads. */
static const struct {
	const char *key;
	const char *name;
	enum metric_type type;
} stat_keys[] = {
	{ "intr", "node_intr_total", METRIC_COUNTER },
	{ "ctxt", "node_context_switches_total", METRIC_COUNTER },
	{ "btime", "node_boot_time_seconds", METRIC_GAUGE },
	{ "processes", "node_forks_total", METRIC_COUNTER },
	{ "procs_running", "node_procs_running", METRIC_GAUGE },
	{ "procs_blocked", "node_procs_blocked", METRIC_GAUGE },
};

int
collect_stat(struct gather *g)
{
	const char *p, *q;
	size_t i, len;

	if ((p = collect_read_stat(g)) == NULL)
		return collect_off(g, "cannot read '%s': %s",
		    collect_path(g, COLLECT_PROC, "stat"), strerror(errno));
	for (; p; p = collect_line(p)) {
		if (*p == 'c' && p[1] == 'p')	/* the many cpu lines */
			continue;
		for (len = 0; p[len] && p[len] != ' '; len++)
			;
		for (i = 0; i < sizeof(stat_keys) / sizeof(stat_keys[0]); i++) {
			if (strlen(stat_keys[i].key) != len ||
			    memcmp(stat_keys[i].key, p, len) != 0)
				continue;
			/* For "intr", the first number is the total. */
			q = p + len;
			collect_emit(g, stat_keys[i].name, stat_keys[i].type,
			    (double)collect_u64(&q), NULL, 0);
			break;
		}
	}
	return 0;
}

int
collect_loadavg(struct gather *g)
{
	static const char *const names[3] = {
		"node_load1", "node_load5", "node_load15"
	};
	const char *p;
	char *end;
	double v;
	int i;

	if (collect_read(g, COLLECT_PROC, "loadavg", &g->file) == -1)
		return collect_off(g, "cannot read '%s': %s", g->path,
		    strerror(errno));
	p = g->file.p;
	for (i = 0; i < 3; i++) {
		/* The kernel writes "0.42": strtod's C locale is right. */
		v = strtod(p, &end);
		if (end == p)
			break;
		collect_emit(g, names[i], METRIC_GAUGE, v, NULL, 0);
		p = end;
	}
	return 0;
}

int
collect_time(struct gather *g)
{
	/* The pass's one timestamp, so it agrees with "ts". */
	collect_emit(g, "node_time_seconds", METRIC_GAUGE,
	    (double)g->ts / 1000.0, NULL, 0);
	return 0;
}

int
collect_filefd(struct gather *g)
{
	const char *p;
	uint64_t allocated, maximum;

	if (collect_read(g, COLLECT_PROC, "sys/fs/file-nr", &g->file) == -1)
		return collect_off(g, "cannot read '%s': %s", g->path,
		    strerror(errno));
	/* "allocated unused maximum"; 'unused' is always 0 since 2.6. */
	p = g->file.p;
	allocated = collect_u64(&p);
	(void)collect_u64(&p);
	maximum = collect_u64(&p);
	collect_emit(g, "node_filefd_allocated", METRIC_GAUGE,
	    (double)allocated, NULL, 0);
	collect_emit(g, "node_filefd_maximum", METRIC_GAUGE, (double)maximum,
	    NULL, 0);
	return 0;
}
