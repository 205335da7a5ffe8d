/* collect_netdev.c - network traffic per interface, from /proc/net/dev */
/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <string.h>

#include "collect/gather_int.h"
#include "base/xalloc.h"

/* The sixteen columns after "name:", in the kernel's order. */
#define NET_NFIELDS 16
static const char *const net_fields[NET_NFIELDS] = {
	"node_network_receive_bytes_total",
	"node_network_receive_packets_total",
	"node_network_receive_errs_total",
	"node_network_receive_drop_total",
	"node_network_receive_fifo_total",
	"node_network_receive_frame_total",
	"node_network_receive_compressed_total",
	"node_network_receive_multicast_total",
	"node_network_transmit_bytes_total",
	"node_network_transmit_packets_total",
	"node_network_transmit_errs_total",
	"node_network_transmit_drop_total",
	"node_network_transmit_fifo_total",
	"node_network_transmit_colls_total",
	"node_network_transmit_carrier_total",
	"node_network_transmit_compressed_total",
};

/* Which columns get a per-second rate with --rates, and its name. */
static const struct {
	int field;
	const char *name;
} net_rates[] = {
	{ 0, "mtk_network_receive_bytes_per_second" },
	{ 1, "mtk_network_receive_packets_per_second" },
	{ 8, "mtk_network_transmit_bytes_per_second" },
	{ 9, "mtk_network_transmit_packets_per_second" },
};

int
collect_netdev(struct gather *g)
{
	struct devtab *t = g->state[GATHER_NETDEV];
	struct devtab_entry *e;
	const char *p, *q, *colon;
	char dev[DEVTAB_NAME_MAX];
	struct label l;
	uint64_t v;
	size_t n, i, hint = 0;
	int f;

	if (collect_read(g, COLLECT_PROC, "net/dev", &g->file) == -1)
		return collect_off(g, "cannot read '%s': %s", g->path,
		    strerror(errno));
	if (t == NULL)
		t = g->state[GATHER_NETDEV] = xcalloc(1, sizeof(*t));
	for (p = g->file.p; p; p = collect_line(p)) {
		/*
		 * "  eth0: 123 ...", or "eth0:123" when the number is wide;
		 * the two header lines have '|' before any ':'.
		 */
		while (*p == ' ')
			p++;
		colon = strchr(p, ':');
		q = strchr(p, '\n');
		if (colon == NULL || (q && colon > q) ||
		    memchr(p, '|', (size_t)(colon - p)))
			continue;
		n = (size_t)(colon - p);
		if (n == 0 || n >= sizeof(dev))
			continue;
		memcpy(dev, p, n);
		dev[n] = '\0';
		/* Debian's node_exporter leaves out the loopback: ^lo$. */
		if (strcmp(dev, "lo") == 0)
			continue;
		e = devtab_get(t, dev, g->pass, &hint);
		l = collect_label("device", e->name);
		q = colon + 1;
		for (f = 0; f < NET_NFIELDS && *q && *q != '\n'; f++) {
			v = devtab_update(e, f, collect_u64(&q));
			collect_emit(g, net_fields[f], METRIC_COUNTER,
			    (double)v, &l, 1);
		}
		if (!g->o.rates || e->fresh || g->dt <= 0 || f < NET_NFIELDS)
			continue;
		for (i = 0; i < sizeof(net_rates) / sizeof(net_rates[0]); i++) {
			f = net_rates[i].field;
			if (e->c[f].ext < e->prev[f])
				continue;	/* reset: no rate this pass */
			collect_emit(g, net_rates[i].name, METRIC_GAUGE,
			    (double)(e->c[f].ext - e->prev[f]) / g->dt, &l, 1);
		}
	}
	devtab_sweep(t, g->pass);
	return 0;
}
