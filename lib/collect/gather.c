/* gather.c - run the collectors once per pass: labels, roots, the table */
/* SPDX-License-Identifier: MIT */
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "collect/gather_int.h"
#include "collect/gather.h"
#include "stream/utf8.h"
#include "base/xalloc.h"

/* In enum gather_collector's order. */
static const struct collector collectors[GATHER_NCOLLECTORS] = {
	{ "cpu", "seconds per CPU and mode (/proc/stat)",
	    collect_cpu, collect_cpu_release },
	{ "meminfo", "memory usage (/proc/meminfo)", collect_meminfo, NULL },
	{ "vmstat", "paging, swapping, page faults, OOM kills (/proc/vmstat)",
	    collect_vmstat, NULL },
	{ "loadavg", "load averages (/proc/loadavg)", collect_loadavg, NULL },
	{ "stat", "boot time, forks, context switches, interrupts, "
	    "running and blocked processes (/proc/stat)", collect_stat, NULL },
	{ "time", "the time of the pass", collect_time, NULL },
	{ "filesystem", "size and free space per mount (/proc/1/mounts, "
	    "statfs)", collect_filesystem, collect_filesystem_release },
	{ "diskstats", "disk I/O (/proc/diskstats)",
	    collect_diskstats, collect_devtab_release },
	{ "netdev", "network traffic per interface (/proc/net/dev)",
	    collect_netdev, collect_devtab_release },
	{ "filefd", "open files (/proc/sys/fs/file-nr)", collect_filefd, NULL },
	{ "pressure", "pressure stall information (/proc/pressure)",
	    collect_pressure, NULL },
	{ "processes", "processes and threads by state (/proc/PID/stat; "
	    "off by default)", collect_processes, NULL },
	{ "cgroup", "CPU and memory use and limits of mgather's cgroup "
	    "(/proc/self/cgroup, /sys/fs/cgroup)", collect_cgroup, NULL },
	{ "process", "CPU, memory, threads and files of the processes "
	    "given by -p and --process", collect_process,
	    collect_process_release },
};

const char *
gather_collector_name(int c)
{
	return c >= 0 && c < GATHER_NCOLLECTORS ? collectors[c].name : NULL;
}

const char *
gather_collector_desc(int c)
{
	return c >= 0 && c < GATHER_NCOLLECTORS ? collectors[c].desc : NULL;
}

int
gather_collectors_parse(const char *list, unsigned *mask, int *explicit,
    struct errbuf *eb)
{
	const char *p = list, *end;
	size_t len;
	int c, sign;
	unsigned bit;

	for (; *p; p = *end ? end + 1 : end) {
		end = strchr(p, ',');
		if (end == NULL)
			end = p + strlen(p);
		sign = *p == '-' || *p == '+' ? *p++ : 0;
		len = (size_t)(end - p);
		if (len == 3 && memcmp(p, "all", 3) == 0) {
			bit = GATHER_ALL;
		} else if (len == 4 && memcmp(p, "load", 4) == 0) {
			bit = GATHER_BIT(GATHER_LOADAVG);	/* an alias */
		} else {
			for (c = 0; c < GATHER_NCOLLECTORS; c++)
				if (strlen(collectors[c].name) == len &&
				    memcmp(collectors[c].name, p, len) == 0)
					break;
			if (c == GATHER_NCOLLECTORS)
				return errbuf_set(eb, "unknown collector '%.*s'",
				    (int)len, p);
			bit = GATHER_BIT(c);
		}
		if (!*explicit && sign == 0)
			*mask = 0;
		*explicit = 1;
		if (sign == '-')
			*mask &= ~bit;
		else
			*mask |= bit;
	}
	return 0;
}

int
gather_label_check(const char *spec, struct errbuf *eb)
{
	const char *eq = strchr(spec, '=');

	if (eq == NULL)
		return errbuf_set(eb, "label '%s' is not NAME=VALUE", spec);
	if (!metric_label_name_valid(spec, (size_t)(eq - spec)))
		return errbuf_set(eb, "bad label name '%.*s'",
		    (int)(eq - spec), spec);
	if (eq - spec >= 2 && spec[0] == '_' && spec[1] == '_')
		return errbuf_set(eb, "label name '%.*s' is reserved",
		    (int)(eq - spec), spec);
	/* As written: each byte that is not UTF-8 becomes U+FFFD (jsonl.h). */
	if (strlen(eq + 1) + 2 * utf8_invalid_count(eq + 1, strlen(eq + 1)) >
	    METRIC_LABEL_VALUE_MAX)
		return errbuf_set(eb, "label '%.*s' value is longer than %d "
		    "bytes", (int)(eq - spec), spec, METRIC_LABEL_VALUE_MAX);
	return 0;
}

static int
label_cmp(const void *a, const void *b)
{
	return strcmp(((const struct label *)a)->name,
	    ((const struct label *)b)->name);
}

