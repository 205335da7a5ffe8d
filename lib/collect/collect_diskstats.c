/* collect_diskstats.c - disk I/O per device, from /proc/diskstats */
/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <string.h>

#include "collect/gather_int.h"
#include "base/xalloc.h"

/*
 * The columns after "major minor name", in the kernel's order
 * (Documentation/admin-guide/iostats.rst): 11 up to Linux 4.17, 15 from
 * 4.18 (discards), 17 from 5.5 (flushes).  'scale' turns sectors into
 * bytes and milliseconds into seconds; the names are node_exporter's.
 */
#define DISK_NFIELDS 17
#define DISK_IO_NOW 8
static const struct {
	const char *name;
	double scale;
} disk_fields[DISK_NFIELDS] = {
	{ "node_disk_reads_completed_total", 1 },
	{ "node_disk_reads_merged_total", 1 },
	{ "node_disk_read_bytes_total", 512 },
	{ "node_disk_read_time_seconds_total", 0.001 },
	{ "node_disk_writes_completed_total", 1 },
	{ "node_disk_writes_merged_total", 1 },
	{ "node_disk_written_bytes_total", 512 },
	{ "node_disk_write_time_seconds_total", 0.001 },
	{ "node_disk_io_now", 1 },		/* a gauge */
	{ "node_disk_io_time_seconds_total", 0.001 },
	{ "node_disk_io_time_weighted_seconds_total", 0.001 },
	{ "node_disk_discards_completed_total", 1 },
	{ "node_disk_discards_merged_total", 1 },
	{ "node_disk_discarded_sectors_total", 1 },
	{ "node_disk_discard_time_seconds_total", 0.001 },
	{ "node_disk_flush_requests_total", 1 },
	{ "node_disk_flush_requests_time_seconds_total", 0.001 },
};

/* Whether 's' is one or more digits, then the end. */
static int
all_digits(const char *s)
{
	if (*s < '0' || *s > '9')
		return 0;
	while (*s >= '0' && *s <= '9')
		s++;
	return *s == '\0';
}

/*
 * node_exporter's default exclusion,
 * ^(ram|loop|fd|(h|s|v|xv)d[a-z]|nvme\d+n\d+p)\d+$: RAM disks, loop
 * devices, floppies and partitions (whose I/O their disk counts too).
 */
static int
disk_excluded(const char *d)
{
	const char *p;

	if (strncmp(d, "ram", 3) == 0 && all_digits(d + 3))
		return 1;
	if (strncmp(d, "loop", 4) == 0 && all_digits(d + 4))
		return 1;
	if (strncmp(d, "fd", 2) == 0 && all_digits(d + 2))
		return 1;
	p = strncmp(d, "xvd", 3) == 0 ? d + 3 :
	    (d[0] == 'h' || d[0] == 's' || d[0] == 'v') && d[1] == 'd' ?
	    d + 2 : NULL;
	if (p && *p >= 'a' && *p <= 'z' && all_digits(p + 1))
		return 1;
	if (strncmp(d, "nvme", 4) == 0) {
		for (p = d + 4; *p >= '0' && *p <= '9'; p++)
			;
		if (p == d + 4 || *p++ != 'n' || *p < '0' || *p > '9')
			return 0;
		while (*p >= '0' && *p <= '9')
			p++;
		return *p == 'p' && all_digits(p + 1);
	}
	return 0;
}

/* The rate of counter 'i' of 'e'; none after a reset. */
static void
disk_rate(struct gather *g, const char *name, const struct devtab_entry *e,
    int i, double scale, const struct label *l)
{
	if (e->c[i].ext >= e->prev[i])
		collect_emit(g, name, METRIC_GAUGE,
		    (double)(e->c[i].ext - e->prev[i]) * scale / g->dt, l, 1);
}

int
collect_diskstats(struct gather *g)
{
	struct devtab *t = g->state[GATHER_DISKSTATS];
	struct devtab_entry *e;
	const char *p, *q;
	char dev[DEVTAB_NAME_MAX];
	struct label l;
	uint64_t v;
	size_t n, hint = 0;
	int nf;

	if (collect_read(g, COLLECT_PROC, "diskstats", &g->file) == -1)
		return collect_off(g, "cannot read '%s': %s", g->path,
		    strerror(errno));
	if (t == NULL)
		t = g->state[GATHER_DISKSTATS] = xcalloc(1, sizeof(*t));
	for (p = g->file.p; p; p = collect_line(p)) {
		q = p;
		(void)collect_u64(&q);		/* major */
		(void)collect_u64(&q);		/* minor */
		while (*q == ' ')
			q++;
		for (n = 0; q[n] && q[n] != ' ' && q[n] != '\n'; n++)
			;
		if (n == 0 || n >= sizeof(dev))
			continue;
		memcpy(dev, q, n);
		dev[n] = '\0';
		q += n;
		if (disk_excluded(dev))
			continue;
		e = devtab_get(t, dev, g->pass, &hint);
		l = collect_label("device", e->name);
		for (nf = 0; nf < DISK_NFIELDS && *q && *q != '\n'; nf++) {
			v = collect_u64(&q);
			if (nf != DISK_IO_NOW)
				v = devtab_update(e, nf, v);
			collect_emit(g, disk_fields[nf].name, nf == DISK_IO_NOW ?
			    METRIC_GAUGE : METRIC_COUNTER,
			    (double)v * disk_fields[nf].scale, &l, 1);
		}
		if (!g->o.rates || e->fresh || g->dt <= 0 || nf < 11)
			continue;
		disk_rate(g, "mtk_disk_reads_per_second", e, 0, 1, &l);
		disk_rate(g, "mtk_disk_writes_per_second", e, 4, 1, &l);
		disk_rate(g, "mtk_disk_read_bytes_per_second", e, 2, 512, &l);
		disk_rate(g, "mtk_disk_written_bytes_per_second", e, 6, 512, &l);
		/* iostat's %util: the share of the interval with I/O queued. */
		disk_rate(g, "mtk_disk_busy_percent", e, 9, 0.1, &l);
	}
	devtab_sweep(t, g->pass);
	return 0;
}
