/* collect_meminfo.c - memory and paging: /proc/meminfo and /proc/vmstat */
/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "collect/gather_int.h"

/*
 * "Active(anon):  1234 kB" becomes node_memory_Active_anon_bytes 1263616,
 * as node_exporter names it: parentheses become '_', anything else that
 * cannot be in a name too, and kB values become bytes.  Lines without
 * a unit (HugePages_Total) are counts and keep their name.
 */
int
collect_meminfo(struct gather *g)
{
	char name[128];
	const char *p, *q;
	size_t n;
	uint64_t v;

	if (collect_read(g, COLLECT_PROC, "meminfo", &g->file) == -1)
		return collect_off(g, "cannot read '%s': %s", g->path,
		    strerror(errno));
	for (p = g->file.p; p; p = collect_line(p)) {
		memcpy(name, "node_memory_", 12);
		n = 12;
		for (q = p; *q && *q != ':' && *q != '\n' &&
		    n < sizeof(name) - 8; q++) {
			if (*q == ')')
				continue;
			name[n++] = (*q >= 'a' && *q <= 'z') ||
			    (*q >= 'A' && *q <= 'Z') ||
			    (*q >= '0' && *q <= '9') ? *q : '_';
		}
		if (*q != ':' || n == 12)
			continue;
		q++;
		v = collect_u64(&q);
		while (*q == ' ')
			q++;
		if (q[0] == 'k' && q[1] == 'B') {
			memcpy(name + n, "_bytes", 6);
			n += 6;
			v *= 1024;
		}
		name[n] = '\0';
		collect_emit(g, name, METRIC_GAUGE, (double)v, NULL, 0);
	}
	return 0;
}

/*
 * node_exporter's default vmstat fields, ^(oom_kill|pgpg|pswp|pg.*fault):
 * pages paged and swapped in and out, page faults, OOM kills.
 */
static int
vmstat_wanted(const char *key, size_t len)
{
	size_t i;

	if ((len >= 8 && memcmp(key, "oom_kill", 8) == 0) ||
	    (len >= 4 && memcmp(key, "pgpg", 4) == 0) ||
	    (len >= 4 && memcmp(key, "pswp", 4) == 0))
		return 1;
	if (len < 2 || key[0] != 'p' || key[1] != 'g')
		return 0;
	for (i = 2; i + 5 <= len; i++)
		if (memcmp(key + i, "fault", 5) == 0)
			return 1;
	return 0;
}

int
collect_vmstat(struct gather *g)
{
	char name[128];
	const char *p, *q;
	size_t len;

	if (collect_read(g, COLLECT_PROC, "vmstat", &g->file) == -1)
		return collect_off(g, "cannot read '%s': %s", g->path,
		    strerror(errno));
	for (p = g->file.p; p; p = collect_line(p)) {
		for (len = 0; p[len] && p[len] != ' ' && p[len] != '\n'; len++)
			;
		if (p[len] != ' ' || len > 100 || !vmstat_wanted(p, len))
			continue;
		snprintf(name, sizeof(name), "node_vmstat_%.*s", (int)len, p);
		q = p + len;
		collect_emit(g, name, METRIC_COUNTER, (double)collect_u64(&q),
		    NULL, 0);
	}
	return 0;
}
