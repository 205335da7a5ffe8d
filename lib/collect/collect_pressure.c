/* collect_pressure.c - pressure stall information, from /proc/pressure */
/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <string.h>

#include "collect/gather_int.h"

/*
 * Each file has a "some" line (time some task waited) and, except cpu
 * before Linux 5.13, a "full" line (time all non-idle tasks stalled at
 * once); "total=" is in microseconds.  node_exporter leaves out cpu's
 * "full" (it is zero outside cgroups), and so does this.
 */
static const struct {
	const char *file;
	const char *some;
	const char *full;
} psi[] = {
	{ "pressure/cpu", "node_pressure_cpu_waiting_seconds_total", NULL },
	{ "pressure/io", "node_pressure_io_waiting_seconds_total",
	    "node_pressure_io_stalled_seconds_total" },
	{ "pressure/memory", "node_pressure_memory_waiting_seconds_total",
	    "node_pressure_memory_stalled_seconds_total" },
};

int
collect_pressure(struct gather *g)
{
	const char *p, *q, *name;
	size_t i;

	for (i = 0; i < sizeof(psi) / sizeof(psi[0]); i++) {
		if (collect_read(g, COLLECT_PROC, psi[i].file, &g->file) == -1)
			return collect_off(g, "cannot read '%s': %s", g->path,
			    strerror(errno));
		for (p = g->file.p; p; p = collect_line(p)) {
			if (strncmp(p, "some ", 5) == 0)
				name = psi[i].some;
			else if (strncmp(p, "full ", 5) == 0)
				name = psi[i].full;
			else
				continue;
			q = strstr(p, "total=");
			if (name == NULL || q == NULL)
				continue;
			q += 6;
			collect_emit(g, name, METRIC_COUNTER,
			    (double)collect_u64(&q) / 1e6, NULL, 0);
		}
	}
	return 0;
}