/* Add or replace 'name' (borrowed); an empty 'value' removes it. */
static void
labels_set(struct gather *g, const char *name, size_t nlen, const char *value)
{
	size_t i;

	for (i = 0; i < g->ncommon; i++)
		if (g->common[i].name_len == nlen &&
		    memcmp(g->common[i].name, name, nlen) == 0)
			break;
	if (*value == '\0') {
		if (i < g->ncommon) {
			free((char *)g->common[i].name);
			g->common[i] = g->common[--g->ncommon];
		}
		return;
	}
	if (i == g->ncommon) {
		g->common[i].name = xstrndup(name, nlen);
		g->common[i].name_len = (uint32_t)nlen;
		g->ncommon++;
	}
	g->common[i].value = value;
	g->common[i].value_len = (uint32_t)strlen(value);
}

struct gather *
gather_new(const struct gather_opts *o, struct errbuf *eb)
{
	struct gather *g = xcalloc(1, sizeof(*g));
	const char *eq;
	size_t i;

	g->o = *o;
	if (g->o.fs_timeout_ms <= 0)
		g->o.fs_timeout_ms = 5000;
	/*
	 * One slot per -l, one for host; the merged set must leave room for
	 * the collectors' own labels (at most three).
	 */
	g->common = xcalloc(o->nlabels + 1, sizeof(*g->common));
	if (o->host && *o->host)
		labels_set(g, "host", 4, o->host);
	for (i = 0; i < o->nlabels; i++) {
		if (gather_label_check(o->labels[i], eb) == -1)
			goto fail;
		eq = strchr(o->labels[i], '=');
		labels_set(g, o->labels[i], (size_t)(eq - o->labels[i]),
		    eq + 1);
	}
	if (g->ncommon > METRIC_LABELS_MAX - 4) {
		errbuf_set(eb, "too many labels (at most %d)",
		    METRIC_LABELS_MAX - 4);
		goto fail;
	}
	qsort(g->common, g->ncommon, sizeof(*g->common), label_cmp);
	g->hz = sysconf(_SC_CLK_TCK);
	if (g->hz <= 0)
		g->hz = 100;
	g->pagesize = sysconf(_SC_PAGESIZE);
	if (g->pagesize <= 0)
		g->pagesize = 4096;
	g->enabled = o->collectors & GATHER_ALL;
	if (o->npids == 0 && o->ncomms == 0)
		g->enabled &= ~GATHER_BIT(GATHER_PROCESS);
	return g;
fail:
	gather_free(g);
	return NULL;
}

/* 'tmpl' with "%p" replaced by 'pass' and "%%" by '%'; a new string. */
static char *
expand_root(const char *tmpl, uint64_t pass)
{
	struct buf b = BUF_INIT;
	const char *p;

	buf_grow(&b, strlen(tmpl));
	b.p[0] = '\0';
	for (p = tmpl; *p; p++) {
		if (p[0] == '%' && p[1] == 'p') {
			buf_addf(&b, "%llu", (unsigned long long)pass);
			p++;
		} else if (p[0] == '%' && p[1] == '%') {
			buf_addch(&b, '%');
			p++;
		} else {
			buf_addch(&b, *p);
		}
	}
	/* "/" + "/proc/stat" would make "//proc": drop a lone trailing '/'. */
	if (b.len > 0 && b.p[b.len - 1] == '/')
		b.p[--b.len] = '\0';
	return b.p;
}

int
gather_pass(struct gather *g, const struct ingest_sink *sink, int64_t ts,
    struct errbuf *eb)
{
	const char *roots[3] = {
		g->o.procfs ? g->o.procfs : "/proc",
		g->o.sysfs ? g->o.sysfs : "/sys",
		g->o.rootfs ? g->o.rootfs : "/"
	};
	struct timespec now;
	int c;

	g->pass++;
	for (c = 0; c < 3; c++) {
		if (g->root[c] == NULL || strchr(roots[c], '%')) {
			free(g->root[c]);
			g->root[c] = expand_root(roots[c], g->pass);
		}
	}
	clock_gettime(CLOCK_MONOTONIC, &now);
	g->dt = g->pass == 1 ? 0 : (double)(now.tv_sec - g->mono.tv_sec) +
	    (double)(now.tv_nsec - g->mono.tv_nsec) / 1e9;
	g->mono = now;
	g->sink = sink;
	g->eb = eb;
	g->ts = ts;
	g->failed = 0;
	for (c = 0; c < GATHER_NCOLLECTORS && !g->failed; c++) {
		if (!(g->enabled & GATHER_BIT(c)))
			continue;
		g->cur = c;
		if (collectors[c].collect(g) == -1)
			g->enabled &= ~GATHER_BIT(c);
	}
	g->sink = NULL;
	g->eb = NULL;
	return g->failed ? -1 : 0;
}

void
gather_free(struct gather *g)
{
	size_t i;
	int c;

	if (g == NULL)
		return;
	for (c = 0; c < GATHER_NCOLLECTORS; c++)
		if (collectors[c].release)
			collectors[c].release(g->state[c]);
	for (i = 0; i < g->ncommon; i++)
		free((char *)g->common[i].name);
	free(g->common);
	for (c = 0; c < 3; c++)
		free(g->root[c]);
	buf_release(&g->file);
	buf_release(&g->fixed);
	buf_release(&g->stat);
	free(g);
}
