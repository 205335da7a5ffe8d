/* gather.h - collect system metrics from /proc, /sys and statfs(2) */
/* SPDX-License-Identifier: MIT */
#ifndef MTK_GATHER_H
#define MTK_GATHER_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/vfs.h>

#include "base/errbuf.h"
#include "stream/ingest.h"

/*
 * The collectors, each a bit in 'gather_opts.collectors'.  They use
 * node_exporter's collector names where node_exporter has one, and emit
 * its metric names, label names and units, so that dashboards made for
 * node_exporter work on what mgather(1) writes.  Each is documented, with
 * every metric name, in mgather(1).
 */
enum gather_collector {
	GATHER_CPU,		/* /proc/stat cpuN lines */
	GATHER_MEMINFO,		/* /proc/meminfo */
	GATHER_VMSTAT,		/* /proc/vmstat paging and swapping */
	GATHER_LOADAVG,		/* /proc/loadavg */
	GATHER_STAT,		/* /proc/stat: boot time, forks, ... */
	GATHER_TIME,		/* the pass's own clock */
	GATHER_FILESYSTEM,	/* /proc/1/mounts and statfs(2) */
	GATHER_DISKSTATS,	/* /proc/diskstats */
	GATHER_NETDEV,		/* /proc/net/dev */
	GATHER_FILEFD,		/* /proc/sys/fs/file-nr */
	GATHER_PRESSURE,	/* /proc/pressure/{cpu,memory,io} */
	GATHER_PROCESSES,	/* /proc/PID/stat of every process */
	GATHER_CGROUP,		/* this process's cgroup (v2, or v1) */
	GATHER_PROCESS,		/* the processes chosen by pid or name */
	GATHER_NCOLLECTORS
};

#define GATHER_BIT(c)	(1u << (c))
#define GATHER_ALL	((1u << GATHER_NCOLLECTORS) - 1)
/* What runs without -C: all but the per-process scan, as node_exporter. */
#define GATHER_DEFAULT	(GATHER_ALL & ~GATHER_BIT(GATHER_PROCESSES))

/* The collector's name ("cpu"), or NULL past the last one. */
const char *gather_collector_name(int c);

/* A one-line description of collector 'c' (what it reads). */
const char *gather_collector_desc(int c);

/*
 * Apply a comma-separated list of collector names to '*mask'.  "name"
 * or "+name" enables, "-name" disables, "all" stands for every collector
 * and "load" for "loadavg".  When '*explicit' is 0 and the list starts
 * with a bare name, the set starts empty ("-C cpu,load" chooses exactly
 * those); after the first call '*explicit' is 1, so repeated -C options
 * add up.  Returns 0, or -1 with "unknown collector 'x'" in 'eb'.
 */
int gather_collectors_parse(const char *list, unsigned *mask, int *explicit,
    struct errbuf *eb);

/*
 * Check a "NAME=VALUE" label option: NAME must be a valid label name
 * (not starting with "__"), VALUE at most METRIC_LABEL_VALUE_MAX bytes.
 * Returns 0, or -1 with the reason in 'eb'.
 */
int gather_label_check(const char *spec, struct errbuf *eb);

/*
 * What to collect and how.  Every pointer is borrowed and must stay valid
 * until gather_free().
 */
struct gather_opts {
	unsigned collectors;		/* GATHER_BIT() mask */
	const char *host;		/* the "host" label; NULL for none */
	const char *const *labels;	/* "NAME=VALUE" strings, checked by
					 * gather_label_check(); later ones
					 * override earlier ones and 'host';
					 * an empty VALUE removes the label */
	size_t nlabels;
	/*
	 * Where the kernel's files are ("/proc", "/sys") and where the
	 * mounts listed in PROCFS/1/mounts are ("/": statfs(2) is called on
	 * ROOTFS/MOUNTPOINT).  For tests, "%p" in any of them is replaced by
	 * the number of the pass (1, 2, ...), so that a fixture tree per pass
	 * can play a changing system; "%%" is a '%'.
	 */
	const char *procfs;
	const char *sysfs;
	const char *rootfs;
	int rates;			/* also emit per-interval rates */
	int64_t fs_timeout_ms;		/* how long one statfs(2) may take */
	const pid_t *pids;		/* processes to report (GATHER_PROCESS) */
	size_t npids;
	const char *const *comms;	/* ... and process names (comm) */
	size_t ncomms;
	/*
	 * Called with a warning for the caller to report (lib does not
	 * print): a collector switched off because its source is missing, a
	 * mount that timed out.  Each is given once, not every pass.  'msg'
	 * is borrowed for the call.  NULL drops warnings.
	 */
	void (*warn)(void *arg, const char *msg);
	void *warn_arg;
	/*
	 * statfs(2) by default.  Tests put a function here that blocks, to
	 * check the timeout; it is called on a worker thread.
	 */
	int (*statfs_fn)(const char *path, struct statfs *buf);
	/*
	 * Give the sink each sample as a reader of the stream would have
	 * it: bytes that are not UTF-8 as U+FFFD, then metric_check()ed.
	 * For sinks other than the stream's writer (a store), which does
	 * that itself as it writes.
	 */
	int check;
};

#define GATHER_OPTS_INIT { GATHER_DEFAULT, NULL, NULL, 0, "/proc", "/sys", \
	"/", 0, 5000, NULL, 0, NULL, 0, NULL, NULL, NULL, 0 }

struct gather;

/*
 * Returns a new collector set for 'o' (whose pointers it borrows), or
 * NULL with the reason in 'eb' (a bad label).  Free with gather_free().
 */
struct gather *gather_new(const struct gather_opts *o, struct errbuf *eb);

/*
 * Run every enabled collector once and give their samples to 'sink', all
 * stamped 'ts' (milliseconds since the epoch).  Does not commit.
 * A collector whose source is missing is switched off with a warning; a
 * filesystem whose statfs(2) takes longer than 'fs_timeout_ms' is
 * reported with node_filesystem_device_error 1 and not asked again until
 * that call returns.  Returns 0, or -1 on a write error with the reason
 * in 'eb'.
 */
int gather_pass(struct gather *g, const struct ingest_sink *sink, int64_t ts,
    struct errbuf *eb);

/*
 * Free 'g' (NULL is fine).  A worker thread still blocked in statfs(2)
 * is left to finish on its own; it frees what it uses.
 */
void gather_free(struct gather *g);

#endif
