/* collect_cpu.c - node_cpu_seconds_total per CPU and mode, from /proc/stat */
/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "collect/gather_int.h"
#include "base/xalloc.h"

/* The columns of a "cpuN" line, in the kernel's order. */
enum {
	CPU_USER, CPU_NICE, CPU_SYSTEM, CPU_IDLE, CPU_IOWAIT, CPU_IRQ,
	CPU_SOFTIRQ, CPU_STEAL, CPU_GUEST, CPU_GUEST_NICE, CPU_NFIELDS
};

/* The modes of node_cpu_seconds_total: the first eight columns. */
#define CPU_NMODES 8
static const char *const cpu_modes[CPU_NMODES] = {
	"user", "nice", "system", "idle", "iowait", "irq", "softirq", "steal"
};

/* No machine has this many CPUs; a bigger index is garbage. */
#define CPU_INDEX_MAX 65536

struct cpu_one {
	uint64_t seen;			/* the last pass it was in /proc/stat */
	uint64_t out[CPU_NFIELDS];	/* ticks emitted in that pass */
	uint64_t prev[CPU_NFIELDS];	/* ticks emitted the pass before */
};

struct cpu_state {
	struct cpu_one *v;		/* indexed by the N of "cpuN" */
	size_t cap;
};

void
collect_cpu_release(void *state)
{
	struct cpu_state *st = state;

	if (st == NULL)
		return;
	free(st->v);
	free(st);
}

/*
 * Fold this pass's ticks 'now' into 'c', as node_exporter does: a CPU
 * that was not there last pass (new, or back online) starts afresh; if
 * idle went back by more than three seconds the CPU was unplugged and
 * replugged between passes, and starts afresh too; any other column that
 * goes back (iowait does, the kernel says so) keeps its last value, so
 * the counters never decrease while the CPU stays online.  Returns
 * whether 'c->prev' holds last pass's values (for rates).
 */
static int
cpu_update(struct cpu_one *c, const uint64_t *now, uint64_t pass, long hz)
{
	int i, cont = c->seen != 0 && c->seen + 1 == pass;

	memcpy(c->prev, c->out, sizeof(c->prev));
	if (cont && c->out[CPU_IDLE] > now[CPU_IDLE] + 3 * (uint64_t)hz)
		cont = 0;
	for (i = 0; i < CPU_NFIELDS; i++)
		if (!cont || now[i] >= c->out[i])
			c->out[i] = now[i];
	c->seen = pass;
	return cont;
}

static void
emit_rates(struct gather *g, const char *cpu, const uint64_t *d)
{
	struct label l[2];
	uint64_t total = 0;
	int i;

	for (i = 0; i < CPU_NMODES; i++)
		total += d[i];
	if (total == 0)
		return;
	l[0] = collect_label("cpu", cpu);
	for (i = 0; i < CPU_NMODES; i++) {
		l[1] = collect_label("mode", cpu_modes[i]);
		collect_emit(g, "mtk_cpu_percent", METRIC_GAUGE,
		    100.0 * (double)d[i] / (double)total, l, 2);
	}
	collect_emit(g, "mtk_cpu_busy_percent", METRIC_GAUGE,
	    100.0 * (double)(total - d[CPU_IDLE] - d[CPU_IOWAIT]) /
	    (double)total, l, 1);
}

int
collect_cpu(struct gather *g)
{
	struct cpu_state *st = g->state[GATHER_CPU];
	uint64_t now[CPU_NFIELDS], d[CPU_NFIELDS], all[CPU_NFIELDS] = { 0 };
	const char *text, *p;
	struct label l[2];
	char cpu[24], *end;
	unsigned long n;
	int i, cont, rated = 0;

	if ((text = collect_read_stat(g)) == NULL)
		return collect_off(g, "cannot read '%s': %s",
		    collect_path(g, COLLECT_PROC, "stat"), strerror(errno));
	if (st == NULL)
		st = g->state[GATHER_CPU] = xcalloc(1, sizeof(*st));
	for (p = text; p; p = collect_line(p)) {
		/* "cpu " is the sum over online CPUs; only "cpuN" counts. */
		if (strncmp(p, "cpu", 3) != 0 || p[3] < '0' || p[3] > '9')
			continue;
		n = strtoul(p + 3, &end, 10);
		if (n >= CPU_INDEX_MAX || *end != ' ')
			continue;
		if (n >= st->cap) {
			size_t old = st->cap;
			st->v = xgrow(st->v, &st->cap, n + 1, sizeof(*st->v));
			memset(st->v + old, 0, (st->cap - old) *
			    sizeof(*st->v));
		}
		p = end;
		/* Old kernels have fewer columns: the rest read as 0. */
		for (i = 0; i < CPU_NFIELDS; i++)
			now[i] = *p && *p != '\n' ? collect_u64(&p) : 0;
		cont = cpu_update(&st->v[n], now, g->pass, g->hz);
		for (i = 0; cont && i < CPU_NFIELDS; i++) {
			d[i] = st->v[n].out[i] - st->v[n].prev[i];
			all[i] += d[i];
		}
		rated |= cont;
		snprintf(cpu, sizeof(cpu), "%lu", n);
		l[0] = collect_label("cpu", cpu);
		for (i = 0; i < CPU_NMODES; i++) {
			l[1] = collect_label("mode", cpu_modes[i]);
			collect_emit(g, "node_cpu_seconds_total",
			    METRIC_COUNTER,
			    (double)st->v[n].out[i] / (double)g->hz, l, 2);
		}
		/* Guest time is also counted in user and nice. */
		l[1] = collect_label("mode", "nice");
		collect_emit(g, "node_cpu_guest_seconds_total", METRIC_COUNTER,
		    (double)st->v[n].out[CPU_GUEST_NICE] / (double)g->hz,
		    l, 2);
		l[1] = collect_label("mode", "user");
		collect_emit(g, "node_cpu_guest_seconds_total", METRIC_COUNTER,
		    (double)st->v[n].out[CPU_GUEST] / (double)g->hz, l, 2);
		if (g->o.rates && cont)
			emit_rates(g, cpu, d);
	}
	/*
	 * "all" is the sum of the changes of the CPUs that were there in
	 * both passes, not the change of the "cpu " line, which drops when
	 * a CPU goes offline.
	 */
	if (g->o.rates && rated)
		emit_rates(g, "all", all);
	return 0;
}
